"""Dashboard queries: aggregations in SQL over CURRENT versions only.

Every function takes an engine (and most a ``Filters``) and returns a small
DataFrame, or a dict for headline figures.  Raw rows are never loaded to be
aggregated in pandas: SQL groups and sums; Python only lays small aggregated
results side by side (e.g. units x months for compliance).

Decisions (also in storage/README.md):
- Periods: a month report counts for its month; a quarter report counts for
  the LAST month of its quarter ("2026-Q1" -> "2026-03") in filters, in
  month groupings and in compliance.  ``period`` columns hold "YYYY-MM".
- Ward: every function takes an optional ``ward`` (code) through
  ``Filters.ward`` or a keyword; None means the first ward.
- Task status is cumulative: a unit's status for a task is its latest
  reported status in a current version up to ``period_to`` (``period_from``
  does not hide an earlier "done").  A once-task is "done" when every lead
  unit's status is done; "in_progress" when any assigned unit reported it in
  progress or done; else "not_started".  Ongoing and as-needed tasks are never
  done: their status is "ongoing" / "as_needed" and ``done_share`` is None.
- Headline task counts (tasks_total, tasks_done, done_share, tasks_overdue)
  count once-tasks only.
- Compliance: every active unit of the ward is expected to report every month
  of the range.  A month's report is due on ``due_day`` of that month; the
  first arrival (any form, any version) decides on time / late; with no
  report the month is "missing" once its due date has passed, else "not_due".
  Headline ``units_expected`` counts (unit, month) reports due in the range,
  ``units_on_time`` those that arrived on time.
- Shares and rates are fractions 0..1 (None when the denominator is 0).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, case, distinct, func, insert, literal, or_, select, update

from loaders.forms import FORMS, FORMS_BY_KEY
from loaders.settings import DEFAULTS
from storage import models as m
from storage.figures import as_of, month_is_open, trend_buckets
from storage.form_tables import row_table
from storage.periods import due_date, month_of, month_range, shift_month
from storage.registry import ward_id

STATUS_RANK = {"not_started": 1, "in_progress": 2, "done": 3}


@dataclass(frozen=True)
class Filters:
    period_from: str | None = None  # "YYYY-MM" inclusive
    period_to: str | None = None  # "YYYY-MM" inclusive
    group: str | None = None  # unit group name as in units.csv
    unit: str | None = None  # unit code
    ward: str | None = None  # ward code; None = the first ward
    plan: str | None = None  # plan code; None = the ward's current plan (tasks and Biểu 01 of that plan only)


ALL = Filters()

sf = m.SubmissionForm
u = m.Unit
g = m.UnitGroup


def _f(f: Filters | None) -> Filters:
    return f or ALL


def _frame(conn, q, cols: list[str]) -> pd.DataFrame:
    rows = conn.execute(q).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=cols)


def _share(num, den) -> float | None:
    return None if not den else float(num) / float(den)


def _unit_ids(wid: int | None, f: Filters):  # wid None (no ward yet): nothing matches
    """A select of the ids of the ward's units matching the group/unit filters."""
    q = select(u.id).where(u.ward_id == wid)
    if f.unit:
        q = q.where(u.code == f.unit)
    if f.group:
        q = q.where(u.group_id.in_(select(g.id).where(g.ward_id == wid, g.name == f.group)))
    return q


def _plan_id(wid: int | None, f: Filters):
    """The id of the chosen plan (``f.plan``) or of the ward's current plan, as a scalar subquery."""
    p = m.Plan
    q = select(p.id).where(p.ward_id == wid)
    q = q.where(p.code == f.plan) if f.plan else q.where(p.is_current)
    return q.order_by(p.id).limit(1).scalar_subquery()


def _current(form: str, wid: int | None, f: Filters, *, from_month: bool = True, to_month: bool = True):
    """Current submission forms of ``form`` in scope: sf_id, unit_id, month, submission_id."""
    q = select(
        sf.id.label("sf_id"), sf.unit_id.label("unit_id"), sf.month.label("month"), sf.submission_id.label("sub_id")
    ).where(sf.ward_id == wid, sf.form == form, sf.is_current)
    if FORMS_BY_KEY[form].uses_plan:  # Biểu 01 counts for the plan it was checked against
        q = q.where(sf.plan_id == _plan_id(wid, f))
    if from_month and f.period_from:
        q = q.where(sf.month >= f.period_from)
    if to_month and f.period_to:
        q = q.where(sf.month <= f.period_to)
    if f.unit or f.group:
        q = q.where(sf.unit_id.in_(_unit_ids(wid, f)))
    return q.subquery()


def _units_with_group():
    return (
        select(u.id, u.code, u.name, g.name.label("group")).select_from(u).outerjoin(g, g.id == u.group_id).subquery()
    )


# ---------------------------------------------------------------- lists


