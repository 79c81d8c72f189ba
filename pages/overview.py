"""Tổng quan: what is open today (whatever the period viewed), the period's headline figures with
honest comparisons, and the trend of the three measures."""

import streamlit as st

from ui import charts, components, data, filters, theme, trends
from ui.format import fmt_date, label

f = components.page_start("Tổng quan")

names = data.unit_names()

# What is open today: the period filter governs the figures below, not this to-do list.
components.now_block(f, names)

# ------------------------------------------------------------------ the period viewed
h = data.headline(f)
components.figure_cards(["done_share", "tasks_overdue", "propaganda_quantity", "attendance_rate", "on_time_share"], h)

# ------------------------------------------------------------------ trends of the three measures
tr = trends.trend_frame(f)
for col, key in zip(st.columns(3), ["done_share", "propaganda_quantity", "attendance_rate"], strict=True):
    with col:
        charts.show(trends.chart(tr, key, height=250), key=f"ov_trend_{key}")
components.range_status(h, filters.current_label())  # an open range: how many units have reported
open_note = trends.open_note(tr)
if open_note and not h.get("open"):
    st.caption(open_note)

# ------------------------------------------------------------------ tasks by status (the card's denominator)
timeline = data.task_timeline(f)
once = timeline[timeline["cadence"] == "once"] if not timeline.empty else timeline
if not once.empty:
    status_key = once["status"].where(~once["overdue"].astype(bool), "overdue")
    counts = status_key.map(lambda k: label("status", k)).value_counts().rename_axis("status").reset_index(name="n")
    left, right = st.columns([1, 2])
    with left:
        fig = charts.pie(
            counts,
            names="status",
            values="n",
            labels={"status": "Tình trạng", "n": "Số nhiệm vụ"},
            title=f"Nhiệm vụ thực hiện một lần theo tình trạng ({len(once)} nhiệm vụ)",
            color_map=theme.task_status_map(),
        )
        charts.show(fig, key="ov_status")
    with right:
        st.caption(
            f"Cùng mẫu số với thẻ «{trends.FIGURES['done_share'].label}»: {len(once)} nhiệm vụ thực hiện một lần; "
            f"{len(timeline) - len(once)} nhiệm vụ thường xuyên, khi phát sinh không tính. "
            f"Quá hạn tính đến ngày {fmt_date(h.get('as_of'))}."
        )
