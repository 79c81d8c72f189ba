"""What app.py does before and around a page: the database is usable, and a page error reads in Vietnamese.

    require_database()      a bad DATABASE_URL -> a Vietnamese page (st.error + st.stop), never a traceback;
                            a read-only database -> a notice, reading goes on
    prepare_database(fn)    runs ``fn`` (migrate, seed); a failure -> a Vietnamese page
    page_errors()           around ``page.run()``: an error in a page -> a Vietnamese message, traceback in the log

Streamlit's own error box is English and links to outside sites; with
``client.showErrorDetails = "none"`` it says little, so a page's exception is
caught here first.  Streamlit's control flow (st.stop, st.rerun, switch_page)
passes through: those are BaseExceptions, not Exceptions.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Iterator
from typing import NoReturn

import streamlit as st

from storage import health
from ui import data

log = logging.getLogger(__name__)

DATABASE_TITLE = "Không mở được cơ sở dữ liệu"
DATABASE_HINT = (
    "Ứng dụng chưa thể hoạt động. Quản trị hệ thống cần sửa biến môi trường DATABASE_URL "
    "(hoặc cấp quyền cho tệp, thư mục cơ sở dữ liệu) rồi khởi động lại ứng dụng."
)
PAGE_ERROR = (
    "Trang này gặp lỗi ngoài dự kiến nên chưa hiển thị được. Dữ liệu đã lưu không bị ảnh hưởng. "
    "Hãy tải lại trang hoặc chọn trang khác; nếu lỗi lặp lại, báo Văn phòng Đảng ủy kèm mã lỗi {ref}."
)


@st.cache_resource(show_spinner=False)
def _probe(url: str | None) -> bool:
    """The address is usable (else DatabaseUnavailable, not cached); True when the database is read-only."""
    u = health.check_url(url or _default_url())
    opened = health.open_database(u.render_as_string(hide_password=False))
    read_only = opened.read_only
    opened.engine.dispose()
    return read_only


def _default_url() -> str:
    from storage.db import default_url

    return default_url()


def require_database() -> bool:
    """Stop the run with a Vietnamese page when DATABASE_URL cannot be used; True when read-only (noticed)."""
    try:
        read_only = _probe(data.database_url())
    except health.DatabaseUnavailable as exc:
        _stop(str(exc))
    except Exception:  # noqa: BLE001 - whatever else: still a page, the details in the log
        log.exception("database check failed")
        _stop("Không kiểm tra được cơ sở dữ liệu do lỗi ngoài dự kiến.")
    if read_only:
        st.info(health.READ_ONLY_MESSAGE, icon=":material/lock:")
    return read_only


def prepare_database(prepare: Callable[[], object]) -> object:
    """``prepare()`` (data.engine(): migrate, seed); a failure stops the run with a Vietnamese page."""
    try:
        return prepare()
    except health.DatabaseUnavailable as exc:
        _stop(str(exc))
    except Exception:  # noqa: BLE001
        ref = _ref()
        log.exception("database preparation failed [%s]", ref)
        _stop(f"Không chuẩn bị được cơ sở dữ liệu (mã lỗi {ref}).")


def _stop(message: str) -> NoReturn:
    st.error(f"**{DATABASE_TITLE}.** {message}", icon=":material/database:")
    st.caption(DATABASE_HINT)
    st.stop()


def _ref() -> str:
    return uuid.uuid4().hex[:8]


@contextlib.contextmanager
def page_errors() -> Iterator[None]:
    """Run a page; an Exception in it becomes a Vietnamese message (no outside links), logged with its traceback."""
    try:
        yield
    except Exception:  # noqa: BLE001 - st.stop/st.rerun are BaseExceptions and pass through
        ref = _ref()
        log.exception("page error [%s]", ref)
        st.error(PAGE_ERROR.format(ref=ref), icon=":material/error:")
