"""Speed a user feels, each figure against its floor measured in the same run (issue 15).

    python bench/bench_feel.py [--files N] [--rounds R] [--parts check,upload,nav,profile] [--city]

1. check: ``loaders.check_path`` against the naive ``pandas.read_excel(engine="openpyxl")``
   and against the floor (unzip + lxml iterparse of the sheet parts and shared strings, no
   value conversion), on groups of workbooks built in this run from the generator's typical
   three-form reports: ``generator`` (as written), ``openpyxl`` (loaded and saved again by
   openpyxl, as a hand edit does), ``xlsxwriter`` (every cell and merge written anew by
   xlsxwriter), ``libreoffice`` (re-saved by ``soffice --headless --convert-to xlsx``, when
   installed).  In-process: best of R per file, sides in rotating order (bench_check).  As
   whole processes: ``python -m loaders check --json`` over the group's N files in one process,
   minus the same command over one missing file (interpreter start, imports, registry read:
   everything but the checks), divided by N; the naive side likewise runs a ``python -c``
   script reading the N files, minus the same script with no file (interpreter + pandas +
   openpyxl imports).  Best of 3 processes each.  ``python -c pass`` is printed for scale.
2. upload: in Chromium (Playwright, /usr/bin/chromium), logged in as the office demo account,
   on the upload page: from choosing a typical file (set_input_files) to the visible
   "Xác nhận gửi" button, median of 5, against bench/floors/bare_uploader.py.
3. nav: in Chromium, click in the sidebar to each dashboard page until it is settled (no
   rerun running, nothing stale, its title shown, every plotly chart drawn, unchanged for
   0.4 s; the time is when that quiet stretch began), median of 3, against the "Bốn biểu đồ"
   page of bench/floors/four_charts.py (four plotly charts), on the sample ward (and with
   --city on bench_storage's city-scale database).
4. profile: cProfile of the upload page's script run (AppTest, logged in) as it checks a
   typical file, top entries by cumulative time.

Goals (issue 15): check >= 5x naive on every group and <= 5x the floor; upload <= 2x floor;
slowest page <= 1.5x floor.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from bench_check import _check, _generated, _naive, _spread  # noqa: E402
from lxml import etree  # noqa: E402

FLOORS = ROOT / "bench" / "floors"
GOALS = {"naive": 5.0, "floor": 5.0, "upload": 2.0, "nav": 1.5}
NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
TODAY = "2026-11-28"
NAIVE_SRC = (
    "import sys, warnings; import pandas as pd; import openpyxl\n"
    "warnings.simplefilter('ignore')\n"
    "for f in sys.argv[1:]: pd.read_excel(f, sheet_name=None, engine='openpyxl')\n"
)
DASHBOARD = [  # sidebar link -> the page's title (tests/page_helpers.PAGES), app.py's order
    ("Tiến độ nhiệm vụ", "Tiến độ nhiệm vụ"),
    ("Tuyên truyền", "Tuyên truyền"),
    ("Tham dự", "Tham dự hội nghị, học tập quán triệt"),
    ("Tình hình nộp báo cáo", "Tình hình nộp báo cáo"),
    ("Khó khăn, vướng mắc", "Khó khăn, vướng mắc"),
    ("Đơn vị", "Đơn vị"),
    ("Tổng quan", "Tổng quan"),
]

# ----------------------------------------------------------------------------- 1. check


def _floor(path: Path) -> None:
    """Unzip and parse every sheet part and the shared strings: the least any reader does."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if (name.startswith("xl/worksheets/") and name.endswith(".xml")) or name == "xl/sharedStrings.xml":
                with z.open(name) as f:
                    for _ev, el in etree.iterparse(f, events=("end",), tag=(f"{NS}row", f"{NS}si")):
                        el.clear()


SIDES = (("check", _check), ("naive", _naive), ("floor", _floor))


def _measure(path: Path, rounds: int) -> dict[str, float]:
    for _name, fn in SIDES:  # warm-up, untimed, for every side alike
        fn(path)
    times: dict[str, list[float]] = {name: [] for name, _ in SIDES}
    for i in range(rounds):
        for name, fn in SIDES[i % 3 :] + SIDES[: i % 3]:
            t0 = time.perf_counter()
            fn(path)
            times[name].append((time.perf_counter() - t0) * 1000)
    return {k: min(v) for k, v in times.items()}


def _resave_openpyxl(src: list[Path], out: Path) -> list[Path]:
    import openpyxl

    out.mkdir()
    paths = []
    for p in src:
        wb = openpyxl.load_workbook(p)
        wb.save(out / p.name)
        paths.append(out / p.name)
    return paths


