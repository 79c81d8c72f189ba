"""Every refusal of report-forms.md ("What is refused") goes through the real ingest on SQLite
and PostgreSQL: the file is refused with its code, and not one row of any table is written.

The messages and cells of each refusal are tested in test_refusals.py; this file checks the
other half of the contract, "a refused file leaves no rows behind", case by case.
"""

from __future__ import annotations

import hostile_helpers as H
import pytest
from conftest import CORPUS
from storage_helpers import BACKENDS, count_all, engine_for
from workbook_helpers import (
    Sheet,
    attendance_rows,
    form_sheet,
    propaganda_rows,
    tasks_rows,
    title_block,
    typical_workbook,
    workbook_bytes,
)

from storage.ingest import ingest_bytes


def _with(rows_fn, form, change):
    rows = rows_fn()
    change(rows)
    # a valid Biểu 02 beside the broken form: a refusal must drop the good form too
    sheets = [form_sheet(form, rows)]
    if form != "propaganda":
        sheets.append(form_sheet("propaganda", propaganda_rows()))
    return workbook_bytes(*sheets)


def _set(r, c, v):
    def change(rows):
        rows[r][c] = v

    return change


def _present_above_invited(rows):
    rows[0][5], rows[0][6] = 60, 65


def _cases():
    valid = typical_workbook()
    return [
        ("not a spreadsheet", "Báo cáo tháng 2".encode(), "file."),
        ("damaged", valid[: len(valid) // 2], "file."),
        ("encrypted", (CORPUS / "pass_protected.xlsx").read_bytes(), "file.encrypted"),
        ("far too large (zip bomb)", H.zip_bomb_xlsx(), "file.zip_bomb"),
        ("far too large (cell at XFD1048576)", H.far_cell_xlsx(), "file.sheet_too_large"),
        (
            "no recognisable form",
            workbook_bytes(Sheet("Sheet1", [["Danh sách"], ["STT", "Họ và tên"], [1, "Nguyễn Văn A"]])),
            "workbook.no_form",
        ),
        (
            "unknown unit",
            workbook_bytes(form_sheet("propaganda", propaganda_rows(), unit="Chi bộ Khu dân cư số 99")),
            "unit.not_found",
        ),
        (
            "unknown period",
            workbook_bytes(form_sheet("propaganda", propaganda_rows(), period=None)),
            "period.not_found",
        ),
        (
            "required column missing",
            workbook_bytes(
                Sheet(
                    "Biểu 03",
                    title_block("attendance")
                    + [["STT", "Tên hội nghị, buổi học tập", "Số được triệu tập"], [1, "Hội nghị", 10]],
                )
            ),
            "attendance.present.missing_column",
        ),
        ("count not a whole number", _with(propaganda_rows, "propaganda", _set(0, 3, 12.5)), "propaganda.quantity."),
        (
            "present above invited",
            _with(attendance_rows, "attendance", _present_above_invited),
            "attendance.present_gt",
        ),
        ("status outside the list", _with(tasks_rows, "tasks", _set(0, 4, "Sắp xong")), "tasks.status.not_in_list"),
        ("percent above 100", _with(tasks_rows, "tasks", _set(0, 5, 120)), "tasks.percent.out_of_range"),
        ("unknown task code", _with(tasks_rows, "tasks", _set(0, 1, "NV99")), "tasks.task_code.unknown"),
    ]


CASES = _cases()


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request, tmp_path_factory):
    gen = engine_for(request.param, tmp_path_factory.mktemp("refusals"))
    eng = next(gen)
    yield eng
    for _ in gen:
        pass


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_refused_file_stores_nothing(engine, case):
    _, data, code = case
    before = count_all(engine)
    outcome = ingest_bytes(engine, data, "bao-cao.xlsx")  # unit and period only in the title block
    assert not outcome.result.accepted and not outcome.stored and outcome.submission_id is None
    assert any(p.code.startswith(code) for p in outcome.result.errors), [p.code for p in outcome.result.errors]
    assert all(p.message for p in outcome.result.errors)  # every problem says what is wrong, in words
    assert count_all(engine) == before  # no submission, no blob, no row, no audit line


def test_the_valid_file_of_the_same_shape_is_stored(engine):
    """The control: the same builders without the damage give a stored report, so the
    refusals above are about the damage, not about the builders."""
    before = count_all(engine)
    outcome = ingest_bytes(engine, _with(attendance_rows, "attendance", lambda rows: None), "bao-cao.xlsx")
    assert outcome.result.accepted and outcome.stored, [p.code for p in outcome.result.errors]
    assert count_all(engine) != before
