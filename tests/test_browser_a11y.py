"""Readable by everyone: axe-core (WCAG 2 A and AA rules) on every page in Debian's Chromium.

axe-core comes with the `axe-playwright-python` wheel (requirements-dev.txt), which
ships axe.min.js; nothing is downloaded at test time. The test fails on any serious
or critical finding of ours.

Excluded by rule id, on purpose:
- ``list`` and ``listitem``: Streamlit's own sectioned sidebar navigation renders
  section headers inside its ``<ul data-testid="stSidebarNavItems">`` as ``<li>``
  children that hold a non-``<li>`` wrapper. A bare Streamlit app with
  ``st.navigation`` sections shows the same findings; the markup is the
  framework's and cannot be changed from an app.
"""

from __future__ import annotations

import json

import pytest
from browser_helpers import SCREENSHOTS, chromium_browser, chromium_or_skip, streamlit_server
from page_helpers import TODAY, build_database
from test_browser import wait_rendered

pytestmark = pytest.mark.browser

VIEW = "kind=month&period=2026-11"
FRAMEWORK_RULES = {"list", "listitem"}  # Streamlit's sidebar markup, see the module docstring
BLOCKING = {"serious", "critical"}

# url path -> h1 title shown on that page
A11Y_PAGES = {
    "": "Tổng quan",
    "tien-do": "Tiến độ nhiệm vụ",
    "tuyen-truyen": "Tuyên truyền",
    "tham-du": "Tham dự hội nghị, học tập quán triệt",
    "nop-bao-cao": "Tình hình nộp báo cáo",
    "kho-khan": "Khó khăn, vướng mắc",
    "don-vi": "Chi bộ Khu dân cư số 3",
    "gui-bao-cao": "Gửi báo cáo",
    "xuat-bao-cao": "Xuất báo cáo",
    "tiep-nhan": "Tiếp nhận báo cáo",
    "nhat-ky": "Nhật ký",
    "tai-khoan": "Quản lý tài khoản",
    "ca-nhan": "Tài khoản của tôi",
    "thiet-lap-phuong": "Thiết lập phường",
    "quan-tri-don-vi": "Đơn vị và nhóm đơn vị",
    "quan-tri-ke-hoach": "Kế hoạch và nhiệm vụ",
    "lich-su-danh-muc": "Lịch sử thay đổi danh mục",
}


def run_axe(page) -> list[dict]:
    """Serious and critical WCAG 2 A/AA violations on ``page``, framework rules left out."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            "resultTypes": ["violations"],
        },
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["html"][:160] for n in v["nodes"]]}
        for v in result.response["violations"]
        if v["impact"] in BLOCKING and v["id"] not in FRAMEWORK_RULES
    ]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    chromium_or_skip()
    tmp = tmp_path_factory.mktemp("a11y")
    db_url = build_database(tmp / "sample.db", seed=True)
    with streamlit_server(db_url, tmp / "streamlit.log", TODAY) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as b:
        yield b


def test_axe_finds_a_planted_contrast_problem(server, browser):
    """The check can fail: light-grey text planted into a real page is reported."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(f"{server}/?{VIEW}", wait_until="domcontentloaded")
        wait_rendered(page, "Tổng quan")
        page.evaluate(
            """() => { const p = document.createElement('p'); p.textContent = 'Chữ mờ khó đọc';
                       p.style.color = '#C8C8C8'; document.querySelector('[data-testid="stMain"]').prepend(p); }"""
        )
        found = run_axe(page)
        assert any(v["id"] == "color-contrast" for v in found), found
    finally:
        context.close()


@pytest.mark.parametrize("path", list(A11Y_PAGES))
def test_no_serious_accessibility_finding(server, browser, path):
    title = A11Y_PAGES[path]
    query = VIEW + ("&unit=KDC03" if path == "don-vi" else "")
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(f"{server}/{path}?{query}", wait_until="domcontentloaded")
        wait_rendered(page, title)
        found = run_axe(page)
        assert not found, json.dumps(found, ensure_ascii=False, indent=1)
        small = page.evaluate(SMALL_TEXT_JS)
        assert not small, f"text under 14 px: {small[:10]}"
    finally:
        context.close()


# Every visible text of the page (HTML and the charts' SVG text) in a font under 14 px.
SMALL_TEXT_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const out = [];
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    if (!text) continue;
    const el = node.parentElement;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const size = parseFloat(style.fontSize);
    if (size < 13.95) out.push(text.slice(0, 40) + ' (' + size + 'px)');
  }
  return out;
}"""


def test_pages_at_200_percent_zoom(server, browser):
    """200 % zoom at 1366x768 (device scale 2 on a 683x384 CSS viewport): nothing overflows sideways."""
    context = browser.new_context(viewport={"width": 683, "height": 384}, device_scale_factor=2, locale="vi-VN")
    page = context.new_page()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        for path, title in A11Y_PAGES.items():
            query = VIEW + ("&unit=KDC03" if path == "don-vi" else "")
            page.goto(f"{server}/{path}?{query}", wait_until="domcontentloaded")
            wait_rendered(page, title)
            page.screenshot(path=str(SCREENSHOTS / f"zoom200-{path or 'tong-quan'}.png"))
            overflow = page.evaluate(
                """() => { const m = document.querySelector('[data-testid="stMain"]');
                           return m ? m.scrollWidth - m.clientWidth : 0; }"""
            )
            assert overflow <= 2, f"{path or '/'}: main area scrolls sideways by {overflow}px at 200 % zoom"
    finally:
        context.close()
