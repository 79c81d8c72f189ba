"""One version stamp of the stored data, part of every cache key.

Every write that changes what a page or a meeting file shows (an ingest, a
replacing version, an obstacle marked handled or reopened, a restore) adds a
line to ``audit_log`` in the same transaction. The stamp is read from the
tail of that log, so it changes the moment such a write commits, for every
process sharing the database, in two statements of index lookups:

    (last change's audit id, its time and action, last submission id)

Audit lines that record a read or a session (``READS``: downloads, logins...)
are not changes and do not move the stamp, so they do not empty the caches.
An unknown action counts as a change: the safe side (a needless cache miss,
never a stale figure). The last line's time and action tell apart a database
restored from a backup whose log happens to end at the same id; the last
submission id is a second witness for stores.

A new kind of write that should show at once calls :func:`record_change`
(or writes its own audit line) in its transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select

from storage import models as m

Version = tuple

# Audit actions that change no data (reads, sessions): they leave the version as it is.
READS = ("download", "export", "view", "login", "login_failed", "logout", "session_expired")


def data_version(engine: Engine) -> Version:
    """The stamp of the stored data now (a small hashable tuple); equal stamps mean equal data."""
    with engine.connect() as conn:
        last = conn.execute(_LAST_CHANGE).first()
        last_submission = conn.execute(_LAST_SUBMISSION).scalar()
    last_id, at, action = last if last is not None else (None, None, None)
    return (last_id, str(at) if at is not None else None, action, last_submission)


_a = m.AuditLog
# newest first down the primary key, stopping at the first change (figures: bench/bench_data_version.py)
_LAST_CHANGE = select(_a.id, _a.at, _a.action).where(_a.action.not_in(READS)).order_by(_a.id.desc()).limit(1)
_LAST_SUBMISSION = select(func.max(m.Submission.id))


def record_change(
    conn: Connection,
    action: str,
    *,
    entity: str = "",
    entity_id: str = "",
    actor: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit line in the caller's transaction: the data version changes when it commits."""
    conn.execute(
        insert(m.AuditLog).values(
            at=dt.datetime.now().replace(microsecond=0),
            actor=actor or "",
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            detail=detail or {},
        )
    )
