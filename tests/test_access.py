"""Issue 12, storage side, on SQLite and PostgreSQL: accounts, lockout, sessions and their expiry,
the authorization of every read and write of a unit's reports (permission matrix), review locks,
closed periods, daily upload limits, and an audit line (once, with who and when) for each action."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from storage import accounts, review
from storage import models as m
from storage import queries as q
from storage.accounts import AccessPolicy, AccountError, Principal
from storage.ingest import local_now
from tests.storage_helpers import (
    BACKENDS,
    count_all,
    engine_for,
    fake_bytes,
    make_result,
    sample_propaganda,
    sample_tasks,
)

PASSWORD = "mat-khau-dung-1"


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path):
    yield from engine_for(request.param, tmp_path)


def _account(engine, username: str, role: str, units=()) -> Principal:
    aid = accounts.create_account(
        engine, username, f"Người {username}", role, password=PASSWORD, units=units, must_change_password=False
    )
    result = accounts.login(engine, username, PASSWORD)
    assert result.principal is not None and result.principal.account_id == aid
    return result.principal


@pytest.fixture
def people(engine):
    return {
        "office": _account(engine, "vp.test", "office"),
        "leader": _account(engine, "ld.test", "leader"),
        "unit": _account(engine, "kdc01.test", "unit", units=("KDC01",)),
        "unit2": _account(engine, "kdc02.test", "unit", units=("KDC02", "KDC03")),
    }


def _audit(engine, action: str, **where) -> list:
    a = m.AuditLog
    stmt = select(a.actor, a.account_id, a.at, a.entity_id, a.detail).where(a.action == action)
    for k, v in where.items():
        stmt = stmt.where(getattr(a, k) == v)
    with engine.connect() as c:
        return c.execute(stmt).all()


def _result(unit: str, period: str = "2026-02", n: int = 1):
    return make_result(unit, period, f"{unit}-{period}-{n}.xlsx", tasks=sample_tasks(), propaganda=sample_propaganda())


def _send(engine, who: Principal, unit: str, period: str = "2026-02", n: int = 1, **kw):
    return review.store_upload(
        engine, who, _result(unit, period, n), fake_bytes(unit, period, n), f"{unit}-{n}.xlsx", **kw
    )


# ---------------------------------------------------------------- passwords, lockout


def test_password_is_stored_as_argon2id_hash_only(engine):
    _account(engine, "a.user", "leader")
    with engine.connect() as c:
        h = c.execute(select(m.Account.password_hash).where(m.Account.username == "a.user")).scalar_one()
    assert h.startswith("$argon2id$") and PASSWORD not in h


def test_wrong_password_refused_and_audited_once_then_lockout(engine):
    _account(engine, "b.user", "office")
    policy = AccessPolicy(max_failed_logins=3, lockout_minutes=15)
    now = local_now()
    for _ in range(2):
        r = accounts.login(engine, "b.user", "sai", now=now, policy=policy)
        assert r.principal is None and r.message == "Tên đăng nhập hoặc mật khẩu không đúng."
    r = accounts.login(engine, "b.user", "sai", now=now, policy=policy)
    assert r.principal is None and "tạm khóa 15 phút" in r.message
    # locked: even the right password is refused, with the time it opens again
    r = accounts.login(engine, "b.user", PASSWORD, now=now + dt.timedelta(minutes=5), policy=policy)
    assert r.principal is None and "tạm khóa" in r.message and r.token is None
    failed = _audit(engine, "login_failed")
    assert len(failed) == 4
    assert all(f.actor == "Người b.user (b.user)" and f.at is not None for f in failed)
    assert [f.detail.get("reason") for f in failed] == ["wrong_password"] * 3 + ["locked"]
    # after the lock the right password works and the counter starts again
    r = accounts.login(engine, "b.user", PASSWORD, now=now + dt.timedelta(minutes=16), policy=policy)
    assert r.principal is not None and r.token
    logins = _audit(engine, "login")
    assert len(logins) == 2  # the fixture's login and this one
    with engine.connect() as c:
        acc = c.execute(select(m.Account.failed_logins, m.Account.locked_until).where(m.Account.username == "b.user"))
        assert tuple(acc.one()) == (0, None)


def test_unknown_user_refused_with_same_message(engine):
    r = accounts.login(engine, "khong.co", "x")
    assert r.principal is None and r.message == "Tên đăng nhập hoặc mật khẩu không đúng."
    assert len(_audit(engine, "login_failed")) == 1


# ---------------------------------------------------------------- sessions


def test_session_token_is_random_and_stored_hashed(engine):
    r = accounts.login(engine, *_make(engine, "c.user"))
    with engine.connect() as c:
        hashes = c.execute(select(m.AuthSession.token_hash)).scalars().all()
    assert r.token not in hashes and len(r.token) >= 40
    assert accounts.resolve_session(engine, r.token).username == "c.user"
    assert accounts.resolve_session(engine, r.token + "x") is None
    assert accounts.resolve_session(engine, "") is None


def _make(engine, username, role="leader", units=()):
    accounts.create_account(engine, username, "Tên", role, password=PASSWORD, units=units, must_change_password=False)
    return username, PASSWORD


def test_session_expires_after_inactivity_and_absolutely(engine):
    policy = AccessPolicy(idle_minutes=30, session_hours=12)
    t0 = local_now()
    token = accounts.login(engine, *_make(engine, "d.user"), now=t0, policy=policy).token
    # active every 20 minutes: still alive after 2 hours (sliding)
    t = t0
    for _ in range(6):
        t += dt.timedelta(minutes=20)
        assert accounts.resolve_session(engine, token, now=t, policy=policy) is not None
    # 31 idle minutes: gone, and gone for good
    assert accounts.resolve_session(engine, token, now=t + dt.timedelta(minutes=31), policy=policy) is None
    assert accounts.resolve_session(engine, token, now=t, policy=policy) is None
    assert len(_audit(engine, "session_expired")) == 1
    # absolute end: active all the time, still ends after session_hours
    token = accounts.login(engine, "d.user", PASSWORD, now=t0, policy=policy).token
    t = t0
    while t < t0 + dt.timedelta(hours=12):
        assert accounts.resolve_session(engine, token, now=t, policy=policy) is not None
        t += dt.timedelta(minutes=25)
    assert accounts.resolve_session(engine, token, now=t0 + dt.timedelta(hours=12), policy=policy) is None


def test_logout_ends_the_session(engine, people):
    token = accounts.login(engine, "vp.test", PASSWORD).token
    accounts.logout(engine, token, people["office"])
    assert accounts.resolve_session(engine, token) is None
    assert len(_audit(engine, "logout")) == 1


def test_role_and_units_are_read_from_the_database_on_every_resolve(engine, people):
    token = accounts.login(engine, "kdc01.test", PASSWORD).token
    assert accounts.resolve_session(engine, token).units == ("KDC01",)
    with engine.begin() as c:  # a change behind the session's back (e.g. another office tab)
        unit_id = c.execute(select(m.Unit.id).where(m.Unit.code == "KDC04")).scalar_one()
        c.execute(m.AccountUnit.__table__.insert().values(account_id=people["unit"].account_id, unit_id=unit_id))
    assert set(accounts.resolve_session(engine, token).units) == {"KDC01", "KDC04"}
    # the office narrows the account: its sessions end
    accounts.update_account(engine, people["unit"].account_id, by=people["office"], units=["KDC01"])
    assert accounts.resolve_session(engine, token) is None
    token = accounts.login(engine, "kdc01.test", PASSWORD).token
    accounts.update_account(engine, people["unit"].account_id, by=people["office"], active=False)
    assert accounts.resolve_session(engine, token) is None
    assert accounts.login(engine, "kdc01.test", PASSWORD).principal is None


# ---------------------------------------------------------------- accounts


def test_reset_password_forces_change_and_ends_sessions(engine, people):
    token = accounts.login(engine, "ld.test", PASSWORD).token
    with pytest.raises(AccountError):
        accounts.reset_password(engine, people["leader"].account_id, "tam-thoi-1234", by=people["leader"])
    accounts.reset_password(engine, people["leader"].account_id, "tam-thoi-1234", by=people["office"])
    assert accounts.resolve_session(engine, token) is None
    r = accounts.login(engine, "ld.test", "tam-thoi-1234")
    assert r.principal.must_change_password
    with pytest.raises(AccountError, match="ít nhất"):
        accounts.change_own_password(engine, r.principal, "tam-thoi-1234", "ngan")
    accounts.change_own_password(engine, r.principal, "tam-thoi-1234", "mat-khau-moi-99")
    assert not accounts.resolve_session(engine, r.token).must_change_password
    assert len(_audit(engine, "password_reset")) == 1 and len(_audit(engine, "password_changed")) == 1


def test_account_rules(engine, people):
    with pytest.raises(AccountError, match="ít nhất một đơn vị"):
        accounts.create_account(engine, "x.unit", "X", "unit", password=PASSWORD)
    with pytest.raises(AccountError, match="đã có"):
        accounts.create_account(engine, "VP.TEST", "X", "office", password=PASSWORD)
    with pytest.raises(AccountError, match="ít nhất 10"):
        accounts.create_account(engine, "y.user", "Y", "office", password="ngan")
    with pytest.raises(AccountError, match="Không có đơn vị"):
        accounts.create_account(engine, "z.unit", "Z", "unit", password=PASSWORD, units=["KHONGCO"])
    # the last active office account can be neither demoted nor deactivated (nor by itself)
    with engine.begin() as c:
        c.execute(m.Account.__table__.update().where(m.Account.role == "office").values(active=False))
        c.execute(m.Account.__table__.update().where(m.Account.username == "vp.test").values(active=True))
    with pytest.raises(AccountError, match="ít nhất một tài khoản Văn phòng"):
        accounts.update_account(engine, people["office"].account_id, by=people["office"], role="leader")
    with pytest.raises(AccountError):
        accounts.update_account(engine, people["office"].account_id, by=people["office"], active=False)
    with pytest.raises(AccountError, match="Chỉ Văn phòng"):
        accounts.update_account(engine, people["unit"].account_id, by=people["leader"], active=False)
    accounts.update_account(engine, people["leader"].account_id, by=people["office"], display_name="Bí thư")
    changed = _audit(engine, "account_changed")
    assert len(changed) == 1 and changed[0].detail["changes"]["display_name"][1] == "Bí thư"
    assert changed[0].account_id == people["office"].account_id


def test_has_office_account(engine):
    with engine.begin() as c:
        c.execute(m.Account.__table__.delete())
    assert not accounts.has_office_account(engine)
    _make(engine, "ld.only", "leader")
    assert not accounts.has_office_account(engine)
    _make(engine, "vp.only", "office")
    assert accounts.has_office_account(engine)


# ---------------------------------------------------------------- the permission matrix (storage side)


def _can(fn) -> bool:
    try:
        fn()
    except review.Forbidden:
        return False
    return True


def test_permission_matrix(engine, people):
    """Every role x every storage action on a unit's reports: allowed exactly where the role says."""
    sent = _send(engine, people["office"], "KDC02")  # another unit's report, sent by the office
    own = _send(engine, people["unit"], "KDC01")
    assert sent.stored and own.stored
    matrix = {
        # action: {role: allowed}
        "send for own unit (KDC01)": (
            lambda p: _send(engine, p, "KDC01", "2026-03", hash(p.username) % 1000),
            {"office": True, "leader": False, "unit": True, "unit2": False},
        ),
        "send for another unit (KDC02)": (
            lambda p: _send(engine, p, "KDC02", "2026-04", hash(p.username) % 1000),
            {"office": True, "leader": False, "unit": False, "unit2": True},
        ),
        "history of KDC02": (
            lambda p: review.submission_history(engine, p, "KDC02"),
            {"office": True, "leader": True, "unit": False, "unit2": True},
        ),
        "history of KDC01": (
            lambda p: review.submission_history(engine, p, "KDC01"),
            {"office": True, "leader": True, "unit": True, "unit2": False},
        ),
        "download KDC02's file": (
            lambda p: review.submission_file(engine, p, sent.submission_id),
            {"office": True, "leader": True, "unit": False, "unit2": True},
        ),
        "download a file id that does not exist": (
            lambda p: review.submission_file(engine, p, 999_999),
            {"office": False, "leader": False, "unit": False, "unit2": False},
        ),
        "returned reports of KDC02": (
            lambda p: review.returned_reports(engine, p, "KDC02"),
            {"office": True, "leader": True, "unit": False, "unit2": True},
        ),
        "review queue": (
            lambda p: review.review_queue(engine, p),
            {"office": True, "leader": True, "unit": False, "unit2": False},
        ),
        "mark received": (
            lambda p: review.mark_received(engine, p, own.submission_id),
            {"office": True, "leader": False, "unit": False, "unit2": False},
        ),
        "reopen": (
            lambda p: review.reopen(engine, p, own.submission_id),
            {"office": True, "leader": False, "unit": False, "unit2": False},
        ),
        "return for correction": (
            lambda p: review.return_for_correction(engine, p, sent.submission_id, "Thiếu số liệu"),
            {"office": True, "leader": False, "unit": False, "unit2": False},
        ),
        "close a period": (
            lambda p: review.set_period_closed(engine, p, "2026-09", True),
            {"office": True, "leader": False, "unit": False, "unit2": False},
        ),
        "read the audit log": (
            lambda p: review.audit_log(engine, p),
            {"office": True, "leader": True, "unit": False, "unit2": False},
        ),
    }
    wrong = []
    for action, (fn, expected) in matrix.items():
        for role, allowed in expected.items():
            before = count_all(engine) if not allowed else None
            got = _can(lambda fn=fn, role=role: fn(people[role]))
            if got != allowed:
                wrong.append(f"{role}: {action}: {'allowed' if got else 'refused'}")
            if not allowed:
                after = count_all(engine)
                assert after == before, f"{role}: {action}: refused but something was written"
        if action == "close a period":
            review.set_period_closed(engine, people["office"], "2026-09", False)
    assert not wrong, "\n".join(wrong)


