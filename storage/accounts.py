"""Accounts, passwords, login sessions and the audit trail (issue 12).

- Passwords are hashed with argon2id (``argon2-cffi``); a hash made with older
  parameters is upgraded at the next successful login.
- ``POLICY.max_failed_logins`` wrong passwords in a row lock the account for
  ``POLICY.lockout_minutes``; the failures, the lock and the login are audited.
- A login creates a session: a random 256-bit token handed to the browser; the
  database keeps only its SHA-256, the account, and two ends: ``last_seen`` +
  ``POLICY.idle_minutes`` (inactivity) and ``expires_at`` (absolute).
- ``resolve_session`` turns a token into a ``Principal`` *from the database*
  (role and units are read again on every call: a change made by the office
  counts at the next rerun; a deactivated account is logged out at once).

Nothing here knows Streamlit; ``ui/auth.py`` draws the login and holds the token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from storage import models as m
from storage.ingest import local_now
from storage.registry import ward_id

ROLES = {"leader": "Lãnh đạo", "office": "Văn phòng", "unit": "Cán bộ đơn vị"}
OFFICE, LEADER, UNIT = "office", "leader", "unit"


@dataclass(frozen=True)
class AccessPolicy:
    """Every number of the access rules, in one place (passed in explicitly where used)."""

    max_failed_logins: int = 5
    lockout_minutes: int = 15
    idle_minutes: int = 30  # a session unused this long ends
    session_hours: int = 12  # and any session ends this long after login
    min_password_length: int = 10
    uploads_per_day: int = 30  # per account, unless the account says otherwise
    upload_bytes_per_day: int = 100 * 1024 * 1024


POLICY = AccessPolicy()


# The sample ward's demo accounts: created only when the sample ward is seeded into a new
# database, and named with their passwords on the login page of such a database.
class DemoAccount(TypedDict):
    username: str
    password: str
    display_name: str
    role: str
    units: NotRequired[tuple[str, ...]]


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    {"username": "vanphong", "password": "vanphong-demo", "display_name": "Văn phòng Đảng ủy (demo)", "role": OFFICE},
    {"username": "lanhdao", "password": "lanhdao-demo", "display_name": "Lãnh đạo Đảng ủy (demo)", "role": LEADER},
    {
        "username": "donvi",
        "password": "donvi-demo",
        "display_name": "Cán bộ Chi bộ Khu dân cư số 1 (demo)",
        "role": UNIT,
        "units": ("KDC01",),
    },
)


def new_hasher() -> PasswordHasher:
    """The app's password hasher: argon2id at argon2-cffi's default cost (64 MiB, 3 passes)."""
    return PasswordHasher()


_hasher = new_hasher()


class AccountError(ValueError):
    """A refused account operation; ``str(err)`` is the Vietnamese message for the user."""


@dataclass(frozen=True)
class Principal:
    """Who is acting, as the database says now."""

    account_id: int
    username: str
    display_name: str
    role: str
    units: tuple[str, ...] = ()  # unit codes (unit staff only)
    must_change_password: bool = False

    @property
    def label(self) -> str:
        """The name written on submissions and in the audit log."""
        return f"{self.display_name} ({self.username})"

    @property
    def is_office(self) -> bool:
        return self.role == OFFICE

    @property
    def sees_everything(self) -> bool:
        """Office and leadership read every unit's figures; unit staff only their own."""
        return self.role in (OFFICE, LEADER)

    def may_act_for(self, unit_code: str | None) -> bool:
        """May send reports for, and read the files of, ``unit_code``."""
        if not unit_code:
            return False
        return self.role == OFFICE or (self.role == UNIT and unit_code in self.units)

    def may_read_unit(self, unit_code: str | None) -> bool:
        return self.sees_everything or (unit_code is not None and unit_code in self.units)

    @property
    def scope(self) -> tuple:
        """A hashable description of what this principal may see (part of every scoped cache key)."""
        return ("all",) if self.sees_everything else ("units", *sorted(self.units))


