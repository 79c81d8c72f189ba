"""The "Xuất báo cáo" page in Debian's Chromium: each download button builds its file on
click (a deferred ``data=`` callable that AppTest cannot run), the file arrives with the
right name, opens in openpyxl / python-docx / python-pptx, and carries the same figure as
storage.queries for the sidebar's filters."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from browser_helpers import SCREENSHOTS, chromium_browser, chromium_or_skip, streamlit_server
from page_helpers import TODAY, build_database

from storage import db
from storage.queries import Filters, totals

pytestmark = pytest.mark.browser

STEP_TIMEOUT_MS = 60_000
EXTS = ("xlsx", "docx", "pptx")
# Views chosen through the URL on the root page: id -> (query, filters, file stem, screenshot stem).
# Quarter III/2026 for the whole ward, and the same quarter for one unit.
VIEWS = {
    "ward": (
        "kind=quarter&period=2026-Q3",
        Filters(period_from="2026-07", period_to="2026-09"),
        "bao-cao-NQ05-2026-07_2026-09",
        "export-page",
    ),
    "unit": (
        "kind=quarter&period=2026-Q3&unit=KDC03",
        Filters(period_from="2026-07", period_to="2026-09", unit="KDC03"),
        "bao-cao-NQ05-2026-07_2026-09-KDC03",
        "export-page-unit",
    ),
}
OVERVIEW_LABEL = "Tin, bài, buổi tuyên truyền"  # storage.figures.FIGURES["propaganda_quantity"].label


def vn_int(n: int) -> str:
    """1234 -> "1.234" (written here, not taken from the project's formatter)."""
    return f"{n:,}".replace(",", ".")


def wait_idle(page, timeout_ms: int = STEP_TIMEOUT_MS) -> None:
    """Wait for the current script run to end."""
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            const state = app ? app.getAttribute('data-test-script-state') : 'initial';
            return !['initial', 'running', 'rerunRequested'].includes(state)
                && !document.querySelector('[data-testid="stSkeleton"]');
        }""",
        timeout=timeout_ms,
        polling=250,
    )


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    chromium_or_skip()
    tmp = tmp_path_factory.mktemp("browser-export")
    db_url = build_database(tmp / "sample.db", seed=True)
    with streamlit_server(db_url, tmp / "streamlit.log", TODAY) as base:
        yield base, db_url


@pytest.fixture(scope="module")
def browser(app_server):
    with chromium_browser() as b:
        yield b


@pytest.fixture(scope="module", params=list(VIEWS))
def view(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def expected(app_server, view) -> dict[str, int]:
    _, db_url = app_server
    engine = db.get_engine(db_url)
    try:
        prop = totals(engine, VIEWS[view][1])["propaganda"]
    finally:
        engine.dispose()
    assert prop["quantity"] > 0  # the sample ward (and KDC03) report propaganda in Q3/2026
    return prop


@pytest.fixture(scope="module")
def downloads(app_server, browser, view, tmp_path_factory) -> dict[str, tuple[str, Path]]:
    """Open the app with the view's URL, follow the sidebar link to "Xuất báo cáo", click
    the three buttons; returns ext -> (suggested file name, saved path)."""
    base, _ = app_server
    query, _, _, shot = VIEWS[view]
    out_dir = tmp_path_factory.mktemp("downloads")
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    got: dict[str, tuple[str, Path]] = {}
    try:
        # Direct /xuat-bao-cao may show Streamlit's "Page not found" modal on a first visit
        # (streamlit/streamlit#9992): open the root page and follow the sidebar link.
        page.goto(f"{base}/?{query}", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Tổng quan", level=1).first.wait_for()
        wait_idle(page)
        page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Xuất báo cáo").click()
        page.get_by_role("heading", name="Xuất báo cáo", level=1).first.wait_for()
        wait_idle(page)
        assert "/xuat-bao-cao" in page.url
        # the view chosen on the root page survives the page change
        assert "period=2026-Q3" in page.url
        assert "kind=quarter" in page.url
        main = page.locator('[data-testid="stMain"]')
        assert "Quý III/2026" in main.inner_text()
        if view == "unit":
            assert "unit=KDC03" in page.url
            # the sidebar's unit box shows the unit (its value sits in the input, not in the text)
            selects = page.evaluate(
                """() => Array.from(document.querySelectorAll('[data-testid="stSidebar"] [data-testid="stSelectbox"]'))
                    .map(e => e.textContent + ' ' + Array.from(e.querySelectorAll('input')).map(i => i.value).join(' '))
                    .join(' | ')"""
            )
            assert "Chi bộ Khu dân cư số 3" in selects
            # and the page says which unit the files cover
            assert "(Quý III/2026, Chi bộ Khu dân cư số 3)" in main.inner_text()
        page.wait_for_timeout(500)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"), full_page=True)

        for ext in EXTS:
            button = page.locator(f".st-key-export_{ext} button")
            assert button.count() == 1, ext
            with page.expect_download(timeout=STEP_TIMEOUT_MS) as info:
                button.click()
            download = info.value
            assert download.failure() is None, (ext, download.failure())
            target = out_dir / download.suggested_filename
            download.save_as(target)
            got[ext] = (download.suggested_filename, target)
            wait_idle(page)
            assert page.locator('[data-testid="stException"]').count() == 0, ext

        body = page.locator("body").inner_text()
        assert "Traceback" not in body
        assert not errors, errors
        yield got
    finally:
        context.close()


@pytest.mark.parametrize("ext", EXTS)
def test_download_name_and_zip(downloads, view, ext):
    name, path = downloads[ext]
    assert name == f"{VIEWS[view][2]}.{ext}"
    assert path.stat().st_size > 0
    assert zipfile.is_zipfile(path)  # every OOXML file is a zip package


def test_excel_overview_matches_queries(downloads, expected):
    from openpyxl import load_workbook

    _, path = downloads["xlsx"]
    wb = load_workbook(path)
    assert "Tổng quan" in wb.sheetnames
    ws = wb["Tổng quan"]
    values = {row[0]: row[1] for row in ws.iter_rows(min_col=1, max_col=2, values_only=True) if row[0]}
    assert values[OVERVIEW_LABEL] == expected["quantity"]
    # the propaganda sheet's totals row carries the same figures
    prop = wb["Tuyên truyền"]
    total_rows = [row for row in prop.iter_rows(values_only=True) if "Tổng cộng" in row]
    assert total_rows
    for row in total_rows:
        i = row.index("Tổng cộng")
        assert row[i + 1 : i + 3] == (expected["quantity"], expected["reach"])


def test_word_text_matches_queries(downloads, expected):
    import docx

    _, path = downloads["docx"]
    document = docx.Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"Tổng số {vn_int(expected['quantity'])} tin, bài, buổi tuyên truyền" in text
    assert f"{vn_int(expected['reach'])} lượt người tham dự, tiếp cận" in text
    assert "Quý III/2026" in text or "07/2026" in text


def test_powerpoint_text_matches_queries(downloads, expected):
    from pptx import Presentation

    _, path = downloads["pptx"]
    deck = Presentation(str(path))
    assert len(deck.slides) > 1
    texts = [shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame]
    assert any(f"Tổng cộng: {vn_int(expected['quantity'])}" in t for t in texts)
