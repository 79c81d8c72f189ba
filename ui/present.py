"""Trình chiếu: the review meeting's screens, read from the back of the hall.

Opened from any view with ``?trinh-chieu=1`` (the header's button adds it to the
current URL, so the filters and the page stay as they are); ``trang=N`` is the
screen shown. One subject per screen, in the order of the PowerPoint deck
(``exports.slides.SLIDE_TITLES``), then the points for the committee's decision.
No sidebar, no widget but the navigation bar; big, high-contrast type; the
period and the unit scope on every screen. Keys: ← → (and Page Up / Page Down,
which a presenter's clicker sends), Home / End; "Về bảng theo dõi" drops the two
URL keys and the dashboard comes back at the same page and filters.

Figures are the dashboard's own (``ui.figures`` / ``ui.charts`` with
``presentation=True``) from the same cached queries (``ui.data``).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pandas as pd
import streamlit as st

from exports import slides
from storage.queries import Filters
from ui import charts, components, data, figures, filters
from ui import context as view
from ui.format import fmt_date, fmt_datetime, fmt_int, fmt_percent, fmt_period_short, shorten

PARAM = "trinh-chieu"
SCREEN_PARAM = "trang"
TITLES = slides.SLIDE_TITLES
PROPOSALS_TITLE = "Đề xuất, kiến nghị"
NO_DATA = "Chưa có số liệu trong kỳ và phạm vi đã chọn."
MAX_ROWS = 6  # table rows that still read at 22 px on a 720-px-high screen
MAX_OBSTACLES = 4


def requested() -> bool:
    """True when the URL asks for the presentation mode."""
    return st.query_params.get(PARAM) == "1"


def _open() -> None:
    st.query_params[PARAM] = "1"
    st.query_params[SCREEN_PARAM] = "1"


def open_button(container=None) -> None:
    """The button that turns the current view (page and filters) into the meeting screens."""
    (container or st).button(
        "Trình chiếu",
        icon=":material/slideshow:",
        key="present_open",
        on_click=_open,
        help="Mở chế độ trình chiếu cho hội nghị với kỳ, khối và đơn vị đang chọn (← → hoặc Page Up/Page Down).",
    )


def _close() -> None:
    for key in (PARAM, SCREEN_PARAM):
        if key in st.query_params:
            del st.query_params[key]


# ---------------------------------------------------------------- screens


@dataclass(frozen=True)
class Screen:
    key: str
    title: str
    draw: Callable[[Filters, str], None]  # (filters, context line) -> draws into the stage


def _header(title: str, context: str, note: str | None = None) -> None:
    """The title and the period · scope line of a screen without a chart (a chart carries its own)."""
    extra = f"<div class='pres-note'>{html.escape(note)}</div>" if note else ""
    st.markdown(
        f"<div class='pres-head'><div class='pres-title'>{html.escape(title)}</div>"
        f"<div class='pres-context'>{html.escape(context)}</div>{extra}</div>",
        unsafe_allow_html=True,
    )


def _empty(title: str, context: str, message: str = NO_DATA) -> None:
    _header(title, context)
    st.markdown(f"<div class='pres-empty'>{html.escape(message)}</div>", unsafe_allow_html=True)


def _chart(fig, key: str, context: str) -> None:
    charts.show(fig, key=f"present_{key}", context=context, height="stretch")


def _cover(f: Filters, context: str) -> None:
    freshness = data.data_freshness()
    updated = f"Số liệu cập nhật đến {fmt_datetime(freshness)}" if freshness else "Chưa có báo cáo nào"
    st.markdown(
        "<div class='pres-cover'>"
        f"<div class='pres-ward'>{html.escape(components.WARD.upper())}</div>"
        f"<div class='pres-cover-title'>{html.escape(TITLES[0])}</div>"
        f"<div class='pres-cover-context'>{html.escape(context)}</div>"
        f"<div class='pres-cover-date'>{html.escape(updated)} · ngày xem {fmt_date(data.today())}</div>"
        "</div>",
        unsafe_allow_html=True,
    )


def _headline(f: Filters, context: str) -> None:
    h = data.headline(f)
    before = filters.previous(f)
    note = f"So với kỳ trước: {view.period_label(before)}" if before is not None else None
    _header(TITLES[1], context, note)
    cards = slides.headline_cards(h, h.get("previous") or {})
    cells = "".join(
        f"<div class='pres-card'><div class='pres-card-label'>{html.escape(label)}</div>"
        f"<div class='pres-card-value'>{html.escape(value)}</div>"
        f"<div class='pres-card-change'>{html.escape(change)}</div></div>"
        for label, value, change in cards
    )
    st.markdown(f"<div class='pres-cards'>{cells}</div>", unsafe_allow_html=True)


def task_counts(f: Filters) -> pd.DataFrame:
    """Units per task and status, counted as the deck counts them."""
    report = SimpleNamespace(tasks=data.task_timeline(f), extra={"task_unit_grid": data.task_unit_grid(f)})
    return slides.task_status_counts(report)  # type: ignore[arg-type]  # reads .tasks and .extra only


def _tasks(f: Filters, context: str) -> None:
    counts = task_counts(f)
    if counts.empty:
        _empty(TITLES[2], context)
        return
    _chart(figures.task_progress(counts, title=TITLES[2], presentation=True), "tasks", context)


def _table(headers: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    head = "".join(f"<th class='{'num' if i in numeric else ''}'>{html.escape(h)}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>"
        + "".join(f"<td class='{'num' if i in numeric else ''}'>{html.escape(v)}</td>" for i, v in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f"<table class='pres-table'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _overdue(f: Filters, context: str) -> None:
    od = data.overdue_tasks(f)
    if od.empty:
        _empty(TITLES[3], context, f"Không có nhiệm vụ quá hạn tính đến ngày {fmt_date(data.today())}.")
        return
    od = od.sort_values("days_overdue", ascending=False)
    _header(TITLES[3], context, f"{fmt_int(len(od))} nhiệm vụ quá hạn tính đến ngày {fmt_date(data.today())}")
    rows = [
        [str(r["task_code"]), shorten(r["task"], 90), fmt_date(r.get("due_date")), fmt_int(r.get("days_overdue"))]
        for r in od.head(MAX_ROWS).to_dict("records")
    ]
    st.markdown(_table(["Mã", "Nhiệm vụ", "Thời hạn", "Số ngày quá hạn"], rows, {3}), unsafe_allow_html=True)
    if len(od) > MAX_ROWS:
        st.markdown(
            f"<div class='pres-more'>… và {fmt_int(len(od) - MAX_ROWS)} nhiệm vụ khác.</div>", unsafe_allow_html=True
        )


def _channel(f: Filters, context: str) -> None:
    ch = data.propaganda_by_channel(f)
    if ch.empty:
        _empty(TITLES[4], context)
        return
    fig = figures.propaganda_by_channel(ch, title=TITLES[4], presentation=True)
    total = int(pd.to_numeric(ch["quantity"], errors="coerce").fillna(0).sum())
    _corner(fig, f"Tổng cộng: {fmt_int(total)}")
    _chart(fig, "channel", context)


def _corner(fig, text: str) -> None:
    """A key figure just above the plot, on the right (``charts.titled`` makes room for it)."""
    fig.add_annotation(
        text=f"<b>{html.escape(text)}</b>",
        xref="paper",
        yref="paper",
        x=1,
        y=1,
        xanchor="right",
        yanchor="bottom",
        yshift=4,
        showarrow=False,
        font={"size": charts.scale(True).context, "color": charts.TEXT_COLOR},
    )


def _over_time(f: Filters, context: str) -> None:
    pp = data.propaganda_by_period(f)
    if pp.empty:
        _empty(TITLES[5], context)
        return
    _chart(figures.propaganda_per_month(pp, title=TITLES[5], presentation=True), "period", context)


def _attendance(f: Filters, context: str) -> None:
    g = data.attendance_by_group(f)
    if g.empty:
        _empty(TITLES[6], context)
        return
    fig = figures.attendance_rate_by_group(g, title=TITLES[6], presentation=True)
    h = data.headline(f)
    invited, present = h.get("attendance_invited"), h.get("attendance_present")
    _corner(fig, f"Chung: {fmt_int(present)}/{fmt_int(invited)} có mặt ({fmt_percent(h.get('attendance_rate'))})")
    _chart(fig, "attendance", context)


def _compliance(f: Filters, context: str) -> None:
    comp = data.compliance(f)
    if comp.empty:
        _empty(TITLES[7], context)
        return
    _chart(figures.compliance_per_month(comp, title=TITLES[7], presentation=True), "compliance", context)


def _obstacles(f: Filters, context: str) -> None:
    ob = data.obstacles(f)
    if ob.empty:
        _empty(TITLES[8], context, "Các đơn vị không nêu khó khăn, vướng mắc trong kỳ và phạm vi đã chọn.")
        return
    ob = ob.assign(open=~ob["handled"].fillna(False).astype(bool))
    ob = ob.sort_values(["open", "period"], ascending=[False, False])
    n_open = int(ob["open"].sum())
    _header(TITLES[8], context, f"{fmt_int(len(ob))} nội dung, {fmt_int(n_open)} chưa xử lý")
    items = []
    for r in ob.head(MAX_OBSTACLES).to_dict("records"):
        task = f" ({r['task_code']})" if r.get("task_code") else ""
        state = "" if r["open"] else " <span class='pres-done'>(đã xử lý)</span>"
        items.append(
            f"<li><b>{html.escape(str(r['unit_name']))}{html.escape(task)}, {fmt_period_short(r['period'])}:</b> "
            f"{html.escape(shorten(r['text'], 150))}{state}</li>"
        )
    more = (
        f"<div class='pres-more'>… và {fmt_int(len(ob) - MAX_OBSTACLES)} nội dung khác.</div>"
        if len(ob) > MAX_OBSTACLES
        else ""
    )
    st.markdown(f"<ul class='pres-list'>{''.join(items)}</ul>{more}", unsafe_allow_html=True)


def proposals(f: Filters) -> list[str]:
    """What the figures put to the committee: overdue tasks to urge, units to remind,
    raised difficulties still unanswered. Only counts and names from the queries."""
    items = []
    od = data.overdue_tasks(f)
    if not od.empty:
        codes = ", ".join(od.sort_values("days_overdue", ascending=False)["task_code"].astype(str).head(6))
        more = "…" if len(od) > 6 else ""
        items.append(f"Đôn đốc {fmt_int(len(od))} nhiệm vụ quá hạn ({codes}{more}).")
    comp = data.compliance(f)
    missing = comp[comp["status"] == "missing"] if not comp.empty else comp
    if not missing.empty:
        latest = str(missing["period"].max())
        n_latest = int((missing["period"] == latest).sum())
        items.append(f"Nhắc {fmt_int(n_latest)} đơn vị chưa nộp báo cáo tháng {fmt_period_short(latest)}.")
    ob = data.obstacles(f, handled=False)
    if not ob.empty:
        items.append(f"Cho ý kiến chỉ đạo {fmt_int(len(ob))} khó khăn, vướng mắc các đơn vị nêu chưa được xử lý.")
    return items


def _proposals(f: Filters, context: str) -> None:
    items = proposals(f)
    _header(PROPOSALS_TITLE, context, "Những việc cần Ban Thường vụ cho ý kiến, rút ra từ số liệu")
    if not items:
        st.markdown(
            "<div class='pres-empty'>Không có việc tồn đọng cần cho ý kiến trong kỳ và phạm vi đã chọn.</div>",
            unsafe_allow_html=True,
        )
        return
    lis = "".join(f"<li>{html.escape(t)}</li>" for t in items)
    st.markdown(f"<ul class='pres-list pres-proposals'>{lis}</ul>", unsafe_allow_html=True)


SCREENS: tuple[Screen, ...] = (
    Screen("cover", TITLES[0], _cover),
    Screen("headline", TITLES[1], _headline),
    Screen("tasks", TITLES[2], _tasks),
    Screen("overdue", TITLES[3], _overdue),
    Screen("channel", TITLES[4], _channel),
    Screen("period", TITLES[5], _over_time),
    Screen("attendance", TITLES[6], _attendance),
    Screen("compliance", TITLES[7], _compliance),
    Screen("obstacles", TITLES[8], _obstacles),
    Screen("proposals", PROPOSALS_TITLE, _proposals),
)


# ---------------------------------------------------------------- page


def current_index() -> int:
    """0-based index of the screen in the URL (``trang`` is 1-based), kept in range."""
    try:
        n = int(st.query_params.get(SCREEN_PARAM, "1"))
    except ValueError:
        n = 1
    return min(max(n, 1), len(SCREENS)) - 1


def _go(index: int) -> None:
    st.query_params[SCREEN_PARAM] = str(min(max(index, 0), len(SCREENS) - 1) + 1)


CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
.stApp, [data-testid="stMain"] { background: #ffffff; }
[data-testid="stMainBlockContainer"] { padding: 10px 28px 0 28px !important; max-width: none !important; }
div.st-key-present-stage { height: calc(100vh - 92px) !important; overflow: hidden; flex: 0 0 auto !important; }
.st-key-present-hidden { display: none !important; }
.st-key-present-nav { border-top: 2px solid #C9D1D9; padding-top: 6px; }
.st-key-present-nav button p { font-size: 20px; }
.pres-counter { font-size: 20px; color: #39424C; white-space: nowrap; }
.pres-head { padding: 0 0 8px 10px; }
.pres-title { font-size: 44px; font-weight: 700; line-height: 1.2; color: #111418; }
.pres-context { font-size: 28px; line-height: 1.35; color: #39424C; }
.pres-note { font-size: clamp(22px, 3vh, 32px); line-height: 1.35; color: #111418; margin-top: 4px; }
.pres-empty { font-size: 32px; color: #39424C; text-align: center; margin-top: 12vh; }
.pres-cards { display: grid; grid-template-columns: repeat(3, 1fr); gap: 2vh 16px; padding: 0 10px; }
.pres-card { border: 2px solid #C9D1D9; border-radius: 10px; padding: 1.4vh 16px; background: #F5F7FA; text-align: center; }
.pres-card-label { font-size: clamp(24px, 3.3vh, 40px); font-weight: 700; color: #1F3A5F; text-align: left; }
.pres-card-value { font-size: clamp(56px, 10vh, 120px); font-weight: 700; line-height: 1.1; color: #B3261E; }
.pres-card-change { font-size: clamp(22px, 2.9vh, 34px); color: #111418; }
.pres-table { width: 100%; border-collapse: collapse; font-size: clamp(22px, 3.1vh, 34px); color: #111418; margin-left: 10px; }
.pres-table th { text-align: left; border-bottom: 3px solid #111418; padding: 4px 12px; font-weight: 700; }
.pres-table td { border-bottom: 1px solid #C9D1D9; padding: 5px 12px; vertical-align: top; line-height: 1.25; }
.pres-table .num { text-align: right; white-space: nowrap; }
.pres-table td:first-child, .pres-table td:nth-child(3) { white-space: nowrap; }
.pres-more { font-size: 22px; color: #39424C; padding: 6px 10px; }
.pres-list { padding-left: 48px; margin: 0; }
.pres-list li { font-size: clamp(24px, 3.4vh, 38px) !important; line-height: 1.35; color: #111418; margin-bottom: 12px; }
.pres-proposals li { font-size: clamp(28px, 4vh, 44px) !important; }
.pres-done { color: #2E7D4F; }
.pres-cover { text-align: center; padding-top: 8vh; }
.pres-ward { font-size: 30px; font-weight: 700; color: #1F3A5F; }
.pres-cover-title { font-size: clamp(44px, 6.5vh, 64px); font-weight: 700; color: #B3261E; line-height: 1.2; margin: 5vh 4vw; }
.pres-cover-context { font-size: 34px; color: #111418; }
.pres-cover-date { font-size: 24px; color: #39424C; margin-top: 3vh; }
</style>
"""


