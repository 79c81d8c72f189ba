"""Tài khoản của tôi: who I am (role and units, as the database says), change my password, log out."""

import streamlit as st

from ui import auth, data

principal = auth.require("office", "leader", "unit")
engine = data.engine()

st.title("Tài khoản của tôi")
names = data.unit_names()
st.markdown(
    f"**Họ tên:** {auth.md_text(principal.display_name)}  \n**Tên đăng nhập:** {auth.md_text(principal.username)}"
)
st.markdown(f"**Vai trò:** {auth.role_label(principal.role)}")
if principal.units:
    st.markdown("**Đơn vị:** " + "; ".join(auth.md_text(names.get(c, c)) for c in principal.units))
if not auth.oidc_configured():
    st.subheader("Đổi mật khẩu")
    auth.change_password_form(engine, principal)
auth.logout_button(engine, key="me_logout")
