"""Floor for the upload page (bench/bench_feel.py): a bare Streamlit page whose uploader only
hashes the bytes, then shows a button labelled like the upload page's."""

import hashlib

import streamlit as st

st.title("Gửi báo cáo")
files = st.file_uploader("Chọn tệp báo cáo", accept_multiple_files=True)
for f in files or []:
    st.write(f"{f.name}: {hashlib.sha256(f.getvalue()).hexdigest()[:16]}")
    st.button("Xác nhận gửi", type="primary", key=f"ok_{f.file_id}")
