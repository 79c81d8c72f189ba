"""Every trait of "What real submissions look like, and must load" (report-forms.md), one test each."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest
from conftest import IN_CI
from upload_helpers import PROPAGANDA_HEADER
from workbook_helpers import (
    TODAY,
    Sheet,
    attendance_rows,
    check,
    column_of,
    convert,
    first_data_row,
    form_sheet,
    propaganda_rows,
    soffice,
    tasks_rows,
    title_block,
    typical_workbook,
    workbook_bytes,
)

from loaders import check_bytes
from loaders.forms import FORMS_BY_KEY
from sample_data import sample_registry


def accepted(data: bytes, filename: str = "bao-cao.xlsx"):
    result = check(data, filename)
    assert result.accepted, [p.message for p in result.errors]
    return result


def custom_header_sheet(
    form_key: str, headers: list[str], data: list[list], *, name: str = "Sheet1", extra_rows=None
) -> Sheet:
    rows = title_block(form_key) + [headers] + (extra_rows or []) + data
    return Sheet(name=name, rows=rows)


PROP_HEADERS = PROPAGANDA_HEADER


def prop_data():
    return [
        [1, "Mạng xã hội", "Nội dung Đề án, Nghị quyết, Kế hoạch", 12, "tin", 1000, dt.datetime(2026, 2, 10), None],
        [2, "Sinh hoạt chi bộ", "Gương điển hình", 3, "buổi", 90, dt.datetime(2026, 2, 12), None],
    ]


# ---------------------------------------------------------------- the typical file


def test_typical_workbook_all_three_forms():
    r = accepted(typical_workbook(), "cb-kdc3-t02-2026.xlsx")
    assert r.unit.value == "KDC03" and r.period.value == "2026-02"
    assert r.form_summary() == {
        "tasks": {"rows": 4},
        "propaganda": {"rows": 4, "quantity": 20, "reach": 1250},
        "attendance": {"rows": 3, "invited": 60, "present": 55},
    }
    assert r.errors == [] and r.warnings == []


def test_frame_shape_matches_architecture():
    r = accepted(typical_workbook())
    tasks = r.forms["tasks"]
    expected = [f.key for f in FORMS_BY_KEY["tasks"].fields if f.key != "row_no"] + [
        "due_date",
        "due_text",
        "sheet",
        "row",
    ]
    assert list(tasks.frame.columns) == expected
    att = r.forms["attendance"].frame
    assert str(att["invited"].dtype) == "Int64" and str(att["present"].dtype) == "Int64"
    assert att["format"].tolist() == ["online", "online", "in_person"]
    assert att["event_date"].iloc[0] == dt.date(2026, 2, 11)
    assert tasks.frame["obstacles"].iloc[0] is None
    assert tasks.frame["obstacles"].iloc[2] == "Thiếu kinh phí in tài liệu"
    assert tasks.frame["due_date"].iloc[3] == dt.date(2026, 3, 31)  # "Quý I/2026"
    assert tasks.frame["due_text"].iloc[0] == "Thường xuyên" and tasks.frame["due_date"].iloc[0] is None
    # every value traces to its cell
    row = int(att["row"].iloc[0])
    assert row == first_data_row("attendance")
    assert r.forms["attendance"].columns["present"] == column_of("attendance", "present")


# ---------------------------------------------------------------- header spellings


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(
            [
                "stt",
                "hinh thuc tuyen truyen",
                "noi dung tuyen truyen",
                "so luong",
                "don vi tinh",
                "so nguoi tham du, luot tiep can",
                "thoi gian",
                "ghi chu",
            ],
            id="no-diacritics",
        ),
        pytest.param([h.upper() for h in PROP_HEADERS], id="upper-case"),
        pytest.param(
            [
                "STT",
                "Hình thức\ntuyên truyền",
                "Nội dung  tuyên\n truyền",
                "Số\nlượng",
                "Đơn vị\ntính",
                "Số người tham dự,\nlượt tiếp cận",
                "Thời  gian",
                "Ghi chú",
            ],
            id="line-breaks-double-spaces",
        ),
        pytest.param(
            ["TT", "Hình thức TT", "Nội dung TT", "SL", "ĐVT", "Lượt tiếp cận", "Ngày", "Ghi chú"], id="abbreviations"
        ),
        pytest.param([unicodedata.normalize("NFD", h) for h in PROP_HEADERS], id="unicode-nfd"),
    ],
)
def test_header_spellings(headers):
    r = accepted(workbook_bytes(custom_header_sheet("propaganda", headers, prop_data())))
    assert r.form_summary()["propaganda"] == {"rows": 2, "quantity": 15, "reach": 1090}
    assert r.forms["propaganda"].frame["channel"].tolist() == ["social", "cell_meeting"]


def test_nfd_values_and_title():
    nfd = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
    rows = [[nfd(v) if isinstance(v, str) else v for v in row] for row in prop_data()]
    sheet = custom_header_sheet("propaganda", PROP_HEADERS, rows)
    sheet.rows = [[nfd(v) if isinstance(v, str) else v for v in row] for row in sheet.rows]
    r = accepted(workbook_bytes(sheet))
    assert r.unit.value == "KDC03" and r.forms["propaganda"].frame["topic"].tolist() == ["plan", "role_models"]


def test_two_row_header_with_merged_group():
    r = accepted(workbook_bytes(form_sheet("attendance", attendance_rows(), two_row=True)))
    f = r.forms["attendance"]
    assert f.columns["absent_excused"] == "H" and f.columns["absent_unexcused"] == "I"
    assert f.frame["absent_unexcused"].tolist() == [0, 1, 0]
    assert f.header_row == first_data_row("attendance") - 2  # sub-header row, then numbering row


def test_two_row_header_group_not_merged():
    head_top = [
        "STT",
        "Tên hội nghị, buổi học tập",
        "Ngày tổ chức",
        "Hình thức",
        "Thành phần",
        "Số được triệu tập",
        "Số có mặt",
        "Vắng",
        None,
        "Ghi chú",
    ]
    head_sub = [None, None, None, None, None, None, None, "Có lý do", "Không lý do", None]
    sheet = Sheet("att", title_block("attendance") + [head_top, head_sub] + attendance_rows())
    r = accepted(workbook_bytes(sheet))
    assert r.forms["attendance"].frame["absent_excused"].tolist() == [2, 2, 0]


@pytest.mark.parametrize("numbering", ["(n)", "A B 1 2"])
def test_numbering_row_under_header(numbering):
    r = accepted(workbook_bytes(form_sheet("propaganda", propaganda_rows(), numbering=numbering)))
    assert r.form_summary()["propaganda"]["rows"] == 4
    assert int(r.forms["propaganda"].frame["row"].iloc[0]) == first_data_row("propaganda", numbering=numbering)


def test_columns_in_another_order():
    order = [0, 3, 2, 1, 6, 5, 4, 7]
    headers = [PROP_HEADERS[i] for i in order]
    data = [[row[i] for i in order] for row in prop_data()]
    r = accepted(workbook_bytes(custom_header_sheet("propaganda", headers, data)))
    f = r.forms["propaganda"]
    assert f.columns["quantity"] == "B" and f.columns["channel"] == "D"
    assert f.frame["quantity"].tolist() == [12, 3]


def test_optional_columns_missing():
    headers = ["Hình thức tuyên truyền", "Nội dung tuyên truyền", "Số lượng"]
    data = [["Mạng xã hội", "Khác", 4]]
    r = accepted(workbook_bytes(custom_header_sheet("propaganda", headers, data)))
    frame = r.forms["propaganda"].frame
    assert frame["quantity"].tolist() == [4] and frame["reach"].isna().all() and frame["date"].tolist() == [None]


def test_extra_columns_ignored():
    headers = PROP_HEADERS + ["Người phụ trách", "Kinh phí (đồng)"]
    data = [row + ["Ông A", "abc"] for row in prop_data()]
    r = accepted(workbook_bytes(custom_header_sheet("propaganda", headers, data)))
    assert "Kinh phí" not in " ".join(r.forms["propaganda"].columns)
    assert r.form_summary()["propaganda"]["quantity"] == 15


def test_table_anywhere_and_sheet_name_ignored():
    sheet = form_sheet("attendance", attendance_rows(), name="Sheet7")
    sheet.start_row, sheet.start_col = 4, 3  # table starts at C4+
    wb = workbook_bytes(Sheet("Ghi chú", [["Không phải biểu"], ["STT", "Họ tên"]]), sheet)
    r = accepted(wb)
    assert r.forms["attendance"].sheet == "Sheet7" and r.forms["attendance"].columns["event"] == "D"
    assert r.form_summary()["attendance"]["invited"] == 60


def test_sheets_reordered_and_renamed():
    data = typical_workbook(names=("BC tiến độ", "TT T2", "Hội nghị"))
    r = accepted(data)
    assert {k: f.sheet for k, f in r.forms.items()} == {
        "tasks": "BC tiến độ",
        "propaganda": "TT T2",
        "attendance": "Hội nghị",
    }


def test_one_form_per_file():
    r = accepted(workbook_bytes(form_sheet("attendance", attendance_rows())))
    assert list(r.forms) == ["attendance"]


# ---------------------------------------------------------------- values


def test_numbers_typed_as_text():
    data = [
        [1, "Mạng xã hội", "Khác", "12", "tin", "1.200", None, None],
        [2, "Mạng xã hội", "Khác", "12 bài", "bài", "1.234", None, None],
        [3, "Khác", "Khác", 3.0, None, " 7 ", None, None],
    ]
    r = accepted(workbook_bytes(custom_header_sheet("propaganda", PROP_HEADERS, data)))
    frame = r.forms["propaganda"].frame
    assert frame["quantity"].tolist() == [12, 12, 3]
    assert frame["reach"].tolist() == [1200, 1234, 7]


def test_percentages_as_fraction_and_text():
    rows = tasks_rows()
    rows[0][5] = 0.8
    rows[2][5] = "80%"
    rows[3][5] = "0"
    r = accepted(workbook_bytes(form_sheet("tasks", rows)))
    assert r.forms["tasks"].frame["percent"].tolist() == [80.0, 100.0, 80.0, 0.0]  # row 2: Hoàn thành -> 100


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2026, 2, 11),
        "11/02/2026",
        "11-02-2026",
        "11.02.2026",
        "ngày 11 tháng 02 năm 2026",
        "Ngày 11 tháng 2 năm 2026",
        "11/2/2026",
    ],
)
def test_dates_day_first(value):
    data = [[1, "Mạng xã hội", "Khác", 1, "tin", None, value, None]]
    r = accepted(workbook_bytes(custom_header_sheet("propaganda", PROP_HEADERS, data)))
    assert r.forms["propaganda"].frame["date"].tolist() == [dt.date(2026, 2, 11)]


def test_blank_rows_inside_table():
    rows = propaganda_rows()
    rows.insert(2, [None] * 8)
    rows.insert(2, [None] * 8)
    rows.insert(5, [None, None, None, None, None, None, None, "   "])
    r = accepted(workbook_bytes(form_sheet("propaganda", rows)))
    assert r.form_summary()["propaganda"]["rows"] == 4


@pytest.mark.parametrize("word", ["Tổng cộng", "Cộng", "TỔNG CỘNG:", "Tong so"])
def test_total_row_never_counted(word):
    rows = attendance_rows()
    total = [None, word, None, None, None, 60, 55, 4, 1, None]
    r = accepted(workbook_bytes(form_sheet("attendance", rows, total=total)))
    assert r.form_summary()["attendance"] == {"rows": 3, "invited": 60, "present": 55}


def test_total_row_in_stt_column():
    rows = propaganda_rows() + [["Cộng", None, None, 20, None, 1250, None, None]]
    r = accepted(workbook_bytes(form_sheet("propaganda", rows)))
    assert r.form_summary()["propaganda"]["quantity"] == 20


def test_merged_event_name_fills_down():
    first = first_data_row("attendance")
    rows = [
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
        [None, None, None, None, "Quần chúng, Nhân dân", 20, 17, 2, 1, None],
        [None, None, None, None, "Báo cáo viên Đảng ủy", 5, 5, 0, 0, None],
    ]
    merges = [f"A{first}:A{first + 2}", f"B{first}:B{first + 2}", f"C{first}:C{first + 2}", f"D{first}:D{first + 2}"]
    r = accepted(workbook_bytes(form_sheet("attendance", rows, extra_merges=merges)))
    frame = r.forms["attendance"].frame
    assert frame["event"].tolist() == ["Hội nghị quán triệt Nghị quyết 05-NQ/TU"] * 3
    assert frame["format"].tolist() == ["online"] * 3
    assert frame["group"].tolist() == ["party_members", "public", "party_reporters"]


def test_signature_block_ends_table():
    rows = attendance_rows()
    sheet = form_sheet("attendance", rows, signature=True)
    # a stray number in the signature area must not become a row
    sheet.rows += [[None, "Người lập biểu", None, None, None, 99, 99]]
    r = accepted(workbook_bytes(sheet))
    assert r.form_summary()["attendance"]["rows"] == 3


def test_long_blank_run_ends_table():
    rows = propaganda_rows() + [[None] * 8] * 6 + [[None, "Ghi chú: số liệu tạm tính", None, None]]
    r = accepted(workbook_bytes(form_sheet("propaganda", rows, signature=False)))
    assert r.form_summary()["propaganda"]["rows"] == 4


def test_choice_variants_accepted():
    rows = tasks_rows()
    rows[0][4] = "Đang triển khai"
    rows[1][4] = "Đã hoàn thành"
    rows[2][4] = "HT"
    rows[2][6] = "28/02/2026"
    r = accepted(workbook_bytes(form_sheet("tasks", rows)))
    assert r.forms["tasks"].frame["status"].tolist() == ["in_progress", "done", "done", "not_started"]


def test_task_matched_by_content_when_code_blank():
    r = accepted(workbook_bytes(form_sheet("tasks", tasks_rows())))
    assert r.forms["tasks"].frame["task_code"].tolist() == ["NV10", "NV11", "NV14", "NV16"]


def test_done_means_100_percent():
    r = accepted(workbook_bytes(form_sheet("tasks", tasks_rows())))
    assert r.forms["tasks"].frame["percent"].iloc[1] == 100.0


# ---------------------------------------------------------------- unit and period


def test_unit_from_issuer_line_only():
    sheet = form_sheet("propaganda", propaganda_rows(), style="issuer", unit="CB KDC số 3")
    r = accepted(workbook_bytes(sheet), "bao-cao.xlsx")
    assert r.unit.value == "KDC03" and "ĐẢNG BỘ PHƯỜNG BẠCH ĐẰNG" in r.unit.source


def test_unit_and_period_from_file_name_only():
    sheet = form_sheet("propaganda", propaganda_rows(), style="none", unit=None, period=None)
    for name, unit, period in [
        ("cb-kdc3-t02-2026.xlsx", "KDC03", "2026-02"),
        ("KDC03_2026-02.xlsx", "KDC03", "2026-02"),
        ("bao cao MTTQ thang 2.2026.xlsx", "MTTQ", "2026-02"),
    ]:
        r = accepted(workbook_bytes(sheet), name)
        assert (r.unit.value, r.period.value) == (unit, period), name
        assert r.unit.source == "tên tệp" and r.period.source == "tên tệp"


@pytest.mark.parametrize(
    "spelling",
    ["CB KDC số 3", "Chi bo khu dan cu so 3", "CHI BỘ KHU DÂN CƯ SỐ 03", "KDC03", "Chi bộ KDC 3"],
)
def test_unit_spellings(spelling):
    r = accepted(workbook_bytes(form_sheet("attendance", attendance_rows(), unit=spelling)))
    assert r.unit.value == "KDC03" and r.unit.text == spelling


@pytest.mark.parametrize(
    "text, period",
    [
        ("Tháng 02/2026", "2026-02"),
        ("tháng 2 năm 2026", "2026-02"),
        ("T2/2026", "2026-02"),
        ("02/2026", "2026-02"),
        ("Quý I/2026", "2026-Q1"),
        ("Quý 1 năm 2026", "2026-Q1"),
    ],
)
def test_period_spellings(text, period):
    r = accepted(workbook_bytes(form_sheet("attendance", attendance_rows(), period=text)))
    assert r.period.value == period and "Kỳ báo cáo" in r.period.source


def test_period_in_title_line_without_label():
    sheet = form_sheet("attendance", attendance_rows(), period=None)
    sheet.rows[4] = ["BIỂU 03: THAM DỰ HỘI NGHỊ, HỌC TẬP QUÁN TRIỆT THÁNG 02 NĂM 2026"]
    r = accepted(workbook_bytes(sheet))
    assert r.period.value == "2026-02" and r.period.source == "Biểu 03, ô A5"


# ---------------------------------------------------------------- formats


def _soffice_or_skip():
    if soffice() is None:
        if IN_CI:
            pytest.fail("LibreOffice (soffice) is required under CI=true")
        pytest.skip("LibreOffice (soffice) is not installed")


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> dict[str, Path]:
    _soffice_or_skip()
    out = tmp_path_factory.mktemp("converted")
    src = out / "cb-kdc3-t02-2026.xlsx"
    rows = attendance_rows()
    total = [None, "Cộng", None, None, None, "=SUM(F12:F14)", "=SUM(G12:G14)", None, None, None]
    sheets = [
        form_sheet("propaganda", propaganda_rows()),
        form_sheet("attendance", rows, total=total),
    ]
    # a formula with a cached value after conversion: present = invited - absences
    first = first_data_row("attendance")
    sheets[1].rows[first - 1][6] = f"=F{first}-H{first}-I{first}"
    src.write_bytes(workbook_bytes(*sheets))
    files = {"xlsx-src": src}
    for fmt in ("xls", "ods"):
        files[fmt] = convert(src, fmt, out)
    (out / "recalc").mkdir()
    files["xlsx"] = convert(src, "xlsx", out / "recalc")
    return files


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xls", "ods", "xlsx"])
def test_converted_formats_load_with_cached_formula_values(converted, fmt):
    path = converted[fmt]
    assert path is not None and path.exists()
    r = check_bytes(path.read_bytes(), path.name, registry=sample_registry(), today=TODAY)
    assert r.accepted, [p.message for p in r.errors]
    assert r.unit.value == "KDC03" and r.period.value == "2026-02"
    assert r.form_summary() == {
        "propaganda": {"rows": 4, "quantity": 20, "reach": 1250},
        "attendance": {"rows": 3, "invited": 60, "present": 55},
    }
    assert r.forms["attendance"].frame["present"].iloc[0] == 28  # from the formula's cached value
    assert r.forms["attendance"].frame["absent_unexcused"].tolist() == [0, 1, 0]


# ---------------------------------------------------------------- the sample generator's messy year


@pytest.mark.slow
def test_generated_sample_year_matches_its_manifest(tmp_path):
    generate = pytest.importorskip("sample_data.generate")
    reports = generate.generate(tmp_path, units=["KDC03", "MTTQ", "CBTH", "VPDU", "DBCA"])
    assert reports
    today = generate.TODAY.date() if isinstance(generate.TODAY, dt.datetime) else generate.TODAY
    mismatches = []
    for rep in reports:
        r = check_bytes(rep.path.read_bytes(), rep.path.name, registry=sample_registry(), today=today)
        got = (r.accepted, r.unit.value, r.period.value, r.form_summary())
        if got != (True, rep.unit, rep.period, rep.forms):
            mismatches.append((rep.path.name, got, [p.message for p in r.errors][:3]))
    assert mismatches == []
