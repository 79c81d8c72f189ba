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


@contextmanager
def streamlit_server(db_url: str, log_path: Path, today: str) -> Iterator[str]:
    """A healthy server on a free port; yields its base URL and stops it afterwards."""
    port = free_port()
    proc = start_server(db_url, port, log_path, today)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc)
        yield base
    finally:
        stop_server(proc)


@contextmanager
def chromium_browser() -> Iterator:
    """A headless Playwright browser on Debian's Chromium (skips like `chromium_or_skip`)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = chromium_or_skip()
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()
