"""Vietnamese everywhere a user looks, and not one request leaves the server (issue 13).

The real app in Debian's Chromium: every request the page makes is recorded (``page.on("request")``
and websockets) and must go to the app's own host; the page text and the tooltips/labels
(``title``, ``aria-label``, ``placeholder``, ``data-title``) must hold none of the English strings
Streamlit and plotly write themselves (``ui.i18n.ENGLISH_STRINGS``), also after opening what
shows more of them: a select box searched for something absent, a table's toolbar, a chart's
modebar, the uploader, a page that does not exist.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from browser_helpers import SCREENSHOTS, chromium_browser, chromium_or_skip, streamlit_server
from page_helpers import TODAY, build_database

from ui.i18n import ENGLISH_STRINGS

pytestmark = pytest.mark.browser

VIEW = "kind=quarter&period=2026-Q3"
TIMEOUT_MS = 180_000  # waits, not limits: the shared test machine can be very busy
PAGES = {
    "": "Tổng quan",
    "tien-do": "Tiến độ nhiệm vụ",
    "tuyen-truyen": "Tuyên truyền",
    "nop-bao-cao": "Tình hình nộp báo cáo",
    "kho-khan": "Khó khăn, vướng mắc",
    "gui-bao-cao": "Gửi báo cáo",
}

COLLECT_JS = """() => {
    const out = [document.body.innerText];
    for (const el of document.querySelectorAll('*')) {
        for (const a of ['title', 'aria-label', 'placeholder', 'data-title']) {
            const v = el.getAttribute(a);
            if (v) out.push(v);
        }
    }
    return out.join('\\n');
}"""

_ENGLISH = re.compile("|".join(rf"(?<![\w/]){re.escape(s)}(?!\w)" for s in ENGLISH_STRINGS))


def english_in(text: str) -> list[str]:
    return sorted(set(_ENGLISH.findall(text)))


class Recorder:
    """Every URL the browser asked for (requests and websockets) on any page of a context."""

    def __init__(self, context):
        self.urls: list[str] = []
        context.on("request", lambda r: self.urls.append(r.url))
        context.on("page", self._page)

    def _page(self, page):
        page.on("websocket", lambda ws: self.urls.append(ws.url))

    def outside(self, base: str) -> list[str]:
        own = urlsplit(base).netloc
        return sorted(
            {u for u in self.urls if urlsplit(u).scheme not in ("data", "blob", "about") and urlsplit(u).netloc != own}
        )


def wait_idle(page) -> None:
    """The script run has ended; then give the charts a moment to draw (a chart in a closed
    expander or tab is never drawn, so that wait does not fail)."""
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            const state = app ? app.getAttribute('data-test-script-state') : 'initial';
            if (['initial', 'running', 'rerunRequested'].includes(state)) return false;
            return !document.querySelector('[data-testid="stSkeleton"]');
        }""",
        timeout=TIMEOUT_MS,
        polling=250,
    )
    try:
        page.wait_for_function(
            """() => document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot .main-svg').length
                >= document.querySelectorAll('[data-testid="stPlotlyChart"]:not([hidden])').length""",
            timeout=15_000,
            polling=250,
        )
    except Exception:  # noqa: BLE001 - a chart not drawn is not what this test is about
        pass
    page.wait_for_timeout(400)


def seen(page) -> str:
    return page.evaluate(COLLECT_JS)


def poke(page) -> str:
    """Open what shows more of Streamlit's and plotly's own words; return everything seen meanwhile."""
    texts = [seen(page)]
    # a visible table (each chart's own data table sits in a closed expander)
    frames = page.locator('[data-testid="stDataFrame"]:visible')
    if frames.count():
        frames.first.scroll_into_view_if_needed()
        frames.first.hover()
        page.wait_for_timeout(300)
        buttons = page.locator('[data-testid="stElementToolbar"] button')
        for i in range(buttons.count()):
            try:
                buttons.nth(i).hover(timeout=3000)
                page.wait_for_timeout(250)
                texts.append(seen(page))
            except Exception:  # a button that hides while moving: its label is already in aria-label
                pass
    charts = page.locator('[data-testid="stPlotlyChart"]')
    if charts.count():
        charts.first.scroll_into_view_if_needed()
        charts.first.hover()
        page.wait_for_timeout(300)
        modebar = page.locator('[data-testid="stPlotlyChart"] .modebar-btn')
        if modebar.count():
            modebar.first.hover()
            page.wait_for_timeout(200)
        texts.append(seen(page))
    boxes = page.locator('[data-testid="stSelectbox"]')
    if boxes.count():
        boxes.last.scroll_into_view_if_needed()
        boxes.last.click()
        page.wait_for_timeout(300)
        page.keyboard.type("zzzz khong co")
        page.wait_for_timeout(400)
        texts.append(seen(page))
        page.keyboard.press("Escape")
    return "\n".join(texts)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    chromium_or_skip()
    pytest.importorskip("playwright.sync_api")
    tmp = tmp_path_factory.mktemp("browser_i18n")
    db_url = build_database(tmp / "sample.db", seed=True)
    with streamlit_server(db_url, tmp / "streamlit.log", TODAY) as base:
        yield base


