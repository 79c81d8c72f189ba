"""Khó khăn, vướng mắc: everything units raised (unit, period, task), filterable,
marked as handled by the office."""

import streamlit as st

from ui import auth, charts, components, data, tables, theme
from ui.format import fmt_datetime, fmt_period_short

f = components.page_start("Khó khăn, vướng mắc")

# Only the office marks obstacles handled; the actor is the logged-in account (ui/data.py).
CAN_EDIT = bool(auth.current() and auth.current().is_office)
SHOW = {"open": "Chưa xử lý", "handled": "Đã xử lý", "all": "Tất cả"}

all_obs = data.obstacles(f)
components.stop_if_empty(all_obs, "Các đơn vị chưa nêu khó khăn, vướng mắc nào trong kỳ xem.")

open_count = int((~all_obs["handled"].astype(bool)).sum())
c1, c2, c3 = st.columns(3)
c1.metric("Khó khăn, vướng mắc đã nêu", f"{len(all_obs)}", border=True)
c2.metric("Chưa xử lý", f"{open_count}", border=True)
c3.metric("Đã xử lý", f"{len(all_obs) - open_count}", border=True)

a, b, c = st.columns([1, 1, 2])
show = a.segmented_control("Hiển thị", list(SHOW), format_func=SHOW.get, default="open", key="obs_show")
tasks = sorted(t for t in all_obs["task_code"].dropna().astype(str).unique() if t)
task = b.selectbox("Nhiệm vụ", ["", *tasks], format_func=lambda t: t or "Tất cả nhiệm vụ", key="obs_task")
query = c.text_input("Tìm trong nội dung", key="obs_query", placeholder="Gõ từ cần tìm…")

shown = all_obs
if show == "open":
    shown = shown[~shown["handled"].astype(bool)]
elif show == "handled":
    shown = shown[shown["handled"].astype(bool)]
if task:
    shown = shown[shown["task_code"].astype(str) == task]
if query.strip():
    shown = shown[shown["text"].astype(str).str.contains(query.strip(), case=False, regex=False)]
shown = shown.sort_values(["period", "unit_name"], ascending=[False, True]).reset_index(drop=True)

EDITOR_VERSION = "obs_editor_version"
st.session_state.setdefault(EDITOR_VERSION, 0)
editor_key = f"obs_editor_{st.session_state[EDITOR_VERSION]}"


def _last_change(frame) -> list[str]:
    """ "Đã xử lý · Nguyễn Văn A · 02/12/2026 10:15" or "Bỏ đánh dấu · …": who changed the mark last, and when."""
    out = []
    for handled, by, at in zip(frame["handled"], frame["handled_by"], frame["handled_at"], strict=True):
        if at is None or at != at:
            out.append("")
            continue
        what = "Đã xử lý" if bool(handled) else "Bỏ đánh dấu"
        out.append(" · ".join(x for x in (what, str(by or ""), fmt_datetime(at)) if x))
    return out


def _save_changes(ids: list[int]) -> None:
    """Write the ticked/unticked rows through storage, then start a fresh editor."""
    edits = st.session_state.get(editor_key, {}).get("edited_rows", {})
    for row, change in edits.items():
        if "handled" in change:
            data.set_obstacle_handled(int(ids[int(row)]), bool(change["handled"]))
    st.session_state[EDITOR_VERSION] += 1


if shown.empty:
    components.note("Không có khó khăn, vướng mắc nào khớp với lựa chọn.")
else:
    editable = shown.assign(period_label=shown["period"].map(fmt_period_short), changed=_last_change(shown))[
        ["handled", "unit_name", "period_label", "task_code", "task", "text", "changed"]
    ]
    editable["handled"] = editable["handled"].astype(bool)
    st.caption(
        "Đánh dấu ô «Đã xử lý» khi Văn phòng Đảng ủy đã xử lý hoặc trả lời đơn vị. Đánh dấu nhầm thì bỏ dấu "
        "(chọn Hiển thị «Đã xử lý» hoặc «Tất cả»): người bỏ dấu và thời điểm được ghi lại."
    )
    st.data_editor(
        editable,
        key=editor_key,
        hide_index=True,
        width="stretch",
        disabled=["unit_name", "period_label", "task_code", "task", "text", "changed"] if CAN_EDIT else True,
        column_config={
            "handled": st.column_config.CheckboxColumn("Đã xử lý"),
            "unit_name": st.column_config.TextColumn("Đơn vị"),
            "period_label": st.column_config.TextColumn("Kỳ"),
            "task_code": st.column_config.TextColumn("Mã NV", width="small"),
            "task": st.column_config.TextColumn("Nhiệm vụ"),
            "text": st.column_config.TextColumn("Khó khăn, vướng mắc", width="large"),
            "changed": st.column_config.TextColumn("Cập nhật lần cuối"),
        },
        on_change=_save_changes if CAN_EDIT else None,
        args=(shown["id"].tolist(),) if CAN_EDIT else None,
    )
    tables.downloads(
        shown.assign(
            period=shown["period"].map(fmt_period_short),
            handled=shown["handled"].astype(bool).map({True: "Đã xử lý", False: "Chưa xử lý"}),
        )[["unit_name", "period", "task_code", "task", "text", "handled"]].rename(
            columns={
                "unit_name": "Đơn vị",
                "period": "Kỳ",
                "task_code": "Mã nhiệm vụ",
                "task": "Nhiệm vụ",
                "text": "Khó khăn, vướng mắc",
                "handled": "Tình trạng xử lý",
            }
        ),
        "Khó khăn vướng mắc",
        "obs",
    )

per_unit = (
    all_obs.assign(state=all_obs["handled"].astype(bool).map({True: "Đã xử lý", False: "Chưa xử lý"}))
    .groupby(["unit_name", "state"], as_index=False)
    .size()
)
fig = charts.bar(
    per_unit.rename(columns={"unit_name": "Đơn vị", "state": "Tình trạng xử lý"}),
    x="size",
    y="Đơn vị",
    color="Tình trạng xử lý",
    orientation="h",
    labels={"size": "Số khó khăn, vướng mắc"},
    title="Theo đơn vị",
    color_map={"Đã xử lý": theme.TASK_STATUS_COLORS["done"], "Chưa xử lý": theme.TASK_STATUS_COLORS["overdue"]},
    height=charts.horizontal_height(per_unit["unit_name"].nunique(), 30),
)
charts.integer_axis(fig, float(per_unit.groupby("unit_name")["size"].sum().max()))
charts.show(fig, key="obs_units")
