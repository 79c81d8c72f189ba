"""The ward's registry as an Excel workbook: import (with cell-precise Vietnamese problems) and export.

Layout (docs/WARD_SETUP.md):

- sheet **Đơn vị**: header row ``Mã đơn vị | Tên đơn vị | Nhóm đơn vị | Tên viết tắt``,
  one unit per row;
- sheet **Kế hoạch**: label in column A, value in column B: ``Mã kế hoạch``,
  ``Số hiệu``, ``Ngày ban hành`` (dd/mm/yyyy), ``Trích yếu``;
- sheet **Nhiệm vụ**: header row ``Mã nhiệm vụ | Nội dung | Đơn vị chủ trì |
  Đơn vị phối hợp | Tính chất | Thời hạn``; lead and support name unit codes,
  unit group names or ``ALL``, separated by ``;``; Tính chất is Một lần /
  Thường xuyên / Khi phát sinh (blank: Một lần); Thời hạn a date or a text
  such as "Quý II/2026".

The file is read by the same capped sandbox as a report (``read_workbook_safely``);
every problem names its sheet and cell; a file with any problem imports nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from loaders.text import clean, fold

UNITS_SHEET, PLAN_SHEET, TASKS_SHEET = "Đơn vị", "Kế hoạch", "Nhiệm vụ"
UNIT_HEADERS = ["Mã đơn vị", "Tên đơn vị", "Nhóm đơn vị", "Tên viết tắt"]
TASK_HEADERS = ["Mã nhiệm vụ", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Tính chất", "Thời hạn"]
PLAN_LABELS = {"ma ke hoach": "code", "so hieu": "number", "ngay ban hanh": "issued_on", "trich yeu": "title"}
PLAN_ROWS = [("Mã kế hoạch", "code"), ("Số hiệu", "number"), ("Ngày ban hành", "issued_on"), ("Trích yếu", "title")]
CADENCE_WORDS = {
    "mot lan": "once",
    "once": "once",
    "thuong xuyen": "ongoing",
    "ongoing": "ongoing",
    "khi phat sinh": "as_needed",
    "as_needed": "as_needed",
}
CADENCE_LABELS = {"once": "Một lần", "ongoing": "Thường xuyên", "as_needed": "Khi phát sinh"}
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
MAX_ROWS = 2000


@dataclass(frozen=True)
class BookProblem:
    sheet: str
    cell: str | None
    code: str
    message: str  # Vietnamese, names the sheet and the cell


@dataclass
class RegistryBook:
    units: list[dict[str, str]] = field(default_factory=list)  # code, name, group, short_name
    plan: dict[str, Any] = field(default_factory=dict)  # code, number, issued_on (date|None), title
    tasks: list[dict[str, Any]] = field(default_factory=list)  # code, task, lead, support, cadence, due
    problems: list[BookProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _col(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return clean(str(value)).strip() if not hasattr(value, "kind") else ""


def _date(value: Any) -> dt.date | None | str:
    """A date, None (blank) or the text as written when it is no date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    return text


def _sheet(wb, name: str):
    for sh in wb.sheets:
        if fold(sh.name) == fold(name):
            return sh
    return None


def _header_row(rows: list[list[Any]], first: str) -> int | None:
    for r, row in enumerate(rows[:15]):
        if row and fold(_text(row[0])) == fold(first):
            return r
    return None


def _cell(rows: list[list[Any]], r: int, c: int) -> Any:
    row = rows[r] if r < len(rows) else []
    return row[c] if c < len(row) else None


