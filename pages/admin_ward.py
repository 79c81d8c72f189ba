"""Quản trị › Thiết lập phường: the ward's name, the due day, and the whole registry from an Excel file."""

import streamlit as st

from storage import admin
from ui import admin as ua
from ui import data

ua.require_office()
st.title("Thiết lập phường")
ua.flash()
engine = ua.engine()
state = admin.ward_state(engine)
settings = data.ward_settings() if state["ward"] else None

if not state["ward"]:
    st.info(
        "Cơ sở dữ liệu chưa có phường nào. Các bước: (1) nhập tên phường; (2) thêm nhóm và đơn vị; "
        "(3) thêm kế hoạch và các nhiệm vụ — hoặc nhập cả danh mục từ một tệp Excel theo mẫu.",
        icon=":material/flag:",
    )
else:
    ua.setup_notice(state)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Đơn vị đang theo dõi", state["units"])
    c2.metric("Nhóm đơn vị", state["groups"])
    c3.metric("Kế hoạch", state["plans"])
    c4.metric("Nhiệm vụ (kế hoạch hiện hành)", state["tasks"])

st.subheader("Tên phường")
with st.form("ward_name"):
    name = st.text_input("Tên phường", value=settings.ward_name if settings else "", placeholder="Ví dụ: Bạch Đằng")
    body = st.text_input(
        "Tên cơ quan ban hành (đầu mẫu báo cáo)",
        value=settings.issuing_body if settings else "",
        placeholder="Để trống: ĐẢNG BỘ PHƯỜNG <TÊN PHƯỜNG>",
    )
    if st.form_submit_button("Lưu tên phường"):
        ua.run(admin.setup_ward, name, issuing_body=body, done=f"Đã lưu tên phường: {name.strip()}.")

if not state["ward"]:
    st.stop()

st.subheader("Hạn nộp báo cáo")
with st.form("due_day"):
    day = st.number_input(
        "Báo cáo tháng M nộp trước ngày (của tháng M)", min_value=1, max_value=28, value=int(settings.due_day), step=1
    )
    st.caption("Từ ngày 1 đến 28 (có trong mọi tháng). Báo cáo quý: trước ngày này của tháng cuối quý.")
    if st.form_submit_button("Lưu hạn nộp"):
        ua.run(admin.set_due_day, int(day), done=f"Hạn nộp báo cáo: ngày {int(day)} hằng tháng.")

st.subheader("Nhập danh mục từ tệp Excel")
st.caption(
    "Tệp gồm ba trang tính: “Đơn vị” (Mã đơn vị, Tên đơn vị, Nhóm đơn vị, Tên viết tắt), “Kế hoạch” "
    "(Mã kế hoạch, Số hiệu, Ngày ban hành, Trích yếu) và “Nhiệm vụ” (Mã nhiệm vụ, Nội dung, Đơn vị chủ trì, "
    "Đơn vị phối hợp, Tính chất, Thời hạn). Đơn vị đã có được cập nhật (tên cũ vẫn được nhận ra), mã giữ nguyên; "
    "tệp có lỗi thì không nhập gì."
)
d1, d2 = st.columns(2)
d1.download_button(
    "Tải mẫu trống",
    data=ua.blank_book(),
    file_name="mau-danh-muc-phuong.xlsx",
    icon=":material/download:",
)
d2.download_button(
    "Tải danh mục hiện tại",
    data=admin.export_book(engine),
    file_name="danh-muc-phuong.xlsx",
    icon=":material/download:",
)
up = st.file_uploader("Tệp danh mục (.xlsx)", type=["xlsx", "xlsm", "xls", "ods"], key="registry_book")
if up is not None:
    book = ua.read_book(up.getvalue(), up.name)
    if book.problems:
        st.error(
            f"Tệp có {len(book.problems)} lỗi, chưa nhập gì. Sửa các ô dưới đây rồi tải lại:", icon=":material/error:"
        )
        st.dataframe(
            [{"Trang tính": p.sheet, "Ô": p.cell or "", "Lỗi": p.message} for p in book.problems],
            hide_index=True,
            use_container_width=True,
        )
    else:
        st.info(
            f"Tệp hợp lệ: {len(book.units)} đơn vị, kế hoạch {book.plan.get('code')} với {len(book.tasks)} nhiệm vụ.",
            icon=":material/task_alt:",
        )
        current = st.checkbox("Đặt kế hoạch này làm kế hoạch hiện hành", value=True)
        if st.button("Nhập danh mục", type="primary"):
            ua.run(
                admin.import_book,
                book,
                make_current=current,
                done=f"Đã nhập {len(book.units)} đơn vị và {len(book.tasks)} nhiệm vụ của kế hoạch "
                f"{book.plan.get('code')}.",
            )