def _rewrite_xlsxwriter(src: list[Path], out: Path) -> list[Path]:
    import datetime as dt

    import openpyxl
    import xlsxwriter

    out.mkdir()
    paths = []
    for p in src:
        wb = openpyxl.load_workbook(p)
        book = xlsxwriter.Workbook(str(out / p.name), {"default_date_format": "dd/mm/yyyy"})
        for ws in wb.worksheets:
            sheet = book.add_worksheet(ws.title)
            for row in ws.iter_rows():
                for c in row:
                    if c.value is None:
                        continue
                    if isinstance(c.value, dt.datetime | dt.date):
                        sheet.write_datetime(c.row - 1, c.column - 1, c.value)
                    else:
                        sheet.write(c.row - 1, c.column - 1, c.value)
            for rng in ws.merged_cells.ranges:
                top = ws.cell(rng.min_row, rng.min_col).value
                sheet.merge_range(rng.min_row - 1, rng.min_col - 1, rng.max_row - 1, rng.max_col - 1, top)
        book.close()
        paths.append(out / p.name)
    return paths


def _resave_libreoffice(src: list[Path], out: Path) -> list[Path]:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        return []
    out.mkdir()
    profile = out.parent / "lo-profile"
    subprocess.run(
        [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xlsx", "--outdir", str(out)]
        + [str(p) for p in src],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return [out / p.name for p in src if (out / p.name).exists()]


def _proc_best(cmd: list[str], runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, cwd=ROOT, check=False)
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def _cli(files: list[Path], db_url: str) -> tuple[float, float, float, float]:
    """Through whole processes (see the module doc), ms: per file in a process of N files with the
    one-file process subtracted (start-up, imports, registry, worker pool: all cancelled), for check
    and naive; then each one-file process above its imports baseline (check: the same command on a
    missing file; naive: the script with no file), which still holds check's worker-pool start."""
    py = sys.executable
    check = [py, "-m", "loaders", "check", "--json", "--db", db_url]
    naive = [py, "-c", NAIVE_SRC]
    names = [str(f) for f in files]
    c_all, c_one = _proc_best(check + names), _proc_best(check + names[:1])
    n_all, n_one = _proc_best(naive + names), _proc_best(naive + names[:1])
    c_base = _proc_best(check + [str(files[0].parent / "missing.xlsx")])
    n_base = _proc_best(naive)
    k = max(1, len(files) - 1)
    return (c_all - c_one) / k, (n_all - n_one) / k, c_one - c_base, n_one - n_base


def part_check(
    all_typical: list[Path], n: int, rounds: int, db_url: str, out: Path
) -> dict[str, tuple[float, float, float, float]]:
    from loaders import check_path
    from sample_data import sample_registry

    registry = sample_registry()
    out.mkdir()
    gen = _spread(all_typical, n)
    groups = {
        "generator": gen,
        "openpyxl": _resave_openpyxl(gen, out / "openpyxl"),
        "xlsxwriter": _rewrite_xlsxwriter(gen, out / "xlsxwriter"),
        "libreoffice": _resave_libreoffice(gen, out / "libreoffice"),
    }
    print(f"python -c pass: {_proc_best([sys.executable, '-c', 'pass']):.0f} ms (for scale)")
    print(
        f"\n{'group':<12}{'files':>6}{'ok':>4}{'check ms':>10}{'naive ms':>10}{'floor ms':>10}"
        f"{'x naive':>9}{'x floor':>9}{'cli ms':>8}{'cli naive':>10}{'cli x':>7}{'1-file':>8}{'naive':>7}"
    )
    results = {}
    for group, files in groups.items():
        if not files:
            print(f"{group:<12} skipped (LibreOffice is not installed)")
            continue
        ok = sum(check_path(f, registry=registry).accepted for f in files)
        per = [_measure(f, rounds) for f in files]
        c, nv, fl = (sum(p[k] for p in per) / len(per) for k in ("check", "naive", "floor"))
        cc, cn, c1, n1 = _cli(files, db_url)
        results[group] = (nv / c, c / fl, cn / cc, c)
        print(
            f"{group:<12}{len(files):>6}{ok:>4}{c:>10.2f}{nv:>10.2f}{fl:>10.2f}{nv / c:>9.1f}{c / fl:>9.1f}"
            f"{cc:>8.2f}{cn:>10.2f}{cn / cc:>7.1f}{c1:>8.0f}{n1:>7.0f}"
        )
    print(
        "(ms per file. in-process: best of R. cli: whole processes, best of 3, N files minus 1 file per file;"
        " 1-file / naive: a one-file process minus its imports baseline, check's including its worker-pool start)"
    )
    return results


# ----------------------------------------------------------------------------- browser helpers

SETTLE_JS = """
async ({path, title, quietMs, t0}) => {
  const settled = () => {
    if (!location.pathname.replace(/\\/$/, '').endsWith(path)) return false;
    if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
    if (document.querySelector('[data-stale="true"]')) return false;
    const h1 = [...document.querySelectorAll('h1')].map(e => e.textContent);
    if (!h1.some(t => t.includes(title))) return false;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    return charts.every(c => c.querySelector('.main-svg'));
  };
  let since = null;
  const deadline = performance.now() + 120000;
  while (performance.now() < deadline) {
    const now = performance.now();
    if (settled()) { if (since === null) since = now; if (now - since >= quietMs) return since - t0; }
    else since = null;
    await new Promise(r => setTimeout(r, 10));
  }
  throw new Error('page did not settle: ' + path);
}
"""


def _settle(page, path: str, title: str, t0: float) -> float:
    return page.evaluate(SETTLE_JS, {"path": path, "title": title, "quietMs": 400, "t0": t0}) / 1000


def _bare_server(script: Path, log: Path):
    import os

    from browser_helpers import free_port, wait_healthy

    port = free_port()
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true"]
            + ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
            cwd=FLOORS,
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, proc)
    return proc, base


def _upload_times(browser, base: str, path: Path, app: bool, runs: int) -> list[float]:
    out = []
    for _ in range(runs + 1):  # the first run warms the server up, untimed
        ctx = browser.new_context(viewport={"width": 1440, "height": 900})
        page = ctx.new_page()
        page.set_default_timeout(120_000)
        page.goto(base + "/")
        if app:
            page.get_by_role("link", name="Gửi báo cáo").click()
            _settle(page, "/gui-bao-cao", "Gửi báo cáo", 0)
        else:
            _settle(page, "", "Gửi báo cáo", 0)
        page.locator("input[type=file]").wait_for(state="attached")
        t0 = time.perf_counter()
        page.locator("input[type=file]").set_input_files(str(path))
        page.get_by_role("button", name="Xác nhận gửi", exact=True).wait_for(state="visible")
        out.append(time.perf_counter() - t0)
        ctx.close()
    return out[1:]


def _nav_times(page, links: list[tuple[str, str, str]], rounds: int) -> dict[str, list[float]]:
    """links: (link text, url path, title) visited in turn, ``rounds`` times; the first round warms up."""
    times: dict[str, list[float]] = {name: [] for name, _, _ in links}
    for r in range(rounds + 1):
        for name, path, title in links:
            t0 = page.evaluate("performance.now()")
            page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=name, exact=True).click()
            secs = _settle(page, path, title, t0)
            if r:
                times[name].append(secs)
    return times


