"""Gửi báo cáo: the flow functions (ui/upload_flow.py) and the page through app.py (AppTest)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from loaders.forms import LIMITS
from storage import db, queries
from storage.ingest import existing_versions
from storage.queries import Filters
from storage.registry import load_registry
from tests.conftest import ROOT
from tests.page_helpers import TEST_ACCOUNTS, login
from tests.upload_helpers import (
    XLSX_MIME,
    attendance_rows,
    bad_attendance_xlsx,
    far_cell_xlsx,
    hostile_text_xlsx,
    propaganda_rows,
    registry_database,
    report_xlsx,
    row_counts,
    zip_bomb_xlsx,
)
from ui import upload_flow as flow

TODAY = dt.date(2026, 4, 28)
PERIOD = "2026-02"
UNIT = "KDC03"
NAMES = {UNIT: "Chi bộ Khu dân cư số 3"}


@pytest.fixture()
def url(tmp_path):
    return registry_database(tmp_path / "upload.db")


@pytest.fixture()
def engine(url):
    e = db.get_engine(url)
    yield e
    e.dispose()


@pytest.fixture()
def registry(engine):
    return load_registry(engine)


def check(engine, registry, data, name="cb-kdc3-t02.xlsx"):
    return flow.check_upload(engine, data, name, registry=registry, today=TODAY)


# ====================================================================== flow


def test_valid_file_is_checked_described_and_stored_only_on_confirm(engine, registry):
    before = row_counts(engine)
    sent = report_xlsx()
    fc = check(engine, registry, sent)
    assert fc.accepted and fc.result.unit.value == UNIT and fc.result.period.value == PERIOD
    assert row_counts(engine) == before  # checking stores nothing
    assert fc.existing == {} and flow.replacement_notice(fc, NAMES) is None

    recognised = flow.recognised_table(fc.result, NAMES)
    assert recognised["Nhận ra"].tolist() == ["Chi bộ Khu dân cư số 3 (KDC03)", "Tháng 02/2026"]
    summary = flow.summary_table(fc.result)
    assert summary["Biểu"].tolist() == ["Biểu 02", "Biểu 03"]
    assert summary["Số dòng"].tolist() == ["2", "1"]
    assert "Số lượng: 10" in summary.loc[0, "Tổng"] and "Số có mặt: 55" in summary.loc[1, "Tổng"]

    preview = flow.preview_frame(fc.result, "propaganda")
    assert list(preview.columns)[:4] == ["Dòng", "Hình thức tuyên truyền", "Nội dung tuyên truyền", "Số lượng"]
    assert preview["Hình thức tuyên truyền"].tolist() == ["Cổng thông tin điện tử", "Mạng xã hội"]  # labels, not keys
    assert preview["Đơn vị tính"].tolist() == ["bài", "bài"]
    assert preview["Thời gian"].tolist() == ["15/02/2026", "15/02/2026"]
    assert preview["Dòng"].tolist() == ["8", "9"]
    att = flow.preview_frame(fc.result, "attendance")
    assert att.loc[0, "Hình thức"] == "Trực tiếp" and att.loc[0, "Thành phần"] == "Đảng viên"

    assert queries.totals(engine, Filters(unit=UNIT)) == {}
    outcome = flow.store_checked(engine, fc, sender="Nguyễn Văn A")
    assert outcome.stored and outcome.versions == {"propaganda": 1, "attendance": 1}
    totals = queries.totals(engine, Filters(unit=UNIT, period_from=PERIOD, period_to=PERIOD))
    assert totals["propaganda"] == {"rows": 2, "quantity": 10, "reach": 200}
    assert totals["attendance"] == {"rows": 1, "invited": 60, "present": 55}
    assert flow.stored_message(outcome, NAMES).startswith("Đã lưu báo cáo của Chi bộ Khu dân cư số 3, Tháng 02/2026")

    history = flow.history_table(queries.submission_history(engine, UNIT))
    assert len(history) == 1
    row = history.iloc[0]
    assert row["Người gửi"] == "Nguyễn Văn A" and row["Biểu"] == "Biểu 02, Biểu 03" and row["Phiên bản"] == "1"
    assert row["Hiện hành"] == "Đang dùng" and row["Tệp"] == "cb-kdc3-t02.xlsx"
    dt.datetime.strptime(row["Thời điểm nhận"], "%d/%m/%Y %H:%M")  # dd/mm/yyyy HH:MM
    assert "Mã lần gửi" not in history.columns  # no internal id shown
    name, data = flow.submission_bytes(engine, flow.history_ids(queries.submission_history(engine, UNIT))[0])
    assert name == "cb-kdc3-t02.xlsx" and data == sent  # byte for byte


def test_same_file_twice_is_a_duplicate_not_a_new_version(engine, registry):
    sent = report_xlsx()  # openpyxl stamps the save time: build the bytes once
    flow.store_checked(engine, check(engine, registry, sent), sender="A")
    before = row_counts(engine)
    again = check(engine, registry, sent)
    outcome = flow.store_checked(engine, again, sender="A")
    assert outcome.duplicate and not outcome.stored
    assert row_counts(engine) == before
    assert "đã được gửi" in flow.stored_message(outcome, NAMES)
    assert "Tệp này đã được gửi lúc" in flow.stored_message(outcome, NAMES, again)  # says when (issue 13)


def test_refused_file_lists_every_problem_and_stores_nothing(engine, registry):
    before = row_counts(engine)
    fc = check(engine, registry, bad_attendance_xlsx())
    assert not fc.accepted
    table = flow.problems_table(fc.problems)
    assert list(table.columns) == ["Biểu (trang tính)", "Ô", "Mức độ", "Lỗi", "Cách sửa"]
    hit = table[table["Ô"] == "G8"]
    assert len(hit) == 1 and hit.iloc[0]["Biểu (trang tính)"] == "Biểu 03" and hit.iloc[0]["Mức độ"] == "Lỗi"
    assert "Số có mặt (65)" in hit.iloc[0]["Lỗi"] and hit.iloc[0]["Cách sửa"]
    outcome = flow.store_checked(engine, fc, sender="A")
    assert not outcome.stored
    assert row_counts(engine) == before
    copy = flow.highlighted_copy(fc)
    assert copy is not None
    content, name = copy
    assert name == "cb-kdc3-t02_can-sua.xlsx"
    ws = load_workbook(io.BytesIO(content))["Biểu 03"]
    assert ws["G8"].comment is not None and "Số có mặt (65)" in ws["G8"].comment.text


def test_wrong_type_and_oversized_files_are_refused_before_reading(engine, registry):
    fc = check(engine, registry, b"%PDF-1.4 ...", "bao-cao.pdf")
    assert not fc.accepted and fc.result.errors[0].code == "upload.file_type"
    assert ".pdf" in fc.result.errors[0].message and ".xlsx" in fc.result.errors[0].hint
    assert flow.highlighted_copy(fc) is None
    fc = check(engine, registry, b"PK\x03\x04" + b"\0" * 10, "khong-duoi")
    assert fc.result.errors[0].code == "upload.file_type" and "(không có đuôi)" in fc.result.errors[0].message
    big = b"PK\x03\x04" + b"\0" * LIMITS.max_file_bytes
    fc = check(engine, registry, big, "lon.xlsx")
    assert not fc.accepted and fc.result.errors[0].code == "file.too_large"
    assert "20,0 MB" in fc.result.errors[0].message


@pytest.mark.parametrize("maker,code", [(zip_bomb_xlsx, "file.zip_bomb"), (far_cell_xlsx, "file.sheet_too_large")])
def test_hostile_files_are_refused_without_a_highlighted_copy(engine, registry, maker, code):
    before = row_counts(engine)
    fc = check(engine, registry, maker(), "hostile.xlsx")
    assert not fc.accepted and [p.code for p in fc.result.errors] == [code]
    assert not fc.highlight_possible and flow.highlighted_copy(fc) is None
    assert row_counts(engine) == before
    # and the next file is served normally
    assert check(engine, registry, report_xlsx()).accepted


def test_replacement_is_announced_and_becomes_version_2(engine, registry):
    flow.store_checked(engine, check(engine, registry, report_xlsx()), sender="A")
    newer = report_xlsx(propaganda=propaganda_rows(3, quantity=7), with_attendance=False)
    fc = check(engine, registry, newer, "cb-kdc3-t02-sua.xlsx")
    assert fc.existing == {"propaganda": 1}
    notice = flow.replacement_notice(fc, NAMES)
    assert "Biểu 02 (đang có phiên bản 1, bản mới sẽ là phiên bản 2)" in notice and "lịch sử" in notice
    outcome = flow.store_checked(engine, fc, sender="B")
    assert outcome.versions == {"propaganda": 2}
    assert "Bản cũ (Biểu 02 phiên bản 1)" in flow.stored_message(outcome, NAMES)
    totals = queries.totals(engine, Filters(unit=UNIT, period_from=PERIOD, period_to=PERIOD))
    assert totals["propaganda"]["quantity"] == 21  # only the current version counts
    assert totals["attendance"]["present"] == 55  # Biểu 03 untouched
    history = flow.history_table(queries.submission_history(engine, UNIT))
    assert history["Phiên bản"].tolist() == ["2", "1"]
    assert history["Người gửi"].tolist() == ["B", "A"]
    assert existing_versions(engine, UNIT, PERIOD, ["propaganda", "attendance"]) == {"propaganda": 2, "attendance": 1}


def test_batch_of_mixed_files_with_progress(engine, registry):
    files = [
        ("kdc3.xlsx", report_xlsx()),
        ("sai.xlsx", bad_attendance_xlsx()),
        ("kdc4.xlsx", report_xlsx(unit_name="Chi bộ Khu dân cư số 4")),
        ("ghi-chu.docx", b"PK\x03\x04 not a workbook"),
        ("bomb.xlsx", zip_bomb_xlsx()),
    ]
    seen = []
    checks = flow.check_uploads(
        engine, files, registry=registry, today=TODAY, progress=lambda i, n, name: seen.append((i, n))
    )
    assert seen == [(0, 5), (1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    assert [c.accepted for c in checks] == [True, False, True, False, False]
    before = row_counts(engine)
    for c in checks:
        flow.store_checked(engine, c, sender="A")
    after = row_counts(engine)
    assert after["submissions"] == before["submissions"] + 2
    units = {u: queries.totals(engine, Filters(unit=u)) for u in ("KDC03", "KDC04")}
    assert units["KDC03"]["propaganda"]["quantity"] == 10 and units["KDC04"]["attendance"]["invited"] == 60


def test_batch_conflicts_are_noted():
    a = flow.FileCheck("a.xlsx", b"a", _result(True, "KDC03", "2026-02", ["attendance"]))
    b = flow.FileCheck("b.xlsx", b"b", _result(True, "KDC03", "2026-02", ["attendance"]))
    c = flow.FileCheck("c.xlsx", b"c", _result(False, "KDC03", "2026-02", ["attendance"]))
    notes = flow.batch_conflicts([a, b, c])
    assert len(notes) == 1 and "2 tệp" in notes[0] and "Biểu 03" in notes[0]


def _result(accepted, unit, period, forms):
    from loaders.result import CheckResult, FoundValue

    r = CheckResult(file="x", accepted=accepted, unit=FoundValue(unit), period=FoundValue(period))
    r.forms = dict.fromkeys(forms)
    return r


def test_unexpected_failure_refuses_that_file_only(engine, registry, monkeypatch):
    import loaders.check

    real = loaders.check.check_bytes

    def flaky(data, filename, **kw):
        if filename == "loi.xlsx":
            raise RuntimeError("boom")
        return real(data, filename, **kw)

    monkeypatch.setattr(loaders.check, "check_bytes", flaky)
    checks = flow.check_uploads(
        engine, [("loi.xlsx", b"x"), ("ok.xlsx", report_xlsx())], registry=registry, today=TODAY
    )
    assert checks[0].result.errors[0].code == "upload.internal_error"
    assert "boom" not in checks[0].result.errors[0].message  # no internals shown
    assert checks[1].accepted


def test_template_download_is_the_units_template(registry):
    data = flow.template_bytes(registry, UNIT, "2026-03")
    wb = load_workbook(io.BytesIO(data))
    text = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows(max_row=12) for c in row if c.value)
    assert "Chi bộ Khu dân cư số 3" in text or "CHI BỘ KHU DÂN CƯ SỐ 3" in text
    assert "03/2026" in text
    assert flow.template_filename(UNIT, "2026-03") == "mau-bao-cao_KDC03_2026-03.xlsx"


def test_period_choices_and_markdown_escape():
    choices = flow.period_choices(dt.date(2026, 1, 15))
    assert choices[:3] == ["2026-02", "2026-01", "2025-12"]
    assert choices[-4:] == ["2026-Q1", "2025-Q4", "2025-Q3", "2025-Q2"]
    assert flow.md_escape("**bold** <script>") == r"\*\*bold\*\* \<script\>"
    assert flow.md_escape(":red[x]") == r"\:red\[x\]"


# ====================================================================== page (AppTest through app.py)


# The office test account sends in the page tests; its name is the sender (issue 12).
SENDER = f"{TEST_ACCOUNTS['office']['display_name']} ({TEST_ACCOUNTS['office']['username']})"
SENDER_MD = "Người gửi: **Văn phòng \\(kiểm thử\\) \\(test\\.vanphong\\)**"


def open_upload(url: str, role: str = "office") -> AppTest:
    """app.py logged in as ``role`` (the office may send for every unit), then the upload page
    (``page_env`` has set DATABASE_URL to ``url``)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    login(at, url, role)
    at.run()
    at.switch_page("pages/upload.py")
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture()
def page_env(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DASHBOARD_TODAY", TODAY.isoformat())
    return url


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader(key="upload_files").set_value([(n, d, XLSX_MIME) for n, d in files])
    at.run()
    assert not at.exception, at.exception
    return at


def buttons(at: AppTest, label: str):
    return [b for b in at.button if b.label == label]


def frames(at: AppTest):
    return [d.value for d in at.dataframe]


def texts(at: AppTest) -> list[str]:
    out = []
    for kind in ("markdown", "success", "error", "warning", "info", "caption", "title", "subheader"):
        out += [str(e.value) for e in getattr(at, kind)]
    return out


def test_page_valid_upload_confirmed_stored_and_on_the_dashboard(page_env, engine):
    at = open_upload(page_env)
    assert [s.value for s in at.subheader][:3] == [
        "1. Đơn vị và tệp mẫu",
        "2. Gửi tệp báo cáo",
        "3. Lịch sử gửi báo cáo",
    ]
    upload(at, ("cb-kdc3-t02.xlsx", report_xlsx()))
    assert any("1 tệp hợp lệ, 0 tệp bị từ chối" in t for t in texts(at))
    assert any(list(f.columns) == flow.SUMMARY_COLUMNS and f["Số dòng"].tolist() == ["2", "1"] for f in frames(at))
    # the sender is the logged-in account, never a text box (issue 12)
    assert not [t for t in at.text_input if t.key == "upload_sender"]
    assert any(SENDER_MD in m.value for m in at.markdown)
    assert row_counts(engine)["submissions"] == 0
    (confirm,) = buttons(at, "Xác nhận gửi")
    assert not confirm.disabled
    confirm.click().run()
    assert not at.exception
    assert any("Đã lưu báo cáo của Chi bộ Khu dân cư số 3, Tháng 02/2026" in s.value for s in at.success)
    assert not buttons(at, "Xác nhận gửi")  # stored once, no second button
    assert row_counts(engine)["submissions"] == 1
    totals = queries.totals(engine, Filters(period_from=PERIOD, period_to=PERIOD))
    assert totals["propaganda"]["quantity"] == 10 and totals["attendance"]["present"] == 55

    # the unit's history on the same page
    at.selectbox(key="upload_unit").set_value(UNIT).run()
    history = [f for f in frames(at) if list(f.columns) == flow.HISTORY_COLUMNS]
    assert len(history) == 1 and history[0].loc[0, "Người gửi"] == SENDER

    # and on the dashboard: a link to the overview of that month, opened by the leadership
    from tests.page_helpers import run_page

    board = run_page(
        page_env,
        "pages/overview.py",
        params={"kind": "month", "period": PERIOD},
        today=TODAY.isoformat(),
        role="leader",
    )
    assert not board.exception
    metrics = {m.label: m.value for m in board.metric}
    assert metrics["Tin, bài, buổi tuyên truyền"] == "10"
    assert metrics["Tỷ lệ tham dự"] == "91,7%"  # 55 / 60


def test_page_refused_upload_shows_the_cell_and_stores_nothing(page_env, engine):
    at = open_upload(page_env)
    before = row_counts(engine)
    upload(at, ("cb-kdc3-t02.xlsx", bad_attendance_xlsx()))
    assert any("Tệp bị từ chối: 1 lỗi (liệt kê trong bảng dưới đây). Chưa có gì được lưu." in e.value for e in at.error)
    problems = [f for f in frames(at) if list(f.columns) == flow.PROBLEM_COLUMNS]
    assert len(problems) == 1
    assert problems[0].loc[0, "Ô"] == "G8" and problems[0].loc[0, "Biểu (trang tính)"] == "Biểu 03"
    assert "Số có mặt (65) lớn hơn số được triệu tập (60)" in problems[0].loc[0, "Lỗi"]
    assert not buttons(at, "Xác nhận gửi")
    downloads = at.get("download_button")
    assert any(d.proto.label == "Tải tệp của bạn đã đánh dấu ô lỗi" for d in downloads)
    assert row_counts(engine) == before


def test_page_replacement_warns_and_creates_version_2(page_env, engine):
    at = open_upload(page_env)
    upload(at, ("t02.xlsx", report_xlsx()))
    buttons(at, "Xác nhận gửi")[0].click().run()
    newer = report_xlsx(attendance=attendance_rows(invited=70, present=66, excused=4), with_propaganda=False)
    upload(at, ("t02-sua.xlsx", newer))
    warnings = [w.value for w in at.warning]
    assert any("Biểu 03 (đang có phiên bản 1, bản mới sẽ là phiên bản 2)" in w for w in warnings)
    (confirm,) = buttons(at, "Xác nhận gửi và thay thế bản cũ")
    confirm.click().run()
    assert any("Biểu 03 (phiên bản 2)" in s.value and "Bản cũ" in s.value for s in at.success)
    assert existing_versions(engine, UNIT, PERIOD, ["attendance", "propaganda"]) == {"attendance": 2, "propaganda": 1}
    assert queries.totals(engine, Filters(unit=UNIT))["attendance"]["present"] == 66


def test_page_batch_of_mixed_files(page_env, engine):
    at = open_upload(page_env)
    upload(
        at,
        ("kdc3.xlsx", report_xlsx()),
        ("sai.xlsx", bad_attendance_xlsx()),
        ("kdc4.xlsx", report_xlsx(unit_name="Chi bộ Khu dân cư số 4")),
        ("anh.png", b"\x89PNG\r\n\x1a\n"),
    )
    assert any("Đã kiểm tra 4 tệp: 2 tệp hợp lệ, 2 tệp bị từ chối." in t for t in texts(at))
    assert len(at.error) == 2
    refusals = [f for f in frames(at) if list(f.columns) == flow.PROBLEM_COLUMNS]
    assert any("anh.png" in f.loc[0, "Lỗi"] and ".png" in f.loc[0, "Lỗi"] for f in refusals)
    (confirm_all,) = buttons(at, "Xác nhận gửi tất cả 2 tệp hợp lệ")
    confirm_all.click().run()
    assert not at.exception
    assert len([s for s in at.success if s.value.startswith("Đã lưu báo cáo")]) == 2
    assert row_counts(engine)["submissions"] == 2
    assert set(queries.submission_history(engine, "KDC04")["sender"]) == {SENDER}


def test_page_hostile_files_are_refused_and_the_server_keeps_serving(page_env, engine):
    at = open_upload(page_env)
    before = row_counts(engine)
    upload(at, ("bomb.xlsx", zip_bomb_xlsx()), ("far.xlsx", far_cell_xlsx()))
    codes_shown = " ".join(f.loc[0, "Lỗi"] for f in frames(at) if list(f.columns) == flow.PROBLEM_COLUMNS)
    assert "cấu trúc nén bất thường" in codes_shown and "XFD1048576" in codes_shown
    assert len(at.error) == 2
    assert not at.get("download_button") or all(
        d.proto.label != "Tải tệp của bạn đã đánh dấu ô lỗi" for d in at.get("download_button")
    )
    assert row_counts(engine) == before
    # another user, and the same session, are served as usual
    other = open_upload(page_env)
    upload(other, ("kdc3.xlsx", report_xlsx()))
    assert buttons(other, "Xác nhận gửi")
    upload(at, ("kdc3.xlsx", report_xlsx()))
    assert buttons(at, "Xác nhận gửi")


def test_page_shows_file_text_as_text_never_markup(page_env, engine):
    at = open_upload(page_env)
    rows = propaganda_rows(2)
    rows[0][1] = "<script>alert(1)</script>"  # an unknown channel: the error message quotes it
    rows[1][1] = "**bold**"
    upload(
        at,
        ("<b>x</b>**tep**.xlsx", hostile_text_xlsx()),
        ("sai.xlsx", report_xlsx(propaganda=rows, with_attendance=False)),
    )
    previews = [f for f in frames(at) if "Đường dẫn, ghi chú" in f.columns]
    assert previews and previews[0]["Đường dẫn, ghi chú"].tolist() == ["<script>alert(1)</script>", "**bold**"]
    problems = " ".join(" ".join(f["Lỗi"]) for f in frames(at) if list(f.columns) == flow.PROBLEM_COLUMNS)
    assert "<script>alert(1)</script>" in problems and "**bold**" in problems
    for t in texts(at):  # nothing from the file reaches Markdown unescaped
        assert "<script>" not in t and "**bold**" not in t and "<b>x</b>" not in t
    assert any(r"\<b\>x\</b\>\*\*tep\*\*\.xlsx" in m.value for m in at.markdown)


def test_page_template_and_history_downloads(page_env, engine):
    at = open_upload(page_env)
    labels = [d.proto.label for d in at.get("download_button")]
    assert not any(label.startswith("Tải tệp mẫu") for label in labels)  # no unit chosen yet
    at.selectbox(key="upload_unit").set_value(UNIT).run()
    assert at.selectbox(key="upload_period").value == "2026-04"  # the current month by default
    labels = [d.proto.label for d in at.get("download_button")]
    assert "Tải tệp mẫu Tháng 04/2026" in labels
    assert any(f"{NAMES[UNIT]} chưa gửi báo cáo nào." in i.value for i in at.info)

    # a file of another unit than the one chosen is flagged before confirming
    upload(at, ("kdc4.xlsx", report_xlsx(unit_name="Chi bộ Khu dân cư số 4")))
    assert any("không phải của đơn vị đang chọn" in w.value for w in at.warning)
    upload(at, ("kdc3.xlsx", report_xlsx()))
    buttons(at, "Xác nhận gửi")[0].click().run()
    history = [f for f in frames(at) if list(f.columns) == flow.HISTORY_COLUMNS]
    assert len(history) == 1 and history[0]["Tệp"].tolist() == ["kdc3.xlsx"]
    newest = flow.history_ids(queries.submission_history(engine, UNIT))[0]
    assert at.selectbox(key="upload_history_pick").value == newest
    assert "Tải tệp đã gửi" in [d.proto.label for d in at.get("download_button")]


def test_unit_mismatch_notice_only_when_units_differ(engine, registry):
    fc = check(engine, registry, report_xlsx())
    assert flow.unit_mismatch_notice(fc, None, NAMES) is None
    assert flow.unit_mismatch_notice(fc, UNIT, NAMES) is None
    assert "không phải của đơn vị đang chọn" in flow.unit_mismatch_notice(fc, "KDC04", NAMES)


def test_cells_to_fix_lists_each_error_cell_once():
    from loaders.result import Problem

    problems = [
        Problem("a", "m", sheet="Biểu 03", cell="G8"),
        Problem("b", "m", sheet="Biểu 03", cell="G8"),
        Problem("c", "m", sheet="Biểu 02", cell="D9"),
        Problem("d", "m", sheet="Biểu 02", cell="E9", severity="warning"),
        Problem("e", "m"),
    ]
    assert flow.cells_to_fix(problems) == "Biểu 03!G8, Biểu 02!D9"
