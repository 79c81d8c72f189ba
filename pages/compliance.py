"""Tình hình nộp báo cáo: for each period who reported on time, late or not at all;
a units x months grid; the list to remind."""

import streamlit as st

from ui import charts, components, data, tables, theme
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
prev = h.get("previous") or {}
c1, c2, c3, c4 = st.columns(4)
components.metric_share(c1, "Tỷ lệ nộp đúng hạn", h.get("on_time_share"), prev.get("on_time_share"))
c2.metric(label("compliance", "on_time"), f"{int(counts.get('on_time', 0))}", border=True)
c3.metric(label("compliance", "late"), f"{int(counts.get('late', 0))}", border=True)
c4.metric(label("compliance", "missing"), f"{int(counts.get('missing', 0))}", border=True)
st.caption(
    f"Tính trên {expected} lượt báo cáo đến hạn (mỗi đơn vị một báo cáo mỗi tháng, hạn nộp ngày 25)."
    if expected
    else "Chưa có kỳ báo cáo nào đến hạn trong kỳ xem."
)

months = sorted(comp["period"].unique())
month_labels = [fmt_period_short(p) for p in months]

left, right = st.columns([1, 2])
with left:
    per_month = comp.groupby(["Tháng", "Tình trạng"], as_index=False).size()
    fig = charts.bar(
        per_month,
        x="Tháng",
        y="size",
        color="Tình trạng",
        labels={"size": "Số đơn vị"},
        title="Theo tháng",
        color_map=theme.compliance_map(),
        category_orders={"Tháng": month_labels, "Tình trạng": theme.compliance_labels()},
    )
    fig.update_xaxes(type="category")
    charts.show(fig, key="comp_months")
with right:
    fig = charts.status_grid(
        comp.rename(columns={"unit_name": "Đơn vị"}),
        x="Tháng",
        y="Đơn vị",
        status="Tình trạng",
        color_map=theme.compliance_map(),
        order=theme.compliance_labels(),
        labels={},
        title="Đơn vị × tháng",
        x_order=month_labels,
    )
    charts.show(fig, key="comp_grid")

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
    worst = share_by_unit.sort_values().head(1)
    st.caption(
        f"Tỷ lệ đúng hạn thấp nhất: {data.unit_names().get(worst.index[0], worst.index[0])} "
        f"({fmt_percent(worst.iloc[0])})."
    )
