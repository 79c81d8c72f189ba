"""Shared setup for the browser tests (and bench/bench_pages.py): Debian's Chromium,
a `streamlit run` server on a free port, and the wait for its health check."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
START_TIMEOUT_S = 90
LOGIN_TIMEOUT_S = 60
# Base URLs of the servers started by ``streamlit_server`` and still running (the last one is
# where ``chromium_browser``'s contexts log in).
_RUNNING: list[str] = []


def chromium_or_skip() -> Path:
    """Debian's Chromium; skip when it is missing, except under CI=true where that fails."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{CHROMIUM} is missing (install Debian's chromium package; required under CI=true)")
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package to run browser tests")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, proc: subprocess.Popen, timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError("streamlit did not become healthy")


def start_server(db_url: str, port: int, log_path: Path, today: str) -> subprocess.Popen:
    """`streamlit run app.py` from the project root (so .streamlit/config.toml is read).

    The database is used as given (DASHBOARD_SEED=0: tests choose its content)."""
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DASHBOARD_TODAY": today,
        "DASHBOARD_SEED": "0",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    with log_path.open("wb") as log:  # the child keeps its own handle
        return subprocess.Popen(
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


def stop_server(proc: subprocess.Popen, timeout: float = 20) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def ensure_demo_accounts(db_url: str) -> None:
    """The sample ward's demo accounts in the database (those whose units exist), so that the
    browser tests log in through the login form exactly as a person would."""
    from storage import accounts, db

    engine = db.get_engine(db_url)
    try:
        db.migrate(engine)
        for spec in accounts.DEMO_ACCOUNTS:
            try:
                accounts.create_account(
                    engine,
                    spec["username"],
                    spec["display_name"],
                    spec["role"],
                    password=spec["password"],
                    units=spec.get("units", ()),
                    must_change_password=False,
                    demo=True,
                    check_rules=False,
                )
            except accounts.AccountError:
                pass  # already there, or its unit is not in this database
    finally:
        engine.dispose()


@contextmanager
def streamlit_server(db_url: str, log_path: Path, today: str) -> Iterator[str]:
    """A healthy server on a free port; yields its base URL and stops it afterwards.
    The database gets the demo accounts (``ensure_demo_accounts``) first."""
    ensure_demo_accounts(db_url)
    port = free_port()
    proc = start_server(db_url, port, log_path, today)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc)
        _RUNNING.append(base)
        yield base
    finally:
        if base in _RUNNING:
            _RUNNING.remove(base)
        stop_server(proc)


def demo_account(role: str) -> dict:
    from storage.accounts import DEMO_ACCOUNTS

    return next(a for a in DEMO_ACCOUNTS if a["role"] == role)


def login(page, base: str, role: str = "office") -> None:
    """Log ``page``'s browser context in through the login form with the demo account of ``role``;
    returns when the browser holds the session cookie (later page loads are logged in)."""
    from ui.auth import COOKIE

    account = demo_account(role)
    page.goto(f"{base}/", wait_until="domcontentloaded")
    page.get_by_label("Tên đăng nhập", exact=True).fill(account["username"], timeout=LOGIN_TIMEOUT_S * 1000)
    page.get_by_label("Mật khẩu", exact=True).fill(account["password"])
    page.get_by_role("button", name="Đăng nhập").click()
    deadline = time.monotonic() + LOGIN_TIMEOUT_S
    while time.monotonic() < deadline:
        if any(c["name"] == COOKIE and c["value"] for c in page.context.cookies()):
            return
        page.wait_for_timeout(200)
    raise TimeoutError(f"login as {account['username']} did not set the session cookie")


class LoggedInBrowser:
    """A Playwright browser whose new contexts (and pages) are logged in to the running server
    as ``role`` through the login form; everything else is the browser's own."""

    def __init__(self, browser, role: str | None):
        self._browser = browser
        self.role = role

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        if self.role and _RUNNING:
            page = context.new_page()
            login(page, _RUNNING[-1], self.role)
            page.close()
        return context

    def new_page(self, **kwargs):
        return self.new_context(**kwargs).new_page()


@contextmanager
def chromium_browser(role: str | None = "office") -> Iterator:
    """A headless Playwright browser on Debian's Chromium (skips like `chromium_or_skip`).
    Its new contexts and pages log in as ``role`` (None: not logged in) to the last server
    started by ``streamlit_server``."""
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = chromium_or_skip()
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)
        try:
            yield LoggedInBrowser(b, role)
        finally:
            b.close()
