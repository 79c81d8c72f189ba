"""First start in Debian's Chromium on a new database (DASHBOARD_SEED=1, the sample ward filling in
the background): a link to a page as the server's very first request, and every page's own address
while the sample year is being stored, never show Streamlit's English "Page not found" dialog.
Timings are printed (bench/bench_first_start.py measures them properly), never asserted."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from browser_helpers import (
    CHROMIUM_ARGS,
    ROOT,
    chromium_or_skip,
    demo_account,
    free_port,
    stop_server,
    wait_healthy,
)

pytestmark = pytest.mark.browser

NOT_FOUND = "Page not found"
FIRST_LINK = "tien-do"


def _app_paths() -> list[str]:
    """Every url_path app.py declares ("" is the root)."""
    import ast

    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    paths = [""]
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "url_path" and isinstance(node.value, ast.Constant):
            paths.append(node.value.value)
    return paths


def _settled(page, timeout_ms: int = 120_000) -> None:
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            const state = app ? app.getAttribute('data-test-script-state') : 'initial';
            return !['initial', 'running', 'rerunRequested'].includes(state)
                && document.querySelector('[data-testid="stMain"]');
        }""",
        timeout=timeout_ms,
        polling=200,
    )
    page.wait_for_timeout(700)  # a page-not-found dialog comes with the run's messages


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory):
    chromium_or_skip()
    tmp = tmp_path_factory.mktemp("first-start")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'dashboard.db'}",
        "DASHBOARD_SEED": "1",
        "DASHBOARD_TODAY": "2026-11-28",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    started = time.perf_counter()
    with (tmp / "streamlit.log").open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "app.py"),
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc)
        yield base, started
    finally:
        stop_server(proc)


def test_links_work_on_the_first_request_and_during_the_first_fill(fresh_server):
    sync_api = pytest.importorskip("playwright.sync_api")
    base, started = fresh_server
    office = demo_account("office")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium_or_skip()), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            page = context.new_page()
            # the server's first request: a link to a page other than the first one
            page.goto(f"{base}/{FIRST_LINK}", wait_until="domcontentloaded")
            page.get_by_label("Tên đăng nhập", exact=True).wait_for(timeout=180_000)
            print(f"\nfirst request /{FIRST_LINK}: login form after {time.perf_counter() - started:.1f} s from start")
            _settled(page)
            assert page.get_by_text(NOT_FOUND).count() == 0
            page.get_by_label("Tên đăng nhập", exact=True).fill(office["username"])
            page.get_by_label("Mật khẩu", exact=True).fill(office["password"])
            page.get_by_role("button", name="Đăng nhập").click()
            page.get_by_role("heading", name="Tiến độ nhiệm vụ", level=1).first.wait_for(timeout=180_000)
            print(f"/{FIRST_LINK} after login: {time.perf_counter() - started:.1f} s from start")
            assert page.get_by_text(NOT_FOUND).count() == 0

            # every page's own address, opened directly while the sample year is still being stored
            seen: dict[str, str] = {}
            for path in _app_paths():
                tab = context.new_page()
                t0 = time.perf_counter()
                tab.goto(f"{base}/{path}", wait_until="domcontentloaded")
                _settled(tab)
                h1 = tab.locator("h1").first
                seen[path] = h1.inner_text(timeout=60_000).strip() if h1.count() else ""
                assert tab.get_by_text(NOT_FOUND).count() == 0, f"/{path}: Page not found dialog"
                assert seen[path], f"/{path}: no page title"
                print(f"/{path or ''}: “{seen[path]}” in {time.perf_counter() - t0:.1f} s")
                tab.close()
            assert seen["tong-quan"] == seen[""] == "Tổng quan"
            assert seen["thiet-lap-phuong"] == "Thiết lập phường"
        finally:
            browser.close()
