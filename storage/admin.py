"""The office's edits of the registry: the ward, unit groups and their reporting rules, units,
plans and their tasks, settings.  Each edit runs in one transaction, is recorded in
``registry_changes`` (who, when, before and after) and counts at once (checks, templates
and pages read the registry from the database).  No edit rewrites a stored report.

A refused edit raises ``RegistryError`` (a stable ``code`` and a Vietnamese message)
before anything is written: nothing changes.

Every function takes ``actor``: the person making the change as it is shown in the
history (the pages pass the signed-in account's name).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from loaders.settings import DUE_DAY_MAX, DUE_DAY_MIN, WardSettings
from storage import models as m
from storage import settings as st_settings
from storage.ingest import local_now
from storage.models import FORM_KEYS as FORM_ORDER
from storage.registry import DEFAULT_CITY, ensure_plan, plan_id, resolve_spec, split_spec, ward_id
from storage.version import record_change

CADENCES = {"once": "Một lần", "ongoing": "Thường xuyên", "as_needed": "Khi phát sinh"}
GROUP_CADENCES = {"month": "Hằng tháng", "quarter": "Hằng quý"}
ALL_FORMS = ",".join(FORM_ORDER)
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


class RegistryError(ValueError):
    """A refused registry edit: ``code`` (stable) and ``message`` (Vietnamese, for people)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def _record(
    conn: Connection, wid: int, actor: str, action: str, entity: str, key: str, before: Any, after: Any
) -> None:
    conn.execute(
        insert(m.RegistryChange).values(
            ward_id=wid,
            at=local_now(),
            actor=actor or "",
            action=action,
            entity=entity,
            entity_key=str(key)[:100],
            before=before,
            after=after,
        )
    )
    # An audit line too: the data version (every page's cache key) changes when the edit commits.
    record_change(conn, f"registry.{action}", entity=entity, entity_id=str(key)[:100], actor=actor)


def _wid(conn: Connection, ward: str | None = None) -> int:
    wid = ward_id(conn, ward)
    if wid is None:
        raise RegistryError("ward.missing", "Chưa thiết lập phường: hãy nhập tên phường trước.")
    return wid


def _text(value: object) -> str:
    return unicodedata.normalize("NFC", str(value or "")).strip()


def _code(value: object, what: str) -> str:
    code = _text(value).upper()
    if not CODE_RE.match(code):
        raise RegistryError(
            f"{what}.bad_code",
            f"Mã “{_text(value)}” không hợp lệ: chỉ dùng chữ không dấu, số, dấu gạch (tối đa 32 ký tự).",
        )
    return code


def _unit_row(conn: Connection, wid: int, code: str):
    row = conn.execute(
        select(m.Unit.__table__, m.UnitGroup.name.label("group"))
        .outerjoin(m.UnitGroup, m.UnitGroup.id == m.Unit.group_id)
        .where(m.Unit.ward_id == wid, m.Unit.code == code)
    ).first()
    if row is None:
        raise RegistryError("unit.unknown", f"Không có đơn vị mã “{code}” trong danh mục.")
    return row


def _unit_json(row) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "short_name": row.short_name or "",
        "group": row.group or "",
        "active": bool(row.active),
        "retired_on": row.retired_on.isoformat() if row.retired_on else None,
    }


def _group_id(conn: Connection, wid: int, name: str) -> int:
    gid = conn.execute(select(m.UnitGroup.id).where(m.UnitGroup.ward_id == wid, m.UnitGroup.name == name)).scalar()
    if gid is None:
        raise RegistryError("group.unknown", f"Không có nhóm đơn vị “{name}”.")
    return gid


def _active_units(conn: Connection, wid: int) -> list[dict[str, Any]]:
    return [
        {"id": r.id, "code": r.code, "group": r.group}
        for r in conn.execute(
            select(m.Unit.id, m.Unit.code, m.UnitGroup.name.label("group"))
            .outerjoin(m.UnitGroup, m.UnitGroup.id == m.Unit.group_id)
            .where(m.Unit.ward_id == wid, m.Unit.active)
            .order_by(m.Unit.position, m.Unit.id)
        )
    ]


def _check_spec(conn: Connection, wid: int, spec: str, task_code: str, role: str) -> None:
    _, unknown = resolve_spec(spec, _active_units(conn, wid))
    if unknown:
        who = "chủ trì" if role == "lead" else "phối hợp"
        raise RegistryError(
            "task.unknown_unit",
            f"Nhiệm vụ {task_code}: đơn vị {who} “{'; '.join(unknown)}” không có trong danh mục "
            "(dùng mã đơn vị, tên nhóm đơn vị hoặc ALL).",
        )