def list_units(engine: Engine, ward: str | None = None) -> pd.DataFrame:
    with engine.connect() as conn:
        wid = ward_id(conn, ward)
        q = (
            select(u.code, u.name, func.coalesce(g.name, "").label("group"), u.short_name)
            .outerjoin(g, g.id == u.group_id)
            .where(u.ward_id == wid, u.active)
            .order_by(u.position, u.id)
        )
        return _frame(conn, q, ["code", "name", "group", "short_name"])


def list_groups(engine: Engine, ward: str | None = None) -> pd.DataFrame:
    with engine.connect() as conn:
        wid = ward_id(conn, ward)
        q = select(g.name).where(g.ward_id == wid).order_by(g.position, g.id)
        return _frame(conn, q, ["group"])


def list_wards(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        q = (
            select(m.Ward.code, m.Ward.name, m.City.name)
            .join(m.City, m.City.id == m.Ward.city_id)
            .order_by(m.Ward.position, m.Ward.id)
        )
        return _frame(conn, q, ["code", "name", "city"])


def list_periods(engine: Engine, ward: str | None = None) -> pd.DataFrame:
    with engine.connect() as conn:
        wid = ward_id(conn, ward)
        q = select(sf.month).distinct().where(sf.ward_id == wid, sf.is_current).order_by(sf.month)
        return _frame(conn, q, ["period"])


def data_freshness(engine: Engine, ward: str | None = None) -> dt.datetime | None:
    with engine.connect() as conn:
        wid = ward_id(conn, ward)
        return conn.execute(select(func.max(m.Submission.received_at)).where(m.Submission.ward_id == wid)).scalar()


# ---------------------------------------------------------------- tasks


def _latest_status(wid: int | None, f: Filters):
    """Each (task_code, unit_id)'s latest reported status up to period_to (current versions)."""
    cur = _current("tasks", wid, f, from_month=False)
    tr = m.TaskRow
    rank = case(
        *[(tr.status == k, v) for k, v in STATUS_RANK.items()],
        else_=0,
    )
    inner = (
        select(
            tr.task_code.label("task_code"),
            cur.c.unit_id,
            tr.status,
            tr.percent,
            tr.due_date,
            cur.c.month,
            func.row_number()
            .over(partition_by=(tr.task_code, cur.c.unit_id), order_by=(cur.c.month.desc(), rank.desc(), tr.row.desc()))
            .label("rn"),
        )
        .join(cur, cur.c.sf_id == tr.submission_form_id)
        .where(tr.task_code.is_not(None))
        .subquery()
    )
    return select(
        inner.c.task_code, inner.c.unit_id, inner.c.status, inner.c.percent, inner.c.month, inner.c.due_date
    ).where(inner.c.rn == 1)


TIMELINE_COLS = [
    "task_code",
    "task",
    "lead",
    "due_date",
    "cadence",
    "units_assigned",
    "units_done",
    "done_share",
    "status",
    "overdue",
    "units_active",
]


def task_timeline(engine: Engine, f: Filters | None = None, today: dt.date | None = None) -> pd.DataFrame:
    """One row per plan task (with an assigned unit in scope); see the module doc for status rules."""
    f = _f(f)
    # Overdue is a state as of a date: the range's last day (today when the range has not ended).
    today = as_of(f.period_to, today or dt.date.today())
    t = m.Task
    ta = m.TaskAssignee
    with engine.connect() as conn:
        wid = ward_id(conn, f.ward)
        latest = _latest_status(wid, f).subquery()
        scoped = _unit_ids(wid, f)
        # Units (in scope) that reported the task in progress / done inside the range.
        cur_range = _current("tasks", wid, f)
        active = (
            select(m.TaskRow.task_code.label("task_code"), func.count(distinct(cur_range.c.unit_id)).label("n"))
            .join(cur_range, cur_range.c.sf_id == m.TaskRow.submission_form_id)
            .where(m.TaskRow.status.in_(("in_progress", "done")))
            .group_by(m.TaskRow.task_code)
            .subquery()
        )
        assigned = (
            select(
                t.id.label("task_id"),
                func.count(ta.unit_id).label("units_assigned"),
                func.sum(case((latest.c.status == "done", 1), else_=0)).label("units_done"),
                func.sum(case((latest.c.status.in_(("in_progress", "done")), 1), else_=0)).label("units_started"),
            )
            .select_from(t)
            .join(ta, ta.task_id == t.id)
            .outerjoin(latest, and_(latest.c.task_code == t.code, latest.c.unit_id == ta.unit_id))
            .where(t.plan_id == _plan_id(wid, f), ta.unit_id.in_(scoped))
            .group_by(t.id)
            .subquery()
        )
        latest_all = _latest_status(wid, replace(f, unit=None, group=None)).subquery()
        lead = (
            select(
                ta.task_id.label("task_id"),
                func.count().label("lead_n"),
                func.sum(case((latest_all.c.status == "done", 1), else_=0)).label("lead_done"),
                # A task the plan gives no date: the lead unit's own "Thời hạn" in its latest report.
                func.max(latest_all.c.due_date).label("lead_due"),
            )
            .select_from(ta)
            .join(t, t.id == ta.task_id)
            .outerjoin(latest_all, and_(latest_all.c.unit_id == ta.unit_id, latest_all.c.task_code == t.code))
            .where(t.plan_id == _plan_id(wid, f), ta.role == "lead")
            .group_by(ta.task_id)
            .subquery()
        )
        q = (
            select(
                t.code,
                t.task,
                t.lead,
                t.due_date,
                t.cadence,
                assigned.c.units_assigned,
                assigned.c.units_done,
                assigned.c.units_started,
                func.coalesce(lead.c.lead_n, 0),
                func.coalesce(lead.c.lead_done, 0),
                func.coalesce(active.c.n, 0),
                lead.c.lead_due,
            )
            .join(assigned, assigned.c.task_id == t.id)
            .outerjoin(lead, lead.c.task_id == t.id)
            .outerjoin(active, active.c.task_code == t.code)
            .order_by(t.position, t.id)
        )
        rows = conn.execute(q).all()
    out = []
    for code, task, lead_spec, due, cadence, n, done, started, lead_n, lead_done, n_active, lead_due in rows:
        n, done, started = int(n or 0), int(done or 0), int(started or 0)
        if due is None and cadence == "once" and lead_due is not None:
            due = lead_due if isinstance(lead_due, dt.date) else dt.date.fromisoformat(str(lead_due)[:10])
        if cadence == "once":
            if lead_n and lead_done == lead_n:
                status = "done"
            elif started:
                status = "in_progress"
            else:
                status = "not_started"
            share = _share(done, n)
            overdue = bool(due is not None and due < today and status != "done")
        else:
            status, share, overdue = cadence, None, False
        out.append((code, task, lead_spec, due, cadence, n, done, share, status, overdue, int(n_active)))
    return pd.DataFrame(out, columns=TIMELINE_COLS)


def task_unit_grid(engine: Engine, f: Filters | None = None, today: dt.date | None = None) -> pd.DataFrame:
    """Each assigned (task, unit) in scope with the unit's latest status up to period_to,
    plus pairs a unit reported without being assigned (role None).  ``period`` is the
    month of the latest report (None when never reported)."""
    f = _f(f)
    t, ta = m.Task, m.TaskAssignee
    with engine.connect() as conn:
        wid = ward_id(conn, f.ward)
        latest = _latest_status(wid, f).subquery()
        uw = _units_with_group()
        assigned = (
            select(t.code, uw.c.code, uw.c.name, latest.c.status, latest.c.percent, latest.c.month, ta.role, t.position)
            .select_from(ta)
            .join(t, t.id == ta.task_id)
            .join(uw, uw.c.id == ta.unit_id)
            .outerjoin(latest, and_(latest.c.task_code == t.code, latest.c.unit_id == ta.unit_id))
            .where(t.plan_id == _plan_id(wid, f), ta.unit_id.in_(_unit_ids(wid, f)))
        )
        pair_assigned = (
            select(ta.unit_id)
            .join(t, t.id == ta.task_id)
            .where(t.code == latest.c.task_code, ta.unit_id == latest.c.unit_id, t.plan_id == _plan_id(wid, f))
            .exists()
        )
        unassigned = (
            select(
                latest.c.task_code,
                uw.c.code,
                uw.c.name,
                latest.c.status,
                latest.c.percent,
                latest.c.month,
                literal(None).label("role"),
                func.coalesce(
                    select(t.position)
                    .where(t.plan_id == _plan_id(wid, f), t.code == latest.c.task_code)
                    .scalar_subquery(),
                    9999,
                ),
            )
            .join(uw, uw.c.id == latest.c.unit_id)
            .where(~pair_assigned)
        )
        rows = conn.execute(assigned.union_all(unassigned)).all()
    rows = sorted(rows, key=lambda r: (r[7], r[0] or "", r[1]))
    return pd.DataFrame(
        [r[:7] for r in rows], columns=["task_code", "unit_code", "unit_name", "status", "percent", "period", "role"]
    )


def overdue_tasks(engine: Engine, f: Filters | None = None, today: dt.date | None = None) -> pd.DataFrame:
    """Once-tasks whose due date has passed and whose lead units are not all done, as of the range's
    last day (today when the range has not ended; pass a Filters without period for "as of today")."""
    today = as_of(_f(f).period_to, today or dt.date.today())
    tl = task_timeline(engine, f, today)
    tl = tl[tl["overdue"].astype(bool)]  # an empty object column would select columns, not rows
    out = pd.DataFrame(
        {
            "task_code": tl["task_code"],
            "task": tl["task"],
            "lead": tl["lead"],
            "due_date": tl["due_date"],
            "days_overdue": [(today - d).days for d in tl["due_date"]],
            "status": tl["status"],
        }
    )
    return out.sort_values(["days_overdue", "task_code"], ascending=[False, True]).reset_index(drop=True)


def _months(conn, wid: int | None, f: Filters, today: dt.date | None) -> list[str]:
    first, last = f.period_from, f.period_to
    if first is None or last is None:
        lo, hi = conn.execute(select(func.min(sf.month), func.max(sf.month)).where(sf.ward_id == wid)).one()
        first = first or lo
        if last is None:
            cands = [x for x in (hi, month_of(today) if today else None) if x]
            last = max(cands) if cands else None
    if not first or not last:
        return []
    return month_range(first, last)


def ongoing_activity(engine: Engine, f: Filters | None = None) -> pd.DataFrame:
    """For each ongoing task x assigned unit in scope x month of the range: whether the unit
    reported activity (a Biểu 01 row for the task not "not_started", or any Biểu 02 row)."""
    f = _f(f)
    t, ta, tr = m.Task, m.TaskAssignee, m.TaskRow
    with engine.connect() as conn:
        wid = ward_id(conn, f.ward)
        months = _months(conn, wid, f, None)
        pairs = conn.execute(
            select(t.code, u.code, u.id)
            .select_from(ta)
            .join(t, t.id == ta.task_id)
            .join(u, u.id == ta.unit_id)
            .where(t.plan_id == _plan_id(wid, f), t.cadence == "ongoing", ta.unit_id.in_(_unit_ids(wid, f)))
            .order_by(t.position, t.id, u.position, u.id)
        ).all()
        cur_t = _current("tasks", wid, f)
        by_task = {
            (r[0], r[1], r[2])
            for r in conn.execute(
                select(tr.task_code, cur_t.c.unit_id, cur_t.c.month)
                .join(cur_t, cur_t.c.sf_id == tr.submission_form_id)
                .where(tr.status.is_not(None), tr.status != "not_started")
                .group_by(tr.task_code, cur_t.c.unit_id, cur_t.c.month)
            )
        }
        cur_p = _current("propaganda", wid, f)
        by_prop = {
            (r[0], r[1])
            for r in conn.execute(
                select(cur_p.c.unit_id, cur_p.c.month)
                .where(cur_p.c.sf_id.in_(select(m.PropagandaRow.submission_form_id)))
                .group_by(cur_p.c.unit_id, cur_p.c.month)
            )
        }
    rows = [(tc, uc, mo, (tc, uid, mo) in by_task or (uid, mo) in by_prop) for tc, uc, uid in pairs for mo in months]
    return pd.DataFrame(rows, columns=["task_code", "unit_code", "period", "active"]).astype({"active": bool})


# ---------------------------------------------------------------- propaganda


def _propaganda(engine: Engine, f: Filters | None, keys: list, names: list[str], order=None) -> pd.DataFrame:
    f = _f(f)
    p = m.PropagandaRow
    with engine.connect() as conn:
        wid = ward_id(conn, f.ward)
        cur = _current("propaganda", wid, f)
        uw = _units_with_group()
        cols = [k(cur, uw) for k in keys]
        q = (
            select(
                *cols,
                func.coalesce(func.sum(p.quantity), 0).label("quantity"),
                func.coalesce(func.sum(p.reach), 0).label("reach"),
            )
            .select_from(p)
            .join(cur, cur.c.sf_id == p.submission_form_id)
        )
        if any(name in ("unit_code", "unit_name", "group") for name in names):
            q = q.join(uw, uw.c.id == cur.c.unit_id)
        q = q.group_by(*cols).order_by(*(order(cur, uw) if order else cols))
        out = _frame(conn, q, [*names, "quantity", "reach"])
    return out.astype({"quantity": "int64", "reach": "int64"})


def propaganda_by_period(engine: Engine, f: Filters | None = None) -> pd.DataFrame:
    p = m.PropagandaRow
    return _propaganda(engine, f, [lambda c, w: c.c.month, lambda c, w: p.channel], ["period", "channel"])


def propaganda_by_channel(engine: Engine, f: Filters | None = None) -> pd.DataFrame:
    return _propaganda(engine, f, [lambda c, w: m.PropagandaRow.channel], ["channel"])


def propaganda_by_topic(engine: Engine, f: Filters | None = None) -> pd.DataFrame:
    return _propaganda(engine, f, [lambda c, w: m.PropagandaRow.topic], ["topic"])


def propaganda_by_unit(engine: Engine, f: Filters | None = None) -> pd.DataFrame:
    """Every active unit in scope, with 0 for a unit that reported no propaganda: the
    bottom of the ranking is the units that did nothing, not the ones that did little."""
    f = _f(f)
    p = m.PropagandaRow
    with engine.connect() as conn:
        wid = ward_id(conn, f.ward)
        cur = _current("propaganda", wid, f)
        sums = (
            select(
                cur.c.unit_id,
                func.sum(p.quantity).label("quantity"),
                func.sum(p.reach).label("reach"),
            )
            .join(cur, cur.c.sf_id == p.submission_form_id)
            .group_by(cur.c.unit_id)
            .subquery()
        )
        q = (
            select(
                u.code,
                u.name,
                func.coalesce(g.name, "").label("group"),
                func.coalesce(sums.c.quantity, 0),
                func.coalesce(sums.c.reach, 0),
            )
            .select_from(u)
            .outerjoin(g, g.id == u.group_id)
            .outerjoin(sums, sums.c.unit_id == u.id)
            .where(u.id.in_(_unit_ids(wid, f)), u.active)
            .order_by(u.position, u.id)
        )
        out = _frame(conn, q, ["unit_code", "unit_name", "group", "quantity", "reach"])
    return out.astype({"quantity": "int64", "reach": "int64"})


def propaganda_by_group(engine: Engine, f: Filters | None = None) -> pd.DataFrame:
    return _propaganda(engine, f, [lambda c, w: w.c.group], ["group"])


# ---------------------------------------------------------------- attendance


def attendance_events(engine: Engine, f: Filters | None = None) -> pd.DataFrame:
    """The attendance rows in scope (a listing, one row per event line; ``group`` is the participant group)."""
    f = _f(f)
    a = m.AttendanceRow
    with engine.connect() as conn:
        wid = ward_id(conn, f.ward)
        cur = _current("attendance", wid, f)
        q = (
            select(
                u.code,
                u.name,
                a.event,
                a.event_date,
                a.format,
                a.participant_group,
                a.invited,
                a.present,
                a.absent_excused,
                a.absent_unexcused,
                cur.c.month,
            )
            .join(cur, cur.c.sf_id == a.submission_form_id)
            .join(u, u.id == cur.c.unit_id)
            .order_by(a.event_date, u.position, a.row)
        )
        rows = conn.execute(q).all()
    out = pd.DataFrame(
        [tuple(r) for r in rows],
        columns=[
            "unit_code",
            "unit_name",
            "event",
            "event_date",
            "format",
            "group",
            "invited",
            "present",
            "absent_excused",
            "absent_unexcused",
            "period",
        ],
    )
    out["rate"] = [_share(p, i) if p is not None else None for p, i in zip(out["present"], out["invited"], strict=True)]
    for c in ("invited", "present", "absent_excused", "absent_unexcused"):
        out[c] = out[c].astype("Int64")
    return out[[c for c in out.columns if c != "period"] + ["period"]]


def _attendance(engine: Engine, f: Filters | None, keys, names) -> pd.DataFrame:
    f = _f(f)
    a = m.AttendanceRow
    with engine.connect() as conn:
        wid = ward_id(conn, f.ward)
        cur = _current("attendance", wid, f)
        uw = _units_with_group()
        cols = [k(cur, uw) for k in keys]
        sums = [
            func.coalesce(func.sum(a.invited), 0),
            func.coalesce(func.sum(a.present), 0),
            func.coalesce(func.sum(a.absent_excused), 0),
            func.coalesce(func.sum(a.absent_unexcused), 0),
        ]
        q = select(*cols, *sums).select_from(a).join(cur, cur.c.sf_id == a.submission_form_id)
        if any(n in ("unit_code", "unit_name", "group") for n in names):
            q = q.join(uw, uw.c.id == cur.c.unit_id)
        q = q.group_by(*cols).order_by(*cols)
        out = _frame(conn, q, [*names, "invited", "present", "absent_excused", "absent_unexcused"])
    for c in ("invited", "present", "absent_excused", "absent_unexcused"):
        out[c] = out[c].astype("int64")
    out["rate"] = [_share(p, i) for p, i in zip(out["present"], out["invited"], strict=True)]
    return out


def attendance_by_group(engine: Engine, f: Filters | None = None) -> pd.DataFrame:
    return _attendance(engine, f, [lambda c, w: m.AttendanceRow.participant_group], ["participant_group"])


def attendance_by_unit(engine: Engine, f: Filters | None = None) -> pd.DataFrame:
    out = _attendance(
        engine,
        f,
        [lambda c, w: w.c.code, lambda c, w: w.c.name, lambda c, w: w.c.group],
        ["unit_code", "unit_name", "group"],
    )
    return out[["unit_code", "unit_name", "group", "invited", "present", "rate", "absent_excused", "absent_unexcused"]]


# ---------------------------------------------------------------- compliance


def compliance(
    engine: Engine, f: Filters | None = None, due_day: int = DEFAULTS.due_day, today: dt.date | None = None
) -> pd.DataFrame:
    """Each unit in scope x each month of the range: on_time / late / missing / not_due.  A retired
    (or merged) unit counts for the months whose report fell due before it retired, not after."""
    f = _f(f)
    today = today or dt.date.today()
    s, p = m.Submission, m.Period
    with engine.connect() as conn:
        wid = ward_id(conn, f.ward)
        months = _months(conn, wid, f, today)
        units = conn.execute(
            select(u.id, u.code, u.name, func.coalesce(g.name, ""), u.retired_on, g.cadence)
            .outerjoin(g, g.id == u.group_id)
            .where(u.id.in_(_unit_ids(wid, f)), or_(u.active, u.retired_on.is_not(None)))
            .order_by(u.position, u.id)
        ).all()
        first = {}
        if months:
            q = (
                select(s.unit_id, p.month, func.min(s.received_at))
                .join(p, p.id == s.period_id)
                .where(s.ward_id == wid, p.month >= months[0], p.month <= months[-1])
                .group_by(s.unit_id, p.month)
            )
            first = {(r[0], r[1]): r[2] for r in conn.execute(q)}
    rows = []
    for mo in months:
        due = due_date(mo, due_day)
        for uid, code, name, group, retired_on, cadence in units:
            if retired_on is not None and due >= retired_on:
                continue  # retired before this report fell due: not expected
            if cadence == "quarter" and int(mo[5:7]) % 3:
                continue  # the group reports quarterly: expected in the quarter's last month only
            at = first.get((uid, mo))
            if at is not None:
                status = "on_time" if at.date() <= due else "late"
            else:
                status = "missing" if due < today else "not_due"
            rows.append((mo, code, name, group, status, at))
    return pd.DataFrame(rows, columns=["period", "unit_code", "unit_name", "group", "status", "submitted_at"])


# ---------------------------------------------------------------- obstacles


def obstacles(engine: Engine, f: Filters | None = None, handled: bool | None = None) -> pd.DataFrame:
    """Obstacles from current Biểu 01 versions in scope (``handled`` None = all)."""
    f = _f(f)
    o, tr, t = m.Obstacle, m.TaskRow, m.Task
    with engine.connect() as conn:
        wid = ward_id(conn, f.ward)
        cur = _current("tasks", wid, f)
        task_name = select(t.task).where(t.plan_id == _plan_id(wid, f), t.code == tr.task_code).scalar_subquery()
        q = (
            select(
                o.id,
                u.code,
                u.name,
                cur.c.month,
                tr.task_code,
                func.coalesce(task_name, tr.task_text),
                o.text,
                o.handled,
                cur.c.sub_id,
                o.handled_by,
                o.handled_at,
                tr.sheet,
                tr.row,
                sf.columns,
                m.Submission.received_at,
            )
            .join(cur, cur.c.sf_id == o.submission_form_id)
            .join(tr, tr.id == o.task_row_id)
            .join(sf, sf.id == o.submission_form_id)
            .join(m.Submission, m.Submission.id == cur.c.sub_id)
            .join(u, u.id == cur.c.unit_id)
            .order_by(cur.c.month.desc(), u.position, tr.row)
        )
        if handled is not None:
            q = q.where(o.handled == handled)
        rows = conn.execute(q).all()
    out = []
    for r in rows:
        col = (r[13] or {}).get("obstacles")
        cell = f"{col}{r[12]}" if col else None
        out.append((r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]), r[8], r[9], r[10], r[11], cell, r[14]))
    return pd.DataFrame(
        out,
        columns=[
            "id",
            "unit_code",
            "unit_name",
            "period",
            "task_code",
            "task",
            "text",
            "handled",
            "submission_id",
            "handled_by",
            "handled_at",
            "sheet",
            "cell",
            "raised_at",  # when the report that raised it was received (its age is counted from there)
        ],
    )


