"""Đơn vị: one unit's own view: its submissions, tasks and figures over time.
Opened from any unit name (link with ?unit=CODE) or by choosing the unit here."""

import streamlit as st

from ui import auth, charts, components, data, filters, tables, theme, trends
from ui.format import fmt_date, fmt_int, fmt_percent, fmt_period_short, label
from ui.task_names import task_names, with_task_name

f = filters.current()
units = data.list_units()

if units.empty or not data.list_periods():
    components.page_title("Đơn vị")
    components.empty_state()
    st.stop()

names = dict(zip(units["code"].astype(str), units["name"].astype(str), strict=False))
groups = dict(zip(units["code"].astype(str), units["group"].astype(str), strict=False))


def _choose() -> None:
    # runs before the script, so the sidebar's unit filter may still be changed
    st.session_state["flt_unit"] = st.session_state["unit_page_choice"]
    st.session_state["flt_group"] = filters.ALL


if not f.unit:
    components.page_title("Đơn vị")
    st.selectbox(
        "Chọn đơn vị",
        list(names),
        index=None,
        format_func=names.get,
        placeholder="Chọn một đơn vị để xem báo cáo, nhiệm vụ và số liệu của đơn vị",
        key="unit_page_choice",
        on_change=_choose,
    )
    st.caption("Bấm vào tên một đơn vị ở bất kỳ bảng nào cũng mở trang này.")
    st.stop()

code = f.unit
components.page_title(names.get(code, code))
st.caption(f"Khối: {groups.get(code, '')} · Mã đơn vị: {code}")

h = data.headline(f)
comp = data.compliance(f)
due = comp[comp["status"] != "not_due"]
components.range_status(h, filters.current_label())
c1, c2, c3, c4 = st.columns(4)
components.figure_card(c1, "propaganda_quantity", h)
components.figure_card(c2, "attendance_rate", h)
components.figure_card(c3, "on_time_share", h)
c4.metric(
    "Báo cáo chưa nộp",
    fmt_int(int((due["status"] == "missing").sum())) if not due.empty else "0",
    border=True,
)

# ------------------------------------------------------------------ reporting
st.subheader("Nộp báo cáo theo tháng")
window_months = trends.months_of(f)
first_month = (data.list_periods() or [window_months[0]])[0]
comp_w = data.compliance(trends.month_filters(f))
comp_w = comp_w[comp_w["period"] >= first_month] if not comp_w.empty else comp_w
if comp_w.empty:
    components.note("Không có tháng nào trong kỳ xem.")
else:
    comp = comp_w
    cmp = comp.assign(
        **{
            "Tình trạng": comp["status"].map(lambda k: label("compliance", k)),
            "Tháng": comp["period"].map(fmt_period_short),
        }
    )
    fig = charts.status_grid(
        cmp,
        x="Tháng",
        y="unit_name",
        status="Tình trạng",
        color_map=theme.compliance_map(),
        order=theme.compliance_labels(),
        labels={"unit_name": "Đơn vị"},
        x_order=[fmt_period_short(p) for p in window_months],
    )
    fig.update_layout(height=220)
    trends.highlight(
        fig,
        [fmt_period_short(p) for p in window_months],
        [fmt_period_short(m) for m in trends.selected_months(f, window_months)],
    )
    charts.show(fig, key="unit_compliance", title="Nộp báo cáo theo tháng")

history = data.submission_history(code)
st.subheader("Các báo cáo đã gửi")
if history.empty:
    components.empty_state(
        f"{names.get(code, code)} chưa gửi báo cáo nào. Vào trang Gửi báo cáo để tải mẫu và gửi báo cáo đầu tiên."
    )