def test_the_unit_named_in_the_file_counts_not_the_page(engine, people):
    """A unit user choosing their own unit on the page but sending a file of another unit is refused."""
    before = count_all(engine)
    with pytest.raises(review.UploadRefused, match="đơn vị mình"):
        review.store_upload(engine, people["unit"], _result("KDC05"), fake_bytes("x"), "x.xlsx")
    assert count_all(engine) == before


def test_sender_and_actor_come_from_the_account(engine, people):
    out = _send(engine, people["unit"], "KDC01")
    with engine.connect() as c:
        sender, account_id = c.execute(
            select(m.Submission.sender, m.Submission.account_id).where(m.Submission.id == out.submission_id)
        ).one()
    assert sender == "Người kdc01.test (kdc01.test)" and account_id == people["unit"].account_id
    lines = _audit(engine, "ingest", entity_id=str(out.submission_id))
    assert len(lines) == 1 and lines[0].actor == sender and lines[0].account_id == account_id
    again = _send(engine, people["unit"], "KDC01", n=2)
    lines = _audit(engine, "replace", entity_id=str(again.submission_id))
    assert len(lines) == 1 and lines[0].account_id == account_id


def test_obstacle_handled_is_audited_with_the_account(engine, people):
    r = make_result("KDC01", "2026-02", "o.xlsx", tasks=sample_tasks(obstacle="Thiếu kinh phí"))
    review.store_upload(engine, people["unit"], r, fake_bytes("o"), "o.xlsx")
    with engine.connect() as c:
        oid = c.execute(select(m.Obstacle.id)).scalar_one()
    office = people["office"]
    q.set_obstacle_handled(engine, oid, True, office.label, office.account_id)
    lines = _audit(engine, "obstacle_handled")
    assert len(lines) == 1 and lines[0].actor == office.label and lines[0].account_id == office.account_id