def test_english_word_list_is_streamlits_own():
    """The list the test looks for holds the words users met (issue 13), and none of it is Vietnamese."""
    for s in ("Upload", "per file", "Choose an option", "No results", "Download plot as a PNG", "Zoom"):
        assert s in ENGLISH_STRINGS or any(s in e for e in ENGLISH_STRINGS)
    for s in ("Show/hide columns", "Download as CSV", "Search", "Page not found", "Running the app's main page"):
        assert s in ENGLISH_STRINGS
    assert english_in("Tải biểu đồ (ảnh PNG) · Không tìm thấy · Tối đa 20MB mỗi tệp") == []
    assert english_in("Limit 20MB per file • XLSX") == ["per file"]


def test_login_page_is_vietnamese_and_local(server):
    with chromium_browser(role=None) as browser:
        context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="vi-VN")
        rec = Recorder(context)
        page = context.new_page()
        page.goto(f"{server}/", wait_until="domcontentloaded")
        page.get_by_label("Mật khẩu", exact=True).wait_for(timeout=TIMEOUT_MS)
        wait_idle(page)
        assert english_in(seen(page)) == []
        assert rec.outside(server) == []
        context.close()


def test_every_page_vietnamese_and_no_outside_request(server):
    with chromium_browser() as browser:
        context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="vi-VN")
        rec = Recorder(context)
        page = context.new_page()
        found: dict[str, list[str]] = {}
        everything = []
        try:
            for path, title in PAGES.items():
                page.goto(f"{server}/{path}?{VIEW}", wait_until="domcontentloaded")
                page.get_by_role("heading", name=title, level=1).first.wait_for(timeout=TIMEOUT_MS)
                wait_idle(page)
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOTS / f"i18n-{path or 'tong-quan'}.png"))
                text = poke(page)
                everything.append(text)
                words = english_in(text)
                if words:
                    found[path or "tong-quan"] = words
            # the pokes did reach what they open, and it spoke Vietnamese
            everything = "\n".join(everything)
            for vietnamese in ("Không tìm thấy", "Tải biểu đồ (ảnh PNG)", "Toàn màn hình", "Tìm trong bảng"):
                assert vietnamese in everything, vietnamese
            # the tab icon is the app's own file
            icon = page.evaluate("() => document.querySelector(\"link[rel='shortcut icon']\").href")
            assert icon.startswith(server) or icon.startswith("data:"), icon
            assert page.evaluate("() => document.documentElement.lang") == "vi"
            # the uploader, as it looks before a file is chosen
            page.goto(f"{server}/gui-bao-cao", wait_until="domcontentloaded")
            page.locator('[data-testid="stFileUploader"]').wait_for(timeout=TIMEOUT_MS)
            wait_idle(page)
            uploader = page.locator('[data-testid="stFileUploader"]').inner_text()
            assert "Chọn tệp" in uploader and "mỗi tệp" in uploader, uploader
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.locator('[data-testid="stFileUploader"]').screenshot(path=str(SCREENSHOTS / "i18n-uploader.png"))
            # a page that does not exist
            page.goto(f"{server}/khong-co-trang-nay", wait_until="domcontentloaded")
            page.wait_for_timeout(3000)
            wait_idle(page)
            words = english_in(seen(page))
            if words:
                found["khong-co-trang-nay"] = words
        finally:
            context.close()
        assert found == {}, found
        assert rec.outside(server) == []
        assert any(urlsplit(u).path.endswith("/_stcore/stream") for u in rec.urls)  # the websocket was recorded
