"""Who may send, see and review what (issue 12): the storage-side authorization.

Every function that reads or writes a unit's reports takes the acting
``Principal`` and checks it here, whatever the page asked for; a page's
widgets only narrow what is offered. Refusals raise ``Forbidden`` or
``UploadRefused`` with a Vietnamese message.

Review, as DHIS2 does for aggregate data sets: the office marks a stored file
*received* (it is then locked: nothing new may be sent for that unit and
period until the office reopens it) or *returns* it for correction with a
reason the unit sees on its upload page. A period can be closed (nothing more
may be sent for it by anyone) and reopened. Every decision is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from storage import models as m
from storage.accounts import POLICY, AccessPolicy, Principal, audit
from storage.ingest import local_now
from storage.registry import ward_id

STATUS = {"sent": "Đã gửi, chờ tiếp nhận", "received": "Đã tiếp nhận", "returned": "Trả lại để sửa"}


class Forbidden(PermissionError):
    """The principal may not do this; ``str(err)`` is the Vietnamese message."""


class UploadRefused(Forbidden):
    """A report the principal may not send now (lock, closed period, daily limit)."""


NOT_YOUR_UNIT = "Bạn chỉ được gửi và xem báo cáo của đơn vị mình."


def _office(principal: Principal) -> None:
    if not principal.is_office:
        raise Forbidden("Chỉ Văn phòng Đảng ủy được tiếp nhận, trả lại hoặc khóa báo cáo.")


def _unit_of_submission(conn: Connection, submission_id: int) -> tuple[str, str] | None:
    r = conn.execute(
        select(m.Unit.code, m.Period.code)
        .join(m.Submission, m.Submission.unit_id == m.Unit.id)
        .join(m.Period, m.Period.id == m.Submission.period_id)
        .where(m.Submission.id == submission_id)
    ).first()
    return (str(r[0]), str(r[1])) if r else None


# ---------------------------------------------------------------- reading, scoped


def submission_history(engine: Engine, principal: Principal, unit_code: str) -> pd.DataFrame:
    """A unit's stored files (``storage.queries.submission_history``) with their review state,
    for a principal allowed to read that unit."""
    from storage.queries import submission_history as all_history

    if not principal.may_read_unit(unit_code):
        raise Forbidden(NOT_YOUR_UNIT)
    frame = all_history(engine, unit_code)
    reviews = _reviews(engine, frame["id"].tolist() if len(frame) else [])
    frame["review"] = [reviews.get(int(i), {}).get("status", "sent") for i in frame["id"]]
    frame["review_reason"] = [reviews.get(int(i), {}).get("reason", "") for i in frame["id"]]
    frame["review_by"] = [reviews.get(int(i), {}).get("actor", "") for i in frame["id"]]
    frame["review_at"] = [reviews.get(int(i), {}).get("at") for i in frame["id"]]
    return frame


def submission_file(engine: Engine, principal: Principal, submission_id: int, *, audit_download: bool = True):
    """The original file (filename, bytes) of a submission the principal may read; the download is audited."""
    from storage.queries import submission_file as raw_file

    with engine.connect() as conn:
        owner = _unit_of_submission(conn, int(submission_id))
    if owner is None or not principal.may_read_unit(owner[0]):
        raise Forbidden(NOT_YOUR_UNIT)
    name, content = raw_file(engine, int(submission_id))
    if audit_download:
        with engine.begin() as conn:
            audit(conn, "download", actor=principal.label, account_id=principal.account_id, entity="submission",
                  entity_id=submission_id, detail={"file": name, "unit": owner[0], "period": owner[1]})  # fmt: skip
    return name, content


def _reviews(engine: Engine, ids: list) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    r = m.SubmissionReview
    with engine.connect() as conn:
        rows = conn.execute(
            select(r.submission_id, r.status, r.reason, r.actor, r.at).where(r.submission_id.in_([int(i) for i in ids]))
        ).all()
    return {int(x[0]): {"status": x[1], "reason": x[2], "actor": x[3], "at": x[4]} for x in rows}


def review_queue(
    engine: Engine, principal: Principal, *, period: str | None = None, status: str | None = None
) -> pd.DataFrame:
    """The current files of every unit (office and leadership) with their review state, newest first."""
    if not principal.sees_everything:
        raise Forbidden("Chỉ Văn phòng và Lãnh đạo xem được danh sách tiếp nhận báo cáo.")
    s, sf, u, p, r = m.Submission, m.SubmissionForm, m.Unit, m.Period, m.SubmissionReview
    with engine.connect() as conn:
        wid = ward_id(conn)
        current = select(sf.submission_id).where(sf.ward_id == wid, sf.is_current).distinct()
        q = (
            select(
                s.id,
                u.code,
                u.name,
                p.code,
                s.forms,
                s.filename,
                s.sender,
                s.received_at,
                func.coalesce(r.status, "sent"),
                func.coalesce(r.reason, ""),
                func.coalesce(r.actor, ""),
                r.at,
            )  # fmt: skip
            .join(u, u.id == s.unit_id)
            .join(p, p.id == s.period_id)
            .outerjoin(r, r.submission_id == s.id)
            .where(s.id.in_(current))
            .order_by(s.received_at.desc(), s.id.desc())
        )
        if period:
            q = q.where(p.code == period)
        if status == "sent":
            q = q.where(r.status.is_(None) | (r.status == "reopened"))
        elif status:
            q = q.where(r.status == status)
        rows = conn.execute(q).all()
    cols = ["id", "unit_code", "unit_name", "period", "forms", "filename", "sender", "received_at"]
    cols += ["review", "reason", "reviewed_by", "reviewed_at"]
    frame = pd.DataFrame([tuple(x) for x in rows], columns=cols)
    frame["review"] = frame["review"].replace({"reopened": "sent"})
    return frame


def returned_reports(engine: Engine, principal: Principal, unit_code: str) -> pd.DataFrame:
    """The unit's current files the office returned for correction, with the reason."""
    frame = submission_history(engine, principal, unit_code)
    if frame.empty:
        return frame
    return frame[(frame["review"] == "returned") & frame["is_current"].astype(bool)].reset_index(drop=True)


