"""Small shared pieces: header, empty states, metrics with deltas, unit links."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from loaders.settings import DEFAULTS
from storage.figures import AGAINST, FIGURES, NO_PREVIOUS, as_of, compare, coverage_text, help_text
from storage.queries import Filters
from ui import data, filters, tables
from ui.format import (
    fmt_date,
    fmt_datetime,
    fmt_number,
    fmt_percent,
    fmt_period_short,
    fmt_signed,
    label,
    lead_label,
    shorten,
)

WARD = DEFAULTS.committee  # the ward's Party Committee (loaders.settings)
PLAN = "Quán triệt, tuyên truyền Nghị quyết 05-NQ/TU"
UPLOAD_PAGE = "pages/upload.py"
UNIT_PAGE = "pages/unit.py"

NO_DATA = "Chưa có báo cáo nào. Vào trang Gửi báo cáo để tải mẫu và gửi báo cáo đầu tiên."
NO_DATA_IN_RANGE = "Không có số liệu trong kỳ và phạm vi đã chọn. Hãy chọn kỳ khác hoặc bỏ bớt bộ lọc ở thanh bên."


def header(freshness, presentable: bool = False) -> None:
    """Ward and plan on the left, data freshness on the right (``presentable``: with the
    button that shows this view as meeting screens)."""
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    left.markdown(f"#### {WARD}  \n<span style='color:#5b6770'>{PLAN}</span>", unsafe_allow_html=True)
    if freshness is None:
        right.markdown("<div style='text-align:right;color:#5b6770'>Chưa có báo cáo nào</div>", unsafe_allow_html=True)
    else:
        right.markdown(
            f"<div style='text-align:right;color:#5b6770'>Số liệu cập nhật đến: <b>{fmt_datetime(freshness)}</b></div>",
            unsafe_allow_html=True,
        )
    if presentable:
        from ui import present  # noqa: PLC0415 - present draws with this module's pieces

        with right.container(horizontal=True, horizontal_alignment="right"):
            present.open_button()


def page_title(title: str) -> None:
    from ui import auth

    auth.require("office", "leader")  # ward-wide pages: never without the login gate, never for unit staff
    label = filters.current_label()
    st.title(title)
    if label:
        st.caption(f"Kỳ xem: {label}")


def empty_state(message: str = NO_DATA, upload_link: bool = True) -> None:
    st.info(message, icon=":material/info:")
    if upload_link:
        try:
            st.page_link(UPLOAD_PAGE, label="Gửi báo cáo", icon=":material/upload_file:")
        except Exception:  # the upload page is not registered (file missing)
            pass


def page_start(title: str) -> Filters:
    """Show the page's title and return the sidebar's filters; while no report is
    stored at all, show the empty state and stop the page there."""
    page_title(title)
    f = filters.current()
    if not data.list_periods():
        empty_state()
        st.stop()
    return f


def stop_if_empty(frame: pd.DataFrame, message: str = NO_DATA_IN_RANGE) -> None:
    """Stop the page with ``message`` (no upload link) when ``frame`` has no rows."""
    if frame.empty:
        empty_state(message, upload_link=False)
        st.stop()


def note(message: str) -> None:
    """A neutral remark where a chart or table has nothing to show."""
    st.info(message, icon=":material/info:")


def all_clear(message: str) -> None:
    """Good news where a list of things needing attention is empty."""
    st.success(message, icon=":material/check_circle:")


def overdue_table(f: Filters, names: dict[str, str], *, key: str, with_status: bool = False) -> None:
    """The plan tasks past their due date and not done, as of the range's last day (today when the
    range has not ended), or a line saying there are none."""
    st.caption(f"Tính đến ngày {fmt_date(as_of(f.period_to, data.today()))} (cuối kỳ xem, hoặc hôm nay).")
    overdue = data.overdue_tasks(f)
    if overdue.empty:
        all_clear("Không có nhiệm vụ quá hạn.")
        return
    columns = {
        "task_code": "Mã",
        "task": "Nhiệm vụ",
        "lead_name": "Đơn vị chủ trì",
        "due_date": "Thời hạn",
        "days_overdue": "Số ngày quá hạn",
    }
    shown = overdue.assign(lead_name=[lead_label(v, names) for v in overdue["lead"]])
    if with_status:
        shown = shown.assign(status_label=shown["status"].map(lambda k: label("status", k)))
        columns["status_label"] = "Tình trạng báo cáo"
    tables.table(
        shown,
        columns,
        kinds={"due_date": "date", "days_overdue": "int"},
        key=key,
        title="Nhiệm vụ quá hạn",
    )


def metric_count(col, label: str, current, previous, *, inverse: bool = False, help: str | None = None) -> None:
    """A count with its change (prefer ``figure_card``, which also knows when not to compare)."""
    delta = None
    if previous is not None and current is not None:
        delta = fmt_signed(float(current) - float(previous))
    zero = delta == ""
    col.metric(
        label,
        fmt_number(current),
        delta="0" if zero else delta,
        delta_color="off" if zero else ("inverse" if inverse else "normal"),
        help=help,
        border=True,
    )


def metric_share(col, label: str, current, previous, *, help: str | None = None) -> None:
    """A share with its change in points (prefer ``figure_card``)."""
    delta = None
    if previous is not None and current is not None:
        delta = fmt_signed((float(current) - float(previous)) * 100, 1, " điểm %")
    zero = delta is not None and not delta.startswith(("+", "-"))
    col.metric(
        label,
        fmt_percent(current),
        delta=delta,
        delta_color="off" if zero else "normal",
        delta_arrow="off" if zero else "auto",
        help=help,
        border=True,
    )


_CARD_CSS = """<style>
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * { white-space: normal !important;
  overflow: visible !important; text-overflow: clip !important; }