def set_obstacle_handled(
    engine: Engine, obstacle_id: int, handled: bool, by: str, account_id: int | None = None
) -> None:
    """Mark an obstacle handled (or not: the mark is undone) by ``by`` (account ``account_id``), now; written
    to the audit log. ``handled_by``/``handled_at`` keep who changed the mark last, also when it was undone."""
    from storage.ingest import local_now

    o = m.Obstacle
    now = local_now()
    with engine.begin() as conn:
        res = conn.execute(
            update(o).where(o.id == obstacle_id).values(handled=bool(handled), handled_by=by or None, handled_at=now)
        )
        if res.rowcount != 1:
            raise KeyError(obstacle_id)
        conn.execute(
            insert(m.AuditLog).values(
                at=now,
                actor=by or "",
                account_id=account_id,
                action="obstacle_handled" if handled else "obstacle_reopened",
                entity="obstacle",
                entity_id=str(obstacle_id),
                detail={"handled": bool(handled)},
            )
        )


# ---------------------------------------------------------------- totals, headline, history


def totals(engine: Engine, f: Filters | None = None) -> dict[str, dict[str, int]]:
    """Current versions' rows and sums per form, in the ``check --json`` ``forms`` shape
    (a form appears when some current version of it is in scope)."""
    f = _f(f)
    out: dict[str, dict[str, int]] = {}
    with engine.connect() as conn:
        wid = ward_id(conn, f.ward)
        for form in FORMS:  # every declared form, its table and sums from the declaration
            cur = _current(form.key, wid, f)
            n_forms = conn.execute(select(func.count()).select_from(cur)).scalar()
            if not n_forms:
                continue
            table, sums = row_table(form), form.sums
            q = select(func.count(table.c.id), *[func.coalesce(func.sum(table.c[c]), 0) for c in sums]).join(
                cur, cur.c.sf_id == table.c.submission_form_id
            )
            r = conn.execute(q).one()
            out[form.key] = {"rows": int(r[0]), **{c: int(v) for c, v in zip(sums, r[1:], strict=True)}}
    return out


