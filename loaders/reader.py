"""Read a workbook's bytes into a RawWorkbook with python-calamine.

Runs inside the sandboxed worker (loaders.sandbox); never call
``read_workbook`` on an unchecked file in the main process (calamine can
abort the whole process on a hostile file).  This module must not import
pandas (the worker stays small); python-calamine and xlrd are imported
lazily so that ``loaders.safety`` can use the package helpers below.

What it adds to calamine:

* rows[0] is Excel row 1 and rows[r][0] column A, whatever the used range;
  the grid is padded so that every merged range fits inside it.
* cells that calamine reads as "" but hold an error value (#DIV/0!, ...) or a
  formula without a saved value come out as ``CellError`` (xlsx/xlsm: scan of
  the sheet XML; xls: xlrd; ods: scan of content.xml).  xlsb: not detected.
* text is cleaned of control characters (``clean_text``); "" -> None.
* a streaming pre-scan of each sheet (xlsx/xlsm/ods) refuses absurd cell
  positions before calamine allocates anything for them.

Problems are raised as ``Refusal(code, sheet=..., **params)``; the sandbox
turns them into ``Problem`` values (codes and messages: loaders.safety).
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any
from xml.parsers import expat

from loaders.forms import LIMITS, Limits
from loaders.raw import CellError, RawSheet, RawWorkbook

XML_CHUNK = 64 * 1024
MAX_FORMULA_TEXT = 512  # characters of a formula kept in CellError.text


class Refusal(Exception):
    """A clean verdict that the file cannot be read: a "file" code of the catalogue (loaders.problems).

    The one refusal type: the safety pre-scan (loaders.safety) and the reader raise it alike."""

    def __init__(self, code: str, sheet: str | None = None, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.sheet = sheet
        self.params = params


# --------------------------------------------------------------------------
# Text cleaning
# --------------------------------------------------------------------------

_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _unescape_control(m: re.Match[str]) -> str:
    code = int(m.group(1), 16)
    return chr(code) if code < 32 or code == 0x7F else m.group(0)


def clean_text(value: str) -> str:
    """Line ends -> \\n, tab -> space, other control characters (also as _x0001_ escapes) removed."""
    if "_x" in value:
        value = _ESCAPE_RE.sub(_unescape_control, value)
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROL_RE.sub("", value)


def _clean_cell(value: Any) -> Any:
    if isinstance(value, str):
        if value == "":
            return None
        if value.isprintable() and "_x" not in value:
            return value  # nothing for clean_text to change (no control characters, no _x0001_ escapes)
        value = clean_text(value)
        return value if value != "" else None
    return value


def _clean_row(values: Any) -> list[Any]:
    """One grid row: calamine's "" -> None, text cleaned (the common cases inline: they are most cells)."""
    return [
        None
        if v.__class__ is str and v == ""
        else (v if v.__class__ is not str or (v.isprintable() and "_x" not in v) else _clean_cell(v))
        for v in values
    ]


# --------------------------------------------------------------------------
# OOXML package helpers (also used by loaders.safety in the main process)
# --------------------------------------------------------------------------

_REF_RE = re.compile(r"^\$?([A-Za-z]{1,7})\$?(\d{1,12})$")
_REL_RE = re.compile(rb"<(?:[\w.-]+:)?Relationship\b[^>]*>")
_SHEET_RE = re.compile(rb"<(?:[\w.-]+:)?sheet\b[^>]*>")
_ATTR_RE = re.compile(rb"""([\w:.-]+)\s*=\s*["']([^"']*)["']""")
_XML_ENTITY_RE = re.compile(r"&(amp|lt|gt|quot|apos);")
_XML_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def parse_ref(ref: str) -> tuple[int, int] | None:
    """'XFD1048576' -> (row, col) 1-based; None when it is not a cell reference."""
    m = _REF_RE.match(ref.strip())
    if not m:
        return None
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + (ord(ch) - 64)
    return int(m.group(2)), col