def read_registry_book(
    data: bytes,
    filename: str,
    *,
    known_units: AbstractSet[str] = frozenset(),
    known_groups: AbstractSet[str] = frozenset(),
) -> RegistryBook:
    """Read and check a registry workbook.  ``known_units`` / ``known_groups``: what the database
    already holds (a task may name those too)."""
    from loaders.sandbox import read_workbook_safely

    book = RegistryBook()
    wb, problems = read_workbook_safely(data, filename)
    if wb is None:
        for p in problems:
            book.problems.append(BookProblem(p.sheet or "", p.cell, p.code, p.message))
        return book
    add = book.problems.append

    # -------- units
    sh = _sheet(wb, UNITS_SHEET)
    codes: set[str] = set(known_units)
    groups: set[str] = {fold(g) for g in known_groups}
    if sh is None:
        add(BookProblem(UNITS_SHEET, None, "book.sheet_missing", f"Thiếu trang tính “{UNITS_SHEET}”."))
    else:
        rows = sh.rows
        h = _header_row(rows, UNIT_HEADERS[0])
        if h is None:
            add(
                BookProblem(
                    sh.name,
                    "A1",
                    "book.header_missing",
                    f"{sh.name}: không thấy dòng tiêu đề bắt đầu bằng “{UNIT_HEADERS[0]}” ở cột A.",
                )
            )
        else:
            seen: dict[str, str] = {}
            for r in range(h + 1, min(len(rows), h + 1 + MAX_ROWS)):
                vals = [_text(_cell(rows, r, c)) for c in range(4)]
                if not any(vals):
                    continue
                code, name, group, short = vals
                ref = f"A{r + 1}"
                if not code:
                    add(BookProblem(sh.name, ref, "book.unit_code_missing", f"{sh.name}, ô {ref}: thiếu mã đơn vị."))
                    continue
                code = code.upper()
                if not CODE_RE.match(code):
                    add(
                        BookProblem(
                            sh.name,
                            ref,
                            "book.unit_code_bad",
                            f"{sh.name}, ô {ref}: mã “{vals[0]}” không hợp lệ (chữ không dấu, số, dấu gạch).",
                        )
                    )
                    continue
                if code in seen:
                    add(
                        BookProblem(
                            sh.name,
                            ref,
                            "book.unit_code_duplicate",
                            f"{sh.name}, ô {ref}: mã đơn vị “{code}” trùng với ô {seen[code]}.",
                        )
                    )
                    continue
                seen[code] = ref
                if not name:
                    add(
                        BookProblem(
                            sh.name, f"B{r + 1}", "book.unit_name_missing", f"{sh.name}, ô B{r + 1}: thiếu tên đơn vị."
                        )
                    )
                    continue
                codes.add(code)
                if group:
                    groups.add(fold(group))
                book.units.append({"code": code, "name": name, "group": group, "short_name": short})

    # -------- plan
    sh = _sheet(wb, PLAN_SHEET)
    if sh is None:
        add(BookProblem(PLAN_SHEET, None, "book.sheet_missing", f"Thiếu trang tính “{PLAN_SHEET}”."))
    else:
        where: dict[str, int] = {}
        for r, row in enumerate(sh.rows[:30]):
            key = PLAN_LABELS.get(fold(_text(row[0] if row else None)).rstrip(":"))
            if key and key not in where:
                where[key] = r
                book.plan[key] = _cell(sh.rows, r, 1)
        for label, key in PLAN_ROWS:
            if key not in where:
                if key in ("code", "title"):
                    add(
                        BookProblem(
                            sh.name, None, "book.plan_label_missing", f"{sh.name}: thiếu dòng “{label}” (ở cột A)."
                        )
                    )
                continue
            ref = f"B{where[key] + 1}"
            raw = book.plan[key]
            if key == "issued_on":
                d = _date(raw)
                if isinstance(d, str):
                    add(
                        BookProblem(
                            sh.name,
                            ref,
                            "book.plan_date_bad",
                            f"{sh.name}, ô {ref}: ngày ban hành “{d}” không đúng dạng dd/mm/yyyy.",
                        )
                    )
                    d = None
                book.plan[key] = d
            else:
                book.plan[key] = _text(raw)
                if key == "code":
                    book.plan[key] = book.plan[key].upper()
                    if not CODE_RE.match(book.plan[key]):
                        add(
                            BookProblem(
                                sh.name,
                                ref,
                                "book.plan_code_bad",
                                f"{sh.name}, ô {ref}: mã kế hoạch “{_text(raw)}” thiếu hoặc không hợp lệ.",
                            )
                        )
                if key == "title" and not book.plan[key]:
                    add(BookProblem(sh.name, ref, "book.plan_title_missing", f"{sh.name}, ô {ref}: thiếu trích yếu."))

    # -------- tasks
    sh = _sheet(wb, TASKS_SHEET)
    if sh is None:
        add(BookProblem(TASKS_SHEET, None, "book.sheet_missing", f"Thiếu trang tính “{TASKS_SHEET}”."))
        return book
    rows = sh.rows
    h = _header_row(rows, TASK_HEADERS[0])
    if h is None:
        add(
            BookProblem(
                sh.name,
                "A1",
                "book.header_missing",
                f"{sh.name}: không thấy dòng tiêu đề bắt đầu bằng “{TASK_HEADERS[0]}” ở cột A.",
            )
        )
        return book
    seen = {}
    for r in range(h + 1, min(len(rows), h + 1 + MAX_ROWS)):
        raw = [_cell(rows, r, c) for c in range(6)]
        vals = [_text(v) for v in raw]
        if not any(vals):
            continue
        code, text, lead, support, cadence_text, _ = vals
        n = r + 1
        if not code or not CODE_RE.match(code):
            add(
                BookProblem(
                    sh.name, f"A{n}", "book.task_code_bad", f"{sh.name}, ô A{n}: mã nhiệm vụ thiếu hoặc không hợp lệ."
                )
            )
            continue
        code = code.upper()
        if code in seen:
            add(
                BookProblem(
                    sh.name,
                    f"A{n}",
                    "book.task_code_duplicate",
                    f"{sh.name}, ô A{n}: mã nhiệm vụ “{code}” trùng với ô {seen[code]}.",
                )
            )
            continue
        seen[code] = f"A{n}"
        if not text:
            add(BookProblem(sh.name, f"B{n}", "book.task_text_missing", f"{sh.name}, ô B{n}: thiếu nội dung nhiệm vụ."))
        for col, spec, role in (("C", lead, "chủ trì"), ("D", support, "phối hợp")):
            tokens = [t.strip() for t in spec.split(";") if t.strip()]
            if role == "chủ trì" and not tokens:
                add(
                    BookProblem(sh.name, f"C{n}", "book.task_lead_missing", f"{sh.name}, ô C{n}: thiếu đơn vị chủ trì.")
                )
            unknown = [t for t in tokens if t.upper() != "ALL" and t.upper() not in codes and fold(t) not in groups]
            if unknown:
                add(
                    BookProblem(
                        sh.name,
                        f"{col}{n}",
                        "book.task_unknown_unit",
                        f"{sh.name}, ô {col}{n}: đơn vị {role} “{'; '.join(unknown)}” không có trong danh sách "
                        "đơn vị (dùng mã đơn vị, tên nhóm đơn vị hoặc ALL).",
                    )
                )
        cadence = CADENCE_WORDS.get(fold(cadence_text), None) if cadence_text else "once"
        if cadence is None:
            add(
                BookProblem(
                    sh.name,
                    f"E{n}",
                    "book.task_cadence_bad",
                    f"{sh.name}, ô E{n}: tính chất “{cadence_text}” không hợp lệ "
                    "(Một lần, Thường xuyên hoặc Khi phát sinh).",
                )
            )
            cadence = "once"
        due = _date(raw[5])
        book.tasks.append(
            {
                "code": code,
                "task": text,
                "lead": "; ".join(t.strip() for t in lead.split(";") if t.strip()),
                "support": "; ".join(t.strip() for t in support.split(";") if t.strip()),
                "cadence": cadence,
                "due": due,
            }
        )
    return book


