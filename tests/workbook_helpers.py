"""Build report workbooks the way units really fill them in (openpyxl), for tests and bench.

    sheet_rows(...)            -> a Sheet (title block + header + data + footer)
    workbook_bytes(*sheets)    -> .xlsx bytes
    typical_workbook(...)      -> .xlsx bytes holding all three forms, valid
    convert(path, "xls"|"ods") -> path of a LibreOffice-converted copy (or None)

Header texts come from loaders.forms (the declaration), so a renamed header in
the declaration follows here.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from loaders import check_bytes
from loaders.forms import FORMS_BY_KEY, ISSUING_BODY
from sample_data import sample_registry

UNIT_NAME = "Chi bộ Khu dân cư số 3"
PERIOD_TEXT = "Tháng 02/2026"
TODAY = dt.date(2026, 3, 5)


def check(data: bytes, filename: str = "bao-cao.xlsx"):
    """`check_bytes` as of TODAY, the date the test workbooks are written for."""
    return check_bytes(data, filename, registry=sample_registry(), today=TODAY)


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]]  # rows[0] is Excel row 1 (relative to start_row)
    merges: list[str] = field(default_factory=list)  # "A6:A7", as if the sheet started at A1 (shifted by start_*)
    start_row: int = 1
    start_col: int = 1


def title_block(
    form_key: str, unit: str | None = UNIT_NAME, period: str | None = PERIOD_TEXT, *, style: str = "labelled"
) -> list[list[Any]]:
    """Rows above the table.  style: "labelled" ("Đơn vị báo cáo:" line), "issuer" (unit line under
    ĐẢNG BỘ PHƯỜNG BẠCH ĐẰNG), "both", or "none" (no unit, no period lines)."""
    form = FORMS_BY_KEY[form_key]
    rows: list[list[Any]] = [
        [ISSUING_BODY, None, None, None, "ĐẢNG CỘNG SẢN VIỆT NAM"],
        [unit.upper() if unit and style in ("issuer", "both") else None],
        ["*", None, None, None, "Bạch Đằng, ngày 28 tháng 02 năm 2026"],
        [None],
        [form.title],
    ]
    if period and style != "none":
        rows.append([f"Kỳ báo cáo: {period}"])
    if unit and style in ("labelled", "both"):
        rows.append([f"Đơn vị báo cáo: {unit}"])
    rows.append([None])
    return rows


def header_rows(
    form_key: str, *, two_row: bool = True, numbering: str | None = "(n)"
) -> tuple[list[list[Any]], list[tuple[int, int, int, int]]]:
    """Header as the template writes it.  Returns rows and merges relative to the header's first row
    as (row0, col0, row1, col1) 0-based.  A "Vắng" group header over its sub headers when two_row."""
    form = FORMS_BY_KEY[form_key]
    fields = form.fields
    has_group = two_row and any(f.group for f in fields)
    merges: list[tuple[int, int, int, int]] = []
    if has_group:
        top, sub = [], []
        c = 0
        while c < len(fields):
            f = fields[c]
            if f.group:
                span = [g for g in fields[c:] if g.group == f.group]
                top += [f.group] + [None] * (len(span) - 1)
                sub += [g.sub_header for g in span]
                merges.append((0, c, 0, c + len(span) - 1))
                c += len(span)
            else:
                top.append(f.header)
                sub.append(None)
                merges.append((0, c, 1, c))
                c += 1
        rows = [top, sub]
    else:
        rows = [[f.header for f in fields]]
    if numbering == "(n)":
        rows.append([f"({i + 1})" for i in range(len(fields))])
    elif numbering == "A B 1 2":
        rows.append(["A", "B"] + [str(i + 1) for i in range(len(fields) - 2)])
    return rows, merges


def signature_block() -> list[list[Any]]:
    return [
        [None],
        [None, "Người lập biểu", None, None, "T/M CHI BỘ"],
        [None, None, None, None, "BÍ THƯ"],
        [None, "(Ký, ghi rõ họ tên)", None, None, "(Ký, ghi rõ họ tên)"],
        [None, "Nguyễn Văn A", None, None, "Trần Thị B"],
    ]


def form_sheet(
    form_key: str,
    data: list[list[Any]],
    *,
    name: str | None = None,
    unit: str | None = UNIT_NAME,
    period: str | None = PERIOD_TEXT,
    style: str = "labelled",
    two_row: bool = True,
    numbering: str | None = "(n)",
    total: list[Any] | None = None,
    signature: bool = True,
    extra_merges: list[str] | None = None,
) -> Sheet:
    """A sheet holding one form laid out like the template: title block, header, data, total, signature."""
    title = title_block(form_key, unit, period, style=style)
    head, head_merges = header_rows(form_key, two_row=two_row, numbering=numbering)
    rows = title + head + data + ([total] if total else []) + (signature_block() if signature else [])
    first = len(title)
    merges = [
        f"{get_column_letter(c0 + 1)}{first + r0 + 1}:{get_column_letter(c1 + 1)}{first + r1 + 1}"
        for r0, c0, r1, c1 in head_merges
    ]
    return Sheet(name=name or FORMS_BY_KEY[form_key].sheet_title, rows=rows, merges=merges + (extra_merges or []))


def first_data_row(
    form_key: str, *, style: str = "labelled", two_row: bool = True, numbering: str | None = "(n)", period: bool = True
) -> int:
    """1-based Excel row of the first data row in ``form_sheet``'s layout."""
    title = title_block(form_key, UNIT_NAME, PERIOD_TEXT if period else None, style=style)
    head, _ = header_rows(form_key, two_row=two_row, numbering=numbering)
    return len(title) + len(head) + 1


