"""Say what happens before it happens (issue 13): a copy already sent, a replacement's old -> new totals,
a late report -- through ui/upload_flow.py on a real SQLite database, and stored nothing until confirmed."""

from __future__ import annotations

import datetime as dt

import pytest

from storage import db, queries, upload_preview
from storage.queries import Filters
from storage.registry import load_registry
from tests.upload_helpers import propaganda_rows, registry_database, report_xlsx, row_counts
from ui import upload_flow as flow

UNIT = "KDC03"
PERIOD = "2026-02"
NAMES = {UNIT: "Chi bộ Khu dân cư số 3"}
DUE_DAY = 25
ON_TIME = dt.date(2026, 2, 20)
LATE = dt.date(2026, 3, 2)


@pytest.fixture()
def engine(tmp_path):
    e = db.get_engine(registry_database(tmp_path / "preview.db"))
    yield e
    e.dispose()


@pytest.fixture()
def registry(engine):
    return load_registry(engine)


def check(engine, registry, data, today=ON_TIME, name="cb-kdc3-t02.xlsx"):
    return flow.check_upload(engine, data, name, registry=registry, today=today, due_day=DUE_DAY)


def store(engine, fc, sender="Nguyễn Văn A", at: dt.datetime | None = None):
    return flow.store_checked(engine, fc, sender=sender, received_at=at)


def test_identical_file_says_when_it_was_sent_and_stores_nothing(engine, registry):
    sent = report_xlsx()
    first = check(engine, registry, sent)
    assert flow.duplicate_notice(first, NAMES) is None
    store(engine, first, at=dt.datetime(2026, 2, 20, 9, 30))
    before = row_counts(engine)

    again = check(engine, registry, sent)
    notice = flow.duplicate_notice(again, NAMES)
    assert notice.startswith("Tệp này đã được gửi lúc 20/02/2026 09:30 (người gửi: Nguyễn Văn A)")
    assert "Chi bộ Khu dân cư số 3, Tháng 02/2026" in notice and "không lưu gì thêm" in notice
    assert "phiên bản" not in notice  # never "bản mới sẽ là phiên bản 2"
    outcome = store(engine, again)
    assert outcome.duplicate and not outcome.stored
    assert "đã được gửi lúc 20/02/2026 09:30" in flow.stored_message(outcome, NAMES, again)
    assert row_counts(engine) == before


def test_replacement_shows_old_and_new_totals_per_form_before_confirming(engine, registry):
    store(engine, check(engine, registry, report_xlsx()))  # Biểu 02: 2 rows x 5 = 10, reach 200; Biểu 03: 60/55
    newer = report_xlsx(propaganda=propaganda_rows(3, quantity=7, reach=50), with_attendance=False)
    fc = check(engine, registry, newer, name="sua.xlsx")
    assert fc.existing == {"propaganda": 1}
    table = flow.replacement_table(fc)
    assert list(table.columns) == flow.REPLACEMENT_COLUMNS
    rows = {r["Số liệu"]: r for _, r in table.iterrows()}
    assert set(table["Biểu"]) == {"Biểu 02 (phiên bản 1 → 2)"}
    assert (rows["Số dòng"]["Bản đang dùng"], rows["Số dòng"]["Bản mới"], rows["Số dòng"]["Thay đổi"]) == (
        "2",
        "3",
        "+1",
    )
    quantity = rows["Số lượng"]
    assert (quantity["Bản đang dùng"], quantity["Bản mới"], quantity["Thay đổi"]) == ("10", "21", "+11")
    reach = rows["Số người tham dự, lượt tiếp cận"]
    assert (reach["Bản đang dùng"], reach["Bản mới"], reach["Thay đổi"]) == ("200", "150", "−50")
    # nothing stored by looking
    assert (
        queries.totals(engine, Filters(unit=UNIT, period_from=PERIOD, period_to=PERIOD))["propaganda"]["quantity"] == 10
    )
    store(engine, fc)
    assert (
        queries.totals(engine, Filters(unit=UNIT, period_from=PERIOD, period_to=PERIOD))["propaganda"]["quantity"] == 21
    )


def test_no_replacement_table_for_a_first_report(engine, registry):
    fc = check(engine, registry, report_xlsx())
    assert fc.existing == {} and flow.replacement_table(fc).empty and flow.replacement_notice(fc, NAMES) is None


def test_late_report_says_so_with_the_due_date_before_and_after(engine, registry):
    fc = check(engine, registry, report_xlsx(), today=LATE)
    before = flow.late_notice(fc)
    assert before.startswith("Báo cáo nộp muộn: hạn nộp Tháng 02/2026 là 25/02/2026.")
    outcome = store(engine, fc, at=dt.datetime(2026, 3, 2, 8, 0))
    after = flow.stored_message(outcome, NAMES, fc)
    assert "nộp muộn: hạn nộp Tháng 02/2026 là 25/02/2026" in after
    # the compliance page counts it late by the same rule
    comp = queries.compliance(
        engine, Filters(unit=UNIT, period_from=PERIOD, period_to=PERIOD), due_day=DUE_DAY, today=LATE
    )
    assert comp["status"].tolist() == ["late"]


def test_on_time_report_says_nothing_about_lateness(engine, registry):
    fc = check(engine, registry, report_xlsx(), today=ON_TIME)
    assert fc.lateness is not None and not fc.lateness.late
    assert flow.late_notice(fc) is None
    outcome = store(engine, fc, at=dt.datetime(2026, 2, 20, 8, 0))
    assert "muộn" not in flow.stored_message(outcome, NAMES, fc)


def test_due_day_follows_the_ward_settings(engine, registry):
    from storage import settings

    assert flow.ward_due_day(engine) == settings.load_settings(engine).due_day
    lateness = upload_preview.lateness(engine, UNIT, PERIOD, dt.date(2026, 2, 26), due_day=28)
    assert lateness.due == dt.date(2026, 2, 28) and not lateness.late
