"""Text normalisation shared by detection, parsing and matching.

``fold`` is the one comparison key: NFC/NFD input gives the same result,
case and diacritics are dropped ("đ" -> "d"), punctuation and runs of white
space (line breaks included) become one space.  ``%`` is kept because it is
a header on its own ("%").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# C0 controls, zero-width characters and the bidirectional controls (LRM/RLM, ALM, embeddings and
# overrides U+202A-U+202E, isolates U+2066-U+2069): invisible, and a right-to-left override makes a
# text read differently from what is stored.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufeff]"
)
_NOT_WORD = re.compile(r"[^0-9a-z%]+")
_SPACES = re.compile(r"\s+")


CLEAN_CACHE_MAX_CHARS = 128  # short cell texts repeat across rows and files: their cleaned form is cached


def clean(value: object) -> str:
    """Text as a person meant it: NFC, no control characters, one space between words."""
    if value is None:
        return ""
    text = str(value)
    if len(text) <= CLEAN_CACHE_MAX_CHARS:
        return _clean_short(text)
    return _clean(text)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text).replace("\u00a0", " ")
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=16384)  # at most ~16k x 128 characters
def _clean_short(text: str) -> str:
    return _clean(text)


@lru_cache(maxsize=65536)  # at most ~64k x 128 characters: long texts (notes) are folded uncached
def _fold_short(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "d")
    return _NOT_WORD.sub(" ", stripped).strip()


def fold(value: object) -> str:
    """Comparison key: lower case, no diacritics, punctuation/space runs -> one space."""
    if value is None:
        return ""
    text = str(value)
    # Caching whole long cell texts kept ~55 MB per 20k-row file alive in the app (bench_fairness).
    return _fold_short(text) if len(text) <= CLEAN_CACHE_MAX_CHARS else _fold(text)


def compact(value: object) -> str:
    """``fold`` without any spaces: "Đ.V.T" and "ĐVT" both give "dvt"."""
    return fold(value).replace(" ", "")


def lower_first(text: str) -> str:
    """'Số có mặt' -> 'số có mặt' for use inside a sentence (keeps acronyms like 'ĐVT')."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def format_number(value: float | int) -> str:
    """Vietnamese number: 1234.5 -> '1.234,5'; 1200 -> '1.200'."""
    if isinstance(value, float) and not value.is_integer():
        whole, frac = f"{value:,.2f}".rstrip("0").split(".")
        return whole.replace(",", ".") + "," + frac
    return f"{int(value):,}".replace(",", ".")


def format_date(value) -> str:
    return value.strftime("%d/%m/%Y")


def display(value: object) -> str:
    """A cell value as a person would read it: 120.0 -> '120', 12.5 -> '12,5', dates dd/mm/yyyy."""
    import datetime as dt

    if isinstance(value, bool) or value is None:
        return clean(value)
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, dt.datetime | dt.date):
        return format_date(value)
    return clean(value)
