"""Reporting periods: "YYYY-MM" months and "YYYY-Qn" quarters.

Decision (documented in docs): a quarter report is attributed to the LAST
month of its quarter ("2026-Q1" counts as "2026-03") in month-range filters,
month groupings and compliance.  Numbers are never split across months and
never counted twice.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True)
class PeriodInfo:
    code: str
    kind: str
    year: int
    number: int
    month: str
    start_date: dt.date
    end_date: dt.date


def parse_period(code: str) -> PeriodInfo:
    m = _MONTH.match(code or "")
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise ValueError(f"Kỳ báo cáo không hợp lệ: {code}")
        last = calendar.monthrange(y, mo)[1]
        return PeriodInfo(code, "month", y, mo, code, dt.date(y, mo, 1), dt.date(y, mo, last))
    q = _QUARTER.match(code or "")
    if q:
        y, n = int(q.group(1)), int(q.group(2))
        first, last_m = 3 * n - 2, 3 * n
        last = calendar.monthrange(y, last_m)[1]
        return PeriodInfo(code, "quarter", y, n, f"{y}-{last_m:02d}", dt.date(y, first, 1), dt.date(y, last_m, last))
    raise ValueError(f"Kỳ báo cáo không hợp lệ: {code!r}")


def month_of(d: dt.date) -> str:
    return f"{d.year}-{d.month:02d}"


def month_range(first: str, last: str) -> list[str]:
    """Every "YYYY-MM" from first to last inclusive."""
    y, m = int(first[:4]), int(first[5:7])
    ly, lm = int(last[:4]), int(last[5:7])
    out = []
    while (y, m) <= (ly, lm):
        out.append(f"{y}-{m:02d}")
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out


def shift_month(month: str, delta: int) -> str:
    y, m = int(month[:4]), int(month[5:7])
    idx = y * 12 + (m - 1) + delta
    return f"{idx // 12}-{idx % 12 + 1:02d}"


def due_date(month: str, due_day: int) -> dt.date:
    """Due date of a month's report: day ``due_day`` of that month (clipped to its last day)."""
    y, m = int(month[:4]), int(month[5:7])
    return dt.date(y, m, min(due_day, calendar.monthrange(y, m)[1]))
