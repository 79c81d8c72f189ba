"""Issue 12 in a real browser (Playwright on Debian's Chromium): log in through the form as each demo
role and see only what that role may see; direct URLs of other pages land elsewhere; the login
survives a reload; logout ends it; nothing is shown before login. Screenshots in artifacts/."""

from __future__ import annotations

import re

import pytest

from storage import db, review
from tests.browser_helpers import SCREENSHOTS, chromium_browser, chromium_or_skip, login, streamlit_server
from tests.page_helpers import TODAY, build_database, ensure_test_account
from tests.storage_helpers import fake_bytes, make_result, sample_propaganda, sample_tasks

pytestmark = pytest.mark.browser

NAV = '[data-testid="stSidebarNav"]'
WAIT_MS = 90_000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    chromium_or_skip()
    tmp = tmp_path_factory.mktemp("browser-access")
    url = build_database(tmp / "ward.db", seed=False, registry=True)
    engine = db.get_engine(url)
    from storage import accounts

    office = accounts.resolve_session(engine, accounts.start_session(engine, ensure_test_account(url, "office")))
    for unit in ("KDC01", "KDC02"):
        r = make_result(unit, "2026-10", f"bao-cao-{unit}.xlsx", tasks=sample_tasks(), propaganda=sample_propaganda())
        review.store_upload(engine, office, r, fake_bytes(unit), f"bao-cao-{unit}.xlsx")
    engine.dispose()
    with streamlit_server(url, tmp / "streamlit.log", TODAY) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium_browser(role=None) as b:
        yield b


def _title(page) -> str:
    page.locator("h1").first.wait_for(timeout=WAIT_MS)
    page.wait_for_timeout(800)  # the page's own script finishes
    return page.locator("h1").first.inner_text().strip()


def _nav(page) -> list[str]:
    page.locator(NAV).wait_for(timeout=WAIT_MS)
    # each link's text is its icon's ligature name, then its title
    return [t.strip().splitlines()[-1].strip() for t in page.locator(f"{NAV} a").all_inner_texts() if t.strip()]


def _open(page, base: str, path: str) -> str:
    page.goto(f"{base}/{path}", wait_until="domcontentloaded")
    return _title(page)


def test_nothing_before_login(server, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="vi-VN")
    page = context.new_page()
    for path in ("", "tong-quan", "tai-khoan", "gui-bao-cao?unit=KDC02", "nhat-ky"):
        assert _open(page, server, path) == "Đăng nhập"
        body = page.locator("body").inner_text()
        assert "Khu dân cư số 2" not in body and "bao-cao-KDC" not in body
        assert page.locator('[data-testid="stMetric"]').count() == 0
    assert "vanphong" in page.locator("body").inner_text()  # demo accounts are named on the login page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "access-login-1440.png"), timeout=90_000)
    context.close()


ROLES = {
    "office": {
        "open": {
            "tai-khoan": "Quản lý tài khoản",
            "nhat-ky": "Nhật ký",
            "tiep-nhan": "Tiếp nhận báo cáo",
            "gui-bao-cao": "Gửi báo cáo",
            "tong-quan": "Tổng quan",
        },  # fmt: skip
        "forbidden_paths": [],
    },
    "leader": {
        "open": {
            "nhat-ky": "Nhật ký",
            "tiep-nhan": "Tiếp nhận báo cáo",
            "xuat-bao-cao": "Xuất báo cáo",
            "tong-quan": "Tổng quan",
        },  # fmt: skip
        "forbidden_paths": ["tai-khoan", "gui-bao-cao"],
    },
    "unit": {
        "open": {"gui-bao-cao": "Gửi báo cáo", "ca-nhan": "Tài khoản của tôi"},
        "forbidden_paths": ["tong-quan", "tai-khoan", "nhat-ky", "xuat-bao-cao", "tiep-nhan", "don-vi?unit=KDC02"],
    },
}
DEFAULT_TITLE = {"office": "Tổng quan", "leader": "Tổng quan", "unit": "Gửi báo cáo"}


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_sees_only_its_pages(server, browser, role):
    rules = ROLES[role]
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="vi-VN")
    page = context.new_page()
    login(page, server, role)
    assert _open(page, server, "") == DEFAULT_TITLE[role]
    if role == "unit":  # a short navigation: exactly its two pages
        assert _nav(page) == ["Gửi báo cáo", "Tài khoản của tôi"]
    for path, title in rules["open"].items():
        assert _open(page, server, path) == title, (role, path)
    for path in rules["forbidden_paths"]:  # a typed URL of another page runs the role's default page
        assert _open(page, server, path) == DEFAULT_TITLE[role], (role, path)
    if role == "unit":
        assert _open(page, server, "gui-bao-cao?unit=KDC02") == "Gửi báo cáo"
        body = page.locator("body").inner_text()
        # no text of the other unit (the history table is drawn on a canvas: AppTest checks its rows)
        assert "Gửi báo cáo" in body and "Khu dân cư số 2" not in body and "KDC02" not in body
    # the login survives a reload
    page.reload(wait_until="domcontentloaded")
    assert _title(page) != "Đăng nhập"
    page.screenshot(path=str(SCREENSHOTS / f"access-{role}-1440.png"), timeout=90_000)
    # logout ends it, also for the next reload
    page.get_by_role("button", name=re.compile("Đăng xuất")).first.click()
    assert _title(page) == "Đăng nhập"
    page.reload(wait_until="domcontentloaded")
    assert _title(page) == "Đăng nhập"
    context.close()