def column_of(form_key: str, field_key: str) -> str:
    """Column letter of a field in ``form_sheet``'s layout (declaration order)."""
    keys = [f.key for f in FORMS_BY_KEY[form_key].fields]
    return get_column_letter(keys.index(field_key) + 1)


def workbook_bytes(*sheets: Sheet) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for s in sheets:
        ws = wb.create_sheet(s.name)
        for r, row in enumerate(s.rows):
            for c, value in enumerate(row):
                if value is not None:
                    ws.cell(row=s.start_row + r, column=s.start_col + c, value=value)
        for rng in s.merges:
            (c0, r0), (c1, r1) = (coordinate_from_string(x) for x in rng.split(":"))
            dr, dc = s.start_row - 1, s.start_col - 1
            ws.merge_cells(
                start_row=r0 + dr,
                start_column=column_index_from_string(c0) + dc,
                end_row=r1 + dr,
                end_column=column_index_from_string(c1) + dc,
            )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------
# Typical valid data
# --------------------------------------------------------------------------


def tasks_rows() -> list[list[Any]]:
    # STT, code, text, due, status, percent, completed_on, evidence, obstacles, note
    return [
        [
            1,
            "NV10",
            "Tuyên truyền sâu rộng trên các trang mạng xã hội của cơ quan, đơn vị",
            "Thường xuyên",
            "Đang thực hiện",
            0.5,
            None,
            "12 tin bài trên Zalo",
            None,
            None,
        ],
        [
            2,
            "NV11",
            "Đưa nội dung Đề án, Nghị quyết vào sinh hoạt chi bộ định kỳ",
            "Thường xuyên",
            "Hoàn thành",
            None,
            dt.datetime(2026, 2, 20),
            "Biên bản SHCB tháng 2",
            None,
            None,
        ],
        [
            3,
            None,
            "Nắm bắt tình hình tư tưởng, dư luận xã hội; kịp thời định hướng thông tin",
            "Thường xuyên",
            "Đang triển khai",
            "60%",
            None,
            None,
            "Thiếu kinh phí in tài liệu",
            None,
        ],
        [
            4,
            "NV16",
            "Tuyên truyền gương tập thể, cá nhân tiêu biểu",
            "Quý I/2026",
            "Chưa thực hiện",
            0,
            None,
            None,
            None,
            "Chuyển sang tháng 3",
        ],
    ]


