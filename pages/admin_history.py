"""Quản trị › Lịch sử thay đổi: every registry change (who, when, before and after)."""

import json

import streamlit as st

from storage import admin
from ui import admin as ua
from ui.format import fmt_datetime

ACTIONS = {
    "ward.setup": "Thiết lập phường",
    "ward.rename": "Đổi tên phường",
    "settings.due_day": "Đổi hạn nộp báo cáo",
    "group.add": "Thêm nhóm",
    "group.rename": "Đổi tên nhóm",
    "group.rule": "Đổi quy định báo cáo của nhóm",
    "unit.add": "Thêm đơn vị",
    "unit.rename": "Đổi tên đơn vị",
    "unit.move": "Chuyển nhóm",
    "unit.merge": "Sáp nhập đơn vị",
    "unit.retire": "Thôi theo dõi đơn vị",
    "plan.add": "Thêm kế hoạch",
    "plan.edit": "Sửa kế hoạch",
    "plan.current": "Đổi kế hoạch hiện hành",
    "task.add": "Thêm nhiệm vụ",
    "task.edit": "Sửa nhiệm vụ",
    "registry.import": "Nhập danh mục từ Excel",
}

ua.require_office()
st.title("Lịch sử thay đổi danh mục")
st.caption(
    "Mọi thay đổi về phường, nhóm, đơn vị, kế hoạch và nhiệm vụ: ai, lúc nào, trước và sau. Báo cáo đã lưu không bị sửa."
)
history = admin.history_frame(ua.engine())
if history.empty:
    st.info("Chưa có thay đổi nào.", icon=":material/info:")
    st.stop()


def _text(value) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, default=str)


st.dataframe(
    history.assign(
        at=history["at"].map(fmt_datetime),
        action=history["action"].map(lambda a: ACTIONS.get(a, a)),
        before=history["before"].map(_text),
        after=history["after"].map(_text),
    )[["at", "actor", "action", "key", "before", "after"]].rename(
        columns={
            "at": "Thời điểm",
            "actor": "Người thay đổi",
            "action": "Thay đổi",
            "key": "Đối tượng",
            "before": "Trước",
            "after": "Sau",
        }
    ),
    hide_index=True,
    use_container_width=True,
)
