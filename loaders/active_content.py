"""Macros and embedded objects in a unit's workbook: found at upload, removed from every copy we serve.

The checker only ever reads cell values, so macros (VBA, Excel 4.0 macro
sheets), ActiveX and form controls, embedded OLE objects and packages, and
ribbon customisations play no part in a report. They are kept in the stored
original (the evidence, byte for byte, with its SHA-256) and removed from the
copy the product hands back (``storage.queries.submission_file``), so a file
sent by one unit never runs code on the machine of whoever downloads it
(policy: docs/SECURITY.md).

- ``.xlsx`` / ``.xlsm`` / ``.xlsb`` (zip packages): the parts are dropped, with
  their relationships, their ``[Content_Types].xml`` entries and the sheet
  elements that point at them (``<oleObjects>``, ``<controls>``, a macro
  sheet's ``<sheet>`` and the names defined on it). An ``.xlsm`` stays an
  ``.xlsm`` (a macro-enabled workbook without macros opens as such).
- ``.ods``: the ``Basic/``, ``Scripts/`` and ``Object N/`` folders and their
  manifest entries.
- ``.xls`` (one compound file): streams cannot be removed in place, so every
  stream of the VBA storage and of embedded objects (``MBD...``, ``ObjectPool``)
  is overwritten with zeros of the same length: no code or object survives.

Everything here runs on files that already passed ``loaders.safety`` (the
stored ones were accepted), never on an unchecked upload.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass

MACRO = "macro"
OBJECT = "object"  # embedded object, ActiveX / form control, ribbon customisation

# OOXML parts (lower-case names) and what they are.
_OOXML_PARTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(^|/)vbaproject[^/]*\.bin$"), MACRO),  # vbaProject.bin, vbaProjectSignature*.bin
    (re.compile(r"(^|/)_rels/vbaproject[^/]*\.bin\.rels$"), MACRO),
    (re.compile(r"^xl/(macrosheets|intlmacrosheets|dialogsheets)/"), MACRO),  # Excel 4.0 (XLM) macros
    (re.compile(r"^xl/embeddings/"), OBJECT),
    (re.compile(r"^xl/activex/"), OBJECT),
    (re.compile(r"^xl/ctrlprops/"), OBJECT),
    (re.compile(r"^customui/"), OBJECT),
)
# Relationship types dropped even when their target is elsewhere (linked OLE objects point outside).
_DROP_REL_TYPES = ("/vbaProject", "/oleObject", "/control", "/activeXControl", "/activeXControlBinary", "/package")
_ODS_PARTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(basic|scripts)/"), MACRO),
    (re.compile(r"^object \d+/"), OBJECT),
)
_XLS_STORAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(_vba_project_cur|_vba_project|macros)(/|$)"), MACRO),
    (re.compile(r"^(mbd[0-9a-f]*|objectpool)(/|$)"), OBJECT),
)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Stripped:
    data: bytes  # the copy to serve (the input itself when there was nothing to remove)
    kinds: frozenset[str]  # what was removed: MACRO and/or OBJECT
    parts: tuple[str, ...]  # the removed (or, in .xls, zeroed) parts


def find(data: bytes) -> frozenset[str]:
    """What active content ``data`` holds (MACRO, OBJECT), without changing it."""
    if data[:8] == _OLE_MAGIC:
        return frozenset(kind for _, kind in _xls_streams(data, live_only=True))
    names = _zip_names(data)
    if names is None:
        return frozenset()
    return frozenset(kind for _, kind in _classify(names, _is_ods(data)))


def strip(data: bytes) -> Stripped:
    """``data`` without macros and embedded objects (see the module docstring)."""
    if data[:8] == _OLE_MAGIC:
        return _strip_xls(data)
    names = _zip_names(data)
    if names is None:
        return Stripped(data, frozenset(), ())
    ods = _is_ods(data)
    found = _classify(names, ods)
    if not found:
        return Stripped(data, frozenset(), ())
    removed = {name for name, _ in found}
    out = _strip_ods(data, removed) if ods else _strip_ooxml(data, removed)
    return Stripped(out, frozenset(kind for _, kind in found), tuple(sorted(removed)))


# ---------------------------------------------------------------- zip packages


def _zip_names(data: bytes) -> list[str] | None:
    if data[:2] != b"PK":
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return zf.namelist()
    except (zipfile.BadZipFile, ValueError):
        return None


def _is_ods(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "mimetype" in zf.namelist() and zf.read("mimetype").startswith(b"application/vnd.oasis.opendocument")
    except (zipfile.BadZipFile, KeyError, ValueError):
        return False


def _classify(names: list[str], ods: bool) -> list[tuple[str, str]]:
    rules = _ODS_PARTS if ods else _OOXML_PARTS
    found = []
    for name in names:
        low = name.lower()
        for pattern, kind in rules:
            if pattern.search(low):
                found.append((name, kind))
                break
    return found


def _rebuild(data: bytes, removed: set[str], edit) -> bytes:
    """A copy of the zip without ``removed``; ``edit(name, bytes) -> bytes`` may change a kept part.
    Order, names and compression of the kept members stay as they were (an .ods keeps its
    uncompressed ``mimetype`` first)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename in removed:
                continue
            content = edit(info.filename, src.read(info))
            new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            new.compress_type = info.compress_type
            new.external_attr = info.external_attr
            dst.writestr(new, content)
    return out.getvalue()


