"""Tiến độ nhiệm vụ: every plan task against its due date, status by unit, overdue list,
ongoing tasks judged per period."""

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui import charts, components, data, tables, theme, trends
from ui.format import fmt_date, fmt_period_short, label, lead_label, shorten
from ui.task_names import code_and_name, task_names, with_task_name

f = components.page_start("Tiến độ nhiệm vụ")
today = data.today()

names = data.unit_names()
timeline = data.task_timeline(f)
components.stop_if_empty(timeline, "Kế hoạch chưa có nhiệm vụ nào trong cơ sở dữ liệu.")

# ------------------------------------------------------------------ timeline
range_start = date.fromisoformat(f"{f.period_from}-01") if f.period_from else today.replace(day=1)
range_end = (pd.Timestamp(f"{f.period_to}-01") + pd.offsets.MonthEnd(0)).date() if f.period_to else today
plan = timeline.copy()
plan["status_key"] = plan["status"].where(~plan["overdue"].astype(bool), "overdue")
plan["Tình trạng"] = plan["status_key"].map(lambda k: label("status", k))
plan["Nhiệm vụ"] = [f"{c} · {shorten(t, 40)}" for c, t in zip(plan["task_code"], plan["task"], strict=False)]
plan["Chủ trì"] = [lead_label(v, names) for v in plan["lead"]]
plan["Thời hạn"] = [fmt_date(d) or label("cadence", c) for d, c in zip(plan["due_date"], plan["cadence"], strict=False)]
plan["Đơn vị hoàn thành"] = [
    f"{int(d)}/{int(a)}" for d, a in zip(plan["units_done"], plan["units_assigned"], strict=False)
]
due = pd.to_datetime(plan["due_date"], errors="coerce")
start = pd.Timestamp(min(range_start, today.replace(day=1)))
plan["start"] = [min(start, d - pd.Timedelta(days=14)) if pd.notna(d) else start for d in due]
plan["end"] = [d if pd.notna(d) else pd.Timestamp(range_end) for d in due]

st.subheader("Nhiệm vụ theo thời hạn")
st.caption(
    "Mỗi thanh kết thúc ở thời hạn của nhiệm vụ; nhiệm vụ thường xuyên, khi phát sinh kéo dài đến hết kỳ xem. "
    "Màu theo tình trạng."
)
fig = charts.timeline(
    plan,
    start="start",
    end="end",
    y="Nhiệm vụ",
    status="Tình trạng",
    color_map=theme.task_status_map(),
    order=theme.task_status_labels(),
    labels={"start": "Bắt đầu", "end": "Thời hạn"},
    hover=["Chủ trì", "Thời hạn", "Đơn vị hoàn thành"],
    today=today,
)
fig.update_traces(
    hovertemplate="<b>%{y}</b><br>Chủ trì: %{customdata[0]}<br>Thời hạn: %{customdata[1]}"
    "<br>Đơn vị hoàn thành: %{customdata[2]}<extra></extra>"
)
charts.show(fig, key="tasks_timeline", title="Nhiệm vụ theo thời hạn")

# ------------------------------------------------------------------ overdue list
st.subheader("Nhiệm vụ quá hạn")
components.overdue_table(f, names, key="tasks_overdue", with_status=True)

# ------------------------------------------------------------------ units x tasks
st.subheader("Tình trạng theo đơn vị")
grid = data.task_unit_grid(f)
if grid.empty:
    components.note("Chưa có đơn vị nào báo cáo tiến độ nhiệm vụ (Biểu 01) trong kỳ xem.")