def _headline_range(engine: Engine, f: Filters, today: dt.date, due_day: int = DEFAULTS.due_day) -> dict[str, Any]:
    tl = task_timeline(engine, f, today)
    once = tl[tl["cadence"] == "once"]
    tasks_total = int(len(once))
    tasks_done = int((once["status"] == "done").sum())
    prop = totals(engine, f)
    comp = compliance(engine, f, due_day=due_day, today=today)
    due = comp[comp["status"] != "not_due"]
    expected = int(len(due))
    on_time = int((due["status"] == "on_time").sum())
    invited = prop.get("attendance", {}).get("invited", 0)
    present = prop.get("attendance", {}).get("present", 0)
    received = int(comp["submitted_at"].notna().sum()) if len(comp) else 0
    months = sorted(comp["period"].unique()) if len(comp) else []
    is_open = any(month_is_open(mo, today, due_date(mo, due_day)) for mo in months)
    return {
        "as_of": as_of(f.period_to, today),
        "months": len(months),
        "reports_received": received,  # (unit, month) pairs with a report, any form
        "reports_expected": int(len(comp)),  # active units in scope x months of the range
        "open": bool(is_open),
        "tasks_total": tasks_total,
        "tasks_done": tasks_done,
        "done_share": _share(tasks_done, tasks_total),
        "tasks_overdue": int(once["overdue"].sum()),
        "propaganda_quantity": prop.get("propaganda", {}).get("quantity", 0),
        "propaganda_reach": prop.get("propaganda", {}).get("reach", 0),
        "attendance_invited": invited,
        "attendance_present": present,
        "attendance_rate": _share(present, invited),
        "units_expected": expected,
        "units_on_time": on_time,
        "on_time_share": _share(on_time, expected),
    }


