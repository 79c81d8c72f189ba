"""Read a workbook's bytes into a RawWorkbook with python-calamine.

Runs inside the sandboxed worker (loaders.sandbox); never call it on an
unchecked file in the main process.
"""

from __future__ import annotations

import io

import python_calamine as pc

from loaders.raw import RawSheet, RawWorkbook


def read_workbook(data: bytes, fmt: str) -> RawWorkbook:
    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = []
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        grid = sheet.to_python(skip_empty_area=False)
        rows = [[None if v == "" else v for v in row] for row in grid]
        merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
        sheets.append(RawSheet(name=name, rows=rows, merged=merged))
    return RawWorkbook(format=fmt, sheets=sheets)