# ----------------------------------------------------------------------------- 2. upload


def part_upload(db_url: str, typical: Path, out: Path, runs: int = 5) -> float:
    from browser_helpers import chromium_browser, stop_server, streamlit_server

    with streamlit_server(db_url, out / "app.log", TODAY) as base, chromium_browser("office") as browser:
        app = _upload_times(browser, base, typical, True, runs)
    proc, base = _bare_server(FLOORS / "bare_uploader.py", out / "bare.log")
    try:
        with chromium_browser(None) as browser:
            bare = _upload_times(browser, base, typical, False, runs)
    finally:
        stop_server(proc)
    a, b = statistics.median(app), statistics.median(bare)
    print(
        f"\nupload ({typical.name}, {typical.stat().st_size / 1024:.0f} KB), choose file -> 'Xác nhận gửi', median of {runs}"
    )
    print(f"  app  {a:.3f} s  {' '.join(f'{x:.2f}' for x in app)}")
    print(f"  bare {b:.3f} s  {' '.join(f'{x:.2f}' for x in bare)}")
    print(f"  ratio {a / b:.2f}x (goal <= {GOALS['upload']:g}x)")
    return a / b


# ----------------------------------------------------------------------------- 3. navigation


def part_nav(db_url: str, out: Path, label: str, rounds: int = 3) -> float:
    from browser_helpers import chromium_browser, stop_server, streamlit_server

    slugs = {"Tổng quan": "tong-quan"}
    with streamlit_server(db_url, out / f"nav-{label}.log", TODAY) as base, chromium_browser("office") as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.set_default_timeout(120_000)
        page.goto(base + "/")
        _settle(page, "", "Tổng quan", 0)
        links = []
        for name, title in DASHBOARD:
            href = page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=name, exact=True)
            path = (href.get_attribute("href") or "").rstrip("/").rsplit("/", 1)[-1]
            links.append((name, "/" + path if path and name not in slugs else "", title))
        app = _nav_times(page, links, rounds)
    proc, base = _bare_server(FLOORS / "four_charts.py", out / "four.log")
    try:
        with chromium_browser(None) as browser:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.set_default_timeout(120_000)
            page.goto(base + "/")
            _settle(page, "", "Trang đầu", 0)
            floor = _nav_times(
                page, [("Bốn biểu đồ", "/bon-bieu-do", "Bốn biểu đồ"), ("Trang đầu", "", "Trang đầu")], rounds
            )
    finally:
        stop_server(proc)
    f = statistics.median(floor["Bốn biểu đồ"])
    print(f"\nnavigation ({label}): sidebar click -> page settled with charts drawn, median of {rounds}")
    print(f"  {'floor: four plotly charts':<28}{f:>7.3f} s")
    worst = 0.0
    for name, secs in app.items():
        m = statistics.median(secs)
        worst = max(worst, m / f)
        print(f"  {name:<28}{m:>7.3f} s  {m / f:5.2f}x")
    print(f"  slowest page {worst:.2f}x the floor (goal <= {GOALS['nav']:g}x)")
    return worst


