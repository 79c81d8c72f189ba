"""Vietnamese number, percent, date and period parsing.

Every parser takes a raw cell value (``None``, str, int, float, bool, date,
datetime ...) and returns the parsed value, ``None`` for an empty cell, or
raises :class:`ValueProblem` whose ``reason`` is a stable code suffix
(``not_number``, ``not_whole``, ``negative``, ``out_of_range``, ``not_date``,
``not_in_list``).  Messages are built from the reason by ``loaders.validate``.

Conventions (contract "What real submissions look like"):

- "." groups thousands when every group after it has three digits
  ("1.200" = 1200, "1.234,5" = 1234.5); otherwise it is a decimal point
  ("0.8", "12.5").  "," is the decimal comma ("1,5" = 1.5).
- Dates are day-first, always: "11/02/2026" is 11 February.
- Periods are "YYYY-MM" (month) or "YYYY-Qn" (quarter).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import lru_cache

from loaders.forms import ONGOING_WORDS, Vocabulary
from loaders.text import clean, compact, display, fold


class ValueProblem(ValueError):
    def __init__(self, reason: str, shown: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.shown = shown  # the value as the person typed it


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and clean(value) == "")


# --------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------

_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_THOUSANDS_SPACE = re.compile(r"^[+-]?\d{1,3}( \d{3})+(,\d+)?$")
_PLAIN = re.compile(r"^[+-]?\d+([.,]\d+)?$")
_LEADING_NUMBER = re.compile(r"^\s*([+-]?\d[\d., ]*)(.*)$")


def parse_decimal_text(text: str) -> float:
    """'1.200' -> 1200.0, '1.234,5' -> 1234.5, '0.8' -> 0.8, '1,5' -> 1.5."""
    t = text.strip()
    if _THOUSANDS_DOT.match(t):
        return float(t.replace(".", "").replace(",", "."))
    if _THOUSANDS_SPACE.match(t):
        return float(t.replace(" ", "").replace(",", "."))
    if _PLAIN.match(t):
        return float(t.replace(",", "."))
    raise ValueProblem("not_number", text)


def _number(value: object, *, allow_suffix: bool) -> float | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueProblem("not_number", display(value))
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        raise ValueProblem("not_number", display(value))
    text = clean(value)
    try:
        return parse_decimal_text(text)
    except ValueProblem:
        pass
    if allow_suffix:
        m = _LEADING_NUMBER.match(text)
        # "12 bài", "1.200 lượt": a number then words (no further digits)
        if m and m.group(2).strip() and not re.search(r"\d", m.group(2)) and re.match(r"^\s*[^\W\d_]", m.group(2)):
            return parse_decimal_text(m.group(1).strip())
    raise ValueProblem("not_number", text)


def parse_count(value: object) -> int | None:
    """A whole number >= 0: 12, '12', '12 bài', '1.200' (=1200)."""
    number = _number(value, allow_suffix=True)
    if number is None:
        return None
    if number != number or not float(number).is_integer():
        raise ValueProblem("not_whole", display(value))
    if number < 0:
        raise ValueProblem("negative", display(value))
    return int(number)


def parse_percent(value: object) -> float | None:
    """0..100.  A number cell 0..1 is a fraction (0.8 -> 80); '80%' -> 80; '80' -> 80."""
    if is_blank(value):
        return None
    shown = display(value)
    if isinstance(value, str):
        text = shown.replace(" ", "")
        if text.endswith("%"):
            number = parse_decimal_text(text[:-1]) if text[:-1] else None
            if number is None:
                raise ValueProblem("not_number", shown)
        else:
            number = parse_decimal_text(text)
            if 0 < number < 1:
                number *= 100
    else:
        number = _number(value, allow_suffix=False)
        assert number is not None
        if 0 <= number <= 1:
            number *= 100
    number = round(number, 6)
    if number < 0 or number > 100:
        raise ValueProblem("out_of_range", shown)
    return number


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------

_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{4}|\d{2})(?!\d)")
_YMD = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_WORDS = re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _make_date(day: int, month: int, year: int, shown: str) -> dt.date:
    if year < 100:
        year += 2000
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueProblem("not_date", shown) from None


def parse_date(value: object) -> dt.date | None:
    """Excel date, '11/02/2026', '11-02-2026', '11.02.2026', 'ngày 11 tháng 02 năm 2026'."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueProblem("not_date", display(value))
    if isinstance(value, int | float):
        # an Excel serial number in a cell not formatted as a date (years 2000-2099)
        if 36526 <= value < 73051 and float(value).is_integer():
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueProblem("not_date", display(value))
    text = clean(value)
    m = _YMD.search(text)
    if m:
        return _make_date(int(m.group(3)), int(m.group(2)), int(m.group(1)), text)
    m = _DMY.search(text)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
    m = _WORDS.search(fold(text))
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
    raise ValueProblem("not_date", text)


