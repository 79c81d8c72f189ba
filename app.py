"""Entry point: `streamlit run app.py`.

Draws what every page shares (page config, header with the ward's name and
data freshness, sidebar filters kept in the URL) and runs the chosen page.
"""

from __future__ import annotations

import streamlit as st

from ui import auth, components, data, filters, i18n, present, progress, startup

st.set_page_config(
    page_title="Đảng ủy phường Bạch Đằng – Theo dõi quán triệt Nghị quyết",
    page_icon=str(i18n.FAVICON),  # a local file: a ":material/..." icon is fetched from a font server
    layout="wide",
    initial_sidebar_state="auto",  # open on wide screens, closed below 640 px (phones)
)
i18n.install()  # Vietnamese for the words Streamlit writes itself (docs/I18N.md)

PAGES = {
    "Theo dõi": [
        # Streamlit 1.67 serves the default page at "/" only (its url_path reads ""), so the
        # overview's own address "/tong-quan" is a second, hidden page running the same script.
        st.Page("pages/overview.py", title="Tổng quan", icon=":material/dashboard:", default=True),
        st.Page(
            "pages/overview.py",
            title="Tổng quan",
            icon=":material/dashboard:",
            url_path="tong-quan",
            visibility="hidden",
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
        st.Page("pages/review.py", title="Tiếp nhận báo cáo", icon=":material/inbox:", url_path="tiep-nhan"),
    ],
    "Tài khoản": [
        st.Page("pages/me.py", title="Tài khoản của tôi", icon=":material/person:", url_path="ca-nhan"),
        st.Page(
            "pages/accounts.py", title="Quản lý tài khoản", icon=":material/manage_accounts:", url_path="tai-khoan"
        ),
        st.Page("pages/audit.py", title="Nhật ký", icon=":material/history:", url_path="nhat-ky"),
    ],
    "Quản trị": [
        st.Page("pages/admin_ward.py", title="Thiết lập phường", icon=":material/flag:", url_path="thiet-lap-phuong"),
        st.Page(
            "pages/admin_units.py", title="Đơn vị, nhóm", icon=":material/account_tree:", url_path="quan-tri-don-vi"
        ),
        st.Page("pages/admin_plans.py", title="Kế hoạch", icon=":material/assignment:", url_path="quan-tri-ke-hoach"),
        st.Page(
            "pages/admin_history.py",
            title="Lịch sử thay đổi",
            icon=":material/manage_history:",
            url_path="lich-su-danh-muc",
        ),
    ],
}

auth.ROUTES[:] = [p.url_path for pages in PAGES.values() for p in pages if p.url_path]  # links work before login
startup.require_database()  # a bad DATABASE_URL: a Vietnamese page and stop; read-only: a notice
with st.spinner("Đang chuẩn bị cơ sở dữ liệu…"):
    startup.prepare_database(data.engine)  # migrates; a new database gets the sample ward's registry (~1 s)
progress.sample_fill_note(data.engine())  # the sample year is filled in the background, with a note
# Nothing is shown before login; the navigation holds only the pages this role may open (ui/auth.py).
principal = auth.gate(data.engine())
page = st.navigation(auth.allowed_pages(PAGES, principal))
auth.account_box(data.engine(), principal)
if principal.sees_everything:  # unit staff see no ward-wide figures, hence no ward-wide filters
    units = data.list_units()
    periods = data.list_periods()
    filters.sidebar_filters(units, periods, data.today(), plans=data.list_plans())
if principal.sees_everything and present.requested():  # ?trinh-chieu=1: this view as meeting screens
    with startup.page_errors():  # a page's error: a Vietnamese message, the traceback in the log
        present.run()
else:
    components.header(data.data_freshness(), presentable=principal.sees_everything)
    with startup.page_errors():
        page.run()