def headline(
    engine: Engine, f: Filters | None = None, today: dt.date | None = None, due_day: int = DEFAULTS.due_day
) -> dict[str, Any]:
    """Headline figures for the range, and under "previous" the same for the range of equal
    length just before it (None when the range is not closed on both ends)."""
    f = _f(f)
    today = today or dt.date.today()
    out = _headline_range(engine, f, today, due_day)
    previous = None
    if f.period_from and f.period_to:
        n = len(month_range(f.period_from, f.period_to))
        prev = replace(f, period_from=shift_month(f.period_from, -n), period_to=shift_month(f.period_from, -1))
        previous = _headline_range(engine, prev, today, due_day)
    out["previous"] = previous
    return out


TREND_COLS = [
    "period",
    "label",
    "selected",
    "open",
    "months",
    "reports_received",
    "reports_expected",
    "propaganda_quantity",
    "propaganda_reach",
    "attendance_invited",
    "attendance_present",
    "attendance_rate",
    "tasks_total",
    "tasks_done",
    "done_share",
    "tasks_overdue",
    "units_expected",
    "units_on_time",
    "on_time_share",
]


def trend(
    engine: Engine, f: Filters | None = None, today: dt.date | None = None, due_day: int = DEFAULTS.due_day
) -> pd.DataFrame:
    """The headline figures per period of the trend window of ``f`` (``storage.figures.trend_buckets``:
    12 months, 4 quarters or the years ending at the chosen period, ``selected`` marking it).

    A period without any report has None figures (not 0: nothing was reported, which is not "none
    was done"); ``open`` marks a period not yet ended or not yet due; task figures are states as of
    the period's last day (or today), None for a period that has not started."""
    f = _f(f)
    today = today or dt.date.today()
    with engine.connect() as conn:
        wid = ward_id(conn, f.ward)
        first = conn.execute(select(func.min(sf.month)).where(sf.ward_id == wid, sf.is_current)).scalar()
    buckets = trend_buckets(f.period_from, f.period_to, today, first)
    window = replace(f, period_from=buckets[0].months[0], period_to=buckets[-1].months[-1])
    prop = propaganda_by_period(engine, window).groupby("period")[["quantity", "reach"]].sum()
    att = _attendance(engine, window, [lambda c, w: c.c.month], ["period"]).set_index("period")
    comp = compliance(engine, window, due_day=due_day, today=today)
    this_month = month_of(today)
    rows = []
    for b in buckets:
        months = list(b.months)
        c = comp[comp["period"].isin(months)]
        received = int(c["submitted_at"].notna().sum())
        due = c[c["status"] != "not_due"]
        on_time = int((due["status"] == "on_time").sum())
        is_open = any(month_is_open(mo, today, due_date(mo, due_day)) for mo in months)
        has = received > 0
        qty = int(prop["quantity"].reindex(months).fillna(0).sum()) if has else None
        reach = int(prop["reach"].reindex(months).fillna(0).sum()) if has else None
        inv = int(att["invited"].reindex(months).fillna(0).sum()) if has else None
        pre = int(att["present"].reindex(months).fillna(0).sum()) if has else None
        started = first is not None and months[-1] >= first  # the ward's reporting had begun
        tasks_total = tasks_done = overdue = None
        if started and months[0] <= this_month:
            tl = task_timeline(engine, replace(f, period_from=months[0], period_to=months[-1]), today)
            once = tl[tl["cadence"] == "once"]
            tasks_total, tasks_done = int(len(once)), int((once["status"] == "done").sum())
            overdue = int(once["overdue"].sum())
        rows.append(
            (
                b.key,
                b.label,
                b.selected,
                is_open,
                len(months),
                received,
                int(len(c)),
                qty,
                reach,
                inv,
                pre,
                _share(pre, inv) if has else None,
                tasks_total,
                tasks_done,
                _share(tasks_done, tasks_total) if tasks_total is not None else None,
                overdue,
                int(len(due)),
                on_time,
                _share(on_time, len(due)) if started else None,
            )
        )
    return pd.DataFrame(rows, columns=TREND_COLS)


