"""The upload page says what will happen before it happens (issue 13), through app.py (AppTest, logged in):
an identical file says when it was sent and offers nothing to confirm; a replacement shows old and new
totals per form; a late report says "nộp muộn" with the due date before and after confirming; the
history shows no internal id and its download picker follows the newest submission."""

from __future__ import annotations

import pytest

from storage import db, queries
from tests.test_upload import TODAY, buttons, frames, open_upload, upload
from tests.upload_helpers import propaganda_rows, registry_database, report_xlsx, row_counts
from ui import upload_flow as flow

UNIT = "KDC03"


@pytest.fixture()
def page_url(tmp_path, monkeypatch):
    url = registry_database(tmp_path / "preview-page.db")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DASHBOARD_TODAY", TODAY.isoformat())  # 28/04/2026: a February report is late
    return url


def _confirm(at):
    (confirm,) = [b for b in at.button if b.label.startswith("Xác nhận gửi")]
    confirm.click().run()
    assert not at.exception, at.exception


def test_late_then_identical_then_replacement(page_url):
    engine = db.get_engine(page_url)
    at = open_upload(page_url)
    sent = report_xlsx()

    # 1. late: said before confirming, with the due date, and again after
    upload(at, ("cb-kdc3-t02.xlsx", sent))
    late = [w.value for w in at.warning if "nộp muộn" in w.value]
    assert late and late[0].startswith("Báo cáo nộp muộn: hạn nộp Tháng 02/2026 là 25/02/2026.")
    assert row_counts(engine)["submissions"] == 0
    _confirm(at)
    (stored,) = [s.value for s in at.success if s.value.startswith("Đã lưu báo cáo")]
    assert "nộp muộn: hạn nộp Tháng 02/2026 là 25/02/2026" in stored

    # 2. the same bytes again: when it was sent, nothing to confirm, nothing stored
    at.file_uploader(key="upload_files").set_value([]).run()
    before = row_counts(engine)
    upload(at, ("lai-lan-nua.xlsx", sent))
    (info,) = [i.value for i in at.info if i.value.startswith("Tệp này đã được gửi lúc")]
    assert "người gửi: " in info and "không lưu gì thêm" in info
    assert not buttons(at, "Xác nhận gửi") and not buttons(at, "Xác nhận gửi và thay thế bản cũ")
    assert not any("phiên bản 2" in w.value for w in at.warning)
    assert row_counts(engine) == before

    # 3. a real replacement: old -> new totals per form, before confirming
    at.file_uploader(key="upload_files").set_value([]).run()
    newer = report_xlsx(propaganda=propaganda_rows(3, quantity=7), with_attendance=False)
    upload(at, ("sua.xlsx", newer))
    (table,) = [f for f in frames(at) if list(f.columns) == flow.REPLACEMENT_COLUMNS]
    row = table[table["Số liệu"] == "Số lượng"].iloc[0]
    assert (row["Biểu"], row["Bản đang dùng"], row["Bản mới"], row["Thay đổi"]) == (
        "Biểu 02 (phiên bản 1 → 2)",
        "10",
        "21",
        "+11",
    )
    # the first report already decided lateness: the replacement says so, not "late" anew
    assert any("đã được tính là nộp muộn" in w.value for w in at.warning)
    _confirm(at)
    assert queries.totals(engine, queries.Filters(unit=UNIT))["propaganda"]["quantity"] == 21

    # the history: no internal id, and the picker is on the newest submission
    at.selectbox(key="upload_unit").set_value(UNIT).run()
    history = [f for f in frames(at) if "Tệp" in f.columns and "Kỳ báo cáo" in f.columns]
    assert history and "Mã lần gửi" not in history[0].columns
    newest = flow.history_ids(queries.submission_history(engine, UNIT))[0]
    assert at.selectbox(key="upload_history_pick").value == newest
    assert "#" not in at.selectbox(key="upload_history_pick").format_func(newest)

    # another submission stored: the picker follows it
    at.file_uploader(key="upload_files").set_value([]).run()
    upload(at, ("sua-2.xlsx", report_xlsx(propaganda=propaganda_rows(1, quantity=4), with_attendance=False)))
    _confirm(at)
    at.run()
    newest2 = flow.history_ids(queries.submission_history(engine, UNIT))[0]
    assert newest2 != newest and at.selectbox(key="upload_history_pick").value == newest2
    engine.dispose()
