"""Nhật ký: who did what and when (logins, failed logins, uploads, replacements, reviews,
registry and account changes, exports, obstacles handled). Filterable and exportable; the
app has no way to edit or delete a line."""

import datetime as dt
import json

import streamlit as st

from storage import accounts, review
from ui import auth, data, tables
from ui.format import fmt_datetime

principal = auth.require("office", "leader")
engine = data.engine()

st.title("Nhật ký")
st.caption("Mọi thao tác làm thay đổi dữ liệu, mọi lần đăng nhập và xuất báo cáo đều được ghi lại; không sửa được.")

today = dt.date.today()
c1, c2, c3 = st.columns([1, 2, 1])
span = c1.date_input("Khoảng ngày", value=(today - dt.timedelta(days=30), today), format="DD/MM/YYYY", key="audit_span")
chosen = c2.multiselect(
    "Thao tác", list(review.ACTIONS), format_func=review.ACTIONS.get, key="audit_actions", placeholder="Tất cả"
)
who = c3.text_input("Người thực hiện", key="audit_actor", placeholder="Tên hoặc tên đăng nhập")
since, until = (span[0], span[-1]) if isinstance(span, tuple | list) and span else (None, None)

log = review.audit_log(engine, principal, since=since, until=until, actions=chosen or None, actor=who)


def _detail(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


shown = log.assign(
    when=log["at"].map(fmt_datetime),
    what=log["action"].map(lambda a: review.ACTIONS.get(a, a)),
    detail_text=log["detail"].map(_detail),
)[["when", "actor", "what", "entity", "entity_id", "detail_text"]].rename(
    columns={
        "when": "Thời điểm",
        "actor": "Người thực hiện",
        "what": "Thao tác",
        "entity": "Đối tượng",
        "entity_id": "Mã",
        "detail_text": "Chi tiết",
    }
)
st.write(f"{len(shown)} dòng nhật ký.")
st.dataframe(shown, hide_index=True, width="stretch")


def _export() -> bytes:
    accounts.audit_event(engine, principal, "export", entity="audit_log", detail={"rows": len(shown)})
    return tables.excel_bytes(shown, "Nhật ký")


st.download_button(
    "Tải Excel",
    data=_export,
    file_name=f"nhat-ky-{today:%Y-%m-%d}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    on_click="ignore",
    key="audit_xlsx",
)
