"""The raw grid a reader hands to detection: cells as read, nothing interpreted yet."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CellError:
    """A cell that must never be read as empty or zero."""

    kind: str  # "error" (#DIV/0!, #N/A, ...) or "no_value" (formula without a saved value)
    text: str = ""  # "#DIV/0!" or the formula text when known


@dataclass
class RawSheet:
    name: str
    rows: list[list[Any]]  # rows[0] is Excel row 1; rows[r][0] is column A; None = empty
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (row0, col0, row1, col1) inclusive


@dataclass
class RawWorkbook:
    format: str  # "xlsx" | "xlsm" | "xls" | "ods" | "xlsb"
    sheets: list[RawSheet] = field(default_factory=list)
