"""Tham dự: per event invited against present, rate by participant group and by unit,
excused vs unexcused absence, the events with the lowest attendance."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui import charts, components, data, figures, filters, tables, theme, trends
from ui.format import fmt_date, fmt_int, label, shorten

f = components.page_start("Tham dự hội nghị, học tập quán triệt")

events = data.attendance_events(f)
components.stop_if_empty(events)

h = data.headline(f)
components.range_status(h, filters.current_label())
absent_excused = int(pd.to_numeric(events["absent_excused"], errors="coerce").fillna(0).sum())
absent_unexcused = int(pd.to_numeric(events["absent_unexcused"], errors="coerce").fillna(0).sum())
c1, c2, c3, c4, c5 = st.columns(5)
components.figure_card(c1, "attendance_invited", h)
components.figure_card(c2, "attendance_present", h)
components.figure_card(c3, "attendance_rate", h)
c4.metric("Vắng có lý do", fmt_int(absent_excused), border=True)
c5.metric("Vắng không lý do", fmt_int(absent_unexcused), border=True)

# ------------------------------------------------------------------ over time
tr = trends.trend_frame(f)
charts.show(trends.chart(tr, "attendance_rate"), key="att_trend")
open_note = trends.open_note(tr)
if open_note:
    st.caption(open_note)

# ------------------------------------------------------------------ per meeting
# one bar per meeting: the unit that held it, the meeting, its date (18 cell meetings with the
# same name are 18 meetings, not one)
ev = events.assign(event_name=events["event"].astype(str).str.strip(), date_text=events["event_date"].map(fmt_date))
per_event = (
    ev.groupby(["unit_code", "unit_name", "event_name", "date_text"], as_index=False, dropna=False)
    .agg(invited=("invited", "sum"), present=("present", "sum"), first=("event_date", "min"))
    .sort_values(["first", "unit_name"], na_position="last")
)
per_event["event_key"] = [
    charts.plain(f"{u} · {shorten(e, 48)}" + (f" ({d})" if d else ""))
    for u, e, d in zip(per_event["unit_name"], per_event["event_name"], per_event["date_text"], strict=False)
]
fig = go.Figure()
fig.add_bar(
    y=per_event["event_key"],
    x=per_event["invited"],
    name=trends.FIGURES["attendance_invited"].label,
    orientation="h",
    marker_color=trends.FIGURES["attendance_invited"].color,
)
fig.add_bar(
    y=per_event["event_key"],
    x=per_event["present"],
    name=trends.FIGURES["attendance_present"].label,
    orientation="h",
    marker_color=trends.FIGURES["attendance_present"].color,
)
fig.update_layout(barmode="overlay")
fig.update_yaxes(autorange="reversed", type="category")
charts.style(
    fig,
    f"Được triệu tập và có mặt theo hội nghị ({len(per_event)} hội nghị, buổi học tập)",
    height=charts.horizontal_height(len(per_event), 26),
)
charts.show(fig, key="att_events")

# ------------------------------------------------------------------ by participant group
left, right = st.columns(2)
by_group = data.attendance_by_group(f)
by_group = by_group.assign(
    **{"Thành phần": by_group["participant_group"].map(lambda k: label("participant_group", k) or "Không ghi")}
)
with left:
    charts.show(figures.attendance_rate_by_group(by_group), key="att_group_rate")
with right:
    absent = by_group.melt(
        id_vars=["Thành phần"], value_vars=["absent_excused", "absent_unexcused"], var_name="kind", value_name="n"
    )
    absent["Loại vắng"] = absent["kind"].map({"absent_excused": "Có lý do", "absent_unexcused": "Không lý do"})
    fig = charts.bar(
        absent,
        x="n",
        y="Thành phần",
        color="Loại vắng",
        orientation="h",
        labels={"n": "Số người vắng"},
        title="Vắng có lý do và không lý do",
        color_map={"Có lý do": theme.EXCUSED_COLOR, "Không lý do": theme.UNEXCUSED_COLOR},
        height=charts.horizontal_height(len(by_group), 44),
    )
    charts.show(fig, key="att_absent")

# ------------------------------------------------------------------ by unit
by_unit = data.attendance_by_unit(f).sort_values("rate")
fig = charts.rate_bars(
    by_unit.rename(columns={"unit_name": "Đơn vị"}),
    rate="rate",
    y="Đơn vị",
    title="Tỷ lệ tham dự theo đơn vị tổ chức",
    color=trends.FIGURES["attendance_rate"].color,
    per_row=26,
)
charts.show(fig, key="att_unit")

# ------------------------------------------------------------------ tables
st.subheader("Hội nghị có tỷ lệ tham dự thấp nhất")
lowest = events.sort_values("rate").head(10)
# the figures that matter first (rate and absences are visible at 1440 px), the long texts last
event_cols = {
    "event": "Hội nghị, buổi học tập",
    "event_date": "Ngày",
    "invited": "Triệu tập",
    "present": "Có mặt",
    "rate": "Tỷ lệ",
    "absent_excused": "Vắng có lý do",
    "absent_unexcused": "Vắng không lý do",
    "unit_name": "Đơn vị báo cáo",
    "group_label": "Thành phần",
}
event_kinds = {
    "event_date": "date",
    "invited": "int",
    "present": "int",
    "absent_excused": "int",
    "absent_unexcused": "int",
    "rate": "pct",
}


def _with_labels(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(group_label=frame["group"].map(lambda k: label("participant_group", k)))


tables.table(
    _with_labels(lowest),
    event_cols,
    kinds=event_kinds,
    unit_link=("unit_code", "unit_name"),
    key="att_lowest",
    title="Hội nghị tỷ lệ tham dự thấp nhất",
)
st.subheader("Tất cả hội nghị, buổi học tập")
tables.table(
    _with_labels(events.sort_values("event_date")),
    event_cols,
    kinds=event_kinds,
    unit_link=("unit_code", "unit_name"),
    key="att_all",
    title="Tham dự hội nghị",
)