# ---------------------------------------------------------------- review: returned and locked


def test_returned_report_shows_its_reason_to_its_unit_only(engine, people):
    out = _send(engine, people["unit"], "KDC01")
    with pytest.raises(review.Forbidden, match="lý do"):
        review.return_for_correction(engine, people["office"], out.submission_id, "  ")
    review.return_for_correction(engine, people["office"], out.submission_id, "Biểu 02 thiếu số người tiếp cận")
    back = review.returned_reports(engine, people["unit"], "KDC01")
    assert back["review_reason"].tolist() == ["Biểu 02 thiếu số người tiếp cận"]
    with pytest.raises(review.Forbidden):
        review.returned_reports(engine, people["unit2"], "KDC01")
    # the corrected file replaces it: nothing returned any more
    _send(engine, people["unit"], "KDC01", n=2)
    assert review.returned_reports(engine, people["unit"], "KDC01").empty
    lines = _audit(engine, "review_returned")
    assert len(lines) == 1 and lines[0].actor == people["office"].label


def test_received_report_is_locked_until_reopened(engine, people):
    out = _send(engine, people["unit"], "KDC01")
    review.mark_received(engine, people["office"], out.submission_id)
    before = count_all(engine)
    for who in ("unit", "office"):
        with pytest.raises(review.UploadRefused, match="đã được Văn phòng Đảng ủy tiếp nhận"):
            _send(engine, people[who], "KDC01", n=7)
    assert count_all(engine) == before
    assert "tiếp nhận" in review.upload_refusal(engine, people["unit"], "KDC01", "2026-02", 10)
    # another period of the same unit is not locked
    assert review.upload_refusal(engine, people["unit"], "KDC01", "2026-03", 10) is None
    review.reopen(engine, people["office"], out.submission_id)
    assert _send(engine, people["unit"], "KDC01", n=8).stored
    queue = review.review_queue(engine, people["leader"], period="2026-02")
    assert queue.loc[queue["unit_code"] == "KDC01", "review"].tolist() == ["sent"]
    assert len(_audit(engine, "review_received")) == 1 and len(_audit(engine, "review_reopened")) == 1


