"""Row parsing and every rule of the three forms; builds frames and problems.

Codes are built from the declaration (``loaders.forms``) and their messages,
severities and hints come from the problem catalogue (``loaders.problems``):

- per cell: ``<form>.<field>.<reason>`` with reason one of ``required``,
  ``not_number``, ``not_whole``, ``negative``, ``out_of_range``,
  ``not_date``, ``not_in_list``, ``cell_error``, ``unknown`` (task code),
  ``no_match`` / ``ambiguous`` (task content); the catalogue's template is
  filled with the field's header and, for choices, the vocabulary's labels;
- per table: ``<form>.<field>.missing_column``;
- cross-field rules: the codes of ``loaders.forms.RULES``.

Problem.sheet is the sheet's name as it is in the file (the unit may have
renamed it) and Problem.form the form's key; the message names both as the
user sees them ("Biểu 03 (trang tính «BC T2»), ô G12: ..."; just "Biểu 03"
when the sheet keeps the form's name).  ``FormData.sheet`` keeps the same name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.internals import create_dataframe_from_blocks

from loaders.detect import Table, a1, col_letter, is_blank
from loaders.detect import place as detect_place
from loaders.forms import NOTHING_TO_REPORT, VOCABULARIES, Field, Form
from loaders.problems import Problem, make
from loaders.raw import CellError
from loaders.registry import Registry
from loaders.result import FormData
from loaders.text import display, fold, format_date, format_number, lower_first
from loaders.values import (
    ValueProblem,
    choice_matcher,
    parse_count,
    parse_date,
    parse_due,
    parse_percent,
    period_bounds,
    period_label,
)

EXCEL_ERRORS = {
    "#DIV/0!",
    "#N/A",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
}


@dataclass
class Context:
    registry: Registry
    period: str | None
    today: dt.date


def place(table: Table) -> str:
    """'Biểu 03', or 'Biểu 03 (trang tính «BC T2»)' when the sheet has another name."""
    return detect_place(table.form, table.sheet.name)


def _shown(value: Any) -> str:
    if isinstance(value, CellError):
        return value.text or ("#LỖI" if value.kind == "error" else "")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return display(value)


class Reporter:
    """Collects problems for one table, with messages built from the declaration."""

    def __init__(self, table: Table):
        self.table = table
        self.form: Form = table.form
        self.place = place(table)
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def add(self, code: str, row: int | None, col: int | None, variant: str | None = None, **params: Any) -> None:
        """The catalogue's problem ``code`` (loaders.problems) at a cell of this table, or at the table."""
        cell = a1(row, col) if row is not None and col is not None else None
        where = f"{self.place}, ô {cell}" if cell else self.place
        problem = make(
            code, sheet=self.table.sheet.name, form=self.form.key, cell=cell, variant=variant, where=where, **params
        )
        (self.errors if problem.severity == "error" else self.warnings).append(problem)

    def reason(
        self, f: Field, reason: str, row: int | None, col: int | None, value: str = "", variant: str | None = None
    ) -> None:
        """A cell problem ``<form>.<field>.<reason>``, its message filled from the field's declaration."""
        allowed = "; ".join(VOCABULARIES[f.vocabulary].labels()) if f.vocabulary else ""
        self.add(
            f"{self.form.key}.{f.key}.{reason}",
            row,
            col,
            variant,
            header=f.header,
            header_lc=lower_first(f.header),
            value=value,
            allowed=allowed,
        )

    def rule(self, code: str, row: int, field_key: str, **params: Any) -> None:
        self.add(code, row, self.table.columns.get(field_key), **params)


def _cell_error(value: Any) -> CellError | None:
    if isinstance(value, CellError):
        return value
    if isinstance(value, str) and "#" in value:  # every Excel error text holds "#" (and upper() adds none)
        code = value.strip().upper()
        if code in EXCEL_ERRORS:
            return CellError("error", code)
    return None


def _text(value: Any) -> str | None:
    if is_blank(value):
        return None
    return _shown(value) or None


def _task_code(value: Any) -> str | None:
    text = _text(value)
    return text.upper().replace(" ", "") if text else None


_PARSERS: dict[tuple[str, str], Any] = {}


