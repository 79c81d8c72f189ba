"""Trình chiếu in Debian's Chromium, as a presenter runs it: from a filtered dashboard view,
the header's button opens the meeting screens; the keyboard (→ and Page Down, as a clicker
sends them) moves through every screen; each screen shows its title, the period and the
unit scope and the figures of storage.queries, in big type, with nothing to scroll and no
sidebar; Page Up goes back; "Về bảng theo dõi" returns to the same page and filters.
Screenshots of every screen at 1920×1080 and 1366×768 go to artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, quote, urlparse

import pytest
from browser_helpers import SCREENSHOTS, chromium_browser, chromium_or_skip, streamlit_server
from page_helpers import TODAY, build_database
from present_helpers import CHART_SCREENS, SCREEN_TITLES, check_chart, expected

from storage import db
from storage.queries import Filters

pytestmark = pytest.mark.browser

GROUP = "Chi bộ khu dân cư"
VIEW = {"kind": "quarter", "period": "2026-Q3", "group": GROUP}
VIEW_F = Filters("2026-07", "2026-09", group=GROUP)
CONTEXT = f"Quý III/2026 · Khối {GROUP}"
KEYS = ["01-bia", "02-so-lieu", "03-tien-do", "04-qua-han", "05-hinh-thuc", "06-thoi-gian", "07-tham-du",
        "08-nop-bao-cao", "09-kho-khan", "10-de-xuat"]  # fmt: skip
MIN_TITLE_PX = 40
MIN_LABEL_PX = 22

SETTLED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app ? app.getAttribute('data-test-script-state') : 'initial';
    if (['initial', 'running', 'rerunRequested'].includes(state)) return false;
    const stage = document.querySelector('.st-key-present-stage');
    if (!stage || !stage.querySelector('.pres-head, .pres-cover, .js-plotly-plot .main-svg')) return false;
    if (stage.querySelector('[data-testid="stSkeleton"]')) return false;
    return true;
}"""

