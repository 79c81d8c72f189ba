"""Small shared pieces: header, empty states, metrics with deltas, unit links."""

from __future__ import annotations

import streamlit as st

from ui import filters
from ui.format import fmt_datetime, fmt_number, fmt_percent, fmt_signed

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