</style>"""


def figure_card(col, key: str, h: dict) -> None:
    """The card of a headline figure: its one label and help (``storage.figures``), its value, and
    its change against the previous range only where ``storage.figures.compare`` allows one."""
    st.html(_CARD_CSS)  # full labels: wrap instead of "Tin, bài, buổi tuyên …"
    fig = FIGURES[key]
    value = fmt_percent(h.get(key)) if fig.kind == "share" else fmt_number(h.get(key))
    change = compare(key, h)
    if change.shown and change.tone != "neutral":
        col.metric(
            fig.label,
            value,
            delta=change.text,
            delta_color="normal" if fig.better == "up" else "inverse",
            delta_description=AGAINST + (f" ({change.note})" if change.note else ""),
            help=help_text(key, h),
            border=True,
        )
    else:  # no change to show, or a change of zero: grey, no arrow
        col.metric(
            fig.label,
            value,
            delta="kỳ chưa khép lại"
            if h.get("open") and not change.shown and change.text != NO_PREVIOUS
            else change.text,
            delta_color="off",
            delta_arrow="off",
            delta_description=AGAINST if change.shown else None,
            help=help_text(key, h),
            border=True,
        )


def comparable(key: str, h: dict):
    """``storage.figures.compare``: whether (and how) a change of ``key`` may be shown."""
    return compare(key, h)


def figure_cards(keys: list[str], h: dict) -> None:
    for col, key in zip(st.columns(len(keys)), keys, strict=True):
        figure_card(col, key, h)


def range_status(h: dict, period_label: str) -> None:
    """Say when the range viewed is still open (and how many units have reported)."""
    if h.get("open") and h.get("reports_expected"):
        st.warning(
            f"{period_label or 'Kỳ đang xem'} chưa khép lại: {coverage_text(h)}. Số liệu còn tăng khi các đơn vị "
            "gửi báo cáo; các thẻ không so sánh với kỳ trước.",
            icon=":material/hourglass_top:",
        )


# ---------------------------------------------------------------- what is open today


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def md_text(text: object) -> str:
    """Text from a report made inert for a markdown label (no link, image or emphasis of its own)."""
    return _MD_SPECIAL.sub(r"\\\1", "" if text is None else str(text))


def _month(d) -> str:
    return f"{d.year:04d}-{d.month:02d}"


NOW_OBSTACLES = "Khó khăn, vướng mắc chưa xử lý"
NOW_OVERDUE = "Nhiệm vụ quá hạn"
NOW_MISSING = "Chưa gửi báo cáo"


def _item(page: str, label: str, params: dict[str, str], detail: str) -> None:
    """One open item: a link to the page where it is handled, and one line of detail (both wrap)."""
    st.page_link(page, label=label, query_params=params)
    st.caption(detail)


def now_block(f: Filters, names: dict[str, str], *, height: int = 200) -> None:
    """What is open today, whatever the period viewed (only the group/unit scope applies): unhandled
    obstacles with their age, tasks overdue as of today (responsible unit, due date, days late), units
    that have not sent the latest report that has come due. Each item links to the page where it is
    handled; the lists wrap (nothing hides in a column off-screen) and scroll inside their box."""
    today = data.today()
    this_month = _month(today)
    scope = Filters(group=f.group, unit=f.unit, ward=f.ward)
    base = {k: v for k, v in filters.url_params().items() if k in ("group", "unit")}
    st.subheader(
        f"Việc đang mở hôm nay, {fmt_date(today)}",
        help="Không phụ thuộc kỳ xem ở thanh bên: mọi việc còn mở tính đến hôm nay (chỉ theo khối, đơn vị "
        "đã chọn). Bấm vào từng việc để mở trang xử lý.",
    )
    left, middle, right = st.columns(3)

    with left:
        overdue = data.overdue_tasks(scope)  # no period: as of today
        st.markdown(f"**{NOW_OVERDUE}: {len(overdue)}**")
        with st.container(height=height, border=True, key="now_overdue"):
            if overdue.empty:
                all_clear("Không có nhiệm vụ quá hạn.")
            link = {**base, "kind": "month", "period": this_month}
            for r in overdue.to_dict("records"):
                _item(
                    "pages/tasks.py",
                    f"{md_text(r['task_code'])} · {md_text(shorten(r['task'], 34))}",
                    link,
                    f"{md_text(r['task'])} — chủ trì: {md_text(lead_label(r['lead'], names))} · "
                    f"hạn {fmt_date(r['due_date'])} · "
                    f"quá hạn {fmt_number(r['days_overdue'])} ngày",
                )

    with middle:
        recent = data.compliance(Filters(_month_add(this_month, -1), this_month, f.group, f.unit, f.ward))
        due = recent[recent["status"] != "not_due"] if not recent.empty else recent
        if due.empty:
            st.markdown(f"**{NOW_MISSING}**")
            with st.container(height=height, border=True, key="now_missing"):
                note("Chưa có kỳ báo cáo nào đến hạn.")
        else:
            latest = str(due["period"].max())
            expected = int((due["period"] == latest).sum())
            missing = due[(due["period"] == latest) & (due["status"] == "missing")].sort_values("unit_name")
            st.markdown(f"**{NOW_MISSING} {fmt_period_short(latest)} (đã đến hạn): {len(missing)}/{expected} đơn vị**")
            with st.container(height=height, border=True, key="now_missing"):
                if missing.empty:
                    all_clear(f"Mọi đơn vị đã gửi báo cáo {fmt_period_short(latest)}.")
                for r in missing.to_dict("records"):
                    _item(
                        UNIT_PAGE,
                        md_text(r["unit_name"]),
                        {"kind": "month", "period": latest, "unit": str(r["unit_code"])},
                        f"{md_text(r['group'] or 'Không thuộc khối')} · chưa gửi báo cáo {fmt_period_short(latest)}",
                    )

    with right:
        obs = data.obstacles(scope, handled=False)
        st.markdown(f"**{NOW_OBSTACLES}: {len(obs)}**")
        with st.container(height=height, border=True, key="now_obstacles"):
            if obs.empty:
                all_clear("Không có khó khăn, vướng mắc nào đang chờ xử lý.")
            obs = obs.sort_values(["period", "unit_name"]).reset_index(drop=True)
            for r in obs.to_dict("records"):
                raised = pd.to_datetime(r.get("raised_at"), errors="coerce")
                age = f" · chờ {(today - raised.date()).days} ngày" if pd.notna(raised) else ""
                _item(
                    "pages/obstacles.py",
                    md_text(f"{r['unit_name']} · {fmt_period_short(r['period'])}"),
                    {**base, "kind": "range", "from": str(r["period"]), "to": this_month},
                    md_text(r["text"]) + (f" (nhiệm vụ {md_text(r['task_code'])})" if r.get("task_code") else "") + age,
                )


def _month_add(month: str, n: int) -> str:
    y, m = int(month[:4]), int(month[5:7])
    idx = y * 12 + (m - 1) + n
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


def unit_link(code: str, name: str, key_suffix: str = "") -> None:
    st.page_link(UNIT_PAGE, label=name, query_params=filters.url_params(unit=code), icon=":material/groups:")