def member_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Normalised member name ("xl/workbook.xml") -> name as stored (some writers use backslashes).

    Computed once per open ``ZipFile`` (kept on the object: a read opens its package once).
    """
    cached = getattr(zf, "_loaders_member_names", None)
    if cached is not None and cached[0] == len(zf.filelist):
        return cached[1]
    out: dict[str, str] = {}
    for name in zf.namelist():
        out.setdefault(name.replace("\\", "/").lstrip("/"), name)
    zf._loaders_member_names = (len(zf.filelist), out)  # type: ignore[attr-defined]
    return out


def package_bytes(zf: zipfile.ZipFile, data: bytes) -> None:
    """Remember the bytes a ZipFile reads (``zipfile.ZipFile(io.BytesIO(data))``) for ``member_prefix``."""
    zf._loaders_data = data  # type: ignore[attr-defined]


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader (30 bytes)
SMALL_MEMBER_BYTES = 1024 * 1024


def member_prefix(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes | None:
    """At most ``limit`` decompressed bytes of a member, straight from the package bytes with zlib.

    The same bytes ``zf.open(info).read(limit)`` gives, without zipfile's per-member
    overhead; None whenever zipfile must decide (no package bytes, other compression,
    odd local header, sizes or CRC that do not match the directory): the caller then
    reads through ``zf.open`` and gets zipfile's own verdict.
    """
    data = getattr(zf, "_loaders_data", None)
    if data is None or info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    offset = info.header_offset
    if offset < 0 or offset + _LOCAL_HEADER.size > len(data):
        return None
    header = _LOCAL_HEADER.unpack_from(data, offset)
    if header[0] != b"PK\x03\x04":
        return None
    name_start = offset + _LOCAL_HEADER.size
    name = data[name_start : name_start + header[10]]
    try:
        local_name = name.decode("utf-8" if header[3] & 0x800 else "cp437")
    except UnicodeDecodeError:
        return None
    if local_name != info.orig_filename:
        return None
    start = name_start + header[10] + header[11]
    end = start + info.compress_size
    if end > len(data) or limit < 0:
        return None
    # A small member is always read whole and its CRC checked (zipfile's read-ahead
    # reaches its end, and checks it, even when fewer bytes are asked for).
    want = info.file_size + 1 if info.file_size <= SMALL_MEMBER_BYTES else limit
    raw = memoryview(data)[start:end]
    try:
        if info.compress_type == zipfile.ZIP_STORED:
            out = bytes(raw[:want])
        else:
            out = zlib.decompressobj(-15).decompress(raw, want) if want else b""
    except zlib.error:
        return None
    if len(out) > info.file_size:
        return None
    if len(out) == info.file_size:
        if zlib.crc32(out) != info.CRC:
            return None
    elif len(out) < want:
        return None  # the data ends before the declared size
    return out[:limit] if len(out) > limit else out


def _read_member(zf: zipfile.ZipFile, name: str, limit: int, stored: dict[str, str] | None = None) -> bytes:
    stored_name = (stored if stored is not None else member_names(zf)).get(name, name)
    try:
        out = member_prefix(zf, zf.getinfo(stored_name), limit)
    except KeyError:
        out = None
    if out is not None:
        return out
    with zf.open(stored_name) as fh:
        return fh.read(limit)


def _entity(m: re.Match[str]) -> str:
    return _XML_ENTITIES[m.group(1)]


def _attrs(tag: bytes) -> dict[str, str]:
    out = {}
    for k, v in _ATTR_RE.findall(tag):
        value = v.decode("utf-8", "replace")
        out[k.decode("utf-8", "replace")] = _XML_ENTITY_RE.sub(_entity, value) if "&" in value else value
    return out


def resolve_part(base_part: str, target: str) -> str:
    """A relationship target, relative to the part that holds it, as a zip member name."""
    if target.startswith("/"):
        return target.lstrip("/")
    # PurePosixPath(base_part).parent.parts, without pathlib's cost (base parts never start with "/")
    parts = [p for p in base_part.split("/") if p not in ("", ".")][:-1]
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def workbook_part(zf: zipfile.ZipFile, names: set[str] | None = None) -> str | None:
    """The workbook part named by the package relationships (xl/workbook.xml usually)."""
    if names is None:
        names = set(member_names(zf))
    if "_rels/.rels" in names:
        for m in _REL_RE.finditer(_read_member(zf, "_rels/.rels", 1024 * 1024)):
            rel = {k.split(":")[-1]: v for k, v in _attrs(m.group(0)).items()}
            if rel.get("Type", "").endswith("/officeDocument"):
                part = resolve_part("", rel.get("Target", ""))
                if part in names:
                    return part
    for candidate in ("xl/workbook.xml", "xl/workbook.bin"):
        if candidate in names:
            return candidate
    return None


def ooxml_sheet_parts(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, zip member) for each worksheet of an xlsx/xlsm, in workbook order."""
    stored = member_names(zf)
    names = set(stored)
    workbook = workbook_part(zf, names)
    if workbook is None or workbook.endswith(".bin"):
        return []
    rels = resolve_part(workbook, "_rels/" + PurePosixPath(workbook).name + ".rels")
    targets: dict[str, str] = {}
    if rels in names:
        for m in _REL_RE.finditer(_read_member(zf, rels, 4 * 1024 * 1024, stored)):
            rel = {k.split(":")[-1]: v for k, v in _attrs(m.group(0)).items()}
            if rel.get("Id"):
                targets[rel["Id"]] = resolve_part(workbook, rel.get("Target", ""))
    out: list[tuple[str, str]] = []
    for m in _SHEET_RE.finditer(_read_member(zf, workbook, 4 * 1024 * 1024, stored)):
        attrs = _attrs(m.group(0))
        rid = next((v for k, v in attrs.items() if ":" in k and k.split(":")[-1] == "id"), None)
        if rid and targets.get(rid) in names:
            out.append((attrs.get("name", "?"), targets[rid]))
    return out


