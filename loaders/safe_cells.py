"""Text is text: the one way the product writes a value into a spreadsheet cell or a CSV field.

A unit's text may start with ``=``, ``+``, ``-`` or ``@`` (typed in Excel
after an apostrophe, so it is text in the unit's file). openpyxl turns any
``str`` starting with ``=`` into a formula (``Cell._bind_value``) and one equal
to an error code (``#N/A``) into an error, so such text written back with a
plain ``cell.value = text`` would run in whoever opens our file. Every xlsx the
product writes therefore:

- writes each value with :func:`set_value` (or :func:`write`): a ``str`` is
  always stored as a string (``data_type "s"``), and one that starts with a
  formula character also gets Excel's quote prefix (the apostrophe a person
  would type), so editing the cell in Excel keeps it text too;
- leaves through :func:`workbook_bytes` / :func:`save`, which sweeps the whole
  workbook once more (no cell holding a ``str`` formula survives) before saving.

A text longer than Excel's cell limit (32,767 characters) is cut with a note
saying so, instead of openpyxl's silent cut.

CSV has no types: :func:`csv_field` puts a single quote before a text that
starts with one of the characters OWASP lists (``=``, ``+``, ``-``, ``@``, tab,
carriage return), and :func:`csv_bytes` writes a frame that way. Numbers stay
numbers (``-5`` stored as a number is not text and is not touched).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO, Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

# OWASP "CSV Injection": the characters that make a spreadsheet read a field as a formula.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32_767  # Excel's limit for the text of one cell
CUT_NOTE = " … [đã cắt bớt: ô Excel chứa tối đa 32.767 ký tự, văn bản gốc dài {n} ký tự]"


def starts_like_formula(text: str) -> bool:
    """True when a spreadsheet would read ``text`` (typed or imported) as a formula.

    Leading spaces are looked through: some programs trim them on import."""
    return text.startswith(FORMULA_LEADS) or text.lstrip(" ").startswith(FORMULA_LEADS)


def excel_text(text: str) -> str:
    """``text`` as one Excel cell can hold it: characters XML cannot carry removed,
    and cut (with a note saying so) when longer than Excel's limit."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if len(text) > MAX_CELL_CHARS:
        note = CUT_NOTE.format(n=f"{len(text):,}".replace(",", "."))
        text = text[: MAX_CELL_CHARS - len(note)] + note
    return text


def set_value(cell: Cell, value: Any) -> Cell:
    """Write ``value`` into ``cell``; a ``str`` is stored as text whatever it starts with."""
    if isinstance(value, str):
        text = excel_text(value)
        cell.value = text
        cell.data_type = "s"  # openpyxl made "=..." a formula and "#N/A" an error
        if starts_like_formula(text):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def write(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """``ws.cell(row, column)`` set with :func:`set_value`."""
    return set_value(ws.cell(row=row, column=column), value)


def text_only(wb: Workbook) -> int:
    """Turn every cell that would be saved as a formula from a ``str`` back into text.

    For workbooks the product generates (they never hold a formula of their own).
    Returns how many cells it had to fix (0 when every write used :func:`set_value`)."""
    fixed = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type in ("f", "e") and isinstance(cell.value, str):
                    set_value(cell, cell.value)
                    fixed += 1
    return fixed


def save(wb: Workbook, dest: str | Path | IO[bytes]) -> None:
    """Save a generated workbook after :func:`text_only`."""
    text_only(wb)
    wb.save(dest)


def workbook_bytes(wb: Workbook) -> bytes:
    """A generated workbook as .xlsx bytes, after :func:`text_only`."""
    buf = io.BytesIO()
    save(wb, buf)
    return buf.getvalue()


# ---------------------------------------------------------------- CSV


def csv_field(value: Any) -> Any:
    """A text that a spreadsheet would run gets a leading single quote; anything else is unchanged."""
    if isinstance(value, str) and starts_like_formula(value):
        return "'" + value
    return value


def csv_bytes(frame: Any) -> bytes:
    """A pandas frame as CSV (UTF-8 with BOM, so Excel reads Vietnamese), every text field escaped."""
    out = frame.copy()
    out.columns = [csv_field(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype) in ("string", "str"):
            out[col] = out[col].map(csv_field).astype(object)
    return out.to_csv(index=False).encode("utf-8-sig")
