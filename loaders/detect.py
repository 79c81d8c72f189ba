"""Find the forms in a raw workbook: header anywhere, two-row headers, data rows, title block.

A sheet is recognised by its table header, never by its name.  Every row of
every sheet is scored against every form's fields (folded text, aliases from
``loaders.forms``); the best (form, header row) wins when it finds at least
``MIN_HEADER_FIELDS`` fields besides STT and Ghi chú.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from loaders.forms import (
    BLANK_ROWS_END_TABLE,
    FORMS,
    ISSUING_BODY,
    MIN_HEADER_FIELDS,
    PERIOD_LABELS,
    SIGNATURE_WORDS,
    UNIT_LABELS,
    Form,
    on_declare,
)
from loaders.raw import CellError, RawSheet
from loaders.text import _fold, _fold_short, clean, fold

_UNSCORED = {"row_no", "note"}
_NOT_SCORED = frozenset({None, *_UNSCORED})
_NUMBERING = re.compile(r"^\(?\s*(\d{1,2}|[a-z]|[ivx]{1,4})\s*\)?$", re.IGNORECASE)
_PARENS = re.compile(r"\([^)]*\)")


@lru_cache(maxsize=1024)
def col_letter(col: int) -> str:
    """0 -> 'A', 26 -> 'AA'."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def a1(row: int, col: int) -> str:
    """0-based (row, col) -> 'G12'."""
    return f"{col_letter(col)}{row + 1}"


# --------------------------------------------------------------------------
# Header label -> field, per form (derived from the declaration)
# --------------------------------------------------------------------------


class _FormLabels:
    def __init__(self, form: Form):
        self.form = form
        self.exact: dict[str, str] = {}
        self.compact: dict[str, str] = {}
        for f in form.fields:
            spellings = [f.header, *f.aliases]
            if f.group and f.sub_header:
                spellings.append(f"{f.group} {f.sub_header}")
            for s in spellings:
                self.exact.setdefault(fold(s), f.key)
                self.compact.setdefault(fold(s).replace(" ", ""), f.key)
        # "a known header followed by more words", indexed by first word (longest spelling first)
        self.prefixes: dict[str, list[tuple[str, str]]] = {}
        for spelling, key in sorted(self.exact.items(), key=lambda kv: -len(kv[0])):
            if len(spelling) >= 4:
                self.prefixes.setdefault(spelling.split(" ", 1)[0], []).append((spelling, key))

    @lru_cache(maxsize=8192)  # noqa: B019 - a handful of long-lived instances
    def match(self, folded: str) -> tuple[str | None, int]:
        """(field key, quality): 2 = exact, 1 = a known header followed by more words."""
        if not folded:
            return None, 0
        if folded in self.exact:
            return self.exact[folded], 2
        squeezed = folded.replace(" ", "")
        if squeezed in self.compact:
            return self.compact[squeezed], 2
        for spelling, key in self.prefixes.get(folded.split(" ", 1)[0], ()):
            if folded.startswith(spelling + " "):
                return key, 1
        return None, 0


_LABELS = {form.key: _FormLabels(form) for form in FORMS}


@on_declare
def _refresh_labels() -> None:
    """A form declared later (loaders.forms.declare): its labels, and no cached match made without it."""
    _LABELS.clear()
    _LABELS.update({form.key: _FormLabels(form) for form in FORMS})
    _all_matches.cache_clear()
    _text_kind_short.cache_clear()