def propaganda_rows() -> list[list[Any]]:
    # STT, channel, topic, quantity, measure_unit, reach, date, link
    return [
        [
            1,
            "Mạng xã hội",
            "Nội dung Đề án, Nghị quyết, Kế hoạch",
            12,
            "tin",
            1000,
            dt.datetime(2026, 2, 10),
            "https://zalo.me/x",
        ],
        [2, "Sinh hoạt chi bộ", "Nội dung Đề án, Nghị quyết, Kế hoạch", "2 buổi", "buổi", 45, "11/02/2026", None],
        [
            3,
            "Tuyên truyền trực quan (khẩu hiệu, pano, băng rôn)",
            "Gương điển hình, mô hình tiêu biểu, cách làm sáng tạo",
            5,
            "băng rôn",
            None,
            None,
            None,
        ],
        [
            4,
            "Hội nghị, sinh hoạt hội, đoàn thể",
            "Dư luận cán bộ, đảng viên và Nhân dân",
            1,
            "buổi",
            205,
            "ngày 20 tháng 02 năm 2026",
            None,
        ],
    ]


def attendance_rows() -> list[list[Any]]:
    # STT, event, date, format, group, invited, present, excused, unexcused, note
    return [
        [
            1,
            "Hội nghị quán triệt Nghị quyết 05-NQ/TU",
            dt.datetime(2026, 2, 11),
            "Trực tuyến",
            "Đảng viên",
            30,
            28,
            2,
            0,
            None,
        ],
        [
            2,
            "Hội nghị quán triệt Nghị quyết 05-NQ/TU",
            dt.datetime(2026, 2, 11),
            "Trực tuyến",
            "Quần chúng, Nhân dân",
            20,
            17,
            2,
            1,
            None,
        ],
        [3, "Học tập chuyên đề tại chi bộ", "25/02/2026", "Trực tiếp", "Đảng viên", 10, 10, 0, 0, None],
    ]


def typical_workbook(
    *, unit: str = UNIT_NAME, period: str = PERIOD_TEXT, copies: int = 1, names: tuple[str, str, str] | None = None
) -> bytes:
    """All three forms, valid; ``copies`` repeats the data rows (a bigger unit)."""
    names = names or ("Biểu 01", "Biểu 02", "Biểu 03")
    t, p, a = tasks_rows(), propaganda_rows(), attendance_rows()
    p = [[i + 1, *row[1:]] for i, row in enumerate(p * copies)]
    a = [[i + 1, *row[1:]] for i, row in enumerate(a * copies)]
    sheets = [
        form_sheet("tasks", t, name=names[0], unit=unit, period=period, total=None),
        form_sheet(
            "propaganda",
            p,
            name=names[1],
            unit=unit,
            period=period,
            total=[None, "Tổng cộng", None, sum(_q(r[3]) for r in p)],
        ),
        form_sheet(
            "attendance",
            a,
            name=names[2],
            unit=unit,
            period=period,
            total=[None, "Cộng", None, None, None, sum(r[5] for r in a), sum(r[6] for r in a)],
        ),
    ]
    return workbook_bytes(*sheets)


def _q(v: Any) -> int:
    return int(str(v).split()[0])


# --------------------------------------------------------------------------
# LibreOffice conversion
# --------------------------------------------------------------------------


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(src: Path, fmt: str, outdir: Path | None = None) -> Path | None:
    """Convert with LibreOffice headless; None when soffice is missing."""
    exe = soffice()
    if not exe:
        return None
    outdir = outdir or src.parent
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    try:
        subprocess.run(
            [
                exe,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                fmt,
                "--outdir",
                str(outdir),
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=180,
            env={**os.environ, "HOME": str(profile)},
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = outdir / f"{src.stem}.{fmt}"
    return out if out.exists() else None
