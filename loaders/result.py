"""Values that a check returns: problems (errors and warnings) and the result.

A problem is never an exception shown to a user: it has a stable dotted
``code``, the ``sheet`` and ``cell`` (A1 style, or None for a whole-file
problem), a Vietnamese ``message`` and a Vietnamese ``hint`` on how to fix it.
``Problem`` and the catalogue of codes live in ``loaders.problems``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from loaders.forms import FORMS, FORMS_BY_KEY
from loaders.problems import Problem

__all__ = ["CheckResult", "FormData", "FoundValue", "Problem"]


@dataclass
class FoundValue:
    """A unit or period found in the workbook, and where it was taken from."""

    value: str | None
    source: str | None = None  # e.g. "Biểu 02!A5 (Đơn vị báo cáo)" or "tên tệp"
    text: str | None = None  # the raw text it was read from


@dataclass
class FormData:
    """One form found in the workbook, normalised."""

    form: str  # a declared form's key (loaders.forms)
    sheet: str  # the sheet's name in the file
    frame: pd.DataFrame  # one row per data row; columns: form fields + "sheet", "row"
    header_row: int  # 1-based Excel row of the (last) header row
    columns: dict[str, str] = field(default_factory=dict)  # field key -> column letter
    # the unit declared it has nothing to report in this form (a "Không có" row: forms.NOTHING_TO_REPORT)
    nothing_to_report: bool = False


@dataclass
class CheckResult:
    file: str
    accepted: bool
    unit: FoundValue = field(default_factory=lambda: FoundValue(None))
    period: FoundValue = field(default_factory=lambda: FoundValue(None))
    forms: dict[str, FormData] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    sha256: str | None = None
    size: int | None = None

    def form_summary(self) -> dict[str, dict[str, int]]:
        """Rows and the declared sums of every form found, in declaration order (``check --json``'s ``forms``)."""
        undeclared = [k for k in self.forms if k not in FORMS_BY_KEY]
        if undeclared:  # never left out silently
            raise KeyError(f"forms not in the declaration: {undeclared}")
        out: dict[str, dict[str, int]] = {}
        for form in FORMS:
            if form.key not in self.forms:
                continue
            frame = self.forms[form.key].frame
            entry = {"rows": int(len(frame))}
            for f in form.sums:
                entry[f] = int(pd.to_numeric(frame[f], errors="coerce").fillna(0).sum()) if f in frame else 0
            out[form.key] = entry
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "accepted": self.accepted,
            "unit": self.unit.value,
            "period": self.period.value,
            "forms": self.form_summary(),
            "errors": [p.to_json() for p in self.errors],
            "warnings": [p.to_json() for p in self.warnings],
        }