def resolve_assignees(conn: Connection, wid: int) -> None:
    """Re-resolve every task's lead/support spec of the ward to its active units."""
    units = _active_units(conn, wid)
    tasks = conn.execute(select(m.Task.id, m.Task.lead, m.Task.support).where(m.Task.ward_id == wid)).all()
    if not tasks:
        return
    conn.execute(delete(m.TaskAssignee).where(m.TaskAssignee.task_id.in_([t.id for t in tasks])))
    rows = []
    for t in tasks:
        lead, _ = resolve_spec(t.lead, units)
        support, _ = resolve_spec(t.support, units)
        rows += [{"task_id": t.id, "unit_id": i, "role": "lead"} for i in lead]
        rows += [{"task_id": t.id, "unit_id": i, "role": "support"} for i in support if i not in lead]
    if rows:
        conn.execute(insert(m.TaskAssignee), rows)


# --------------------------------------------------------------------------
# ward and settings
# --------------------------------------------------------------------------


def _ward_code(name: str) -> str:
    folded = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    letters = "".join(c for c in folded if c.isalnum() and ord(c) < 128).upper()
    return (letters or "PHUONG")[:32]


def setup_ward(engine: Engine, name: str, *, actor: str, issuing_body: str | None = None) -> int:
    """Create the ward (a new, empty database) or rename it; its settings carry the name. Returns its id."""
    name = _text(name)
    for prefix in ("phường ", "Phường ", "PHƯỜNG "):
        name = name.removeprefix(prefix)
    if not name:
        raise RegistryError("ward.name_missing", "Hãy nhập tên phường.")
    body = _text(issuing_body) or f"ĐẢNG BỘ PHƯỜNG {name.upper()}"
    with engine.begin() as conn:
        wid = ward_id(conn)
        before = None
        if wid is None:
            cid = conn.execute(select(m.City.id).where(m.City.code == DEFAULT_CITY[0])).scalar()
            if cid is None:
                cid = conn.execute(
                    insert(m.City).values(code=DEFAULT_CITY[0], name=DEFAULT_CITY[1]).returning(m.City.id)
                ).scalar_one()
            wid = conn.execute(
                insert(m.Ward)
                .values(city_id=cid, code=_ward_code(name), name=f"Phường {name}", position=0)
                .returning(m.Ward.id)
            ).scalar_one()
            settings = WardSettings(ward_name=name, issuing_body=body)
        else:
            old = st_settings.load_settings_conn(conn, wid)
            before = {"ward_name": old.ward_name, "issuing_body": old.issuing_body}
            conn.execute(update(m.Ward).where(m.Ward.id == wid).values(name=f"Phường {name}"))
            settings = dataclasses.replace(old, ward_name=name, issuing_body=body)
        st_settings.save_settings(conn, wid, settings)
        _record(
            conn,
            wid,
            actor,
            "ward.setup" if before is None else "ward.rename",
            "ward",
            name,
            before,
            {"ward_name": name, "issuing_body": body},
        )
    return wid


def set_due_day(engine: Engine, day: object, *, actor: str, ward: str | None = None) -> None:
    """The day of month M on which the report for month M is due (1-28)."""
    try:
        value = int(str(day).strip())
    except ValueError:
        value = None
    if value is None or not DUE_DAY_MIN <= value <= DUE_DAY_MAX:
        raise RegistryError(
            "settings.due_day",
            f"Ngày hạn nộp “{day}” không hợp lệ: phải là một ngày từ {DUE_DAY_MIN} đến {DUE_DAY_MAX} "
            "(có trong mọi tháng).",
        )
    with engine.begin() as conn:
        wid = _wid(conn, ward)
        old = st_settings.load_settings_conn(conn, wid)
        if old.due_day == value:
            return
        st_settings.save_settings(conn, wid, dataclasses.replace(old, due_day=value))
        _record(
            conn, wid, actor, "settings.due_day", "settings", "due_day", {"due_day": old.due_day}, {"due_day": value}
        )


# --------------------------------------------------------------------------
# groups and reporting rules
# --------------------------------------------------------------------------


def _forms_value(forms: Iterable[str] | str) -> str:
    items = [f.strip() for f in (forms.split(",") if isinstance(forms, str) else forms) if f and f.strip()]
    bad = [f for f in items if f not in FORM_ORDER]
    if bad or not items:
        raise RegistryError("group.forms", "Mỗi nhóm đơn vị phải gửi ít nhất một biểu (Biểu 01, 02 hoặc 03).")
    return ",".join(f for f in FORM_ORDER if f in items)


