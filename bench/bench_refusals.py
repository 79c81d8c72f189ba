"""Refusal time and peak memory for each hostile file; normal-read cost warm vs cold vs direct.

    python bench/bench_refusals.py

Goal shown: no refused hostile file takes more than 5 s or 500 MB (parent
Python allocations during the call, measured with tracemalloc, plus the
worker's peak resident memory for that request, VmHWM reset per request).
"""

from __future__ import annotations

import io
import resource
import statistics
import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import hostile_helpers as H  # noqa: E402

from loaders.forms import LIMITS  # noqa: E402
from loaders.reader import read_workbook  # noqa: E402
from loaders.sandbox import Sandbox  # noqa: E402

GOAL_SECONDS = 5.0
GOAL_MB = 500.0


def hostile_cases() -> list[tuple[str, bytes, str]]:
    cases = [
        ("empty (0 byte)", b"", "a.xlsx"),
        ("PNG named .xlsx", H.PNG, "a.xlsx"),
        ("PDF", H.PDF, "a.pdf"),
        ("plain text", H.TEXT, "a.xlsx"),
        ("CSV", H.CSV, "a.csv"),
        ("HTML saved as .xls", H.HTML_XLS, "a.xls"),
        ("Excel 2003 XML", H.XML_2003, "a.xls"),
        ("truncated xlsx", H.valid_workbook()[:2500], "a.xlsx"),
        ("encrypted (built OLE2)", H.fake_encrypted_ooxml(), "a.xlsx"),
        (".xls renamed .xlsx", H.corpus_bytes("date.xls"), "a.xlsx"),
        ("billion laughs (sheet)", H.billion_laughs_xlsx(), "a.xlsx"),
        ("billion laughs (sharedStrings)", H.billion_laughs_xlsx(True), "a.xlsx"),
        ("zip bomb 2.6 GB declared", H.zip_bomb_xlsx(2600), "a.xlsx"),
        ("zip bomb 2.6 GB, sizes lie", H.zip_bomb_xlsx(2600, declare_truthfully=False), "a.xlsx"),
        ("one cell at XFD1048576", H.far_cell_xlsx(), "a.xlsx"),
        ("1,000,000 rows", H.million_rows_xlsx(), "a.xlsx"),
    ]
    for name in (
        "pass_protected.xlsx",
        "pass_protected.ods",
        "issue_594_dos.ods",
        "OOM_alloc.xls",
        "OOM_alloc2.xls",
        "OOM_alloc3.xls",
    ):
        cases.append((f"corpus {name}", H.corpus_bytes(name), name))
    return cases


def measure(box: Sandbox, data: bytes, filename: str) -> tuple[str, float, float, float | None]:
    tracemalloc.start()
    started = time.perf_counter()
    workbook, problems = box.read(data, filename)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    outcome = "read" if workbook is not None else problems[0].code
    child = box.last.child_maxrss_kb / 1024 if box.last.child_maxrss_kb else None
    return outcome, seconds, peak / 2**20, child


def main() -> None:
    print(
        f"python-calamine sandbox bench — limits: timeout {LIMITS.worker_timeout_s} s, memory {LIMITS.worker_memory_bytes >> 20} MB\n"
    )
    box = Sandbox(LIMITS)
    box.read(H.formulas_xlsx(), "warm.xlsx")  # the worker is up before timing
    worst_s = worst_mb = 0.0
    print(f"{'hostile file':34s} {'bytes':>10s} {'verdict':24s} {'seconds':>8s} {'parent MB':>10s} {'child MB':>9s}")
    for label, data, filename in hostile_cases():
        outcome, seconds, parent_mb, child_mb = measure(box, data, filename)
        total_mb = parent_mb + (child_mb or 0)
        worst_s, worst_mb = max(worst_s, seconds), max(worst_mb, total_mb)
        child_text = f"{child_mb:9.1f}" if child_mb is not None else f"{'-':>9s}"
        print(f"{label:34s} {len(data):10d} {outcome:24s} {seconds:8.3f} {parent_mb:10.1f} {child_text}")

    print(
        f"\nworst hostile-file refusal at default limits: {worst_s:.3f} s, {worst_mb:.1f} MB  (goal: <= {GOAL_SECONDS} s, <= {GOAL_MB} MB) -> "
        f"{'PASS' if worst_s <= GOAL_SECONDS and worst_mb <= GOAL_MB else 'FAIL'}"
    )

    # The two ways a worker is lost, with limits loosened so that calamine really runs into them.
    loose = dict(max_sheet_rows=2_000_000, max_cells=10**9, max_uncompressed_bytes=10**9)
    million = H.million_rows_xlsx()
    print("\nworker lost (limits loosened so that calamine itself runs into the caps; not counted in the goal):")
    for label, limits in (
        # calamine alone needs about 2 s for these rows: a 1 s timeout is sure to fire
        ("1M rows, 1 s timeout -> timeout", replace(LIMITS, worker_timeout_s=1.0, **loose)),
        (
            "1M rows, 120 MB cap -> crash",
            replace(LIMITS, worker_memory_bytes=120 << 20, worker_timeout_s=30.0, **loose),
        ),
    ):
        lost = Sandbox(limits)
        lost.read(H.formulas_xlsx(), "warm.xlsx")
        outcome, seconds, parent_mb, _ = measure(lost, million, "a.xlsx")
        t0 = time.perf_counter()
        after, _ = lost.read(H.formulas_xlsx(), "next.xlsx")
        next_s = time.perf_counter() - t0
        lost.close()
        child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"{label:34s} {len(million):10d} {outcome:24s} {seconds:8.3f} {parent_mb:10.1f} {'(died)':>9s}"
            f"   next read {'ok' if after else 'FAILED'} in {next_s:.3f} s; children peak so far {child_peak:.0f} MB"
        )

    # Normal small workbook: warm worker vs a cold child per file vs calamine in-process.
    data = H.valid_workbook()
    warm = []
    for _ in range(50):
        t0 = time.perf_counter()
        box.read(data, "bao_cao.xlsx")
        warm.append(time.perf_counter() - t0)
    box.close()
    cold = []
    for _ in range(8):
        t0 = time.perf_counter()
        one = Sandbox(LIMITS, start=False)
        one.read(data, "bao_cao.xlsx")
        one.close()
        cold.append(time.perf_counter() - t0)
    direct = []
    for _ in range(50):
        t0 = time.perf_counter()
        read_workbook(data, "xlsx", LIMITS)
        direct.append(time.perf_counter() - t0)
    import python_calamine as pc

    bare = []
    for _ in range(50):
        t0 = time.perf_counter()
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        bare.append(time.perf_counter() - t0)
    print(f"\nnormal workbook ({len(data)} bytes), median of runs:")
    print(f"  bare calamine in-process (baseline)   {statistics.median(bare) * 1000:8.2f} ms")
    print(f"  reader.read_workbook in-process       {statistics.median(direct) * 1000:8.2f} ms")
    print(f"  sandbox, warm worker                  {statistics.median(warm) * 1000:8.2f} ms")
    print(f"  sandbox, cold child per file          {statistics.median(cold) * 1000:8.2f} ms")
    print(f"\nparent process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
