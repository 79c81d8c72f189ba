"""The table of each declared form's normalised rows, taken from the declaration (loaders.forms).

``row_table(form)`` is the SQLAlchemy ``Table`` holding a form's rows: the
model of ``storage.models`` for the forms the migrations created, or, for a
form declared later (a test fixture), a table built from the declaration the
same way (its migration then creates it).  Either way its columns are
``id``, ``submission_form_id``, ``task_id`` (forms that name plan tasks), the
declaration's ``Form.stored_columns()`` (types from the field kinds), and the
cell's origin ``sheet``, ``row``; ``tests/test_forms_declared.py`` checks
that the models match the declaration.

``row_values(form, record, ...)`` converts one frame record into a row of
that table with the converter of each column's type.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from functools import cache
from typing import Any

import pandas as pd
from sqlalchemy import Column, Date, Float, ForeignKey, Integer, String, Table, Text

from loaders.forms import Form, StoredColumn
from storage.models import Base

SQL_TYPES: dict[str, Callable[[], Any]] = {"text": Text, "int": Integer, "float": Float, "date": Date}
ORIGIN_COLUMNS = ("sheet", "row")


def row_table(form: Form) -> Table:
    """The table of ``form``'s rows (built from the declaration when the models do not have it)."""
    if not form.table:
        raise LookupError(f"form {form.key!r} declares no table")
    found = Base.metadata.tables.get(form.table)
    if found is not None:
        return found
    columns: list[Column] = [
        Column("id", Integer, primary_key=True),
        Column("submission_form_id", ForeignKey("submission_forms.id", ondelete="CASCADE"), index=True),
    ]
    if form.uses_plan:
        columns.append(Column("task_id", ForeignKey("tasks.id"), nullable=True))
    columns += [Column(c.name, SQL_TYPES[c.type](), nullable=True) for c in _columns(form)]
    columns += [Column("sheet", String(200), nullable=False), Column("row", Integer, nullable=False)]
    return Table(form.table, Base.metadata, *columns)


# ---------------------------------------------------------------- converters


def _py(v: Any) -> Any:
    """A frame cell as a plain Python value (None for every kind of missing)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if hasattr(v, "item") and not isinstance(v, str | bytes):  # numpy scalars
        v = v.item()
        if isinstance(v, float) and math.isnan(v):
            return None
    return v


def as_date(v: Any) -> dt.date | None:
    v = _py(v)
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v[:10])
        except ValueError:
            return None
    return None


def as_int(v: Any) -> int | None:
    v = _py(v)
    return None if v is None else int(v)


def as_float(v: Any) -> float | None:
    v = _py(v)
    return None if v is None else float(v)


def as_text(v: Any) -> str | None:
    v = _py(v)
    if v is None:
        return None
    if isinstance(v, dt.datetime | dt.date):
        return v.strftime("%d/%m/%Y")
    s = str(v).strip()
    return s or None


CONVERTERS: dict[str, Callable[[Any], Any]] = {"text": as_text, "int": as_int, "float": as_float, "date": as_date}


@cache
def _columns(form: Form) -> tuple[StoredColumn, ...]:
    return form.stored_columns()


@cache
def _task_code_column(form: Form) -> str | None:
    return next((f.column or f.key for f in form.fields if f.kind == "task_code"), None)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A form's frame as plain records (the frame's object view)."""
    return frame.astype(object).to_dict("records") if len(frame) else []


@cache
def _plan(form: Form) -> tuple[tuple[str, Callable[[Any], Any], str, str | None], ...]:
    """Per stored column, once per form: (column, converter, frame column, fallback frame column)."""
    return tuple((c.name, CONVERTERS[c.type], c.source, c.fallback) for c in _columns(form))


def row_values(form: Form, record: dict[str, Any], sf_id: int, task_ids: dict[str, int] | None = None) -> dict:
    """One frame record as a row of ``row_table(form)``: the declared columns converted, the plan task's
    id (forms that name plan tasks), the submitted form and the cell's origin."""
    values = {
        name: convert(record.get(source) if fallback is None or source in record else record.get(fallback))
        for name, convert, source, fallback in _plan(form)
    }
    code_column = _task_code_column(form)
    if code_column is not None:
        code = values[code_column]
        values["task_id"] = (task_ids or {}).get(code) if code else None
    values.update(submission_form_id=sf_id, sheet=str(record.get("sheet") or ""), row=int(record["row"]))
    return values