def _fold_label(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    # "Số lượng (tin, bài)" is also tried without the bracket
    if len(value) > 128:  # a long text is folded without the cache: kept there, it would outlive the file
        return _fold(value)
    return _fold_short(value)  # fold() without its None / str() steps: the hot path of detection


# A header label is short (the longest alias has a few dozen characters): a longer cell text can only name a
# field by its start, so header detection folds no more than this many characters of it (a 1,000-character
# note in each of 20,000 rows otherwise costs the app seconds of CPU per file, and a file's budget counts it).
LABEL_SCAN_CHARS = 256


def _head(value: Any) -> Any:
    return value[:LABEL_SCAN_CHARS] if isinstance(value, str) and len(value) > LABEL_SCAN_CHARS else value


def _fold_no_parens(value: Any) -> str:
    if not isinstance(value, str) or "(" not in value:
        return ""
    return fold(_PARENS.sub(" ", value))


# --------------------------------------------------------------------------
# Grid helpers
# --------------------------------------------------------------------------


def header_grid(sheet: RawSheet) -> list[list[Any]]:
    """Rows with every merged range filled with its top-left value (for reading headers).

    Read-only: a row no merged range touches is the sheet's own list (the others are copies).
    """
    rows = list(sheet.rows)
    copied: set[int] = set()
    for r0, c0, r1, c1 in sheet.merged:
        if r0 >= len(rows):
            continue
        top = rows[r0][c0] if c0 < len(rows[r0]) else None
        if top is None:
            continue
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            if r not in copied:
                rows[r] = list(rows[r])
                copied.add(r)
            row = rows[r]
            if len(row) <= c1:
                row.extend([None] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                if row[c] is None:
                    row[c] = top
    return rows


def data_grid(sheet: RawSheet) -> tuple[list[list[Any]], set[tuple[int, int]]]:
    """Rows with vertical merges filled down (first column of the merge only).

    Returns the grid and the top-left cells of horizontal merges (section headings).
    """
    rows = [list(r) for r in sheet.rows]
    wide: set[tuple[int, int]] = set()
    for r0, c0, r1, c1 in sheet.merged:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        if c1 > c0:
            wide.add((r0, c0))
        top = rows[r0][c0]
        if top is None or r1 == r0:
            continue
        for r in range(r0 + 1, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            if len(row) <= c0:
                row.extend([None] * (c0 + 1 - len(row)))
            if row[c0] is None:
                row[c0] = top
    return rows, wide


def _cell(rows: list[list[Any]], r: int, c: int) -> Any:
    if 0 <= r < len(rows) and 0 <= c < len(rows[r]):
        return rows[r][c]
    return None


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --------------------------------------------------------------------------
# Table detection
# --------------------------------------------------------------------------


@dataclass
class Table:
    form: Form
    sheet: RawSheet
    header_top: int  # 0-based first header row
    header_row: int  # 0-based last header row
    columns: dict[str, int]  # field key -> 0-based column
    score: int
    data_rows: list[int] = field(default_factory=list)  # 0-based rows holding data
    total_rows: list[int] = field(default_factory=list)
    grid: list[list[Any]] = field(default_factory=list)  # data grid (vertical merges filled)

    @property
    def first_col(self) -> int:
        return min(self.columns.values()) if self.columns else 0


@lru_cache(maxsize=16384)
def _all_matches(folded: str) -> tuple[tuple[str | None, int], ...]:
    """labels.match(folded) for every form, in FORMS order."""
    return tuple(_LABELS[form.key].match(folded) for form in FORMS)


def _text_kind_uncached(value: str) -> int:
    """0: blank; 2: the text (or the text without its brackets) names a field of some form; 1: other text."""
    if not value.strip():
        return 0
    value = _head(value.strip())
    for folded in (_fold_label(value), _fold_no_parens(value)):
        if folded and any(key for key, _q in _all_matches(folded)):
            return 2
    return 1


_text_kind_short = lru_cache(maxsize=16384)(_text_kind_uncached)  # short texts repeat across rows and files


def _assign(matches: list[list[tuple[str | None, int]]]) -> tuple[dict[str, int], int]:
    """Fields to columns from matches[c] = (field key, quality) of column c's texts, best first."""
    # Upper bound first: a row that cannot name MIN_HEADER_FIELDS scored fields is no header of this form.
    possible = {key for found in matches for key, _q in found if key and key not in _UNSCORED}
    if len(possible) < MIN_HEADER_FIELDS:
        return {}, len(possible)
    columns: dict[str, int] = {}
    used: set[int] = set()
    for wanted in (2, 1):
        for c, found in enumerate(matches):
            if c in used:
                continue
            for key, q in found:
                if key and q == wanted and key not in columns:
                    columns[key] = c
                    used.add(c)
                    break
    score = sum(1 for k in columns if k not in _UNSCORED)
    return columns, score


class _RowFolds:
    """Folded texts of each header-grid row, computed once per sheet (labels, labels without brackets)."""

    def __init__(self, hrows: list[list[Any]]) -> None:
        self.hrows = hrows
        self._cache: dict[int, tuple[list[str], list[str]]] = {}

    def get(self, r: int) -> tuple[list[str], list[str]]:
        found = self._cache.get(r)
        if found is None:
            row = self.hrows[r] if 0 <= r < len(self.hrows) else []
            heads = [_head(v) for v in row]
            found = ([_fold_label(v) for v in heads], [_fold_no_parens(v) for v in heads])
            self._cache[r] = found
        return found


def _candidates_one_row(folds: _RowFolds, r: int) -> list[list[str]]:
    labels, no_parens = folds.get(r)
    return [[t for t in (a, b) if t] for a, b in zip(labels, no_parens, strict=True)]


def _candidates_two_rows(folds: _RowFolds, r: int, group_cells: set[tuple[int, int]]) -> list[list[str]]:
    top_labels, top_np = folds.get(r)
    sub_labels, sub_np = folds.get(r + 1)
    n_top, n_sub = len(top_labels), len(sub_labels)
    width = max(n_top, n_sub)
    out = []
    last_top = ""
    for c in range(width):
        top = top_labels[c] if c < n_top else ""
        sub = sub_labels[c] if c < n_sub else ""
        is_group = (r, c) in group_cells
        if not top and sub:
            top, is_group = last_top, True  # a group header written once, not merged
        if top:
            last_top = top
        if sub == top:
            sub = ""  # a vertically merged header cell
        texts = []
        if top and sub:
            texts.append(f"{top} {sub}")
        if top and not is_group:
            texts.append(top)
            np = top_np[c] if c < n_top else ""
            if np:
                texts.append(np)
        if sub:
            texts.append(sub)
            np = sub_np[c] if c < n_sub else ""
            if np:
                texts.append(np)
        out.append(texts)
    return out


def _group_cells(sheet: RawSheet) -> set[tuple[int, int]]:
    """Cells covered by a horizontal merge (group headers such as "Vắng")."""
    cells = set()
    for r0, c0, _r1, c1 in sheet.merged:
        if c1 > c0:
            for c in range(c0, c1 + 1):
                cells.add((r0, c))
    return cells


def find_table(sheet: RawSheet) -> Table | None:
    """The best form header in a sheet (or None), with its data rows."""
    hrows = header_grid(sheet)
    groups = _group_cells(sheet)
    folds = _RowFolds(hrows)
    best: tuple[int, int, int, Form, int, dict[str, int]] | None = None  # (score, -mode, -row, form, row, cols)
    kind_of = _text_kind_short  # one cached look-up per cell text
    for r, row in enumerate(hrows):
        # a header row has two texts or more and names at least one field of some form by itself;
        # only then is it scored (also as a two-row header).  One cached look-up per cell text.
        kinds = [kind_of(v) if len(v) <= 128 else _text_kind_uncached(v) for v in row if isinstance(v, str)]
        if 2 not in kinds or len(kinds) - kinds.count(0) < 2:
            continue
        one = [[_all_matches(t) for t in texts] for texts in _candidates_one_row(folds, r)]
        two = (
            [[_all_matches(t) for t in texts] for texts in _candidates_two_rows(folds, r, groups)]
            if r + 1 < len(hrows)
            else None
        )
        for mode, cands in ((1, one), (2, two)):
            if cands is None:
                continue
            flat = [found for cell in cands for found in cell]
            for i, form in enumerate(FORMS):
                # upper bound first: a row that cannot name MIN_HEADER_FIELDS scored fields is no header of this form
                possible = {found[i][0] for found in flat}
                bound = len(possible - _NOT_SCORED)
                if bound < MIN_HEADER_FIELDS:
                    continue
                if best is not None and (bound, -mode, -r) <= best[:3]:
                    continue  # even naming every possible field, this row would not beat the best one
                cols, score = _assign([[found[i] for found in cell] for cell in cands])
                if score < MIN_HEADER_FIELDS:
                    continue
                rank = (score, -mode, -r)
                if best is None or rank > best[:3]:
                    best = (score, -mode, -r, form, mode, cols)
    if best is None:
        return None
    score, _m, neg_r, form, mode, cols = best
    top = -neg_r
    table = Table(form=form, sheet=sheet, header_top=top, header_row=top + mode - 1, columns=cols, score=score)
    _collect_rows(table)
    return table


_SIGNATURES = tuple(sorted({fold(w) for w in SIGNATURE_WORDS}, key=len, reverse=True))
_TOTAL_PREFIXES = ("tong cong", "cong tong", "tong so")


def _is_signature(value: Any) -> bool:
    return _is_signature_text(_fold_label(value))


def _row_signed(row: list[Any]) -> bool:
    """Some cell of the row is a signature line ("Người lập biểu", ...); one cached look-up per short text."""
    for v in row:
        if isinstance(v, str) and (_signature_cell(v) if len(v) <= 128 else _is_signature(v)):
            return True
    return False


_signature_cell = lru_cache(maxsize=16384)(_is_signature)  # short texts repeat across rows and files


@lru_cache(maxsize=16384)
def _is_signature_text(text: str) -> bool:
    if not text:
        return False
    for sig in _SIGNATURES:
        if text == sig:
            return True
        if text.startswith(sig + " ") and len(text.split()) <= len(sig.split()) + 6:
            return True
    return False


def _is_numbering_row(row: list[Any], cols: list[int]) -> bool:
    values = [row[c] for c in cols if c < len(row) and not is_blank(row[c])]
    if len(values) < 2:
        return False
    for v in values:
        if isinstance(v, bool) or isinstance(v, CellError):
            return False
        if isinstance(v, int | float):
            if not float(v).is_integer() or not 0 <= v <= 30:
                return False
            continue
        if not isinstance(v, str) or not _NUMBERING.match(v.strip()):
            return False
    return True


@lru_cache(maxsize=32)
def _total_words(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fold(w) for w in words)


def is_total_row(form: Form, row: list[Any], cols: list[int]) -> bool:
    words = _total_words(tuple(form.total_words))
    seen = 0
    for c in cols:
        v = row[c] if c < len(row) else None
        if is_blank(v):
            continue
        text = _fold_label(v)
        if text in words or any(text.startswith(p + " ") for p in _TOTAL_PREFIXES):
            return True
        seen += 1
        if seen >= 2:
            break
    return False


def _collect_rows(table: Table) -> None:
    form = table.form
    grid, wide = data_grid(table.sheet)
    table.grid = grid
    cols = sorted(table.columns.values())
    data_cols = [table.columns[k] for k in form.data_fields if k in table.columns]
    value_cols = [table.columns[f.key] for f in form.fields if f.kind in ("count", "choice") and f.key in table.columns]
    start = table.header_row + 1
    if start < len(grid) and _is_numbering_row(grid[start], cols):
        start += 1
    blank_run = 0
    for r in range(start, len(grid)):
        row = grid[r]
        n = len(row)
        if _row_signed(row) and all(c >= n or is_blank(row[c]) or isinstance(row[c], str) for c in value_cols):
            break
        filled = [c for c in cols if c < n and not is_blank(row[c])]
        if not filled:
            blank_run += 1
            if blank_run >= BLANK_ROWS_END_TABLE:
                break
            continue
        if is_total_row(form, row, cols):
            blank_run = 0
            table.total_rows.append(r)
            continue
        if len(filled) == 1 and (r, filled[0]) in wide and filled[0] not in value_cols:
            continue  # a section heading merged across the table
        if not any(c < n and not is_blank(row[c]) for c in data_cols):
            blank_run += 1  # pre-numbered STT or a note alone: not data
            if blank_run >= BLANK_ROWS_END_TABLE:
                break
            continue
        blank_run = 0
        table.data_rows.append(r)


# --------------------------------------------------------------------------
# Title block: unit and period
# --------------------------------------------------------------------------


def place(form: Form, sheet_name: str) -> str:
    """'Biểu 03', or 'Biểu 03 (trang tính «BC T2»)' when the sheet has another name in the file:
    how every message names where a problem is (the form, and the sheet as the user named it)."""
    title = form.sheet_title
    if fold(sheet_name) == fold(title):
        return title
    return f"{title} (trang tính «{sheet_name}»)"


@dataclass
class TitleText:
    kind: str  # "unit" | "period"
    text: str  # the value as written
    source: str  # "Biểu 02 (trang tính «BC»), ô A5, dòng «Đơn vị báo cáo»", or "tên tệp"
    labelled: bool
    sheet: str | None = None  # the sheet's name in the file (None: the file name)
    cell: str | None = None  # the cell the value was read from
    form: str | None = None  # the key of the form whose title block holds it


_UNIT_LABELS = {fold(x) for x in UNIT_LABELS}
_PERIOD_LABELS = {fold(x) for x in PERIOD_LABELS}
_ISSUER = fold(ISSUING_BODY)


def _label_of(text: str) -> tuple[str, str, str] | None:
    """'Đơn vị báo cáo: CB KDC 3' -> ('unit', 'Đơn vị báo cáo', 'CB KDC 3')."""
    return _label_of_short(text) if len(text) <= 128 else _label_of_text(text)


def _label_of_text(text: str) -> tuple[str, str, str] | None:
    left, sep, right = text.partition(":")
    key = fold(left)
    if key in _UNIT_LABELS:
        return "unit", clean(left), clean(right) if sep else ""
    if key in _PERIOD_LABELS:
        return "period", clean(left), clean(right) if sep else ""
    return None


_label_of_short = lru_cache(maxsize=16384)(_label_of_text)  # title lines repeat across files


def title_texts(table: Table) -> list[TitleText]:
    """Unit and period texts above the table's header (labelled lines, the line under the issuing body)."""
    from loaders.values import parse_period

    sheet = table.sheet
    rows = sheet.rows
    found: list[TitleText] = []
    seen_cells: set[tuple[int, int]] = set()
    for r in range(min(table.header_top, len(rows))):
        row = rows[r]
        for c, v in enumerate(row):
            if not isinstance(v, str) or not v.strip():
                continue
            for line_no, line in enumerate(v.splitlines() or [v]):
                line = clean(line)
                if not line:
                    continue
                labelled = _label_of(line)
                if labelled:
                    kind, label, value = labelled
                    at = (r, c)
                    if not value:  # the value sits in the next non-empty cell to the right
                        for c2 in range(c + 1, len(row)):
                            if not is_blank(row[c2]):
                                value = clean(row[c2])
                                seen_cells.add((r, c2))
                                at = (r, c2)
                                break
                    if value:
                        found.append(_title_text(table, kind, value, at, label, True))
                    continue
                folded = fold(line)
                if folded == _ISSUER or folded.startswith(_ISSUER + " "):
                    rest = ""
                    at = (r, c)
                    # the unit line: the rest of this cell, else the next non-empty cell below
                    lines = [clean(x) for x in v.splitlines() if clean(x)]
                    if line_no + 1 < len(lines):
                        rest = lines[line_no + 1]
                    else:
                        for r2 in range(r + 1, min(r + 3, table.header_top)):
                            below = _cell(rows, r2, c)
                            if isinstance(below, str) and fold(below):
                                rest = clean(below.splitlines()[0])
                                seen_cells.add((r2, c))
                                at = (r2, c)
                                break
                    if rest and fold(rest):
                        found.append(_title_text(table, "unit", rest, at, f"dưới {ISSUING_BODY}", False))
                    break
                if (r, c) in seen_cells:
                    continue
                period = parse_period(line, bare=False)
                if period:
                    found.append(_title_text(table, "period", line, (r, c), None, False))
    return found


def _title_text(table: Table, kind: str, value: str, at: tuple[int, int], label: str | None, labelled: bool):
    """The source names the form, the sheet as the unit named it, the cell, and the line's label."""
    cell = a1(*at)
    source = f"{place(table.form, table.sheet.name)}, ô {cell}" + (f", dòng «{label}»" if label else "")
    return TitleText(kind, value, source, labelled, table.sheet.name, cell, table.form.key)
