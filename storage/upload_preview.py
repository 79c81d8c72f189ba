"""What storing a checked file would do, read before the user confirms (nothing is written here).

- ``sent_before``: the submission that already holds these exact bytes (a duplicate stores nothing).
- ``current_totals``: rows and sums of the current version of each form for (unit, period), in the
  ``check --json`` ``forms`` shape, so the page can show old -> new totals before a replacement.
- ``first_received``: when the unit's first report for the period's month arrived (the compliance
  page judges on-time / late by that first report, ``storage.queries.compliance``).
- ``lateness``: whether a report received on a given day is late, by the same rule and due day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from storage import models as m
from storage.periods import due_date, parse_period
from storage.registry import ward_id

SUMS: dict[str, tuple[type[m.TaskRow] | type[m.PropagandaRow] | type[m.AttendanceRow], tuple[str, ...]]] = {
    "tasks": (m.TaskRow, ()),
    "propaganda": (m.PropagandaRow, ("quantity", "reach")),
    "attendance": (m.AttendanceRow, ("invited", "present")),
}


@dataclass(frozen=True)
class SentBefore:
    submission_id: int
    received_at: dt.datetime
    unit_code: str
    unit_name: str
    period: str
    sender: str
    filename: str


def sent_before(engine: Engine, sha256: str) -> SentBefore | None:
    """The stored submission with exactly these bytes, or None."""
    s, u, p = m.Submission, m.Unit, m.Period
    with engine.connect() as conn:
        row = conn.execute(
            select(s.id, s.received_at, u.code, u.name, p.code, s.sender, s.filename)
            .join(u, u.id == s.unit_id)
            .join(p, p.id == s.period_id)
            .where(s.sha256 == sha256)
            .limit(1)
        ).first()
    if row is None:
        return None
    return SentBefore(int(row[0]), row[1], str(row[2]), str(row[3]), str(row[4]), str(row[5] or ""), str(row[6]))


def current_totals(engine: Engine, unit: str, period: str, forms, ward: str | None = None) -> dict[str, dict[str, int]]:
    """For each of ``forms`` with a current version stored for (unit, period): {"rows": n, <sums>}."""
    sf = m.SubmissionForm
    out: dict[str, dict[str, int]] = {}
    with engine.connect() as conn:
        wid = ward_id(conn, ward)
        for form in forms:
            if form not in SUMS:
                continue
            model, sums = SUMS[form]
            current = (
                select(sf.id)
                .join(m.Unit, m.Unit.id == sf.unit_id)
                .join(m.Period, m.Period.id == sf.period_id)
                .where(
                    m.Unit.ward_id == wid, m.Unit.code == unit, m.Period.code == period, sf.form == form, sf.is_current
                )
                .scalar_subquery()
            )
            exists = conn.execute(select(func.count()).select_from(sf).where(sf.id == current)).scalar()
            if not exists:
                continue
            row = conn.execute(
                select(func.count(model.id), *[func.coalesce(func.sum(getattr(model, c)), 0) for c in sums]).where(
                    model.submission_form_id == current
                )
            ).one()
            out[form] = {"rows": int(row[0]), **{c: int(v) for c, v in zip(sums, row[1:], strict=True)}}
    return out


def first_received(engine: Engine, unit: str, period: str, ward: str | None = None) -> dt.datetime | None:
    """When the unit's first report attributed to ``period``'s month was received (None: none yet)."""
    month = parse_period(period).month
    s, p = m.Submission, m.Period
    with engine.connect() as conn:
        wid = ward_id(conn, ward)
        return conn.execute(
            select(func.min(s.received_at))
            .join(p, p.id == s.period_id)
            .join(m.Unit, m.Unit.id == s.unit_id)
            .where(s.ward_id == wid, m.Unit.code == unit, p.month == month)
        ).scalar()


@dataclass(frozen=True)
class Lateness:
    due: dt.date  # the report's due date (ward's due day in the period's month)
    late: bool  # True when this report is the unit's first for the month and arrives after ``due``
    first_at: dt.datetime | None  # an earlier report for the same month (compliance counts that one)


def lateness(engine: Engine, unit: str, period: str, received_on: dt.date, due_day: int) -> Lateness:
    """The compliance page's rule: a month's report is late when the unit's first report for it
    arrives after day ``due_day`` of that month."""
    due = due_date(parse_period(period).month, due_day)
    first = first_received(engine, unit, period)
    if first is not None:
        return Lateness(due, first.date() > due, first)
    return Lateness(due, received_on > due, None)
