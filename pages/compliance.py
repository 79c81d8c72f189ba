"""Tình hình nộp báo cáo: for each period who reported on time, late or not at all;
a units x months grid; the list to remind."""

import streamlit as st

from ui import charts, components, data, figures, filters, tables, theme, trends
from ui.format import fmt_percent, fmt_period_short, label

f = components.page_start("Tình hình nộp báo cáo")

comp = data.compliance(f)
components.stop_if_empty(comp)

comp = comp.assign(
    **{
        "Tình trạng": comp["status"].map(lambda k: label("compliance", k)),
        "Tháng": comp["period"].map(fmt_period_short),
    }
)
due = comp[comp["status"] != "not_due"]
counts = due["status"].value_counts()
expected = len(due)

h = data.headline(f)
components.range_status(h, filters.current_label())
c1, c2, c3, c4 = st.columns(4)
components.figure_card(c1, "on_time_share", h)
c2.metric(label("compliance", "on_time"), f"{int(counts.get('on_time', 0))}", border=True)
c3.metric(label("compliance", "late"), f"{int(counts.get('late', 0))}", border=True)
c4.metric(label("compliance", "missing"), f"{int(counts.get('missing', 0))}", border=True)
st.caption(
    f"Tính trên {expected} lượt báo cáo đến hạn (mỗi đơn vị một báo cáo mỗi tháng, hạn nộp ngày {data.ward_settings().due_day})."
    if expected
    else "Chưa có kỳ báo cáo nào đến hạn trong kỳ xem."
)

# over time: the 12 months (at least) ending at the chosen period, the chosen months highlighted;
# months before the ward's first report are left empty (nothing was due yet)
months = trends.months_of(f)
month_labels = [fmt_period_short(p) for p in months]
first_month = (data.list_periods() or [months[0]])[0]
comp_w = data.compliance(trends.month_filters(f))
comp_w = comp_w[comp_w["period"] >= first_month]
comp_w = comp_w.assign(
    **{
        "Tình trạng": comp_w["status"].map(lambda k: label("compliance", k)),
        "Tháng": comp_w["period"].map(fmt_period_short),
    }
)

left, right = st.columns([1, 2])
with left:
    fig = figures.compliance_per_month(comp_w)
    trends.mark_months(fig, f, months)
    trends.legend_below(fig)
    charts.show(fig, key="comp_months")
with right:
    fig = charts.status_grid(
        comp_w.rename(columns={"unit_name": "Đơn vị"}),
        x="Tháng",
        y="Đơn vị",
        status="Tình trạng",
        color_map=theme.compliance_map(),
        order=theme.compliance_labels(),
        labels={},
        title="Đơn vị × tháng",
        x_order=month_labels,
    )
    trends.highlight(fig, month_labels, [fmt_period_short(m) for m in trends.selected_months(f, months)])
    fig.update_traces(marker_size=15)  # squares apart, one per unit and month
    charts.show(fig, key="comp_grid")
note = trends.months_note(f, months, comp_w)
if note:
    st.caption(note)

# ------------------------------------------------------------------ reminders
st.subheader("Danh sách cần nhắc nộp báo cáo")
missing = comp[comp["status"] == "missing"]
if missing.empty:
    components.all_clear("Không có đơn vị nào còn thiếu báo cáo đến hạn.")
else:
    per_unit = (
        missing.groupby(["unit_code", "unit_name", "group"], as_index=False)
        .agg(count=("period", "size"), periods=("period", lambda s: ", ".join(fmt_period_short(p) for p in sorted(s))))
        .sort_values(["count", "unit_name"], ascending=[False, True])
    )
    tables.table(
        per_unit,
        {"unit_name": "Đơn vị", "group": "Khối", "count": "Số kỳ chưa nộp", "periods": "Các tháng chưa nộp"},
        kinds={"count": "int"},
        unit_link=("unit_code", "unit_name"),
        key="comp_remind",
        title="Danh sách nhắc nộp báo cáo",
    )

st.subheader("Chi tiết theo đơn vị và tháng")
share_by_unit = due.groupby("unit_code")["status"].apply(lambda s: (s == "on_time").mean())
detail = comp.assign(status_label=comp["Tình trạng"])
tables.table(
    detail.sort_values(["period", "unit_name"]),
    {
        "period": "Kỳ",
        "unit_name": "Đơn vị",
        "group": "Khối",
        "status_label": "Tình trạng",
        "submitted_at": "Thời điểm nộp",
    },
    kinds={"period": "period", "submitted_at": "datetime"},
    unit_link=("unit_code", "unit_name"),
    key="comp_detail",
    title="Tình hình nộp báo cáo",
)
if len(share_by_unit):
    # the lowest rate names every unit at that rate, or nobody when all units share it
    lowest = share_by_unit.min()
    tied = share_by_unit[share_by_unit == lowest]
    if len(tied) < len(share_by_unit):
        unit_names = data.unit_names()
        who = ", ".join(sorted(unit_names.get(c, c) for c in tied.index))
        st.caption(f"Tỷ lệ đúng hạn thấp nhất ({fmt_percent(lowest)}, {len(tied)} đơn vị): {who}.")