_REL = re.compile(rb"<Relationship\b[^>]*?/>|<Relationship\b[^>]*?>.*?</Relationship>", re.S)
_ATTR = r"""\b{name}\s*=\s*(?:"([^"]*)"|'([^']*)')"""


def _attr(tag: bytes, name: str) -> str | None:
    m = re.search(_ATTR.format(name=name).encode(), tag)
    if not m:
        return None
    return (m.group(1) if m.group(1) is not None else m.group(2)).decode("utf-8", "replace")


def _rels_source(rels_name: str) -> str:
    """``xl/worksheets/_rels/sheet1.xml.rels`` -> ``xl/worksheets/sheet1.xml`` (``_rels/.rels`` -> "")."""
    folder, base = posixpath.split(rels_name)
    return posixpath.join(posixpath.dirname(folder), base[: -len(".rels")])


def _resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _strip_ooxml(data: bytes, removed: set[str]) -> bytes:
    removed_low = {n.lower() for n in removed}
    dropped_ids: dict[str, set[str]] = {}  # source part -> relationship ids dropped from it

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        for name in names:
            if name in removed or not name.endswith(".rels"):
                continue
            source = _rels_source(name)
            for m in _REL.finditer(zf.read(name)):
                tag = m.group(0)
                target, rtype, rid = _attr(tag, "Target") or "", _attr(tag, "Type") or "", _attr(tag, "Id") or ""
                external = (_attr(tag, "TargetMode") or "").lower() == "external"
                gone = not external and _resolve(source, target).lower() in removed_low
                if gone or rtype.endswith(_DROP_REL_TYPES):
                    dropped_ids.setdefault(source, set()).add(rid)
        kept_exts = {posixpath.splitext(n)[1].lstrip(".").lower() for n in names if n not in removed}

    def edit(name: str, content: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return _content_types(content, removed_low, kept_exts)
        if name.endswith(".rels"):
            source = _rels_source(name)
            ids = dropped_ids.get(source, set())
            return _REL.sub(lambda m: b"" if (_attr(m.group(0), "Id") or "") in ids else m.group(0), content)
        part_ids = dropped_ids.get(name)
        if part_ids and name.endswith(".xml"):
            return _drop_references(content, part_ids)
        return content

    return _rebuild(data, removed, edit)


_OVERRIDE = re.compile(rb"<Override\b[^>]*?/>", re.S)
_DEFAULT = re.compile(rb"<Default\b[^>]*?/>", re.S)


def _content_types(content: bytes, removed_low: set[str], kept_exts: set[str]) -> bytes:
    def override(m: re.Match[bytes]) -> bytes:
        part = (_attr(m.group(0), "PartName") or "").lstrip("/").lower()
        return b"" if part in removed_low else m.group(0)

    def default(m: re.Match[bytes]) -> bytes:
        ext = (_attr(m.group(0), "Extension") or "").lower()
        ctype = (_attr(m.group(0), "ContentType") or "").lower()
        if ext not in kept_exts or "vbaproject" in ctype or "oleobject" in ctype:
            return b""
        return m.group(0)

    return _DEFAULT.sub(default, _OVERRIDE.sub(override, content))


def _drop_references(content: bytes, ids: set[str]) -> bytes:
    """Remove from a sheet or workbook part the elements that use a dropped relationship id."""
    # <oleObjects>/<controls> blocks (Excel 2010+ wraps them in mc:AlternateContent): all go,
    # since every object and control in them lost its part.
    for tag in (rb"oleObjects", rb"controls"):
        content = re.sub(rb"<(\w+:)?" + tag + rb"\b[^>]*?/>", b"", content)
        content = re.sub(rb"<(\w+:)?" + tag + rb"\b[^>]*>.*?</(\w+:)?" + tag + rb">", b"", content, flags=re.S)
    # an mc:AlternateContent left empty by that
    content = re.sub(
        rb"<mc:AlternateContent\b[^>]*>\s*<mc:Choice\b[^>]*>\s*</mc:Choice>\s*(<mc:Fallback\b[^>]*>\s*</mc:Fallback>\s*)?"
        rb"</mc:AlternateContent>",
        b"",
        content,
    )
    # workbook.xml: a removed macro sheet's <sheet .../> entry, and the names defined on it
    sheet_names = []

    def sheet(m: re.Match[bytes]) -> bytes:
        tag = m.group(0)
        rid = _attr(tag, "r:id") or _attr(tag, "id")
        if rid in ids:
            sheet_names.append(_attr(tag, "name") or "")
            return b""
        return tag

    content = re.sub(rb"<(\w+:)?sheet\b[^>]*?/>", sheet, content)
    for name in filter(None, sheet_names):
        quoted = re.escape(name.encode())
        content = re.sub(
            rb"<(\w+:)?definedName\b[^>]*>[^<]*?(?:'?" + quoted + rb"'?!)[^<]*</(\w+:)?definedName>", b"", content
        )
    return content


def _strip_ods(data: bytes, removed: set[str]) -> bytes:
    removed_paths = set(removed)
    removed_paths |= {n.split("/", 1)[0] + "/" for n in removed if "/" in n}  # the folders' own entries

    def edit(name: str, content: bytes) -> bytes:
        if name != "META-INF/manifest.xml":
            return content

        def entry(m: re.Match[bytes]) -> bytes:
            path = _attr(m.group(0), "manifest:full-path") or ""
            return b"" if path in removed_paths or path.split("/", 1)[0] + "/" in removed_paths else m.group(0)

        content = re.sub(rb"<manifest:file-entry\b[^>]*?/>", entry, content)
        return re.sub(rb"<manifest:file-entry\b[^>]*?>.*?</manifest:file-entry>", entry, content, flags=re.S)

    return _rebuild(data, removed, edit)


# ---------------------------------------------------------------- .xls (compound file)


def _xls_streams(data: bytes, live_only: bool = False) -> list[tuple[list[str], str]]:
    """The VBA and embedded-object streams (``live_only``: those not already zeroed)."""
    import olefile

    found = []
    try:
        with olefile.OleFileIO(data) as ole:
            for path in ole.listdir(streams=True, storages=False):
                low = "/".join(path).lower()
                for pattern, kind in _XLS_STORAGES:
                    if pattern.search(low):
                        if not live_only or ole.openstream(path).read().strip(b"\x00"):
                            found.append((path, kind))
                        break
    except (OSError, ValueError):
        return []
    return found


def _strip_xls(data: bytes) -> Stripped:
    import olefile

    found = _xls_streams(data)
    if not found:
        return Stripped(data, frozenset(), ())
    buf = io.BytesIO(data)
    with olefile.OleFileIO(buf, write_mode=True) as ole:
        for path, _ in found:
            size = ole.get_size(path)
            ole.write_stream(path, b"\x00" * size)
    return Stripped(buf.getvalue(), frozenset(kind for _, kind in found), tuple("/".join(p) for p, _ in found))
