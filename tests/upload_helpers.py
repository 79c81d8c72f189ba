"""Workbooks for the upload tests: valid and refused reports, and hostile files.

Everything is built in memory with openpyxl (or zipfile for the hostile ones)
so the tests never depend on files on disk. Reports follow the contract's
layout: a title block, then the form's header, then data rows.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from openpyxl import Workbook, load_workbook

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PROPAGANDA_HEADER = [
    "STT",
    "Hình thức tuyên truyền",
    "Nội dung tuyên truyền",
    "Số lượng",
    "Đơn vị tính",
    "Số người tham dự, lượt tiếp cận",
    "Thời gian",
    "Đường dẫn, ghi chú",
]
ATTENDANCE_HEADER = [
    "STT",
    "Tên hội nghị, buổi học tập",
    "Ngày tổ chức",
    "Hình thức",
    "Thành phần",
    "Số được triệu tập",
    "Số có mặt",
    "Vắng có lý do",
    "Vắng không lý do",
    "Ghi chú",
]
# Data start on this Excel row (title block on rows 1..6, header on row 7).
HEADER_ROW = 7
FIRST_DATA_ROW = HEADER_ROW + 1


def _title_block(ws, unit_name: str, period_text: str, title: str) -> None:
    ws["A1"] = "ĐẢNG BỘ PHƯỜNG BẠCH ĐẰNG"
    ws["F1"] = "ĐẢNG CỘNG SẢN VIỆT NAM"
    ws["A2"] = unit_name.upper()
    ws["F3"] = "Bạch Đằng, ngày 28 tháng 02 năm 2026"
    ws["A4"] = title
    ws["A5"] = f"Kỳ báo cáo: {period_text}"
    ws["A6"] = f"Đơn vị báo cáo: {unit_name}"


def propaganda_rows(n: int = 2, quantity: int = 5, reach: int = 100) -> list[list]:
    channels = ["Cổng thông tin điện tử", "Mạng xã hội", "Sinh hoạt chi bộ"]
    return [
        [
            i + 1,
            channels[i % len(channels)],
            "Nội dung Đề án, Nghị quyết, Kế hoạch",
            quantity,
            "bài",
            reach,
            "15/02/2026",
            "",
        ]
        for i in range(n)
    ]


def attendance_rows(invited: int = 60, present: int = 55, excused: int = 5, unexcused: int = 0) -> list[list]:
    return [
        [
            1,
            "Hội nghị học tập, quán triệt Nghị quyết 05-NQ/TU",
            "11/02/2026",
            "Trực tiếp",
            "Đảng viên",
            invited,
            present,
            excused,
            unexcused,
            "",
        ]
    ]


def _form_sheet(wb: Workbook, name: str, title: tuple[str, str, str], header: list[str], rows: list[list]) -> None:
    """One form's sheet: the title block (unit, period, form title), the header, the data rows."""
    ws = wb.create_sheet(name)
    _title_block(ws, *title)
    for c, h in enumerate(header, start=1):
        ws.cell(row=HEADER_ROW, column=c, value=h)
    for r, row in enumerate(rows, start=FIRST_DATA_ROW):
        for c, v in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=v)