# --------------------------------------------------------------------------
# Streaming scans (bounded: expat, chunks, refusal as soon as a limit is hit)
# --------------------------------------------------------------------------


def _new_parser() -> expat.XMLParserType:
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def no_entities(*_args: Any) -> None:
        raise Refusal("file.xml_entities", member="?")

    parser.EntityDeclHandler = no_entities
    parser.StartDoctypeDeclHandler = no_entities
    return parser


def _feed(parser: expat.XMLParserType, zf: zipfile.ZipFile, member: str, limit: int) -> None:
    total = 0
    with zf.open(member_names(zf).get(member, member)) as fh:
        while True:
            chunk = fh.read(XML_CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise Refusal("file.too_large", size=f"> {limit // (1024 * 1024)} MB khi giải nén", limit="?")
            parser.Parse(chunk, False)
        parser.Parse(b"", True)


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


def _too_large(sheet: str, row: int, col: int, limits: Limits) -> Refusal:
    return Refusal(
        "file.sheet_too_large",
        sheet=sheet,
        where=f"ô {_col_letters(col)}{row}" if col >= 1 else f"dòng {row}",
        max_rows=f"{limits.max_sheet_rows:,}".replace(",", "."),
        max_cols=limits.max_sheet_cols,
    )


def _col_letters(col: int) -> str:
    out = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


_TOKEN_RE = re.compile(rb"<(?:[\w.-]+:)?(row|c)\b([^>]*?)(/?)>")
_CELL_END_RE = re.compile(rb"</(?:[\w.-]+:)?c\s*>")
_R_ATTR_RE = re.compile(rb"""\br\s*=\s*["']([^"']*)["']""")
_T_ATTR_RE = re.compile(rb"""\bt\s*=\s*["']([^"']*)["']""")
_F_RE = re.compile(rb"<(?:[\w.-]+:)?f\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?f\s*>)", re.DOTALL)
_V_RE = re.compile(rb"<(?:[\w.-]+:)?v\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?v\s*>)", re.DOTALL)
_IS_RE = re.compile(rb"<(?:[\w.-]+:)?is\b")
_DTD_RE = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def _xml_text(raw: bytes | None) -> str:
    if not raw:
        return ""
    text = raw.decode("utf-8", "replace")
    if text.startswith("<![CDATA[") and text.endswith("]]>"):
        return text[9:-3]
    return html.unescape(text) if "&" in text else text


_OPEN_CELL_RE = re.compile(rb"<(?:[\w.-]+:)?c\b[^>]*(?<!/)>")
_OPEN_CELL_REF_RE = re.compile(
    rb"""<(?:[\w.-]+:)?c\b[^>]*?\br\s*=\s*["']\$?([A-Za-z]{1,7})\$?(\d{1,12})["'][^>]*(?<!/)>"""
)
_ERROR_CELL_RE = re.compile(
    rb"""<(?:[\w.-]+:)?c\b([^>]*?\bt\s*=\s*["']e["'][^>]*)>(.*?)</(?:[\w.-]+:)?c\s*>""", re.DOTALL
)
_T_ERROR_RE = re.compile(rb"""t\s*=\s*["']e["']""")
_ROW_END_RE = re.compile(rb"</(?:[\w.-]+:)?row\s*>")
SEGMENT_BYTES = 4 * 1024 * 1024
_F_START_RE = re.compile(rb"<(?:[\w.-]+:)?f\b")
_CELL_START_RE = re.compile(rb"<(?:[\w.-]+:)?c\b([^>]*)>")


# Fast path of the scan, for the canonical cell tags every common writer emits
# (``<c r="B7" ...>``, no namespace prefix): literal-led searches only.
_ANY_CELL_RE = re.compile(rb"<c\b")
_PREFIXED_CELL_RE = re.compile(rb":c\b")
_CANON_CELL = b'<c r="'


@lru_cache(maxsize=8)
def _far_cell_re(max_rows: int, max_cols: int) -> re.Pattern[bytes]:
    """Canonical cell openings whose reference is NOT obviously within the limits.

    A reference with at most ``letters`` column letters and ``digits`` row digits
    cannot pass the limits (Z..Z <= max_cols, 9..9 <= max_rows); everything else
    (longer references, ``$``, lower case, junk) is a candidate checked exactly.
    """
    letters = 0
    while _col_number("Z" * (letters + 1)) <= max_cols:
        letters += 1
    digits = 0
    while 10 ** (digits + 1) - 1 <= max_rows:
        digits += 1
    if letters and digits:
        return re.compile(rb'<c r="(?![A-Z]{1,%d}[0-9]{1,%d}")' % (letters, digits))
    return re.compile(rb'<c r="')


def _col_number(letters: str) -> int:
    col = 0
    for ch in letters:
        col = col * 26 + (ord(ch) - 64)
    return col


def scan_xlsx_sheet(zf: zipfile.ZipFile, member: str, sheet: str, limits: Limits) -> dict[tuple[int, int], CellError]:
    """Error / no-saved-value cells of one worksheet part (0-based positions).

    Refuses (file.sheet_too_large) a cell holding anything (value, formula,
    inline string) beyond the limits, before calamine sees the sheet.
    Regular expressions over the (size-bounded) part, C-speed bulk passes
    when every cell carries its ``r`` reference (all common writers), else a
    sequential pass; calamine parses the XML properly afterwards.  Something
    that only looks like a far cell (inside a comment) errs on the side of
    refusing; so does a non-empty ``<c r="A1048576"></c>``.
    """
    data = _read_bounded(zf, member, limits.max_uncompressed_bytes)
    if _DTD_RE.search(data, 0, 4096):
        raise Refusal("file.xml_entities", member=member)
    canonical = _scan_canonical(data, sheet, limits)
    if canonical is None and not _scan_general(data, sheet, limits):
        return _scan_sequential(data, sheet, limits)
    errors: dict[tuple[int, int], CellError] = {}
    # _T_ERROR_RE (a literal-led search) is needed by any error cell; <f or x:f by any formula.
    if _T_ERROR_RE.search(data):
        for m in _ERROR_CELL_RE.finditer(data):
            r = _R_ATTR_RE.search(m.group(1))
            at = parse_ref(r.group(1).decode("ascii", "replace")) if r else None
            if at:
                v = _V_RE.search(m.group(2))
                errors[(at[0] - 1, at[1] - 1)] = CellError(
                    "error", _xml_text(v.group(1) if v else None).strip() or "#?"
                )
    if b"<f" in data or b":f" in data:
        _formula_cells(data, errors, bool(canonical))
    return errors


def _scan_canonical(data: bytes, sheet: str, limits: Limits) -> bool | None:
    """Far-cell check when every cell tag is ``<c r="...``; None when the sheet is written otherwise.

    Only candidates (see ``_far_cell_re``) are looked at; the first one in
    document order that is beyond the limits and not self-closing (``<c .../>``
    is an empty styled cell, skipped by calamine too) is refused.
    """
    if _PREFIXED_CELL_RE.search(data) or len(_ANY_CELL_RE.findall(data)) != data.count(_CANON_CELL):
        return None
    for m in _far_cell_re(limits.max_sheet_rows, limits.max_sheet_cols).finditer(data):
        quote = data.find(b'"', m.end(), m.end() + 32)
        ref = parse_ref(data[m.end() : quote].decode("ascii", "replace")) if quote >= 0 else None
        if ref is None:
            return None  # an odd reference: the general scan decides
        row, col = ref
        if row > limits.max_sheet_rows or col > limits.max_sheet_cols:
            close = data.find(b">", quote)
            if close < 0:
                return None
            if data[close - 1 : close] != b"/":
                raise _too_large(sheet, row, col, limits)
    return True


def _scan_general(data: bytes, sheet: str, limits: Limits) -> bool:
    """Far-cell check for any tag spelling; False when some cell has no ``r`` (sequential scan needed)."""
    # Segments of about 4 MB cut after a </row>: a far cell is found without
    # listing every cell of a huge sheet first.
    start = 0
    while start < len(data):
        cut = _ROW_END_RE.search(data, start + SEGMENT_BYTES) if start + SEGMENT_BYTES < len(data) else None
        stop = cut.end() if cut else len(data)
        refs = _OPEN_CELL_REF_RE.findall(data, start, stop)
        if len(refs) != len(_OPEN_CELL_RE.findall(data, start, stop)):
            return False
        _check_refs(refs, sheet, limits)
        start = stop
    return True


def _formula_cells(data: bytes, errors: dict[tuple[int, int], CellError], canonical: bool) -> None:
    """Cells holding a formula without a saved value (error cells already in ``errors`` are kept)."""
    for m in _F_START_RE.finditer(data):
        window = max(0, m.start() - 4096)
        cell = None
        if canonical:  # every cell tag is <c r="...: the last one before this <f> opens its cell
            at = data.rfind(_CANON_CELL, window, m.start())
            cell = _CELL_START_RE.match(data, at, m.start()) if at >= 0 else None
        if cell is None:
            for found in _CELL_START_RE.finditer(data, window, m.start()):
                cell = found  # the last cell opened before this <f>
        end = _CELL_END_RE.search(data, m.end())
        if cell is None or end is None:
            continue
        r = _R_ATTR_RE.search(cell.group(1))
        ref = parse_ref(r.group(1).decode("ascii", "replace")) if r else None
        if ref is None or (ref[0] - 1, ref[1] - 1) in errors:
            continue
        t = _T_ATTR_RE.search(cell.group(1))
        kind = t.group(1) if t else b"n"
        body = data[cell.end() : end.start()]
        f, v = _F_RE.search(body), _V_RE.search(body)
        value = v.group(1) if v else None
        if f is not None and (v is None or (not value and kind not in (b"str", b"s", b"inlineStr"))):
            formula = clean_text(_xml_text(f.group(1)))[:MAX_FORMULA_TEXT]
            errors[(ref[0] - 1, ref[1] - 1)] = CellError("no_value", "=" + formula if formula else "")


def _ref_col(letters: bytes) -> int:
    """1-based column of a cell reference's letters (b"AB" -> 28)."""
    ref = parse_ref(letters.decode() + "1")
    return ref[1] if ref else 0


def _check_refs(refs: list[tuple[bytes, bytes]], sheet: str, limits: Limits) -> None:
    if not refs:
        return
    max_row = max(map(int, (d for _, d in refs)))
    max_col = max(_ref_col(c) for c in {c.upper() for c, _ in refs})
    if max_row > limits.max_sheet_rows or max_col > limits.max_sheet_cols:
        for c, d in refs:
            col = _ref_col(c)
            if int(d) > limits.max_sheet_rows or col > limits.max_sheet_cols:
                raise _too_large(sheet, int(d), col, limits)


def _scan_sequential(data: bytes, sheet: str, limits: Limits) -> dict[tuple[int, int], CellError]:
    """The same scan, cell by cell, for sheets whose cells do not all carry ``r``."""
    errors: dict[tuple[int, int], CellError] = {}
    row = col = 0
    pos = 0
    search = _TOKEN_RE.search
    while True:
        m = search(data, pos)
        if m is None:
            break
        pos = m.end()
        attrs = m.group(2)
        if m.group(1) == b"row":
            r = _R_ATTR_RE.search(attrs)
            row = int(r.group(1)) if r and r.group(1).isdigit() else row + 1
            col = 0
            continue
        r = _R_ATTR_RE.search(attrs)
        ref = parse_ref(r.group(1).decode("ascii", "replace")) if r else None
        if ref:
            cell_row, col = ref
        else:
            cell_row, col = row, col + 1
        if m.group(
            3
        ):  # <c .../>: empty (styled) cell, skipped by calamine too (Gnumeric writes them down to row 1048576)
            continue
        end = _CELL_END_RE.search(data, pos)
        if end is None:
            raise Refusal("file.damaged", sheet=sheet, detail="ô không đóng thẻ")
        body = data[pos : end.start()]
        pos = end.end()
        f = _F_RE.search(body)
        v = _V_RE.search(body)
        if f is None and v is None and not _IS_RE.search(body):
            continue
        if cell_row > limits.max_sheet_rows or col > limits.max_sheet_cols:
            raise _too_large(sheet, cell_row, col, limits)
        t = _T_ATTR_RE.search(attrs)
        kind = t.group(1) if t else b"n"
        at = (cell_row - 1, col - 1)
        if kind == b"e":
            errors[at] = CellError("error", _xml_text(v.group(1) if v else None).strip() or "#?")
        elif f is not None:
            value = v.group(1) if v else None
            if v is None or (not value and kind not in (b"str", b"s", b"inlineStr")):
                formula = clean_text(_xml_text(f.group(1)))[:MAX_FORMULA_TEXT]
                errors[at] = CellError("no_value", "=" + formula if formula else "")
    return errors


def _read_bounded(zf: zipfile.ZipFile, member: str, limit: int) -> bytes:
    stored_name = member_names(zf).get(member, member)
    try:
        out = member_prefix(zf, zf.getinfo(stored_name), limit + 1)
    except KeyError:
        out = None
    if out is not None:
        if len(out) > limit:
            raise Refusal("file.too_large", size=f"> {limit // (1024 * 1024)} MB khi giải nén", limit="?")
        return out
    parts, total = [], 0
    with zf.open(member_names(zf).get(member, member)) as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise Refusal("file.too_large", size=f"> {limit // (1024 * 1024)} MB khi giải nén", limit="?")
            parts.append(chunk)
    return b"".join(parts)


def scan_ods(
    data: bytes, limits: Limits
) -> dict[str, tuple[dict[tuple[int, int], CellError], list[tuple[int, int, int, int]]]]:
    """Per sheet: error / no-value cells and merged ranges of an .ods; refuses absurd sizes."""
    out: dict[str, tuple[dict[tuple[int, int], CellError], list[tuple[int, int, int, int]]]] = {}
    zf = zipfile.ZipFile(io.BytesIO(data))
    state: dict[str, Any] = {"sheet": None, "row": 0, "col": 0, "rrep": 1, "row_has": False, "cell": None, "depth": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        if tag == "table" and name.startswith("table:"):
            state["sheet"] = attrs.get("table:name", f"Sheet{len(out) + 1}")
            out.setdefault(state["sheet"], ({}, []))
            state["row"] = 0
        elif tag == "table-row" and state["sheet"] is not None:
            state["rrep"] = max(1, int(attrs.get("table:number-rows-repeated", "1")))
            state["col"] = 0
            state["row_has"] = False
        elif tag in ("table-cell", "covered-table-cell") and state["sheet"] is not None:
            crep = max(1, int(attrs.get("table:number-columns-repeated", "1")))
            vtype = attrs.get("office:value-type")
            state["cell"] = {
                "crep": crep,
                "vtype": vtype,
                "calc": attrs.get("calcext:value-type"),
                "formula": attrs.get("table:formula"),
                "span": (
                    int(attrs.get("table:number-rows-spanned", "1")),
                    int(attrs.get("table:number-columns-spanned", "1")),
                ),
                "content": vtype is not None,
                "text": "",
            }
        elif state["cell"] is not None and tag in ("p", "span", "a", "s"):
            state["cell"]["content"] = True

    def chars(data: str) -> None:
        cell = state["cell"]
        if cell is not None and len(cell["text"]) < MAX_FORMULA_TEXT:
            cell["text"] += data

    def end(name: str) -> None:
        tag = _local(name)
        sheet = state["sheet"]
        if tag in ("table-cell", "covered-table-cell") and state["cell"] is not None:
            cell = state["cell"]
            state["cell"] = None
            first_col = state["col"]
            state["col"] += cell["crep"]
            rows_span, cols_span = cell["span"]
            if cell["content"] or cell["formula"] or rows_span > 1 or cols_span > 1:
                state["row_has"] = True
                last_row = state["row"] + state["rrep"]
                last_col = max(state["col"], first_col + cols_span)
                if last_col > limits.max_sheet_cols or last_row > limits.max_sheet_rows:
                    raise _too_large(sheet, last_row, last_col, limits)
                if (last_row - state["row"]) * (state["col"] - first_col) > limits.max_cells:
                    raise _too_large(sheet, last_row, last_col, limits)
                errors, merged = out[sheet]
                if rows_span > 1 or cols_span > 1:
                    r0 = state["row"]
                    if r0 + rows_span > limits.max_sheet_rows:
                        raise _too_large(sheet, r0 + rows_span, first_col + cols_span, limits)
                    merged.append((r0, first_col, r0 + rows_span - 1, first_col + cols_span - 1))
                if cell["formula"] and (cell["vtype"] is None or cell["calc"] == "error"):
                    if cell["calc"] == "error" or cell["text"].startswith(("#", "Err:")):
                        err = CellError("error", clean_text(cell["text"]).strip() or "#?")
                    else:
                        err = CellError("no_value", clean_text(cell["formula"]))
                    for r in range(state["row"], state["row"] + state["rrep"]):
                        for c in range(first_col, state["col"]):
                            errors[(r, c)] = err
        elif tag == "table-row" and sheet is not None:
            state["row"] += state["rrep"]
            state["rrep"] = 1
        elif tag == "table" and name.startswith("table:"):
            state["sheet"] = None

    parser = _new_parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        _feed(parser, zf, "content.xml", limits.max_uncompressed_bytes)
    except KeyError as exc:
        raise Refusal("file.damaged", detail="thiếu content.xml") from exc
    return out


def _xls_errors(data: bytes) -> dict[str, dict[tuple[int, int], CellError]]:
    import xlrd  # lazy: only .xls needs it

    out: dict[str, dict[tuple[int, int], CellError]] = {}
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO(), verbosity=0)
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise Refusal("file.encrypted") from exc
        return out  # calamine read it; xlrd cannot: no error cells known
    except Exception:  # noqa: BLE001 - xlrd's own assertions on odd files
        return out
    try:
        for name in book.sheet_names():
            sh = book.sheet_by_name(name)
            found: dict[tuple[int, int], CellError] = {}
            for r in range(sh.nrows):
                for c, ctype in enumerate(sh.row_types(r)):
                    if ctype == xlrd.XL_CELL_ERROR:
                        code = sh.cell_value(r, c)
                        found[(r, c)] = CellError("error", xlrd.error_text_from_code.get(code, "#?"))
            out[name] = found
            book.unload_sheet(name)
    except Exception:  # noqa: BLE001
        return out
    finally:
        book.release_resources()
    return out


# --------------------------------------------------------------------------
# The reader
# --------------------------------------------------------------------------


def read_workbook(data: bytes, fmt: str, limits: Limits = LIMITS) -> RawWorkbook:
    """Bytes already preflighted (loaders.safety) -> RawWorkbook, or Refusal."""
    return RawWorkbook(format=fmt, sheets=list(iter_sheets(data, fmt, limits)))


def iter_sheets(data: bytes, fmt: str, limits: Limits = LIMITS) -> Iterator[RawSheet]:
    """The sheets of ``read_workbook`` one by one (the worker streams each as soon as it is read).

    Each sheet part is scanned (far cells, error cells) just before calamine
    reads that sheet, so the first sheet comes out early; a Refusal may come
    after some sheets were yielded: the consumer must then drop the sheets it had.
    """
    import python_calamine as pc  # lazy: the main process imports this module for its helpers

    errors: dict[str, dict[tuple[int, int], CellError]] = {}
    ods_merges: dict[str, list[tuple[int, int, int, int]]] = {}
    parts: dict[str, str] = {}  # xlsx/xlsm: sheet name -> part, each scanned just before calamine reads it
    zf = None
    try:
        if fmt in ("xlsx", "xlsm"):
            zf = zipfile.ZipFile(io.BytesIO(data))
            package_bytes(zf, data)
            for sheet, member in ooxml_sheet_parts(zf):
                parts.setdefault(sheet, member)
        elif fmt == "ods":
            for sheet, (errs, merged) in scan_ods(data, limits).items():
                errors[sheet] = errs
                ods_merges[sheet] = merged
    except Refusal:
        raise
    except (expat.ExpatError, zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise Refusal("file.damaged", detail=f"XML hỏng: {type(exc).__name__}") from exc

    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = [m.name for m in wb.sheets_metadata if m.typ == pc.SheetTypeEnum.WorkSheet]
    except pc.PasswordError as exc:
        raise Refusal("file.encrypted") from exc
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine's errors, and Rust panics (PanicException is a BaseException)
        raise Refusal("file.damaged", detail=_short(exc)) from exc
    if len(names) > limits.max_sheets:  # .xls/.ods (an .xlsx is counted in preflight)
        count, limit = (f"{n:,}".replace(",", ".") for n in (len(names), limits.max_sheets))
        raise Refusal("file.too_many_sheets", count=count, limit=limit)

    if fmt == "xls":
        errors = _xls_errors(data)

    scanned: set[str] = set()
    for name in names:
        try:
            _scan_before(zf, parts, name, errors, scanned, limits)
            calamine_sheet = wb.get_sheet_by_name(name)
            sheet_merges = ods_merges.get(name) if fmt == "ods" else None
            if sheet_merges is None:
                sheet_merges = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (calamine_sheet.merged_cell_ranges or [])]
            built = _build_sheet(calamine_sheet, clean_text(name), sheet_merges, errors.get(name, {}), limits)
        except Refusal:
            raise
        except pc.PasswordError as exc:
            raise Refusal("file.encrypted") from exc
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except BaseException as exc:  # noqa: BLE001 - includes Rust panics
            raise Refusal("file.damaged", sheet=name, detail=_short(exc)) from exc
        yield built
    if zf is not None and len(scanned) < len(parts):  # parts calamine did not list (chart sheets...): scanned too
        _scan_before(zf, parts, "", errors, scanned, limits)


def _scan_before(
    zf: zipfile.ZipFile | None,
    parts: dict[str, str],
    name: str,
    errors: dict[str, dict[tuple[int, int], CellError]],
    scanned: set[str],
    limits: Limits,
) -> None:
    """Scan a sheet's part (far cells refused, error cells found) before calamine reads that sheet.

    A sheet calamine lists but the package does not map to a part (odd
    relationships) gets every remaining part scanned first: nothing reaches
    calamine unscanned.
    """
    if zf is None:
        return
    todo = [name] if name in parts else [n for n in parts if n not in scanned]
    try:
        for sheet in todo:
            if sheet not in scanned:
                scanned.add(sheet)
                errors[sheet] = scan_xlsx_sheet(zf, parts[sheet], sheet, limits)
    except Refusal:
        raise
    except (expat.ExpatError, zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise Refusal("file.damaged", detail=f"XML hỏng: {type(exc).__name__}") from exc


def _short(exc: BaseException) -> str:
    text = clean_text(str(exc)).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:160]}" if text else type(exc).__name__


