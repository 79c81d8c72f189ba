"""Safe reading of untrusted workbooks: the happy path and every refusal, by code and message."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import threading
from dataclasses import replace

import hostile_helpers as H
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.forms import LIMITS
from loaders.raw import CellError, RawWorkbook
from loaders.safety import MESSAGES, preflight
from loaders.sandbox import Sandbox, read_workbook_safely

VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùýĐ]", re.IGNORECASE)


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox(LIMITS)
    yield box
    box.close()


def refused(result, code):
    workbook, problems = result
    assert workbook is None, "expected a refusal"
    assert [p.code for p in problems] == [code], [(p.code, p.message) for p in problems]
    p = problems[0]
    assert p.cell is None
    assert p.severity == "error"
    assert VIETNAMESE.search(p.message), p.message
    assert VIETNAMESE.search(p.hint), p.hint
    assert "{" not in p.message and "?" not in p.message.replace("?»", ""), p.message
    return p


# --------------------------------------------------------------------------
# Happy path
# --------------------------------------------------------------------------


def test_valid_workbook_grid_is_anchored_at_a1(sandbox):
    wb, problems = sandbox.read(H.valid_workbook(), "bao_cao.xlsx")
    assert problems == []
    assert isinstance(wb, RawWorkbook) and wb.format == "xlsx"
    assert [s.name for s in wb.sheets] == ["Biểu 02", "Trống"]
    rows = wb.sheets[0].rows
    assert rows[0] == [None] * 6 and rows[1] == [None] * 6  # rows 1-2 are empty but present
    assert rows[2][2] == "BÁO CÁO KẾT QUẢ TUYÊN TRUYỀN"  # C3
    assert rows[4][2:6] == ["STT", "Hình thức", "Số lượng", "Ghi chú"]  # row 5
    assert rows[5][2] == 1 and rows[5][4] == 12
    assert rows[6][4] == 3.5
    assert rows[6][5] in (dt.date(2025, 3, 15), dt.datetime(2025, 3, 15))
    assert all(len(r) == len(rows[0]) for r in rows)
    assert wb.sheets[1].rows == []


def test_valid_workbook_merged_ranges(sandbox):
    wb, _ = sandbox.read(H.valid_workbook(), "bao_cao.xlsx")
    assert sorted(wb.sheets[0].merged) == [(2, 2, 2, 5), (7, 2, 7, 3)]  # C3:F3, C8:D8


def test_formula_without_saved_value_and_error_value_are_cell_errors(sandbox):
    wb, _ = sandbox.read(H.valid_workbook(), "bao_cao.xlsx")
    rows = wb.sheets[0].rows
    assert rows[7][4] == CellError("no_value", "=SUM(E6:E7)")  # E8, openpyxl saves no cached value
    assert rows[8][4] == CellError("error", "#DIV/0!")  # E9
    assert rows[8][5] is None  # "" -> None


def test_cached_formula_value_is_read_and_empty_string_result_is_none(sandbox):
    wb, problems = sandbox.read(H.formulas_xlsx(), "cong_thuc.xlsx")
    assert problems == []
    rows = wb.sheets[0].rows
    assert rows[0] == ["có giá trị", 2]
    assert rows[1] == ["chưa tính", CellError("no_value", "=SUM(B1:B1)")]
    assert rows[2] == ["lỗi", CellError("error", "#DIV/0!")]
    assert rows[3] == ["rỗng", None]


def test_control_characters_are_cleaned(sandbox):
    wb, _ = sandbox.read(H.valid_workbook(), "bao_cao.xlsx")
    rows = wb.sheets[0].rows
    assert rows[5][3] == "Pa nô, áp phích"  # tab -> space
    assert rows[5][5] == "dòng 1\ndòng 2"  # CR LF -> LF
    assert rows[6][3] == "Loa truyền thanh"  # _x0001_ removed
    for sheet in wb.sheets:
        for row in sheet.rows:
            for v in row:
                if isinstance(v, str):
                    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", v)


def test_corpus_errors_xlsx_gives_each_error_text():
    wb, problems = read_workbook_safely(H.corpus_bytes("errors.xlsx"), "errors.xlsx")
    assert problems == []
    texts = [row[0].text for row in wb.sheets[0].rows[:7]]
    assert texts == ["#DIV/0!", "#NAME?", "#VALUE!", "#NULL!", "#REF!", "#NUM!", "#N/A"]
    assert all(row[0].kind == "error" for row in wb.sheets[0].rows[:7])


def test_xls_and_ods_merged_ranges_from_corpus(sandbox):
    wb, _ = sandbox.read(H.corpus_bytes("merge_cells.xls"), "merge_cells.xls")
    assert (1, 0, 3, 0) in wb.sheets[0].merged
    wb, _ = sandbox.read(H.corpus_bytes("merged_cells.ods"), "merged_cells.ods")
    assert wb.sheets[0].merged == [(1, 0, 2, 0)]  # calamine reports none for .ods: read from content.xml


def test_used_range_not_at_a1_is_padded(sandbox):
    # corpus: Sheet2 of number_rows_repeated.ods starts at row 2
    wb, _ = sandbox.read(H.corpus_bytes("number_rows_repeated.ods"), "x.ods")
    sheet2 = wb.sheets[1]
    assert sheet2.rows[0] == [None, None]
    assert any(v is not None for v in sheet2.rows[1])


def test_gnumeric_full_dimension_with_small_data_is_read(sandbox):
    # <dimension ref="A1:XFD1048576"/> and empty styled cells down to row 1048576: not refused
    wb, problems = sandbox.read(H.corpus_bytes("issue_174.xlsx"), "issue_174.xlsx")
    assert problems == [] and len(wb.sheets[0].rows) <= 10


def test_xlsm_named_xlsx_is_read(sandbox):
    wb, problems = sandbox.read(H.corpus_bytes("issue221.xlsm"), "bao_cao.xlsx")
    assert problems == [] and wb.format == "xlsm"


@pytest.mark.skipif(not __import__("shutil").which("soffice"), reason="LibreOffice not installed")
def test_xls_and_ods_error_cells(tmp_path, sandbox):
    import subprocess

    src = tmp_path / "loi.xlsx"
    src.write_bytes(H.valid_workbook())
    for ext in ("xls", "ods"):
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{tmp_path}/lo",
                "--headless",
                "--convert-to",
                ext,
                "--outdir",
                str(tmp_path),
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        wb, problems = sandbox.read((tmp_path / f"loi.{ext}").read_bytes(), f"loi.{ext}")
        assert problems == [], problems
        rows = wb.sheets[0].rows
        assert isinstance(rows[8][4], CellError) and rows[8][4].kind == "error", rows[8][4]
        assert rows[7][4] == 15.5  # LibreOffice recalculated and saved the SUM


# --------------------------------------------------------------------------
# Refusals, each by code and Vietnamese message
# --------------------------------------------------------------------------


def test_every_code_has_vietnamese_message_and_hint():
    for code, (message, hint) in MESSAGES.items():
        assert code.startswith("file.")
        assert VIETNAMESE.search(message) and VIETNAMESE.search(hint), code


def test_empty_file(sandbox):
    refused(sandbox.read(b"", "bao_cao.xlsx"), "file.empty")


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (H.PNG, "anh.xlsx", "file.not_spreadsheet"),
        (H.PDF, "bao_cao.pdf", "file.not_spreadsheet"),
        (H.TEXT, "bao_cao.xlsx", "file.text"),
        (H.CSV, "bao_cao.csv", "file.csv"),
        (H.docx_like(), "bao_cao.xlsx", "file.not_spreadsheet"),
        (H.XML_2003, "bao_cao.xls", "file.xml_spreadsheet"),
    ],
)
def test_not_a_spreadsheet(sandbox, data, name, code):
    p = refused(sandbox.read(data, name), code)
    assert name in p.message


def test_not_spreadsheet_names_what_it_is(sandbox):
    assert "PDF" in refused(sandbox.read(H.PDF, "a.xlsx"), "file.not_spreadsheet").message
    assert "Word" in refused(sandbox.read(H.docx_like(), "a.xlsx"), "file.not_spreadsheet").message


def test_html_saved_as_xls(sandbox):
    p = refused(sandbox.read(H.HTML_XLS, "bao_cao.xls"), "file.html_table")
    assert ".xlsx" in p.hint and "Lưu thành" in p.hint


def test_truncated_xlsx(sandbox):
    data = H.valid_workbook()
    for cut in (len(data) // 2, len(data) - 30, 40):
        refused(sandbox.read(data[:cut], "bao_cao.xlsx"), "file.damaged")


def test_corrupt_member_is_damaged(sandbox):
    data = bytearray(H.valid_workbook())
    # flip bytes inside the first compressed member's data
    for i in range(60, 90):
        data[i] ^= 0xFF
    workbook, problems = sandbox.read(bytes(data), "bao_cao.xlsx")
    assert workbook is None and problems[0].code == "file.damaged"


def test_encrypted_ooxml_from_corpus(sandbox):
    for name in ("pass_protected.xlsx", "pass_protected.xlsb", "pass_protected.ods"):
        p = refused(sandbox.read(H.corpus_bytes(name), name), "file.encrypted")
        assert p.message.startswith("Tệp được đặt mật khẩu: hãy gỡ mật khẩu rồi gửi lại")


def test_encrypted_ole2_built(sandbox):
    refused(sandbox.read(H.fake_encrypted_ooxml(), "bao_cao.xlsx"), "file.encrypted")


def test_old_xls_renamed_xlsx(sandbox):
    p = refused(sandbox.read(H.corpus_bytes("date.xls"), "bao_cao.xlsx"), "file.wrong_extension")
    assert "Lưu lại dưới dạng .xlsx" in p.hint
    assert ".xls" in p.message


def test_xlsx_named_xls(sandbox):
    p = refused(sandbox.read(H.valid_workbook(), "bao_cao.xls"), "file.wrong_extension")
    assert "Lưu lại dưới dạng .xlsx" in p.hint


def test_no_extension_is_read_by_content(sandbox):
    wb, problems = sandbox.read(H.valid_workbook(), "bao_cao")
    assert problems == [] and wb.format == "xlsx"


@pytest.mark.parametrize("in_shared_strings", [False, True])
def test_xml_entity_expansion(sandbox, in_shared_strings):
    p = refused(sandbox.read(H.billion_laughs_xlsx(in_shared_strings), "bao_cao.xlsx"), "file.xml_entities")
    assert ("sharedStrings" if in_shared_strings else "sheet1") in p.message


def test_zip_bomb_declared(sandbox):
    data = H.zip_bomb_xlsx(2600)
    assert 2_000_000 < len(data) < 3_500_000
    p = refused(sandbox.read(data, "bao_cao.xlsx"), "file.zip_bomb")
    assert "GB" in p.message


def test_zip_bomb_with_lying_sizes(sandbox):
    workbook, problems = sandbox.read(H.zip_bomb_xlsx(2600, declare_truthfully=False), "bao_cao.xlsx")
    assert workbook is None
    assert problems[0].code in ("file.damaged", "file.zip_bomb")


def test_file_over_size_limit(sandbox):
    data = b"PK\x03\x04" + b"\x00" * (LIMITS.max_file_bytes + 1)
    p = refused(sandbox.read(data, "bao_cao.xlsx"), "file.too_large")
    assert "MB" in p.message


@pytest.mark.parametrize("with_dimension", [True, False])
def test_cell_at_xfd1048576(sandbox, with_dimension):
    p = refused(sandbox.read(H.far_cell_xlsx("XFD1048576", with_dimension), "bao_cao.xlsx"), "file.sheet_too_large")
    assert p.sheet == "Biểu 01" and "XFD1048576" in p.message


@pytest.mark.parametrize(
    "ref, body",
    [
        ("A20001", None),  # one row past LIMITS.max_sheet_rows
        ("GS1", None),  # column 201, one past LIMITS.max_sheet_cols
        ("a30000", '<row r="30000"><c r="a30000" t="n"><v>1</v></c></row>'),  # lower-case reference
        ("$B$30000", '<row r="30000"><c r="$B$30000" t="n"><v>1</v></c></row>'),  # absolute reference
    ],
)
def test_cells_just_past_the_limits_are_refused(sandbox, ref, body):
    data = H.minimal_xlsx(H.sheet_xml(body)) if body else H.far_cell_xlsx(ref, with_dimension=False)
    refused(sandbox.read(data, "bao_cao.xlsx"), "file.sheet_too_large")


@pytest.mark.parametrize("ref, row, col", [("A20000", 19999, 0), ("GR1", 0, 199)])
def test_cells_at_the_limits_and_empty_styled_cells_beyond_are_read(sandbox, ref, row, col):
    """The last row (20.000) and the last column (GR = 200) are allowed; a formatted but empty
    cell beyond them holds nothing to read. (Both at once would pass LIMITS.max_cells.)"""
    body = (
        '<row r="1"><c r="A1" t="n"><v>7</v></c></row>'
        f'<row r="{row + 1}"><c r="{ref}" t="n"><v>1</v></c></row>'
        '<row r="20001"><c r="A20001" s="1"/><c r="GS20001" s="1"/></row>'
    )
    wb, problems = sandbox.read(H.minimal_xlsx(H.sheet_xml(body)), "bao_cao.xlsx")
    assert problems == [] and isinstance(wb, RawWorkbook)
    rows = wb.sheets[0].rows
    assert rows[0][0] == 7 and rows[row][col] == 1


def test_member_with_bad_crc_is_damaged(sandbox):
    good = H.minimal_xlsx(H.sheet_xml('<row r="1"><c r="A1" t="n"><v>1</v></c></row>'), level=0)
    marker = b"<v>1</v>"
    i = good.index(marker)
    bad = good[:i] + b"<v>9</v>" + good[i + len(marker) :]  # same size, stored member, CRC now wrong
    refused(sandbox.read(bad, "bao_cao.xlsx"), "file.damaged")


def test_million_rows(sandbox):
    p = refused(sandbox.read(H.million_rows_xlsx(), "bao_cao.xlsx"), "file.sheet_too_large")
    assert "A20001" in p.message


def test_ods_asking_for_billions_of_cells(sandbox):
    refused(sandbox.read(H.corpus_bytes("issue_594_dos.ods"), "issue_594_dos.ods"), "file.sheet_too_large")


def test_preflight_alone_never_raises():
    for data in (b"", b"PK", b"PK\x03\x04garbage", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xff" * 100):
        fmt, problems = preflight(data, "x.xlsx")
        assert fmt is None and problems


# --------------------------------------------------------------------------
# The worker: caps, replacement, threads
# --------------------------------------------------------------------------


def test_worker_has_no_pandas(sandbox):
    sandbox.read(H.valid_workbook(), "a.xlsx")
    maps = open(f"/proc/{sandbox.worker_pid}/maps").read()
    assert "pandas" not in maps and "numpy" not in maps


def test_timeout_refusal_then_next_read_works():
    limits = replace(
        LIMITS, worker_timeout_s=0.2, max_sheet_rows=2_000_000, max_cells=10**9, max_uncompressed_bytes=10**9
    )
    box = Sandbox(limits)
    try:
        box.read(H.formulas_xlsx(), "warm.xlsx")  # the worker is up
        first_pid = box.worker_pid
        p = refused(box.read(H.million_rows_xlsx(), "bao_cao.xlsx"), "file.timeout")
        assert "0,2" in p.message
        assert box.worker_pid != first_pid
        wb, problems = box.read(H.formulas_xlsx(), "bao_cao.xlsx")
        assert problems == [] and wb.sheets[0].rows[0] == ["có giá trị", 2]
    finally:
        box.close()


def test_memory_cap_crash_refusal_then_next_read_works():
    limits = replace(
        LIMITS,
        worker_memory_bytes=120 * 1024 * 1024,
        worker_timeout_s=60,
        max_sheet_rows=2_000_000,
        max_cells=10**9,
        max_uncompressed_bytes=10**9,
    )
    box = Sandbox(limits)
    try:
        workbook, problems = box.read(H.million_rows_xlsx(), "bao_cao.xlsx")
        assert workbook is None
        assert problems[0].code == "file.worker_crashed", problems
        assert VIETNAMESE.search(problems[0].message)
        wb, problems = box.read(H.formulas_xlsx(), "bao_cao.xlsx")
        assert problems == [] and wb is not None
    finally:
        box.close()


def test_killed_worker_is_replaced(sandbox):
    sandbox.read(H.formulas_xlsx(), "a.xlsx")
    os.kill(sandbox.worker_pid, signal.SIGKILL)
    wb, problems = sandbox.read(H.formulas_xlsx(), "a.xlsx")
    assert problems == [] and wb is not None


def test_worker_is_reused(sandbox):
    sandbox.read(H.formulas_xlsx(), "a.xlsx")
    pid = sandbox.worker_pid
    for _ in range(5):
        sandbox.read(H.formulas_xlsx(), "a.xlsx")
    assert sandbox.worker_pid == pid


def test_threads_share_one_worker_safely(sandbox):
    inputs = [
        (H.formulas_xlsx(), "a.xlsx", "ok"),
        (H.far_cell_xlsx(), "b.xlsx", "file.sheet_too_large"),
        (H.PNG, "c.xlsx", "file.not_spreadsheet"),
    ]
    results: list[tuple[str, str]] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        data, name, expected = inputs[i % 3]
        wb, problems = sandbox.read(data, name)
        got = "ok" if wb is not None else problems[0].code
        with lock:
            results.append((expected, got))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 12 and all(e == g for e, g in results), results


def test_public_entry_point_never_raises_on_odd_input():
    wb, problems = read_workbook_safely(bytearray(b"\x00" * 10), None)  # type: ignore[arg-type]
    assert wb is None and problems


# --------------------------------------------------------------------------
# Random damage
# --------------------------------------------------------------------------

VALID = H.valid_workbook()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    flips=st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(1, 255)), min_size=1, max_size=8),
    cut=st.one_of(st.none(), st.integers(0, len(VALID))),
)
def test_random_damage_always_gives_a_verdict(sandbox, flips, cut):
    data = bytearray(VALID)
    for pos, mask in flips:
        data[pos] ^= mask
    if cut is not None:
        data = data[:cut]
    workbook, problems = sandbox.read(bytes(data), "bao_cao.xlsx")
    if workbook is None:
        assert problems and problems[0].code.startswith("file.")
        assert VIETNAMESE.search(problems[0].message)
    else:
        assert problems == [] and isinstance(workbook, RawWorkbook)


def test_cells_without_reference_attribute(sandbox):
    body = '<row r="1"><c t="inlineStr"><is><t>a</t></is></c><c t="e"><v>#N/A</v></c><c><f>A1</f></c></row>'
    wb, problems = sandbox.read(H.minimal_xlsx(H.sheet_xml(body)), "a.xlsx")
    assert problems == []
    assert wb.sheets[0].rows[0] == ["a", CellError("error", "#N/A"), CellError("no_value", "=A1")]
    far = '<row r="1"><c><v>1</v></c></row><row r="30000"><c><v>2</v></c></row>'
    p = refused(sandbox.read(H.minimal_xlsx(H.sheet_xml(far)), "a.xlsx"), "file.sheet_too_large")
    assert "A30000" in p.message


def test_far_column_refused(sandbox):
    p = refused(sandbox.read(H.far_cell_xlsx("ZZ5", with_dimension=False), "a.xlsx"), "file.sheet_too_large")
    assert "ZZ5" in p.message