# ---------------------------------------------------------------- review decisions


def _set_review(engine: Engine, principal: Principal, submission_id: int, status: str, reason: str = "") -> None:
    _office(principal)
    now = local_now()
    r = m.SubmissionReview
    with engine.begin() as conn:
        owner = _unit_of_submission(conn, int(submission_id))
        if owner is None:
            raise Forbidden("Không có lần gửi báo cáo này.")
        old = conn.execute(select(r.status).where(r.submission_id == submission_id)).scalar()
        values = dict(status=status, reason=reason, actor=principal.label, account_id=principal.account_id, at=now)
        if old is None:
            conn.execute(insert(r).values(submission_id=int(submission_id), **values))
        else:
            conn.execute(update(r).where(r.submission_id == submission_id).values(**values))
        action = {"received": "review_received", "returned": "review_returned", "reopened": "review_reopened"}[status]
        audit(conn, action, actor=principal.label, account_id=principal.account_id, entity="submission",
              entity_id=submission_id, at=now,
              detail={"unit": owner[0], "period": owner[1], "reason": reason, "previous": old})  # fmt: skip


def mark_received(engine: Engine, principal: Principal, submission_id: int) -> None:
    """Received: the figures count as final and the unit-period is locked."""
    _set_review(engine, principal, submission_id, "received")


