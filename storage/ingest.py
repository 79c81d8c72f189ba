"""Store checked report files: whole or not at all, versioned per (unit, period, form).

Decisions:
- A refused file (``CheckResult.accepted`` False) writes NOTHING, not even an
  audit-log line: every table has the same row count before and after.
- A file whose SHA-256 is already stored (in any submission) is a duplicate:
  nothing is written and the outcome points at the submission that holds it
  (``stored`` False, ``duplicate`` True).  Re-sending an older version does not
  make it current again; that takes an administrator.
- Each form found in a file becomes a new version of that unit's form for that
  period and the current one; forms not in the file are untouched (a file
  with only Biểu 03 replaces only Biểu 03).  Older versions stay readable.
- Obstacles already marked handled stay handled when a new version repeats
  the same task and text.
- ``received_at`` is stored as naive local time (Asia/Ho_Chi_Minh): aware
  datetimes are converted; the default is now.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
import zlib
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from loaders.forms import FORMS, FORMS_BY_KEY
from storage import models as m
from storage.form_tables import as_text, records, row_table, row_values
from storage.periods import parse_period
from storage.registry import plan_id, ward_id

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class StorageError(Exception):
    """An accepted result that cannot be stored (e.g. its unit is not in the database)."""


@dataclass
class IngestOutcome:
    result: Any  # loaders.result.CheckResult
    stored: bool = False
    duplicate: bool = False
    submission_id: int | None = None
    version: int | None = None  # the highest version among the forms stored
    versions: dict[str, int] = field(default_factory=dict)  # form -> version
    replaced: list[dict[str, Any]] = field(default_factory=list)  # {form, version, submission_id} made not current

    def to_json(self) -> dict[str, Any]:
        out = dict(self.result.to_json())
        out["stored"] = self.stored
        out["duplicate"] = self.duplicate
        out["submission"] = self.submission_id
        out["version"] = self.version
        return out


def local_now() -> dt.datetime:
    return dt.datetime.now(LOCAL_TZ).replace(tzinfo=None, microsecond=0)


def to_local_naive(value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return local_now()
    if value.tzinfo is not None:
        return value.astimezone(LOCAL_TZ).replace(tzinfo=None)
    return value


# ---------------------------------------------------------------- storing


def period_id(conn: Connection, code: str) -> int:
    """The id of period ``code``, created when new."""
    pid = conn.execute(select(m.Period.id).where(m.Period.code == code)).scalar()
    if pid is not None:
        return pid
    p = parse_period(code)
    return conn.execute(
        insert(m.Period)
        .values(
            code=p.code,
            kind=p.kind,
            year=p.year,
            number=p.number,
            month=p.month,
            start_date=p.start_date,
            end_date=p.end_date,
        )
        .returning(m.Period.id)
    ).scalar_one()


def _duplicate(conn: Connection, result, sha: str) -> IngestOutcome | None:
    sub_id = conn.execute(select(m.Submission.id).where(m.Submission.sha256 == sha)).scalar()
    if sub_id is None:
        return None
    versions = dict(
        conn.execute(
            select(m.SubmissionForm.form, m.SubmissionForm.version).where(m.SubmissionForm.submission_id == sub_id)
        ).all()
    )
    return IngestOutcome(
        result,
        stored=False,
        duplicate=True,
        submission_id=sub_id,
        version=max(versions.values(), default=None),
        versions=versions,
    )


def _store(
    conn: Connection,
    result,
    data: bytes,
    filename: str,
    sender: str,
    received_at: dt.datetime,
    ward: str | None,
    plan: str | None = None,
    account_id: int | None = None,
):
    sha = hashlib.sha256(data).hexdigest()
    dup = _duplicate(conn, result, sha)
    if dup is not None:
        return dup
    undeclared = [k for k in result.forms if k not in FORMS_BY_KEY or not FORMS_BY_KEY[k].table]
    if undeclared:  # never into another form's table
        raise StorageError(f"Biểu {', '.join(undeclared)} không có trong khai báo các biểu báo cáo.")
    wid = ward_id(conn, ward)
    if wid is None:
        raise StorageError("Cơ sở dữ liệu chưa có phường nào: chưa nạp danh mục đơn vị.")
    unit = conn.execute(select(m.Unit.id).where(m.Unit.ward_id == wid, m.Unit.code == result.unit.value)).scalar()
    if unit is None:
        raise StorageError(f"Đơn vị {result.unit.value!r} không có trong danh mục của cơ sở dữ liệu.")
    pid = period_id(conn, result.period.value)
    month = parse_period(result.period.value).month
    if conn.execute(select(m.Blob.sha256).where(m.Blob.sha256 == sha)).first() is None:
        conn.execute(insert(m.Blob).values(sha256=sha, size=len(data), data=data))
    forms = [f.key for f in FORMS if f.key in result.forms]
    sub_id = conn.execute(
        insert(m.Submission)
        .values(
            ward_id=wid,
            unit_id=unit,
            period_id=pid,
            sha256=sha,
            filename=filename,
            size=len(data),
            sender=sender or "",
            received_at=received_at,
            stored_at=local_now(),
            forms=",".join(forms),
            form_count=len(forms),
            unit_source=result.unit.source or "",
            period_source=result.period.source or "",
            warnings=[p.to_json() for p in result.warnings],
            account_id=account_id,
        )
        .returning(m.Submission.id)
    ).scalar_one()
    plan_pk = plan_id(conn, wid, plan)  # Biểu 01 belongs to the plan it was checked against
    task_ids = dict(conn.execute(select(m.Task.code, m.Task.id).where(m.Task.plan_id == plan_pk)).all())
    outcome = IngestOutcome(result, stored=True, submission_id=sub_id)
    for form in forms:
        declared = FORMS_BY_KEY[form]
        fd = result.forms[form]
        sf = m.SubmissionForm
        key = (sf.unit_id == unit, sf.period_id == pid, sf.form == form)
        last = conn.execute(select(func.max(sf.version)).where(*key)).scalar() or 0
        old = conn.execute(select(sf.id, sf.version, sf.submission_id).where(*key, sf.is_current)).first()
        handled: dict[tuple, tuple] = {}
        if old is not None:
            conn.execute(update(sf).where(sf.id == old.id).values(is_current=False))
            outcome.replaced.append({"form": form, "version": old.version, "submission_id": old.submission_id})
            if declared.obstacle_field:
                for r in conn.execute(
                    select(m.TaskRow.task_code, m.Obstacle.text, m.Obstacle.handled_by, m.Obstacle.handled_at)
                    .join(m.TaskRow, m.TaskRow.id == m.Obstacle.task_row_id)
                    .where(m.Obstacle.submission_form_id == old.id, m.Obstacle.handled)
                ):
                    handled[(r.task_code, r.text)] = (r.handled_by, r.handled_at)
        frame = fd.frame
        sf_id = conn.execute(
            insert(sf)
            .values(
                submission_id=sub_id,
                ward_id=wid,
                unit_id=unit,
                period_id=pid,
                month=month,
                form=form,
                plan_id=plan_pk if declared.uses_plan else None,
                version=last + 1,
                is_current=True,
                row_count=len(frame),
                sheet=fd.sheet,
                header_row=int(fd.header_row),
                columns=dict(fd.columns),
            )
            .returning(sf.id)
        ).scalar_one()
        outcome.versions[form] = last + 1
        table = row_table(declared)
        recs = records(frame)
        rows = [row_values(declared, r, sf_id, task_ids) for r in recs]
        if not rows:
            continue
        if not declared.obstacle_field:
            conn.execute(insert(table), rows)
            continue
        ids = conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars()
        obs = []
        code_col = next(f.column or f.key for f in declared.fields if f.kind == "task_code")
        for row_id, row, rec in zip(ids, rows, recs, strict=True):
            text = as_text(rec.get(declared.obstacle_field))
            if text:
                by, at = handled.get((row[code_col], text), (None, None))
                obs.append(
                    dict(
                        submission_form_id=sf_id,
                        task_row_id=row_id,
                        text=text,
                        handled=by is not None or at is not None,
                        handled_by=by,
                        handled_at=at,
                    )
                )
        if obs:
            conn.execute(insert(m.Obstacle), obs)
    outcome.version = max(outcome.versions.values(), default=None)
    conn.execute(
        insert(m.AuditLog).values(
            at=local_now(),
            actor=sender or "",
            account_id=account_id,
            action="replace" if outcome.replaced else "ingest",
            entity="submission",
            entity_id=str(sub_id),
            detail={
                "file": filename,
                "sha256": sha,
                "unit": result.unit.value,
                "period": result.period.value,
                "versions": outcome.versions,
                "replaced": outcome.replaced,
            },
        )
    )
    return outcome


def store_result(
    engine: Engine,
    result,
    data: bytes,
    filename: str,
    *,
    sender: str = "",
    received_at: dt.datetime | None = None,
    ward: str | None = None,
    retries: int = 5,
    plan: str | None = None,
    account_id: int | None = None,
    guard=None,
) -> IngestOutcome:
    """Store an already checked file in one transaction (see the module doc for the rules).
    ``plan``: the code of the plan its Biểu 01 was checked against (None: the current plan).
    ``account_id``: the sending account (on the submission and its audit line); ``guard(conn)``
    runs first in the same transaction and may raise to refuse (locks, closed periods, limits)."""
    if not result.accepted:
        return IngestOutcome(result)
    received = to_local_naive(received_at)
    started = time.monotonic()
    for attempt in range(retries + MORE_RETRIES + 1):
        try:
            with engine.begin() as conn:
                _before_write(conn, result, WRITE_DEADLINE_S - (time.monotonic() - started))
                if guard is not None:
                    guard(conn)
                return _store(conn, result, data, filename, sender, received, ward, plan, account_id)
        except (IntegrityError, OperationalError) as exc:
            # A concurrent ingest took the same blob / period (the same version number, without
            # the key lock), or the database was busy: the transaction rolled back whole; try
            # again, backing off, while the write deadline allows.
            if _read_only_error(exc):
                raise StorageError(READ_ONLY_REFUSAL) from exc
            pause = min(1.0, 0.05 * 2**attempt) * (0.5 + random.random())
            if attempt == retries + MORE_RETRIES or time.monotonic() - started + pause >= WRITE_DEADLINE_S:
                if isinstance(exc, OperationalError):
                    raise StorageError(BUSY_REFUSAL) from exc
                raise
            time.sleep(pause)
    raise AssertionError("unreachable")


# Writes on the upload path end, stored or refused with BUSY_REFUSAL, within about this many seconds.
WRITE_DEADLINE_S = 12.0
MORE_RETRIES = 10  # tries beyond ``retries`` while the deadline allows (a crowd of same-key writers)
KEY_LOCK_SPACE = 0x5C08  # first half of the two-int advisory lock key of same-key writes (PostgreSQL)
BUSY_REFUSAL = (
    "Cơ sở dữ liệu đang bận (một tiến trình khác đang ghi) nên tệp chưa được lưu; vui lòng thử lại sau ít phút."
)
READ_ONLY_REFUSAL = (
    "Cơ sở dữ liệu đang ở chế độ chỉ đọc nên chưa nhận báo cáo mới; tệp chưa được lưu, vui lòng thử lại sau "
    "hoặc báo quản trị hệ thống."
)


def _read_only_error(exc: BaseException) -> bool:
    words = str(getattr(exc, "orig", exc)).lower()
    return "readonly" in words or "read-only" in words


def _before_write(conn: Connection, result, left: float) -> None:
    """Bound the waits of this write to what is left of the deadline; on PostgreSQL take the key lock.

    Writers of the same (unit, period) go one at a time on PostgreSQL (an advisory
    lock held until commit), so their version numbers never collide; SQLite has
    one writer at a time anyway.
    """
    ms = max(100, int(left * 1000))
    backend = conn.engine.url.get_backend_name()
    if backend == "sqlite":
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {ms}")  # each write sets its own
    elif backend == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {ms}")
        if result.unit is not None and result.period is not None:
            key = zlib.crc32(f"{result.unit.value}|{result.period.value}".encode()) - 2**31
            conn.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": KEY_LOCK_SPACE, "key": key})


def ingest_bytes(
    engine: Engine,
    data: bytes,
    filename: str,
    *,
    sender: str = "",
    received_at: dt.datetime | None = None,
    registry=None,
    ward: str | None = None,
) -> IngestOutcome:
    """Check a file exactly as an upload would and store it when accepted."""
    from loaders.check import check_bytes

    if registry is None:
        from storage.registry import load_registry

        registry = load_registry(engine, ward)
    result = check_bytes(data, filename, registry=registry)
    plan = getattr(registry, "plan", "") or None
    return store_result(engine, result, data, filename, sender=sender, received_at=received_at, ward=ward, plan=plan)


def existing_versions(engine: Engine, unit: str, period: str, forms, ward: str | None = None) -> dict[str, int]:
    """Current version of each of ``forms`` already stored for (unit, period); forms never sent are absent."""
    sf = m.SubmissionForm
    with engine.connect() as conn:
        wid = ward_id(conn, ward)
        rows = conn.execute(
            select(sf.form, sf.version)
            .join(m.Unit, m.Unit.id == sf.unit_id)
            .join(m.Period, m.Period.id == sf.period_id)
            .where(
                m.Unit.ward_id == wid,
                m.Unit.code == unit,
                m.Period.code == period,
                sf.form.in_(list(forms)),
                sf.is_current,
            )
        ).all()
    return {r.form: r.version for r in rows}
