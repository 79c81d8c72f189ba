"""The real app in Debian's Chromium: every page renders without a Streamlit
exception and draws every chart. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import subprocess

import pytest
from browser_helpers import SCREENSHOTS, chromium_browser, chromium_or_skip, streamlit_server
from page_helpers import TODAY, build_database

pytestmark = pytest.mark.browser

VIEW = "kind=quarter&period=2026-Q3"

# url path -> (file stem, page title shown as h1, minimum number of charts)
BROWSER_PAGES = {
    "": ("01-tong-quan", "Tổng quan", 2),
    "tien-do": ("02-tien-do", "Tiến độ nhiệm vụ", 3),
    "tuyen-truyen": ("03-tuyen-truyen", "Tuyên truyền", 6),
    "tham-du": ("04-tham-du", "Tham dự hội nghị, học tập quán triệt", 4),
    "nop-bao-cao": ("05-nop-bao-cao", "Tình hình nộp báo cáo", 2),
    "kho-khan": ("06-kho-khan", "Khó khăn, vướng mắc", 0),
    "don-vi": ("07-don-vi", "Chi bộ Khu dân cư số 3", 2),
}


def wait_rendered(page, title: str, timeout_ms: int = 60_000) -> None:
    """Wait for the page's h1, for the script run to end, and for charts to be drawn."""
    page.get_by_role("heading", name=title, level=1).first.wait_for(timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            const state = app ? app.getAttribute('data-test-script-state') : 'initial';
            if (['initial', 'running', 'rerunRequested'].includes(state)) return false;
            if (document.querySelector('[data-testid="stSkeleton"]')) return false;
            const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]').length;
            const drawn = document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot .main-svg').length;
            return drawn >= charts;
        }""",
        timeout=timeout_ms,
        polling=250,
    )
    page.wait_for_timeout(500)  # let late elements settle before the screenshot


def screenshot(page, stem: str) -> None:
    """The whole page: Streamlit scrolls inside its main block, so grow the viewport to fit."""
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]'); return m ? m.scrollHeight : 1000; }"
    )
    page.set_viewport_size({"width": 1600, "height": min(12000, max(1000, int(height)))})
    page.wait_for_timeout(800)  # charts resize to the new width
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{stem}.png"), full_page=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    chromium_or_skip()
    tmp = tmp_path_factory.mktemp("browser")
    db_url = build_database(tmp / "sample.db", seed=True)
    with streamlit_server(db_url, tmp / "streamlit.log", TODAY) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as b:
        yield b


@pytest.mark.parametrize("path", list(BROWSER_PAGES))
def test_page_renders_in_chromium(server, browser, path):
    stem, title, min_charts = BROWSER_PAGES[path]
    query = VIEW + ("&unit=KDC03" if path == "don-vi" else "")
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{server}/{path}?{query}", wait_until="domcontentloaded")
        wait_rendered(page, title)
        screenshot(page, stem)
        assert page.locator('[data-testid="stException"]').count() == 0
        charts = page.locator('[data-testid="stPlotlyChart"]').count()
        drawn = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').count()
        assert charts >= min_charts
        assert drawn == charts
        body = page.locator("body").inner_text()
        assert "Đảng ủy phường Bạch Đằng" in body
        for raw in ("in_progress", "not_started", "on_time", "Traceback"):
            assert raw not in body
        # the view is kept in the URL
        assert "period=2026-Q3" in page.url
        assert not errors, errors
    finally:
        context.close()


def test_unit_name_link_opens_the_unit_page(server, browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{server}/nop-bao-cao?{VIEW}", wait_until="domcontentloaded")
        wait_rendered(page, "Tình hình nộp báo cáo")
        page.goto(f"{server}/don-vi?{VIEW}&unit=KDC01", wait_until="domcontentloaded")
        wait_rendered(page, "Chi bộ Khu dân cư số 1")
        assert "unit=KDC01" in page.url
        # the sidebar's unit filter follows the link
        sidebar_values = page.evaluate(
            """() => Array.from(document.querySelectorAll('[data-testid="stSidebar"] [data-testid="stSelectbox"]'))
                .map(e => e.textContent + ' ' + Array.from(e.querySelectorAll('input')).map(i => i.value).join(' '))
                .join(' | ')"""
        )
        assert "Chi bộ Khu dân cư số 1" in sidebar_values
    finally:
        context.close()


def test_chromium_is_debians():
    chromium = chromium_or_skip()
    version = subprocess.run([str(chromium), "--version"], capture_output=True, text=True, timeout=60).stdout
    assert "Chromium" in version
    assert "Debian" in version
