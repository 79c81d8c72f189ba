"""One exact answer per problem (issue 13), table-driven: one workbook per case, each checked three ways

- ``check`` (what ``python -m loaders check --json`` prints): exactly the listed errors, each at its cell of
  the sheet as named in the file, with its form, and a message naming the form and that sheet;
- the upload page (AppTest): the banner's counts equal the rows of the problems table, which holds the
  same problems at the same cells, and nothing is stored;
- the highlighted copy: exactly the cells of the listed problems are marked, one comment per problem.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from workbook_helpers import (
    attendance_rows,
    check,
    first_data_row,
    form_sheet,
    propaganda_rows,
    tasks_rows,
    workbook_bytes,
)

from loaders.highlight import highlight_problems
from tests.test_upload import frames, open_upload, upload
from tests.upload_helpers import marked_cells, registry_database, row_counts
from ui import upload_flow as flow

P0 = first_data_row("propaganda")  # 11: the first data row of Biểu 02 in this layout
A0 = first_data_row("attendance")
T0 = first_data_row("tasks")
HEADER = P0 - 2  # the header row ("(n)" numbering row below it)


def _without_header(sheet, header: str):
    for row in sheet.rows:
        for c, v in enumerate(row):
            if v == header:
                row[c] = None
    return sheet


def _text_in_number() -> bytes:
    p = propaganda_rows()
    p[0][3] = "năm mươi"
    return workbook_bytes(form_sheet("propaganda", p))


def _text_in_absent_count() -> bytes:
    a = attendance_rows()
    a[0][7] = "năm"  # Vắng có lý do: an unreadable count is that error alone, no sum mismatch besides
    return workbook_bytes(form_sheet("attendance", a))


def _deleted_header() -> bytes:
    return workbook_bytes(_without_header(form_sheet("propaganda", propaganda_rows()), "Số lượng"))


def _renamed_sheet() -> bytes:
    t = tasks_rows()
    t[0][5] = 150
    return workbook_bytes(form_sheet("tasks", t, name="Tiến độ"))


def _unknown_unit() -> bytes:
    return workbook_bytes(
        form_sheet("propaganda", propaganda_rows(), unit="Chi bộ Sao Hỏa"),
        form_sheet("attendance", attendance_rows(), unit="Chi bộ Sao Hỏa", name="Tham du"),
    )


def _conflicting_unit() -> bytes:
    return workbook_bytes(
        form_sheet("propaganda", propaganda_rows()),
        form_sheet("attendance", attendance_rows(), unit="Chi bộ Khu dân cư số 4", name="Tham du"),
    )


def _unreadable_period() -> bytes:
    return workbook_bytes(
        form_sheet("propaganda", propaganda_rows(), period="Tháng mười ba/2026"),
        form_sheet("attendance", attendance_rows(), period="Tháng mười ba/2026"),
    )


def _empty_report() -> bytes:
    return workbook_bytes(form_sheet("propaganda", []), form_sheet("attendance", [], name="Tham du"))


@dataclass
class Case:
    name: str
    build: Any
    errors: list[tuple[str | None, str | None, str | None, str]]  # (sheet, form, cell, code), exactly
    message_has: list[str] = field(default_factory=list)
    warnings: int = 0  # exactly this many warnings


CASES = [
    Case(
        "text_in_a_number_cell",
        _text_in_number,
        [("Biểu 02", "propaganda", f"D{P0}", "propaganda.quantity.not_number")],
        [f"Biểu 02, ô D{P0}: Số lượng phải là số, ô đang ghi “năm mươi”"],
    ),
    Case(
        "text_in_an_absent_count",
        _text_in_absent_count,
        [("Biểu 03", "attendance", f"H{A0}", "attendance.absent_excused.not_number")],
    ),
    Case(
        "deleted_header_cell",
        _deleted_header,
        [("Biểu 02", "propaganda", f"D{HEADER}", "propaganda.quantity.missing_column")],
        [f"Biểu 02, ô D{HEADER}: thiếu cột “Số lượng”"],
    ),
    Case(
        "sheet_renamed_by_the_unit",
        _renamed_sheet,
        [("Tiến độ", "tasks", f"F{T0}", "tasks.percent.out_of_range")],
        [f"Biểu 01 (trang tính «Tiến độ»), ô F{T0}:"],
    ),
    Case(
        "unknown_unit_in_two_title_blocks",
        _unknown_unit,
        [("Biểu 02", "propaganda", "A7", "unit.not_found")],
        ["“Chi bộ Sao Hỏa”", "Biểu 02, ô A7", "Biểu 03 (trang tính «Tham du»), ô A7"],
    ),
    Case(
        "two_units_that_disagree",
        _conflicting_unit,
        [("Tham du", "attendance", "A7", "unit.conflict")],
        ["Biểu 02, ô A7", "Biểu 03 (trang tính «Tham du»), ô A7", "(KDC03)", "(KDC04)"],
    ),
    Case(
        "unreadable_period_in_two_title_blocks",
        _unreadable_period,
        [("Biểu 02", "propaganda", "A6", "period.unreadable")],
        ["Biểu 02, ô A6", "Biểu 03, ô A6"],
    ),
    Case(
        "empty_report",
        _empty_report,
        [(None, None, None, "workbook.empty")],
        ["chưa có số liệu", "Biểu 02", "Biểu 03 (trang tính «Tham du»)"],
    ),
]


def _errors(result) -> list[tuple]:
    return [(p.sheet, p.form, p.cell, p.code) for p in result.errors]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_check_lists_each_problem_once_at_its_cell(case):
    result = check(case.build())
    assert not result.accepted
    assert _errors(result) == case.errors
    assert len(result.warnings) == case.warnings, [w.code for w in result.warnings]
    message = result.errors[0].message
    for text in case.message_has:
        assert text in message, message
    out = result.to_json()
    assert [(e["sheet"], e["form"], e["cell"], e["code"]) for e in out["errors"]] == case.errors


@pytest.mark.parametrize("case", [c for c in CASES if c.errors[0][2]], ids=[c.name for c in CASES if c.errors[0][2]])
def test_highlighted_copy_marks_exactly_the_listed_problems(case):
    data = case.build()
    result = check(data)
    problems = [*result.errors, *result.warnings]
    copy, _name = highlight_problems(data, "bao-cao.xlsx", problems)
    marks = marked_cells(copy)
    marked = {(sheet, cell) for sheet, cells in marks.items() for cell in cells if sheet != "Lỗi cần sửa"}
    assert marked == {(p.sheet, p.cell) for p in problems if p.cell}
    for p in problems:
        comment = marks[p.sheet][p.cell][1]
        assert comment.count(p.message) == 1 and comment.startswith(p.message)
        assert "không được để trống" not in comment  # never the false second error
    # the note sheet lists each problem once, at the form and sheet as the user sees them
    notes = marks.get("Lỗi cần sửa")
    assert notes is not None


def test_nothing_to_report_in_one_form_is_said_explicitly():
    data = workbook_bytes(
        form_sheet("propaganda", propaganda_rows()),
        form_sheet("attendance", [[1, "Không có"]]),
    )
    result = check(data)
    assert result.accepted, [p.message for p in result.errors]
    assert result.forms["attendance"].nothing_to_report and len(result.forms["attendance"].frame) == 0
    assert result.to_json()["forms"]["attendance"] == {"rows": 0, "invited": 0, "present": 0}
    assert not result.warnings


def test_nothing_to_report_anywhere_is_still_a_report():
    data = workbook_bytes(
        form_sheet("propaganda", [[None, "Không phát sinh"]]),
        form_sheet("attendance", [[1, "không có."]]),
    )
    result = check(data)
    assert result.accepted and all(fd.nothing_to_report for fd in result.forms.values())


def test_a_not_quite_nothing_row_is_data():
    """ "Không có" beside other values is not the declaration: the row is checked like any other."""
    data = workbook_bytes(form_sheet("propaganda", [[1, "Không có", None, 3]]))
    result = check(data)
    assert not result.accepted
    assert not result.forms["propaganda"].nothing_to_report


def test_template_guide_says_how_to_declare_nothing_to_report():
    import io

    from openpyxl import load_workbook

    from loaders.template import GUIDE_SHEET
    from tests.template_helpers import template_bytes

    wb = load_workbook(io.BytesIO(template_bytes("KDC03", "2026-02")))
    guide = "\n".join(str(c.value) for c in wb[GUIDE_SHEET]["A"] if c.value)
    assert "“Không có”" in guide and "không có gì để báo cáo" in guide
    assert "không được tính là báo cáo" in guide


# ---------------------------------------------------------------- the upload page


@pytest.fixture()
def page_url(tmp_path, monkeypatch):
    url = registry_database(tmp_path / "exact.db")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DASHBOARD_TODAY", dt.date(2026, 3, 5).isoformat())
    return url


PAGE_CASES = [c for c in CASES if c.name in ("text_in_a_number_cell", "sheet_renamed_by_the_unit", "empty_report")]


@pytest.mark.parametrize("case", PAGE_CASES, ids=[c.name for c in PAGE_CASES])
def test_upload_page_banner_counts_equal_the_problems_listed(page_url, case):
    from storage import db

    engine = db.get_engine(page_url)
    at = open_upload(page_url)
    before = row_counts(engine)  # after the log-in (which writes its session)
    upload(at, ("bao-cao.xlsx", case.build()))
    (table,) = [f for f in frames(at) if list(f.columns) == flow.PROBLEM_COLUMNS]
    (banner,) = [e.value for e in at.error if e.value.startswith("Tệp bị từ chối")]
    n_err = sum(table["Mức độ"] == "Lỗi")
    n_warn = sum(table["Mức độ"] == "Cảnh báo")
    assert banner.startswith(f"Tệp bị từ chối: {n_err} lỗi" + (f" và {n_warn} cảnh báo" if n_warn else " ("))
    assert n_err == len(case.errors)
    assert [(r["Ô"] or None) for _, r in table[table["Mức độ"] == "Lỗi"].iterrows()] == [e[2] for e in case.errors]
    if case.name == "sheet_renamed_by_the_unit":
        assert table.loc[0, "Biểu (trang tính)"] == "Biểu 01 (trang tính «Tiến độ»)"
    assert row_counts(engine) == before
    engine.dispose()
