"""Small shared pieces: header, empty states, metrics with deltas, unit links."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from storage.queries import Filters
from ui import data, filters, tables
from ui.format import fmt_datetime, fmt_number, fmt_percent, fmt_signed, label, lead_label

WARD = "Đảng ủy phường Bạch Đằng"
PLAN = "Quán triệt, tuyên truyền Nghị quyết 05-NQ/TU"
UPLOAD_PAGE = "pages/upload.py"
UNIT_PAGE = "pages/unit.py"

NO_DATA = "Chưa có báo cáo nào. Vào trang Gửi báo cáo để tải mẫu và gửi báo cáo đầu tiên."
NO_DATA_IN_RANGE = "Không có số liệu trong kỳ và phạm vi đã chọn. Hãy chọn kỳ khác hoặc bỏ bớt bộ lọc ở thanh bên."


def header(freshness) -> None:
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    left.markdown(f"#### {WARD}  \n<span style='color:#5b6770'>{PLAN}</span>", unsafe_allow_html=True)
    if freshness is None:
        right.markdown("<div style='text-align:right;color:#5b6770'>Chưa có báo cáo nào</div>", unsafe_allow_html=True)
    else:
        right.markdown(
            f"<div style='text-align:right;color:#5b6770'>Số liệu cập nhật đến: <b>{fmt_datetime(freshness)}</b></div>",
            unsafe_allow_html=True,
        )


def page_title(title: str) -> None:
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
    """The plan tasks past their due date and not done, or a line saying there are none."""
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
    delta = None
    if previous is not None and current is not None:
        delta = fmt_signed(float(current) - float(previous))
    col.metric(
        label,
        fmt_number(current),
        delta=delta,
        delta_color="inverse" if inverse else "normal",
        help=help,
        border=True,
    )


def metric_share(col, label: str, current, previous, *, help: str | None = None) -> None:
    delta = None
    if previous is not None and current is not None:
        delta = fmt_signed((float(current) - float(previous)) * 100, 1, " điểm %")
    col.metric(label, fmt_percent(current), delta=delta, help=help, border=True)


def unit_link(code: str, name: str, key_suffix: str = "") -> None:
    st.page_link(UNIT_PAGE, label=name, query_params=filters.url_params(unit=code), icon=":material/groups:")
