"""The highlighted copy of a refused file: exactly the named cells marked, with comments."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from loaders.highlight import (
    ERROR_COLOR,
    NOTE_SHEET,
    WARNING_COLOR,
    HighlightUnavailable,
    can_highlight,
    highlight_problems,
)
from loaders.result import CheckResult, Problem
from tests.conftest import CORPUS
from tests.upload_helpers import bad_attendance_xlsx, convert, far_cell_xlsx, marked_cells, soffice, zip_bomb_xlsx

PRESENT = Problem(
    code="attendance.present_gt_invited",
    message="Biểu 03, ô G8: Số có mặt (65) lớn hơn số được triệu tập (60).",
    sheet="Biểu 03",
    cell="G8",
    hint="Sửa lại số có mặt hoặc số được triệu tập.",
)
SUM = Problem(
    code="attendance.sum_mismatch",
    message="Biểu 03, ô G8: tổng có mặt và vắng khác số được triệu tập.",
    sheet="Biểu 03",
    cell="G8",
    hint="Kiểm tra lại các cột Vắng.",
    severity="warning",
)
EVENT = Problem(
    code="attendance.event_required",
    message="Biểu 03, ô B8: thiếu tên hội nghị.",
    sheet="Biểu 03",
    cell="b8",  # lower case as a reader might write it
    hint="Ghi tên hội nghị.",
)
WARN_ONLY = Problem(
    code="attendance.sum_mismatch",
    message="Biểu 03, ô I8: tổng không khớp.",
    sheet="Biểu 03",
    cell="I8",
    hint="Kiểm tra lại.",
    severity="warning",
)
UNIT = Problem(
    code="title.unit_unknown",
    message="Không nhận ra đơn vị báo cáo.",
    hint="Ghi «Đơn vị báo cáo: ...» đúng tên trong danh sách.",
)
ELSEWHERE = Problem(code="x.y", message="Ô ở trang tính không có.", sheet="Không có", cell="A1", hint="")


def test_xlsx_marks_exactly_the_named_cells():
    data = bad_attendance_xlsx()
    out, name = highlight_problems(data, "cb-kdc3-t02.xlsx", [PRESENT, SUM, EVENT, WARN_ONLY, UNIT, ELSEWHERE])
    assert name == "cb-kdc3-t02_can-sua.xlsx"
    marks = marked_cells(out)
    assert set(marks["Biểu 03"]) == {"G8", "B8", "I8"}
    fill, text = marks["Biểu 03"]["G8"]
    assert fill == ERROR_COLOR  # an error and a warning on one cell: the error wins
    assert PRESENT.message in text and "Cách sửa: " + PRESENT.hint in text and SUM.message in text
    assert marks["Biểu 03"]["B8"][0] == ERROR_COLOR and EVENT.message in marks["Biểu 03"]["B8"][1]
    assert marks["Biểu 03"]["I8"][0] == WARNING_COLOR
    # the unit's data is kept as it was
    wb = load_workbook(io.BytesIO(out))
    assert wb["Biểu 03"]["G8"].value == 65 and wb["Biểu 03"]["F8"].value == 60
    # whole-file and unplaceable problems go to the note sheet, which opens first
    assert wb.sheetnames[0] == NOTE_SHEET and wb.active.title == NOTE_SHEET
    note = [[c.value for c in row] for row in wb[NOTE_SHEET].iter_rows(min_row=4)]
    assert note[0][0] == "Cả tệp" and note[0][3] == UNIT.message and note[0][4] == UNIT.hint
    assert any(r[3] == ELSEWHERE.message for r in note)
    assert len(note) == 6  # every problem is listed once
    assert marks[NOTE_SHEET] == {}


def test_merged_cell_marks_the_range_anchor():
    wb = Workbook()
    ws = wb.active
    ws.title = "Biểu 03"
    ws["B8"] = "Hội nghị"
    ws.merge_cells("B8:B10")
    buf = io.BytesIO()
    wb.save(buf)
    p = Problem(code="x", message="m", sheet="Biểu 03", cell="B9", hint="h")
    out, _ = highlight_problems(buf.getvalue(), "a.xlsx", [p])
    assert set(marked_cells(out)["Biểu 03"]) == {"B8"}


def test_plain_workbook_named_xlsm_comes_back_as_xlsx():
    # Format comes from the bytes: no macros inside means a plain .xlsx copy.
    out, name = highlight_problems(bad_attendance_xlsx(), "bao-cao.xlsm", [PRESENT])
    assert name == "bao-cao_can-sua.xlsx"
    assert set(marked_cells(out)["Biểu 03"]) == {"G8"}


def test_xlsm_keeps_its_macros_and_extension():
    source = CORPUS / "vba.xlsm"
    if not source.exists():
        pytest.skip("corpus file vba.xlsm not present")
    p = Problem(code="x", message="Ô sai", sheet="Sheet1", cell="A1", hint="Sửa lại")
    out, name = highlight_problems(source.read_bytes(), "vba.xlsm", [p])
    assert name == "vba_can-sua.xlsm"
    with zipfile.ZipFile(io.BytesIO(out)) as zf:
        assert "xl/vbaProject.bin" in zf.namelist()
    assert set(marked_cells(out)["Sheet1"]) == {"A1"}


def test_hostile_files_get_no_copy():
    for data, filename in ((zip_bomb_xlsx(), "bomb.xlsx"), (b"not a workbook", "x.xlsx"), (b"", "e.xlsx")):
        with pytest.raises(HighlightUnavailable):
            highlight_problems(data, filename, [PRESENT])


def test_can_highlight_only_after_a_safe_read():
    refused_file = CheckResult(file="a.xlsx", accepted=False, errors=[Problem(code="file.zip_bomb", message="m")])
    refused_cells = CheckResult(file="a.xlsx", accepted=False, errors=[PRESENT])
    accepted = CheckResult(file="a.xlsx", accepted=True, warnings=[SUM])
    assert not can_highlight(refused_file)
    assert can_highlight(refused_cells)
    assert not can_highlight(accepted)


def test_file_refused_by_the_safe_read_gets_no_copy():
    # XFD1048576 passes the cheap preflight; the sandboxed read refuses it, so openpyxl never opens it.
    p = Problem(code="x", message="m", sheet="Sheet", cell="A1", hint="")
    with pytest.raises(HighlightUnavailable):
        highlight_problems(far_cell_xlsx(), "far.xlsx", [p])


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_xls_and_ods_become_a_marked_xlsx(fmt):
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed: cannot build the .xls/.ods source")
    pytest.importorskip("loaders.sandbox", reason="loaders.sandbox (safe reader) not available yet")
    source = convert(bad_attendance_xlsx(), fmt)
    out, name = highlight_problems(source, f"cb-kdc3-t02.{fmt}", [PRESENT, EVENT, UNIT])
    assert name == "cb-kdc3-t02_can-sua.xlsx"
    marks = marked_cells(out)
    assert set(marks["Biểu 03"]) == {"G8", "B8"}
    assert marks["Biểu 03"]["G8"][0] == ERROR_COLOR and PRESENT.message in marks["Biểu 03"]["G8"][1]
    wb = load_workbook(io.BytesIO(out))
    ws = wb["Biểu 03"]
    # the same values at the same cells as the source
    assert ws["G8"].value == 65 and ws["F8"].value == 60
    assert ws["A6"].value == "Đơn vị báo cáo: Chi bộ Khu dân cư số 3"
    assert ws["B7"].value == "Tên hội nghị, buổi học tập"
    assert wb.sheetnames[0] == NOTE_SHEET
