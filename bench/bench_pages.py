"""Server time to render each dashboard page (AppTest) and, optionally, the time
to the first chart in Debian's Chromium.

    python bench/bench_pages.py                 # sample ward in a temp SQLite file
    python bench/bench_pages.py --db URL        # an existing database (e.g. city scale)
    python bench/bench_pages.py --browser       # also time to first chart in Chromium

Figures: first run (cold cache: every query runs) and the median of warm runs
(cached queries, what a user sees when switching pages). Goal: < 1 s per page
on the sample ward.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from page_helpers import PAGES, TODAY, build_database, environment  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

GOAL_S = 1.0  # sample ward; the city-scale goal is 2 s


def views_with_data(url: str) -> list[dict[str, str]]:
    """The month, quarter and year that end at the database's latest period with data.

    A view with no data would time an empty state, so the views come from the data.
    """
    from storage import db, queries

    engine = db.get_engine(url)
    try:
        periods = list(queries.list_periods(engine)["period"])
    finally:
        engine.dispose()
    last = periods[-1] if periods else "2026-11"
    year, month = last[:4], int(last[5:7])
    return [
        {"kind": "month", "period": last},
        {"kind": "quarter", "period": f"{year}-Q{(month - 1) // 3 + 1}"},
        {"kind": "year", "period": year},
    ]


def time_page(url: str, page: str, params: dict[str, str], warm_runs: int) -> tuple[float, float]:
    import streamlit as st

    with environment(url, TODAY):
        st.cache_data.clear()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        for k, v in params.items():
            at.query_params[k] = v
        at.run()  # registers the pages
        at.switch_page(page)
        st.cache_data.clear()
        t0 = time.perf_counter()
        at.run()
        cold = time.perf_counter() - t0
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].value}")
        warm = []
        for _ in range(warm_runs):
            t0 = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t0)
    return cold, statistics.median(warm) if warm else float("nan")


def browser_first_chart(url: str) -> dict[str, float]:
    from browser_helpers import CHROMIUM, CHROMIUM_ARGS, streamlit_server
    from playwright.sync_api import sync_playwright

    out: dict[str, float] = {}
    quarter = views_with_data(url)[1]["period"]
    with tempfile.TemporaryDirectory() as tmp, streamlit_server(url, Path(tmp) / "streamlit.log", TODAY) as base:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for path in ("", "tien-do", "tuyen-truyen", "tham-du", "nop-bao-cao", "don-vi"):
                page = browser.new_page(viewport={"width": 1600, "height": 1000})
                q = f"kind=quarter&period={quarter}" + ("&unit=KDC03" if path == "don-vi" else "")
                t0 = time.perf_counter()
                page.goto(f"{base}/{path}?{q}", wait_until="domcontentloaded")
                page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot .main-svg').first.wait_for(timeout=120_000)
                out[path or "tong-quan"] = time.perf_counter() - t0
                page.close()
            browser.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", help="database URL (default: a fresh sample ward in a temp SQLite file)")
    ap.add_argument("--warm-runs", type=int, default=3)
    ap.add_argument("--browser", action="store_true", help="also time the first chart in Chromium")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db
        if url is None:
            t0 = time.perf_counter()
            url = build_database(Path(tmp) / "sample.db", seed=True)
            print(f"sample ward built in {time.perf_counter() - t0:.1f} s")
        print(f"database: {url}")
        goal = GOAL_S if args.db is None else 2 * GOAL_S
        worst = 0.0
        for view in views_with_data(url):
            print(f"view {view}")
            print(f"{'page':<24}{'cold (s)':>10}{'warm (s)':>10}  goal < {goal:.1f} s")
            for page in PAGES:
                params = {**view, **({"unit": "KDC03"} if page == "pages/unit.py" else {})}
                cold, warm = time_page(url, page, params, args.warm_runs)
                worst = max(worst, cold)
                flag = "ok" if cold < goal else "SLOW"
                print(f"{page:<24}{cold:>10.3f}{warm:>10.3f}  {flag}")
        print(f"slowest cold page: {worst:.3f} s (goal < {goal:.1f} s)")
        if args.browser:
            print("time to first chart in Chromium (s):")
            for path, secs in browser_first_chart(url).items():
                print(f"  {path:<16}{secs:>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