DASHBOARD_SETTLED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app ? app.getAttribute('data-test-script-state') : 'initial';
    if (['initial', 'running', 'rerunRequested'].includes(state)) return false;
    if (document.querySelector('[data-testid="stSkeleton"]')) return false;
    const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]').length;
    return document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot .main-svg').length >= charts;
}"""

READ = """() => {
    const stage = document.querySelector('.st-key-present-stage');
    const px = el => el ? parseFloat(getComputedStyle(el).fontSize) : null;
    const gd = stage.querySelector('.js-plotly-plot');
    const main = document.querySelector('[data-testid="stMain"]');
    const sidebar = document.querySelector('[data-testid="stSidebar"]');
    const out = {
        counter: (document.querySelector('.pres-counter') || {}).textContent,
        html: stage.innerText,
        title: null, titlePx: null, labelPx: [],
        scroll: [main.scrollHeight, main.clientHeight],
        sidebarShown: !!sidebar && sidebar.getBoundingClientRect().width > 0 && getComputedStyle(sidebar).display !== 'none',
        visibleInputs: [...document.querySelectorAll('input, select, textarea, [role="combobox"]')]
            .filter(e => e.getBoundingClientRect().width > 0 && getComputedStyle(e).visibility !== 'hidden').length,
        fig: null,
    };
    const head = stage.querySelector('.pres-title, .pres-cover-title');
    if (head) { out.title = head.innerText; out.titlePx = px(head); }
    if (gd) {
        const t = gd.querySelector('.gtitle');
        out.title = gd.layout.meta.title; out.titlePx = parseFloat(t.style.fontSize || t.getAttribute('font-size'));
        out.figTitle = gd.layout.title.text;
        out.labelPx = [...gd.querySelectorAll('.xtick text, .ytick text, .legendtext, .bartext')]
            .map(e => parseFloat(e.style.fontSize));
        // plotly keeps typed arrays as sent ({dtype, bdata}); present_helpers.values decodes them
        const arr = v => (v && v.bdata) ? {dtype: v.dtype, bdata: v.bdata}
            : Array.from(v || [], e => typeof e === 'bigint' ? Number(e) : e);
        out.fig = {
            data: gd.data.map(t => ({name: t.name, orientation: t.orientation, x: arr(t.x), y: arr(t.y)})),
            layout: {annotations: (gd.layout.annotations || []).map(a => ({text: a.text}))},
        };
    }
    return out;
}"""


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory):
    chromium_or_skip()
    return build_database(tmp_path_factory.mktemp("present-browser") / "sample.db", seed=True)


@pytest.fixture(scope="module")
def server(sample_url, tmp_path_factory):
    with streamlit_server(sample_url, tmp_path_factory.mktemp("log") / "streamlit.log", TODAY) as base:
        yield base


@pytest.fixture(scope="module")
def browser(server):
    with chromium_browser() as b:
        yield b


@pytest.fixture(scope="module")
def want(sample_url):
    engine = db.get_engine(sample_url)
    try:
        return expected(engine, VIEW_F, dt.date.fromisoformat(TODAY))
    finally:
        engine.dispose()


def _query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def _wait_screen(page, n: int) -> dict:
    page.get_by_text(f"Trang {n}/{len(SCREEN_TITLES)}", exact=True).wait_for(timeout=120_000)
    page.wait_for_function(SETTLED, timeout=120_000, polling=250)
    page.wait_for_timeout(700)  # the chart's resize to the stage's height
    return page.evaluate(READ)


def _check(n: int, seen: dict, want: dict) -> None:
    assert seen["title"] == SCREEN_TITLES[n - 1]
    assert seen["titlePx"] >= MIN_TITLE_PX, (n, seen["titlePx"])
    assert not seen["sidebarShown"] and seen["visibleInputs"] == 0
    assert seen["scroll"][0] <= seen["scroll"][1] + 1, f"screen {n} scrolls: {seen['scroll']}"
    if n in CHART_SCREENS:
        assert CONTEXT in seen["figTitle"]
        assert seen["labelPx"] and min(seen["labelPx"]) >= MIN_LABEL_PX, (n, sorted(set(seen["labelPx"])))
        check_chart(CHART_SCREENS[n], seen["fig"], want)
    else:
        assert CONTEXT in seen["html"]
    text = seen["html"]
    if n == 2:
        for value in want["headline"]:
            assert value in text
    elif n == 4:
        assert (want["overdue"]["note"] in text) if want["overdue"]["codes"] else ("Không có nhiệm vụ quá hạn" in text)
        for code in want["overdue"]["codes"]:
            assert code in text
    elif n == 5 and want["channel_total"]:
        assert any(want["channel_total"] in a["text"] for a in seen["fig"]["layout"]["annotations"])
    elif n == 9:
        assert want["obstacles"] in text
    elif n == 10:
        for item in want["proposals"]:
            assert item in text


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)], ids=["1920x1080", "1366x768"])
def test_a_meeting_run_with_the_keyboard(server, browser, want, size):
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    query = "&".join(f"{k}={quote(v)}" for k, v in VIEW.items())
    page.goto(f"{server}/tuyen-truyen?{query}")
    page.get_by_role("heading", name="Tuyên truyền", level=1).first.wait_for(timeout=120_000)
    page.wait_for_function(DASHBOARD_SETTLED, timeout=120_000, polling=250)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if width == 1920:  # the dashboard's charts, each with its title, period and scope inside
        page.screenshot(path=str(SCREENSHOTS / "present-00-from-tuyen-truyen.png"))
    page.get_by_role("button", name="Trình chiếu").click(timeout=60_000)
    for n in range(1, len(SCREEN_TITLES) + 1):
        seen = _wait_screen(page, n)
        url = _query(page)
        assert url.get("trinh-chieu") == "1" and url.get("trang", "1") == str(n)
        assert {k: url.get(k) for k in VIEW} == VIEW, "the view's filters stay in the URL"
        page.screenshot(path=str(SCREENSHOTS / f"present-{width}x{height}-{KEYS[n - 1]}.png"))
        _check(n, seen, want)
        if n < len(SCREEN_TITLES):
            page.keyboard.press("ArrowRight" if n % 2 else "PageDown")  # arrows, and a clicker's "next"
    page.keyboard.press("PageUp")  # a clicker's "back"
    _wait_screen(page, len(SCREEN_TITLES) - 1)
    page.keyboard.press("ArrowLeft")
    _wait_screen(page, len(SCREEN_TITLES) - 2)
    page.get_by_role("button", name="Về bảng theo dõi").click()
    page.get_by_role("heading", name="Tuyên truyền", level=1).first.wait_for(timeout=120_000)
    url = _query(page)
    assert "trinh-chieu" not in url and "trang" not in url
    assert {k: url.get(k) for k in VIEW} == VIEW, "back on the same page with the same filters"
    assert not errors, errors
    context.close()


def test_screens_fit_an_old_projector(server, browser):
    """1280×720: every screen without scrolling (screenshots of the busiest screens)."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="vi-VN")
    page = context.new_page()
    query = "&".join(f"{k}={quote(v)}" for k, v in VIEW.items())
    for n in range(1, len(SCREEN_TITLES) + 1):
        page.goto(f"{server}/?{query}&trinh-chieu=1&trang={n}")
        seen = _wait_screen(page, n)
        assert seen["title"] == SCREEN_TITLES[n - 1]
        assert seen["scroll"][0] <= seen["scroll"][1] + 1, f"screen {n} scrolls at 1280×720: {seen['scroll']}"
        if n in (2, 3, 4):
            page.screenshot(path=str(SCREENSHOTS / f"present-1280x720-{KEYS[n - 1]}.png"))
    context.close()
