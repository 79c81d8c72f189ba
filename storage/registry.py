"""The registry (units, groups, plans and their tasks) in the database.

``import_registry`` writes units and a plan's tasks (from CSV rows or an
imported workbook) and resolves each task's lead/support spec to units;
``load_registry`` hands the database's registry (the chosen plan's tasks, the
current one by default, and every unit's aliases) to the checker, so that an
administrator's edit counts at once.  Single edits with their history are in
``storage.admin``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from loaders.settings import DEFAULTS
from storage import models as m

DEFAULT_CITY = ("HP", "Thành phố Hải Phòng")
DEFAULT_WARD = ("BACHDANG", f"Phường {DEFAULTS.ward_name}")  # the sample ward (loaders.settings)
DEFAULT_PLAN = "KH1"  # the code of a ward's first plan when none is named


def read_csv(path_or_text: str | Path) -> list[dict[str, str]]:
    text = Path(path_or_text).read_text(encoding="utf-8-sig") if isinstance(path_or_text, Path) else path_or_text
    return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(io.StringIO(text))]


class UnknownWard(LookupError):
    """A ward code that the database does not hold (never an empty page that looks like "no reports")."""

    def __init__(self, code: str) -> None:
        super().__init__(f"Phường có mã “{code}” không có trong cơ sở dữ liệu.")
        self.code = code


def ward_id(conn: Connection, ward: str | None = None) -> int | None:
    """The id of ward ``ward`` (code), or of the first ward when None (None: no ward yet).

    A code the database does not hold raises ``UnknownWard``."""
    q = select(m.Ward.id)
    q = q.where(m.Ward.code == ward) if ward else q.order_by(m.Ward.position, m.Ward.id)
    row = conn.execute(q.limit(1)).first()
    if row is None and ward:
        raise UnknownWard(ward)
    return row[0] if row else None


def ensure_ward(conn: Connection, ward: tuple[str, str] = DEFAULT_WARD, city: tuple[str, str] = DEFAULT_CITY) -> int:
    cid = conn.execute(select(m.City.id).where(m.City.code == city[0])).scalar()
    if cid is None:
        cid = conn.execute(insert(m.City).values(code=city[0], name=city[1]).returning(m.City.id)).scalar_one()
    wid = conn.execute(select(m.Ward.id).where(m.Ward.code == ward[0])).scalar()
    if wid is None:
        pos = conn.execute(select(m.Ward.id)).all()
        wid = conn.execute(
            insert(m.Ward).values(city_id=cid, code=ward[0], name=ward[1], position=len(pos)).returning(m.Ward.id)
        ).scalar_one()
    return wid


def plan_id(conn: Connection, wid: int | None, plan: str | None = None) -> int | None:
    """The id of plan ``plan`` (code) of the ward, or of its current plan when None."""
    if wid is None:
        return None
    q = select(m.Plan.id).where(m.Plan.ward_id == wid)
    q = q.where(m.Plan.code == plan) if plan else q.where(m.Plan.is_current)
    row = conn.execute(q.order_by(m.Plan.position, m.Plan.id).limit(1)).first()
    return row[0] if row else None


def ensure_plan(conn: Connection, wid: int, plan: str | None = None, **values: Any) -> int:
    """The id of plan ``plan`` (or the current one); created (current when it is the ward's first) if missing."""
    pid = plan_id(conn, wid, plan)
    if pid is not None:
        return pid
    n = conn.execute(select(m.Plan.id).where(m.Plan.ward_id == wid)).all()
    row = dict(title="", number="", issued_on=None) | values
    return conn.execute(
        insert(m.Plan)
        .values(ward_id=wid, code=plan or DEFAULT_PLAN, is_current=not n, position=len(n), **row)
        .returning(m.Plan.id)
    ).scalar_one()


def split_spec(spec: str) -> list[str]:
    return [p.strip() for p in (spec or "").split(";") if p.strip()]


def resolve_spec(spec: str, units: list[dict[str, Any]]) -> tuple[list[int], list[str]]:
    """Unit ids named by a lead/support spec (codes, group names, ALL) and the tokens not understood."""
    ids: list[int] = []
    unknown: list[str] = []
    by_code = {u["code"].upper(): u["id"] for u in units}
    by_group: dict[str, list[int]] = {}
    for u in units:
        by_group.setdefault((u["group"] or "").casefold(), []).append(u["id"])
    for token in split_spec(spec):
        if token.upper() == "ALL":
            found = [u["id"] for u in units]
        elif token.upper() in by_code:
            found = [by_code[token.upper()]]
        elif token.casefold() in by_group:
            found = by_group[token.casefold()]
        else:
            unknown.append(token)
            continue
        ids.extend(i for i in found if i not in ids)
    return ids, unknown


def _parse_due(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def import_registry(
    conn: Connection,
    units: Iterable[dict[str, str]],
    tasks: Iterable[dict[str, str]],
    *,
    ward: tuple[str, str] = DEFAULT_WARD,
    city: tuple[str, str] = DEFAULT_CITY,
    plan: str | None = None,
) -> int:
    """Upsert units (code, name, group, short_name) and the tasks (code, task, lead,
    support, due, cadence, plan_ref) of plan ``plan`` (the current one, created
    when the ward has none) of a ward and re-resolve assignees.

    Units not in ``units`` are deactivated, never deleted (reports point at them).
    Returns the ward id.
    """
    wid = ensure_ward(conn, ward, city)
    pid = ensure_plan(conn, wid, plan)
    groups = {
        name: gid
        for gid, name in conn.execute(select(m.UnitGroup.id, m.UnitGroup.name).where(m.UnitGroup.ward_id == wid))
    }
    existing = {code: uid for uid, code in conn.execute(select(m.Unit.id, m.Unit.code).where(m.Unit.ward_id == wid))}
    seen: set[str] = set()
    for pos, u in enumerate(units):
        gname = u.get("group", "") or ""
        if gname and gname not in groups:
            groups[gname] = conn.execute(
                insert(m.UnitGroup).values(ward_id=wid, name=gname, position=len(groups)).returning(m.UnitGroup.id)
            ).scalar_one()
        values = dict(
            name=u["name"],
            short_name=u.get("short_name", "") or "",
            group_id=groups.get(gname),
            active=True,
            position=pos,
        )
        code = u["code"].strip()
        seen.add(code)
        if code in existing:
            conn.execute(update(m.Unit).where(m.Unit.id == existing[code]).values(**values))
        else:
            existing[code] = conn.execute(
                insert(m.Unit).values(ward_id=wid, code=code, **values).returning(m.Unit.id)
            ).scalar_one()
    for code, uid in existing.items():
        if code not in seen:
            conn.execute(update(m.Unit).where(m.Unit.id == uid).values(active=False))

    unit_rows = [
        {"id": r.id, "code": r.code, "group": r.group}
        for r in conn.execute(
            select(m.Unit.id, m.Unit.code, m.UnitGroup.name.label("group"))
            .outerjoin(m.UnitGroup, m.UnitGroup.id == m.Unit.group_id)
            .where(m.Unit.ward_id == wid, m.Unit.active)
            .order_by(m.Unit.position)
        )
    ]
    task_ids = {code: tid for tid, code in conn.execute(select(m.Task.id, m.Task.code).where(m.Task.plan_id == pid))}
    for pos, t in enumerate(tasks):
        due = t.get("due", "") or ""
        lead = t.get("lead", "") or ""
        support = t.get("support", "") or ""
        task_values: dict[str, object] = dict(
            task=t["task"],
            lead=lead,
            support=support,
            due_date=_parse_due(due),
            due_text=due,
            cadence=t.get("cadence", "") or "once",
            plan_ref=t.get("plan_ref", "") or "",
            position=pos,
        )
        code = t["code"].strip()
        if code in task_ids:
            conn.execute(update(m.Task).where(m.Task.id == task_ids[code]).values(**task_values))
        else:
            task_ids[code] = conn.execute(
                insert(m.Task).values(ward_id=wid, plan_id=pid, code=code, **task_values).returning(m.Task.id)
            ).scalar_one()
        tid = task_ids[code]
        conn.execute(delete(m.TaskAssignee).where(m.TaskAssignee.task_id == tid))
        lead_ids, _ = resolve_spec(lead, unit_rows)
        support_ids, _ = resolve_spec(support, unit_rows)
        rows = [{"task_id": tid, "unit_id": i, "role": "lead"} for i in lead_ids]
        rows += [{"task_id": tid, "unit_id": i, "role": "support"} for i in support_ids if i not in lead_ids]
        if rows:
            conn.execute(insert(m.TaskAssignee), rows)
    return wid


def registry_rows(conn: Connection, ward: str | None = None, plan: str | None = None) -> tuple[list[dict], list[dict]]:
    """Active units and the tasks of a plan (the current one by default) of a ward as CSV-shaped dicts."""
    wid = ward_id(conn, ward)
    pid = plan_id(conn, wid, plan)
    units = [
        {"code": r.code, "name": r.name, "group": r.group or "", "short_name": r.short_name or ""}
        for r in conn.execute(
            select(m.Unit.code, m.Unit.name, m.UnitGroup.name.label("group"), m.Unit.short_name)
            .outerjoin(m.UnitGroup, m.UnitGroup.id == m.Unit.group_id)
            .where(m.Unit.ward_id == wid, m.Unit.active)
            .order_by(m.Unit.position, m.Unit.id)
        )
    ]
    tasks = [
        {
            "code": r.code,
            "task": r.task,
            "lead": r.lead,
            "support": r.support,
            "due": r.due_text or (r.due_date.isoformat() if r.due_date else ""),
            "cadence": r.cadence,
            "plan_ref": r.plan_ref,
        }
        for r in conn.execute(
            select(m.Task.__table__).where(m.Task.plan_id == pid).order_by(m.Task.position, m.Task.id)
        )
    ]
    return units, tasks


def unit_aliases(conn: Connection, wid: int | None) -> dict[str, tuple[str, ...]]:
    """Unit code -> the other names files may use for it (former names, merged units' names)."""
    out: dict[str, list[str]] = {}
    rows = conn.execute(
        select(m.Unit.code, m.UnitAlias.name)
        .join(m.UnitAlias, m.UnitAlias.unit_id == m.Unit.id)
        .where(m.Unit.ward_id == wid)
        .order_by(m.UnitAlias.id)
    )
    for code, name in rows:
        out.setdefault(code, []).append(name)
    return {k: tuple(v) for k, v in out.items()}


def load_registry(engine: Engine, ward: str | None = None, plan: str | None = None):
    """The ward's registry (active units with their aliases, the tasks of ``plan`` or of the
    current plan) as a ``loaders.registry.Registry`` for ``check_bytes`` and templates."""
    from loaders import registry as lr

    with engine.connect() as conn:
        wid = ward_id(conn, ward)
        pid = plan_id(conn, wid, plan)
        plan_code = conn.execute(select(m.Plan.code).where(m.Plan.id == pid)).scalar() if pid else ""
        units, _ = registry_rows(conn, ward, plan)
        aliases = unit_aliases(conn, wid)
        group_forms = {
            name: tuple(f for f in (forms or "").split(",") if f)
            for name, forms in conn.execute(
                select(m.UnitGroup.name, m.UnitGroup.forms).where(m.UnitGroup.ward_id == wid)
            ).all()
        }
        tasks = conn.execute(
            select(m.Task.__table__).where(m.Task.plan_id == pid).order_by(m.Task.position, m.Task.id)
        ).all()
    return lr.Registry(
        units=[
            lr.Unit(
                code=u["code"],
                name=u["name"],
                group=u["group"],
                short_name=u["short_name"],
                aliases=aliases.get(u["code"], ()),
            )
            for u in units
        ],
        tasks=[
            lr.Task(
                code=t.code,
                text=t.task,
                lead=split_spec(t.lead),
                support=split_spec(t.support),
                due=t.due_date,
                cadence=t.cadence,
                plan_ref=t.plan_ref,
            )
            for t in tasks
        ],
        plan=plan_code or "",
        group_forms=group_forms,
    )