def _parser(form: Form, f: Field) -> Any:
    """The parser of one field's cells (value -> parsed value, or ValueProblem), chosen once per field."""
    found = _PARSERS.get((form.key, f.key))
    if found is None:
        simple = {
            "text": _text,
            "rownum": _text,
            "task_code": _task_code,
            "count": parse_count,
            "percent": parse_percent,
            "date": parse_date,
            "due": parse_due,
        }
        if f.kind in simple:
            found = simple[f.kind]
        elif f.kind == "choice":
            assert f.vocabulary
            found = choice_matcher(VOCABULARIES[f.vocabulary]).parse
        else:
            raise ValueError(f"unknown field kind {f.kind}")
        _PARSERS[(form.key, f.key)] = found
    return found


def _resolve_task_code(code: str, registry: Registry) -> str | None:
    if code in registry.tasks_by_code:
        return code
    m = re.match(r"^([A-Z]+)[.\-_]?0*(\d+)$", code)
    if m:
        for width in (2, 3, 1):
            candidate = f"{m.group(1)}{int(m.group(2)):0{width}d}"
            if candidate in registry.tasks_by_code:
                return candidate
    return None


def _fmt(value: Any) -> str:
    if isinstance(value, int | float):
        return format_number(value)
    return str(value)


def expected_column(table: Table, key: str) -> int:
    """The 0-based column where the form's field ``key`` (absent from the header) was expected: between
    the columns of the declared fields before and after it that were found, the column whose header
    cell is empty (a deleted header), else one whose header was not recognised (a misspelt one),
    else the column right after the field before it."""
    order = [f.key for f in table.form.fields]
    i = order.index(key)
    cols = table.columns
    before = [cols[k] for k in order[:i] if k in cols]
    after = [cols[k] for k in order[i + 1 :] if k in cols]
    lo = max(before) + 1 if before else (min(after) - 1 if after else table.first_col)
    hi = min(after) - 1 if after and (not before or min(after) > max(before)) else max(cols.values(), default=lo) + 1
    lo = max(lo, 0)
    mapped = set(cols.values())
    header_rows = range(table.header_top, table.header_row + 1)

    def header_blank(c: int) -> bool:
        return all(is_blank(_at(table.grid, r, c)) for r in header_rows)

    span = [c for c in range(lo, max(lo, hi) + 1) if c not in mapped]
    for c in span:
        if header_blank(c):
            return c
    if span:
        return span[0]
    return max(before) + 1 if before else table.first_col


def _at(grid: list[list[Any]], r: int, c: int) -> Any:
    row = grid[r] if 0 <= r < len(grid) else None
    return row[c] if row is not None and 0 <= c < len(row) else None


def validate_table(table: Table, ctx: Context) -> tuple[FormData, list[Problem], list[Problem]]:
    form = table.form
    rep = Reporter(table)
    fields = [f for f in form.fields if f.kind != "rownum"]

    # --- columns: a missing one is reported at the header cell where the form expects it
    for f in form.fields:
        if f.required_column and f.key not in table.columns:
            rep.reason(f, "missing_column", table.header_row, expected_column(table, f.key))
    for keys in form.required_any:
        if not any(k in table.columns for k in keys):
            headers = " hoặc ".join(f"“{form.field(k).header}”" for k in keys)
            rep.add(
                f"{form.key}.{keys[0]}.missing_column",
                table.header_row,
                expected_column(table, keys[0]),
                "any_of",
                headers=headers,
            )

    records: list[dict[str, Any]] = []
    report_cols = [table.columns[k] for k in form.report_fields if k in table.columns]
    plan = [(f, table.columns.get(f.key), _parser(form, f)) for f in fields]
    sheet_name = table.sheet.name
    stt_col = table.columns.get("row_no")
    nothing = False
    for r in table.data_rows:
        row = table.grid[r]
        width = len(row)
        if says_nothing(row, stt_col):  # "Không có": the unit has nothing to report in this form
            nothing = True
            continue
        if report_cols and all(is_blank(row[c] if c < width else None) for c in report_cols):
            _not_reported(rep, r)
            continue
        rec: dict[str, Any] = {}
        for f, col, parse in plan:
            value = row[col] if col is not None and col < width else None
            err = _cell_error(value)
            parsed: Any = None
            if err is not None:
                rep.reason(f, "cell_error", r, col, _shown(err), "no_value" if err.kind == "no_value" else None)
            else:
                unreadable = False
                try:
                    parsed = parse(value)
                except ValueProblem as problem:
                    unreadable = True  # one problem per cause: this cell gets its parse error alone
                    if f.kind == "due":
                        rep.reason(f, "not_date", r, col, problem.shown, "due")  # a warning
                        parsed = (None, problem.shown)
                    else:
                        rep.reason(f, problem.reason, r, col, problem.shown)
                        rec[f"_{f.key}_error"] = True
                if not unreadable and f.kind != "due" and parsed is None and f.required_value and col is not None:
                    rep.reason(f, "required", r, col)
            if f.kind == "due":
                due_date, due_text = parsed if parsed else (None, None)
                rec["due"] = due_text
                rec["due_date"] = due_date
                rec["due_text"] = due_text
            else:
                rec[f.key] = parsed
            if err is not None:
                rec[f"_{f.key}_error"] = True
        rec["sheet"] = sheet_name
        rec["row"] = r + 1
        _row_rules(form, rec, r, rep, ctx)
        records.append(rec)

    frame = _frame(form, records)
    letters = {k: col_letter(c) for k, c in table.columns.items()}
    data = FormData(
        form=form.key,
        sheet=table.sheet.name,
        frame=frame,
        header_row=table.header_row + 1,
        columns=letters,
        nothing_to_report=nothing and not records,
    )
    return data, rep.errors, rep.warnings


