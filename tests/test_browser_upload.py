"""The upload page in a real browser: Debian's Chromium driven by Playwright against `streamlit run`."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import db
from tests.browser_helpers import SCREENSHOTS, chromium_browser, chromium_or_skip, streamlit_server
from tests.upload_helpers import bad_attendance_xlsx, registry_database, report_xlsx, row_counts

pytestmark = pytest.mark.browser

STEP_TIMEOUT_MS = 60_000
TODAY = "2026-04-28"


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    chromium_or_skip()
    pytest.importorskip("playwright.sync_api")
    tmp = tmp_path_factory.mktemp("browser")
    url = registry_database(tmp / "browser.db")
    with streamlit_server(url, tmp / "streamlit.log", TODAY) as base:
        yield base, url


@pytest.fixture(scope="module")
def browser(app_server):
    with chromium_browser() as b:
        yield b


def _shot(page, name: str, focus=None) -> None:
    """Screenshot of the viewport (Streamlit scrolls inside its main block), after scrolling to ``focus``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if focus is not None:
        focus.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _upload(page, tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    page.locator("input[type=file]").set_input_files(str(path))


def test_upload_in_the_browser(app_server, browser, tmp_path):
    base, url = app_server
    engine = db.get_engine(url)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(STEP_TIMEOUT_MS)
    try:
        # Open the app and follow the sidebar link, as a user does. (Loading /gui-bao-cao directly
        # shows Streamlit's spurious "Page not found" modal on a first visit: streamlit/streamlit#9992.)
        page.goto(base)
        page.get_by_text("Tổng quan").first.wait_for()
        page.get_by_role("link", name="Gửi báo cáo").click()
        page.get_by_role("heading", name="Gửi báo cáo").first.wait_for()
        assert "/gui-bao-cao" in page.url
        page.get_by_text("2. Gửi tệp báo cáo").wait_for()
        page.get_by_text("Người gửi:").wait_for()  # the logged-in account, no text box (issue 12)
        page.locator("input[type=file]").wait_for(state="attached")
        page.wait_for_timeout(500)
        _shot(page, "upload-01-empty")

        _upload(page, tmp_path, "cb-kdc3-t02.xlsx", report_xlsx())
        confirm = page.get_by_role("button", name="Xác nhận gửi", exact=True)
        confirm.wait_for()
        page.get_by_text("1 tệp hợp lệ, 0 tệp bị từ chối").wait_for()
        _shot(page, "upload-02-checked", confirm)
        assert row_counts(engine)["submissions"] == 0  # nothing stored before the confirmation
        confirm.click()
        page.get_by_text("Đã lưu báo cáo của Chi bộ Khu dân cư số 3, Tháng 02/2026").wait_for()
        _shot(page, "upload-03-stored", page.get_by_text("Đã lưu báo cáo của Chi bộ Khu dân cư số 3, Tháng 02/2026"))
        assert row_counts(engine)["submissions"] == 1

        # a refused file: present above invited, the cell is named on the page
        _upload(page, tmp_path, "cb-kdc3-sai.xlsx", bad_attendance_xlsx())
        page.get_by_text("Tệp bị từ chối: 1 lỗi").wait_for()
        page.get_by_text("Biểu 03!G8").first.wait_for()
        page.get_by_role("button", name="Tải tệp của bạn đã đánh dấu ô lỗi").wait_for()
        _shot(page, "upload-04-refused", page.get_by_role("button", name="Tải tệp của bạn đã đánh dấu ô lỗi"))
        assert row_counts(engine)["submissions"] == 1

        # the highlighted copy downloads
        with page.expect_download() as info:
            page.get_by_role("button", name="Tải tệp của bạn đã đánh dấu ô lỗi").click()
        download = info.value
        assert download.suggested_filename == "cb-kdc3-sai_can-sua.xlsx"
        target = tmp_path / download.suggested_filename
        download.save_as(str(target))
        assert target.read_bytes()[:2] == b"PK"
    finally:
        page.close()
        engine.dispose()
