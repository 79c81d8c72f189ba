"""Quản lý tài khoản (office only): create accounts, assign roles and units, deactivate,
set per-account upload limits, reset a password (the user must change it at the next login)."""

import secrets

import streamlit as st

from storage import accounts
from storage.accounts import ROLES
from ui import auth, data
from ui.format import fmt_datetime

principal = auth.require("office")
engine = data.engine()
names = data.unit_names()

st.title("Quản lý tài khoản")
flash = st.session_state.pop("acc_flash", None)
if flash:
    st.success(flash[0], icon=":material/check_circle:")
    if flash[1]:
        st.code(flash[1], language=None)
        st.caption("Mật khẩu tạm chỉ hiện một lần: chuyển cho người dùng; họ phải đổi ở lần đăng nhập đầu.")

table = accounts.list_accounts(engine)
st.dataframe(
    table.assign(
        role_label=table["role"].map(ROLES),
        state=table["active"].map({True: "Đang dùng", False: "Đã khóa"}),
        last=table["last_login_at"].map(fmt_datetime),
    )[["username", "display_name", "role_label", "units", "email", "state", "last"]].rename(
        columns={
            "username": "Tên đăng nhập",
            "display_name": "Họ tên",
            "role_label": "Vai trò",
            "units": "Đơn vị",
            "email": "Thư điện tử",
            "state": "Trạng thái",
            "last": "Đăng nhập gần nhất",
        }
    ),
    hide_index=True,
    width="stretch",
)


def _temp_password() -> str:
    return secrets.token_urlsafe(9)


unit_codes = list(names)
create, edit = st.tabs(["Tạo tài khoản", "Sửa tài khoản, đặt lại mật khẩu"])

with create, st.form("acc_create", clear_on_submit=False):
    c1, c2 = st.columns(2)
    username = c1.text_input("Tên đăng nhập", key="acc_new_username")
    display = c2.text_input("Họ tên", key="acc_new_name")
    role = c1.selectbox("Vai trò", list(ROLES), format_func=ROLES.get, key="acc_new_role")
    email = c2.text_input("Thư điện tử (khi đăng nhập qua nhà cung cấp định danh)", key="acc_new_email")
    units = st.multiselect(
        "Đơn vị (với cán bộ đơn vị)", unit_codes, format_func=lambda c: f"{names.get(c, c)} ({c})", key="acc_new_units"
    )
    if st.form_submit_button("Tạo tài khoản", type="primary"):
        temp = _temp_password()
        try:
            accounts.create_account(
                engine, username, display, role, password=temp, units=units, email=email, by=principal
            )
        except accounts.AccountError as err:
            st.error(str(err))
        else:
            st.session_state["acc_flash"] = (f"Đã tạo tài khoản «{username.strip().lower()}».", temp)
            st.rerun()

with edit:
    if table.empty:
        st.info("Chưa có tài khoản nào.")
    else:
        labels = {int(r.id): f"{r.display_name} ({r.username})" for r in table.itertuples()}
        aid = st.selectbox("Tài khoản", list(labels), format_func=labels.get, key="acc_pick")
        row = table[table["id"] == aid].iloc[0]
        with st.form(f"acc_edit_{aid}"):
            c1, c2 = st.columns(2)
            display = c1.text_input("Họ tên", value=row["display_name"])
            role = c2.selectbox("Vai trò", list(ROLES), index=list(ROLES).index(row["role"]), format_func=ROLES.get)
            email = c1.text_input("Thư điện tử", value=row["email"])
            active = c2.checkbox("Đang dùng", value=bool(row["active"]))
            current_units = [u for u in str(row["units"]).split(", ") if u]
            units = st.multiselect(
                "Đơn vị (với cán bộ đơn vị)",
                unit_codes,
                default=[u for u in current_units if u in unit_codes],
                format_func=lambda c: f"{names.get(c, c)} ({c})",
            )
            lc = row["upload_limit_count"]
            lb = row["upload_limit_bytes"]
            l1, l2 = st.columns(2)
            count = l1.number_input(
                f"Số tệp gửi tối đa mỗi ngày (0: mặc định {accounts.POLICY.uploads_per_day})",
                min_value=0,
                value=int(lc) if lc == lc and lc is not None else 0,
            )
            mb = l2.number_input(
                f"Dung lượng gửi tối đa mỗi ngày, MB (0: mặc định {accounts.POLICY.upload_bytes_per_day // 2**20})",
                min_value=0,
                value=int(lb) // 2**20 if lb == lb and lb is not None else 0,
            )
            if st.form_submit_button("Lưu thay đổi", type="primary"):
                try:
                    accounts.update_account(
                        engine,
                        int(aid),
                        by=principal,
                        display_name=display,
                        role=role,
                        units=units,
                        email=email,
                        active=active,
                        upload_limit_count=int(count) or None,
                        upload_limit_bytes=int(mb) * 2**20 or None,
                    )
                except accounts.AccountError as err:
                    st.error(str(err))
                else:
                    st.session_state["acc_flash"] = (f"Đã lưu tài khoản «{row['username']}».", "")
                    st.rerun()
        if st.button("Đặt lại mật khẩu (người dùng phải đổi khi đăng nhập)", key="acc_reset"):
            temp = _temp_password()
            try:
                accounts.reset_password(engine, int(aid), temp, by=principal)
            except accounts.AccountError as err:
                st.error(str(err))
            else:
                st.session_state["acc_flash"] = (f"Đã đặt lại mật khẩu của «{row['username']}».", temp)
                st.rerun()