def test_closed_period_refuses_everyone(engine, people):
    review.set_period_closed(engine, people["office"], "2026-02", True)
    assert review.closed_periods(engine) == ["2026-02"]
    before = count_all(engine)
    for who in ("unit", "office"):
        with pytest.raises(review.UploadRefused, match="khóa sổ"):
            _send(engine, people[who], "KDC01", n=3)
    assert count_all(engine) == before
    review.set_period_closed(engine, people["office"], "2026-02", False)
    assert _send(engine, people["unit"], "KDC01", n=4).stored
    assert len(_audit(engine, "period_closed")) == 1 and len(_audit(engine, "period_reopened")) == 1


# ---------------------------------------------------------------- daily upload limits


def test_daily_upload_count_limit(engine, people):
    policy = AccessPolicy(uploads_per_day=2)
    _send(engine, people["unit"], "KDC01", "2026-02", policy=policy)
    _send(engine, people["unit"], "KDC01", "2026-03", policy=policy)
    before = count_all(engine)
    with pytest.raises(review.UploadRefused, match="đạt giới hạn 2 tệp mỗi ngày"):
        _send(engine, people["unit"], "KDC01", "2026-04", policy=policy)
    assert count_all(engine) == before
    # the limit is per account: another account still sends
    assert _send(engine, people["office"], "KDC01", "2026-04", policy=policy).stored
    # an account's own limit overrides the policy
    accounts.update_account(engine, people["unit"].account_id, by=people["office"], upload_limit_count=5)
    assert _send(engine, people["unit"], "KDC01", "2026-05", policy=policy).stored