def report_xlsx(
    unit_name: str = "Chi bộ Khu dân cư số 3",
    period_text: str = "Tháng 02/2026",
    propaganda: list[list] | None = None,
    attendance: list[list] | None = None,
    with_propaganda: bool = True,
    with_attendance: bool = True,
) -> bytes:
    """A report workbook as a unit sends it (Biểu 02 and/or Biểu 03)."""
    wb = Workbook()
    wb.remove(wb.active)
    if with_propaganda:
        _form_sheet(
            wb,
            "Biểu 02",
            (unit_name, period_text, "BIỂU 02: KẾT QUẢ TUYÊN TRUYỀN NGHỊ QUYẾT 05-NQ/TU"),
            PROPAGANDA_HEADER,
            propaganda if propaganda is not None else propaganda_rows(),
        )
    if with_attendance:
        _form_sheet(
            wb,
            "Biểu 03",
            (unit_name, period_text, "BIỂU 03: THAM DỰ HỘI NGHỊ, HỌC TẬP QUÁN TRIỆT"),
            ATTENDANCE_HEADER,
            attendance if attendance is not None else attendance_rows(),
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def bad_attendance_xlsx(unit_name: str = "Chi bộ Khu dân cư số 3", period_text: str = "Tháng 02/2026") -> bytes:
    """Present (65) above invited (60): refused, the error names Biểu 03 G8."""
    return report_xlsx(
        unit_name,
        period_text,
        with_propaganda=False,
        attendance=attendance_rows(invited=60, present=65, excused=0, unexcused=0),
    )


def hostile_text_xlsx() -> bytes:
    """A valid report whose text cells hold HTML and Markdown, which must be shown as plain text."""
    rows = propaganda_rows(2)
    rows[0][7] = "<script>alert(1)</script>"
    rows[1][7] = "**bold**"
    return report_xlsx(propaganda=rows, with_attendance=False)


# ------------------------------------------------------------------ hostile files


def zip_bomb_xlsx(uncompressed_mb: int = 200) -> bytes:
    """A small .xlsx whose one sheet inflates to ``uncompressed_mb`` MB."""
    try:
        from tests import hostile_helpers  # helper-1's builders, when present

        for name in ("zip_bomb_xlsx", "zip_bomb"):
            fn = getattr(hostile_helpers, name, None)
            if fn is not None:
                return fn()
    except ImportError:
        pass
    base = io.BytesIO()
    wb = Workbook()
    wb.active["A1"] = "x"
    wb.save(base)
    out = io.BytesIO()
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                # Padding inside the sheet XML (a comment) compresses ~1000:1.
                text = data.decode("utf-8")
                pad = "<!--" + " " * (uncompressed_mb * 1024 * 1024) + "-->"
                data = text.replace("<sheetData>", pad + "<sheetData>", 1).encode("utf-8")
            dst.writestr(info.filename, data)
    return out.getvalue()


def far_cell_xlsx() -> bytes:
    """A .xlsx whose sheet has a cell at XFD1048576 (the last cell Excel has)."""
    try:
        from tests import hostile_helpers

        for name in ("far_cell_xlsx", "xfd_cell_xlsx", "huge_dimension_xlsx"):
            fn = getattr(hostile_helpers, name, None)
            if fn is not None:
                return fn()
    except ImportError:
        pass
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "Số lượng"
    ws["XFD1048576"] = 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ conversions


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(data: bytes, target: str) -> bytes:
    """Convert xlsx bytes to ``target`` ("xls" | "ods") with LibreOffice."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice is not installed")
    filters = {"xls": "xls:MS Excel 97", "ods": "ods"}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.xlsx"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"
        subprocess.run(
            [
                exe,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                filters[target],
                "--outdir",
                tmp,
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        return (Path(tmp) / f"in.{target}").read_bytes()


def marked_cells(xlsx: bytes) -> dict[str, dict[str, tuple[str, str]]]:
    """sheet -> {cell: (fill colour, comment text)} for every cell with a fill or a comment."""
    wb = load_workbook(io.BytesIO(xlsx))
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for ws in wb.worksheets:
        marks = {}
        for cell in list(ws._cells.values()):  # the stored cells only (iter_rows would create the grid)
            fill = cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type == "solid" else None
            if fill or cell.comment:
                marks[cell.coordinate] = (fill, cell.comment.text if cell.comment else "")
        out[ws.title] = marks
    return out


# ------------------------------------------------------------------ databases


def registry_database(path: Path) -> str:
    """A migrated SQLite database holding the sample ward's registry and no report; returns its URL."""
    from bootstrap import seed_registry
    from storage import db

    url = f"sqlite:///{path}"
    engine = db.get_engine(url)
    db.ensure_database(engine, seed=False)
    seed_registry(engine)
    engine.dispose()
    return url


def row_counts(engine) -> dict[str, int]:
    """Rows in every table (a refused upload must leave every count unchanged)."""
    from sqlalchemy import func, inspect, select, table

    names = [n for n in inspect(engine).get_table_names() if n != "alembic_version"]
    with engine.connect() as conn:
        return {n: conn.execute(select(func.count()).select_from(table(n))).scalar_one() for n in names}
