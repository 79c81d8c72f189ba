"""Quản trị › Kế hoạch: the ward's plans (one current), each plan's tasks, export as Excel."""

import streamlit as st

from storage import admin
from ui import admin as ua
from ui.format import fmt_date

engine, state = ua.registry_page("Kế hoạch và nhiệm vụ")

plans = admin.plans_frame(engine)
st.subheader("Các kế hoạch")
if plans.empty:
    st.info("Chưa có kế hoạch nào: thêm kế hoạch đầu tiên dưới đây.", icon=":material/info:")
else:
    st.dataframe(
        plans.assign(
            issued_on=plans["issued_on"].map(fmt_date),
            is_current=plans["is_current"].map(lambda v: "Hiện hành" if v else ""),
        ).rename(
            columns={
                "code": "Mã",
                "title": "Trích yếu",
                "number": "Số hiệu",
                "issued_on": "Ngày ban hành",
                "is_current": "Theo dõi",
                "tasks": "Số nhiệm vụ",
            }
        ),
        hide_index=True,
        use_container_width=True,
    )

with st.expander("Thêm kế hoạch", expanded=plans.empty), st.form("plan_add", clear_on_submit=True):
    c1, c2, c3 = st.columns([1, 2, 1])
    code = c1.text_input("Mã kế hoạch", key="plan_add_code", help="Ví dụ: KH2027")
    number = c2.text_input("Số hiệu", key="plan_add_number", placeholder="Kế hoạch số 12-KH/ĐU")
    issued = c3.date_input("Ngày ban hành", value=None, format="DD/MM/YYYY", key="plan_add_date")
    title = st.text_area("Trích yếu", key="plan_add_title", height=80)
    current = st.checkbox("Theo dõi kế hoạch này từ nay (kế hoạch hiện hành)", key="plan_add_current")
    if st.form_submit_button("Thêm kế hoạch"):
        ua.run(
            admin.add_plan,
            code,
            title=title,
            number=number,
            issued_on=issued,
            make_current=current,
            done=f"Đã thêm kế hoạch {code.strip().upper()}.",
        )

if plans.empty:
    st.stop()

codes = plans["code"].tolist()
current_code = next((c for c, cur in zip(plans["code"], plans["is_current"], strict=True) if cur), codes[0])
chosen = st.selectbox("Kế hoạch đang xem", codes, index=codes.index(current_code), key="plan_chosen")
row = plans.set_index("code").loc[chosen]

c1, c2 = st.columns([3, 1])
c1.markdown(f"**{row['number'] or chosen}** · {row['title']}")
if not row["is_current"] and c2.button("Theo dõi kế hoạch này", key="plan_make_current"):
    ua.run(
        admin.set_current_plan, chosen, done=f"Từ nay bảng theo dõi, mẫu báo cáo và kiểm tra theo kế hoạch {chosen}."
    )
with st.expander("Sửa thông tin kế hoạch"), st.form("plan_edit"):
    number = st.text_input("Số hiệu", value=row["number"], key="plan_edit_number")
    issued = st.date_input(
        "Ngày ban hành", value=row["issued_on"] if row["issued_on"] else None, format="DD/MM/YYYY", key="plan_edit_date"
    )
    title = st.text_area("Trích yếu", value=row["title"], key="plan_edit_title", height=80)
    if st.form_submit_button("Lưu"):
        ua.run(admin.edit_plan, chosen, title=title, number=number, issued_on=issued, done=f"Đã lưu kế hoạch {chosen}.")

st.subheader("Nhiệm vụ")
tasks = admin.tasks_frame(engine, plan=chosen)
st.dataframe(
    tasks.assign(cadence=tasks["cadence"].map(ua.cadence_label))[
        ["code", "task", "lead", "support", "cadence", "due"]
    ].rename(
        columns={
            "code": "Mã",
            "task": "Nội dung",
            "lead": "Chủ trì",
            "support": "Phối hợp",
            "cadence": "Tính chất",
            "due": "Thời hạn",
        }
    ),
    hide_index=True,
    use_container_width=True,
)
st.download_button(
    "Tải kế hoạch (Excel)",
    data=admin.export_book(engine, plan=chosen),
    file_name=f"ke-hoach-{chosen}.xlsx",
    icon=":material/download:",
)
st.caption("Nhập cả kế hoạch từ tệp Excel: trang Quản trị › Thiết lập phường.")

NEW = "＋ Nhiệm vụ mới"
with st.form("task_save"):
    st.markdown("**Thêm hoặc sửa nhiệm vụ**")
    pick = st.selectbox("Nhiệm vụ", [NEW, *tasks["code"].tolist()], key="task_pick")
    existing = tasks.set_index("code").loc[pick] if pick != NEW else None
    c1, c2, c3 = st.columns([1, 1, 1])
    code = c1.text_input("Mã nhiệm vụ", value="" if existing is None else pick, key=f"task_code_{pick}")
    cadence_keys = list(admin.CADENCES)
    cadence = c2.selectbox(
        "Tính chất",
        cadence_keys,
        index=cadence_keys.index(existing["cadence"]) if existing is not None else 0,
        format_func=admin.CADENCES.get,
        key=f"task_cadence_{pick}",
    )
    due = c3.text_input(
        "Thời hạn (dd/mm/yyyy hoặc ghi chữ)",
        value="" if existing is None else fmt_date(existing["due"]) or existing["due"],
        key=f"task_due_{pick}",
    )
    text = st.text_area("Nội dung", value="" if existing is None else existing["task"], key=f"task_text_{pick}")
    c4, c5 = st.columns(2)
    lead = c4.text_input(
        "Đơn vị chủ trì (mã, tên nhóm hoặc ALL; cách nhau bởi ;)",
        value="" if existing is None else existing["lead"],
        key=f"task_lead_{pick}",
    )
    support = c5.text_input(
        "Đơn vị phối hợp", value="" if existing is None else existing["support"], key=f"task_support_{pick}"
    )
    if st.form_submit_button("Lưu nhiệm vụ"):
        fn = admin.add_task if existing is None else admin.save_task
        ua.run(
            fn,
            code,
            task=text,
            lead=lead,
            support=support,
            cadence=cadence,
            due=due,
            plan=chosen,
            done=f"Đã lưu nhiệm vụ {code.strip().upper()} của kế hoạch {chosen}.",
        )