else:
    form_names = {"tasks": "Biểu 01", "propaganda": "Biểu 02", "attendance": "Biểu 03"}
    shown = history.assign(
        forms_label=history["forms"].map(lambda s: ", ".join(form_names.get(x, x) for x in str(s).split(",") if x)),
        current_label=history["is_current"].map({True: "Đang dùng", False: "Đã thay thế"}),
    )
    tables.table(
        shown,
        {
            "period": "Kỳ báo cáo",
            "forms_label": "Biểu",
            "version": "Lần gửi",
            "current_label": "Trạng thái",
            "filename": "Tệp",
            "sender": "Người gửi",
            "received_at": "Thời điểm nhận",
        },
        kinds={"period": "period", "version": "int", "received_at": "datetime"},
        key="unit_history",
        title=f"Báo cáo {names.get(code, code)}",
    )
    pick = st.selectbox(
        "Tải lại tệp gốc",
        history["id"].tolist(),
        format_func=lambda i: (
            f"{history.loc[history['id'] == i, 'filename'].iloc[0]} "
            f"({fmt_date(history.loc[history['id'] == i, 'received_at'].iloc[0])})"
        ),
        key="unit_file_pick",
    )
    if pick is not None:
        fname = str(history.loc[history["id"] == pick, "filename"].iloc[0])
        st.download_button(
            "Tải tệp gốc",
            # checked and audited for the logged-in account (taken now: the callable runs on click)
            data=lambda who=auth.current(), sid=int(pick): data.submission_file_for(who, sid)[1],
            file_name=fname,
            key="unit_file_dl",
            icon=":material/download:",
            on_click="ignore",
        )

# ------------------------------------------------------------------ tasks
st.subheader("Nhiệm vụ của đơn vị")
grid = data.task_unit_grid(f)
if grid.empty:
    components.note("Đơn vị không được giao và chưa báo cáo nhiệm vụ nào.")
else:
    g = with_task_name(grid, task_names(f)).assign(
        status_label=grid["status"].fillna("no_report").map(lambda k: label("status", k)),
        role_label=grid["role"].map({"lead": "Chủ trì", "support": "Phối hợp"}).fillna("Tự báo cáo"),
    )
    tables.table(
        g,
        {
            "task_code": "Mã nhiệm vụ",
            "task": "Nhiệm vụ",
            "role_label": "Vai trò",
            "status_label": "Tình trạng",
            "percent": "Tỷ lệ hoàn thành (%)",
            "period": "Kỳ báo cáo gần nhất",
        },
        kinds={"percent": "num1", "period": "period"},
        key="unit_tasks",
        title="Nhiệm vụ của đơn vị",
    )

# ------------------------------------------------------------------ figures over time
left, right = st.columns(2)
with left:
    tr = trends.trend_frame(f)
    charts.show(trends.chart(tr, "propaganda_quantity"), key="unit_prop")
with right:
    events = data.attendance_events(f)
    if events.empty:
        components.note("Chưa có hội nghị, buổi học tập nào trong kỳ xem.")
    else:
        st.markdown(
            f"**Tham dự:** {fmt_int(events['present'].sum())}/{fmt_int(events['invited'].sum())} "
            f"({fmt_percent(h.get('attendance_rate'))})"
        )
        tables.table(
            events.assign(group_label=events["group"].map(lambda k: label("participant_group", k))),
            {
                "event": "Hội nghị, buổi học tập",
                "event_date": "Ngày",
                "group_label": "Thành phần",
                "invited": "Triệu tập",
                "present": "Có mặt",
                "rate": "Tỷ lệ",
            },
            kinds={"event_date": "date", "invited": "int", "present": "int", "rate": "pct"},
            key="unit_events",
            title="Tham dự",
        )

obs = data.obstacles(f)
if not obs.empty:
    st.subheader("Khó khăn, vướng mắc đã nêu")
    tables.table(
        obs.assign(handled_label=obs["handled"].astype(bool).map({True: "Đã xử lý", False: "Chưa xử lý"})),
        {"period": "Kỳ", "task_code": "Mã NV", "task": "Nhiệm vụ", "text": "Nội dung", "handled_label": "Xử lý"},
        kinds={"period": "period"},
        key="unit_obstacles",
        title="Khó khăn vướng mắc của đơn vị",
    )