_NOTHING = {fold(x) for x in NOTHING_TO_REPORT}


def says_nothing(row: list[Any], stt_col: int | None) -> bool:
    """A row whose only text (besides the STT) is "Không có" (loaders.forms.NOTHING_TO_REPORT)."""
    said = False
    for c, v in enumerate(row):
        if c == stt_col or is_blank(v):
            continue
        if not isinstance(v, str) or fold(v).strip(" .") not in _NOTHING:
            return False
        said = True
    return said


def _not_reported(rep: Reporter, r: int) -> None:
    """A pre-filled template row nobody filled in: not counted, a warning."""
    form, cols = rep.form, rep.table.columns
    first = form.field(form.report_fields[0])
    label_col = cols.get("task_code", cols.get("task_text"))
    what = _shown(rep.table.grid[r][label_col]) if label_col is not None else ""
    rep.add(
        f"{form.key}.{first.key}.not_reported",
        r,
        cols.get(first.key),
        line=what or r + 1,
        header=first.header,
        header_lc=lower_first(first.header),
    )


RowCheck = Callable[[Form, dict[str, Any], int, Reporter, Context], None]


@dataclass(frozen=True)
class RegisteredCheck:
    run: RowCheck
    needs_period: bool = False  # reads Context.period (known only once every sheet is read)


# The row checks a form names in its declaration (``Form.row_checks``); each raises the problem
# codes of loaders.forms.RULES that name it (plus, for task_match, the task-matching cell codes).
ROW_CHECKS: dict[str, RegisteredCheck] = {}


def row_check(name: str, *, needs_period: bool = False) -> Callable[[RowCheck], RowCheck]:
    def register(run: RowCheck) -> RowCheck:
        ROW_CHECKS[name] = RegisteredCheck(run, needs_period)
        return run

    return register


def uses_period(form: Form) -> bool:
    """Whether a form's rules read ``Context.period`` (else a table can be validated before the period is known)."""
    return any(ROW_CHECKS[name].needs_period for name in form.row_checks)


def _row_rules(form: Form, rec: dict[str, Any], r: int, rep: Reporter, ctx: Context) -> None:
    for name in form.row_checks:
        ROW_CHECKS[name].run(form, rec, r, rep, ctx)