def add_group(
    engine: Engine,
    name: str,
    *,
    actor: str,
    forms: Iterable[str] | str = ALL_FORMS,
    cadence: str = "month",
    ward: str | None = None,
) -> None:
    name = _text(name)
    if not name:
        raise RegistryError("group.name_missing", "Hãy nhập tên nhóm đơn vị.")
    if cadence not in GROUP_CADENCES:
        raise RegistryError("group.cadence", "Kỳ báo cáo của nhóm phải là hằng tháng hoặc hằng quý.")
    forms_value = _forms_value(forms)
    with engine.begin() as conn:
        wid = _wid(conn, ward)
        exists = conn.execute(
            select(m.UnitGroup.id).where(m.UnitGroup.ward_id == wid, func.lower(m.UnitGroup.name) == name.lower())
        ).first()
        if exists:
            raise RegistryError("group.duplicate", f"Đã có nhóm đơn vị “{name}”.")
        n = conn.execute(select(func.count()).select_from(m.UnitGroup).where(m.UnitGroup.ward_id == wid)).scalar()
        conn.execute(insert(m.UnitGroup).values(ward_id=wid, name=name, position=n, forms=forms_value, cadence=cadence))
        _record(
            conn, wid, actor, "group.add", "group", name, None, {"name": name, "forms": forms_value, "cadence": cadence}
        )


def rename_group(engine: Engine, old: str, new: str, *, actor: str, ward: str | None = None) -> None:
    """Rename a group; task specs naming the group follow the new name."""
    new = _text(new)
    if not new:
        raise RegistryError("group.name_missing", "Hãy nhập tên nhóm đơn vị.")
    with engine.begin() as conn:
        wid = _wid(conn, ward)
        gid = _group_id(conn, wid, old)
        if new == old:
            return
        clash = conn.execute(
            select(m.UnitGroup.id).where(
                m.UnitGroup.ward_id == wid, func.lower(m.UnitGroup.name) == new.lower(), m.UnitGroup.id != gid
            )
        ).first()
        if clash:
            raise RegistryError("group.duplicate", f"Đã có nhóm đơn vị “{new}”.")
        conn.execute(update(m.UnitGroup).where(m.UnitGroup.id == gid).values(name=new))
        for t in conn.execute(select(m.Task.id, m.Task.lead, m.Task.support).where(m.Task.ward_id == wid)).all():
            lead = _replace_token(t.lead, old, new)
            support = _replace_token(t.support, old, new)
            if (lead, support) != (t.lead, t.support):
                conn.execute(update(m.Task).where(m.Task.id == t.id).values(lead=lead, support=support))
        _record(conn, wid, actor, "group.rename", "group", new, {"name": old}, {"name": new})


def set_group_rule(
    engine: Engine, name: str, *, forms: Iterable[str] | str, cadence: str, actor: str, ward: str | None = None
) -> None:
    """Which forms the group's units send, and how often (month | quarter)."""
    if cadence not in GROUP_CADENCES:
        raise RegistryError("group.cadence", "Kỳ báo cáo của nhóm phải là hằng tháng hoặc hằng quý.")
    forms_value = _forms_value(forms)
    with engine.begin() as conn:
        wid = _wid(conn, ward)
        gid = _group_id(conn, wid, name)
        old = conn.execute(select(m.UnitGroup.forms, m.UnitGroup.cadence).where(m.UnitGroup.id == gid)).one()
        if (old.forms, old.cadence) == (forms_value, cadence):
            return
        conn.execute(update(m.UnitGroup).where(m.UnitGroup.id == gid).values(forms=forms_value, cadence=cadence))
        _record(
            conn,
            wid,
            actor,
            "group.rule",
            "group",
            name,
            {"forms": old.forms, "cadence": old.cadence},
            {"forms": forms_value, "cadence": cadence},
        )


# --------------------------------------------------------------------------
# units
# --------------------------------------------------------------------------


def add_unit(
    engine: Engine,
    code: str,
    name: str,
    group: str,
    *,
    actor: str,
    short_name: str = "",
    ward: str | None = None,
) -> None:
    code = _code(code, "unit")
    name = _text(name)
    if not name:
        raise RegistryError("unit.name_missing", "Hãy nhập tên đơn vị.")
    with engine.begin() as conn:
        wid = _wid(conn, ward)
        if conn.execute(select(m.Unit.id).where(m.Unit.ward_id == wid, m.Unit.code == code)).first():
            raise RegistryError(
                "unit.duplicate", f"Mã đơn vị “{code}” đã có (mã không dùng lại, kể cả mã của đơn vị đã thôi theo dõi)."
            )
        gid = _group_id(conn, wid, _text(group)) if _text(group) else None
        n = conn.execute(select(func.count()).select_from(m.Unit).where(m.Unit.ward_id == wid)).scalar()
        conn.execute(
            insert(m.Unit).values(
                ward_id=wid, group_id=gid, code=code, name=name, short_name=_text(short_name), active=True, position=n
            )
        )
        resolve_assignees(conn, wid)
        _record(
            conn,
            wid,
            actor,
            "unit.add",
            "unit",
            code,
            None,
            {"code": code, "name": name, "group": _text(group), "short_name": _text(short_name)},
        )


