"""Speed of ``check_path`` against a naive ``pandas.read_excel(..., engine="openpyxl")`` of the same files.

    python bench/bench_check.py [--files N] [--rounds R] [--source generate|helpers]

Workbooks: the first N typical reports of sample_data/generate.py (messy but
valid, one per unit and month), or N workbooks built with
tests/workbook_helpers.py when the generator is absent.  Both readers see the
same bytes in the same run; each figure is the best of R rounds per file (the
sandbox worker is warmed up once before timing).  Goal: check at least 5x
faster than the naive read.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import pandas as pd  # noqa: E402

from loaders import check_path  # noqa: E402


def _generated(out: Path, n: int) -> list[Path]:
    from sample_data.generate import generate

    reports = generate(out / "gen")
    files = [r.path for r in reports if r.path.suffix == ".xlsx"]
    step = max(1, len(files) // n)
    return files[::step][:n]


def _built(out: Path, n: int) -> list[Path]:
    from workbook_helpers import typical_workbook

    units = [f"Chi bộ Khu dân cư số {i % 20 + 1}" for i in range(n)]
    paths = []
    for i, unit in enumerate(units):
        p = out / f"bc-{i:02d}.xlsx"
        p.write_bytes(typical_workbook(unit=unit, copies=1 + i % 4))
        paths.append(p)
    return paths


def _best(fn, path: Path, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn(path)
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def _sandbox_read(path: Path) -> None:
    from loaders.sandbox import read_workbook_safely

    read_workbook_safely(path.read_bytes(), path.name)


def _naive(path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pd.read_excel(path, sheet_name=None, engine="openpyxl")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--source", choices=["generate", "helpers"], default="generate")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        try:
            files = _generated(out, args.files) if args.source == "generate" else _built(out, args.files)
        except ImportError:
            files = _built(out, args.files)
        check_path(files[0])  # start the warm worker
        _naive(files[0])
        rows = []
        for path in files:
            c = _best(check_path, path, args.rounds)
            s = _best(_sandbox_read, path, args.rounds)
            p = _best(_naive, path, args.rounds)
            rows.append((path.name, path.stat().st_size, c, s, p))

    width = max(len(r[0]) for r in rows)
    print(f"{'file':<{width}}  {'KB':>6}  {'check ms':>9}  {'(read ms)':>9}  {'openpyxl ms':>11}  {'ratio':>6}")
    for name, size, c, s, p in rows:
        print(f"{name:<{width}}  {size / 1024:6.1f}  {c:9.1f}  {s:9.1f}  {p:11.1f}  {p / c:6.1f}")
    total_c = sum(r[2] for r in rows)
    total_s = sum(r[3] for r in rows)
    total_p = sum(r[4] for r in rows)
    print(f"{'total':<{width}}  {'':>6}  {total_c:9.1f}  {total_s:9.1f}  {total_p:11.1f}  {total_p / total_c:6.1f}")
    print(
        "(read ms) = loaders.sandbox.read_workbook_safely alone (preflight + warm worker); detection and rules take the rest"
    )
    ratio = total_p / total_c
    print(
        f"check_path is {ratio:.1f}x faster than pandas.read_excel(engine='openpyxl') over {len(rows)} files (goal: >= 5x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