def _build_sheet(
    sheet: Any,
    name: str,
    merged: list[tuple[int, int, int, int]],
    errors: dict[tuple[int, int], CellError],
    limits: Limits,
) -> RawSheet:
    start, end = sheet.start, sheet.end
    height = end[0] + 1 if end else 0
    width = end[1] + 1 if end else 0
    if height > limits.max_sheet_rows or width > limits.max_sheet_cols or height * width > limits.max_cells:
        raise _too_large(name, height, width, limits)
    # Merged ranges beyond the limits are clipped (a whole merged row is common); the grid is padded to hold the rest.
    kept = []
    for r0, c0, r1, c1 in merged:
        if r0 < 0 or c0 < 0 or r0 >= limits.max_sheet_rows or c0 >= limits.max_sheet_cols or r1 < r0 or c1 < c0:
            continue
        kept.append((r0, c0, min(r1, limits.max_sheet_rows - 1), min(c1, limits.max_sheet_cols - 1)))
    for r, c in errors:
        height, width = max(height, r + 1), max(width, c + 1)
    for _r0, _c0, r1, c1 in kept:
        height, width = max(height, r1 + 1), max(width, c1 + 1)
    if height * width > limits.max_cells:
        raise _too_large(name, height, width, limits)

    grid = sheet.to_python(skip_empty_area=False) if end else []
    if grid and start and (start[0] or start[1]) and len(grid) == end[0] - start[0] + 1:
        # Older calamine bindings start the grid at the used range: shift it to A1.
        grid = [[] for _ in range(start[0])] + [[""] * start[1] + list(row) for row in grid]
    rows: list[list[Any]] = []
    for r in range(height):
        src = grid[r] if r < len(grid) else ()
        row = _clean_row(src)
        if len(row) < width:
            row.extend([None] * (width - len(row)))
        rows.append(row)
    for (r, c), err in errors.items():
        # calamine reads "" (or an error's text) where the cell holds an error / no saved value
        if err.kind == "error" or rows[r][c] is None:
            rows[r][c] = err
    return RawSheet(name=name, rows=rows, merged=kept)