def return_for_correction(engine: Engine, principal: Principal, submission_id: int, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise Forbidden("Ghi rõ lý do trả lại để đơn vị biết cần sửa gì.")
    _set_review(engine, principal, submission_id, "returned", reason[:2000])


def reopen(engine: Engine, principal: Principal, submission_id: int) -> None:
    """Lift the lock of a received file so that the unit may send a new version."""
    _set_review(engine, principal, submission_id, "reopened")


def closed_periods(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [
            str(c)
            for c in conn.execute(
                select(m.Period.code).join(m.PeriodClosure, m.PeriodClosure.period_id == m.Period.id)
            ).scalars()
        ]


def set_period_closed(engine: Engine, principal: Principal, period_code: str, closed: bool) -> None:
    _office(principal)
    from storage.ingest import period_id

    now = local_now()
    with engine.begin() as conn:
        pid = period_id(conn, period_code)
        exists = conn.execute(select(m.PeriodClosure.period_id).where(m.PeriodClosure.period_id == pid)).first()
        if closed and not exists:
            conn.execute(
                insert(m.PeriodClosure).values(
                    period_id=pid, actor=principal.label, account_id=principal.account_id, at=now
                )
            )
        elif not closed and exists:
            conn.execute(delete(m.PeriodClosure).where(m.PeriodClosure.period_id == pid))
        else:
            return
        audit(conn, "period_closed" if closed else "period_reopened", actor=principal.label,
              account_id=principal.account_id, entity="period", entity_id=period_code, at=now)  # fmt: skip


# ---------------------------------------------------------------- sending


def _locked_by(conn: Connection, unit_code: str | None, period_code: str) -> dict | None:
    """The received current file that locks (unit, period), if any."""
    s, sf, u, p, r = m.Submission, m.SubmissionForm, m.Unit, m.Period, m.SubmissionReview
    row = conn.execute(
        select(s.id, s.filename, r.actor, r.at)
        .join(r, r.submission_id == s.id)
        .join(u, u.id == s.unit_id)
        .join(p, p.id == s.period_id)
        .where(
            u.code == unit_code,
            p.code == period_code,
            r.status == "received",
            s.id.in_(select(sf.submission_id).where(sf.is_current)),
        )
        .limit(1)
    ).first()
    return None if row is None else {"id": row[0], "filename": row[1], "by": row[2], "at": row[3]}


def usage_today(conn: Connection, account_id: int, now: dt.datetime) -> tuple[int, int]:
    """Files and bytes the account stored since midnight (local time)."""
    start = dt.datetime.combine(now.date(), dt.time())
    s = m.Submission
    count, size = conn.execute(
        select(func.count(s.id), func.coalesce(func.sum(s.size), 0)).where(
            s.account_id == account_id, s.stored_at >= start
        )
    ).one()
    return int(count or 0), int(size or 0)


def _limits(conn: Connection, principal: Principal, policy: AccessPolicy) -> tuple[int, int]:
    acc = conn.execute(
        select(m.Account.upload_limit_count, m.Account.upload_limit_bytes).where(m.Account.id == principal.account_id)
    ).first()
    count = acc[0] if acc and acc[0] is not None else policy.uploads_per_day
    size = acc[1] if acc and acc[1] is not None else policy.upload_bytes_per_day
    return int(count), int(size)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".replace(".", ",") + " MB"


def refusal(
    conn: Connection,
    principal: Principal,
    unit_code: str | None,
    period_code: str | None,
    size: int,
    *,
    policy: AccessPolicy = POLICY,
    now: dt.datetime | None = None,
) -> str | None:
    """Why ``principal`` may not send a ``size``-byte report for (unit, period) now, or None."""
    if not principal.may_act_for(unit_code):
        return NOT_YOUR_UNIT if principal.role == "unit" else "Vai trò của bạn chỉ được xem, không được gửi báo cáo."
    now = now or local_now()
    if period_code:
        closed = conn.execute(
            select(m.PeriodClosure.at)
            .join(m.Period, m.Period.id == m.PeriodClosure.period_id)
            .where(m.Period.code == period_code)
        ).first()
        if closed is not None:
            return "Kỳ báo cáo này đã khóa sổ: không nhận thêm báo cáo. Liên hệ Văn phòng Đảng ủy nếu cần gửi bổ sung."
        lock = _locked_by(conn, unit_code, period_code)
        if lock is not None:
            return (
                f"Báo cáo kỳ này của đơn vị đã được Văn phòng Đảng ủy tiếp nhận ({lock['at']:%d/%m/%Y}) nên đã khóa. "
                "Muốn gửi bản mới, đề nghị Văn phòng mở lại báo cáo."
            )
    max_count, max_bytes = _limits(conn, principal, policy)
    count, used = usage_today(conn, principal.account_id, now)
    if count >= max_count:
        return f"Tài khoản đã gửi {count} tệp hôm nay, đạt giới hạn {max_count} tệp mỗi ngày. Gửi tiếp vào ngày mai."
    if used + size > max_bytes:
        return (
            f"Tệp này vượt giới hạn dung lượng gửi mỗi ngày của tài khoản ({_mb(max_bytes)}; "
            f"hôm nay đã gửi {_mb(used)}). Gửi tiếp vào ngày mai."
        )
    return None


def upload_refusal(engine: Engine, principal: Principal, unit_code, period_code, size: int, **kw) -> str | None:
    with engine.connect() as conn:
        return refusal(conn, principal, unit_code, period_code, size, **kw)


def store_upload(
    engine: Engine, principal: Principal, result, data: bytes, filename: str, *, policy: AccessPolicy = POLICY, **kw
):
    """Store a checked file sent by ``principal``: the unit named *in the file* must be one it may send for,
    and no lock, closure or daily limit may stand (checked again inside the storing transaction).
    The sender on the submission and the actor in the audit log are the account's name."""
    from storage.ingest import store_result

    if not result.accepted:
        return store_result(engine, result, data, filename)
    unit_code = result.unit.value if result.unit else None
    period_code = result.period.value if result.period else None

    def guard(conn: Connection) -> None:
        why = refusal(conn, principal, unit_code, period_code, len(data), policy=policy)
        if why:
            raise UploadRefused(why)

    with engine.connect() as conn:
        guard(conn)  # refuse before any retry loop
    return store_result(
        engine, result, data, filename, sender=principal.label, account_id=principal.account_id, guard=guard, **kw
    )


# ---------------------------------------------------------------- audit log


ACTIONS = {
    "login": "Đăng nhập",
    "login_failed": "Đăng nhập sai",
    "logout": "Đăng xuất",
    "session_expired": "Hết phiên làm việc",
    "ingest": "Gửi báo cáo",
    "replace": "Gửi bản thay thế",
    "download": "Tải tệp đã gửi",
    "review_received": "Tiếp nhận báo cáo",
    "review_returned": "Trả lại báo cáo",
    "review_reopened": "Mở lại báo cáo",
    "period_closed": "Khóa sổ kỳ báo cáo",
    "period_reopened": "Mở lại kỳ báo cáo",
    "obstacle_handled": "Đánh dấu đã xử lý khó khăn",
    "obstacle_reopened": "Bỏ đánh dấu đã xử lý khó khăn",
    "export": "Xuất báo cáo",
    "account_created": "Tạo tài khoản",
    "account_changed": "Sửa tài khoản",
    "password_reset": "Đặt lại mật khẩu",
    "password_changed": "Đổi mật khẩu",
    "registry_change": "Sửa danh mục",
    "restore": "Khôi phục dữ liệu",
}


def audit_log(
    engine: Engine,
    principal: Principal,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    actions: list[str] | None = None,
    actor: str | None = None,
    limit: int = 5000,
) -> pd.DataFrame:
    """Audit lines, newest first (office and leadership only; nothing here writes)."""
    if not principal.sees_everything:
        raise Forbidden("Chỉ Văn phòng và Lãnh đạo xem được nhật ký.")
    a = m.AuditLog
    q = select(a.id, a.at, a.actor, a.action, a.entity, a.entity_id, a.detail, a.account_id)
    if since:
        q = q.where(a.at >= dt.datetime.combine(since, dt.time()))
    if until:
        q = q.where(a.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
    if actions:
        q = q.where(a.action.in_(actions))
    if actor and actor.strip():
        q = q.where(func.lower(a.actor).contains(actor.strip().lower(), autoescape=True))
    q = q.order_by(a.at.desc(), a.id.desc()).limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    return pd.DataFrame(
        [tuple(r) for r in rows], columns=["id", "at", "actor", "action", "entity", "entity_id", "detail", "account_id"]
    )
