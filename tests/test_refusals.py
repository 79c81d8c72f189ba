"""Every refusal of report-forms.md ("What is refused") and every rule: code, cell and message."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import CORPUS
from workbook_helpers import (
    Sheet,
    attendance_rows,
    check,
    column_of,
    first_data_row,
    form_sheet,
    propaganda_rows,
    tasks_rows,
    title_block,
    typical_workbook,
    workbook_bytes,
)

from loaders.forms import CHANNEL, EVENT_FORMAT, MEASURE_UNIT, PARTICIPANT_GROUP, STATUS, TOPIC


def refused(data: bytes, filename: str = "bao-cao.xlsx"):
    r = check(data, filename)
    assert not r.accepted and r.errors
    return r


def codes(result) -> list[str]:
    return [p.code for p in result.errors]


def only(result, code: str):
    found = [p for p in result.errors + result.warnings if p.code == code]
    assert len(found) == 1, (code, [(p.code, p.message) for p in result.errors + result.warnings])
    return found[0]


def cell(form: str, field: str, index: int = 0) -> str:
    return f"{column_of(form, field)}{first_data_row(form) + index}"


def att(rows):
    return workbook_bytes(form_sheet("attendance", rows))


def prop(rows):
    return workbook_bytes(form_sheet("propaganda", rows))


def tasks(rows):
    return workbook_bytes(form_sheet("tasks", rows))


# ---------------------------------------------------------------- files


def test_not_a_spreadsheet():
    r = refused("Báo cáo tháng 2: đã làm xong.".encode(), "bao-cao.xlsx")
    assert r.errors[0].code.startswith("file.") and r.forms == {}


def test_damaged_file():
    data = typical_workbook()
    r = refused(data[: len(data) // 2], "bao-cao.xlsx")
    assert codes(r)[0] in ("file.damaged", "file.not_spreadsheet")


def test_encrypted_file():
    r = refused((CORPUS / "pass_protected.xlsx").read_bytes(), "pass_protected.xlsx")
    assert codes(r) == ["file.encrypted"]


def test_far_too_large_file():
    r = refused(b"PK\x03\x04" + b"\0" * (21 * 1024 * 1024), "big.xlsx")
    assert codes(r)[0] == "file.too_large"


def test_empty_file():
    assert codes(refused(b"", "x.xlsx")) == ["file.empty"]


def test_no_recognisable_form():
    data = workbook_bytes(
        Sheet("Sheet1", [["Danh sách đảng viên"], ["STT", "Họ và tên", "Ngày sinh"], [1, "Nguyễn Văn A", "01/01/1970"]])
    )
    r = refused(data, "cb-kdc3-t02-2026.xlsx")
    assert "workbook.no_form" in codes(r)
    assert r.forms == {}


def test_same_form_on_two_sheets():
    data = workbook_bytes(
        form_sheet("propaganda", propaganda_rows()), form_sheet("propaganda", propaganda_rows(), name="Biểu 02 (2)")
    )
    p = only(refused(data), "workbook.duplicate_form")
    assert "«Biểu 02»" in p.message and "«Biểu 02 (2)»" in p.message
    assert (p.sheet, p.form) == ("Biểu 02 (2)", "propaganda")


# ---------------------------------------------------------------- unit and period


def test_unit_not_found():
    r = refused(workbook_bytes(form_sheet("attendance", attendance_rows(), unit="Chi bộ Khu dân cư số 99")))
    p = only(r, "unit.not_found")
    assert "Chi bộ Khu dân cư số 99" in p.message and r.unit.value is None


def test_unit_missing_everywhere():
    r = refused(workbook_bytes(form_sheet("attendance", attendance_rows(), unit=None)), "bao-cao.xlsx")
    assert "unit.not_found" in codes(r)


def test_unit_ambiguous_names_both():
    r = refused(workbook_bytes(form_sheet("attendance", attendance_rows(), unit="Chi bộ Trường Bạch Đằng")))
    p = only(r, "unit.ambiguous")
    assert p.message.count("Chi bộ Trường") >= 3  # the text and two candidates
    assert r.unit.value is None


def test_unit_conflict_title_vs_file_name():
    r = refused(workbook_bytes(form_sheet("attendance", attendance_rows())), "cb-kdc4-t02-2026.xlsx")
    p = only(r, "unit.conflict")
    assert "KDC03" in p.message and "KDC04" in p.message and "tên tệp" in p.message


def test_unit_conflict_two_sheets():
    data = workbook_bytes(
        form_sheet("attendance", attendance_rows()),
        form_sheet("propaganda", propaganda_rows(), unit="Chi bộ Khu dân cư số 5"),
    )
    p = only(refused(data), "unit.conflict")
    assert "Biểu 03, ô A7" in p.message and "Biểu 02, ô A7" in p.message


def test_period_not_found():
    r = refused(workbook_bytes(form_sheet("attendance", attendance_rows(), period=None)), "bao-cao.xlsx")
    only(r, "period.not_found")
    assert r.period.value is None


def test_period_conflict_title_vs_file_name():
    p = only(refused(att(attendance_rows()), "cb-kdc3-t03-2026.xlsx"), "period.conflict")
    assert "Tháng 02/2026" in p.message and "Tháng 03/2026" in p.message


def test_period_conflict_two_sheets():
    data = workbook_bytes(
        form_sheet("attendance", attendance_rows()), form_sheet("propaganda", propaganda_rows(), period="Quý I/2026")
    )
    p = only(refused(data), "period.conflict")
    assert "Quý I/2026" in p.message


def test_period_unreadable():
    only(refused(workbook_bytes(form_sheet("attendance", attendance_rows(), period="tháng này"))), "period.unreadable")


# ---------------------------------------------------------------- columns


def test_required_column_missing_names_header_row():
    headers = ["STT", "Tên hội nghị, buổi học tập", "Số được triệu tập", "Ghi chú"]
    data = workbook_bytes(Sheet("Biểu 03", title_block("attendance") + [headers, [1, "Hội nghị", 10, None]]))
    p = only(refused(data), "attendance.present.missing_column")
    header_row = len(title_block("attendance")) + 1
    # where the column was expected (after "Số được triệu tập" in C), naming the missing column
    assert p.cell == f"D{header_row}" and "“Số có mặt”" in p.message
    assert p.message.startswith(f"Biểu 03, ô D{header_row}: thiếu cột")


def test_required_any_column_missing():
    headers = ["STT", "Tình trạng", "Tỷ lệ hoàn thành (%)", "Ngày hoàn thành"]
    data = workbook_bytes(Sheet("Biểu 01", title_block("tasks") + [headers, [1, "Đang thực hiện", 50, None]]))
    p = only(refused(data), "tasks.task_code.missing_column")
    assert "“Mã nhiệm vụ” hoặc “Nội dung nhiệm vụ”" in p.message


# ---------------------------------------------------------------- counts


@pytest.mark.parametrize(
    "value, reason",
    [
        (12.5, "not_whole"),
        ("12,5", "not_whole"),
        (-3, "negative"),
        ("mười hai", "not_number"),
        ("khoảng 10", "not_number"),
    ],
)
def test_count_must_be_whole_number(value, reason):
    rows = propaganda_rows()
    rows[1][3] = value
    p = only(refused(prop(rows)), f"propaganda.quantity.{reason}")
    assert p.cell == cell("propaganda", "quantity", 1) and p.sheet == "Biểu 02"
    assert p.message.startswith(f"Biểu 02, ô {p.cell}: Số lượng")


def test_required_value_empty():
    rows = attendance_rows()
    rows[0][5] = None
    p = only(refused(att(rows)), "attendance.invited.required")
    assert p.message == f"Biểu 03, ô {cell('attendance', 'invited')}: Số được triệu tập không được để trống"


def test_present_above_invited_exact_message():
    rows = attendance_rows()
    rows[2][5], rows[2][6] = 60, 65
    p = only(refused(att(rows)), "attendance.present_gt_invited")
    c = cell("attendance", "present", 2)
    assert p.cell == c and p.message == f"Biểu 03, ô {c}: Số có mặt (65) lớn hơn số được triệu tập (60)"


def test_present_above_invited_renamed_sheet_names_it():
    rows = attendance_rows()
    rows[0][6] = 31
    data = workbook_bytes(form_sheet("attendance", rows, name="HN T2"))
    p = only(refused(data), "attendance.present_gt_invited")
    assert p.sheet == "HN T2" and p.form == "attendance"
    assert p.message.startswith("Biểu 03 (trang tính «HN T2»), ô G")


def test_attendance_sum_mismatch_is_warning():
    rows = attendance_rows()
    rows[0][7] = 5  # 28 + 5 + 0 != 30
    r = check(att(rows))
    assert r.accepted
    p = only(r, "attendance.sum_mismatch")
    assert p.severity == "warning" and p.cell == cell("attendance", "invited")
    assert "33" in p.message and "(30)" in p.message


# ---------------------------------------------------------------- choices: message lists the allowed values


@pytest.mark.parametrize(
    "form, field, index, value, vocabulary",
    [
        ("tasks", "status", 4, "Tạm dừng", STATUS),
        ("propaganda", "channel", 1, "Loa phát thanh", CHANNEL),
        ("propaganda", "topic", 2, "Thể thao", TOPIC),
        ("propaganda", "measure_unit", 4, "tờ", MEASURE_UNIT),
        ("attendance", "format", 3, "Kết hợp", EVENT_FORMAT),
        ("attendance", "group", 4, "Học sinh", PARTICIPANT_GROUP),
    ],
)
def test_value_outside_vocabulary(form, field, index, value, vocabulary):
    rows = {"tasks": tasks_rows, "propaganda": propaganda_rows, "attendance": attendance_rows}[form]()
    rows[0][index] = value
    p = only(refused(workbook_bytes(form_sheet(form, rows))), f"{form}.{field}.not_in_list")
    assert p.cell == cell(form, field) and f"“{value}”" in p.message
    for label in vocabulary.labels():
        assert label in p.message


# ---------------------------------------------------------------- tasks


def test_percent_above_100():
    rows = tasks_rows()
    rows[0][5] = 120
    p = only(refused(tasks(rows)), "tasks.percent.out_of_range")
    assert p.cell == cell("tasks", "percent") and "“120”" in p.message


def test_percent_not_a_number():
    rows = tasks_rows()
    rows[0][5] = "một nửa"
    only(refused(tasks(rows)), "tasks.percent.not_number")


def test_unknown_task_code():
    rows = tasks_rows()
    rows[0][1] = "NV99"
    p = only(refused(tasks(rows)), "tasks.task_code.unknown")
    assert p.cell == cell("tasks", "task_code") and "“NV99”" in p.message


def test_task_code_written_loosely_is_resolved():
    rows = tasks_rows()
    rows[0][1] = "nv 10"
    r = check(tasks(rows))
    assert r.accepted and r.forms["tasks"].frame["task_code"].iloc[0] == "NV10"


def test_task_content_without_match():
    rows = tasks_rows()
    rows[2][1], rows[2][2] = None, "Sửa chữa đường giao thông nông thôn"
    p = only(refused(tasks(rows)), "tasks.task_text.no_match")
    assert p.cell == cell("tasks", "task_text", 2)


def test_task_content_ambiguous_names_both():
    rows = tasks_rows()
    rows[2][1], rows[2][2] = None, "Tổ chức hội nghị"
    p = only(refused(tasks(rows)), "tasks.task_text.ambiguous")
    assert p.message.count("NV0") == 2


def test_task_without_code_and_text():
    rows = tasks_rows()
    rows[0][1] = rows[0][2] = None
    only(refused(tasks(rows)), "tasks.task_code.required")


def test_done_needs_completion_date():
    rows = tasks_rows()
    rows[1][6] = None
    p = only(refused(tasks(rows)), "tasks.completed_on_required")
    assert p.cell == cell("tasks", "completed_on", 1) and "“Hoàn thành”" in p.message


def test_completion_date_in_future():
    rows = tasks_rows()
    rows[1][6] = "15/03/2026"  # TODAY is 05/03/2026
    p = only(refused(tasks(rows)), "tasks.completed_on_future")
    assert "15/03/2026" in p.message and "05/03/2026" in p.message


def test_completion_date_not_a_date():
    rows = tasks_rows()
    rows[1][6] = "cuối tháng"
    only(refused(tasks(rows)), "tasks.completed_on.not_date")


def test_percent_status_mismatch_warning():
    rows = tasks_rows()
    rows[1][5] = 0.5
    r = check(tasks(rows))
    assert r.accepted and only(r, "tasks.percent_status_mismatch").severity == "warning"


def test_unfilled_template_row_is_a_warning_not_a_row():
    rows = tasks_rows()
    rows.append([5, "NV17", "Báo cáo khó khăn, vướng mắc", "Khi phát sinh", None, None, None, None, None, None])
    r = check(tasks(rows))
    assert r.accepted and len(r.forms["tasks"].frame) == 4
    assert only(r, "tasks.status.not_reported").severity == "warning"


# ---------------------------------------------------------------- propaganda


def test_date_outside_period_is_warning():
    rows = propaganda_rows()
    rows[0][6] = dt.datetime(2026, 1, 28)
    r = check(prop(rows))
    assert r.accepted
    p = only(r, "propaganda.date_outside_period")
    assert p.severity == "warning" and "28/01/2026" in p.message and "Tháng 02/2026" in p.message


def test_date_unreadable():
    rows = propaganda_rows()
    rows[0][6] = "31/02/2026"
    only(refused(prop(rows)), "propaganda.date.not_date")


# ---------------------------------------------------------------- cell errors


def test_formula_without_saved_value_is_an_error():
    rows = attendance_rows()
    first = first_data_row("attendance")
    rows[0][6] = f"=F{first}-H{first}-I{first}"  # openpyxl saves no cached value
    p = only(refused(att(rows)), "attendance.present.cell_error")
    assert p.cell == cell("attendance", "present")
    assert "=" in p.message or "công thức" in p.message


def test_excel_error_value_is_an_error():
    rows = propaganda_rows()
    rows[0][5] = "#DIV/0!"
    p = only(refused(prop(rows)), "propaganda.reach.cell_error")
    assert "#DIV/0!" in p.message and p.cell == cell("propaganda", "reach")


# ---------------------------------------------------------------- all at once


def test_every_problem_reported_at_once():
    rows = attendance_rows()
    rows[0][5] = "ba mươi"
    rows[1][6] = 25  # > 20
    rows[2][3] = "Hỗn hợp"
    p_rows = propaganda_rows()
    p_rows[0][1] = "Loa"
    p_rows[3][3] = -1
    data = workbook_bytes(form_sheet("attendance", rows), form_sheet("propaganda", p_rows))
    r = refused(data, "cb-kdc4-t02-2026.xlsx")
    assert set(codes(r)) >= {
        "unit.conflict",
        "attendance.invited.not_number",
        "attendance.present_gt_invited",
        "attendance.format.not_in_list",
        "propaganda.channel.not_in_list",
        "propaganda.quantity.negative",
    }
    for p in r.errors:
        assert p.message and p.hint and p.code.count(".") >= 1
