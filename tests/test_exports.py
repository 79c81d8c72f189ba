"""The review meeting's files: they open with their own libraries, hold the
expected sheets / sections / slides, and their figures EQUAL storage.queries
for the same filters. An empty database still gives files that say so."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from page_helpers import build_database

from exports import format as vf
from exports.excel import SHEETS, build_workbook
from exports.slides import SLIDE_TITLES, build_deck
from exports.word import PLACEHOLDER, SECTIONS, build_report
from storage import db
from storage import queries as q
from storage.figures import FIGURES, NO_PREVIOUS
from storage.queries import Filters
from tests.export_helpers import (
    RAW_KEYS,
    chart_categories,
    chart_series,
    docx_table_with,
    docx_text,
    find_cell,
    open_docx,
    open_pptx,
    open_xlsx,
    seed_meeting_data,
    slides_info,
    table_below,
    xlsx_strings,
)

TODAY = dt.date(2026, 4, 10)
Q1 = Filters("2026-01", "2026-03")
SAMPLE_FILTERS = [
    Filters(),
    Q1,
    Filters("2026-02", "2026-02", group="Chi bộ khu dân cư"),
    Filters("2026-01", "2026-03", unit="VPDU"),
]


@pytest.fixture(scope="module")
def ward(tmp_path_factory):
    """The sample ward, seeded by bootstrap.seed_sample_ward (a copy of the process's one build)."""
    path = tmp_path_factory.mktemp("ward") / "ward.db"
    engine = db.get_engine(build_database(path, seed=True))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The sample registry and a few known reports (an overdue task, obstacles, 1.234)."""
    from bootstrap import seed_registry

    path = tmp_path_factory.mktemp("small") / "small.db"
    engine = db.get_engine(f"sqlite:///{path}")
    db.ensure_database(engine, seed=False)
    seed_registry(engine)
    seed_meeting_data(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def empty(tmp_path_factory):
    """Registry only: units and tasks, no report yet."""
    from bootstrap import seed_registry

    path = tmp_path_factory.mktemp("empty") / "empty.db"
    engine = db.get_engine(f"sqlite:///{path}")
    db.ensure_database(engine, seed=False)
    seed_registry(engine)
    yield engine
    engine.dispose()


def _no_raw_keys(strings) -> None:
    leaked = {s for s in strings if isinstance(s, str) and s.strip() in RAW_KEYS}
    assert not leaked, f"raw keys shown to readers: {leaked}"


# ---------------------------------------------------------------- format


def test_format_vietnamese_numbers_dates_and_labels():
    assert vf.fmt_int(1234) == "1.234"
    assert vf.fmt_num(1234.5) == "1.234,5"
    assert vf.fmt_pct(0.853) == "85,3%"
    assert vf.fmt_pct(None) == "–"
    assert vf.fmt_date(dt.date(2026, 2, 11)) == "11/02/2026"
    assert vf.long_date(dt.date(2026, 3, 5)) == "Bạch Đằng, ngày 05 tháng 03 năm 2026"
    assert vf.period_label("2026-Q1") == "Quý I/2026"
    assert vf.status_label("in_progress") == "Đang thực hiện"
    assert vf.status_label("ongoing") == "Thường xuyên"
    assert vf.compliance_label("missing") == "Chưa nộp"
    assert vf.participant_label(None) == "Không ghi thành phần"
    assert vf.fmt_change(12, 10) == "+2 so với kỳ trước"
    assert vf.fmt_change(0.80, 0.85, kind="pct") == "−5,0 điểm % so với kỳ trước"
    assert vf.fmt_change(3, None) == "Kỳ trước: chưa có số liệu"


def test_filters_text_describes_every_filter():
    names = {"KDC03": "Chi bộ Khu dân cư số 3"}
    assert vf.filters_text(Filters(), names) == "Kỳ báo cáo: tất cả các kỳ; Phạm vi: toàn Đảng bộ phường"
    assert vf.filters_text(Filters("2026-02", "2026-02", unit="KDC03"), names) == (
        "Kỳ báo cáo: Tháng 02/2026; Đơn vị: Chi bộ Khu dân cư số 3"
    )
    assert vf.filters_text(Filters("2026-01", "2026-03", group="Chi bộ khu dân cư")) == (
        "Kỳ báo cáo: từ Tháng 01/2026 đến Tháng 03/2026; Khối: Chi bộ khu dân cư"
    )


# ---------------------------------------------------------------- Excel


@pytest.mark.slow
@pytest.mark.parametrize("f", SAMPLE_FILTERS, ids=["all", "q1", "group-feb", "unit-q1"])
def test_workbook_figures_equal_queries(ward, f):
    wb = open_xlsx(build_workbook(ward, f, TODAY))
    assert wb.sheetnames == list(SHEETS)
    totals = q.totals(ward, f)
    h = q.headline(ward, f, TODAY)

    ov = wb["Tổng quan"]
    assert "BẠCH ĐẰNG" in ov["A1"].value
    assert ov["A3"].value == vf.filters_text(
        f, dict(zip(*[q.list_units(ward)[c] for c in ("code", "name")], strict=True))
    )
    # labels from the figures registry; the previous range's value only when it has reports
    # (issue 10: a previous range without any report used to show 0 and a change against it)
    for key in ("propaganda_quantity", "attendance_invited", "on_time_share", "tasks_overdue"):
        label = FIGURES[key].label
        cell = find_cell(ov, label)
        assert cell is not None, label
        assert ov.cell(row=cell.row, column=2).value == pytest.approx(h[key]), label
        if h["previous"] and h["previous"]["reports_received"]:
            assert ov.cell(row=cell.row, column=3).value == pytest.approx(h["previous"][key])
        elif h["previous"]:
            assert ov.cell(row=cell.row, column=3).value is None
            assert ov.cell(row=cell.row, column=4).value == NO_PREVIOUS

    pr = wb["Tuyên truyền"]
    rows = table_below(pr, find_cell(pr, "Hình thức tuyên truyền"))
    by_channel = q.propaganda_by_channel(ward, f)
    if by_channel.empty:
        assert rows[0][0] == vf.NO_DATA
    else:
        assert rows[-1][:3] == ["Tổng cộng", totals["propaganda"]["quantity"], totals["propaganda"]["reach"]]
        shown = {r[0]: r[1] for r in rows[:-1]}
        assert shown == {
            vf.channel_label(c): int(n) for c, n in zip(by_channel["channel"], by_channel["quantity"], strict=True)
        }
        assert sum(shown.values()) == totals["propaganda"]["quantity"]

    at = wb["Tham dự"]
    rows = table_below(at, find_cell(at, "Thành phần"))
    if "attendance" in totals:
        assert rows[-1][:3] == ["Tổng cộng", totals["attendance"]["invited"], totals["attendance"]["present"]]

    tl = q.task_timeline(ward, f, TODAY)
    ts = wb["Tiến độ nhiệm vụ"]
    rows = table_below(ts, find_cell(ts, "Mã NV"))
    assert [r[0] for r in rows] == list(tl["task_code"])
    assert [r[8] for r in rows] == [vf.status_label(s) for s in tl["status"]]

    comp = q.compliance(ward, f, today=TODAY)
    cs = wb["Tình hình nộp báo cáo"]
    strings = [c.value for row in cs.iter_rows() for c in row]
    months = comp["period"].nunique()
    grid_rows = table_below(cs, find_cell(cs, "Mã"))
    assert len(grid_rows) == comp["unit_code"].nunique()
    shown_on_time = sum(1 for r in grid_rows for v in r[3 : 3 + months] if v == "Đúng hạn")
    assert shown_on_time == int((comp["status"] == "on_time").sum())
    assert strings  # the sheet is not blank

    ob = wb["Khó khăn, vướng mắc"]
    rows = table_below(ob, find_cell(ob, "STT"))
    obstacles = q.obstacles(ward, f)
    if obstacles.empty:
        assert rows[0][0] == "Các đơn vị không báo cáo khó khăn, vướng mắc."
    else:
        assert [r[4] for r in rows] == list(obstacles["text"])
    _no_raw_keys(xlsx_strings(wb))


def test_workbook_layout_formats_and_print_setup(small):
    wb = open_xlsx(build_workbook(small, Q1, TODAY))
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == 9, ws.title  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.freeze_panes is not None, ws.title
        assert ws["A1"].value == "ĐẢNG BỘ PHƯỜNG BẠCH ĐẰNG – ĐẢNG ỦY PHƯỜNG"
        assert ws.column_dimensions["A"].width > 5
    pr = wb["Tuyên truyền"]
    head = find_cell(pr, "Hình thức tuyên truyền")
    qty = pr.cell(row=head.row + 1, column=2)
    assert isinstance(qty.value, int) and qty.number_format == vf.XL_INT
    ov = wb["Tổng quan"]
    share = ov.cell(row=find_cell(ov, "Tỷ lệ tham dự").row, column=2)
    assert share.number_format == vf.XL_PCT and 0 <= share.value <= 1
    od = wb["Nhiệm vụ quá hạn"]
    rows = table_below(od, find_cell(od, "Mã NV"))
    overdue = q.overdue_tasks(small, Q1, TODAY)
    # as of the range's end (31/03/2026), not today (issue 10): NV03, due 31/03, is not yet overdue
    assert [r[0] for r in rows] == list(overdue["task_code"]) == ["NV01"]
    due = od.cell(row=find_cell(od, "Mã NV").row + 1, column=4)
    assert due.value.date() == dt.date(2026, 2, 11) and due.number_format == vf.XL_DATE
    assert rows[0][4] == (dt.date(2026, 3, 31) - dt.date(2026, 2, 11)).days
    _no_raw_keys(xlsx_strings(wb))


# ---------------------------------------------------------------- Word


@pytest.mark.slow
@pytest.mark.parametrize("f", SAMPLE_FILTERS, ids=["all", "q1", "group-feb", "unit-q1"])
def test_report_figures_equal_queries(ward, f):
    doc = open_docx(build_report(ward, f, TODAY))
    text = docx_text(doc)
    totals = q.totals(ward, f)
    if "propaganda" in totals:
        p = totals["propaganda"]
        assert f"Tổng số {vf.fmt_int(p['quantity'])} tin, bài, buổi" in text
        assert f"{vf.fmt_int(p['reach'])} lượt người tham dự, tiếp cận" in text
        table = docx_table_with(doc, "Hình thức tuyên truyền")
        assert table[-1] == ["Tổng cộng", vf.fmt_int(p["quantity"]), vf.fmt_int(p["reach"])]
        by_channel = q.propaganda_by_channel(ward, f)
        assert {r[0]: r[1] for r in table[1:-1]} == {
            vf.channel_label(c): vf.fmt_int(n)
            for c, n in zip(by_channel["channel"], by_channel["quantity"], strict=True)
        }
    else:
        assert "Chưa có số liệu về công tác tuyên truyền" in text
    if "attendance" in totals:
        a = totals["attendance"]
        assert (
            f"{vf.fmt_int(a['invited'])} lượt người được triệu tập, {vf.fmt_int(a['present'])} lượt người có mặt"
            in text
        )
        assert f"đạt tỷ lệ {vf.fmt_pct(a['present'] / a['invited'])}" in text
    h = q.headline(ward, f, TODAY)
    assert f"Kế hoạch có {vf.fmt_int(h['tasks_total'])} nhiệm vụ thực hiện một lần" in text
    assert f"{vf.fmt_int(h['tasks_done'])} nhiệm vụ đã hoàn thành ({vf.fmt_pct(h['done_share'])})" in text
    comp = q.compliance(ward, f, today=TODAY)
    due = comp[comp["status"] != "not_due"]
    if len(comp):
        assert f"có {vf.fmt_int(len(due))} lượt báo cáo đến hạn" in text
        assert f"{vf.fmt_int((due['status'] == 'on_time').sum())} lượt nộp đúng hạn" in text
    for _, r in q.obstacles(ward, f).iterrows():
        assert r["text"].rstrip(".") in text
    _no_raw_keys([c.text for t in doc.tables for row in t.rows for c in row.cells])


def test_report_administrative_layout(small):
    doc = open_docx(build_report(small, Q1, TODAY))
    text = docx_text(doc)
    head = doc.tables[0].rows[0].cells
    assert head[0].text.split("\n")[:2] == ["ĐẢNG BỘ PHƯỜNG BẠCH ĐẰNG", "ĐẢNG ỦY PHƯỜNG"]
    assert head[1].text.startswith("ĐẢNG CỘNG SẢN VIỆT NAM")
    assert "Bạch Đằng, ngày 10 tháng 04 năm 2026" in head[1].text
    paragraphs = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in paragraphs
    assert "Kết quả quán triệt, tuyên truyền và triển khai thực hiện Nghị quyết 05-NQ/TU" in paragraphs
    positions = [paragraphs.index(s) for s in SECTIONS]
    assert positions == sorted(positions)
    assert PLACEHOLDER in paragraphs  # section VI is left for the office, and says so
    assert "Nơi nhận:" in text and "T/M ĐẢNG ỦY" in text
    s = doc.sections[0]
    assert round(s.page_width.cm, 1) == 21.0 and round(s.page_height.cm, 1) == 29.7
    assert (round(s.top_margin.cm, 1), round(s.bottom_margin.cm, 1), round(s.left_margin.cm, 1)) == (2.0, 2.0, 3.0)
    assert 1.5 <= round(s.right_margin.cm, 1) <= 2.0
    runs = [r for p in doc.paragraphs for r in p.runs if r.text.strip()]
    assert all(r.font.name == "Times New Roman" for r in runs)
    assert all(13 <= r.font.size.pt <= 16 for r in runs)
    bordered = [t for t in doc.tables[1:-1]]
    assert bordered and all(t.style.name == "Table Grid" for t in bordered)
    # Vietnamese numbers: social media 30 + 1.234 posts, 12.500 + 45.678 reached
    assert docx_table_with(doc, "Hình thức tuyên truyền")[1] == ["Mạng xã hội", "1.264", "58.178"]
    assert "NV01." in text and "quá hạn 48 ngày" in text  # counted to the range's end, 31/03/2026
    assert "Đường truyền trực tuyến tại điểm cầu phường chưa ổn định" in text


# ---------------------------------------------------------------- PowerPoint


@pytest.mark.slow
@pytest.mark.parametrize("f", SAMPLE_FILTERS, ids=["all", "q1", "group-feb", "unit-q1"])
def test_deck_figures_equal_queries(ward, f):
    prs = open_pptx(build_deck(ward, f, TODAY))
    slides = slides_info(prs)
    assert [s.title for s in slides[1:]] == list(SLIDE_TITLES[1:])
    totals = q.totals(ward, f)
    h = q.headline(ward, f, TODAY)

    assert vf.fmt_int(h["propaganda_quantity"]) in slides[1].texts
    assert vf.fmt_pct(h["attendance_rate"]) in slides[1].texts

    by_channel = q.propaganda_by_channel(ward, f)
    ch = slides[4]
    if by_channel.empty:
        assert not ch.charts
    else:
        series = chart_series(ch.charts[0])["Số lượng"]
        assert sum(series) == totals["propaganda"]["quantity"]
        shown = dict(zip(chart_categories(ch.charts[0]), series, strict=True))
        assert shown == {
            vf.channel_label(c): n for c, n in zip(by_channel["channel"], by_channel["quantity"], strict=True)
        }

    # over time: the window ending at the chosen period (issue 10), one column per period
    trend = q.trend(ward, f, TODAY)
    if int(trend["reports_received"].sum()):
        columns = chart_series(slides[5].charts[0])[FIGURES["propaganda_quantity"].label]
        assert chart_categories(slides[5].charts[0]) == list(trend["label"])
        assert columns == [0.0 if pd.isna(v) else float(v) for v in trend["propaganda_quantity"]]

    by_group = q.attendance_by_group(ward, f)
    if not by_group.empty:
        rates = dict(
            zip(chart_categories(slides[6].charts[0]), chart_series(slides[6].charts[0])["Tỷ lệ tham dự"], strict=True)
        )
        expected = {
            vf.participant_label(g): r for g, r in zip(by_group["participant_group"], by_group["rate"], strict=True)
        }
        assert rates == pytest.approx(expected)

    comp = q.compliance(ward, f, today=TODAY)
    if not comp.empty:
        # the chart shows the 12-month window; the range's own months add up to the range's counts
        series = chart_series(slides[7].charts[0])
        in_range = [
            i
            for i, c in enumerate(chart_categories(slides[7].charts[0]))
            if f.period_from is None or f.period_from <= f"{c[3:]}-{c[:2]}" <= f.period_to
        ]
        for key in ("on_time", "late", "missing"):
            shown = series[vf.compliance_label(key)]
            assert sum(shown[i] for i in in_range) == int((comp["status"] == key).sum())
    for s in slides:
        _no_raw_keys(s.texts)
        for chart in s.charts:
            _no_raw_keys(chart_categories(chart) + list(chart_series(chart)))


def test_deck_is_16_9_native_charts_readable(small):
    prs = open_pptx(build_deck(small, Q1, TODAY))
    assert round(prs.slide_width / prs.slide_height, 2) == round(16 / 9, 2)
    slides = slides_info(prs)
    assert len(slides) == len(SLIDE_TITLES)
    assert SLIDE_TITLES[0].upper() in slides[0].texts
    charted = [s.title for s in slides if s.charts]
    assert charted == [SLIDE_TITLES[i] for i in (2, 4, 5, 6, 7)]
    for s in slides:
        assert s.sizes and min(s.sizes) >= 18, (s.title, min(s.sizes or [0]))
        for chart in s.charts:
            assert chart.font.size.pt >= 18
            # native chart: its numbers live in the embedded workbook
            assert chart.part.chart_workbook.xlsx_part is not None
    # overdue table lists NV01; obstacles slide lists the open obstacle first
    assert slides[3].tables[0][1][0] == "NV01"
    assert any("Đường truyền trực tuyến" in t for t in slides[8].texts)
    # task progress: per task, statuses add up to the units assigned
    tl = q.task_timeline(small, Q1, TODAY)
    series = chart_series(slides[2].charts[0])
    cats = chart_categories(slides[2].charts[0])
    assert cats == list(tl["task_code"])
    per_task = [sum(v[i] for v in series.values()) for i in range(len(cats))]
    assert per_task == [float(n) for n in tl["units_assigned"]]


# ---------------------------------------------------------------- nothing to show


@pytest.mark.parametrize("f", [Filters(), Filters("2031-01", "2031-02")], ids=["no-reports", "range-without-data"])
def test_files_build_and_say_there_is_no_data(empty, f):
    wb = open_xlsx(build_workbook(empty, f, TODAY))
    assert wb.sheetnames == list(SHEETS)
    pr = wb["Tuyên truyền"]
    assert table_below(pr, find_cell(pr, "Hình thức tuyên truyền"))[0][0] == vf.NO_DATA
    overview = [c.value for row in wb["Tổng quan"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any("Chưa có số liệu báo cáo" in v for v in overview)

    text = docx_text(open_docx(build_report(empty, f, TODAY)))
    assert "Chưa có số liệu về công tác tuyên truyền trong phạm vi đã chọn." in text
    assert "Chưa có số liệu về hội nghị, học tập, quán triệt trong phạm vi đã chọn." in text
    assert "không báo cáo khó khăn, vướng mắc" in text

    slides = slides_info(open_pptx(build_deck(empty, f, TODAY)))
    assert len(slides) == len(SLIDE_TITLES)
    for i in (4, 5, 6):
        assert not slides[i].charts
        assert "Chưa có số liệu trong phạm vi đã chọn." in slides[i].texts


def test_files_build_on_a_database_without_registry(tmp_path):
    engine = db.get_engine(f"sqlite:///{tmp_path / 'bare.db'}")
    db.ensure_database(engine, seed=False)
    try:
        for build, opener in ((build_workbook, open_xlsx), (build_report, open_docx), (build_deck, open_pptx)):
            assert opener(build(engine, Filters(), TODAY)) is not None
    finally:
        engine.dispose()


# ---------------------------------------------------------------- the page


def test_export_page_offers_the_three_files(small):
    from page_helpers import run_page

    # through app.py, logged in as the office (a page file run on its own shows the login)
    at = run_page(small.url.render_as_string(hide_password=False), "pages/export.py", today=TODAY.isoformat())
    assert not at.exception
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["Tải bảng số liệu", "Tải báo cáo", "Tải trình chiếu"]
    assert "Bảng số liệu (Excel)" in " ".join(m.value for m in at.markdown)
