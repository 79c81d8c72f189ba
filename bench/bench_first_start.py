"""First start on a fresh data directory: time from `streamlit run app.py` to the overview showing figures.

A new SQLite database (or, with --clone, a fresh `git clone` of the repository's
HEAD into a temporary directory, with no data/ folder) and DASHBOARD_SEED=1,
as on a fresh clone.  Chromium (Debian's) opens the app's root, logs in with the
sample ward's demo office account when the login form shows, and waits for the
overview's figures (st.metric values).  Printed:

- seconds to the server's health check, to the first page, to the overview's figures;
- seconds until the whole sample year is stored (the background fill's end);
- baseline, measured in the same run: the whole sample year stored before any
  page (``bootstrap.seed_sample_ward`` on another fresh database: what a first
  page had to wait for when seeding ran before the app drew anything).

    python bench/bench_first_start.py [--clone] [--no-baseline] [--today 2026-11-28]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser_helpers import CHROMIUM, CHROMIUM_ARGS, free_port, stop_server  # noqa: E402

FIGURES_TIMEOUT_S = 180
FILL_TIMEOUT_S = 600


def _submissions(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as c:
            return c.execute("select count(*) from submissions").fetchone()[0]
    except sqlite3.Error:
        return 0


def _fill_done(db: Path) -> bool:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as c:
            row = c.execute("select data from ward_settings").fetchone()
    except sqlite3.Error:
        return False
    return bool(row) and '"sample_fill": "done"' in row[0]


def first_start(root: Path, db: Path, today: str | None) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    from storage.accounts import DEMO_ACCOUNTS

    office = next(a for a in DEMO_ACCOUNTS if a["role"] == "office")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "DASHBOARD_SEED": "1",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    env.pop("DASHBOARD_TODAY", None)
    if today:
        env["DASHBOARD_TODAY"] = today
    out: dict[str, float] = {}
    log = (db.parent / "streamlit.log").open("wb")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            while True:
                try:
                    page.goto(base + "/", wait_until="domcontentloaded", timeout=2000)
                    break
                except Exception:  # noqa: BLE001 - not listening yet
                    if time.perf_counter() - t0 > FIGURES_TIMEOUT_S:
                        raise
                    time.sleep(0.2)
            out["server answering"] = time.perf_counter() - t0
            login = page.get_by_label("Tên đăng nhập", exact=True)
            metric = page.locator('[data-testid="stMetricValue"]')
            deadline = time.monotonic() + FIGURES_TIMEOUT_S
            logged_in = False
            while time.monotonic() < deadline:
                if metric.count() and metric.first.inner_text().strip() not in ("", "—"):
                    break
                if not logged_in and login.count() and login.first.is_visible():
                    out["first page (login form)"] = time.perf_counter() - t0
                    login.first.fill(office["username"])
                    page.get_by_label("Mật khẩu", exact=True).fill(office["password"])
                    page.get_by_role("button", name="Đăng nhập").click()
                    logged_in = True
                page.wait_for_timeout(100)
            else:
                raise TimeoutError("the overview showed no figures")
            out["overview figures"] = time.perf_counter() - t0
            out["reports stored then"] = float(_submissions(db))
            print(
                f"  overview figures after {out['overview figures']:.1f} s "
                f"({int(out['reports stored then'])} reports stored by then)",
                flush=True,
            )
            page.screenshot(path=str(db.parent / "first-start.png"))
            deadline = time.monotonic() + FILL_TIMEOUT_S
            while time.monotonic() < deadline and not _fill_done(db):
                time.sleep(0.5)
            out["whole sample year stored"] = time.perf_counter() - t0
            out["reports stored"] = float(_submissions(db))
        finally:
            stop_server(proc)
            browser.close()
            log.close()
    return out


def baseline(tmp: Path) -> float:
    from bootstrap import seed_sample_ward
    from storage.db import get_engine

    engine = get_engine(f"sqlite:///{tmp / 'baseline.db'}")
    t0 = time.perf_counter()
    seed_sample_ward(engine)
    engine.dispose()
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clone", action="store_true", help="run from a fresh git clone of HEAD in a temporary directory")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--today", default=None, help="DASHBOARD_TODAY for the server (default: the real date)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="first-start-") as t:
        tmp = Path(t)
        root = ROOT
        if args.clone:
            root = tmp / "clone"
            subprocess.run(["git", "clone", "-q", str(ROOT), str(root)], check=True)
        data = tmp / "data"
        data.mkdir()
        got = first_start(root, data / "dashboard.db", args.today)
        print(f"first start ({'fresh clone of HEAD' if args.clone else 'working tree'}, new database, 2 cores shared):")
        for k, v in got.items():
            print(f"  {k:<28} {v:8.1f}" + ("" if k.startswith("reports") else " s"))
        if not args.no_baseline:
            b = baseline(tmp)
            print(f"  baseline: whole sample year stored before the first page {b:8.1f} s")
            print(f"  overview figures vs baseline: {got['overview figures']:.1f} s vs {b:.1f} s")
        print(f"  screenshot: {data / 'first-start.png'} (removed with the temporary directory)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
