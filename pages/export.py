"""Xuất báo cáo: the three files for the standing committee's review meeting
(Excel figures, Word report, PowerPoint slides) for the sidebar's filters."""

from __future__ import annotations

import streamlit as st

from ui import auth, components, data, filters, meeting_files
from ui.filters import Filters

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def _file_name(f: Filters, ext: str) -> str:
    parts = ["bao-cao-NQ05"]
    if f.period_from and f.period_to and f.period_from != f.period_to:
        parts.append(f"{f.period_from}_{f.period_to}")
    elif f.period_from or f.period_to:
        parts.append(f.period_from or f.period_to)
    if f.unit:
        parts.append(f.unit)
    elif f.group:
        parts.append("khoi")
    return "-".join(parts) + f".{ext}"


def _scope(f: Filters, period_label: str) -> str:
    """What the files cover, e.g. "Quý III/2026, Chi bộ Khu dân cư số 3" (the sidebar's period
    label alone would hide a chosen unit or group)."""
    parts = [period_label] if period_label else []
    if f.unit:
        parts.append(data.unit_names().get(f.unit, f.unit))
    elif f.group:
        parts.append(f"khối {f.group}")
    return ", ".join(parts)


components.page_title("Xuất báo cáo")
f = filters.current()
label = _scope(f, filters.current_label())
st.markdown(
    "Tải về các tệp phục vụ hội nghị giao ban của Ban Thường vụ Đảng ủy, theo **kỳ báo cáo, khối và đơn vị** "
    "đang chọn ở thanh bên" + (f" (**{label}**)." if label else ".")
)
if not data.list_periods():
    st.info("Chưa có báo cáo nào của các đơn vị: các tệp vẫn tải được nhưng chỉ ghi “Chưa có số liệu”.")

today = data.today()

files = [
    (
        "xlsx",
        "Bảng số liệu (Excel)",
        ":material/table_view:",
        "Mỗi chủ đề một trang: tổng quan, tiến độ nhiệm vụ, nhiệm vụ quá hạn, tuyên truyền, tham dự, "
        "tình hình nộp báo cáo, khó khăn vướng mắc.",
        XLSX,
    ),
    (
        "docx",
        "Báo cáo (Word)",
        ":material/description:",
        "Báo cáo theo thể thức văn bản của Đảng; mục VI “Phương hướng” để Văn phòng Đảng ủy tự soạn.",
        DOCX,
    ),
    (
        "pptx",
        "Trình chiếu (PowerPoint)",
        ":material/slideshow:",
        "Các trang trình chiếu với biểu đồ sửa được trực tiếp trong PowerPoint.",
        PPTX,
    ),
]
for col, (ext, title, icon, help_text, mime) in zip(st.columns(3), files, strict=True):
    with col, st.container(border=True):
        st.markdown(f"**{title}**")
        st.caption(help_text)
        st.download_button(
            f"Tải {title.split(' (')[0].lower()}",
            # always the current data; the download is audited with the logged-in account (issue 12)
            data=auth.audited(lambda ext=ext: meeting_files.file_bytes(ext, f, today), f"meeting_{ext}", f=str(f)),
            file_name=_file_name(f, ext),
            mime=mime,
            icon=icon,
            on_click="ignore",
            type="primary",
            key=f"export_{ext}",
            width="stretch",
        )
st.caption(
    "Số liệu trong tệp lấy từ cùng cơ sở dữ liệu và cùng bộ lọc với các trang của bảng theo dõi; "
    "tệp được tạo khi bấm nút, luôn theo số liệu mới nhất."
)
