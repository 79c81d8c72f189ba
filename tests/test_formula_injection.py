"""Nothing a unit types can run in someone's spreadsheet (issue 8).

Every formula-leading text (typed as TEXT in the unit's workbook, the way Excel
stores it after a leading apostrophe) goes through the real check and ingest,
on SQLite and PostgreSQL, then through every xlsx the product writes (meeting
workbook, table downloads, template, highlighted copy) and every CSV: no cell
is a formula, no CSV field starts with a formula character, and the unit's
text is all there.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
from pathlib import Path

import pytest
import workbook_helpers as W
from openpyxl import Workbook, load_workbook
from storage_helpers import BACKENDS, engine_for

from loaders import safe_cells
from loaders.highlight import _rebuild, highlight_problems
from loaders.raw import CellError, RawSheet, RawWorkbook
from loaders.registry import Registry, Task, Unit
from loaders.template import write_template
from loaders.text import clean
from sample_data import sample_registry
from storage import queries
from storage.ingest import ingest_bytes
from storage.queries import Filters

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 3, 5)

# A text of 1 MB starting with "=": letters and symbols (an "AAAA..." text would be refused as a zip bomb).
BIG = "=" + "".join(random.Random(8).choices("abcdefghijklmnopqrstuvwxyz0123456789 ()+-*/&", k=1_000_000))
HOSTILE = {
    "hyperlink": '=HYPERLINK("http://x","y")',
    "dde": "=cmd|' /C calc'!A0",
    "plus": "+1+1",
    "minus": "-1+1",
    "at": "@SUM(A1)",
    "tab": "\t=cmd",
    "cr": "\r=cmd",
    "big": BIG,
}
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")
csv.field_size_limit(4 * len(BIG))  # the 1 MB text is one field


# ---------------------------------------------------------------- builders and assertions


def text_workbook(*sheets: W.Sheet) -> bytes:
    """Like ``workbook_helpers.workbook_bytes``, but every str is a TEXT cell (data_type "s" with
    Excel's quote prefix), as a unit's Excel stores '=... typed after an apostrophe; no length cut."""
    wb = Workbook()
    wb.remove(wb.active)
    for s in sheets:
        ws = wb.create_sheet(s.name)
        for r, row in enumerate(s.rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c)
                if isinstance(value, str):
                    cell._value = value  # past openpyxl's 32,767-character cut: the unit's file may hold more
                    cell.data_type = "s"
                    cell.quotePrefix = value[:1] in "=+-@"
                else:
                    cell.value = value
        for rng in s.merges:
            ws.merge_cells(rng)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def hostile_report(unit_name: str, text: str, *, refused: bool = False) -> bytes:
    """A valid report whose obstacle, evidence and event name cells hold ``text`` (as text)."""
    t = W.tasks_rows()
    t[2][8] = text  # Khó khăn, vướng mắc
    t[0][7] = text  # evidence
    a = W.attendance_rows()
    for row in a:
        row[1] = text  # event name
        row[9] = text  # note
    if refused:
        a[0][6] = a[0][5] + 5  # present > invited
    return text_workbook(
        W.form_sheet("tasks", t, unit=unit_name),
        W.form_sheet("propaganda", W.propaganda_rows(), unit=unit_name),
        W.form_sheet("attendance", a, unit=unit_name),
    )


def formulas(xlsx: bytes) -> list[str]:
    """Every cell of the workbook that would run as a formula: 'Sheet!A1 = text'."""
    wb = load_workbook(io.BytesIO(xlsx))
    return [
        f"{ws.title}!{cell.coordinate} = {str(cell.value)[:40]}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def strings(xlsx: bytes) -> list[str]:
    wb = load_workbook(io.BytesIO(xlsx))
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def csv_fields(data: bytes) -> list[str]:
    return [field for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for field in row]


def unsafe_csv_fields(data: bytes) -> list[str]:
    """CSV fields a spreadsheet would read as a formula (a plain number such as -5 is not one)."""
    return [f[:40] for f in csv_fields(data) if f.startswith(FORMULA_LEADS) and not NUMBER.match(f)]


def in_excel(text: str) -> str:
    """What an Excel cell holds of ``text``: all of it, or (over Excel's limit) its start and a note."""
    return safe_cells.excel_text(text)


# ---------------------------------------------------------------- the writer itself


@pytest.mark.parametrize("key", list(HOSTILE))
def test_safe_cell_keeps_text_as_text(key):
    text = clean(HOSTILE[key])
    wb = Workbook()
    cell = safe_cells.write(wb.active, 1, 1, text)
    assert cell.data_type == "s"
    out = safe_cells.workbook_bytes(wb)
    assert formulas(out) == []
    back = load_workbook(io.BytesIO(out)).active["A1"]
    assert back.data_type == "s" and back.quotePrefix
    if len(text) <= safe_cells.MAX_CELL_CHARS:
        assert back.value == text  # nothing lost
    else:  # over Excel's limit: cut, and the cell says so
        assert back.value.startswith(text[:1000]) and "đã cắt bớt" in back.value
        assert len(back.value) == safe_cells.MAX_CELL_CHARS


@pytest.mark.parametrize("key", list(HOSTILE))
def test_csv_field_is_escaped_and_keeps_the_text(key):
    text = HOSTILE[key]
    assert safe_cells.csv_field(text) == "'" + text  # one quote before, nothing of the text lost
    assert safe_cells.csv_field("Bình thường") == "Bình thường"
    assert safe_cells.csv_field(-5) == -5  # a number is not text


def test_error_like_text_stays_text():
    wb = Workbook()
    assert safe_cells.write(wb.active, 1, 1, "#N/A").data_type == "s"


def test_sweep_catches_a_plain_assignment():
    wb = Workbook()
    wb.active["A1"] = "=cmd|' /C calc'!A0"  # the way openpyxl would make it a formula
    assert formulas(safe_cells.workbook_bytes(wb)) == []


# ---------------------------------------------------------------- through check and ingest


@pytest.fixture(scope="module", params=BACKENDS)
def stored(request, tmp_path_factory):
    """A database (each backend) holding one accepted hostile report per text, each from its own unit."""
    gen = engine_for(request.param, tmp_path_factory.mktemp("formula"))
    engine = next(gen)
    units = sample_registry().units
    expected: dict[str, str] = {}
    for unit, (key, text) in zip(units, HOSTILE.items(), strict=False):
        outcome = ingest_bytes(
            engine,
            hostile_report(unit.name, text),
            f"{key}.xlsx",
            sender=text[:200],
            received_at=dt.datetime(2026, 3, 1, 9),
        )
        assert outcome.stored, (key, outcome)
        expected[unit.code] = clean(text)
    yield engine, expected
    try:
        next(gen)
    except StopIteration:
        pass


def test_stored_text_is_the_units_text_without_loss(stored):
    engine, expected = stored
    obstacles = queries.obstacles(engine, Filters())
    assert sorted(obstacles["text"]) == sorted(expected.values())
    events = set(queries.attendance_events(engine, Filters())["event"])
    assert events == set(expected.values())
    # the leading tab and carriage return go with the white space ``clean`` folds; what is left
    # starts with "=" and must be as inert as the rest
    assert expected[sample_registry().units[5].code] == "=cmd"


def test_meeting_workbook_has_no_formula_and_every_text(stored):
    from exports.excel import build_workbook

    engine, expected = stored
    data = build_workbook(engine, Filters(), TODAY)
    assert formulas(data) == []
    found = strings(data)
    for text in expected.values():
        assert in_excel(text) in found, text[:40]


def _page_frames(engine) -> dict[str, object]:
    """The frames the pages offer as table downloads, from the stored data."""
    f = Filters()
    return {
        "obstacles": queries.obstacles(engine, f),
        "attendance_events": queries.attendance_events(engine, f),
        "task_unit_grid": queries.task_unit_grid(engine, f, TODAY),
        "history": queries.submission_history(engine, sample_registry().units[0].code),
    }


def test_table_downloads_have_no_formula_and_escaped_csv(stored):
    from ui import tables

    engine, expected = stored
    frames = _page_frames(engine)
    for name, frame in frames.items():
        assert len(frame), name
        xlsx = tables.excel_bytes(frame, name)
        assert formulas(xlsx) == [], name
        data = tables.csv_bytes(frame)
        assert unsafe_csv_fields(data) == [], name
    # the unit's texts are all in the downloads: whole in the CSV (after the quote), whole or cut with a note in Excel
    obstacles = frames["obstacles"]
    xlsx_strings = strings(tables.excel_bytes(obstacles, "Khó khăn"))
    csv_text = csv_fields(tables.csv_bytes(obstacles))
    for text in expected.values():
        assert in_excel(text) in xlsx_strings
        assert "'" + text in csv_text


def test_served_copy_of_a_hostile_report_is_the_units_file(stored):
    engine, _ = stored
    code = sample_registry().units[0].code
    sid = int(queries.submission_history(engine, code).iloc[0]["id"])
    name, data = queries.submission_file(engine, sid)
    assert name == "hyperlink.xlsx"
    # the unit's own file, as sent: its text cells are still text
    assert formulas(data) == []


# ---------------------------------------------------------------- template and highlighted copy


def test_template_writes_registry_text_as_text(tmp_path):
    hostile_unit = Unit(code="X1", name=HOSTILE["hyperlink"], group="Khối Đảng")
    tasks = [
        Task(code="NV01", text=HOSTILE["dde"], lead=["X1"], due=dt.date(2026, 3, 31), cadence="once"),
        Task(code="NV02", text=HOSTILE["at"], lead=["ALL"], cadence="ongoing"),
    ]
    registry = Registry(units=[hostile_unit], tasks=tasks)
    buf = io.BytesIO()
    write_template(registry, "X1", "2026-02", buf)
    assert formulas(buf.getvalue()) == []
    found = strings(buf.getvalue())
    assert HOSTILE["dde"] in found and HOSTILE["at"] in found
    assert any(s == HOSTILE["hyperlink"].upper() or s.endswith(HOSTILE["hyperlink"]) for s in found)


@pytest.mark.parametrize("key", ["hyperlink", "dde", "at", "minus", "tab"])
def test_highlighted_copy_keeps_text_as_text(key):
    unit = sample_registry().units[2]
    data = hostile_report(unit.name, HOSTILE[key], refused=True)
    result = W.check(data)
    assert not result.accepted
    copy, _ = highlight_problems(data, "bao-cao.xlsx", result.errors + result.warnings)
    assert formulas(copy) == []
    assert HOSTILE[key] in strings(copy)


def test_rebuilt_copy_of_an_xls_keeps_text_as_text():
    """The .xls/.ods path of the highlighted copy rebuilds the workbook from the safe read."""
    raw = RawWorkbook(
        format="xls",
        sheets=[
            RawSheet(
                name="Biểu 01",
                rows=[[HOSTILE["dde"], "#N/A", CellError("error", "#DIV/0!"), CellError("no_value", "=SUM(A1:A2)")]],
                merged=[],
            )
        ],
    )
    buf = io.BytesIO()
    _rebuild(raw).save(buf)
    wb = load_workbook(io.BytesIO(buf.getvalue()))
    a, b, c, d = (wb["Biểu 01"].cell(row=1, column=i) for i in range(1, 5))
    assert (a.data_type, a.value) == ("s", HOSTILE["dde"])
    assert (b.data_type, b.value) == ("s", "#N/A")  # text that looks like an error stays text
    assert c.data_type == "e"  # a real error cell stays an error
    assert (d.data_type, d.value) == ("s", "=SUM(A1:A2)")  # a formula without saved value: its text, inert


# ---------------------------------------------------------------- no other writer, no toolbar CSV


PRODUCT = ["app.py", "pages", "ui", "exports", "loaders", "storage"]


def _sources():
    for entry in PRODUCT:
        path = ROOT / entry
        yield from ([path] if path.is_file() else sorted(path.rglob("*.py")))


def test_every_spreadsheet_and_csv_writer_goes_through_safe_cells():
    """pandas' Excel/CSV writers bypass safe_cells; every module making a Workbook uses it."""
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\.to_excel\(|ExcelWriter\(|csv\.writer\(", text), rel
        if rel != "loaders/safe_cells.py":
            assert ".to_csv(" not in text, rel
        if re.search(r"\bWorkbook\(\)|load_workbook\(", text):
            assert "safe_cells" in text, rel


def test_streamlit_toolbar_csv_is_off(project_root, monkeypatch):
    from streamlit import config as st_config

    monkeypatch.chdir(project_root)
    try:
        st_config.get_config_options(force_reparse=True)
        assert st_config.get_option("client.disableDataExport") is True
    finally:
        st_config.get_config_options(force_reparse=True)


# ---------------------------------------------------------------- bidi controls at ingest


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_bidi_controls_are_stripped_by_clean():
    assert clean(f"Thiếu{BIDI} kinh phí\u202e") == "Thiếu kinh phí"
    for ch in BIDI:
        assert clean(f"a{ch}b") == "ab", hex(ord(ch))


@pytest.mark.parametrize("backend", BACKENDS)
def test_bidi_controls_never_reach_storage(backend, tmp_path):
    gen = engine_for(backend, tmp_path)
    engine = next(gen)
    try:
        unit = sample_registry().units[3]
        text = "Thiếu \u202ekinh phí\u202c in \u2067tài liệu\u2069\u200f"
        outcome = ingest_bytes(engine, hostile_report(unit.name, text), "bidi.xlsx")
        assert outcome.stored
        stored = set(queries.obstacles(engine, Filters())["text"]) | set(
            queries.attendance_events(engine, Filters())["event"]
        )
        assert stored == {"Thiếu kinh phí in tài liệu"}
    finally:
        try:
            next(gen)
        except StopIteration:
            pass


# ---------------------------------------------------------------- what the pages really hand out


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """A SQLite database like the app's, holding the hostile reports (the pages do not depend on the backend)."""
    from page_helpers import build_database

    from storage import db

    url = build_database(tmp_path_factory.mktemp("pages") / "site.db", seed=False, registry=True)
    engine = db.get_engine(url)
    for unit, (key, text) in zip(sample_registry().units, HOSTILE.items(), strict=False):
        assert ingest_bytes(engine, hostile_report(unit.name, text), f"{key}.xlsx", sender=text[:200]).stored
    engine.dispose()
    return url


@pytest.mark.slow
@pytest.mark.parametrize(
    "page, params, must_offer",
    [
        ("pages/overview.py", {}, False),  # its lists lead to the pages that handle them; no download
        ("pages/tasks.py", {}, True),
        ("pages/attendance.py", {}, True),
        ("pages/obstacles.py", {}, True),
        ("pages/unit.py", {"unit": "VPDU"}, True),
        ("pages/export.py", {}, True),
    ],
)
def test_every_download_a_page_offers_is_inert(hostile_site, page, params, must_offer, monkeypatch):
    """Run the page as the office, catch every st.download_button it draws, build each file as a
    click would, and look inside: no formula in an xlsx, no unescaped field in a CSV."""
    import streamlit
    from page_helpers import environment, run_page

    offered: list[tuple[str, object]] = []

    def record(label, data, file_name=None, *args, **kwargs):
        offered.append((file_name or label, data))
        return False

    monkeypatch.setattr(streamlit, "download_button", record)
    at = run_page(hostile_site, page, params={"from": "2026-02", "to": "2026-02", **params}, today="2026-03-05")
    assert not at.exception, [e.value for e in at.exception]
    with environment(hostile_site, "2026-03-05"):  # a click runs in the app's environment
        files = {name: data() if callable(data) else data for name, data in offered}
    spreadsheets = {n: d for n, d in files.items() if str(n).endswith((".xlsx", ".csv"))}
    assert spreadsheets or not must_offer, f"{page} offered no table download ({sorted(files)})"
    for name, data in spreadsheets.items():
        if name.endswith(".xlsx"):
            assert formulas(data) == [], (page, name)
        else:
            assert unsafe_csv_fields(data) == [], (page, name)
