"""Macros and embedded objects (issue 8): kept in the stored original, removed from every copy served
back (docs/SECURITY.md), and the upload says so. Built files (a fake vbaProject.bin, an OLE object, an
ActiveX control, a ribbon, an Excel 4.0 macro sheet) and the real macro files of the corpus."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import posixpath
import re
import shutil
import subprocess
import zipfile

import pytest
import workbook_helpers as W
from conftest import CORPUS
from python_calamine import CalamineWorkbook
from storage_helpers import BACKENDS, engine_for

from loaders import active_content
from loaders.active_content import MACRO, OBJECT
from storage import queries
from storage.ingest import ingest_bytes

VBA = b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 fake VBA: Sub Auto_Open() Shell "calc" End Sub'
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _add(data: bytes, parts: dict[str, bytes], edits: dict[str, callable]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        names = src.namelist()
        for name in names:
            content = src.read(name)
            if name in edits:
                content = edits[name](content)
            dst.writestr(name, content)
        for name, content in parts.items():
            if name not in names:
                dst.writestr(name, content)
    return out.getvalue()


def _rels(*rels: tuple[str, str, str]) -> bytes:
    body = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{g}"/>' for i, t, g in rels)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{body}</Relationships>'
    ).encode()


def with_active_content(xlsx: bytes, *, macrosheet: bool = True) -> bytes:
    """``xlsx`` turned into a macro-enabled workbook with VBA, an OLE object and an ActiveX control on
    the first sheet (wrapped in mc:AlternateContent as Excel 2010+ writes them), a ribbon, and (with
    ``macrosheet``) an Excel 4.0 macro sheet with an Auto_Open name. The reader refuses a workbook
    holding a macro sheet (calamine: "Unrecognized sheet type"), so such a file is never stored."""
    ws_rels = "xl/worksheets/_rels/sheet1.xml.rels"

    def content_types(c: bytes) -> bytes:
        c = c.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
        extra = (
            '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
            '<Override PartName="/xl/embeddings/oleObject1.bin" '
            'ContentType="application/vnd.openxmlformats-officedocument.oleObject"/>'
            '<Override PartName="/xl/activeX/activeX1.xml" ContentType="application/vnd.ms-office.activeX+xml"/>'
            '<Override PartName="/xl/activeX/activeX1.bin" ContentType="application/vnd.ms-office.activeX"/>'
        ) + (
            '<Override PartName="/xl/macrosheets/sheet1.xml" ContentType="application/vnd.ms-excel.macrosheet+xml"/>'
            if macrosheet
            else ""
        )
        return c.replace(b"</Types>", extra.encode() + b"</Types>")

    def workbook_rels(c: bytes) -> bytes:
        extra = (
            '<Relationship Id="rId90" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
            'Target="vbaProject.bin"/>'
        ) + (
            '<Relationship Id="rId91" Type="http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet" '
            'Target="macrosheets/sheet1.xml"/>'
            if macrosheet
            else ""
        )
        return c.replace(b"</Relationships>", extra.encode() + b"</Relationships>")

    def workbook(c: bytes) -> bytes:
        entry = f'<sheet xmlns:r="{R_NS}" name="Macro1" sheetId="90" r:id="rId91"/>'.encode()
        c = c.replace(b"</sheets>", entry + b"</sheets>", 1)
        names = b'<definedNames><definedName name="Auto_Open">Macro1!$A$1</definedName></definedNames>'
        if b"<definedNames/>" in c:  # openpyxl writes an empty one
            return c.replace(b"<definedNames/>", names, 1)
        assert b"<definedNames" not in c
        return c.replace(b"</sheets>", b"</sheets>" + names, 1)

    def sheet1(c: bytes) -> bytes:
        if b"xmlns:r=" not in c:
            c = c.replace(b"<worksheet ", f'<worksheet xmlns:r="{R_NS}" '.encode(), 1)
        block = (
            '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
            '<mc:Choice Requires="x14"><oleObjects><mc:AlternateContent><mc:Choice Requires="x14">'
            '<oleObject progId="Package" shapeId="1025" r:id="rId80"><objectPr defaultSize="0"/></oleObject>'
            '</mc:Choice><mc:Fallback><oleObject progId="Package" shapeId="1025" r:id="rId80"/></mc:Fallback>'
            "</mc:AlternateContent></oleObjects></mc:Choice></mc:AlternateContent>"
            '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
            '<mc:Choice Requires="x14"><controls><mc:AlternateContent><mc:Choice Requires="x14">'
            '<control shapeId="1026" r:id="rId81" name="CommandButton1"/></mc:Choice>'
            '<mc:Fallback><control shapeId="1026" r:id="rId81" name="CommandButton1"/></mc:Fallback>'
            "</mc:AlternateContent></controls></mc:Choice></mc:AlternateContent>"
        )
        return c.replace(b"</worksheet>", block.encode() + b"</worksheet>")

    def root_rels(c: bytes) -> bytes:
        extra = (
            '<Relationship Id="rId95" Type="http://schemas.microsoft.com/office/2007/relationships/ui/extensibility" '
            'Target="customUI/customUI.xml"/>'
        )
        return c.replace(b"</Relationships>", extra.encode() + b"</Relationships>")

    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "xl/vbaProject.bin": VBA,
        "xl/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 fake OLE package: payload.exe",
        "xl/activeX/activeX1.xml": b'<?xml version="1.0"?><ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX" ax:classid="{D7053240-CE69-11CD-A777-00DD01143C57}" ax:persistence="persistStreamInit" r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>',
        "xl/activeX/activeX1.bin": b"fake activeX",
        "xl/activeX/_rels/activeX1.xml.rels": _rels(
            ("rId1", "http://schemas.microsoft.com/office/2006/relationships/activeXControlBinary", "activeX1.bin")
        ),
        "xl/macrosheets/sheet1.xml": b'<?xml version="1.0"?><xm:macrosheet xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"/>',
        "customUI/customUI.xml": b'<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui" onLoad="Auto_Open"/>',
        ws_rels: _rels(
            ("rId80", f"{rel}/oleObject", "../embeddings/oleObject1.bin"),
            ("rId81", f"{rel}/control", "../activeX/activeX1.xml"),
        ),
    }
    if not macrosheet:
        del parts["xl/macrosheets/sheet1.xml"]
    edits = {
        "[Content_Types].xml": content_types,
        "xl/_rels/workbook.xml.rels": workbook_rels,
        "xl/workbook.xml": workbook if macrosheet else (lambda c: c),
        "xl/worksheets/sheet1.xml": sheet1,
        "_rels/.rels": root_rels,
    }
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zf:
        if ws_rels in zf.namelist():  # keep the sheet's own relationships (none in these test files)
            raise AssertionError("test workbook already has sheet relationships")
    return _add(xlsx, parts, edits)


def package_problems(data: bytes) -> list[str]:
    """What would make Excel repair the package: a content-type override or an internal relationship
    whose part is missing, or an r:id used in a sheet/workbook that its .rels does not define."""
    problems = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        types = zf.read("[Content_Types].xml").decode()
        for part in re.findall(r'PartName="/([^"]+)"', types):
            if part not in names:
                problems.append(f"override for missing {part}")
        for name in names:
            if not name.endswith(".rels"):
                continue
            folder, base = posixpath.split(name)
            source = posixpath.join(posixpath.dirname(folder), base[: -len(".rels")])
            text = zf.read(name).decode()
            ids = set(re.findall(r'Id="([^"]+)"', text))
            for tag in re.findall(r"<Relationship\b[^>]*>", text):
                if 'TargetMode="External"' in tag:
                    continue
                target = re.search(r'Target="([^"]+)"', tag).group(1)
                full = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else posixpath.normpath(posixpath.join(posixpath.dirname(source), target))
                )
                if full not in names:
                    problems.append(f"{name}: relationship to missing {full}")
            if source in names and source.endswith(".xml"):
                used = set(re.findall(r'r:id="([^"]+)"', zf.read(source).decode("utf-8", "replace")))
                problems += [f"{source}: r:id {i} undefined" for i in sorted(used - ids)]
    return problems


def values(data: bytes) -> dict:
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names if name != "Macro1"}


# ---------------------------------------------------------------- the stripper on built files


def test_built_workbook_holds_what_it_should():
    data = with_active_content(W.typical_workbook())
    assert package_problems(data) == []  # the builder itself makes a consistent package
    assert active_content.find(data) == {MACRO, OBJECT}


def test_strip_removes_every_active_part_and_keeps_a_consistent_package():
    original = W.typical_workbook()
    data = with_active_content(original)
    out = active_content.strip(data)
    assert out.kinds == {MACRO, OBJECT}
    with zipfile.ZipFile(io.BytesIO(out.data)) as zf:
        names = zf.namelist()
        workbook = zf.read("xl/workbook.xml")
        sheet = zf.read("xl/worksheets/sheet1.xml")
        types = zf.read("[Content_Types].xml")
        root_rels = zf.read("_rels/.rels")
    assert not [n for n in names if re.search(r"vbaProject|embeddings/|activeX/|macrosheets/|customUI/", n)]
    assert b"vbaProject" not in types and b"oleObject" not in types and b"macrosheet" not in types
    assert b"oleObject" not in sheet and b"<controls" not in sheet and b"AlternateContent" not in sheet
    assert b"Macro1" not in workbook and b"Auto_Open" not in workbook
    assert b"customUI" not in root_rels
    assert package_problems(out.data) == []
    assert active_content.find(out.data) == frozenset()
    assert values(out.data) == values(original)  # every cell as it was
    assert W.check(out.data, "bao-cao.xlsm").accepted


def test_a_workbook_with_an_excel4_macro_sheet_is_never_stored():
    result = W.check(with_active_content(W.typical_workbook()), "bao-cao.xlsm")
    assert not result.accepted and result.errors[0].code.startswith("file.")


def test_a_file_without_active_content_is_served_unchanged():
    data = W.typical_workbook()
    out = active_content.strip(data)
    assert out.data is data and out.kinds == frozenset()
    assert active_content.strip(b"not a spreadsheet").data == b"not a spreadsheet"


# ---------------------------------------------------------------- real macro files


REAL = ["vba.xlsm", "issue281.xlsm", "issues.xlsb", "issue_182.xlsb", "issues.xls", "any_sheets.xls", "any_sheets.ods"]


@pytest.mark.parametrize("name", REAL)
def test_real_files_lose_their_macros_and_keep_their_values(name):
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"{path} not in the corpus")
    data = path.read_bytes()
    assert active_content.find(data)
    out = active_content.strip(data)
    assert active_content.find(out.data) == frozenset()
    assert values(out.data) == values(data)
    if name.endswith((".xlsm", ".xlsb")):
        assert package_problems(out.data) == []


def test_xls_macro_streams_are_zeroed():
    import olefile

    path = CORPUS / "issues.xls"
    if not path.is_file():
        pytest.skip("corpus missing")
    out = active_content.strip(path.read_bytes())
    with olefile.OleFileIO(out.data) as ole:
        vba = [p for p in ole.listdir() if p[0] == "_VBA_PROJECT_CUR"]
        assert vba and all(not ole.openstream(p).read().strip(b"\x00") for p in vba)
        assert ole.openstream("Workbook").read()  # the cells are still there


@pytest.mark.slow
def test_libreoffice_opens_the_stripped_copies(tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice not installed")
    files = {"built.xlsm": active_content.strip(with_active_content(W.typical_workbook())).data}
    for name in ("vba.xlsm", "issues.xls", "any_sheets.ods"):
        if (CORPUS / name).is_file():
            files[f"real-{name}"] = active_content.strip((CORPUS / name).read_bytes()).data
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        subprocess.run(
            [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "csv",
             "--outdir", str(tmp_path / "out"), str(tmp_path / name)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        assert (tmp_path / "out" / (name.rsplit(".", 1)[0] + ".csv")).stat().st_size > 0, name


# ---------------------------------------------------------------- stored original, served copy


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request, tmp_path_factory):
    gen = engine_for(request.param, tmp_path_factory.mktemp("macros"))
    yield next(gen)
    try:
        next(gen)
    except StopIteration:
        pass


def test_stored_original_is_exact_and_served_copy_has_no_macro(engine):
    data = with_active_content(W.typical_workbook(), macrosheet=False)
    outcome = ingest_bytes(engine, data, "bao-cao.xlsm", sender="KDC03", received_at=dt.datetime(2026, 3, 1, 9))
    assert outcome.stored, outcome
    history = queries.submission_history(engine, "KDC03")
    row = history[history["filename"] == "bao-cao.xlsm"].iloc[0]
    assert row["sha256"] == hashlib.sha256(data).hexdigest()  # the evidence is the file as sent
    name, served = queries.submission_file(engine, int(row["id"]))
    assert name == "bao-cao.xlsm"
    assert active_content.find(served) == frozenset()
    assert package_problems(served) == []
    assert values(served) == values(data)


# ---------------------------------------------------------------- the upload says so


def test_upload_note_names_what_the_file_holds():
    from ui.upload_flow import FileCheck, active_content_note

    plain = W.typical_workbook()
    macro = with_active_content(plain, macrosheet=False)
    ok = W.check(macro, "bao-cao.xlsm")
    note = active_content_note(FileCheck("bao-cao.xlsm", macro, ok))
    assert note and "macro và đối tượng nhúng" in note and "không còn" in note
    assert active_content_note(FileCheck("bao-cao.xlsx", plain, W.check(plain))) is None
    refused = W.check(b"x", "bao-cao.xlsm")
    assert active_content_note(FileCheck("bao-cao.xlsm", b"x", refused)) is None  # never opened
