"""The sample ward: deterministic, realistic, messy, and every file accepted with the intended totals."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook

from loaders.check import check_path
from sample_data import generate as gen
from sample_data import sample_registry

REGISTRY = sample_registry()
CHECK_TODAY = dt.date(2026, 11, 28)
# a template user, a split-file unit, the office with the merged event rows, a unit that often skips
SUBSET = ("BXDD", "KDC07", "VPDU", "KDC17")


@pytest.fixture(scope="module")
def ward(tmp_path_factory) -> tuple[Path, list[gen.SampleReport]]:
    out = tmp_path_factory.mktemp("ward")
    return out, gen.generate(out)


@pytest.fixture(scope="module")
def checked(ward) -> dict[str, object]:
    _, reports = ward
    return {r.path.name: check_path(r.path, registry=REGISTRY, today=CHECK_TODAY) for r in reports}


def _digests(reports: list[gen.SampleReport]) -> dict[str, str]:
    return {r.path.name: hashlib.sha256(r.path.read_bytes()).hexdigest() for r in reports}


# ---------------------------------------------------------------- the contract


@pytest.mark.slow
def test_every_generated_file_is_accepted_with_the_manifest_totals(ward, checked):
    _, reports = ward
    assert len(reports) > 400
    wrong = []
    for r in reports:
        out = checked[r.path.name].to_json()
        if not out["accepted"] or (out["unit"], out["period"]) != (r.unit, r.period) or out["forms"] != r.forms:
            wrong.append((r.path.name, out["unit"], out["period"], out["forms"], r.forms, out["errors"][:2]))
    assert wrong == []


@pytest.mark.slow
def test_messy_layouts_really_occur(ward, checked):
    _, reports = ward
    period_sources = Counter(checked[r.path.name].period.source for r in reports)
    # the period only in the file name, in a labelled line, and in both
    assert period_sources["tên tệp"] > 20
    # a source names every cell it was read from (issue 13): "Biểu 01, ô A6, dòng «Kỳ báo cáo»; ..."
    assert any(s and "dòng «Kỳ báo cáo»" in s and "tên tệp" not in s for s in period_sources)
    unit_sources = " ".join(str(checked[r.path.name].unit.source) for r in reports)
    assert "dòng «dưới ĐẢNG BỘ PHƯỜNG BẠCH ĐẰNG»" in unit_sources and "dòng «Đơn vị" in unit_sources
    sheets = {f.sheet for c in checked.values() for f in c.forms.values()}
    assert {"Biểu 01", "Sheet1", "BC thang 3"} <= sheets
    # split units: one form per file
    split = [r for r in reports if r.unit in gen.SPLIT_UNITS]
    assert split and all(len(r.forms) == 1 for r in split)
    # total rows and numbering rows were written (and, as the totals above match, never counted)
    words = {"Tổng cộng", "Cộng", "Tổng số"}
    with_total = with_numbering = 0
    for r in reports:
        values = {
            c.value for ws in load_workbook(r.path, read_only=True).worksheets for row in ws.iter_rows() for c in row
        }
        with_total += bool(values & words)
        with_numbering += bool(values & {"(1)", "A"})
    assert with_total > 30 and with_numbering > 100


@pytest.mark.slow
def test_manifest_file_round_trips(ward):
    out, reports = ward
    assert gen.load_manifest(out) == reports
    assert [r.forms for r in gen.load_manifest(out)] == [r.forms for r in reports]


# ---------------------------------------------------------------- determinism


def test_same_seed_same_bytes_and_a_subset_matches_the_full_run(tmp_path: Path, ward):
    a = gen.generate(tmp_path / "a", units=SUBSET)
    b = gen.generate(tmp_path / "b", units=SUBSET)
    assert [(r.path.name, r.unit, r.period, r.sent_at, r.sender, r.forms) for r in a] == [
        (r.path.name, r.unit, r.period, r.sent_at, r.sender, r.forms) for r in b
    ]
    assert _digests(a) == _digests(b)
    full = {r.path.name: r for r in ward[1] if r.unit in SUBSET}
    assert _digests(a) == {name: hashlib.sha256(r.path.read_bytes()).hexdigest() for name, r in full.items()}


def test_other_seed_other_ward(tmp_path: Path):
    a = gen.generate(tmp_path / "a", units=("KDC03",), seed=2026)
    b = gen.generate(tmp_path / "b", units=("KDC03",), seed=7)
    assert [(r.sent_at, r.forms) for r in a] != [(r.sent_at, r.forms) for r in b]


def test_file_times_are_the_sending_times(tmp_path: Path):
    for r in gen.generate(tmp_path, units=("KDC03",)):
        assert dt.datetime.fromtimestamp(r.path.stat().st_mtime) == r.sent_at


# ---------------------------------------------------------------- reporting behaviour


@pytest.mark.slow
def test_reporting_calendar(ward):
    _, reports = ward
    pairs = {(r.unit, r.period): r for r in reports}
    assert {r.unit for r in reports} == set(REGISTRY.units_by_code)
    assert {r.period for r in reports} == {f"2026-{m:02d}" for m in range(1, 12)}
    assert all(r.sent_at <= gen.TODAY for r in reports)
    assert all(r.sent_at.date() >= dt.date(2026, int(r.period[5:]), 1) for r in reports)
    on_time = [r for r in pairs.values() if r.sent_at.month == int(r.period[5:]) and r.sent_at.day <= gen.DUE_DAY]
    late = [r for r in pairs.values() if r not in on_time]
    assert len(on_time) > 0.85 * len(pairs)
    assert 10 <= len(late) <= 0.12 * len(pairs)
    # November: the month is still open on 28/11, some units have not sent yet
    november = [p for p in pairs if p[1] == "2026-11"]
    assert 20 <= len(november) < len(REGISTRY.units)
    # the units that often skip skip more than the rest
    per_unit = Counter(u for u, _ in pairs)
    for code in gen.OFTEN_MISSING:
        assert per_unit[code] <= 9
    assert sum(per_unit.values()) / len(per_unit) > 9.5
    # senders are stable per unit
    senders = {(r.unit, r.sender) for r in reports}
    assert len(senders) == len(REGISTRY.units)


# ---------------------------------------------------------------- content


def _frames(reports, checked, unit: str, period: str, form: str):
    return [
        checked[r.path.name].forms[form].frame
        for r in reports
        if (r.unit, r.period) == (unit, period) and form in checked[r.path.name].forms
    ]


@pytest.mark.slow
def test_plan_events_online_conference_and_ward_conference(ward, checked):
    _, reports = ward
    (feb,) = _frames(reports, checked, "VPDU", "2026-02", "attendance")
    assert set(feb["event_date"]) == {dt.date(2026, 2, 11)}
    assert set(feb["format"]) == {"online"}
    assert list(feb["group"]) == [
        "standing_committee",
        "front_and_mass_orgs",
        "party_advisory_staff",
        "party_reporters",
    ]
    (mar,) = _frames(reports, checked, "VPDU", "2026-03", "attendance")
    assert set(mar["event_date"]) == {dt.date(2026, 3, 12)} and set(mar["format"]) == {"in_person"}
    assert "party_members" in set(mar["group"])
    (tasks,) = _frames(reports, checked, "VPDU", "2026-03", "tasks")
    status = dict(zip(tasks["task_code"], tasks["status"], strict=True))
    assert status["NV01"] == "done" and status["NV03"] == "done"


@pytest.mark.slow
def test_task_progress_evolves_and_some_tasks_stay_overdue(ward, checked):
    _, reports = ward
    by_month = {}
    for m in range(1, 12):
        frames = _frames(reports, checked, "BXDD", f"2026-{m:02d}", "tasks")
        if frames:
            f = frames[0]
            by_month[m] = {c: (s, p) for c, s, p in zip(f["task_code"], f["status"], f["percent"], strict=True)}
    assert by_month[1]["NV02"][0] == "in_progress" and by_month[3]["NV02"][0] == "done"
    assert by_month[1]["NV03"][0] == "not_started"
    assert by_month[2]["NV03"][0] == "in_progress" and by_month[3]["NV03"][0] == "done"
    last = by_month[max(by_month)]
    assert last["NV04"][0] == "in_progress" and last["NV05"][0] == "in_progress"
    percents = [by_month[m]["NV04"][1] for m in sorted(by_month)]
    assert percents == sorted(percents) and percents[-1] < 100
    # BXDD writes its own deadlines for NV04/NV05, so they can be seen overdue
    f = _frames(reports, checked, "BXDD", "2026-10", "tasks")[0]
    due = dict(zip(f["task_code"], f["due_date"], strict=True))
    assert due["NV04"] == dt.date(2026, 6, 30) and due["NV05"] == dt.date(2026, 6, 30)


@pytest.mark.slow
def test_obstacles_raised_in_a_few_reports(checked):
    raised = [
        (c.unit.value, c.period.value, text)
        for c in checked.values()
        if "tasks" in c.forms
        for text in c.forms["tasks"].frame["obstacles"].dropna()
    ]
    assert 4 <= len(raised) <= 20
    assert ("BXDD", "2026-07") in {(u, p) for u, p, _ in raised}


@pytest.mark.slow
def test_numbers_are_plausible(checked):
    for c in checked.values():
        unit = c.unit.value
        att = c.forms.get("attendance")
        if att is not None and len(att.frame):
            f = att.frame
            assert (f["present"] <= f["invited"]).all()
            if unit.startswith("KDC"):
                assert f["invited"].between(20, 40).all()
                rate = f["present"].sum() / f["invited"].sum()
                assert 0.75 <= rate <= 1.0
            if unit in ("MTTQ", "DTN", "HPN", "HCCB", "HND"):
                assert f["invited"].between(50, 150).all()
        prop = c.forms.get("propaganda")
        if prop is not None and len(prop.frame) and unit == "VHXH":
            portal = prop.frame[prop.frame["channel"] == "portal"]
            assert portal["quantity"].sum() >= 10
        if prop is not None and len(prop.frame) and unit.startswith("KDC"):
            meetings = prop.frame[prop.frame["channel"] == "cell_meeting"]
            assert list(meetings["quantity"]) == [1]


def test_cli_prints_a_summary(tmp_path: Path, capsys):
    assert gen.main([str(tmp_path / "out"), "--seed", "2026", "--unit", "KDC03", "--unit", "VHXH"]) == 0
    text = capsys.readouterr().out
    assert "2 đơn vị" in text and "chưa nhận" in text and "thời gian" in text
    assert (tmp_path / "out" / gen.MANIFEST).exists()


def test_check_command_line_json_matches_the_manifest(tmp_path: Path, capsys):
    import json

    from loaders.cli import main as loaders_main

    reports = gen.generate(tmp_path, units=("VPDU", "KDC07"))
    feb_mar = [r for r in reports if r.period in ("2026-02", "2026-03")]
    assert loaders_main(["check", *(str(r.path) for r in feb_mar), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert len(lines) == len(feb_mar)
    for r, out in zip(feb_mar, lines, strict=True):
        assert (out["accepted"], out["unit"], out["period"], out["forms"]) == (True, r.unit, r.period, r.forms)
