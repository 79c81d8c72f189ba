"""Memory of the running app: start `streamlit run app.py` on a database, open every page
in Debian's Chromium for a month, a quarter and a year, and print the server's resident
memory (current and peak, from /proc) after each view. Goal: under 1 GB at city scale.

    python bench/bench_app_memory.py --db sqlite:////tmp/city/city.db
    python bench/bench_app_memory.py            # the sample ward in a temp SQLite file

The baseline printed first is the same server right after start, before any page ran.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from bench_pages import views_with_data  # noqa: E402
from page_helpers import build_database  # noqa: E402
from test_browser import CHROMIUM, CHROMIUM_ARGS, free_port, start_server, wait_healthy  # noqa: E402

PATHS = ("", "tien-do", "tuyen-truyen", "tham-du", "nop-bao-cao", "kho-khan", "don-vi", "xuat-bao-cao")


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process and its children, in MB."""
    import os

    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = Path(f"/proc/{pid}/task/{task.name}/children")
        if children.exists():
            pids += [int(c) for c in children.read_text().split()]
    rss = hwm = 0.0
    for p in pids:
        if not os.path.exists(f"/proc/{p}/status"):
            continue
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss += int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                hwm += int(line.split()[1]) / 1024
    return rss, hwm


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", help="database URL (default: a fresh sample ward in a temp SQLite file)")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or build_database(Path(tmp) / "sample.db", seed=True)
        port = free_port()
        proc = start_server(url, port, Path(tmp) / "streamlit.log")
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base, proc)
            rss, hwm = memory_mb(proc.pid)
            print(f"database: {url}")
            print(f"{'after start (baseline)':<40}{rss:>9.0f} MB rss {hwm:>9.0f} MB peak")
            worst = hwm
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1600, "height": 1000})
                for view in views_with_data(url):
                    t0 = time.perf_counter()
                    for path in PATHS:
                        q = f"kind={view['kind']}&period={view['period']}" + ("&unit=KDC03" if path == "don-vi" else "")
                        page.goto(f"{base}/{path}?{q}", wait_until="domcontentloaded")
                        page.locator('[data-testid="stMain"]').first.wait_for(timeout=120_000)
                        page.wait_for_function(
                            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000
                        )
                    rss, hwm = memory_mb(proc.pid)
                    worst = max(worst, hwm)
                    label = f"all pages, {view['kind']} {view['period']}"
                    print(f"{label:<40}{rss:>9.0f} MB rss {hwm:>9.0f} MB peak  ({time.perf_counter() - t0:.1f} s)")
                browser.close()
            verdict = "OK" if worst < 1024 else "OVER"
            print(f"peak server memory: {worst:.0f} MB (goal < 1024 MB): {verdict}")
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
