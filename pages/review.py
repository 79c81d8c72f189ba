"""Tiếp nhận báo cáo: the office marks each unit's current file received (locking it) or returns
it for correction with a reason; a period can be closed. Leadership sees the same list read-only."""

import streamlit as st

from storage import review
from ui import auth, data
from ui.format import fmt_datetime, fmt_period
from ui.upload_flow import forms_text

principal = auth.require("office", "leader")
engine = data.engine()
can_act = principal.is_office

st.title("Tiếp nhận báo cáo")
st.caption(
    "Văn phòng Đảng ủy tiếp nhận báo cáo (số liệu được coi là chính thức và báo cáo bị khóa: muốn gửi bản mới "
    "phải được Văn phòng mở lại) hoặc trả lại để đơn vị sửa, kèm lý do mà đơn vị thấy ngay trên trang Gửi báo cáo."
)

periods = sorted(set(data.list_periods()) | set(review.closed_periods(engine)), reverse=True)
STATUS_CHOICES = {"": "Tất cả", "sent": review.STATUS["sent"], "received": "Đã tiếp nhận", "returned": "Đã trả lại"}
left, right = st.columns(2)
period = left.selectbox("Kỳ báo cáo", ["", *periods], format_func=lambda p: fmt_period(p) if p else "Tất cả các kỳ",
                        key="review_period")  # fmt: skip
status = right.selectbox("Tình trạng", list(STATUS_CHOICES), format_func=STATUS_CHOICES.get, key="review_status")

queue = review.review_queue(engine, principal, period=period or None, status=status or None)
names = data.unit_names()
if queue.empty:
    st.info("Không có báo cáo nào khớp với lựa chọn.")
else:
    shown = queue.assign(
        unit=queue["unit_name"],
        period_label=queue["period"].map(fmt_period),
        forms_label=queue["forms"].map(forms_text),
        sent=queue["received_at"].map(fmt_datetime),
        state=queue["review"].map(review.STATUS),
        reviewed=queue["reviewed_at"].map(fmt_datetime),
    )[["id", "unit", "period_label", "forms_label", "filename", "sender", "sent", "state", "reason", "reviewed_by"]]
    st.dataframe(
        shown.rename(
            columns={
                "id": "Mã lần gửi",
                "unit": "Đơn vị",
                "period_label": "Kỳ",
                "forms_label": "Biểu",
                "filename": "Tệp",
                "sender": "Người gửi",
                "sent": "Thời điểm gửi",
                "state": "Tình trạng",
                "reason": "Lý do trả lại",
                "reviewed_by": "Người tiếp nhận",
            }
        ),
        hide_index=True,
        width="stretch",
    )

if can_act and not queue.empty:
    st.subheader("Xử lý một báo cáo")
    labels = {
        int(r.id): f"{r.unit_name} – {fmt_period(r.period)} – {r.filename} ({review.STATUS.get(r.review, r.review)})"
        for r in queue.itertuples()
    }
    chosen = st.selectbox("Báo cáo", list(labels), format_func=labels.get, key="review_pick")
    row = queue[queue["id"] == chosen].iloc[0]
    c1, c2, c3 = st.columns(3)
    if c1.button("Tiếp nhận (khóa báo cáo)", type="primary", disabled=row["review"] == "received", key="review_accept"):
        review.mark_received(engine, principal, int(chosen))
        data.clear_cache()
        st.rerun()
    if c2.button("Mở lại để đơn vị gửi bản mới", disabled=row["review"] != "received", key="review_reopen"):
        review.reopen(engine, principal, int(chosen))
        data.clear_cache()
        st.rerun()
    reason = st.text_area("Lý do trả lại (đơn vị sẽ thấy)", key="review_reason", max_chars=2000)
    if c3.button("Trả lại để sửa", disabled=not reason.strip(), key="review_return"):
        try:
            review.return_for_correction(engine, principal, int(chosen), reason)
        except review.Forbidden as err:
            st.error(str(err))
        else:
            data.clear_cache()
            st.rerun()

st.subheader("Khóa sổ kỳ báo cáo")
closed = review.closed_periods(engine)
if closed:
    st.markdown("Các kỳ đã khóa sổ: " + ", ".join(fmt_period(p) for p in sorted(closed)))
else:
    st.caption("Chưa kỳ nào khóa sổ.")
if can_act and periods:
    p1, p2 = st.columns([2, 1])
    target = p1.selectbox("Kỳ", periods, format_func=fmt_period, key="review_close_period")
    is_closed = target in closed
    if p2.button("Mở lại kỳ" if is_closed else "Khóa sổ kỳ", key="review_close"):
        review.set_period_closed(engine, principal, target, not is_closed)
        st.rerun()
