"""loaders.text, loaders.values and loaders.registry: folding, Vietnamese values, matching."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders.forms import STATUS
from loaders.registry import Registry, Task, Unit
from loaders.text import clean, fold, format_number
from loaders.values import (
    ValueProblem,
    choice_matcher,
    parse_count,
    parse_date,
    parse_due,
    parse_percent,
    parse_period,
    period_bounds,
)
from sample_data import sample_registry


@pytest.fixture(scope="module")
def registry() -> Registry:
    return sample_registry()


# ---------------------------------------------------------------- text


def test_fold_nfc_nfd_case_diacritics_spaces():
    nfc = "Số người tham dự,\nlượt  tiếp cận"
    nfd = unicodedata.normalize("NFD", nfc)
    assert fold(nfc) == fold(nfd) == fold(nfc.upper()) == "so nguoi tham du luot tiep can"
    assert fold("ĐVT") == "dvt" and fold("Tỷ lệ (%)") == "ty le %"


def test_clean_drops_control_characters():
    assert clean("Hội\x00 nghị\u200b  quán\ttriệt ") == "Hội nghị quán triệt"


@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


@pytest.mark.parametrize("value, shown", [(1234.5, "1.234,5"), (1200, "1.200"), (0, "0"), (1234567, "1.234.567")])
def test_format_number(value, shown):
    assert format_number(value) == shown


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "raw, value",
    [
        (12, 12),
        (12.0, 12),
        ("12", 12),
        ("12 bài", 12),
        ("1.200", 1200),
        ("1.200 lượt", 1200),
        ("1 200", 1200),
        (None, None),
        ("  ", None),
    ],
)
def test_parse_count(raw, value):
    assert parse_count(raw) == value


@pytest.mark.parametrize(
    "raw, reason",
    [
        (12.5, "not_whole"),
        ("1.234,5", "not_whole"),
        (-1, "negative"),
        ("abc", "not_number"),
        (True, "not_number"),
        ("12 bài 3", "not_number"),
    ],
)
def test_parse_count_refuses(raw, reason):
    with pytest.raises(ValueProblem) as exc:
        parse_count(raw)
    assert exc.value.reason == reason


@given(st.integers(min_value=0, max_value=10**9))
def test_count_round_trips_vietnamese_thousands(n):
    assert parse_count(format_number(n)) == n


@pytest.mark.parametrize(
    "raw, value",
    [(0.8, 80), (1, 100), (80, 80), ("80%", 80), ("80 %", 80), ("0,8", 80), ("80", 80), ("12,5%", 12.5), (0, 0)],
)
def test_parse_percent(raw, value):
    assert parse_percent(raw) == pytest.approx(value)


@pytest.mark.parametrize("raw", [120, "120%", -5])
def test_parse_percent_out_of_range(raw):
    with pytest.raises(ValueProblem) as exc:
        parse_percent(raw)
    assert exc.value.reason == "out_of_range"


# ---------------------------------------------------------------- dates and periods


@pytest.mark.parametrize(
    "raw",
    [
        dt.datetime(2026, 2, 11, 8, 30),
        dt.date(2026, 2, 11),
        "11/02/2026",
        "11-02-2026",
        "11.02.2026",
        "11/2/26",
        "ngày 11 tháng 02 năm 2026",
        "Ngày 11 tháng 2 năm 2026",
        "2026-02-11",
        46064,
    ],
)
def test_parse_date_day_first(raw):
    assert parse_date(raw) == dt.date(2026, 2, 11)


@pytest.mark.parametrize("raw", ["31/02/2026", "hôm qua", 12.5])
def test_parse_date_refuses(raw):
    with pytest.raises(ValueProblem):
        parse_date(raw)


@pytest.mark.parametrize(
    "raw, period",
    [
        ("Tháng 02/2026", "2026-02"),
        ("tháng 2 năm 2026", "2026-02"),
        ("T2/2026", "2026-02"),
        ("02/2026", "2026-02"),
        ("Quý I/2026", "2026-Q1"),
        ("Quý 1 năm 2026", "2026-Q1"),
        ("QUÝ IV/2026", "2026-Q4"),
        ("Kỳ báo cáo: Tháng 12/2026", "2026-12"),
        ("cb-kdc3-t02-2026", "2026-02"),
        ("KDC03_2026-02", "2026-02"),
        ("bao cao MTTQ thang 2.2026", "2026-02"),
    ],
)
def test_parse_period(raw, period):
    assert parse_period(raw) == period


def test_parse_period_ignores_the_date_line():
    assert parse_period("Bạch Đằng, ngày 28 tháng 02 năm 2026", bare=False) is None
    assert parse_period("02/2026", bare=False) is None


def test_period_bounds():
    assert period_bounds("2026-02") == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert period_bounds("2026-Q1") == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def test_parse_due():
    assert parse_due("Thường xuyên") == (None, "Thường xuyên")
    assert parse_due("Quý I/2026") == (dt.date(2026, 3, 31), "Quý I/2026")
    assert parse_due(dt.datetime(2026, 3, 31)) == (dt.date(2026, 3, 31), "31/03/2026")


def test_choice_variants_and_refusal():
    m = choice_matcher(STATUS)
    assert [m.parse(x) for x in ("Hoàn thành", "hoan thanh", "Đã HT", "HT", "đang triển khai", "CHƯA THỰC HIỆN")] == [
        "done",
        "done",
        "done",
        "done",
        "in_progress",
        "not_started",
    ]
    with pytest.raises(ValueProblem) as exc:
        m.parse("Tạm dừng")
    assert exc.value.reason == "not_in_list"


# ---------------------------------------------------------------- registry


@pytest.mark.parametrize(
    "text",
    [
        "Chi bộ Khu dân cư số 3",
        "CB KDC số 3",
        "Chi bo khu dan cu so 3",
        "CB KDC 3",
        "KDC03",
        "kdc3",
        "CHI BỘ KHU DÂN CƯ SỐ 03",
    ],
)
def test_match_unit_spellings(registry, text):
    assert registry.match_unit(text) == ("KDC03", ["KDC03"])


@pytest.mark.parametrize(
    "text, code",
    [
        ("UB MTTQ phường", "MTTQ"),
        ("Hội Cựu chiến binh", "HCCB"),
        ("Hội phụ nữ", "HPN"),
        ("ĐB Công an", "DBCA"),
        ("Phòng Văn hoá - Xã hội", "VHXH"),
    ],
)
def test_match_unit_other_units(registry, text, code):
    assert registry.match_unit(text)[0] == code


@pytest.mark.parametrize("text", ["Chi bộ Trường Bạch Đằng", "Chi bộ Khu dân cư", "Hội"])
def test_match_unit_ambiguous(registry, text):
    code, candidates = registry.match_unit(text)
    assert code is None and len(candidates) == 2


@pytest.mark.parametrize("text", ["Chi bộ Khu dân cư số 21", "Công ty ABC", ""])
def test_match_unit_not_found(registry, text):
    assert registry.match_unit(text) == (None, [])


def test_match_task(registry):
    assert registry.match_task("Tuyên truyền trên các trang mạng xã hội của cơ quan")[0] == "NV10"
    code, candidates = registry.match_task("Tổ chức hội nghị")
    assert code is None and len(candidates) == 2
    assert registry.match_task("Sửa đường giao thông") == (None, [])


def test_assigned_tasks_by_code_group_and_all(registry):
    kdc = {t.code for t in registry.assigned_tasks("KDC03")}
    assert {"NV10", "NV11", "NV13", "NV16"} <= kdc and "NV09" not in kdc
    assert "NV09" in {t.code for t in registry.assigned_tasks("VHXH")}


def test_registry_from_rows():
    reg = Registry(units=[Unit("A1", "Chi bộ Thử nghiệm", "Nhóm", "CB TN")], tasks=[Task("T1", "Việc một", ["ALL"])])
    assert reg.match_unit("CB Thử nghiệm")[0] == "A1"
    assert [t.code for t in reg.assigned_tasks("A1")] == ["T1"]


def test_registry_csv_fields(registry):
    nv01 = registry.tasks_by_code["NV01"]
    assert (
        nv01.lead == ["VPDU"]
        and nv01.support == ["BXDD"]
        and nv01.due == dt.date(2026, 2, 11)
        and nv01.cadence == "once"
    )
    assert len(registry.units) == 39 and registry.units_by_code["KDC03"].short_name == "CB KDC 3"
