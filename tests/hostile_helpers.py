"""Builders of valid and hostile workbooks for the reader/sandbox tests and the bench.

Everything is built in memory, quickly: zip members are written directly
(a zip bomb's deflate stream is one compressed block repeated, never
compressed from gigabytes), so tests stay fast.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
import zlib
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "calamine-tests"

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{NS}" xmlns:r="{R_NS}">'
    '<sheets><sheet name="Biểu 01" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
EMPTY_SST = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{NS}" count="0" uniqueCount="0"/>'
SHEET_HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{NS}">'


def sheet_xml(body: str, dimension: str | None = None) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f"{SHEET_HEAD}{dim}<sheetData>{body}</sheetData></worksheet>"


def minimal_xlsx(sheet: str | bytes, shared_strings: str | bytes = EMPTY_SST, level: int = 6) -> bytes:
    """A one-sheet xlsx ("Biểu 01") whose sheet XML is given verbatim."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
        zf.writestr("xl/sharedStrings.xml", shared_strings)
    return buf.getvalue()


def formulas_xlsx() -> bytes:
    """A cached formula (B1 = 2), a formula without a saved value (B2), an error (B3), a formula returning "" (B4)."""
    body = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>có giá trị</t></is></c><c r="B1"><f>1+1</f><v>2</v></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>chưa tính</t></is></c><c r="B2"><f>SUM(B1:B1)</f></c></row>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>lỗi</t></is></c><c r="B3" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
        '<row r="4"><c r="A4" t="inlineStr"><is><t>rỗng</t></is></c><c r="B4" t="str"><f>""</f><v></v></c></row>'
    )
    return minimal_xlsx(sheet_xml(body))


def valid_workbook() -> bytes:
    """A small report-like workbook written by openpyxl (the happy path)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Biểu 02"
    ws["C3"] = "BÁO CÁO KẾT QUẢ TUYÊN TRUYỀN"
    ws.merge_cells("C3:F3")
    ws["C5"] = "STT"
    ws["D5"] = "Hình thức"
    ws["E5"] = "Số lượng"
    ws["F5"] = "Ghi chú"
    ws["C6"] = 1
    ws["D6"] = "Pa nô,\táp phích"
    ws["E6"] = 12
    ws["F6"] = "dòng 1\r\ndòng 2"
    ws["C7"] = 2
    ws["D7"] = "Loa_x0001_ truyền thanh"  # a control character, escaped as OOXML does
    ws["E7"] = 3.5
    ws["F7"] = dt.date(2025, 3, 15)
    ws["E8"] = "=SUM(E6:E7)"  # openpyxl saves formulas without a cached value
    ws["E9"] = "#DIV/0!"  # openpyxl writes this as an error cell (t="e")
    ws["F9"] = ""
    ws.merge_cells("C8:D8")
    ws["C8"] = "Tổng"
    other = wb.create_sheet("Trống")
    other["A1"] = None
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def million_rows_xlsx(rows: int = 1_000_000) -> bytes:
    """A sheet of ``rows`` numeric rows, written straight into the zip."""
    body = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, rows + 1))
    return minimal_xlsx(sheet_xml(body), level=1)


def far_cell_xlsx(ref: str = "XFD1048576", with_dimension: bool = True) -> bytes:
    row = int("".join(ch for ch in ref if ch.isdigit()))
    body = f'<row r="{row}"><c r="{ref}" t="n"><v>1</v></c></row>'
    return minimal_xlsx(sheet_xml(body, dimension=f"A1:{ref}" if with_dimension else None))


def billion_laughs_xlsx(in_shared_strings: bool = False) -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    doctype = f"<!DOCTYPE lolz [{entities}]>"
    if in_shared_strings:
        sst = f'<?xml version="1.0"?>{doctype}<sst xmlns="{NS}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
        return minimal_xlsx(sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), shared_strings=sst)
    sheet = (
        f'<?xml version="1.0"?>{doctype}<worksheet xmlns="{NS}"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    return minimal_xlsx(sheet)


# --------------------------------------------------------------------------
# Zip built by hand (for bombs: a deflate stream made of one repeated block)
# --------------------------------------------------------------------------


def _raw_zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """members: (name, compressed bytes, method, crc32, declared uncompressed size)."""
    out = io.BytesIO()
    central = []
    for name, payload, method, crc, size in members:
        offset = out.tell()
        fname = name.encode()
        out.write(
            struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(payload), size, len(fname), 0)
        )
        out.write(fname)
        out.write(payload)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                method,
                0,
                0x21,
                crc,
                len(payload),
                size,
                len(fname),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + fname
        )
    cd_start = out.tell()
    for entry in central:
        out.write(entry)
    cd_size = out.tell() - cd_start
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), cd_size, cd_start, 0))
    return out.getvalue()


def _deflated(data: bytes) -> tuple[bytes, int, int]:
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    return co.compress(data) + co.flush(), zlib.crc32(data), len(data)


def zip_bomb_xlsx(expanded_mb: int = 2600, declare_truthfully: bool = True) -> bytes:
    """An xlsx whose sheet inflates to ``expanded_mb`` MB of spaces (about 1 KB compressed per MB).

    With ``declare_truthfully`` the zip directory says so (GBs declared); without,
    it declares 1 MB and lies.  The CRC is not computed (the point is the size).
    """
    head = f"{SHEET_HEAD}<sheetData>".encode()
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = co.compress(head) + co.flush(zlib.Z_FULL_FLUSH)
    block = co.compress(b" " * (1 << 20)) + co.flush(zlib.Z_FULL_FLUSH)
    tail = co.compress(b"</sheetData></worksheet>") + co.flush()
    payload = first + block * expanded_mb + tail
    real_size = len(head) + (expanded_mb << 20) + len("</sheetData></worksheet>")
    declared = real_size if declare_truthfully else (1 << 20)
    members = []
    for name, text in (
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/sharedStrings.xml", EMPTY_SST),
    ):
        comp, crc, size = _deflated(text.encode())
        members.append((name, comp, 8, crc, size))
    members.append(("xl/worksheets/sheet1.xml", payload, 8, 0, min(declared, 0xFFFFFFFF)))
    return _raw_zip(members)


# --------------------------------------------------------------------------
# Other hostile inputs
# --------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n" + b"\x00\x01\x02" * 40
TEXT = "Báo cáo tháng 3: đã tuyên truyền đầy đủ.\nKhông có vướng mắc.\n".encode()
CSV = "STT;Hình thức;Số lượng\n1;Pa nô;12\n2;Loa;3\n".encode()
HTML_XLS = (
    '<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">'
    "<head><meta charset='utf-8'></head><body><table><tr><td>STT</td><td>Hình thức</td></tr>"
    "<tr><td>1</td><td>Pa nô</td></tr></table></body></html>"
).encode()
XML_2003 = (
    b'<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>'
    b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
    b'<Worksheet ss:Name="Sheet1"><Table><Row><Cell><Data ss:Type="String">x</Data></Cell></Row></Table></Worksheet></Workbook>'
)


def fake_encrypted_ooxml() -> bytes:
    """An OLE2 container with the directory entries of an encrypted OOXML package."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    entries = b""
    for name in ("Root Entry", "EncryptionInfo", "EncryptedPackage"):
        raw = name.encode("utf-16-le") + b"\x00\x00"
        entries += raw.ljust(64, b"\x00") + struct.pack("<H", len(raw)) + b"\x02" + b"\x00" * 61
    return header + entries.ljust(4096, b"\x00")


def docx_like() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        zf.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def corpus_bytes(name: str) -> bytes:
    return (CORPUS / name).read_bytes()
