"""The first start's progress note: the sample ward's year of reports is stored in the background.

The app shows at once (the registry is there); this note says how far the fill is and
reruns the app as parts arrive, so figures appear within seconds and grow to the whole year.
"""

from __future__ import annotations

import streamlit as st

import bootstrap

_SEEN = "_sample_fill_seen"  # parts done when the page was last drawn


def sample_fill_note(engine) -> None:
    """Start the fill when pending (once per server process) and show its progress while it runs."""
    if not bootstrap.start_sample_fill(engine):
        return
    _note(engine)


@st.fragment(run_every=2)
def _note(engine) -> None:
    prog = bootstrap.fill_progress(engine)
    if prog is None:
        return
    seen = st.session_state.get(_SEEN)
    if not prog["running"]:
        if prog["failed"]:
            st.warning(
                "Chưa nạp xong dữ liệu mẫu của phường (bị gián đoạn); lần khởi động sau sẽ nạp tiếp.",
                icon=":material/warning:",
            )
        elif seen != "done":
            st.session_state[_SEEN] = "done"
            st.rerun(scope="app")  # the whole year is in: draw the page once more, without the note
        return
    share = round(100 * prog["done"] / prog["total"]) if prog["total"] else 0
    st.info(
        f"Đang nạp dữ liệu mẫu của phường lần đầu ({share} %, {prog['files']} tệp báo cáo), "
        "tháng gần nhất trước; số liệu trên trang được cập nhật dần.",
        icon=":material/hourglass_top:",
    )
    if seen is not None and prog["done"] != seen:
        st.session_state[_SEEN] = prog["done"]
        st.rerun(scope="app")  # new reports are stored: redraw the figures
    st.session_state[_SEEN] = prog["done"]