@dataclass
class LoginResult:
    principal: Principal | None = None
    token: str | None = None
    message: str = ""  # Vietnamese, shown when refused
    extra: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- audit


def audit(
    conn: Connection,
    action: str,
    *,
    actor: str = "",
    account_id: int | None = None,
    entity: str = "",
    entity_id: Any = "",
    detail: dict | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Append one line to the audit log (inside the caller's transaction)."""
    conn.execute(
        insert(m.AuditLog).values(
            at=at or local_now(),
            actor=actor or "",
            account_id=account_id,
            action=action,
            entity=entity,
            entity_id=str(entity_id) if entity_id is not None else "",
            detail=detail or {},
        )
    )


def audit_event(engine: Engine, principal: Principal | None, action: str, **kw: Any) -> None:
    """One audit line in its own transaction (exports, page-level events)."""
    with engine.begin() as conn:
        audit(
            conn,
            action,
            actor=principal.label if principal else kw.pop("actor", ""),
            account_id=principal.account_id if principal else None,
            **kw,
        )


# ---------------------------------------------------------------- passwords


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_rules(password: str, policy: AccessPolicy = POLICY, username: str = "") -> None:
    if len(password) < policy.min_password_length:
        raise AccountError(f"Mật khẩu phải có ít nhất {policy.min_password_length} ký tự.")
    if username and password.strip().lower() == username.strip().lower():
        raise AccountError("Mật khẩu không được trùng tên đăng nhập.")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- accounts


def _unit_ids(conn: Connection, codes) -> list[int]:
    codes = [str(c) for c in codes or ()]
    if not codes:
        return []
    wid = ward_id(conn)
    found = dict(
        conn.execute(select(m.Unit.code, m.Unit.id).where(m.Unit.ward_id == wid, m.Unit.code.in_(codes))).all()
    )
    missing = [c for c in codes if c not in found]
    if missing:
        raise AccountError(f"Không có đơn vị mã {', '.join(missing)} trong danh mục.")
    return [found[c] for c in codes]


def create_account(
    engine: Engine,
    username: str,
    display_name: str,
    role: str,
    *,
    password: str | None = None,
    units=(),
    email: str | None = None,
    must_change_password: bool = True,
    demo: bool = False,
    by: Principal | None = None,
    policy: AccessPolicy = POLICY,
    check_rules: bool = True,
) -> int:
    """Create an account; returns its id. ``must_change_password``: the first login asks for a new one."""
    username = (username or "").strip().lower()
    display_name = (display_name or "").strip()
    if not username or not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
        raise AccountError("Tên đăng nhập chỉ gồm chữ, số và các dấu . _ - (không dấu cách).")
    if not display_name:
        raise AccountError("Nhập họ tên (hoặc tên bộ phận) của tài khoản.")
    if role not in ROLES:
        raise AccountError("Vai trò không hợp lệ.")
    if role == UNIT and not units:
        raise AccountError("Tài khoản cán bộ đơn vị phải gắn với ít nhất một đơn vị.")
    if password is not None and check_rules:
        check_password_rules(password, policy, username)
    with engine.begin() as conn:
        if conn.execute(select(m.Account.id).where(m.Account.username == username)).first():
            raise AccountError(f"Tên đăng nhập «{username}» đã có.")
        email = (email or "").strip().lower() or None
        if email and conn.execute(select(m.Account.id).where(m.Account.email == email)).first():
            raise AccountError(f"Thư điện tử «{email}» đã gắn với tài khoản khác.")
        unit_ids = _unit_ids(conn, units) if role == UNIT else []
        aid = conn.execute(
            insert(m.Account)
            .values(
                username=username,
                display_name=display_name,
                role=role,
                email=email,
                password_hash=hash_password(password) if password is not None else None,
                must_change_password=bool(must_change_password),
                active=True,
                demo=demo,
                failed_logins=0,
                created_at=local_now(),
            )
            .returning(m.Account.id)
        ).scalar_one()
        if unit_ids:
            conn.execute(insert(m.AccountUnit), [{"account_id": aid, "unit_id": u} for u in unit_ids])
        audit(
            conn,
            "account_created",
            actor=by.label if by else "dòng lệnh",
            account_id=by.account_id if by else None,
            entity="account",
            entity_id=aid,
            detail={"username": username, "role": role, "units": list(units or ()), "email": email},
        )
    return aid


def update_account(
    engine: Engine,
    account_id: int,
    *,
    by: Principal,
    display_name: str | None = None,
    role: str | None = None,
    units=None,
    email: str | None = None,
    active: bool | None = None,
    upload_limit_count: int | None = None,
    upload_limit_bytes: int | None = None,
) -> None:
    """Change an account (office only); every change is audited with the old and new values."""
    if not by.is_office:
        raise AccountError("Chỉ Văn phòng Đảng ủy được sửa tài khoản.")
    with engine.begin() as conn:
        acc = conn.execute(select(m.Account).where(m.Account.id == account_id)).first()
        if acc is None:
            raise AccountError("Không có tài khoản này.")
        new_role = role or acc.role
        if new_role not in ROLES:
            raise AccountError("Vai trò không hợp lệ.")
        changes: dict[str, Any] = {}
        values: dict[str, Any] = {}
        if display_name is not None and display_name.strip() and display_name.strip() != acc.display_name:
            values["display_name"] = display_name.strip()
        if new_role != acc.role:
            values["role"] = new_role
        if email is not None:
            e = email.strip().lower() or None
            if e != acc.email:
                if e and conn.execute(select(m.Account.id).where(m.Account.email == e, m.Account.id != acc.id)).first():
                    raise AccountError(f"Thư điện tử «{e}» đã gắn với tài khoản khác.")
                values["email"] = e
        if active is not None and bool(active) != acc.active:
            if acc.id == by.account_id and not active:
                raise AccountError("Không thể tự khóa tài khoản của chính mình.")
            values["active"] = bool(active)
        if upload_limit_count != acc.upload_limit_count:
            values["upload_limit_count"] = upload_limit_count
        if upload_limit_bytes != acc.upload_limit_bytes:
            values["upload_limit_bytes"] = upload_limit_bytes
        if (values.get("role") not in (None, OFFICE) or values.get("active") is False) and acc.role == OFFICE:
            others = conn.execute(
                select(func.count())
                .select_from(m.Account)
                .where(m.Account.role == OFFICE, m.Account.active, m.Account.id != acc.id)
            ).scalar_one()
            if not others:
                raise AccountError("Phải còn ít nhất một tài khoản Văn phòng đang hoạt động.")
        old_units = account_units(conn, acc.id)
        new_units = list(units) if units is not None else old_units
        if new_role != UNIT:
            new_units = []
        elif not new_units:
            raise AccountError("Tài khoản cán bộ đơn vị phải gắn với ít nhất một đơn vị.")
        if sorted(new_units) != sorted(old_units):
            ids = _unit_ids(conn, new_units)
            conn.execute(delete(m.AccountUnit).where(m.AccountUnit.account_id == acc.id))
            if ids:
                conn.execute(insert(m.AccountUnit), [{"account_id": acc.id, "unit_id": u} for u in ids])
            changes["units"] = [sorted(old_units), sorted(new_units)]
        for k, v in values.items():
            changes[k] = [getattr(acc, k), v]
        if not changes:
            return
        if values:
            conn.execute(update(m.Account).where(m.Account.id == acc.id).values(**values))
        if "active" in values and not values["active"] or "role" in values or "units" in changes:
            # a narrower account must log in again
            conn.execute(delete(m.AuthSession).where(m.AuthSession.account_id == acc.id))
        audit(
            conn,
            "account_changed",
            actor=by.label,
            account_id=by.account_id,
            entity="account",
            entity_id=acc.id,
            detail={"username": acc.username, "changes": changes},
        )


def reset_password(engine: Engine, account_id: int, new_password: str, *, by: Principal, policy: AccessPolicy = POLICY):
    """The office sets a temporary password; the user must change it at the next login."""
    if not by.is_office:
        raise AccountError("Chỉ Văn phòng Đảng ủy được đặt lại mật khẩu.")
    with engine.begin() as conn:
        acc = conn.execute(select(m.Account).where(m.Account.id == account_id)).first()
        if acc is None:
            raise AccountError("Không có tài khoản này.")
        check_password_rules(new_password, policy, acc.username)
        conn.execute(
            update(m.Account)
            .where(m.Account.id == acc.id)
            .values(
                password_hash=hash_password(new_password),
                must_change_password=True,
                failed_logins=0,
                locked_until=None,
            )
        )
        conn.execute(delete(m.AuthSession).where(m.AuthSession.account_id == acc.id))
        audit(
            conn,
            "password_reset",
            actor=by.label,
            account_id=by.account_id,
            entity="account",
            entity_id=acc.id,
            detail={"username": acc.username},
        )


def change_own_password(
    engine: Engine, principal: Principal, old_password: str, new_password: str, policy: AccessPolicy = POLICY
) -> None:
    with engine.begin() as conn:
        acc = conn.execute(select(m.Account).where(m.Account.id == principal.account_id)).one()
        if not _verify(acc.password_hash, old_password):
            raise AccountError("Mật khẩu hiện tại không đúng.")
        check_password_rules(new_password, policy, acc.username)
        if new_password == old_password:
            raise AccountError("Mật khẩu mới phải khác mật khẩu cũ.")
        conn.execute(
            update(m.Account)
            .where(m.Account.id == acc.id)
            .values(password_hash=hash_password(new_password), must_change_password=False)
        )
        audit(
            conn,
            "password_changed",
            actor=principal.label,
            account_id=principal.account_id,
            entity="account",
            entity_id=acc.id,
            detail={"username": acc.username},
        )


def account_units(conn: Connection, account_id: int) -> list[str]:
    return [
        str(c)
        for c in conn.execute(
            select(m.Unit.code)
            .join(m.AccountUnit, m.AccountUnit.unit_id == m.Unit.id)
            .where(m.AccountUnit.account_id == account_id)
            .order_by(m.Unit.position, m.Unit.code)
        ).scalars()
    ]


def list_accounts(engine: Engine):
    """Every account with its units (a frame for the accounts page)."""
    import pandas as pd

    with engine.connect() as conn:
        accs = conn.execute(select(m.Account).order_by(m.Account.role, m.Account.username)).all()
        units: dict[int, list[str]] = {}
        for aid, code in conn.execute(
            select(m.AccountUnit.account_id, m.Unit.code).join(m.Unit, m.Unit.id == m.AccountUnit.unit_id)
        ):
            units.setdefault(aid, []).append(str(code))
    return pd.DataFrame(
        [
            {
                "id": a.id,
                "username": a.username,
                "display_name": a.display_name,
                "role": a.role,
                "units": ", ".join(sorted(units.get(a.id, []))),
                "email": a.email or "",
                "active": bool(a.active),
                "must_change_password": bool(a.must_change_password),
                "locked_until": a.locked_until,
                "last_login_at": a.last_login_at,
                "upload_limit_count": a.upload_limit_count,
                "upload_limit_bytes": a.upload_limit_bytes,
            }
            for a in accs
        ],
        columns=[
            "id",
            "username",
            "display_name",
            "role",
            "units",
            "email",
            "active",
            "must_change_password",
            "locked_until",
            "last_login_at",
            "upload_limit_count",
            "upload_limit_bytes",
        ],
    )


def has_office_account(engine: Engine) -> bool:
    """True when an active office account exists (the app refuses to start without one)."""
    with engine.connect() as conn:
        return (
            conn.execute(select(m.Account.id).where(m.Account.role == OFFICE, m.Account.active).limit(1)).first()
            is not None
        )


def demo_accounts_present(engine: Engine) -> list[DemoAccount]:
    """The demo accounts of this database (named on the login page), or [] for a real deployment."""
    with engine.connect() as conn:
        names = set(conn.execute(select(m.Account.username).where(m.Account.demo, m.Account.active)).scalars())
    return [a for a in DEMO_ACCOUNTS if a["username"] in names]


def ensure_demo_accounts(engine: Engine) -> None:
    """Create the sample ward's demo accounts that are missing (sample databases and tests only)."""
    with engine.connect() as conn:
        have = set(conn.execute(select(m.Account.username)).scalars())
    for a in DEMO_ACCOUNTS:
        if a["username"] in have:
            continue
        create_account(
            engine,
            a["username"],
            a["display_name"],
            a["role"],
            password=a["password"],
            units=a.get("units", ()),
            must_change_password=False,
            demo=True,
            check_rules=False,
        )


# ---------------------------------------------------------------- login and sessions


def _verify(hashed: str | None, password: str) -> bool:
    if not hashed:
        return False
    try:
        return _hasher.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _load_principal(conn: Connection, acc) -> Principal:
    return Principal(
        account_id=acc.id,
        username=acc.username,
        display_name=acc.display_name,
        role=acc.role,
        units=tuple(account_units(conn, acc.id)) if acc.role == UNIT else (),
        must_change_password=bool(acc.must_change_password),
    )


def _new_session(conn: Connection, account_id: int, now: dt.datetime, policy: AccessPolicy) -> str:
    token = secrets.token_urlsafe(32)
    conn.execute(
        insert(m.AuthSession).values(
            token_hash=_token_hash(token),
            account_id=account_id,
            created_at=now,
            last_seen=now,
            expires_at=now + dt.timedelta(hours=policy.session_hours),
        )
    )
    return token


def login(
    engine: Engine, username: str, password: str, *, now: dt.datetime | None = None, policy: AccessPolicy = POLICY
) -> LoginResult:
    """Check a username and password; on success a new session token. Failures count towards a lock."""
    now = now or local_now()
    username = (username or "").strip().lower()
    refused = "Tên đăng nhập hoặc mật khẩu không đúng."
    with engine.begin() as conn:
        acc = conn.execute(select(m.Account).where(m.Account.username == username)).first()
        if acc is None or not acc.active:
            _verify(None, password)
            audit(
                conn, "login_failed", actor=username[:200], entity="account", detail={"reason": "unknown_or_inactive"}
            )
            return LoginResult(message=refused)
        label = f"{acc.display_name} ({acc.username})"
        if acc.locked_until is not None and acc.locked_until > now:
            audit(conn, "login_failed", actor=label, account_id=acc.id, entity="account", entity_id=acc.id,
                  detail={"reason": "locked"})  # fmt: skip
            return LoginResult(
                message=f"Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần; thử lại sau "
                f"{acc.locked_until:%H:%M %d/%m/%Y} hoặc nhờ Văn phòng Đảng ủy đặt lại mật khẩu."
            )
        if not _verify(acc.password_hash, password):
            failures = (acc.failed_logins or 0) + 1
            values: dict[str, Any] = {"failed_logins": failures}
            detail: dict[str, Any] = {"reason": "wrong_password", "failures": failures}
            message = refused
            if failures >= policy.max_failed_logins:
                values.update(failed_logins=0, locked_until=now + dt.timedelta(minutes=policy.lockout_minutes))
                detail["locked_minutes"] = policy.lockout_minutes
                message = f"Nhập sai mật khẩu {failures} lần: tài khoản tạm khóa {policy.lockout_minutes} phút."
            conn.execute(update(m.Account).where(m.Account.id == acc.id).values(**values))
            audit(conn, "login_failed", actor=label, account_id=acc.id, entity="account", entity_id=acc.id,
                  detail=detail)  # fmt: skip
            return LoginResult(message=message)
        values = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
        if _hasher.check_needs_rehash(acc.password_hash):
            values["password_hash"] = hash_password(password)
        conn.execute(update(m.Account).where(m.Account.id == acc.id).values(**values))
        token = _new_session(conn, acc.id, now, policy)
        audit(conn, "login", actor=label, account_id=acc.id, entity="account", entity_id=acc.id,
              detail={"method": "password"})  # fmt: skip
        return LoginResult(principal=_load_principal(conn, acc), token=token)


def login_by_email(
    engine: Engine, email: str, *, now: dt.datetime | None = None, policy: AccessPolicy = POLICY
) -> LoginResult:
    """An OpenID Connect login (identity checked by the provider): map the e-mail to an active account."""
    now = now or local_now()
    email = (email or "").strip().lower()
    with engine.begin() as conn:
        acc = None
        if email:
            acc = conn.execute(select(m.Account).where(m.Account.email == email)).first()
        if acc is None or not acc.active:
            audit(conn, "login_failed", actor=email[:200], entity="account", detail={"reason": "oidc_no_account"})
            return LoginResult(message="Tài khoản thư điện tử này chưa được Văn phòng Đảng ủy cấp quyền dùng hệ thống.")
        conn.execute(update(m.Account).where(m.Account.id == acc.id).values(last_login_at=now))
        token = _new_session(conn, acc.id, now, policy)
        audit(conn, "login", actor=f"{acc.display_name} ({acc.username})", account_id=acc.id, entity="account",
              entity_id=acc.id, detail={"method": "oidc", "email": email})  # fmt: skip
        principal = _load_principal(conn, acc)
        # the provider vouches for the person: no local password to change
        return LoginResult(principal=Principal(**{**principal.__dict__, "must_change_password": False}), token=token)


def start_session(engine: Engine, account_id: int, *, now: dt.datetime | None = None, policy: AccessPolicy = POLICY):
    """A session token for an account, as after a login (used by the test helpers, never by the app)."""
    with engine.begin() as conn:
        return _new_session(conn, account_id, now or local_now(), policy)


def resolve_session(
    engine: Engine,
    token: str | None,
    *,
    now: dt.datetime | None = None,
    policy: AccessPolicy = POLICY,
    touch_every_s: int = 30,
) -> Principal | None:
    """The principal of a live session, read from the database now; None when the token is unknown,
    idle for longer than ``policy.idle_minutes``, past its absolute end, or its account is inactive.
    A live session's ``last_seen`` moves on (at most every ``touch_every_s`` seconds)."""
    if not token or len(token) > 200:
        return None
    now = now or local_now()
    h = _token_hash(token)
    with engine.begin() as conn:
        sess = conn.execute(
            select(m.AuthSession.id, m.AuthSession.last_seen, m.AuthSession.expires_at, m.AuthSession.account_id).where(
                m.AuthSession.token_hash == h
            )
        ).first()
        if sess is None:
            return None
        acc = conn.execute(select(m.Account).where(m.Account.id == sess.account_id)).first()
        if acc is None:
            return None
        idle_end = sess.last_seen + dt.timedelta(minutes=policy.idle_minutes)
        if not acc.active or now >= sess.expires_at or now >= idle_end:
            conn.execute(delete(m.AuthSession).where(m.AuthSession.id == sess.id))
            if acc.active:
                audit(conn, "session_expired", actor=f"{acc.display_name} ({acc.username})", account_id=acc.id,
                      entity="account", entity_id=acc.id)  # fmt: skip
            return None
        if (now - sess.last_seen).total_seconds() >= touch_every_s:
            conn.execute(update(m.AuthSession).where(m.AuthSession.id == sess.id).values(last_seen=now))
        return _load_principal(conn, acc)


def logout(engine: Engine, token: str | None, principal: Principal | None = None) -> None:
    if not token:
        return
    with engine.begin() as conn:
        conn.execute(delete(m.AuthSession).where(m.AuthSession.token_hash == _token_hash(token)))
        if principal is not None:
            audit(conn, "logout", actor=principal.label, account_id=principal.account_id, entity="account",
                  entity_id=principal.account_id)  # fmt: skip


def purge_sessions(engine: Engine, *, now: dt.datetime | None = None, policy: AccessPolicy = POLICY) -> int:
    """Delete ended sessions; returns how many."""
    now = now or local_now()
    with engine.begin() as conn:
        res = conn.execute(
            delete(m.AuthSession).where(
                (m.AuthSession.expires_at <= now)
                | (m.AuthSession.last_seen <= now - dt.timedelta(minutes=policy.idle_minutes))
            )
        )
    return res.rowcount or 0
