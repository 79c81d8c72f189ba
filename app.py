"""Entry point: `streamlit run app.py`.

Draws what every page shares (page config, header with the ward's name and
data freshness, sidebar filters kept in the URL) and runs the chosen page.
"""

from __future__ import annotations

import streamlit as st

from ui import components, data, filters

st.set_page_config(
    page_title="Đảng ủy phường Bạch Đằng – Theo dõi quán triệt Nghị quyết",
    page_icon=":material/flag:",
    layout="wide",
    initial_sidebar_state="expanded",
)

PAGES = {
    "Theo dõi": [
        st.Page(
            "pages/overview.py", title="Tổng quan", icon=":material/dashboard:", url_path="tong-quan", default=True
        ),
        st.Page("pages/tasks.py", title="Tiến độ nhiệm vụ", icon=":material/task_alt:", url_path="tien-do"),
        st.Page("pages/propaganda.py", title="Tuyên truyền", icon=":material/campaign:", url_path="tuyen-truyen"),
        st.Page("pages/attendance.py", title="Tham dự", icon=":material/groups:", url_path="tham-du"),
        st.Page(
            "pages/compliance.py", title="Tình hình nộp báo cáo", icon=":material/fact_check:", url_path="nop-bao-cao"
        ),
        st.Page("pages/obstacles.py", title="Khó khăn, vướng mắc", icon=":material/report:", url_path="kho-khan"),
        st.Page("pages/unit.py", title="Đơn vị", icon=":material/apartment:", url_path="don-vi"),
    ],
    "Báo cáo": [
        st.Page("pages/upload.py", title="Gửi báo cáo", icon=":material/upload_file:", url_path="gui-bao-cao"),
        st.Page("pages/export.py", title="Xuất báo cáo", icon=":material/download:", url_path="xuat-bao-cao"),
    ],
}

page = st.navigation(PAGES)

with st.spinner("Đang chuẩn bị cơ sở dữ liệu (lần chạy đầu tiên nạp dữ liệu mẫu của phường, mất khoảng nửa phút)…"):
    data.engine()  # migrates, and seeds the sample ward into a new database; instant afterwards
units = data.list_units()
periods = data.list_periods()
filters.sidebar_filters(units, periods, data.today())
components.header(data.data_freshness())

page.run()