def rename_unit(
    engine: Engine, code: str, name: str, *, actor: str, short_name: str | None = None, ward: str | None = None
) -> None:
    """A new name (code unchanged); the old name stays recognised in files (an alias)."""
    name = _text(name)
    if not name:
        raise RegistryError("unit.name_missing", "Hãy nhập tên đơn vị.")
    with engine.begin() as conn:
        wid = _wid(conn, ward)
        row = _unit_row(conn, wid, code)
        new_short = row.short_name if short_name is None else _text(short_name)
        if (name, new_short) == (row.name, row.short_name):
            return
        conn.execute(update(m.Unit).where(m.Unit.id == row.id).values(name=name, short_name=new_short))
        _add_alias(conn, row.id, row.name)
        if row.short_name and row.short_name != new_short:
            _add_alias(conn, row.id, row.short_name)
        after = _unit_json(_unit_row(conn, wid, code))
        _record(conn, wid, actor, "unit.rename", "unit", code, _unit_json(row), after)


def _add_alias(conn: Connection, unit_id: int, name: str) -> None:
    name = _text(name)
    if not name:
        return
    exists = conn.execute(
        select(m.UnitAlias.id).where(m.UnitAlias.unit_id == unit_id, m.UnitAlias.name == name)
    ).first()
    if not exists:
        conn.execute(insert(m.UnitAlias).values(unit_id=unit_id, name=name, added_at=local_now()))


def move_unit(engine: Engine, code: str, group: str, *, actor: str, ward: str | None = None) -> None:
    """Put the unit in another group (tasks assigned to a group follow at once)."""
    with engine.begin() as conn:
        wid = _wid(conn, ward)
        row = _unit_row(conn, wid, code)
        gid = _group_id(conn, wid, _text(group))
        if gid == row.group_id:
            return
        conn.execute(update(m.Unit).where(m.Unit.id == row.id).values(group_id=gid))
        resolve_assignees(conn, wid)
        _record(conn, wid, actor, "unit.move", "unit", code, _unit_json(row), _unit_json(_unit_row(conn, wid, code)))


def retire_unit(engine: Engine, code: str, *, actor: str, on: dt.date | None = None, ward: str | None = None) -> None:
    """Stop expecting reports from the unit from ``on`` (today); its past reports stay as they are."""
    on = on or local_now().date()
    with engine.begin() as conn:
        wid = _wid(conn, ward)
        row = _unit_row(conn, wid, code)
        if not row.active:
            raise RegistryError("unit.retired", f"Đơn vị “{code}” đã thôi theo dõi từ trước.")
        _refuse_last_assignee(conn, wid, row)
        conn.execute(update(m.Unit).where(m.Unit.id == row.id).values(active=False, retired_on=on))
        resolve_assignees(conn, wid)
        _record(conn, wid, actor, "unit.retire", "unit", code, _unit_json(row), _unit_json(_unit_row(conn, wid, code)))


def _refuse_last_assignee(conn: Connection, wid: int, row) -> None:
    """Refuse to retire a unit that some task names by its code alone (the task would have no lead)."""
    for t in conn.execute(
        select(m.Task.code, m.Task.lead).where(m.Task.ward_id == wid, m.Task.plan_id == plan_id(conn, wid))
    ).all():
        tokens = split_spec(t.lead)
        if tokens and all(tok.upper() == row.code.upper() for tok in tokens):
            raise RegistryError(
                "unit.sole_lead",
                f"Đơn vị “{row.code}” là đơn vị chủ trì duy nhất của nhiệm vụ {t.code}: "
                "hãy giao nhiệm vụ cho đơn vị khác trước, hoặc sáp nhập đơn vị vào một đơn vị khác.",
            )


def _replace_token(spec: str, old: str, new: str) -> str:
    tokens = split_spec(spec)
    if not any(t.casefold() == old.casefold() for t in tokens):
        return spec
    out: list[str] = []
    for t in tokens:
        value = new if t.casefold() == old.casefold() else t
        if value not in out:
            out.append(value)
    return "; ".join(out)


