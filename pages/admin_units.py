"""Quản trị › Đơn vị, nhóm: groups and their reporting rules; units added, renamed, moved, merged, retired."""

import datetime as dt

import streamlit as st

from storage import admin
from ui import admin as ua
from ui.format import fmt_date

engine, state = ua.registry_page("Đơn vị và nhóm đơn vị")

groups = admin.groups_frame(engine)
units = admin.units_frame(engine)
group_names = groups["name"].tolist()
active = units[units["active"].astype(bool)]
codes = active["code"].tolist()
labels = dict(zip(units["code"], units["name"], strict=False))


def unit_label(code: str) -> str:
    return f"{code} · {labels.get(code, '')}"


# ---------------------------------------------------------------- groups and reporting rules
st.subheader("Nhóm đơn vị và quy định báo cáo")
st.dataframe(
    groups.assign(
        forms=groups["forms"].map(ua.forms_text),
        cadence=groups["cadence"].map(ua.cadence_label),
    ).rename(columns={"name": "Nhóm", "forms": "Biểu phải gửi", "cadence": "Kỳ báo cáo", "units": "Số đơn vị"}),
    hide_index=True,
    use_container_width=True,
)
g1, g2 = st.columns(2)
with g1, st.form("group_add", clear_on_submit=True):
    st.markdown("**Thêm nhóm**")
    gname = st.text_input("Tên nhóm", key="group_add_name")
    if st.form_submit_button("Thêm nhóm"):
        ua.run(admin.add_group, gname, done=f"Đã thêm nhóm “{gname.strip()}”.")
with g2, st.form("group_rule"):
    st.markdown("**Quy định báo cáo của nhóm**")
    chosen = st.selectbox("Nhóm", group_names, key="rule_group") if group_names else None
    forms = st.multiselect(
        "Biểu phải gửi", list(ua.FORM_LABELS), default=list(ua.FORM_LABELS), format_func=ua.FORM_LABELS.get
    )
    cadence = st.radio("Kỳ báo cáo", list(admin.GROUP_CADENCES), format_func=admin.GROUP_CADENCES.get, horizontal=True)
    if st.form_submit_button("Lưu quy định") and chosen:
        ua.run(admin.set_group_rule, chosen, forms=forms, cadence=cadence, done=f"Đã lưu quy định của nhóm “{chosen}”.")
with st.expander("Đổi tên nhóm"), st.form("group_rename"):
    old = st.selectbox("Nhóm", group_names, key="rename_group_old") if group_names else None
    new = st.text_input("Tên mới", key="rename_group_new")
    if st.form_submit_button("Đổi tên nhóm") and old:
        ua.run(admin.rename_group, old, new, done=f"Đã đổi tên nhóm “{old}” thành “{new.strip()}”.")

# ---------------------------------------------------------------- units
st.subheader("Đơn vị")
shown = units.assign(
    status=[
        "Đang theo dõi"
        if a
        else (f"Đã sáp nhập vào {mi} từ {fmt_date(r)}" if mi else f"Thôi theo dõi từ {fmt_date(r)}")
        for a, mi, r in zip(units["active"], units["merged_into"], units["retired_on"], strict=True)
    ]
)[["code", "name", "short_name", "group", "status", "aliases"]].rename(
    columns={
        "code": "Mã",
        "name": "Tên đơn vị",
        "short_name": "Tên viết tắt",
        "group": "Nhóm",
        "status": "Trạng thái",
        "aliases": "Tên cũ vẫn nhận ra",
    }
)
st.dataframe(shown, hide_index=True, use_container_width=True)

tab_add, tab_rename, tab_move, tab_merge, tab_retire = st.tabs(
    ["Thêm đơn vị", "Đổi tên", "Chuyển nhóm", "Sáp nhập", "Thôi theo dõi"]
)
with tab_add, st.form("unit_add", clear_on_submit=True):
    c1, c2 = st.columns([1, 3])
    code = c1.text_input("Mã đơn vị", key="unit_add_code", help="Chữ không dấu và số, không đổi về sau")
    name = c2.text_input("Tên đơn vị", key="unit_add_name")
    c3, c4 = st.columns(2)
    group = c3.selectbox("Nhóm", group_names, key="unit_add_group") if group_names else ""
    short = c4.text_input("Tên viết tắt (không bắt buộc)", key="unit_add_short")
    if st.form_submit_button("Thêm đơn vị"):
        ua.run(
            admin.add_unit, code, name, group or "", short_name=short, done=f"Đã thêm đơn vị {code.strip().upper()}."
        )
with tab_rename, st.form("unit_rename"):
    code = st.selectbox("Đơn vị", codes, format_func=unit_label, key="unit_rename_code") if codes else None
    name = st.text_input("Tên mới", key="unit_rename_name")
    st.caption("Mã giữ nguyên; tệp báo cáo ghi tên cũ vẫn được nhận là đơn vị này.")
    if st.form_submit_button("Đổi tên") and code:
        ua.run(admin.rename_unit, code, name, done=f"Đã đổi tên đơn vị {code}.")
with tab_move, st.form("unit_move"):
    code = st.selectbox("Đơn vị", codes, format_func=unit_label, key="unit_move_code") if codes else None
    group = st.selectbox("Sang nhóm", group_names, key="unit_move_group") if group_names else None
    if st.form_submit_button("Chuyển nhóm") and code and group:
        ua.run(admin.move_unit, code, group, done=f"Đã chuyển {code} sang nhóm “{group}”.")
with tab_merge, st.form("unit_merge"):
    source = (
        st.selectbox("Đơn vị được sáp nhập", codes, format_func=unit_label, key="unit_merge_source") if codes else None
    )
    target = st.selectbox("Vào đơn vị", codes, format_func=unit_label, key="unit_merge_target") if codes else None
    on = st.date_input("Từ ngày", value=dt.date.today(), format="DD/MM/YYYY", key="unit_merge_on")
    st.caption(
        "Báo cáo đã lưu của đơn vị được sáp nhập giữ nguyên; từ ngày này đơn vị đó không còn phải báo cáo, "
        "tên của nó được nhận là đơn vị nhận sáp nhập và nhiệm vụ giao cho nó chuyển sang đơn vị nhận."
    )
    if st.form_submit_button("Sáp nhập") and source and target:
        ua.run(admin.merge_units, source, target, on=on, done=f"Đã sáp nhập {source} vào {target}.")
with tab_retire, st.form("unit_retire"):
    code = st.selectbox("Đơn vị", codes, format_func=unit_label, key="unit_retire_code") if codes else None
    on = st.date_input("Từ ngày", value=dt.date.today(), format="DD/MM/YYYY", key="unit_retire_on")
    st.caption(
        "Báo cáo đã lưu giữ nguyên; từ ngày này đơn vị không còn trong danh sách phải báo cáo. Mã không dùng lại."
    )
    if st.form_submit_button("Thôi theo dõi") and code:
        ua.run(admin.retire_unit, code, on=on, done=f"Đơn vị {code} thôi theo dõi từ {fmt_date(on)}.")