@row_check("task_match")
def _task_match(form: Form, rec: dict[str, Any], r: int, rep: Reporter, ctx: Context) -> None:
    """The task code resolved against the plan, or the task found by its text."""
    code_f, text_f = form.field("task_code"), form.field("task_text")
    cols = rep.table.columns
    code, text = rec.get("task_code"), rec.get("task_text")
    if code:
        resolved = _resolve_task_code(code, ctx.registry)
        if resolved:
            rec["task_code"] = resolved
        elif not rec.get("_task_code_error"):
            rep.add(
                f"{form.key}.{code_f.key}.unknown",
                r,
                cols.get(code_f.key),
                header=code_f.header,
                value=code,
                codes=", ".join(ctx.registry.tasks_by_code),
            )
            rec["task_code"] = None
    elif text:
        found, candidates = ctx.registry.match_task(text)
        if found:
            rec["task_code"] = found
        elif candidates:
            names = "; ".join(f"{c} “{ctx.registry.tasks_by_code[c].text}”" for c in candidates)
            rep.add(
                f"{form.key}.{text_f.key}.ambiguous",
                r,
                cols.get(text_f.key),
                header=text_f.header,
                value=text,
                candidates=names,
                code_lc=lower_first(code_f.header),
            )
        else:
            rep.add(
                f"{form.key}.{text_f.key}.no_match",
                r,
                cols.get(text_f.key),
                header=text_f.header,
                value=text,
                code_lc=lower_first(code_f.header),
            )
    elif not rec.get("_task_code_error") and not rec.get("_task_text_error"):
        rep.add(
            f"{form.key}.{code_f.key}.required",
            r,
            cols.get(code_f.key, cols.get(text_f.key)),
            "any_of",
            header=code_f.header,
            header_lc=lower_first(code_f.header),
            other_lc=lower_first(text_f.header),
        )


@row_check("task_status")
def _task_status(form: Form, rec: dict[str, Any], r: int, rep: Reporter, ctx: Context) -> None:
    """Status, completion date and percent agree."""
    status_f, pct_f, done_f = form.field("status"), form.field("percent"), form.field("completed_on")
    status, pct, done_on = rec.get("status"), rec.get("percent"), rec.get("completed_on")
    done_label = choice_matcher(VOCABULARIES["status"]).vocabulary.by_key("done").label
    if status == "done":
        if pct is None and not rec.get("_percent_error"):
            rec["percent"] = pct = 100.0
        if done_on is None and not rec.get("_completed_on_error"):
            rep.rule(
                "tasks.completed_on_required",
                r,
                "completed_on" if "completed_on" in rep.table.columns else "status",
                status_header=status_f.header,
                done=done_label,
                completed_on_lc=lower_first(done_f.header),
            )
    if done_on is not None and done_on > ctx.today:
        rep.rule(
            "tasks.completed_on_future",
            r,
            "completed_on",
            header=done_f.header,
            value=format_date(done_on),
            today=format_date(ctx.today),
        )
    if pct is not None and status is not None:
        if (status == "done" and pct < 100) or (status == "not_started" and pct > 0):
            label = VOCABULARIES["status"].by_key(status).label
            rep.rule(
                "tasks.percent_status_mismatch",
                r,
                "percent",
                percent_header=pct_f.header,
                percent=format_number(pct),
                status_lc=lower_first(status_f.header),
                status=label,
                percent_lc=lower_first(pct_f.header),
            )


@row_check("propaganda_period", needs_period=True)
def _propaganda_period(form: Form, rec: dict[str, Any], r: int, rep: Reporter, ctx: Context) -> None:
    """An activity's date lies within the reporting period."""
    day = rec.get("date")
    if day is None or not ctx.period:
        return
    first, last = period_bounds(ctx.period)
    if not first <= day <= last:
        date_f = form.field("date")
        rep.rule(
            "propaganda.date_outside_period",
            r,
            "date",
            header=date_f.header,
            value=format_date(day),
            period=period_label(ctx.period),
        )


@row_check("attendance_counts")
def _attendance_counts(form: Form, rec: dict[str, Any], r: int, rep: Reporter, ctx: Context) -> None:
    """Present never above invited; present plus absent equals invited."""
    invited, present = rec.get("invited"), rec.get("present")
    inv_f, pre_f = form.field("invited"), form.field("present")
    if invited is None or present is None:
        return
    if present > invited:
        rep.rule(
            "attendance.present_gt_invited",
            r,
            "present",
            present_header=pre_f.header,
            present=_fmt(present),
            invited_lc=lower_first(inv_f.header),
            invited=_fmt(invited),
        )
        return
    absent_keys = ("absent_excused", "absent_unexcused")
    if not any(k in rep.table.columns for k in absent_keys):
        return
    if any(rec.get(f"_{k}_error") for k in absent_keys):
        return
    excused, unexcused = rec.get("absent_excused") or 0, rec.get("absent_unexcused") or 0
    total = present + excused + unexcused
    if total != invited:
        ex_f, un_f = form.field("absent_excused"), form.field("absent_unexcused")
        rep.rule(
            "attendance.sum_mismatch",
            r,
            "invited",
            present_header=pre_f.header,
            present=_fmt(present),
            excused_lc=lower_first(ex_f.header),
            excused=_fmt(excused),
            unexcused_lc=lower_first(un_f.header),
            unexcused=_fmt(unexcused),
            total=_fmt(total),
            invited_lc=lower_first(inv_f.header),
            invited=_fmt(invited),
        )