def merge_units(
    engine: Engine, source: str, target: str, *, actor: str, on: dt.date | None = None, ward: str | None = None
) -> None:
    """``source`` joins ``target``: source retires (its past reports stay its own), its names become
    the target's aliases (files with the old name go to the target), and tasks naming source name target."""
    on = on or local_now().date()
    if source.strip().upper() == target.strip().upper():
        raise RegistryError("unit.merge_self", f"Không thể sáp nhập đơn vị “{source}” vào chính nó.")
    with engine.begin() as conn:
        wid = _wid(conn, ward)
        src = _unit_row(conn, wid, source)
        dst = _unit_row(conn, wid, target)
        if not src.active:
            raise RegistryError("unit.retired", f"Đơn vị “{src.code}” đã thôi theo dõi từ trước.")
        if not dst.active:
            raise RegistryError("unit.retired", f"Không thể sáp nhập vào đơn vị “{dst.code}” đã thôi theo dõi.")
        conn.execute(
            update(m.Unit).where(m.Unit.id == src.id).values(active=False, retired_on=on, merged_into_id=dst.id)
        )
        for name in (src.name, src.short_name):
            _add_alias(conn, dst.id, name)
        for alias in conn.execute(select(m.UnitAlias.name).where(m.UnitAlias.unit_id == src.id)).scalars().all():
            _add_alias(conn, dst.id, alias)
        for t in conn.execute(select(m.Task.id, m.Task.lead, m.Task.support).where(m.Task.ward_id == wid)).all():
            lead = _replace_token(t.lead, src.code, dst.code)
            support = _replace_token(t.support, src.code, dst.code)
            if (lead, support) != (t.lead, t.support):
                conn.execute(update(m.Task).where(m.Task.id == t.id).values(lead=lead, support=support))
        resolve_assignees(conn, wid)
        _record(
            conn,
            wid,
            actor,
            "unit.merge",
            "unit",
            src.code,
            {"source": _unit_json(src), "target": _unit_json(dst)},
            {"source": _unit_json(_unit_row(conn, wid, src.code)), "target": dst.code},
        )


# --------------------------------------------------------------------------
# plans and tasks
# --------------------------------------------------------------------------


def _plan_json(row) -> dict[str, Any]:
    return {
        "code": row.code,
        "title": row.title,
        "number": row.number,
        "issued_on": row.issued_on.isoformat() if row.issued_on else None,
        "is_current": bool(row.is_current),
    }


def add_plan(
    engine: Engine,
    code: str,
    *,
    title: str,
    number: str = "",
    issued_on: dt.date | None = None,
    make_current: bool = False,
    actor: str,
    ward: str | None = None,
) -> None:
    """A new plan (its tasks are added next); the ward's first plan is current at once."""
    code = _code(code, "plan")
    if not _text(title):
        raise RegistryError("plan.title_missing", "Hãy nhập tên (trích yếu) của kế hoạch.")
    with engine.begin() as conn:
        wid = _wid(conn, ward)
        if conn.execute(select(m.Plan.id).where(m.Plan.ward_id == wid, m.Plan.code == code)).first():
            raise RegistryError("plan.duplicate", f"Mã kế hoạch “{code}” đã có.")
        ensure_plan(conn, wid, code, title=_text(title), number=_text(number), issued_on=issued_on)
        row = conn.execute(select(m.Plan.__table__).where(m.Plan.ward_id == wid, m.Plan.code == code)).one()
        _record(conn, wid, actor, "plan.add", "plan", code, None, _plan_json(row))
    if make_current:
        set_current_plan(engine, code, actor=actor, ward=ward)


def edit_plan(
    engine: Engine,
    code: str,
    *,
    title: str,
    number: str,
    issued_on: dt.date | None,
    actor: str,
    ward: str | None = None,
) -> None:
    if not _text(title):
        raise RegistryError("plan.title_missing", "Hãy nhập tên (trích yếu) của kế hoạch.")
    with engine.begin() as conn:
        wid = _wid(conn, ward)
        row = conn.execute(select(m.Plan.__table__).where(m.Plan.ward_id == wid, m.Plan.code == code)).first()
        if row is None:
            raise RegistryError("plan.unknown", f"Không có kế hoạch mã “{code}”.")
        before = _plan_json(row)
        conn.execute(
            update(m.Plan)
            .where(m.Plan.id == row.id)
            .values(title=_text(title), number=_text(number), issued_on=issued_on)
        )
        after = _plan_json(conn.execute(select(m.Plan.__table__).where(m.Plan.id == row.id)).one())
        if after != before:
            _record(conn, wid, actor, "plan.edit", "plan", code, before, after)


def set_current_plan(engine: Engine, code: str, *, actor: str, ward: str | None = None) -> None:
    """The plan the dashboard, templates, checks and exports follow by default."""
    with engine.begin() as conn:
        wid = _wid(conn, ward)
        pid = conn.execute(select(m.Plan.id).where(m.Plan.ward_id == wid, m.Plan.code == code)).scalar()
        if pid is None:
            raise RegistryError("plan.unknown", f"Không có kế hoạch mã “{code}”.")
        old = conn.execute(select(m.Plan.code).where(m.Plan.ward_id == wid, m.Plan.is_current)).scalar()
        if old == code:
            return
        conn.execute(update(m.Plan).where(m.Plan.ward_id == wid).values(is_current=False))
        conn.execute(update(m.Plan).where(m.Plan.id == pid).values(is_current=True))
        _record(conn, wid, actor, "plan.current", "plan", code, {"current": old}, {"current": code})