else:
    latest = grid.drop_duplicates(["task_code", "unit_code"]).copy()
    latest["Tình trạng"] = latest["status"].fillna("no_report").map(lambda k: label("status", k))
    latest["Đơn vị"] = latest["unit_name"]
    latest["Kỳ"] = latest["period"].map(fmt_period_short)
    tnames = task_names(f)
    latest = with_task_name(latest, tnames)
    latest["Tên nhiệm vụ"] = [code_and_name(c, tnames, 60) for c in latest["task_code"]]
    fig = charts.status_grid(
        latest,
        x="task_code",
        y="Đơn vị",
        status="Tình trạng",
        color_map=theme.task_status_map(),
        order=theme.task_status_labels(),
        labels={"task_code": "Nhiệm vụ", "percent": "Tỷ lệ hoàn thành (%)"},
        hover=["Tên nhiệm vụ", "Kỳ", "percent"],
        x_order=sorted(latest["task_code"].unique()),
    )
    charts.mark_not_reported(fig, label("status", "no_report"))
    charts.show(fig, key="tasks_grid", title="Tình trạng nhiệm vụ theo đơn vị")
    st.caption(
        f"Ô viền, không tô màu: đơn vị được giao nhưng {label('status', 'no_report').lower()}; "
        "ô trống: đơn vị không được giao nhiệm vụ đó."
    )
    table_frame = latest.assign(status_label=latest["Tình trạng"])
    tables.table(
        table_frame,
        {
            "unit_name": "Đơn vị",
            "task_code": "Mã nhiệm vụ",
            "task": "Nhiệm vụ",
            "status_label": "Tình trạng",
            "percent": "Tỷ lệ hoàn thành (%)",
            "period": "Kỳ báo cáo gần nhất",
        },
        kinds={"percent": "num1", "period": "period"},
        unit_link=("unit_code", "unit_name"),
        key="tasks_grid_table",
        title="Tình trạng nhiệm vụ theo đơn vị",
        height=320,
    )

# ------------------------------------------------------------------ ongoing tasks
st.subheader("Nhiệm vụ thường xuyên theo kỳ")
st.caption("Một đơn vị được tính là có hoạt động trong kỳ khi báo cáo có thực hiện nhiệm vụ thường xuyên đó.")
# over time: the 12 months (at least) ending at the chosen period; months before the first report are blank
window_months = trends.months_of(f)
first_month = (data.list_periods() or [window_months[0]])[0]
ongoing_all = data.ongoing_activity(trends.month_filters(f))
ongoing = ongoing_all[ongoing_all["period"] >= first_month] if not ongoing_all.empty else ongoing_all
if ongoing.empty:
    components.note("Chưa có số liệu về nhiệm vụ thường xuyên trong kỳ xem.")
else:
    ongoing = ongoing.assign(active=ongoing["active"].astype(bool))
    share = ongoing.groupby(["task_code", "period"], as_index=False)["active"].mean()
    share["Kỳ"] = share["period"].map(fmt_period_short)
    share["Tỷ lệ"] = share["active"] * 100
    pivot = share.pivot(index="task_code", columns="Kỳ", values="Tỷ lệ")
    pivot = pivot.reindex(columns=[fmt_period_short(m) for m in window_months])
    heat = go.Figure(
        go.Heatmap(
            z=pivot.values,
            x=list(pivot.columns),
            y=list(pivot.index),
            zmin=0,
            zmax=100,
            colorscale=[
                [0, theme.COMPLIANCE_COLORS["missing"]],
                [0.5, "#F6D28B"],
                [1, theme.TASK_STATUS_COLORS["done"]],
            ],
            colorbar={"title": "% đơn vị", "ticksuffix": "%"},
            texttemplate="%{z:.0f}%",
            customdata=[[charts.plain(code_and_name(c, task_names(f), 70))] * len(pivot.columns) for c in pivot.index],
            hovertemplate="%{customdata}<br>Kỳ %{x}: %{z:.1f}% đơn vị có hoạt động<extra></extra>",
        )
    )
    heat.update_xaxes(type="category", title=None)
    heat.update_yaxes(type="category", autorange="reversed", title=None)
    charts.style(heat, "Tỷ lệ đơn vị được giao có hoạt động", height=max(280, 90 + 34 * len(pivot)), legend=False)
    trends.highlight(heat, list(pivot.columns), [fmt_period_short(m) for m in trends.selected_months(f, window_months)])
    heat.update_traces(xgap=2)
    charts.show(heat, key="tasks_ongoing")

    chosen = ongoing[ongoing["period"].isin(trends.selected_months(f, window_months))]
    last_period = chosen["period"].max() if not chosen.empty else ongoing["period"].max()
    idle = ongoing[(ongoing["period"] == last_period) & (~ongoing["active"])].copy()
    if not idle.empty:
        idle["unit_name"] = idle["unit_code"].map(lambda c: names.get(c, c))
        idle = with_task_name(idle, task_names(f))
        st.markdown(f"**Đơn vị chưa có hoạt động kỳ {fmt_period_short(last_period)}**")
        tables.table(
            idle,
            {"task_code": "Mã nhiệm vụ", "task": "Nhiệm vụ", "unit_name": "Đơn vị", "period": "Kỳ"},
            kinds={"period": "period"},
            unit_link=("unit_code", "unit_name"),
            key="tasks_idle",
            title="Đơn vị chưa có hoạt động",
            height=300,
        )