# --------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_Q = r"(i{1,3}|iv|[1-4])"
_YEAR = r"(20\d{2})"
_MONTH = r"(0?[1-9]|1[0-2])"
# Explicit forms: "Quý I/2026", "Quý 1 năm 2026", "Q1/2026", "Tháng 02/2026", "tháng 2 năm 2026", "T2/2026"
_EXPLICIT = [
    ("q", re.compile(rf"\bquy {_Q}(?: nam)? {_YEAR}\b")),
    ("q", re.compile(rf"\bq{_Q} {_YEAR}\b")),
    ("m", re.compile(rf"\bthang {_MONTH}(?: nam)? {_YEAR}\b")),
    ("m", re.compile(rf"\bt{_MONTH} {_YEAR}\b")),
]
# Bare forms, trusted only after a label or in a file name: "02/2026", "2026-02"
_BARE = [
    ("m", re.compile(rf"(?<![\d])\b{_MONTH} {_YEAR}\b")),
    ("ym", re.compile(rf"\b{_YEAR} {_MONTH}\b(?! \d)")),
]


def _period_from(kind: str, a: str, b: str) -> str:
    if kind == "q":
        return f"{b}-Q{_ROMAN[a]}"
    if kind == "ym":
        return f"{a}-{int(b):02d}"
    return f"{b}-{int(a):02d}"


def parse_period(value: object, *, bare: bool = True) -> str | None:
    """'Tháng 02/2026' -> '2026-02'; 'Quý I/2026' -> '2026-Q1'; None when no period is found.

    ``bare=False`` accepts only forms that say "tháng"/"quý"/"T2" explicitly, so
    that a date line ("ngày 28 tháng 02 năm 2026") or stray numbers are not
    taken for a period.
    """
    if isinstance(value, dt.date):
        return f"{value.year}-{value.month:02d}"
    text = fold(value)
    if not text:
        return None
    if len(text) <= 128:
        return _period_of_short(text, bare)
    return _period_of(text, bare)


def _period_of(text: str, bare: bool) -> str | None:
    """parse_period of a folded, non-empty text."""
    # "ngày 28 tháng 02 năm 2026" is a date, not a period
    text_wo_dates = re.sub(r"ngay \d{1,2} thang \d{1,2} nam \d{4}", " ", text)
    for kind, pattern in _EXPLICIT:
        m = pattern.search(text_wo_dates)
        if m:
            return _period_from(kind, m.group(1), m.group(2))
    if bare:
        for kind, pattern in _BARE:
            m = pattern.search(text_wo_dates)
            if m:
                return _period_from(kind, m.group(1), m.group(2))
    return None


_period_of_short = lru_cache(maxsize=16384)(_period_of)  # title lines and file names repeat


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of 'YYYY-MM' or 'YYYY-Qn'."""
    year = int(period[:4])
    if "Q" in period:
        q = int(period[-1])
        first_month, last_month = 3 * q - 2, 3 * q
    else:
        first_month = last_month = int(period[5:7])
    last_day = calendar.monthrange(year, last_month)[1]
    return dt.date(year, first_month, 1), dt.date(year, last_month, last_day)


def period_label(period: str | None) -> str:
    """'2026-02' -> 'Tháng 02/2026'; '2026-Q1' -> 'Quý I/2026'."""
    if not period:
        return "—"
    if "Q" in period:
        return f"Quý {['I', 'II', 'III', 'IV'][int(period[-1]) - 1]}/{period[:4]}"
    return f"Tháng {period[5:7]}/{period[:4]}"


# --------------------------------------------------------------------------
# Due dates (Biểu 01 "Thời hạn") and vocabulary choices
# --------------------------------------------------------------------------

_ONGOING = {fold(w) for w in ONGOING_WORDS}


def parse_due(value: object) -> tuple[dt.date | None, str | None]:
    """(due_date, due_text): a date; 'Thường xuyên' -> (None, text); 'Quý I/2026' -> (31/03/2026, text)."""
    if is_blank(value):
        return None, None
    text = clean(value) if not isinstance(value, dt.date) else value.strftime("%d/%m/%Y")
    if fold(value) in _ONGOING:
        return None, text
    try:
        return parse_date(value), text
    except ValueProblem:
        pass
    period = parse_period(value, bare=True)
    if period:
        return period_bounds(period)[1], text
    raise ValueProblem("not_date", text)


class ChoiceMatcher:
    """Folded label/variant/key -> choice key for one vocabulary."""

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary
        self.exact: dict[str, str] = {}
        self.compact: dict[str, str] = {}
        for choice in vocabulary.choices:
            for spelling in (choice.label, *choice.variants, choice.key):
                self.exact.setdefault(fold(spelling), choice.key)
                self.compact.setdefault(compact(spelling), choice.key)
        # longest spellings first, for "starts with" matching
        self.prefixes = sorted(self.exact.items(), key=lambda kv: -len(kv[0]))

    def parse(self, value: object) -> str | None:
        if is_blank(value):
            return None
        key = fold(value)
        if key in self.exact:
            return self.exact[key]
        if compact(value) in self.compact:
            return self.compact[compact(value)]
        # "Facebook phường", "Hội nghị cán bộ chủ chốt": a known spelling then more words
        for spelling, choice_key in self.prefixes:
            if len(spelling) >= 3 and key.startswith(spelling + " "):
                return choice_key
        raise ValueProblem("not_in_list", clean(value))


_MATCHERS: dict[str, ChoiceMatcher] = {}


def choice_matcher(vocabulary: Vocabulary) -> ChoiceMatcher:
    if vocabulary.name not in _MATCHERS:
        _MATCHERS[vocabulary.name] = ChoiceMatcher(vocabulary)
    return _MATCHERS[vocabulary.name]
