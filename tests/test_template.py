"""The standard workbook: structure derived from loaders.forms, and accepted by the check."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from loaders.check import check_bytes
from loaders.cli import main as cli_main
from loaders.forms import FORMS, FORMS_BY_KEY, ISSUING_BODY, VOCABULARIES
from loaders.template import (
    DATE_FORMAT,
    FONT_NAME,
    GUIDE_SHEET,
    HEADER_TOP,
    LISTS_SHEET,
    build_template,
    period_label,
    write_template,
)
from loaders.values import ValueProblem, parse_due
from sample_data import sample_registry
from tests.template_helpers import fill_template, template_bytes

REGISTRY = sample_registry()
TODAY = dt.date(2026, 11, 28)


def _wb(unit: str = "KDC03", period: str = "2026-02"):
    return load_workbook(io.BytesIO(template_bytes(unit, period, REGISTRY)))


def _check(data: bytes, name: str = "bao-cao.xlsx"):
    return check_bytes(data, name, registry=REGISTRY, today=TODAY)


# ---------------------------------------------------------------- structure


def test_sheets_in_order_and_lists_sheet_hidden():
    wb = _wb()
    assert wb.sheetnames == ["Biểu 01", "Biểu 02", "Biểu 03", GUIDE_SHEET, LISTS_SHEET]
    assert [f.sheet_title for f in FORMS] == wb.sheetnames[:3]
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    assert wb.active.title == "Biểu 01"


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.key)
def test_header_row_is_the_forms_declaration(form):
    ws = _wb()[form.sheet_title]
    n = len(form.fields)
    top = [ws.cell(row=HEADER_TOP, column=i).value for i in range(1, n + 1)]
    if any(f.group for f in form.fields):
        bottom = [ws.cell(row=HEADER_TOP + 1, column=i).value for i in range(1, n + 1)]
        for i, f in enumerate(form.fields):
            if f.group:
                assert bottom[i] == f.sub_header
                first_of_group = next(j for j, g in enumerate(form.fields) if g.group == f.group)
                assert top[first_of_group] == f.group
            else:
                assert top[i] == f.header
                # single headers are merged down over both header rows
                col = ws.cell(row=HEADER_TOP, column=i + 1).coordinate
                assert any(col in r and r.size["rows"] == 2 for r in ws.merged_cells.ranges)
        numbering_row = HEADER_TOP + 2
    else:
        assert top == [f.header for f in form.fields]
        numbering_row = HEADER_TOP + 1
    numbering = [ws.cell(row=numbering_row, column=i).value for i in range(1, n + 1)]
    assert numbering == [f"({i})" for i in range(1, n + 1)]
    widths = [ws.column_dimensions[chr(64 + i)].width for i in range(1, n + 1)]
    assert widths == [f.width for f in form.fields]
    assert ws.cell(row=HEADER_TOP, column=2).font.name == FONT_NAME
    assert ws.cell(row=HEADER_TOP, column=2).font.bold
    assert ws.cell(row=HEADER_TOP, column=2).border.left.style == "thin"


def test_vang_group_merged_over_its_two_columns():
    ws = _wb()["Biểu 03"]
    group_cols = [i for i, f in enumerate(FORMS_BY_KEY["attendance"].fields, start=1) if f.group]
    ranges = [str(r) for r in ws.merged_cells.ranges]
    first = ws.cell(row=HEADER_TOP, column=group_cols[0]).coordinate
    last = ws.cell(row=HEADER_TOP, column=group_cols[-1]).coordinate
    assert f"{first}:{last}" in ranges


@pytest.mark.parametrize(
    ("period", "label"),
    [("2026-02", "Tháng 02/2026"), ("2026-11", "Tháng 11/2026"), ("2026-Q1", "Quý I/2026"), ("2026-Q4", "Quý IV/2026")],
)
def test_title_block(period, label):
    wb = _wb("KDC03", period)
    unit = REGISTRY.units_by_code["KDC03"]
    for form in FORMS:
        ws = wb[form.sheet_title]
        texts = [c.value for row in ws.iter_rows(min_row=1, max_row=8) for c in row if c.value]
        assert texts[:2] == [ISSUING_BODY, "ĐẢNG CỘNG SẢN VIỆT NAM"]
        assert unit.name.upper() in texts  # "CHI BỘ KHU DÂN CƯ SỐ 3"
        assert "*" in texts
        assert "Bạch Đằng, ngày .. tháng .. năm ...." in texts
        assert form.title in texts
        assert f"Kỳ báo cáo: {label}" in texts
        assert f"Đơn vị báo cáo: {unit.name}" in texts
        assert period_label(period) == label


def test_tasks_prelisted_from_the_units_assignments():
    for code in ("KDC03", "BXDD", "VHXH", "VPDU", "MTTQ"):
        ws = _wb(code)["Biểu 01"]
        assigned = REGISTRY.assigned_tasks(code)
        first = HEADER_TOP + 2
        rows = list(ws.iter_rows(min_row=first, max_row=first + len(assigned) - 1, max_col=4, values_only=True))
        assert [r[1] for r in rows] == [t.code for t in assigned], code
        assert [r[2] for r in rows] == [t.text for t in assigned]
        assert [r[0] for r in rows] == list(range(1, len(assigned) + 1))
        # the row after the assigned tasks is an empty input row
        assert all(c.value is None for c in ws[first + len(assigned)][:4])


def test_due_written_by_cadence():
    ws = _wb("BXDD")["Biểu 01"]
    due = {r[1].value: r[3] for r in ws.iter_rows(min_row=HEADER_TOP + 2, max_row=HEADER_TOP + 12) if r[1].value}
    assert due["NV01"].value == dt.datetime(2026, 2, 11)
    assert due["NV01"].number_format == DATE_FORMAT
    assert due["NV02"].value == dt.datetime(2026, 3, 31)
    assert due["NV06"].value == "Thường xuyên"
    assert due["NV04"].value is None  # a once task without a due date in the plan
    # as-needed tasks say "Khi phát sinh" as soon as the loader accepts it as a due value
    try:
        parse_due("Khi phát sinh")
        as_needed = "Khi phát sinh"
    except ValueProblem:
        as_needed = None
    assert due["NV07"].value == as_needed


def _validations(ws):
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            out[rng.split(":")[0].rstrip("0123456789")] = dv
    return out


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.key)
def test_validations_match_field_kinds(form):
    wb = _wb()
    ws = wb[form.sheet_title]
    lists = wb[LISTS_SHEET]
    dvs = _validations(ws)
    for i, f in enumerate(form.fields, start=1):
        letter = chr(64 + i)
        dv = dvs.get(letter)
        if f.kind == "choice":
            assert dv is not None and dv.type == "list", f.key
            assert dv.formula1.startswith(f"'{LISTS_SHEET}'!")
            ref = dv.formula1.split("!")[1].replace("$", "")
            values = [c.value for row in lists[ref] for c in row]
            assert values == VOCABULARIES[f.vocabulary].labels()
            assert dv.showErrorMessage and dv.error
        elif f.kind == "count":
            assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0"), f.key
        elif f.kind == "percent":
            assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("decimal", "between", "0", "100")
        elif f.kind == "date":
            assert dv.type == "date", f.key
        elif f.kind == "task_code":
            assert dv.type == "list"
            ref = dv.formula1.split("!")[1].replace("$", "")
            assert [c.value for row in lists[ref] for c in row] == [t.code for t in REGISTRY.tasks]
        else:
            assert dv is None, f.key
        if dv is not None:
            assert dv.allow_blank
            first, last = str(dv.sqref).split(":")
            assert int(first[1:]) == HEADER_TOP + (3 if any(g.group for g in form.fields) else 2)
            assert int(last[1:]) > int(first[1:])


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.key)
def test_page_setup_print_ready(form):
    ws = _wb()[form.sheet_title]
    two = any(f.group for f in form.fields)
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    numbering = HEADER_TOP + (2 if two else 1)
    assert ws.print_title_rows == f"${HEADER_TOP}:${numbering}"
    assert ws.freeze_panes == f"A{numbering + 1}"
    assert ws.page_margins.left == 0.5 and ws.page_margins.top == 0.6


def test_signature_block_below_the_table():
    for form in FORMS:
        ws = _wb("KDC03")[form.sheet_title]
        values = [c.value for row in ws.iter_rows(min_row=HEADER_TOP) for c in row if isinstance(c.value, str)]
        assert "NGƯỜI LẬP BIỂU" in values
        assert "T/M CHI ỦY" in values and "BÍ THƯ" in values
    ws = _wb("VHXH")["Biểu 02"]
    values = [c.value for row in ws.iter_rows(min_row=HEADER_TOP) for c in row if isinstance(c.value, str)]
    assert "THỦ TRƯỞNG ĐƠN VỊ" in values


def test_guide_sheet_explains_forms_values_and_where_to_send():
    ws = _wb()[GUIDE_SHEET]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    for form in FORMS:
        assert form.title in text
    for vocab in VOCABULARIES.values():
        for label in vocab.labels():
            assert f"“{label}”" in text
    assert "Thường trực Đảng ủy phường (qua Ban Xây dựng Đảng)" in text
    assert "ngày 25" in text


def test_no_formulas_anywhere():
    wb = _wb("VPDU")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert not (isinstance(c.value, str) and c.value.startswith("=")), (ws.title, c.coordinate)


def test_write_to_path_and_file_like(tmp_path: Path):
    dest = tmp_path / "mau.xlsx"
    write_template(REGISTRY, "KDC03", "2026-02", dest)
    buf = io.BytesIO()
    write_template(REGISTRY, "KDC03", "2026-02", buf)
    assert dest.read_bytes()[:2] == b"PK" and buf.getvalue()[:2] == b"PK"
    assert load_workbook(dest).sheetnames == load_workbook(buf).sheetnames


def test_no_implicit_registry(tmp_path: Path):
    # the caller passes the ward's registry (the database's, or the sample ward's explicitly)
    with pytest.raises(ValueError, match="registry"):
        write_template(None, "HPN", "2026-05", tmp_path / "mau.xlsx")
    dest = tmp_path / "mau.xlsx"
    write_template(sample_registry(), "HPN", "2026-05", dest)
    assert load_workbook(dest)["Biểu 01"]["A7"].value == "Đơn vị báo cáo: Hội Liên hiệp Phụ nữ phường"


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("period", ["2026-13", "2026-00", "02/2026", "2026-Q5", "", "2026-2"])
def test_bad_period_refused(period):
    with pytest.raises(ValueError, match="Kỳ báo cáo không hợp lệ"):
        write_template(REGISTRY, "KDC03", period, io.BytesIO())


def test_unknown_unit_refused():
    with pytest.raises(KeyError, match="Không có đơn vị mã XYZ"):
        write_template(REGISTRY, "XYZ", "2026-02", io.BytesIO())


# ---------------------------------------------------------------- with the check


def test_untouched_template_is_refused_as_not_a_report():
    """Issue 13: an untouched template is recognised, counts nothing, and is not a report."""
    result = _check(template_bytes("KDC03", "2026-02", REGISTRY))
    out = result.to_json()
    assert out["accepted"] is False
    assert [e["code"] for e in out["errors"]] == ["workbook.empty"]
    assert "chưa có số liệu" in out["errors"][0]["message"] and "Không có" in result.errors[0].hint
    assert (out["unit"], out["period"]) == ("KDC03", "2026-02")
    assert out["forms"] == {
        "tasks": {"rows": 0},
        "propaganda": {"rows": 0, "quantity": 0, "reach": 0},
        "attendance": {"rows": 0, "invited": 0, "present": 0},
    }
    # every pre-listed task without a status is pointed out, cell by cell
    warned = [w for w in out["warnings"] if w["code"] == "tasks.status.not_reported"]
    assert len(warned) == len(REGISTRY.assigned_tasks("KDC03"))
    assert all(w["sheet"] == "Biểu 01" and w["cell"].startswith("E") for w in warned)


def _honest_kdc03() -> bytes:
    return fill_template(
        "KDC03",
        "2026-02",
        statuses={
            "NV10": ("Đang thực hiện", None, None),
            "NV11": ("Hoàn thành", 100, dt.date(2026, 2, 12)),
            "NV13": ("Đang thực hiện", 60, None),
            "NV14": ("Chưa thực hiện", 0, None),
            "NV16": ("Đang thực hiện", None, None),
            "NV17": ("Chưa thực hiện", None, None),
        },
        propaganda=[
            {
                "channel": "Mạng xã hội",
                "topic": "Nội dung Đề án, Nghị quyết, Kế hoạch",
                "quantity": 5,
                "measure_unit": "bài",
                "reach": 420,
                "date": dt.date(2026, 2, 10),
            },
            {
                "channel": "Sinh hoạt chi bộ",
                "topic": "Nội dung Đề án, Nghị quyết, Kế hoạch",
                "quantity": 1,
                "measure_unit": "buổi",
                "reach": 28,
                "date": dt.date(2026, 2, 12),
            },
            {
                "channel": "Tuyên truyền trực quan (khẩu hiệu, pano, băng rôn)",
                "topic": "Gương điển hình, mô hình tiêu biểu, cách làm sáng tạo",
                "quantity": 3,
                "measure_unit": "khẩu hiệu",
            },
        ],
        attendance=[
            {
                "event": "Sinh hoạt chi bộ định kỳ tháng 02/2026",
                "event_date": dt.date(2026, 2, 12),
                "format": "Trực tiếp",
                "group": "Đảng viên",
                "invited": 31,
                "present": 28,
                "absent_excused": 2,
                "absent_unexcused": 1,
            }
        ],
        extra_cells={("Biểu 01", "E2"): "Bạch Đằng, ngày 20 tháng 02 năm 2026"},
        registry=REGISTRY,
    )


def test_honestly_filled_template_accepted_with_its_sums():
    result = _check(_honest_kdc03())
    out = result.to_json()
    assert out["accepted"] is True, out["errors"]
    assert out["errors"] == [] and out["warnings"] == []
    assert (out["unit"], out["period"]) == ("KDC03", "2026-02")
    assert out["forms"] == {
        "tasks": {"rows": 6},
        "propaganda": {"rows": 3, "quantity": 9, "reach": 448},
        "attendance": {"rows": 1, "invited": 31, "present": 28},
    }
    tasks = result.forms["tasks"].frame
    assert list(tasks["task_code"]) == ["NV10", "NV11", "NV13", "NV14", "NV16", "NV17"]
    assert list(tasks["status"]) == ["in_progress", "done", "in_progress", "not_started", "in_progress", "not_started"]
    assert tasks.loc[tasks["task_code"] == "NV11", "completed_on"].iloc[0] == dt.date(2026, 2, 12)
    channels = list(result.forms["propaganda"].frame["channel"])
    assert channels == ["social", "cell_meeting", "visual"]
    assert result.forms["attendance"].frame["group"].iloc[0] == "party_members"


def test_quarter_template_filled_is_accepted_for_the_quarter():
    data = fill_template(
        "BXDD",
        "2026-Q1",
        statuses={"NV01": ("Hoàn thành", 100, dt.date(2026, 2, 11)), "NV02": ("Đang thực hiện", 50, None)},
        registry=REGISTRY,
    )
    out = _check(data).to_json()
    assert out["accepted"] is True, out["errors"]
    assert (out["unit"], out["period"]) == ("BXDD", "2026-Q1")
    assert out["forms"]["tasks"] == {"rows": 2}


def test_filled_template_with_a_wrong_value_is_refused_at_its_cell():
    _, layouts = build_template(REGISTRY, "KDC03", "2026-02")
    att = layouts["attendance"]
    data = fill_template(
        "KDC03",
        "2026-02",
        statuses={"NV10": ("Đang thực hiện", None, None)},
        attendance=[{"event": "Sinh hoạt chi bộ", "invited": 20, "present": 25}],
        registry=REGISTRY,
    )
    out = _check(data).to_json()
    assert out["accepted"] is False
    cell = f"{att.columns['present']}{att.first_row}"
    assert any(
        e["code"] == "attendance.present_gt_invited" and e["cell"] == cell and e["sheet"] == "Biểu 03"
        for e in out["errors"]
    ), out["errors"]


def test_formula_typed_into_template_is_refused_not_read_as_zero():
    # why the template itself holds no formulas: openpyxl saves no value for them
    _, layouts = build_template(REGISTRY, "KDC03", "2026-02")
    prop = layouts["propaganda"]
    data = fill_template(
        "KDC03",
        "2026-02",
        statuses={"NV10": ("Đang thực hiện", None, None)},
        propaganda=[{"channel": "Mạng xã hội", "topic": "Khác", "quantity": "=2+3"}],
        registry=REGISTRY,
    )
    out = _check(data).to_json()
    assert out["accepted"] is False
    cell = f"{prop.columns['quantity']}{prop.first_row}"
    assert [(e["sheet"], e["cell"], e["code"]) for e in out["errors"]] == [
        ("Biểu 02", cell, "propaganda.quantity.cell_error")
    ]
    assert "công thức chưa có giá trị đã lưu" in out["errors"][0]["message"]


def test_cli_template_command_writes_the_template(tmp_path: Path, capsys):
    dest = tmp_path / "kdc03-t02.xlsx"
    assert cli_main(["template", "--unit", "KDC03", "--period", "2026-02", "-o", str(dest)]) == 0
    wb = load_workbook(dest)
    assert wb["Biểu 02"]["A6"].value == "Kỳ báo cáo: Tháng 02/2026"
    out = _check(dest.read_bytes(), dest.name).to_json()
    # recognised, but an untouched template is not a report (issue 13)
    assert (out["accepted"], out["unit"], out["period"]) == (False, "KDC03", "2026-02")
    assert [e["code"] for e in out["errors"]] == ["workbook.empty"]
