"""Build template workbooks and fill them in the way a unit honestly would (openpyxl)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import load_workbook

from loaders.registry import Registry
from loaders.template import build_template, write_template
from sample_data import sample_registry


def template_bytes(unit: str = "KDC03", period: str = "2026-02", registry: Registry | None = None) -> bytes:
    buf = io.BytesIO()
    write_template(registry or sample_registry(), unit, period, buf)
    return buf.getvalue()


def fill_template(
    unit: str,
    period: str,
    *,
    statuses: dict[str, tuple[str, Any, dt.date | None]],
    propaganda: list[dict[str, Any]] = (),
    attendance: list[dict[str, Any]] = (),
    extra_cells: dict[tuple[str, str], Any] | None = None,
    registry: Registry | None = None,
) -> bytes:
    """The template for ``unit``/``period`` with Biểu 01 statuses and Biểu 02/03 rows typed in.

    ``statuses``: task code -> (status label, percent, completed on).  Rows of
    Biểu 02/03 are dicts field key -> value, written under the template's
    columns.  ``extra_cells``: (sheet, "A1") -> value written last.
    """
    registry = registry or sample_registry()
    _, layouts = build_template(registry, unit, period)
    wb = load_workbook(io.BytesIO(template_bytes(unit, period, registry)))
    tasks = layouts["tasks"]
    ws = wb[tasks.sheet]
    for code, (status, percent, done_on) in statuses.items():
        r = tasks.task_rows[code]
        ws[f"{tasks.columns['status']}{r}"] = status
        if percent is not None:
            ws[f"{tasks.columns['percent']}{r}"] = percent
        if done_on is not None:
            ws[f"{tasks.columns['completed_on']}{r}"] = done_on
    for key, rows in (("propaganda", propaganda), ("attendance", attendance)):
        layout = layouts[key]
        ws = wb[layout.sheet]
        for n, row in enumerate(rows, start=1):
            r = layout.first_row + n - 1
            ws[f"{layout.columns['row_no']}{r}"] = n
            for field_key, value in row.items():
                ws[f"{layout.columns[field_key]}{r}"] = value
    for (sheet, cell), value in (extra_cells or {}).items():
        wb[sheet][cell] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
