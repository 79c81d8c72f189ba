"""Shared parts of the Quản trị pages: who is acting, running an edit, Vietnamese labels.

An edit runs ``storage.admin.<fn>(engine, ..., actor=actor())``; a refusal
(``RegistryError``) is shown as an error under the form and nothing changes; a
success is remembered, the page reruns (its tables show the change) and the
message is shown at the top.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from storage import admin
from storage.admin import CADENCES, GROUP_CADENCES, RegistryError
from ui import data

FLASH = "_admin_flash"
FORM_LABELS = {
    "tasks": "Biểu 01 (tiến độ nhiệm vụ)",
    "propaganda": "Biểu 02 (tuyên truyền)",
    "attendance": "Biểu 03 (tham dự)",
}
PLACEHOLDER_ACTOR = "Văn phòng Đảng ủy"


def actor() -> str:
    """The signed-in person as the history shows them (the login of ui.auth; a placeholder without it)."""
    try:
        from ui import auth

        principal = auth.current()
    except Exception:  # noqa: BLE001 - no auth module or no session: the office placeholder
        principal = None
    if principal is not None:
        return (
            f"{principal.display_name} ({principal.username})"
            if getattr(principal, "username", "")
            else str(principal.display_name)
        )
    return PLACEHOLDER_ACTOR


def engine():
    return data.engine()


def require_office():
    """Stop the page unless the office is signed in (the navigation hides Quản trị from others too)."""
    from ui import auth

    return auth.require("office")


def run(fn: Callable[..., Any], *args: Any, done: str, **kwargs: Any) -> bool:
    """Run a storage.admin edit as the current actor; show a refusal here, or remember ``done`` and rerun."""
    try:
        fn(engine(), *args, actor=actor(), **kwargs)
    except RegistryError as exc:
        st.error(exc.message, icon=":material/block:")
        return False
    st.session_state[FLASH] = done
    st.rerun()
    return True


def flash() -> None:
    """The message of the last successful edit (once)."""
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def read_book(data: bytes, filename: str):
    """A registry workbook read and checked against what the ward already has (loaders.registry_book)."""
    from loaders.registry_book import read_registry_book

    codes, groups = admin.known_names(engine())
    return read_registry_book(data, filename, known_units=codes, known_groups=groups)


def blank_book() -> bytes:
    from loaders.registry_book import write_registry_book

    return write_registry_book([], {}, [])


def forms_text(forms: str) -> str:
    return ", ".join(FORM_LABELS.get(f, f).split(" (")[0] for f in (forms or "").split(",") if f)


def cadence_label(value: str) -> str:
    return CADENCES.get(value, GROUP_CADENCES.get(value, value))


def setup_notice(state: dict[str, Any]) -> None:
    """What a ward still needs before reports can be received, with the pages that set it up."""
    if state["ready"]:
        return
    st.warning(
        "Phường chưa thiết lập xong, còn thiếu: " + ", ".join(state["missing"]) + ". "
        "Văn phòng thiết lập trong mục Quản trị (Thiết lập phường; Đơn vị, nhóm; Kế hoạch) "
        "hoặc nhập một tệp Excel theo mẫu ở trang Thiết lập phường.",
        icon=":material/construction:",
    )


__all__ = ["admin", "RegistryError", "actor", "run", "flash", "forms_text", "cadence_label", "setup_notice"]


def registry_page(title: str) -> tuple[Any, dict[str, Any]]:
    """The start of a Quản trị page that edits the registry: office only, its title, the last
    edit's note, and the ward's state; stops with a pointer to Thiết lập phường while the ward
    has no name. Returns (engine, state)."""
    require_office()
    st.title(title)
    flash()
    eng = engine()
    state = admin.ward_state(eng)
    if not state["ward"]:
        st.info("Hãy nhập tên phường trước (Quản trị › Thiết lập phường).", icon=":material/flag:")
        st.stop()
    setup_notice(state)
    return eng, state