def run() -> None:
    """Draw the current screen and the navigation bar (the sidebar's filters were drawn, hidden)."""
    st.html(CSS)
    f = filters.current()
    context = view.line(f)
    index = current_index()
    screen = SCREENS[index]
    with st.container(key="present-stage"):
        screen.draw(f, context)
    last = len(SCREENS) - 1
    with st.container(key="present-nav", horizontal=True, vertical_alignment="center", gap="medium"):
        st.button(
            "Trước", icon=":material/arrow_back:", key="present_prev", shortcut="Left",
            on_click=_go, args=(index - 1,), disabled=index == 0,
        )  # fmt: skip
        st.button(
            "Sau", icon=":material/arrow_forward:", icon_position="right", key="present_next", shortcut="Right",
            on_click=_go, args=(index + 1,), disabled=index == last, type="primary",
        )  # fmt: skip
        st.markdown(
            f"<span class='pres-counter'>Trang {index + 1}/{len(SCREENS)}</span>",
            unsafe_allow_html=True,
            width="stretch",
        )
        st.button("Về bảng theo dõi", icon=":material/close:", key="present_close", on_click=_close)
    # A presenter's clicker sends Page Up / Page Down; Home / End jump to the ends.
    with st.container(key="present-hidden"):
        st.button("Trang trước", key="present_pgup", shortcut="PageUp", on_click=_go, args=(index - 1,))
        st.button("Trang sau", key="present_pgdn", shortcut="PageDown", on_click=_go, args=(index + 1,))
        st.button("Trang đầu", key="present_home", shortcut="Home", on_click=_go, args=(0,))
        st.button("Trang cuối", key="present_end", shortcut="End", on_click=_go, args=(last,))
