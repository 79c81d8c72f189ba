"""Preflight of untrusted workbook bytes, before any parser sees them.

Runs in the main process and must stay cheap and safe: it only looks at
magic bytes, the zip directory, XML prologs (bounded reads) and the
zip's own directory.  It never
parses a whole XML member and never trusts a declared size beyond what it
checks against the limits.

``preflight(data, filename)`` returns ``(fmt, [])`` with the detected format
("xlsx" | "xlsm" | "xls" | "ods" | "xlsb") or ``(None, [problem])``.

``problem(code, **params)`` turns a stable refusal code into a ``Problem``
with a Vietnamese message and hint; the sandbox uses it for the refusals that
come back from the worker too.  Codes (all whole-file problems, cell=None):

    file.empty, file.too_large, file.not_spreadsheet, file.html_table,
    file.xml_spreadsheet, file.csv, file.text, file.wrong_extension,
    file.encrypted, file.damaged, file.zip_bomb, file.xml_entities,
    file.sheet_too_large, file.too_many_sheets, file.timeout, file.busy,
    file.worker_crashed
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath

from loaders.forms import LIMITS, Limits
from loaders.problems import CATALOGUE, Problem, make
from loaders.reader import Refusal, member_prefix, package_bytes, workbook_part

# Limits of this module (beyond loaders.forms.LIMITS).
MAX_ZIP_MEMBERS = 5_000  # an xlsx has a few dozen parts; more is an archive, not a report
PROLOG_SCAN_BYTES = 256 * 1024  # bytes read from each XML member to find its prolog / <dimension>
RATIO_MIN_MEMBER_BYTES = 1024 * 1024  # per-member ratio checked only above this declared size

SPREADSHEET_EXTENSIONS = {".xlsx": "xlsx", ".xlsm": "xlsm", ".xls": "xls", ".ods": "ods", ".xlsb": "xlsb"}
# Formats that are the same family: an .xlsm saved as .xlsx (or back) is read as what it is.
_SAME_FAMILY = {frozenset({"xlsx", "xlsm"})}

# code -> (message, hint) of the whole-file refusals, as declared in the catalogue (loaders.problems).
MESSAGES: dict[str, tuple[str, str]] = {p.code: (p.message, p.hint) for p in CATALOGUE if p.category == "file"}

FORMAT_LABELS = {
    "xlsx": "Excel .xlsx",
    "xlsm": "Excel có macro .xlsm",
    "xls": "Excel 97-2003 .xls",
    "ods": "LibreOffice .ods",
    "xlsb": "Excel nhị phân .xlsb",
}


def problem(code: str, filename: str = "", sheet: str | None = None, **params: object) -> Problem:
    """A whole-file refusal with its Vietnamese message and hint (an unknown code reads as file.damaged)."""
    values = {k: str(v) for k, v in params.items()}
    if code not in MESSAGES:
        code, values["detail"] = "file.damaged", code
    values.setdefault("sheet_name", sheet or "?")
    return make(code, sheet=sheet, filename=filename or "không tên", **values)


def human_size(n: int) -> str:
    """1.234,5 MB style (Vietnamese separators)."""
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= size:
            text = f"{n / size:,.1f}".replace(",", "_").replace(".", ",").replace("_", ".")
            return f"{text} {unit}"
    return f"{n} byte"


def _ratio_text(ratio: float) -> str:
    return f"{int(ratio):,}".replace(",", ".")


@dataclass
class _Ctx:
    filename: str
    ext: str
    limits: Limits


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------


def preflight(data: bytes, filename: str, limits: Limits = LIMITS) -> tuple[str | None, list[Problem]]:
    """Decide what the bytes are and whether a parser may see them."""
    ext = PurePosixPath((filename or "").replace("\\", "/")).suffix.lower()
    ctx = _Ctx(filename=filename, ext=ext, limits=limits)
    try:
        fmt = _detect(data, ctx)
        _check_extension(fmt, ctx)
        return fmt, []
    except Refusal as r:
        return None, [problem(r.code, filename, sheet=r.sheet, **r.params)]
    except Exception as exc:  # noqa: BLE001 - preflight must never raise
        return None, [problem("file.damaged", filename, detail=type(exc).__name__)]


def _check_extension(fmt: str, ctx: _Ctx) -> None:
    declared = SPREADSHEET_EXTENSIONS.get(ctx.ext)
    if not ctx.ext or declared == fmt or frozenset({declared, fmt}) in _SAME_FAMILY:
        return
    raise Refusal("file.wrong_extension", ext=ctx.ext or "(không có)", actual=FORMAT_LABELS[fmt])


def _detect(data: bytes, ctx: _Ctx) -> str:
    if len(data) == 0:
        raise Refusal("file.empty")
    if len(data) > ctx.limits.max_file_bytes:
        raise Refusal("file.too_large", size=human_size(len(data)), limit=human_size(ctx.limits.max_file_bytes))
    head = data[:8]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _check_zip(data, ctx)
    if head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return _check_ole2(data, ctx)
    if head.startswith(b"PK"):
        raise Refusal("file.damaged", detail="tệp nén không hoàn chỉnh")
    _classify_other(data, ctx)
    raise AssertionError("unreachable")  # _classify_other always raises


# --------------------------------------------------------------------------
# Non-spreadsheet content
# --------------------------------------------------------------------------

_BINARY_KINDS = (
    (b"%PDF", "tệp PDF"),
    (b"\x89PNG", "ảnh PNG"),
    (b"\xff\xd8\xff", "ảnh JPEG"),
    (b"GIF8", "ảnh GIF"),
    (b"BM", "ảnh BMP"),
    (b"Rar!", "tệp nén RAR"),
    (b"7z\xbc\xaf", "tệp nén 7z"),
    (b"\x1f\x8b", "tệp nén gzip"),
    (b"{\\rtf", "văn bản RTF"),
    (b"\x00\x00\x00", "tệp nhị phân"),
)


def _decode_text(sample: bytes) -> str | None:
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return sample.decode("utf-16", errors="ignore")
        except Exception:  # noqa: BLE001
            return None
    if sample.startswith(b"\xef\xbb\xbf"):
        sample = sample[3:]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # a real error, not a character cut at the sample's end
            text = sample.decode("cp1258", errors="replace")
        else:
            text = sample[: exc.start].decode("utf-8")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t\f")
    if not text or controls > len(text) // 100:
        return None
    return text


def _looks_delimited(text: str) -> bool:
    """Most lines have the same (non-zero) count of one delimiter."""
    lines = [line for line in text.splitlines()[:30] if line.strip()]
    if len(lines) < 2:
        return bool(lines) and any(lines[0].count(d) >= 2 for d in ",;\t")
    for delim in (";", ",", "\t", "|"):
        counts = [line.count(delim) for line in lines]
        common = max(set(counts), key=counts.count)
        if common >= 1 and counts.count(common) >= 0.8 * len(counts):
            return True
    return False


def _classify_other(data: bytes, ctx: _Ctx) -> None:
    sample = data[:8192]
    text = _decode_text(sample)
    if text is not None:
        low = text.lstrip().lower()
        if "urn:schemas-microsoft-com:office:spreadsheet" in low and "<html" not in low[:4096]:
            raise Refusal("file.xml_spreadsheet")
        if low.startswith("mime-version") or any(
            t in low[:4096] for t in ("<html", "<!doctype html", "<table", "<body")
        ):
            raise Refusal("file.html_table", ext=ctx.ext or "(không có)")
        if low.startswith("<?xml") or low.startswith("<"):
            raise Refusal("file.not_spreadsheet", kind="tệp XML")
        if _looks_delimited(text):
            raise Refusal("file.csv")
        raise Refusal("file.text")
    for magic, kind in _BINARY_KINDS:
        if sample.startswith(magic):
            raise Refusal("file.not_spreadsheet", kind=kind)
    raise Refusal("file.not_spreadsheet", kind="tệp nhị phân không rõ loại")


# --------------------------------------------------------------------------
# OLE2 (.xls, or an encrypted OOXML package)
# --------------------------------------------------------------------------


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _check_ole2(data: bytes, ctx: _Ctx) -> str:
    # Directory entry names are UTF-16LE; an encrypted .xlsx/.xlsb is an OLE2
    # container holding "EncryptionInfo" and "EncryptedPackage" streams.
    if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
        raise Refusal("file.encrypted")
    if len(data) < 1536:
        raise Refusal("file.damaged", detail="tệp OLE2 quá ngắn")
    if _utf16("Workbook") in data or _utf16("Book") in data or _utf16("WORKBOOK") in data or _utf16("BOOK") in data:
        return "xls"
    if _utf16("WordDocument") in data:
        raise Refusal("file.not_spreadsheet", kind="văn bản Word .doc")
    if _utf16("PowerPoint Document") in data:
        raise Refusal("file.not_spreadsheet", kind="trình chiếu PowerPoint .ppt")
    # Unknown OLE2 (or a directory we could not see): let the sandboxed reader decide.
    return "xls"


# --------------------------------------------------------------------------
# Zip packages (.xlsx/.xlsm/.xlsb/.ods)
# --------------------------------------------------------------------------

_DOCTYPE_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DIMENSION_RE = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_SHEETDATA_RE = re.compile(rb"<(?:[\w.-]+:)?sheetData\b")
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_WORKSHEET_PART_RE = re.compile(r"xl/worksheets/[^/]+\.(?:xml|bin)$", re.IGNORECASE)


def _count_text(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _check_zip(data: bytes, ctx: _Ctx) -> str:
    try:
        zf = zipfile.ZipFile(BytesIO(data))
        package_bytes(zf, data)
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise Refusal("file.damaged", detail="cấu trúc nén hỏng") from exc
    sheets = sum(1 for i in infos if _WORKSHEET_PART_RE.match(i.filename.replace("\\", "/").lstrip("/")))
    if sheets > ctx.limits.max_sheets:  # before the member count: a workbook of many sheets is not a bomb
        raise Refusal("file.too_many_sheets", count=_count_text(sheets), limit=_count_text(ctx.limits.max_sheets))
    if len(infos) > MAX_ZIP_MEMBERS:
        raise Refusal("file.zip_bomb", size=f"{len(infos)} phần", ratio="?")
    _check_sizes(infos, len(data), ctx)
    names = {i.filename.replace("\\", "/").lstrip("/"): i for i in infos}
    if any(i.flag_bits & 0x1 for i in infos):
        raise Refusal("file.encrypted")
    fmt = _zip_format(zf, names)
    # Encryption of an .ods is declared in its manifest.
    if fmt == "ods" and "META-INF/manifest.xml" in names:
        if b"encryption-data" in _read_prefix(zf, names["META-INF/manifest.xml"], 4 * 1024 * 1024):
            raise Refusal("file.encrypted")
    for info in infos:
        if info.filename.lower().endswith(_XML_SUFFIXES):
            _check_prolog(zf, info)
    # No refusal on <dimension> alone: Gnumeric writes A1:XFD1048576 for small
    # sheets and calamine 0.9 reads those fine.  Every cell position is checked
    # against the limits by the worker's streaming scan before calamine runs.
    return fmt


def _check_sizes(infos: list[zipfile.ZipInfo], compressed_total: int, ctx: _Ctx) -> None:
    lim = ctx.limits
    total = 0
    for info in infos:
        size = max(int(info.file_size), 0)
        total += size
        if size > RATIO_MIN_MEMBER_BYTES:
            ratio = size / max(int(info.compress_size), 1)
            if ratio > lim.max_member_ratio:
                raise Refusal("file.zip_bomb", size=human_size(size), ratio=_ratio_text(ratio))
    if total > lim.max_uncompressed_bytes:
        ratio = total / max(compressed_total, 1)
        if ratio > lim.max_member_ratio:
            raise Refusal("file.zip_bomb", size=human_size(total), ratio=_ratio_text(ratio))
        raise Refusal(
            "file.too_large",
            size=f"{human_size(total)} khi giải nén",
            limit=human_size(lim.max_uncompressed_bytes),
        )


def _read_prefix(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """At most ``limit`` decompressed bytes of a member (never more, whatever it declares)."""
    try:
        fast = member_prefix(zf, info, limit)
    except Exception:  # noqa: BLE001 - the zipfile path below gives the verdict
        fast = None
    if fast is not None:
        return fast
    try:
        with zf.open(info) as fh:
            return fh.read(limit)
    except NotImplementedError as exc:
        raise Refusal("file.damaged", detail="kiểu nén không hỗ trợ") from exc
    except RuntimeError as exc:  # zipfile raises this for an encrypted member
        raise Refusal("file.encrypted") from exc
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise Refusal("file.damaged", detail=f"phần «{info.filename}» hỏng") from exc
    except Exception as exc:  # noqa: BLE001 - zlib.error and friends
        raise Refusal("file.damaged", detail=f"phần «{info.filename}» hỏng") from exc


def _zip_format(zf: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo]) -> str:
    if "mimetype" in names:
        mime = _read_prefix(zf, names["mimetype"], 200).strip()
        if mime.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            return "ods"
        if mime.startswith(b"application/vnd.oasis.opendocument"):
            raise Refusal("file.not_spreadsheet", kind="tài liệu OpenDocument không phải bảng tính")
    if "[Content_Types].xml" in names:
        types = _read_prefix(zf, names["[Content_Types].xml"], 1024 * 1024)
        if b"spreadsheetml" not in types.lower() and b"ms-excel" not in types.lower():
            if "word/document.xml" in names:
                raise Refusal("file.not_spreadsheet", kind="văn bản Word .docx")
            if any(n.startswith("ppt/") for n in names):
                raise Refusal("file.not_spreadsheet", kind="trình chiếu PowerPoint .pptx")
        workbook = workbook_part(zf)
        if workbook is None:
            raise Refusal("file.damaged", detail="thiếu phần workbook")
        if workbook.endswith(".bin"):
            return "xlsb"
        if b"macroenabled" in types.lower() or "xl/vbaProject.bin" in names:
            return "xlsm"
        return "xlsx"
    if "content.xml" in names:
        return "ods"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "word/document.xml" in names:
        raise Refusal("file.not_spreadsheet", kind="văn bản Word .docx")
    raise Refusal("file.not_spreadsheet", kind="tệp nén .zip")


def _check_prolog(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refuse a DTD / entity declaration in an XML member's prolog (or anywhere in its first bytes)."""
    head = _read_prefix(zf, info, PROLOG_SCAN_BYTES)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    if _DOCTYPE_RE.search(head):
        raise Refusal("file.xml_entities", member=info.filename)
    # A prolog padded past the scanned bytes (comments, processing
    # instructions, white space) hides what follows: refuse that too.
    if len(head) >= PROLOG_SCAN_BYTES and not _root_started(head):
        raise Refusal("file.xml_entities", member=info.filename)


_PROLOG_RE = re.compile(rb"\A(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)


def _root_started(head: bytes) -> bool:
    prolog = _PROLOG_RE.match(head)  # always matches (possibly empty)
    end = prolog.end() if prolog else 0
    return end < len(head) and head[end : end + 1] == b"<" and head[end + 1 : end + 2] not in (b"!", b"?")