def write_registry_book(units: list[dict[str, Any]], plan: dict[str, Any], tasks: list[dict[str, Any]]) -> bytes:
    """The registry as a workbook in the layout ``read_registry_book`` reads (empty lists: a blank form)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from loaders.safe_cells import workbook_bytes, write

    wb = Workbook()
    ws = wb.active
    ws.title = UNITS_SHEET
    for c, h in enumerate(UNIT_HEADERS, 1):
        write(ws, 1, c, h).font = Font(bold=True)
    for r, u in enumerate(units, 2):
        for c, key in enumerate(("code", "name", "group", "short_name"), 1):
            write(ws, r, c, u.get(key) or "")
    for col, width in zip("ABCD", (12, 48, 28, 20), strict=True):
        ws.column_dimensions[col].width = width

    ws = wb.create_sheet(PLAN_SHEET)
    for r, (label, key) in enumerate(PLAN_ROWS, 1):
        write(ws, r, 1, label).font = Font(bold=True)
        value = plan.get(key)
        if isinstance(value, dt.date):
            cell = write(ws, r, 2, value)
            cell.number_format = "DD/MM/YYYY"
        else:
            write(ws, r, 2, value or "")
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 90

    ws = wb.create_sheet(TASKS_SHEET)
    for c, h in enumerate(TASK_HEADERS, 1):
        write(ws, 1, c, h).font = Font(bold=True)
    for r, t in enumerate(tasks, 2):
        due = t.get("due")
        if isinstance(due, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", due):
            due = dt.date.fromisoformat(due)
        values = [
            t.get("code"),
            t.get("task"),
            t.get("lead"),
            t.get("support"),
            CADENCE_LABELS.get(t.get("cadence") or "once", ""),
            due or "",
        ]
        for c, v in enumerate(values, 1):
            cell = write(ws, r, c, v)
            if isinstance(v, dt.date):
                cell.number_format = "DD/MM/YYYY"
    for col, width in zip("ABCDEF", (12, 70, 24, 24, 16, 14), strict=True):
        ws.column_dimensions[col].width = width
    return workbook_bytes(wb)
