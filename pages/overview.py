"""Tổng quan: headline figures against the previous range, and what needs attention now."""

import pandas as pd
import streamlit as st

from ui import charts, components, data, tables, theme
from ui.format import fmt_int, label

f = components.page_start("Tổng quan")

h = data.headline(f)
prev = h.get("previous") or {}

c1, c2, c3, c4, c5 = st.columns(5)
components.metric_share(
    c1,
    "Nhiệm vụ hoàn thành",
    h.get("done_share"),
    prev.get("done_share"),
    help=f"{fmt_int(h.get('tasks_done'))}/{fmt_int(h.get('tasks_total'))} nhiệm vụ của kế hoạch đã hoàn thành",
)
components.metric_count(
    c2,
    "Nhiệm vụ quá hạn",
    h.get("tasks_overdue"),
    prev.get("tasks_overdue"),
    inverse=True,
    help="Nhiệm vụ đã quá thời hạn mà chưa hoàn thành",
)
components.metric_count(
    c3,
    "Tin, bài, buổi tuyên truyền",
    h.get("propaganda_quantity"),
    prev.get("propaganda_quantity"),
    help=f"Lượt tiếp cận: {fmt_int(h.get('propaganda_reach'))}",
)
components.metric_share(
    c4,
    "Tỷ lệ tham dự",
    h.get("attendance_rate"),
    prev.get("attendance_rate"),
    help=f"{fmt_int(h.get('attendance_present'))} có mặt / {fmt_int(h.get('attendance_invited'))} được triệu tập",
)
components.metric_share(
    c5,
    "Đơn vị báo cáo đúng hạn",
    h.get("on_time_share"),
    prev.get("on_time_share"),
    help=f"{fmt_int(h.get('units_on_time'))}/{fmt_int(h.get('units_expected'))} lượt báo cáo đến hạn được nộp đúng hạn",
)

st.subheader("Cần chú ý")
names = data.unit_names()
left, middle, right = st.columns(3)

with left:
    st.markdown("**Nhiệm vụ quá hạn**")
    components.overdue_table(f, names, key="ov_overdue")

with middle:
    st.markdown("**Đơn vị chưa báo cáo**")
    comp = data.compliance(f)
    due = comp[comp["status"].isin(["on_time", "late", "missing"])] if not comp.empty else comp
    missing = due[due["status"] == "missing"] if not due.empty else due
    if due.empty:
        components.note("Chưa có kỳ báo cáo nào đến hạn trong kỳ xem.")
    elif missing.empty:
        components.all_clear("Tất cả đơn vị đã nộp báo cáo các kỳ đến hạn.")
    else:
        latest = missing["period"].max()
        last = missing[missing["period"] == latest].sort_values("unit_name")
        st.caption(f"{label('compliance', 'missing')} kỳ {latest[5:7]}/{latest[:4]}: {len(last)} đơn vị")
        tables.table(
            last,
            {"unit_name": "Đơn vị", "group": "Khối", "period": "Kỳ"},
            kinds={"period": "period"},
            unit_link=("unit_code", "unit_name"),
            key="ov_missing",
            title="Đơn vị chưa nộp báo cáo",
        )

with right:
    st.markdown("**Khó khăn, vướng mắc chưa xử lý**")
    obs = data.obstacles(f, handled=False)
    if obs.empty:
        components.all_clear("Không có khó khăn, vướng mắc nào đang chờ xử lý.")
    else:
        tables.table(
            obs,
            {"unit_name": "Đơn vị", "period": "Kỳ", "task_code": "Mã NV", "text": "Nội dung"},
            kinds={"period": "period"},
            unit_link=("unit_code", "unit_name"),
            key="ov_obstacles",
            title="Khó khăn vướng mắc chưa xử lý",
        )
    st.page_link("pages/obstacles.py", label="Xem và đánh dấu đã xử lý", icon=":material/arrow_forward:")

st.subheader("Diễn biến")
a, b = st.columns(2)
with a:
    timeline = data.task_timeline(f)
    if timeline.empty:
        components.note("Chưa có nhiệm vụ trong kế hoạch.")
    else:
        status_key = timeline["status"].where(~timeline["overdue"].astype(bool), "overdue")
        counts = status_key.map(lambda k: label("status", k)).value_counts().rename_axis("status").reset_index(name="n")
        fig = charts.pie(
            counts,
            names="status",
            values="n",
            labels={"status": "Tình trạng", "n": "Số nhiệm vụ"},
            title="Nhiệm vụ theo tình trạng",
            color_map=theme.task_status_map(),
        )
        charts.show(fig, key="ov_status")
with b:
    by_period = data.propaganda_by_period(f)
    if by_period.empty:
        components.note("Chưa có số liệu tuyên truyền trong kỳ xem.")
    else:
        totals = by_period.groupby("period", as_index=False)[["quantity", "reach"]].sum()
        totals["period_label"] = totals["period"].map(lambda p: f"{p[5:7]}/{p[:4]}")
        totals = pd.DataFrame(totals)
        fig = charts.bar(
            totals,
            x="period_label",
            y="quantity",
            labels={"period_label": "Tháng", "quantity": "Số lượng (tin, bài, buổi)"},
            title="Tuyên truyền theo tháng",
            text_auto=",.0f",
        )
        fig.update_traces(marker_color=theme.SEQUENCE[0])
        fig.update_xaxes(type="category")
        charts.show(fig, key="ov_propaganda")