def _due(value: object) -> tuple[dt.date | None, str]:
    if value is None or value == "":
        return None, ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value, value.isoformat()
    text = _text(value)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            d = dt.datetime.strptime(text, fmt).date()
            return d, d.isoformat()
        except ValueError:
            pass
    return None, text  # "Quý II/2026", "Thường xuyên": kept as written


def save_task(
    engine: Engine,
    code: str,
    *,
    task: str,
    lead: str,
    support: str = "",
    cadence: str = "once",
    due: object = None,
    actor: str,
    plan: str | None = None,
    ward: str | None = None,
) -> None:
    """Add a task to a plan (the current one by default) or change it (same code)."""
    code = _code(code, "task")
    if not _text(task):
        raise RegistryError("task.text_missing", f"Nhiệm vụ {code}: hãy nhập nội dung nhiệm vụ.")
    if cadence not in CADENCES:
        raise RegistryError(
            "task.cadence", f"Nhiệm vụ {code}: tính chất phải là một lần, thường xuyên hoặc khi phát sinh."
        )
    if not split_spec(lead):
        raise RegistryError("task.lead_missing", f"Nhiệm vụ {code}: hãy chọn đơn vị chủ trì.")
    due_date, due_text = _due(due)
    lead_spec = "; ".join(split_spec(lead))
    support_spec = "; ".join(split_spec(support))
    values = dict(
        task=_text(task),
        lead=lead_spec,
        support=support_spec,
        cadence=cadence,
        due_date=due_date,
        due_text=due_text,
    )
    with engine.begin() as conn:
        wid = _wid(conn, ward)
        pid = plan_id(conn, wid, plan)
        if pid is None:
            raise RegistryError("plan.missing", "Chưa có kế hoạch: hãy thêm kế hoạch trước khi thêm nhiệm vụ.")
        _check_spec(conn, wid, lead_spec, code, "lead")
        _check_spec(conn, wid, support_spec, code, "support")
        row = conn.execute(select(m.Task.__table__).where(m.Task.plan_id == pid, m.Task.code == code)).first()
        plan_code = conn.execute(select(m.Plan.code).where(m.Plan.id == pid)).scalar()
        if row is None:
            n = conn.execute(select(func.count()).select_from(m.Task).where(m.Task.plan_id == pid)).scalar()
            conn.execute(insert(m.Task).values(ward_id=wid, plan_id=pid, code=code, plan_ref="", position=n, **values))
            before = None
        else:
            before = _task_json(row)
            conn.execute(update(m.Task).where(m.Task.id == row.id).values(**values))
        resolve_assignees(conn, wid)
        after = _task_json(
            conn.execute(select(m.Task.__table__).where(m.Task.plan_id == pid, m.Task.code == code)).one()
        )
        if before != after:
            _record(
                conn,
                wid,
                actor,
                "task.add" if before is None else "task.edit",
                "task",
                f"{plan_code}/{code}",
                before,
                after,
            )


def add_task(engine: Engine, code: str, **kwargs: Any) -> None:
    """Like ``save_task`` but refuses a code the plan already has."""
    with engine.connect() as conn:
        wid = _wid(conn, kwargs.get("ward"))
        pid = plan_id(conn, wid, kwargs.get("plan"))
        if (
            pid is not None
            and conn.execute(select(m.Task.id).where(m.Task.plan_id == pid, m.Task.code == _code(code, "task"))).first()
        ):
            raise RegistryError("task.duplicate", f"Mã nhiệm vụ “{_code(code, 'task')}” đã có trong kế hoạch.")
    save_task(engine, code, **kwargs)


def _task_json(row) -> dict[str, Any]:
    return {
        "code": row.code,
        "task": row.task,
        "lead": row.lead,
        "support": row.support,
        "cadence": row.cadence,
        "due": row.due_text or (row.due_date.isoformat() if row.due_date else ""),
    }


# --------------------------------------------------------------------------
# reading (for the pages)
# --------------------------------------------------------------------------


def ward_state(engine: Engine, ward: str | None = None) -> dict[str, Any]:
    """What a ward has set up: name, units, groups, plans, tasks of the current plan; ``missing``:
    Vietnamese lines naming what is still needed before reports can be received."""
    with engine.connect() as conn:
        wid = ward_id(conn, ward)
        if wid is None:
            return {
                "ready": False,
                "ward": None,
                "units": 0,
                "groups": 0,
                "plans": 0,
                "tasks": 0,
                "missing": ["tên phường", "danh sách đơn vị", "kế hoạch và các nhiệm vụ"],
            }
        name = conn.execute(select(m.Ward.name).where(m.Ward.id == wid)).scalar()
        units = conn.execute(
            select(func.count()).select_from(m.Unit).where(m.Unit.ward_id == wid, m.Unit.active)
        ).scalar()
        groups = conn.execute(select(func.count()).select_from(m.UnitGroup).where(m.UnitGroup.ward_id == wid)).scalar()
        plans = conn.execute(select(func.count()).select_from(m.Plan).where(m.Plan.ward_id == wid)).scalar()
        pid = plan_id(conn, wid)
        tasks = (
            conn.execute(select(func.count()).select_from(m.Task).where(m.Task.plan_id == pid)).scalar() if pid else 0
        )
    missing = []
    if not units:
        missing.append("danh sách đơn vị")
    if not pid:
        missing.append("kế hoạch")
    if not tasks:
        missing.append("các nhiệm vụ của kế hoạch")
    return {
        "ready": not missing,
        "ward": name,
        "units": units,
        "groups": groups,
        "plans": plans,
        "tasks": tasks,
        "missing": missing,
    }