def submission_history(engine: Engine, unit_code: str, ward: str | None = None) -> pd.DataFrame:
    """Every stored file of a unit, newest first; ``version`` is the highest form version in it,
    ``is_current`` True when any of its forms is current (``current_forms`` lists which)."""
    s = m.Submission
    p = m.Period
    with engine.connect() as conn:
        wid = ward_id(conn, ward)
        q = (
            select(
                s.id,
                u.code,
                p.code,
                s.forms,
                func.max(sf.version),
                func.sum(case((sf.is_current, 1), else_=0)),
                s.filename,
                s.sha256,
                s.sender,
                s.received_at,
            )
            .join(u, u.id == s.unit_id)
            .join(p, p.id == s.period_id)
            .outerjoin(sf, sf.submission_id == s.id)
            .where(s.ward_id == wid, u.code == unit_code)
            .group_by(s.id, u.code, p.code, s.forms, s.filename, s.sha256, s.sender, s.received_at)
            .order_by(s.received_at.desc(), s.id.desc())
        )
        rows = conn.execute(q).all()
        cur_forms: dict[int, list[str]] = {}
        if rows:
            for sid, form in conn.execute(
                select(sf.submission_id, sf.form).where(sf.submission_id.in_([r[0] for r in rows]), sf.is_current)
            ):
                cur_forms.setdefault(sid, []).append(form)
    out = [
        (r[0], r[1], r[2], r[3], int(r[4] or 0), bool(r[5]), r[6], r[7], r[8], r[9], ",".join(cur_forms.get(r[0], [])))
        for r in rows
    ]
    return pd.DataFrame(
        out,
        columns=[
            "id",
            "unit_code",
            "period",
            "forms",
            "version",
            "is_current",
            "filename",
            "sha256",
            "sender",
            "received_at",
            "current_forms",
        ],
    )


def submission_file(engine: Engine, submission_id: int) -> tuple[str, bytes]:
    """The file of a submission as served back to users: (filename, bytes), the original
    without macros and embedded objects (``loaders.active_content``; docs/SECURITY.md).
    The stored blob keeps the original, byte for byte (its SHA-256 is the evidence)."""
    from loaders.active_content import strip

    with engine.connect() as conn:
        r = conn.execute(
            select(m.Submission.filename, m.Blob.data)
            .join(m.Blob, m.Blob.sha256 == m.Submission.sha256)
            .where(m.Submission.id == submission_id)
        ).first()
    if r is None:
        raise KeyError(submission_id)
    return r[0], strip(bytes(r[1])).data
