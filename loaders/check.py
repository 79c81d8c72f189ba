"""Orchestration: bytes in, a CheckResult out (nothing stored, never raises for a bad file).

    check_bytes(data, filename, *, registry=None, today=None) -> CheckResult
    check_path(path, *, registry=None, today=None) -> CheckResult

Steps: safe read (loaders.sandbox) -> find each form's table in every sheet
(loaders.detect) -> unit and period from the title blocks and the file name ->
every row and rule (loaders.validate).  Every problem in the file is listed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path, PurePath

from loaders.detect import Table, TitleText, find_table, place, title_texts
from loaders.forms import FORMS, FORMS_BY_KEY, NOTHING_TO_REPORT, PERIOD_LABELS, UNIT_LABELS
from loaders.problems import Problem, make
from loaders.raw import RawSheet, RawWorkbook
from loaders.registry import Registry
from loaders.result import CheckResult, FormData, FoundValue
from loaders.text import fold
from loaders.validate import Context, uses_period, validate_table
from loaders.values import parse_period, period_label

FILE_NAME_SOURCE = "tên tệp"
Validated = tuple[FormData, list[Problem], list[Problem]]  # what validate_table returns


def _read(
    data: bytes, filename: str, on_sheet: Callable[[RawSheet], object] | None = None
) -> tuple[RawWorkbook | None, list[Problem]]:
    """The one place that reads workbook bytes: the capped sandbox worker."""
    from loaders.sandbox import read_workbook_safely

    return read_workbook_safely(data, filename, on_sheet)


def check_path(path: str | Path, *, registry: Registry | None = None, today: dt.date | None = None) -> CheckResult:
    p = Path(path)
    return check_bytes(p.read_bytes(), p.name, registry=registry, today=today)


def check_bytes(
    data: bytes, filename: str, *, registry: Registry | None = None, today: dt.date | None = None
) -> CheckResult:
    if registry is None:  # no implicit registry: the caller reads the ward's (storage.registry.load_registry)
        raise ValueError("check_bytes needs the ward's registry (units and plan tasks)")
    today = today or dt.date.today()
    if isinstance(today, dt.datetime):
        today = today.date()
    result = CheckResult(file=filename, accepted=False, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    # While the worker streams the sheets, each one's table is found, its title texts read and, when its
    # rules do not need the period (known only once every sheet is in), it is validated; this work
    # counts only when the whole read succeeds.  id(sheet) -> (sheet, table, title texts, validation);
    # the objects are kept, so the ids stay unique.
    early = Context(registry=registry, period=None, today=today)
    found: dict[int, tuple[RawSheet, Table | None, list[TitleText], Validated | None]] = {}

    def on_sheet(sheet: RawSheet) -> None:
        table = find_table(sheet)
        texts = title_texts(table) if table is not None else []
        checked = validate_table(table, early) if table is not None and not uses_period(table.form) else None
        found[id(sheet)] = (sheet, table, texts, checked)

    raw, read_problems = _read(data, filename, on_sheet)
    result.errors += [p for p in read_problems if p.severity == "error"]
    result.warnings += [p for p in read_problems if p.severity != "error"]
    if raw is None:
        if not result.errors:  # a refusal always carries an error
            result.errors.append(make("file.unreadable", filename=filename))
        return result

    # A sheet not seen while streaming (a find that raised: it raises here again) is looked at now.
    seen = [found[id(s)][1] if id(s) in found else find_table(s) for s in raw.sheets]
    tables = _pick_tables([t for t in seen if t is not None], result)
    texts = {id(t): x for _s, t, x, _v in found.values() if t is not None}
    validated = {id(t): v for _s, t, _x, v in found.values() if t is not None and v is not None}
    if not tables:
        forms = ", ".join(f.sheet_title for f in FORMS)
        result.errors.append(make("workbook.no_form", filename=filename, forms=forms))

    unit, period = _resolve_title(tables, filename, registry, result, texts)
    result.unit, result.period = unit, period

    ctx = Context(registry=registry, period=period.value, today=today)
    for table in tables:
        done = validated.get(id(table))
        data_, errors, warnings = done if done is not None else validate_table(table, ctx)
        result.forms[table.form.key] = data_
        result.errors += errors
        result.warnings += warnings
    if tables and all(len(fd.frame) == 0 and not fd.nothing_to_report for fd in result.forms.values()):
        # an untouched template is not a report: no data row in any form, and no form says "Không có"
        result.errors.append(
            make(
                "workbook.empty",
                filename=filename,
                forms=", ".join(place(FORMS_BY_KEY[k], fd.sheet) for k, fd in result.forms.items()),
                nothing=NOTHING_TO_REPORT[0],
            )
        )
    result.accepted = not result.errors
    return result


def _pick_tables(found: list[Table], result: CheckResult) -> list[Table]:
    """One table per form, in form order; a form filled in on two sheets is an error."""
    chosen = []
    for form in FORMS:
        tables = [t for t in found if t.form.key == form.key]
        if not tables:
            continue
        filled = [t for t in tables if t.data_rows]
        if len(filled) > 1:
            names = ", ".join(f"«{t.sheet.name}»" for t in filled)
            result.errors.append(
                make(
                    "workbook.duplicate_form",
                    sheet=filled[1].sheet.name,
                    form=form.key,
                    cell=None,
                    form_title=form.sheet_title,
                    sheets=names,
                )
            )
        chosen.append(filled[0] if filled else tables[0])
    return chosen


# --------------------------------------------------------------------------
# Unit and period
# --------------------------------------------------------------------------


def _resolve_title(
    tables: list[Table],
    filename: str,
    registry: Registry,
    result: CheckResult,
    known: dict[int, list[TitleText]] | None = None,
) -> tuple[FoundValue, FoundValue]:
    """Unit and period; ``known`` holds title texts already found (id(table) -> texts)."""
    known = known or {}
    texts: list[TitleText] = []
    for t in tables:
        texts += known[id(t)] if id(t) in known else title_texts(t)
    stem = PurePath(filename).stem
    unit = _resolve_unit([x for x in texts if x.kind == "unit"], stem, registry, result)
    period = _resolve_period([x for x in texts if x.kind == "period"], stem, result)
    return unit, period


def _unit_names(registry: Registry, codes: list[str]) -> str:
    return "; ".join(registry.unit_label(c) for c in codes)


def _at(x: TitleText) -> dict[str, str | None]:
    """Where a title text was read: the sheet as named in the file, the cell, the form."""
    return {"sheet": x.sheet, "cell": x.cell, "form": x.form}


def _same_text(texts: list[TitleText]) -> list[list[TitleText]]:
    """Title texts grouped by what they say (one problem per cause: the same unknown unit written in
    three title blocks is one problem naming the three cells)."""
    groups: dict[str, list[TitleText]] = {}
    for x in texts:
        groups.setdefault(fold(x.text), []).append(x)
    return list(groups.values())


def _sources(xs: list[TitleText]) -> str:
    return "; ".join(dict.fromkeys(x.source for x in xs))


def _resolve_unit(texts: list[TitleText], stem: str, registry: Registry, result: CheckResult) -> FoundValue:
    resolved: list[tuple[str, TitleText]] = []
    failed = False
    for group in _same_text(texts):
        x = group[0]
        code, candidates = registry.match_unit(x.text)
        if code:
            resolved += [(code, g) for g in group]
        elif candidates:
            failed = True
            result.errors.append(
                make(
                    "unit.ambiguous",
                    **_at(x),
                    text=x.text,
                    source=_sources(group),
                    candidates=_unit_names(registry, candidates),
                )
            )
        else:
            failed = True
            result.errors.append(make("unit.not_found", **_at(x), text=x.text, source=_sources(group)))
    code, candidates = registry.match_unit(stem, fuzzy=False)
    if code:
        resolved.append((code, TitleText("unit", stem, FILE_NAME_SOURCE, False)))
    elif candidates and not texts:
        failed = True
        result.errors.append(
            make(
                "unit.ambiguous",
                variant="file_name",
                text=stem,
                candidates=_unit_names(registry, candidates),
                label=UNIT_LABELS[0],
            )
        )
    settled = _settle(
        resolved,
        failed,
        result,
        code="unit.conflict",
        label=registry.unit_label,
    )
    if settled:
        return settled
    if not resolved and not failed:
        result.errors.append(make("unit.not_found", variant="missing", label=UNIT_LABELS[0]))
    first_text = resolved[0][1].text if resolved else (texts[0].text if texts else None)
    return FoundValue(None, None, first_text)


def _settle(
    resolved: list[tuple[str, TitleText]],
    failed: bool,
    result: CheckResult,
    *,
    code: str,
    label: Callable[[str], str],
) -> FoundValue | None:
    """The unit or period that every source agrees on; a conflict error when two disagree.

    None when nothing was resolved or a source could not be read (the caller reports that).
    """
    values = list(dict.fromkeys(v for v, _ in resolved))
    if len(values) > 1:
        first = next(x for v, x in resolved if v == values[0])
        other = next(x for v, x in resolved if v == values[1])
        # every place each value was read from; the problem sits at the first cell of the minority
        at = next((x for v, x in resolved if v != values[0] and x.cell), None) or next(
            (x for _, x in resolved if x.cell), first
        )
        result.errors.append(
            make(
                code,
                **_at(at),
                first=first.text,
                first_source=_sources([x for v, x in resolved if v == values[0]]),
                first_value=label(values[0]),
                other=other.text,
                other_source=_sources([x for v, x in resolved if v == values[1]]),
                other_value=label(values[1]),
            )
        )
        return FoundValue(None, "; ".join(x.source for _, x in resolved), first.text)
    if values and not failed:
        return FoundValue(values[0], "; ".join(dict.fromkeys(x.source for _, x in resolved)), resolved[0][1].text)
    return None


def _resolve_period(texts: list[TitleText], stem: str, result: CheckResult) -> FoundValue:
    resolved: list[tuple[str, TitleText]] = []
    failed = False
    for group in _same_text(texts):
        x = group[0]
        period = parse_period(x.text, bare=x.labelled)
        if period:
            resolved += [(period, g) for g in group]
        else:
            failed = True
            result.errors.append(make("period.unreadable", **_at(x), text=x.text, source=_sources(group)))
    period = parse_period(stem, bare=True)
    if period:
        resolved.append((period, TitleText("period", stem, FILE_NAME_SOURCE, False)))
    settled = _settle(
        resolved,
        failed,
        result,
        code="period.conflict",
        label=period_label,
    )
    if settled:
        return settled
    if not resolved and not failed:
        result.errors.append(make("period.not_found", label=PERIOD_LABELS[0]))
    return FoundValue(None, None, texts[0].text if texts else None)
