"""Vietnamese formatting of numbers, dates, periods and vocabulary keys.

Numbers are written 1.234,5 (dot for thousands, comma for decimals), dates
dd/mm/yyyy. ``parse_number`` reads such text back (tests compare the figures a
page shows with the stored totals through it).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from loaders.forms import VOCABULARIES

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

# Statuses the dashboard derives itself (not in the forms' vocabularies).
EXTRA_LABELS: dict[str, dict[str, str]] = {
    "status": {
        "overdue": "Quá hạn",
        "no_report": "Chưa báo cáo",
        "ongoing": "Thường xuyên",
        "as_needed": "Khi phát sinh",
    },
    "compliance": {
        "on_time": "Đúng hạn",
        "late": "Nộp muộn",
        "missing": "Chưa nộp",
        "not_due": "Chưa đến hạn",
    },
    "cadence": {"once": "Một lần", "ongoing": "Thường xuyên", "as_needed": "Khi phát sinh"},
}


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pd.NA raises in bool() -> except
    except (TypeError, ValueError):
        return True


def fmt_number(value: Any, decimals: int = 0, empty: str = "–") -> str:
    """1234.5 -> "1.234,5" (``decimals`` digits after the comma)."""
    if _is_missing(value):
        return empty
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isinf(number):
        return empty
    text = f"{number:,.{decimals}f}"  # 1,234.5
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def fmt_int(value: Any, empty: str = "–") -> str:
    return fmt_number(value, 0, empty)


def fmt_percent(share: Any, decimals: int = 1, empty: str = "–") -> str:
    """A share 0..1 -> "85,3%"."""
    if _is_missing(share):
        return empty
    return fmt_number(float(share) * 100, decimals) + "%"


def fmt_signed(value: float, decimals: int = 0, suffix: str = "") -> str:
    """A delta for st.metric: "+3", "-1,5 điểm %" (Streamlit reads the sign)."""
    sign = "+" if value > 0 else ("-" if value < 0 else "")
    return f"{sign}{fmt_number(abs(value), decimals)}{suffix}"


def fmt_date(value: Any, empty: str = "") -> str:
    if _is_missing(value):
        return empty
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def fmt_datetime(value: Any, empty: str = "") -> str:
    if _is_missing(value):
        return empty
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    return fmt_date(value, empty)


def fmt_period(period: Any) -> str:
    """ "2026-02" -> "Tháng 02/2026"; "2026-Q1" -> "Quý I/2026"; "2026" -> "Năm 2026"."""
    if _is_missing(period):
        return ""
    text = str(period)
    m = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if m:
        return f"Tháng {m.group(2)}/{m.group(1)}"
    m = re.fullmatch(r"(\d{4})-Q([1-4])", text)
    if m:
        return f"Quý {ROMAN[int(m.group(2))]}/{m.group(1)}"
    if re.fullmatch(r"\d{4}", text):
        return f"Năm {text}"
    return text


def fmt_period_short(period: Any) -> str:
    """ "2026-02" -> "02/2026" (axis ticks)."""
    text = str(period)
    m = re.fullmatch(r"(\d{4})-(\d{2})", text)
    return f"{m.group(2)}/{m.group(1)}" if m else fmt_period(text)


def label(vocabulary: str, key: Any) -> str:
    """A stored vocabulary key -> its Vietnamese label (the key itself if unknown)."""
    if _is_missing(key):
        return ""
    extra = EXTRA_LABELS.get(vocabulary, {})
    if key in extra:
        return extra[key]
    vocab = VOCABULARIES.get(vocabulary)
    if vocab is not None:
        try:
            return vocab.by_key(str(key)).label
        except KeyError:
            pass
    return str(key)


_NUMBER = re.compile(r"[-+]?[\d.]*\d(?:,\d+)?")


def parse_number(text: str) -> float:
    """Read a number written the Vietnamese way: "1.234,5" -> 1234.5, "85,3%" -> 85.3."""
    m = _NUMBER.search(str(text).replace("\u2212", "-"))
    if not m:
        raise ValueError(f"no number in {text!r}")
    return float(m.group(0).replace(".", "").replace(",", "."))


def lead_label(lead: Any, names: dict[str, str]) -> str:
    """A plan task's ``lead`` ("BXDD;Chi bộ khu dân cư", "ALL") -> readable names."""
    if _is_missing(lead) or not str(lead).strip():
        return ""
    parts = []
    for part in str(lead).split(";"):
        part = part.strip()
        if part == "ALL":
            parts.append("Tất cả các đơn vị")
        elif part:
            parts.append(names.get(part, part))
    return "; ".join(parts)


def shorten(text: Any, limit: int = 70) -> str:
    text = "" if _is_missing(text) else str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def vocab_labels(vocabulary: str) -> list[str]:
    """The Vietnamese labels of a vocabulary, in the form's order (chart orders)."""
    return VOCABULARIES[vocabulary].labels()
