"""A copy of a refused workbook with the wrong cells highlighted and commented.

The unit downloads it, fixes the red cells (each carries a comment saying what
is wrong and how to fix it) and sends the file again.

Safety: openpyxl is only ever given a file that already passed the sandboxed
read (``loaders.check`` refuses everything else with a whole-file problem and
the page then offers no copy). ``.xls``/``.ods``/``.xlsb`` files, which openpyxl
cannot open, are read again through ``loaders.sandbox.read_workbook_safely``
and rebuilt as a plain ``.xlsx`` holding the same values at the same cells.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import defaultdict
from pathlib import PurePath

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ERROR_CODES, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter
from openpyxl.utils.exceptions import CellCoordinatesException

from loaders import safe_cells
from loaders.detect import place
from loaders.forms import FORMS_BY_KEY
from loaders.raw import CellError, RawWorkbook
from loaders.result import CheckResult, Problem
from loaders.safety import preflight
from loaders.settings import DEFAULTS

ERROR_FILL = PatternFill(fill_type="solid", start_color="FFFFC7CE", end_color="FFFFC7CE")
WARNING_FILL = PatternFill(fill_type="solid", start_color="FFFFEB9C", end_color="FFFFEB9C")
ERROR_COLOR = "FFFFC7CE"
WARNING_COLOR = "FFFFEB9C"
NOTE_SHEET = "Lỗi cần sửa"
COMMENT_AUTHOR = DEFAULTS.committee
SUFFIX = "_can-sua"

_CELL_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
# Excel's characters that a sheet title may not hold.
_BAD_TITLE = re.compile(r"[\[\]\*\?/\\:]")


class HighlightUnavailable(Exception):
    """The file cannot be given back highlighted (it never passed the safe read)."""


def can_highlight(result: CheckResult) -> bool:
    """True when the file passed the safe read, so a marked copy can be made.

    Whole-file refusals (``file.*``: not a spreadsheet, damaged, encrypted,
    too large, zip bomb, oversized sheet...) mean the file was never read
    safely: it is never handed to openpyxl and no copy is offered.
    """
    return bool(result.errors) and not any(p.category == "file" for p in result.errors)


def sniff_format(data: bytes, filename: str = "") -> str:
    """The workbook format from ``loaders.safety.preflight`` (which also re-checks the limits)."""
    fmt, problems = preflight(data, filename)
    if fmt is None or problems:
        raise HighlightUnavailable("; ".join(p.code for p in problems) or "unknown format")
    return fmt


def highlighted_filename(filename: str, fmt: str) -> str:
    """``bao-cao.xls`` -> ``bao-cao_can-sua.xlsx`` (``.xlsm`` kept so its macros still open)."""
    stem = PurePath(filename or "bao-cao").stem or "bao-cao"
    ext = "xlsm" if fmt == "xlsm" else "xlsx"
    return f"{stem}{SUFFIX}.{ext}"


def highlight_problems(data: bytes, filename: str, problems: list[Problem]) -> tuple[bytes, str]:
    """Return ``(xlsx bytes, download filename)``: the unit's file with every problem marked.

    Cells named by a problem get a fill (red for errors, yellow for warnings)
    and a comment with the message and the hint; problems without a cell (or
    whose sheet/cell is not in the file) are listed on a note sheet, which also
    lists every problem so nothing is missed.
    """
    fmt = sniff_format(data, filename)
    # The capped worker reads the file first, whatever the caller checked: openpyxl
    # (in this process) only ever opens a workbook that passed that read.
    raw = _read_safely(data, filename)
    if fmt in ("xlsx", "xlsm"):
        wb = load_workbook(io.BytesIO(data), keep_vba=(fmt == "xlsm"), rich_text=False)
    else:
        wb = _rebuild(raw)
    _mark(wb, problems)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), highlighted_filename(filename, fmt)


# --------------------------------------------------------------------------


def _read_safely(data: bytes, filename: str) -> RawWorkbook:
    from loaders.sandbox import read_workbook_safely  # the capped child worker

    raw, problems = read_workbook_safely(data, filename)
    if raw is None or problems:
        raise HighlightUnavailable("; ".join(p.code for p in problems) or "unreadable")
    return raw


def _set_cell(cell, value) -> None:
    """An error cell stays an Excel error (``#DIV/0!``); anything else through ``safe_cells``:
    text that starts with "=" (a unit's text, or the text of a formula without a saved value)
    stays text, never a formula."""
    if isinstance(value, CellError):
        text = value.text or ("#N/A" if value.kind == "error" else "")
        if value.kind == "error" and text in ERROR_CODES:
            cell.value = text
            return
        value = text
    safe_cells.set_value(cell, value)


def _rebuild(raw: RawWorkbook) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for sheet in raw.sheets:
        ws = wb.create_sheet(_unique_title(sheet.name, used))
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c)
                _set_cell(cell, value)
                if isinstance(value, dt.datetime):
                    cell.number_format = "dd/mm/yyyy hh:mm"
                elif isinstance(value, dt.date):
                    cell.number_format = "dd/mm/yyyy"
        for r0, c0, r1, c1 in sheet.merged:
            if (r0, c0) != (r1, c1):
                ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    if not wb.sheetnames:
        wb.create_sheet("Sheet1")
    return wb


def _unique_title(name: str, used: set[str]) -> str:
    base = _BAD_TITLE.sub("_", name or "Sheet")[:31] or "Sheet"
    title, n = base, 1
    while title.lower() in used:
        n += 1
        tail = f" ({n})"
        title = base[: 31 - len(tail)] + tail
    used.add(title.lower())
    return title


def _find_sheet(wb: Workbook, name: str | None):
    if not name:
        return None
    if name in wb.sheetnames:
        return wb[name]
    folded = name.strip().casefold()
    for ws in wb.worksheets:
        if ws.title.strip().casefold() == folded:
            return ws
    return None


def _parse_cell(cell: str | None) -> tuple[int, int] | None:
    if not cell:
        return None
    m = _CELL_RE.match(cell.strip())
    if not m:
        return None
    try:
        col_letters, row = coordinate_from_string(f"{m.group(1).upper()}{m.group(2)}")
        col = column_index_from_string(col_letters)
    except (CellCoordinatesException, ValueError):
        return None
    if not (1 <= row <= 1_048_576 and 1 <= col <= 16_384):
        return None
    return row, col


def _anchor(ws, row: int, col: int) -> tuple[int, int]:
    """The top-left cell of the merged range holding (row, col), or the cell itself."""
    if isinstance(ws.cell(row=row, column=col), MergedCell):
        for rng in ws.merged_cells.ranges:
            if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
                return rng.min_row, rng.min_col
    return row, col


def _comment_text(problems: list[Problem]) -> str:
    parts = []
    for p in problems:
        text = p.message
        if p.hint:
            text += f"\nCách sửa: {p.hint}"
        parts.append(text)
    return "\n\n".join(parts)


def _mark(wb: Workbook, problems: list[Problem]) -> None:
    by_cell: dict[tuple[str, int, int], list[Problem]] = defaultdict(list)
    unplaced: list[Problem] = []
    for p in problems:
        ws = _find_sheet(wb, p.sheet)
        rc = _parse_cell(p.cell)
        if ws is None or rc is None:
            unplaced.append(p)
            continue
        row, col = _anchor(ws, *rc)
        by_cell[(ws.title, row, col)].append(p)

    for (title, row, col), items in by_cell.items():
        cell = wb[title].cell(row=row, column=col)
        is_error = any(p.severity == "error" for p in items)
        cell.fill = ERROR_FILL if is_error else WARNING_FILL
        text = _comment_text(items)
        comment = Comment(text, COMMENT_AUTHOR)
        comment.width = 320
        comment.height = max(100, 18 * (text.count("\n") + 2 + len(text) // 45))
        cell.comment = comment

    _note_sheet(wb, problems, unplaced)


def _note_sheet(wb: Workbook, problems: list[Problem], unplaced: list[Problem]) -> None:
    used = {t.lower() for t in wb.sheetnames}
    ws = wb.create_sheet(_unique_title(NOTE_SHEET, used), 0)
    bold = Font(bold=True)
    safe_cells.write(
        ws,
        1,
        1,
        "Tệp này đã được đánh dấu: ô tô đỏ là lỗi phải sửa, ô tô vàng là cảnh báo. Di chuột vào ô để đọc ghi chú.",
    ).font = bold
    for c, head in enumerate(["Biểu (trang tính)", "Ô", "Mức độ", "Lỗi", "Cách sửa"], start=1):
        safe_cells.write(ws, 3, c, head).font = bold
    # Whole-file problems (and anything not placed on a cell) first: they need reading before the cells.
    placed = [p for p in problems if p not in unplaced]
    for r, p in enumerate([*unplaced, *placed], start=4):
        # sheet names and messages quote the unit's text: written as text, never as a formula
        shown = place(FORMS_BY_KEY[p.form], p.sheet) if p.form in FORMS_BY_KEY and p.sheet else p.sheet or "Cả tệp"
        row = [shown, p.cell or "", "Lỗi" if p.severity == "error" else "Cảnh báo", p.message, p.hint]
        for c, value in enumerate(row, start=1):
            safe_cells.write(ws, r, c, value)
    for col, width in zip(range(1, 6), (18, 8, 10, 70, 60), strict=True):
        ws.column_dimensions[get_column_letter(col)].width = width
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
