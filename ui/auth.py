"""Login before anything is shown, and which pages each role may open (issue 12).

``gate(engine)`` runs at the top of app.py on every rerun. It returns the
``Principal`` of a live session, read from the database *now* (role, units,
active), or draws the login page (or the first-start page) and stops the run.

Where the session token lives (see docs/AUTH.md for the reasoning):

- in ``st.session_state[SESSION_KEY]`` (server memory of this browser tab), and
- in the browser as the cookie ``COOKIE`` (``SameSite=Strict``, ``Secure`` on
  https), so a reload or a new tab is still logged in. The browser sends it
  with the WebSocket handshake; ``st.context.cookies`` reads it.

The token is 256 random bits; the database keeps only its SHA-256 with the
account and the session's ends. Nothing the browser holds names a role or a
unit: a changed cookie is an unknown token, i.e. the login page.

With an OpenID Connect provider configured (``[auth]`` in
``.streamlit/secrets.toml``) the person logs in with ``st.login()``; the
e-mail the provider vouches for is mapped to an account (its role and units).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NoReturn

import streamlit as st

from storage import accounts
from storage.accounts import LEADER, OFFICE, ROLES, UNIT, Principal

SESSION_KEY = "auth_token"
PRINCIPAL_KEY = "_auth_principal"
_CLEAR_COOKIE = "_auth_clear_cookie"
_MESSAGE = "_auth_message"
COOKIE = "nq05_session"

# Which roles may open which page (by url_path); pages not named here follow their
# section's rule, else DEFAULT_ROLES. Unit staff see only what is named for them.
PAGE_ROLES: dict[str, set[str]] = {
    "gui-bao-cao": {OFFICE, UNIT},
    "tai-khoan": {OFFICE},
    "tiep-nhan": {OFFICE, LEADER},
    "nhat-ky": {OFFICE, LEADER},
    "ca-nhan": {OFFICE, LEADER, UNIT},
}
SECTION_ROLES: dict[str, set[str]] = {"Quản trị": {OFFICE}}
DEFAULT_ROLES = {OFFICE, LEADER}

CREATE_ADMIN_COMMAND = 'python -m storage.accounts_cli create-admin --username vanphong --name "Văn phòng Đảng ủy"'


# ---------------------------------------------------------------- who is here


def current() -> Principal | None:
    """The principal the gate found in this run (None before the gate or when logged out)."""
    return st.session_state.get(PRINCIPAL_KEY)


def require_login() -> Principal:
    """The principal the gate found; when a page script runs without app.py's gate (Streamlit 1.67
    runs ``pages/<file>.py`` directly as a classic multipage app until the process's first
    st.navigation call), run app.py instead (its gate: the login page) and stop."""
    p = current()
    if p is None:
        from ui.first_request import run_app

        run_app()
        st.stop()
    return p


def require(*roles: str) -> Principal:
    """Stop the page unless the principal has one of ``roles`` (defence in depth under the navigation)."""
    p = require_login()
    if p.role not in roles:
        st.error("Bạn không có quyền xem trang này.", icon=":material/block:")
        st.stop()
    return p


def page_roles(url_path: str, section: str) -> set[str]:
    if url_path in PAGE_ROLES:
        return PAGE_ROLES[url_path]
    return SECTION_ROLES.get(section, DEFAULT_ROLES)


def allowed_pages(pages: dict[str, list], principal: Principal) -> dict[str, list]:
    """The navigation for ``principal``: only the pages its role may open (others are not routable)."""
    out: dict[str, list] = {}
    for section, items in pages.items():
        kept = [p for p in items if principal.role in page_roles(str(p.url_path), section)]
        if kept:
            out[section] = kept
    return out


# ---------------------------------------------------------------- cookie


def _cookie_js(value: str, max_age: int) -> str:
    return (
        "<script>document.cookie = "
        f"'{COOKIE}={value}; Path=/; Max-Age={int(max_age)}; SameSite=Strict'"
        " + (location.protocol === 'https:' ? '; Secure' : '');</script>"
    )


def _sync_cookie(token: str | None, policy: accounts.AccessPolicy) -> None:
    """Have the browser hold ``token`` (or forget it) when its cookie differs."""
    try:
        held = st.context.cookies.get(COOKIE)
    except Exception:  # no browser (AppTest) or no request
        held = None
    if not isinstance(held, str):
        held = None
    if token and held != token:
        st.html(_cookie_js(token, policy.session_hours * 3600), unsafe_allow_javascript=True)
    elif not token and st.session_state.pop(_CLEAR_COOKIE, False):
        st.html(_cookie_js("", 0), unsafe_allow_javascript=True)


def _cookie_token() -> str | None:
    if st.session_state.get(_CLEAR_COOKIE):
        return None  # logged out in this tab: the browser's old cookie no longer counts
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:
        return None
    return value if isinstance(value, str) and value else None


# ---------------------------------------------------------------- OpenID Connect


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml
        return False


def _oidc_principal(engine, policy: accounts.AccessPolicy) -> Principal:
    user = st.user
    if not user.is_logged_in:

        def draw() -> None:
            st.title("Đăng nhập")
            st.write("Đăng nhập bằng tài khoản thư điện tử của cơ quan để dùng hệ thống theo dõi.")
            st.button("Đăng nhập", type="primary", on_click=st.login, icon=":material/login:")

        _only_page(draw, "Đăng nhập", "dang-nhap")
    token = st.session_state.get(SESSION_KEY)
    principal = accounts.resolve_session(engine, token, policy=policy) if token else None
    if principal is None:
        result = accounts.login_by_email(engine, str(user.get("email") or ""), policy=policy)
        if result.principal is None:

            def draw() -> None:
                st.error(result.message, icon=":material/block:")
                st.button("Đăng xuất", on_click=st.logout)

            _only_page(draw, "Đăng nhập", "dang-nhap")
        st.session_state[SESSION_KEY] = result.token
        principal = result.principal
    return principal


# ---------------------------------------------------------------- pages drawn by the gate


def setup_required_page() -> None:
    st.title("Chưa có tài khoản Văn phòng")
    st.error(
        "Cơ sở dữ liệu này chưa có tài khoản Văn phòng Đảng ủy nào, nên hệ thống chưa mở. "
        "Người quản trị máy chủ tạo tài khoản đầu tiên bằng lệnh dưới đây (chạy trong thư mục của ứng dụng, "
        "mật khẩu được hỏi khi chạy lệnh), rồi tải lại trang này.",
        icon=":material/admin_panel_settings:",
    )
    st.code(CREATE_ADMIN_COMMAND, language="bash")


def _login_submitted(engine, policy: accounts.AccessPolicy) -> None:
    result = accounts.login(
        engine, st.session_state.get("login_username", ""), st.session_state.get("login_password", ""), policy=policy
    )
    st.session_state["login_password"] = ""
    if result.principal is None:
        st.session_state[_MESSAGE] = result.message
        return
    st.session_state.pop(_MESSAGE, None)
    st.session_state.pop(_CLEAR_COOKIE, None)
    st.session_state[SESSION_KEY] = result.token


def login_page(engine, policy: accounts.AccessPolicy) -> None:
    left, mid, right = st.columns([1, 2, 1])
    with mid:
        st.title("Đăng nhập")
        st.caption("Hệ thống theo dõi quán triệt, thực hiện Nghị quyết của Đảng ủy phường.")
        with st.form("login_form", border=True):
            st.text_input("Tên đăng nhập", key="login_username", autocomplete="username")
            st.text_input("Mật khẩu", type="password", key="login_password", autocomplete="current-password")
            st.form_submit_button(
                "Đăng nhập",
                type="primary",
                icon=":material/login:",
                on_click=_login_submitted,
                args=(engine, policy),
                width="stretch",
            )
        message = st.session_state.get(_MESSAGE)
        if message:
            st.error(message, icon=":material/error:")
        demo = accounts.demo_accounts_present(engine)
        if demo:
            lines = "\n".join(f"| {ROLES[a['role']]} | **{a['username']}** | **{a['password']}** |" for a in demo)
            st.info(
                "**Dữ liệu mẫu** — các tài khoản dùng thử:\n\n| Vai trò | Tên đăng nhập | Mật khẩu |\n|---|---|---|\n"
                + lines,
                icon=":material/info:",
            )


def _change_password_submitted(engine, principal: Principal, policy: accounts.AccessPolicy) -> None:
    ss = st.session_state
    new, again = ss.get("pw_new", ""), ss.get("pw_again", "")
    if new != again:
        ss["_pw_message"] = ("error", "Hai lần nhập mật khẩu mới không khớp.")
        return
    try:
        accounts.change_own_password(engine, principal, ss.get("pw_old", ""), new, policy)
    except accounts.AccountError as err:
        ss["_pw_message"] = ("error", str(err))
        return
    ss["_pw_message"] = ("success", "Đã đổi mật khẩu.")
    for k in ("pw_old", "pw_new", "pw_again"):
        ss[k] = ""


def change_password_form(engine, principal: Principal, policy: accounts.AccessPolicy = accounts.POLICY) -> None:
    with st.form("change_password", border=True):
        st.text_input("Mật khẩu hiện tại", type="password", key="pw_old", autocomplete="current-password")
        st.text_input(
            "Mật khẩu mới",
            type="password",
            key="pw_new",
            autocomplete="new-password",
            help=f"Ít nhất {policy.min_password_length} ký tự.",
        )
        st.text_input("Nhập lại mật khẩu mới", type="password", key="pw_again", autocomplete="new-password")
        st.form_submit_button(
            "Đổi mật khẩu", type="primary", on_click=_change_password_submitted, args=(engine, principal, policy)
        )
    msg = st.session_state.pop("_pw_message", None)
    if msg:
        (st.success if msg[0] == "success" else st.error)(msg[1])


def _logout(engine) -> None:
    token = st.session_state.pop(SESSION_KEY, None)
    principal = st.session_state.pop(PRINCIPAL_KEY, None)
    accounts.logout(engine, token, principal)
    st.session_state[_CLEAR_COOKIE] = True
    if oidc_configured():
        st.logout()


def logout_button(engine, where=None, key: str = "auth_logout") -> None:
    (where or st).button("Đăng xuất", icon=":material/logout:", on_click=_logout, args=(engine,), key=key)


def account_box(engine, principal: Principal) -> None:
    """Who is logged in, with the logout button (sidebar)."""
    with st.sidebar:
        units = f" · {', '.join(principal.units)}" if principal.units else ""
        st.caption(f"Đang đăng nhập: **{md_text(principal.display_name)}** ({ROLES[principal.role]}{units})")
        logout_button(engine)


# ---------------------------------------------------------------- the gate


# The app's page addresses (app.py sets them). The gate's page answers on each of them, so a link
# to any page opened before login shows the login form, not Streamlit's English "Page not found"
# dialog, and the URL still names the page the person asked for.
ROUTES: list[str] = []


def _only_page(draw, title: str, url_path: str) -> NoReturn:
    """Run ``draw`` as the one page of a hidden navigation, then stop: whatever URL was asked for,
    nothing else is routable (without st.navigation Streamlit would list the pages/ folder)."""
    pages = [st.Page(draw, title=title, url_path=url_path, icon=":material/lock:")]
    pages += [
        st.Page(draw, title=title, url_path=path, icon=":material/lock:", visibility="hidden")
        for path in dict.fromkeys(ROUTES)
        if path and path != url_path
    ]
    st.navigation(pages, position="hidden").run()
    st.stop()


def gate(engine, policy: accounts.AccessPolicy = accounts.POLICY) -> Principal:
    """The logged-in principal, or the login / first-start / change-password page and a stop."""
    st.session_state.pop(PRINCIPAL_KEY, None)
    if not accounts.has_office_account(engine):
        _only_page(setup_required_page, "Chưa có tài khoản Văn phòng", "thiet-lap")
    principal: Principal | None
    if oidc_configured():
        principal = _oidc_principal(engine, policy)
    else:
        principal = None
        token = st.session_state.get(SESSION_KEY)
        if token:
            principal = accounts.resolve_session(engine, token, policy=policy)
            if principal is None:
                st.session_state.pop(SESSION_KEY, None)
                st.session_state[_MESSAGE] = "Phiên làm việc đã hết hạn; mời đăng nhập lại."
        if principal is None:
            token = _cookie_token()
            principal = accounts.resolve_session(engine, token, policy=policy) if token else None
            if principal is not None:
                st.session_state[SESSION_KEY] = token
        if principal is None:
            _sync_cookie(None, policy)
            _only_page(lambda: login_page(engine, policy), "Đăng nhập", "dang-nhap")
        _sync_cookie(st.session_state.get(SESSION_KEY), policy)
    st.session_state[PRINCIPAL_KEY] = principal
    if principal.must_change_password:

        def draw() -> None:
            st.title("Đổi mật khẩu")
            st.warning(
                "Mật khẩu của bạn do Văn phòng Đảng ủy đặt tạm thời: hãy đặt mật khẩu mới trước khi dùng hệ thống.",
                icon=":material/key:",
            )
            change_password_form(engine, principal, policy)
            logout_button(engine)

        _only_page(draw, "Đổi mật khẩu", "doi-mat-khau")
    return principal


def audited(build, kind: str, **detail):
    """A download's data callable that writes an "export" audit line (who, what, when) each time
    the file is built. The principal and engine are taken now: the callable may run outside the
    script run, when the browser asks for the file."""
    from ui import data

    principal, engine = current(), data.engine()

    def run() -> bytes:
        content = build()
        accounts.audit_event(engine, principal, "export", entity=kind, detail={**detail, "bytes": len(content)})
        return content

    return run


def md_text(text: str) -> str:
    """``text`` safe inside Markdown (names typed by people)."""
    out = str(text)
    for ch in "\\`*_{}[]()#+-.!|<>~$":
        out = out.replace(ch, "\\" + ch)
    return out


def role_label(role: str) -> str:
    return ROLES.get(role, role)


def unit_options(principal: Principal, codes: Iterable[str]) -> list[str]:
    """The unit codes among ``codes`` that ``principal`` may act for (office: all)."""
    return [c for c in codes if principal.may_act_for(c)]