def units_frame(engine: Engine, ward: str | None = None) -> pd.DataFrame:
    """Every unit (also retired ones): code, name, short_name, group, active, retired_on, merged_into, aliases."""
    target = m.Unit.__table__.alias("target")
    with engine.connect() as conn:
        wid = ward_id(conn, ward)
        rows = conn.execute(
            select(
                m.Unit.code,
                m.Unit.name,
                m.Unit.short_name,
                m.UnitGroup.name.label("group"),
                m.Unit.active,
                m.Unit.retired_on,
                target.c.code.label("merged_into"),
            )
            .outerjoin(m.UnitGroup, m.UnitGroup.id == m.Unit.group_id)
            .outerjoin(target, target.c.id == m.Unit.merged_into_id)
            .where(m.Unit.ward_id == wid)
            .order_by(m.Unit.active.desc(), m.Unit.position, m.Unit.id)
        ).all()
        from storage.registry import unit_aliases

        aliases = unit_aliases(conn, wid)
    cols = ["code", "name", "short_name", "group", "active", "retired_on", "merged_into"]
    frame = pd.DataFrame([tuple(r) for r in rows], columns=cols)
    frame["aliases"] = [", ".join(aliases.get(c, ())) for c in frame["code"]]
    return frame


def groups_frame(engine: Engine, ward: str | None = None) -> pd.DataFrame:
    """name, forms, cadence, units (active count)."""
    with engine.connect() as conn:
        wid = ward_id(conn, ward)
        n = (
            select(func.count())
            .select_from(m.Unit)
            .where(m.Unit.group_id == m.UnitGroup.id, m.Unit.active)
            .scalar_subquery()
        )
        rows = conn.execute(
            select(m.UnitGroup.name, m.UnitGroup.forms, m.UnitGroup.cadence, n)
            .where(m.UnitGroup.ward_id == wid)
            .order_by(m.UnitGroup.position, m.UnitGroup.id)
        ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["name", "forms", "cadence", "units"])


def plans_frame(engine: Engine, ward: str | None = None) -> pd.DataFrame:
    """code, title, number, issued_on, is_current, tasks."""
    with engine.connect() as conn:
        wid = ward_id(conn, ward)
        n = select(func.count()).select_from(m.Task).where(m.Task.plan_id == m.Plan.id).scalar_subquery()
        rows = conn.execute(
            select(m.Plan.code, m.Plan.title, m.Plan.number, m.Plan.issued_on, m.Plan.is_current, n)
            .where(m.Plan.ward_id == wid)
            .order_by(m.Plan.position, m.Plan.id)
        ).all()
    return pd.DataFrame(
        [tuple(r) for r in rows], columns=["code", "title", "number", "issued_on", "is_current", "tasks"]
    )


def tasks_frame(engine: Engine, plan: str | None = None, ward: str | None = None) -> pd.DataFrame:
    """The tasks of a plan (the current one by default): code, task, lead, support, cadence, due."""
    from storage.registry import registry_rows

    with engine.connect() as conn:
        _, tasks = registry_rows(conn, ward, plan)
    return pd.DataFrame(tasks, columns=["code", "task", "lead", "support", "due", "cadence", "plan_ref"])


def history_frame(engine: Engine, limit: int = 500, ward: str | None = None) -> pd.DataFrame:
    """The registry's change history, newest first: at, actor, action, entity, key, before, after."""
    with engine.connect() as conn:
        wid = ward_id(conn, ward)
        rows = conn.execute(
            select(
                m.RegistryChange.at,
                m.RegistryChange.actor,
                m.RegistryChange.action,
                m.RegistryChange.entity,
                m.RegistryChange.entity_key,
                m.RegistryChange.before,
                m.RegistryChange.after,
            )
            .where(m.RegistryChange.ward_id == wid)
            .order_by(m.RegistryChange.id.desc())
            .limit(limit)
        ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["at", "actor", "action", "entity", "key", "before", "after"])


# --------------------------------------------------------------------------
# import / export of the whole registry (loaders.registry_book)
# --------------------------------------------------------------------------