# ----------------------------------------------------------------------------- 4. profile


def part_profile(db_url: str, typical: Path, top: int = 30) -> None:
    import os

    import streamlit as st
    from page_helpers import environment, login
    from streamlit.testing.v1 import AppTest
    from streamlit.testing.v1 import local_script_runner as lsr

    prof = cProfile.Profile()
    original = lsr.LocalScriptRunner._run_script_thread
    active = {"on": False}

    def profiled(self):
        if not active["on"]:
            return original(self)
        prof.enable()
        try:
            return original(self)
        finally:
            prof.disable()

    lsr.LocalScriptRunner._run_script_thread = profiled
    try:
        with environment(db_url, TODAY):
            st.cache_data.clear()
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
            login(at, db_url, "office")
            at.run()
            at.switch_page("pages/upload.py")
            at.run()
            at.file_uploader(key="upload_files").set_value(
                [
                    (
                        typical.name,
                        typical.read_bytes(),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    )
                ]
            )
            active["on"] = True
            t0 = time.perf_counter()
            at.run()
            total = time.perf_counter() - t0
            active["on"] = False
            assert not at.exception, at.exception
            t0 = time.perf_counter()
            at.run()  # the next rerun with the same file (e.g. a click elsewhere on the page)
            rerun = time.perf_counter() - t0
    finally:
        lsr.LocalScriptRunner._run_script_thread = original
        os.environ.pop("DASHBOARD_SEED", None)
    print(f"\nprofile: upload page run checking {typical.name}: {total:.3f} s in AppTest; the next rerun {rerun:.3f} s")
    for title, key, restrict in (
        ("the project's functions by cumulative time", "cumulative", r"/(app|ui/|pages/|storage/|loaders/)"),
        ("every function by own time", "tottime", ""),
    ):
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf).sort_stats(key)
        stats.print_stats(*([restrict] if restrict else []), top)
        lines = [ln for ln in buf.getvalue().splitlines() if ln.strip()]
        start = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls"))
        print(f"-- {title} (top {top}) --")
        print("\n".join(ln.replace(str(ROOT) + "/", "").replace("storage/../", "") for ln in lines[start:]))


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=8, help="files per check group")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--parts", default="check,upload,nav,profile")
    ap.add_argument("--city", action="store_true", help="also navigate on bench_storage's city-scale database")
    args = ap.parse_args(argv)
    parts = {p.strip() for p in args.parts.split(",")}
    from page_helpers import build_database
    from upload_helpers import registry_database

    summary = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        reg_url = registry_database(out / "registry.db")
        all_typical = _generated(out, 10_000)["typical"]
        by_size = sorted(all_typical, key=lambda p: p.stat().st_size)
        typical = by_size[len(by_size) // 2]  # the median-size three-form report
        if "check" in parts:
            res = part_check(all_typical, args.files, args.rounds, reg_url, out / "check")
            for g, (xn, xf, cli, _ms) in res.items():
                ok = xn >= GOALS["naive"] and xf <= GOALS["floor"] and cli >= GOALS["naive"]
                summary.append(
                    f"check {g}: {xn:.1f}x naive, cli {cli:.1f}x naive, {xf:.1f}x floor {'MET' if ok else 'NOT MET'}"
                )
        if "upload" in parts:
            r = part_upload(reg_url, typical, out)
            summary.append(f"upload: {r:.2f}x bare uploader {'MET' if r <= GOALS['upload'] else 'NOT MET'}")
        if "nav" in parts:
            sample = build_database(out / "sample.db", seed=True)
            r = part_nav(sample, out, "sample ward")
            summary.append(f"nav sample ward: slowest {r:.2f}x four charts {'MET' if r <= GOALS['nav'] else 'NOT MET'}")
            if args.city:
                print("--city: build the city-scale database with bench/bench_storage.py and pass it (not automated)")
        if "profile" in parts:
            part_profile(reg_url, typical)
    print("\nsummary (goals: check >= 5x naive and <= 5x floor; upload <= 2x; slowest page <= 1.5x):")
    for line in summary:
        print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