def frame_columns(form: Form) -> list[str]:
    cols = [f.key for f in form.fields if f.kind != "rownum"]
    if any(f.kind == "due" for f in form.fields):  # a deadline also keeps its date and its text
        cols += ["due_date", "due_text"]
    return cols + ["sheet", "row"]


def _int64_array(values: list[Any]) -> Any:
    """Nullable Int64 from ints and None, built directly (pd.array infers per element and is ~10x slower)."""
    try:
        mask = np.array([v is None for v in values], dtype=bool)
        data = np.array([0 if v is None else v for v in values], dtype=np.int64)
    except (OverflowError, TypeError, ValueError):
        return pd.array(values, dtype="Int64")
    return pd.arrays.IntegerArray(data, mask)


@dataclass(frozen=True)
class _FramePlan:
    """A form's frame layout, once per form: columns and the block each column goes to."""

    columns: pd.Index
    objects: tuple[str, ...]  # object columns, in one 2-D block
    object_place: np.ndarray
    counts: tuple[tuple[str, int], ...]  # nullable Int64 columns (one extension block each)
    percents: tuple[str, ...]  # float64 columns, in one 2-D block
    percent_place: np.ndarray
    row_place: np.ndarray  # the int64 "row" column


_PLANS: dict[str, _FramePlan] = {}


def _frame_plan(form: Form) -> _FramePlan:
    plan = _PLANS.get(form.key)
    if plan is None:
        columns = frame_columns(form)
        kinds = {f.key: f.kind for f in form.fields}
        objects, counts, percents = [], [], []
        for i, col in enumerate(columns):
            kind = kinds.get(col)
            if kind == "count":
                counts.append((col, i))
            elif kind == "percent":
                percents.append((col, i))
            elif col != "row":
                objects.append((col, i))
        plan = _FramePlan(
            columns=pd.Index(columns, dtype=object),
            objects=tuple(c for c, _ in objects),
            object_place=np.array([i for _, i in objects], dtype=np.intp),
            counts=tuple(counts),
            percents=tuple(c for c, _ in percents),
            percent_place=np.array([i for _, i in percents], dtype=np.intp),
            row_place=np.array([columns.index("row")], dtype=np.intp),
        )
        _PLANS[form.key] = plan
    return plan


def _frame(form: Form, records: list[dict[str, Any]]) -> pd.DataFrame:
    """Explicit dtypes (pandas 3 would infer ``str`` for text): object, Int64 counts, float64 percent.

    Built block by block (``pandas.api.internals.create_dataframe_from_blocks``):
    one 2-D object block, one float block, the Int64 arrays and the row
    numbers, with no dtype inference and no consolidation pass.
    """
    plan = _frame_plan(form)
    n = len(records)
    objects = np.empty((len(plan.objects), n), dtype=object)
    for i, col in enumerate(plan.objects):
        objects[i, :] = [rec.get(col) for rec in records]
    blocks: list[tuple[Any, np.ndarray]] = [(objects, plan.object_place)]
    for col, place in plan.counts:
        blocks.append((_int64_array([rec.get(col) for rec in records]), np.array([place], dtype=np.intp)))
    if plan.percents:
        percents = np.array(
            [[np.nan if (v := rec.get(col)) is None else float(v) for rec in records] for col in plan.percents],
            dtype="float64",
        ).reshape(len(plan.percents), n)
        blocks.append((percents, plan.percent_place))
    rows = np.array([rec.get("row") for rec in records], dtype="int64").reshape(1, n)
    blocks.append((rows, plan.row_place))
    return create_dataframe_from_blocks(blocks, index=pd.RangeIndex(n), columns=plan.columns.copy())
