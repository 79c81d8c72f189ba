"""Vietnamese text for the exported files: numbers, dates, periods, labels.

Thin layer over ``presentation.format`` (Streamlit-free, so the dashboard and
the exports write numbers and labels the same way) plus what only the
exports need: Excel number formats, the long date line, the filter line.  Numbers
use "." for thousands and "," for decimals (1.234,5), dates dd/mm/yyyy.

Excel cells are NOT formatted with these functions: they keep real numbers
and get an openpyxl number format (``#,##0``, ``0.0%``).  Excel draws the
separators from the reader's locale, so the same file shows 1.234 / 85,3%
in Vietnamese Excel and 1,234 / 85.3% in English Excel.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from loaders.settings import DEFAULTS
from presentation import format as _uf  # Streamlit-free: numbers, dates, vocabulary labels
from storage.figures import NO_PREVIOUS, compare

NO_DATA = "Chưa có số liệu"
DASH = "–"

# Excel number formats (the separators come from the reader's locale).
XL_INT = "#,##0"
XL_PCT = "0.0%"
XL_DATE = "dd/mm/yyyy"
XL_DATETIME = "dd/mm/yyyy hh:mm"

COMPLIANCE_ORDER = ("on_time", "late", "missing", "not_due")


def is_missing(value: Any) -> bool:
    """True for None, NaN, pd.NA and NaT."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_int(value: Any, empty: str = DASH) -> str:
    """1234 -> "1.234"; None -> "–"."""
    return _uf.fmt_int(value, empty)


def fmt_num(value: Any, decimals: int = 1, empty: str = DASH) -> str:
    """1234.5 -> "1.234,5"."""
    return _uf.fmt_number(value, decimals, empty)


def fmt_pct(share: Any, decimals: int = 1, empty: str = DASH) -> str:
    """A share in 0..1 -> "85,3%"."""
    return _uf.fmt_percent(share, decimals, empty)


def fmt_date(value: Any, empty: str = DASH) -> str:
    """date / datetime / ISO text -> "dd/mm/yyyy"."""
    return _uf.fmt_date(value, empty)


def fmt_change(current: Any, previous: Any, kind: str = "int") -> str:
    """Change against the previous range, e.g. "+12 so với kỳ trước" or "+3,5 điểm %"."""
    if is_missing(current) or is_missing(previous):
        return "Kỳ trước: chưa có số liệu"
    diff = float(current) - float(previous)
    sign = "+" if diff > 0 else ("−" if diff < 0 else "±")
    if kind == "pct":
        return f"{sign}{fmt_num(abs(diff) * 100)} điểm % so với kỳ trước"
    return f"{sign}{fmt_int(abs(diff))} so với kỳ trước"


def change_text(key: str, headline: dict[str, Any], with_note: bool = True) -> str:
    """A headline figure's change for the meeting files, under ``storage.figures.compare``'s rules:
    "+12 so với kỳ trước", "không đổi so với kỳ trước", "Kỳ trước: chưa có số liệu", or why
    the range is not compared ("kỳ chưa khép lại: 25/39 đơn vị đã báo cáo")."""
    change = compare(key, headline)
    if not change.shown:
        if change.text == NO_PREVIOUS:
            return "Kỳ trước: chưa có số liệu"
        if headline.get("open"):
            return "Chưa so sánh: kỳ chưa khép lại"
        return change.text[:1].upper() + change.text[1:]
    if change.tone == "neutral":
        return "Không đổi so với kỳ trước"
    text = change.text.replace("-", "−")
    return f"{text} so với kỳ trước" + (f" ({change.note})" if change.note and with_note else "")


def period_short(period: Any) -> str:
    """A period in a table cell: "11/2026", "Quý IV/2026" (never the key "2026-11")."""
    return _uf.fmt_period_short(period) if not is_missing(period) else DASH


def long_date(day: dt.date, ward_name: str = DEFAULTS.ward_name) -> str:
    """ "Bạch Đằng, ngày 05 tháng 03 năm 2026" (the ward's name from its settings)."""
    return f"{ward_name}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def period_label(period: Any) -> str:
    """ "2026-02" -> "Tháng 02/2026"; "2026-Q1" -> "Quý I/2026"."""
    return _uf.fmt_period(period) or DASH


def short_period(period: Any) -> str:
    """ "2026-02" -> "02/2026" (chart axes)."""
    return _uf.fmt_period_short(period)


def _label(vocabulary: str, key: Any) -> str:
    return _uf.label(vocabulary, key) or DASH


def status_label(key: Any) -> str:
    """Task status; ongoing / as-needed tasks carry their cadence as status."""
    if str(key) in ("ongoing", "as_needed", "once"):
        return cadence_label(key)
    return _label("status", key)


def channel_label(key: Any) -> str:
    return _label("channel", key)


def topic_label(key: Any) -> str:
    return _label("topic", key)


def participant_label(key: Any) -> str:
    if is_missing(key) or key == "":
        return "Không ghi thành phần"
    return _label("participant_group", key)


def format_label(key: Any) -> str:
    return _label("event_format", key)


def compliance_label(key: Any) -> str:
    return _label("compliance", key)


def cadence_label(key: Any) -> str:
    return _label("cadence", key)


def filters_text(filters: Any, unit_names: dict[str, str] | None = None) -> str:
    """One line describing a ``storage.queries.Filters`` in Vietnamese."""
    parts: list[str] = []
    p_from = getattr(filters, "period_from", None)
    p_to = getattr(filters, "period_to", None)
    if p_from and p_to and p_from == p_to:
        parts.append(f"Kỳ báo cáo: {period_label(p_from)}")
    elif p_from and p_to:
        parts.append(f"Kỳ báo cáo: từ {period_label(p_from)} đến {period_label(p_to)}")
    elif p_from:
        parts.append(f"Kỳ báo cáo: từ {period_label(p_from)}")
    elif p_to:
        parts.append(f"Kỳ báo cáo: đến {period_label(p_to)}")
    else:
        parts.append("Kỳ báo cáo: tất cả các kỳ")
    unit = getattr(filters, "unit", None)
    group = getattr(filters, "group", None)
    if unit:
        name = (unit_names or {}).get(unit, unit)
        parts.append(f"Đơn vị: {name}")
    elif group:
        parts.append(f"Khối: {group}")
    else:
        parts.append("Phạm vi: toàn Đảng bộ phường")
    return "; ".join(parts)