def known_names(engine: Engine, ward: str | None = None) -> tuple[set[str], set[str]]:
    """(active unit codes, group names) a registry workbook's tasks may name besides its own units."""
    with engine.connect() as conn:
        wid = ward_id(conn, ward)
        if wid is None:
            return set(), set()
        codes = set(conn.execute(select(m.Unit.code).where(m.Unit.ward_id == wid, m.Unit.active)).scalars())
        groups = set(conn.execute(select(m.UnitGroup.name).where(m.UnitGroup.ward_id == wid)).scalars())
    return codes, groups


def import_book(engine: Engine, book, *, actor: str, make_current: bool = True, ward: str | None = None) -> dict:
    """Apply a checked registry workbook in one transaction: groups and units added or renamed (old
    names kept as aliases, codes stable), the plan created or updated (current when ``make_current``
    or the ward's first) and its tasks added or changed.  Units and tasks the file leaves out stay as
    they are.  A book with problems is refused whole.  Returns counts."""
    if book.problems:
        first = book.problems[0]
        raise RegistryError("import.problems", f"Tệp có {len(book.problems)} lỗi, chưa nhập gì. {first.message}")
    plan = book.plan
    with engine.begin() as conn:
        wid = _wid(conn, ward)
        groups = {
            n: gid
            for gid, n in conn.execute(select(m.UnitGroup.id, m.UnitGroup.name).where(m.UnitGroup.ward_id == wid)).all()
        }
        units = {r.code: r for r in conn.execute(select(m.Unit.__table__).where(m.Unit.ward_id == wid)).all()}
        added = renamed = 0
        for u in book.units:
            gname = u["group"]
            if gname and gname not in groups:
                groups[gname] = conn.execute(
                    insert(m.UnitGroup)
                    .values(ward_id=wid, name=gname, position=len(groups), forms=ALL_FORMS, cadence="month")
                    .returning(m.UnitGroup.id)
                ).scalar_one()
            gid = groups.get(gname) if gname else None
            row = units.get(u["code"])
            if row is None:
                conn.execute(
                    insert(m.Unit).values(
                        ward_id=wid,
                        group_id=gid,
                        code=u["code"],
                        name=u["name"],
                        short_name=u["short_name"],
                        active=True,
                        position=len(units) + added,
                    )
                )
                added += 1
            else:
                if row.name != u["name"]:
                    _add_alias(conn, row.id, row.name)
                    renamed += 1
                conn.execute(
                    update(m.Unit)
                    .where(m.Unit.id == row.id)
                    .values(name=u["name"], short_name=u["short_name"], group_id=gid)
                )
        pid = conn.execute(select(m.Plan.id).where(m.Plan.ward_id == wid, m.Plan.code == plan["code"])).scalar()
        values = dict(title=plan.get("title") or "", number=plan.get("number") or "", issued_on=plan.get("issued_on"))
        if pid is None:
            pid = ensure_plan(conn, wid, plan["code"], **values)
        else:
            conn.execute(update(m.Plan).where(m.Plan.id == pid).values(**values))
        if make_current:
            conn.execute(update(m.Plan).where(m.Plan.ward_id == wid).values(is_current=False))
            conn.execute(update(m.Plan).where(m.Plan.id == pid).values(is_current=True))
        existing = {
            code: tid for tid, code in conn.execute(select(m.Task.id, m.Task.code).where(m.Task.plan_id == pid)).all()
        }
        for pos, t in enumerate(book.tasks):
            due_date, due_text = _due(t["due"])
            vals = dict(
                task=t["task"],
                lead=t["lead"],
                support=t["support"],
                cadence=t["cadence"],
                due_date=due_date,
                due_text=due_text,
                position=pos,
            )
            if t["code"] in existing:
                conn.execute(update(m.Task).where(m.Task.id == existing[t["code"]]).values(**vals))
            else:
                conn.execute(insert(m.Task).values(ward_id=wid, plan_id=pid, code=t["code"], plan_ref="", **vals))
        resolve_assignees(conn, wid)
        counts = {
            "units_added": added,
            "units_renamed": renamed,
            "units": len(book.units),
            "tasks": len(book.tasks),
            "plan": plan["code"],
        }
        _record(conn, wid, actor, "registry.import", "plan", plan["code"], None, counts)
    return counts


def export_book(engine: Engine, plan: str | None = None, ward: str | None = None) -> bytes:
    """The ward's active units, a plan (the current one) and its tasks as a registry workbook."""
    from loaders.registry_book import write_registry_book
    from storage.registry import registry_rows

    with engine.connect() as conn:
        wid = ward_id(conn, ward)
        units, tasks = registry_rows(conn, ward, plan)
        pid = plan_id(conn, wid, plan)
        row = conn.execute(select(m.Plan.__table__).where(m.Plan.id == pid)).first() if pid else None
    info = {"code": row.code, "number": row.number, "issued_on": row.issued_on, "title": row.title} if row else {}
    return write_registry_book(units, info, tasks)