def test_daily_upload_bytes_limit(engine, people):
    policy = AccessPolicy(upload_bytes_per_day=100)
    data = b"x" * 60
    r = _result("KDC01")
    assert review.store_upload(engine, people["unit"], r, data, "a.xlsx", policy=policy).stored
    with pytest.raises(review.UploadRefused, match="vượt giới hạn dung lượng"):
        review.store_upload(engine, people["unit"], _result("KDC01", "2026-03"), b"y" * 60, "b.xlsx", policy=policy)


# ---------------------------------------------------------------- audit log


def test_downloads_and_exports_are_audited_once(engine, people):
    out = _send(engine, people["unit"], "KDC01")
    review.submission_file(engine, people["leader"], out.submission_id)
    accounts.audit_event(engine, people["leader"], "export", entity="xlsx", detail={"filters": []})
    log = review.audit_log(engine, people["office"], actions=["download", "export"])
    assert sorted(log["action"]) == ["download", "export"]
    assert set(log["actor"]) == {people["leader"].label}
    assert log["at"].notna().all()
    only = review.audit_log(engine, people["office"], actor="ld.test", actions=["export"])
    assert len(only) == 1
    with engine.connect() as c:
        total = c.execute(select(func.count()).select_from(m.AuditLog)).scalar_one()
    assert len(review.audit_log(engine, people["leader"])) == total


def test_production_password_hasher_is_argon2id_at_library_default_cost():
    """The app's hasher (not the cheap one the test process uses) is argon2id at argon2-cffi's defaults."""
    from argon2 import PasswordHasher, Type

    import storage.accounts as accounts

    fresh = accounts.new_hasher()
    default = PasswordHasher()
    assert fresh.type is Type.ID
    assert (fresh.time_cost, fresh.memory_cost, fresh.parallelism) == (
        default.time_cost,
        default.memory_cost,
        default.parallelism,
    )
    assert fresh.hash("x").startswith("$argon2id$")
