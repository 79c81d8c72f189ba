"""Fair reading: a small file's check while three large legal files are checked in other threads.

    python bench/bench_fairness.py [--rounds N] [--rows R] [--no-single]

The large file (built here with openpyxl: Biểu 03 with R rows, default
19,900, each with a long free-text note, about 12 MB) is legal: it is
accepted.  Figures, all in this run:

* alone: the small file's ``check_bytes`` time with nothing else running
  (median of N);
* under load: the same while three threads check the large file over and
  over (median and worst of N), with the default pool
  (``loaders.sandbox.pool_size()``);
* the same with a pool of one worker (the former single locked reader), as a
  baseline (skip with --no-single);
* the large files' verdicts under load against their verdict alone (the same
  file must get the same verdict);
* the parent's resident memory: before, peak during, and after the load
  (after the threads ended and the results were dropped).

Goal: under load <= 3x alone (default pool).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import workbook_helpers as W  # noqa: E402

import loaders.sandbox as sandbox_module  # noqa: E402
from loaders.check import check_bytes  # noqa: E402
from loaders.forms import LIMITS  # noqa: E402
from loaders.registry import Registry  # noqa: E402
from sample_data import sample_registry  # noqa: E402

GOAL = 3.0
LOADERS = 3
WORDS = "quán triệt nghị quyết chi bộ khu dân cư tuyên truyền đảng viên học tập hội nghị kế hoạch thực hiện".split()


def memory_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MB."""
    out = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key = line.split(":", 1)[0]
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(line.split()[1]) / 1024
    return out["VmRSS"], out["VmHWM"]


def large_workbook(rows: int) -> bytes:
    """A legal Biểu 03 of ``rows`` rows, each with a long note (random words: it compresses little)."""
    rng = random.Random(8)
    base = W.attendance_rows()
    data = []
    for i in range(rows):
        row = list(base[i % len(base)])
        row[0] = i + 1
        row[-1] = " ".join(rng.choice(WORDS) + str(rng.randrange(1000)) for _ in range(110))
        data.append(row)
    sheet = W.form_sheet(
        "attendance",
        data,
        name="Biểu 03",
        total=[None, "Cộng", None, None, None, sum(r[5] for r in data), sum(r[6] for r in data)],
    )
    return W.workbook_bytes(sheet)


def timed_check(data: bytes, name: str, registry: Registry) -> tuple[float, bool, tuple]:
    started = time.perf_counter()
    result = check_bytes(data, name, registry=registry, today=W.TODAY)
    seconds = time.perf_counter() - started
    verdict = (result.accepted, tuple(p.code for p in result.errors))
    return seconds, result.accepted, verdict


def under_load(small: bytes, large: bytes, rounds: int, registry: Registry, alone_verdict: tuple) -> dict:
    stop = threading.Event()
    started = threading.Barrier(LOADERS + 1)
    verdicts: list[tuple] = []
    large_times: list[float] = []
    lock = threading.Lock()
    peak = [0.0]

    def load(k: int) -> None:
        started.wait()
        while not stop.is_set():
            seconds, _ok, verdict = timed_check(large, f"lon-{k}.xlsx", registry)
            with lock:
                verdicts.append(verdict)
                large_times.append(seconds)

    def watch() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], memory_mb()[0])
            time.sleep(0.05)

    threads = [threading.Thread(target=load, args=(k,)) for k in range(LOADERS)]
    watcher = threading.Thread(target=watch)
    for t in [*threads, watcher]:
        t.start()
    started.wait()
    time.sleep(1.0)  # the three large checks are under way
    times = []
    small_refused: list[tuple] = []
    for _ in range(rounds):
        seconds, ok, v = timed_check(small, "nho.xlsx", registry)
        if ok:
            times.append(seconds)
        else:
            small_refused.append(v[1])  # e.g. file.busy: waited longer than LIMITS.worker_queue_s
        time.sleep(0.2)
    stop.set()
    for t in [*threads, watcher]:
        t.join()
    return {
        "times": times,
        "large_times": large_times,
        "same_verdict": sum(v == alone_verdict for v in verdicts),
        "other_verdicts": sorted({v[1] for v in verdicts if v != alone_verdict}),
        "small_refused": small_refused,
        "verdicts": len(verdicts),
        "peak_rss": peak[0],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=12)
    ap.add_argument("--rows", type=int, default=19_900)
    ap.add_argument("--no-single", action="store_true")
    args = ap.parse_args()

    registry = sample_registry()
    small = W.typical_workbook()
    t0 = time.perf_counter()
    cached = Path(tempfile.gettempdir()) / f"bench_fairness_{args.rows}.xlsx"  # built once per machine
    if cached.exists():
        large = cached.read_bytes()
    else:
        large = large_workbook(args.rows)
        cached.write_bytes(large)
    print(
        f"fairness bench — cores {os.cpu_count()}, pool {sandbox_module.pool_size()} workers, "
        f"limits: reader {LIMITS.worker_timeout_s:g} s CPU, file {LIMITS.file_timeout_s:g} s CPU"
    )
    print(
        f"small file {len(small) / 1024:.0f} KB; large file {len(large) / 1024**2:.1f} MB, "
        f"{args.rows} rows (built in {time.perf_counter() - t0:.1f} s)"
    )
    rss0, _ = memory_mb()

    box = sandbox_module.default_sandbox()
    for _ in range(2):  # warm: imports, workers, caches
        timed_check(small, "nho.xlsx", registry)
    seconds, ok, large_verdict = timed_check(large, "lon.xlsx", registry)
    print(f"large file alone: {seconds:.2f} s, accepted={ok} {large_verdict[1] or ''}")
    alone = [timed_check(small, "nho.xlsx", registry)[0] for _ in range(args.rounds)]
    a = statistics.median(alone)
    print(f"small file alone:           median {a * 1000:8.1f} ms   worst {max(alone) * 1000:8.1f} ms")

    runs = [("pool", box)]
    if not args.no_single:
        runs.append(("one locked worker (old)", None))
    for label, pool in runs:
        if pool is None:
            single = sandbox_module.Sandbox(LIMITS, workers=1)
            sandbox_module._default = single
        rounds = args.rounds if pool is not None else max(3, args.rounds // 4)
        got = under_load(small, large, rounds, registry, large_verdict)
        if got["times"]:
            m = statistics.median(got["times"])
            print(
                f"small file under load, {label:<24} median {m * 1000:8.1f} ms   "
                f"worst {max(got['times']) * 1000:8.1f} ms   = {m / a:5.1f}x alone (goal <= {GOAL:g}x)"
            )
        if got["small_refused"]:
            print(f"    small file not checked {len(got['small_refused'])} times: {got['small_refused']}")
        lt = got["large_times"]
        print(
            f"    large checks meanwhile: {len(lt)}, median {statistics.median(lt):.2f} s; "
            f"same verdict as alone: {got['same_verdict']}/{got['verdicts']} {got['other_verdicts'] or ''}; "
            f"parent peak RSS {got['peak_rss']:.0f} MB"
        )
        if pool is None:
            single.close()
            sandbox_module._default = box
    del large
    gc.collect()
    time.sleep(2)
    rss, hwm = memory_mb()
    print(f"parent RSS: before load {rss0:.0f} MB, after load {rss:.0f} MB (process peak {hwm:.0f} MB)")


if __name__ == "__main__":
    main()
