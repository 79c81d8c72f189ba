"""Issue 10: what is open today does not hide behind the period filter, every comparison is honest,
charts over time always show their window, and no table, download or meeting file shows "None",
"nan" or a raw period key.

Storage rules on a small hand-built database (SQLite and PostgreSQL); pages through app.py with
AppTest and the meeting files (python-docx / python-pptx / openpyxl read back) on the sample ward."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pandas as pd
import pytest
from page_helpers import TODAY, build_database, run_page, texts
from storage_helpers import BACKENDS, D, T, engine_for, fake_bytes, make_result

from storage import db
from storage import queries as q
from storage.figures import FIGURES, NO_PREVIOUS, compare, trend_buckets
from storage.ingest import store_result
from storage.queries import Filters

RAW_PERIOD = re.compile(r"^\d{4}-(\d{2}|Q[1-4])$")
BAD = {"None", "nan", "NaN", "NaT", "<NA>"}
NOW = dt.date.fromisoformat(TODAY)  # 28/11/2026: November is still open
MONTH = {"kind": "month", "period": "2026-11"}
VIEWS = [
    MONTH,
    {"kind": "month", "period": "2026-06"},
    {"kind": "quarter", "period": "2026-Q2"},
    {"kind": "year", "period": "2026"},
    {"kind": "range", "from": "2026-03", "to": "2026-05"},
]


def bad_cells(values) -> list[str]:
    """Cells that would read "None", "nan" or a raw period key. A missing value is allowed only in a
    column of dates (the table formats those, missing ones empty)."""
    dates = all(isinstance(v, (dt.date, pd.Timestamp)) for v in values if v is not None and v == v)
    out = []
    for v in values:
        missing = v is None or (isinstance(v, float) and v != v)
        text = "" if missing else str(v).strip()
        if (missing and not dates) or text in BAD or RAW_PERIOD.match(text):
            out.append(repr(v))
    return out


# ---------------------------------------------------------------- storage rules (small database)


def task(code, status):
    return {"task_code": code, "status": status, "percent": 40.0, "completed_on": None, "obstacles": None}


def prop(quantity):
    return {"channel": "portal", "topic": "plan", "quantity": quantity, "reach": 10 * quantity}


@pytest.fixture(scope="module", params=BACKENDS)
def small(request, tmp_path_factory):
    """VPDU reports February 2026 (NV03 in progress: due 31/03/2026) and March; KDC03 reports March only."""
    gen = engine_for(request.param, tmp_path_factory.mktemp("honest"))
    eng = next(gen)
    store_result(
        eng,
        make_result("VPDU", "2026-02", tasks=[task("NV03", "in_progress")], propaganda=[prop(4)]),
        fake_bytes("vpdu-2"),
        "vpdu-2.xlsx",
        received_at=T(2026, 2, 20, 9),
    )
    store_result(
        eng,
        make_result("VPDU", "2026-03", tasks=[task("NV03", "in_progress")], propaganda=[prop(6)]),
        fake_bytes("vpdu-3"),
        "vpdu-3.xlsx",
        received_at=T(2026, 3, 10, 9),
    )
    store_result(
        eng,
        make_result("KDC03", "2026-03", propaganda=[prop(2)]),
        fake_bytes("kdc03-3"),
        "kdc03-3.xlsx",
        received_at=T(2026, 3, 12, 9),
    )
    yield eng
    for _ in gen:
        pass


def test_overdue_for_a_past_range_counts_at_the_ranges_end(small):
    feb = Filters("2026-02", "2026-02")
    today = D(2026, 11, 28)
    now = q.overdue_tasks(small, Filters(), today)  # no period: as of today
    assert "NV03" in set(now["task_code"])  # due 31/03/2026, still in progress today
    past = q.overdue_tasks(small, feb, today)
    assert "NV03" not in set(past["task_code"])  # on 28/02/2026 it was not due yet
    assert all(d < D(2026, 2, 28) for d in past["due_date"])
    for d, late in zip(past["due_date"], past["days_overdue"], strict=True):
        assert late == (D(2026, 2, 28) - d).days  # days late counted to the range's end
    h = q.headline(small, feb, today)
    assert h["as_of"] == D(2026, 2, 28)
    assert h["tasks_overdue"] == len(past)
    # the same range seen while it is still running counts to today
    assert q.headline(small, feb, D(2026, 2, 15))["as_of"] == D(2026, 2, 15)


def test_no_change_when_the_previous_range_has_no_report(small):
    h = q.headline(small, Filters("2026-02", "2026-02"), D(2026, 11, 28))  # January: nothing reported
    assert h["previous"]["reports_received"] == 0
    for key in FIGURES:
        change = compare(key, h)
        assert not change.shown and change.text == NO_PREVIOUS and change.tone == "neutral", key


def test_an_open_month_is_marked_with_its_count_of_units(small):
    march = Filters("2026-03", "2026-03")
    h = q.headline(small, march, D(2026, 3, 15))  # March not ended, due day not passed
    units = len(q.list_units(small))
    assert h["open"] and h["reports_received"] == 2 and h["reports_expected"] == units
    change = compare("propaganda_quantity", h)
    assert not change.shown  # left out: a partial month against a complete one
    assert f"2/{units} đơn vị đã báo cáo" in change.text
    # once the month is over it is closed and compared (February had a report)
    closed = q.headline(small, march, D(2026, 4, 30))
    assert not closed["open"]
    shown = compare("propaganda_quantity", closed)
    assert shown.shown and shown.delta == 8 - 4 and shown.text == "+4" and shown.tone == "good"
    assert "kỳ trước" in shown.note  # the previous month lacked most units' reports, and it says so


def test_a_zero_change_is_neutral():
    h = {"propaganda_quantity": 5, "done_share": 0.5, "open": False, "reports_received": 3, "reports_expected": 3}
    h["previous"] = {"propaganda_quantity": 5, "done_share": 0.5, "reports_received": 3, "reports_expected": 3}
    for key, text in (("propaganda_quantity", "0"), ("done_share", "0 điểm %")):
        change = compare(key, h)
        assert change.shown and change.delta == 0 and change.tone == "neutral" and change.text == text
    h["previous"]["propaganda_quantity"] = 7
    assert compare("propaganda_quantity", h).tone == "bad" and compare("propaganda_quantity", h).text == "-2"
    h["tasks_overdue"], h["previous"]["tasks_overdue"] = 3, 1
    assert compare("tasks_overdue", h).tone == "bad"  # more overdue tasks is worse


def test_trend_windows():
    today = D(2026, 11, 28)
    month = trend_buckets("2026-11", "2026-11", today)
    assert [b.key for b in month] == ["2025-12", *[f"2026-{m:02d}" for m in range(1, 12)]]
    assert [b.selected for b in month] == [False] * 11 + [True]
    quarter = trend_buckets("2026-07", "2026-09", today)
    assert [b.label for b in quarter] == ["Quý IV/2025", "Quý I/2026", "Quý II/2026", "Quý III/2026"]
    assert quarter[-1].selected and quarter[-1].months == ("2026-07", "2026-08", "2026-09")
    years = trend_buckets("2026-01", "2026-12", today, first_month="2024-05")
    assert [b.key for b in years] == ["2024", "2025", "2026"] and years[-1].selected
    ranged = trend_buckets("2026-03", "2026-05", today)
    assert len(ranged) == 12 and [b.key for b in ranged if b.selected] == ["2026-03", "2026-04", "2026-05"]


def test_trend_query_leaves_periods_without_reports_empty(small):
    tr = q.trend(small, Filters("2026-03", "2026-03"), D(2026, 11, 28))
    assert len(tr) == 12 and list(tr["selected"]).index(True) == 11
    by = tr.set_index("period")
    assert by.loc["2026-03", "propaganda_quantity"] == 8 and by.loc["2026-02", "propaganda_quantity"] == 4
    assert pd.isna(by.loc["2026-01", "propaganda_quantity"])  # nothing reported: no bar, not 0
    assert pd.isna(by.loc["2025-06", "on_time_share"])  # before the ward's first report


# ---------------------------------------------------------------- pages (sample ward)


@pytest.fixture(scope="session")
def sample_url(tmp_path_factory) -> str:
    return build_database(tmp_path_factory.mktemp("honest-sample") / "sample.db", seed=True)


@pytest.fixture(scope="session")
def sample_engine(sample_url):
    eng = db.get_engine(sample_url)
    yield eng
    eng.dispose()


def frames(at) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe]


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def chart_titled(at, start: str) -> dict:
    for spec in charts(at):
        title = (spec["layout"].get("title") or {}).get("text") or ""
        if title.startswith(start):
            return spec
    raise AssertionError(f"no chart titled {start!r}")


@pytest.mark.parametrize("params", VIEWS, ids=lambda p: "-".join(p.values()))
def test_open_obstacles_from_earlier_months_show_on_tong_quan_in_every_view(sample_url, sample_engine, params):
    open_now = q.obstacles(sample_engine, Filters(), handled=False)
    assert len(open_now) >= 2 and open_now["period"].nunique() >= 2  # raised in several earlier months
    at = run_page(sample_url, "pages/overview.py", params)
    assert not at.exception
    links = [(p.proto.page, p.proto.label, p.proto.query_string) for p in at.get("page_link")]
    shown = [link for link in links if link[0] == "kho-khan"]  # each links to the obstacles page
    assert len(shown) == len(open_now)
    assert f"Khó khăn, vướng mắc chưa xử lý: {len(open_now)}" in texts(at)
    assert "Không có khó khăn, vướng mắc nào đang chờ xử lý" not in texts(at)
    for (_, _, query), period in zip(shown, sorted(open_now["period"]), strict=True):
        assert f"from={period}" in query and "to=2026-11" in query  # a view that lists it
    assert len(re.findall(r"· chờ \d+ ngày", texts(at))) == len(open_now)  # each with its age
    # overdue today, whatever the period: with the responsible unit, due date and days late
    overdue = q.overdue_tasks(sample_engine, Filters(), NOW)
    assert len([link for link in links if link[0] == "tien-do"]) == len(overdue)
    for r in overdue.to_dict("records"):
        assert f"hạn {r['due_date']:%d/%m/%Y} · quá hạn {r['days_overdue']} ngày" in texts(at)
    assert texts(at).count("chủ trì: ") >= len(overdue)
    # units that have not sent the latest report that has come due (November: due 25/11)
    comp = q.compliance(sample_engine, Filters("2026-11", "2026-11"), today=NOW)
    assert len([link for link in links if link[0] == "don-vi"]) == int((comp["status"] == "missing").sum())


def test_no_change_is_shown_when_the_previous_range_is_empty(sample_url):
    at = run_page(sample_url, "pages/overview.py", {"kind": "range", "from": "2026-01", "to": "2026-10"})
    assert not at.exception
    assert len(at.metric) == 5
    for m in at.metric:
        assert m.delta == NO_PREVIOUS, (m.label, m.delta)


def test_an_open_month_is_marked_incomplete_with_its_count_of_units(sample_url, sample_engine):
    comp = q.compliance(sample_engine, Filters("2026-11", "2026-11"), today=NOW)
    got, expected = int(comp["submitted_at"].notna().sum()), len(comp)
    assert 0 < got < expected
    at = run_page(sample_url, "pages/overview.py", MONTH)
    assert not at.exception
    assert f"{got}/{expected} đơn vị đã báo cáo" in texts(at)
    for m in at.metric:  # no change against a complete October
        assert not m.delta.startswith(("+", "-")), (m.label, m.delta)
    bar = chart_titled(at, FIGURES["propaganda_quantity"].label)["data"][0]
    shapes = bar["marker"]["pattern"]["shape"]
    assert shapes[-1] == "/" and set(shapes[:-1]) <= {""}  # only November is hatched
    # October (closed, all but one unit reported) is compared with September
    at = run_page(sample_url, "pages/overview.py", {"kind": "month", "period": "2026-10"})
    deltas = {m.label: m.delta for m in at.metric}
    assert re.match(r"^[+-]\d", deltas[FIGURES["propaganda_quantity"].label])


@pytest.mark.parametrize(
    ("page", "titles"),
    [
        ("pages/overview.py", [FIGURES[k].label for k in ("done_share", "propaganda_quantity", "attendance_rate")]),
        ("pages/propaganda.py", ["Số lượng theo tháng và hình thức", FIGURES["propaganda_reach"].label]),
        ("pages/attendance.py", [FIGURES["attendance_rate"].label]),
    ],
)
def test_every_trend_chart_has_twelve_points_in_month_view(sample_url, page, titles):
    at = run_page(sample_url, page, MONTH)
    assert not at.exception
    for title in titles:
        spec = chart_titled(at, title)
        for trace in spec["data"]:
            assert len(trace["x"]) == 12, (title, trace.get("name"))
            assert trace["x"][-1] == "11/2026" and trace["x"][0] == "12/2025"


def test_month_by_month_grids_show_the_window(sample_url):
    at = run_page(sample_url, "pages/compliance.py", MONTH)
    assert not at.exception
    grid = chart_titled(at, "Đơn vị × tháng")
    assert grid["layout"]["xaxis"]["categoryarray"][-1] == "11/2026"
    assert len(grid["layout"]["xaxis"]["categoryarray"]) == 12
    assert any(s.get("type") == "rect" for s in grid["layout"].get("shapes", []))  # the chosen month's band
    at = run_page(sample_url, "pages/tasks.py", MONTH)
    heat = chart_titled(at, "Tỷ lệ đơn vị được giao có hoạt động")
    assert len(heat["data"][0]["x"]) == 12


@pytest.mark.parametrize("page", ["overview", "tasks", "propaganda", "attendance", "compliance", "obstacles"])
@pytest.mark.parametrize("params", [MONTH, {"kind": "quarter", "period": "2026-Q3"}], ids=["month", "quarter"])
def test_no_table_cell_shows_none_nan_or_a_raw_period(sample_url, page, params):
    at = run_page(sample_url, f"pages/{page}.py", params)
    assert not at.exception
    for frame in frames(at):
        for col in frame.columns:
            assert not bad_cells(frame[col].tolist()), (page, col, bad_cells(frame[col].tolist())[:3])
    if page == "compliance":  # units that have not sent: empty "Thời điểm nộp", not "None"
        detail = next(f for f in frames(at) if "Thời điểm nộp" in f.columns)
        assert (detail["Thời điểm nộp"] == "").any()
        assert all(re.match(r"^(\d{2}/\d{4}|Quý [IV]+/\d{4})$", p) for p in detail["Kỳ"])


def test_lowest_rate_line_names_every_tied_unit(sample_url, sample_engine):
    at = run_page(sample_url, "pages/compliance.py", MONTH)
    line = next((t for t in texts(at).splitlines() if t.startswith("Tỷ lệ đúng hạn thấp nhất")), None)
    comp = q.compliance(sample_engine, Filters("2026-11", "2026-11"), today=NOW)
    due = comp[comp["status"] != "not_due"]
    share = due.groupby("unit_name")["status"].apply(lambda s: (s == "on_time").mean())
    tied = sorted(share[share == share.min()].index)
    if len(tied) == len(share):
        assert line is None
    else:
        assert line is not None and f"{len(tied)} đơn vị" in line
        assert all(name in line for name in tied)


def test_table_downloads_write_periods_as_on_screen():
    from ui import tables

    frame = pd.DataFrame({"period": ["2026-11", "2026-Q4", None], "unit_name": ["A", "B", "C"]})
    out = tables._excel_frame(frame, {"period": "Kỳ", "unit_name": "Đơn vị"}, {"period": "period"})
    assert out["Kỳ"].tolist()[:2] == ["11/2026", "Quý IV/2026"] and pd.isna(out["Kỳ"].iloc[2])


# ---------------------------------------------------------------- meeting files


@pytest.mark.parametrize("flt", [Filters("2026-11", "2026-11"), Filters("2026-01", "2026-10")], ids=["open", "range"])
def test_meeting_files_follow_the_same_rules(sample_engine, flt):
    from docx import Document
    from openpyxl import load_workbook
    from pptx import Presentation

    from exports.excel import build_workbook
    from exports.slides import build_deck
    from exports.word import build_report

    h = q.headline(sample_engine, flt, NOW)
    # Excel: no raw key, None or nan in any cell; a change only where compare allows one
    wb = load_workbook(io.BytesIO(build_workbook(sample_engine, flt, NOW)))
    for ws in wb.worksheets:
        cells = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert not bad_cells(cells), (ws.title, bad_cells(cells)[:3])
    ov = wb["Tổng quan"]
    for row in ov.iter_rows(values_only=True):
        if row[0] == FIGURES["propaganda_quantity"].label:
            assert isinstance(row[3], str) and not compare("propaganda_quantity", h).shown
    trend = wb["Diễn biến"]
    labels = [r[0] for r in trend.iter_rows(values_only=True) if r[0] and re.match(r"^\d{2}/\d{4}$", str(r[0]))]
    assert len(labels) == 12  # the 12 months ending at the range's end (a range of 10 months shows 12)

    doc = Document(io.BytesIO(build_report(sample_engine, flt, NOW)))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert not bad_cells(cells)
    assert "so với kỳ trước" not in text
    assert f"tính đến ngày {h['as_of']:%d/%m/%Y}" in text

    prs = Presentation(io.BytesIO(build_deck(sample_engine, flt, NOW)))
    texts_ = [sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.has_text_frame]
    assert not any(re.search(r"[+−]\d[\d.,]* (điểm % )?so với kỳ trước", t) for t in texts_)
    if h["open"]:
        assert any(f"{h['reports_received']}/{h['reports_expected']} đơn vị đã báo cáo" in t for t in texts_)
    else:
        assert any("Kỳ trước: chưa có số liệu" in t for t in texts_)
    period_slide = next(
        s for s in prs.slides if s.shapes.title and s.shapes.title.text == "Tuyên truyền theo thời gian"
    )
    chart = next(sh.chart for sh in period_slide.shapes if sh.has_chart)
    assert len(list(chart.plots[0].categories)) == 12


def test_overdue_slide_of_a_past_range_counts_at_its_end(sample_engine):
    from pptx import Presentation

    from exports.slides import build_deck

    q1 = Filters("2026-01", "2026-03")
    prs = Presentation(io.BytesIO(build_deck(sample_engine, q1, NOW)))
    slide = next(s for s in prs.slides if s.shapes.title and s.shapes.title.text == "Nhiệm vụ quá hạn")
    table = next((sh.table for sh in slide.shapes if sh.has_table), None)
    codes = [table.cell(r, 0).text for r in range(1, len(table.rows))] if table is not None else []
    expected = q.overdue_tasks(sample_engine, q1, NOW)
    assert codes == list(expected["task_code"])[: len(codes)]
    assert all(d < D(2026, 3, 31) for d in expected["due_date"])
