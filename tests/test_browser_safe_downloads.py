"""Table downloads in Debian's Chromium (issue 8): the table toolbar has no "Download as CSV"
(client.disableDataExport), our "Tải CSV" / "Tải Excel" sit by the table, and the files a click
gives hold the unit's '=...' text inert (escaped CSV field, text cell)."""

from __future__ import annotations

import csv
import io

import pytest
from browser_helpers import SCREENSHOTS, chromium_browser, chromium_or_skip, demo_account, streamlit_server
from openpyxl import load_workbook
from page_helpers import build_database
from test_browser_export import wait_idle
from test_formula_injection import HOSTILE, hostile_report

from sample_data import sample_registry
from storage import db
from storage.ingest import ingest_bytes

pytestmark = pytest.mark.browser

STEP_TIMEOUT_MS = 60_000
TEXT = HOSTILE["hyperlink"]


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    chromium_or_skip()
    tmp = tmp_path_factory.mktemp("browser-safe")
    url = build_database(tmp / "site.db", seed=False, registry=True)
    engine = db.get_engine(url)
    unit = sample_registry().units[0]
    assert ingest_bytes(engine, hostile_report(unit.name, TEXT), "hyperlink.xlsx", sender="test").stored
    engine.dispose()
    with streamlit_server(url, tmp / "streamlit.log", "2026-03-05") as base:
        yield base


def test_toolbar_has_no_csv_and_our_downloads_are_inert(app_server, tmp_path):
    with chromium_browser(role=None) as browser:
        context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="vi-VN", accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(STEP_TIMEOUT_MS)
        page.goto(f"{app_server}/", wait_until="domcontentloaded")
        # the login form, as a person fills it (with room for a slow first run on a busy machine)
        account = demo_account("office")
        page.get_by_label("Tên đăng nhập", exact=True).fill(account["username"], timeout=5 * STEP_TIMEOUT_MS)
        page.get_by_label("Mật khẩu", exact=True).fill(account["password"])
        page.get_by_role("button", name="Đăng nhập").click()
        page.get_by_role("heading", name="Tổng quan", level=1).first.wait_for(timeout=5 * STEP_TIMEOUT_MS)
        page.goto(f"{app_server}/?from=2026-02&to=2026-02", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Tổng quan", level=1).first.wait_for(timeout=5 * STEP_TIMEOUT_MS)
        wait_idle(page)
        page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Tham dự").click()
        page.locator(".st-key-att_all_csv button").wait_for(timeout=5 * STEP_TIMEOUT_MS)
        wait_idle(page, 5 * STEP_TIMEOUT_MS)
        table = page.locator(".st-key-att_all").locator("xpath=following::*[@data-testid='stDataFrame'][1]")
        if not table.count():
            table = page.locator('[data-testid="stDataFrame"]').last
        table.scroll_into_view_if_needed()
        table.hover()
        page.wait_for_timeout(800)
        toolbar = page.locator('[data-testid="stElementToolbar"]')
        labels = [
            (b.get_attribute("aria-label") or b.inner_text() or "").strip()
            for t in toolbar.all()
            for b in t.locator("button").all()
        ]
        assert labels, "the table toolbar did not show on hover"
        assert not [x for x in labels if "csv" in x.lower() or "download" in x.lower() or "tải" in x.lower()], labels
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "table-toolbar-no-csv.png"))

        got = {}
        for ext in ("csv", "xlsx"):
            button = page.locator(f".st-key-att_all_{ext} button")
            assert button.count() == 1, ext
            with page.expect_download() as info:
                button.click()
            target = tmp_path / info.value.suggested_filename
            info.value.save_as(target)
            got[ext] = target.read_bytes()
        context.close()

    fields = [f for row in csv.reader(io.StringIO(got["csv"].decode("utf-8-sig"))) for f in row]
    assert "'" + TEXT in fields
    assert not [f for f in fields if f.startswith(("=", "+", "@", "\t", "\r"))]
    wb = load_workbook(io.BytesIO(got["xlsx"]))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(c.value == TEXT and c.data_type == "s" for c in cells)
