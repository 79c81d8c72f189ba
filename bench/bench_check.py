"""Speed of ``check_path`` against a naive ``pandas.read_excel(..., engine="openpyxl")`` of the same files.

    python bench/bench_check.py [--files N] [--rounds R] [--groups typical,split,helpers]

Groups of workbooks (all .xlsx, written in a temporary folder in this run):

* ``typical`` (the primary figure): reports of sample_data/generate.py that
  hold all three forms with their title blocks (a unit's monthly workbook,
  messy but valid), N of them spread evenly over units and months;
* ``split``: the generator's reports that hold one or two forms only (units
  that send one file per form) - small files, where fixed costs weigh most;
* ``helpers``: N workbooks built with tests/workbook_helpers.typical_workbook.

Both readers see the same bytes in the same run.  Every file is first read
once by each side untimed (warm-up, equal for both); then R rounds, each
timing check, the sandboxed read alone and the naive read one after the
other, in a rotating order so that drifting machine load hits all sides
alike.  Per file the best of R rounds is reported (the median too, in the
totals).  Goal: check at least 5x faster than the naive read on the typical
group.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import pandas as pd  # noqa: E402

from loaders import check_path  # noqa: E402
from loaders.sandbox import read_workbook_safely  # noqa: E402
from sample_data import sample_registry  # noqa: E402

REGISTRY = sample_registry()

GOAL = 5.0


def _spread(items: list[Path], n: int) -> list[Path]:
    if len(items) <= n:
        return items
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def _generated(out: Path, n: int) -> dict[str, list[Path]]:
    from sample_data.generate import generate

    reports = [r for r in generate(out / "gen") if r.path.suffix == ".xlsx"]
    typical = [r.path for r in reports if len(r.forms) == 3]
    split = [r.path for r in reports if len(r.forms) < 3]
    return {"typical": _spread(typical, n), "split": _spread(split, n)}


def _built(out: Path, n: int) -> list[Path]:
    from workbook_helpers import typical_workbook

    (out / "helpers").mkdir(exist_ok=True)
    paths = []
    for i in range(n):
        p = out / "helpers" / f"bc-{i:02d}.xlsx"
        p.write_bytes(typical_workbook(unit=f"Chi bộ Khu dân cư số {i % 20 + 1}", copies=1 + i % 4))
        paths.append(p)
    return paths


def _check(path: Path) -> None:
    check_path(path, registry=REGISTRY)


def _sandbox_read(path: Path) -> None:
    read_workbook_safely(path.read_bytes(), path.name)


def _naive(path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pd.read_excel(path, sheet_name=None, engine="openpyxl")


SIDES = (("check", _check), ("read", _sandbox_read), ("naive", _naive))


def _measure(path: Path, rounds: int) -> dict[str, list[float]]:
    for _name, fn in SIDES:  # warm-up, untimed, for every side alike
        fn(path)
    times: dict[str, list[float]] = {name: [] for name, _ in SIDES}
    for i in range(rounds):
        order = SIDES[i % 3 :] + SIDES[: i % 3]
        for name, fn in order:
            t0 = time.perf_counter()
            fn(path)
            times[name].append((time.perf_counter() - t0) * 1000)
    return times


def _report(group: str, files: list[Path], rounds: int) -> float:
    rows = []
    for path in files:
        t = _measure(path, rounds)
        rows.append((path.name, path.stat().st_size, t))
    width = max(len(r[0]) for r in rows + [("total (median)", 0, {})])
    print(f"\n== {group}: {len(rows)} files, best of {rounds} rounds ==")
    print(f"{'file':<{width}}  {'KB':>6}  {'check ms':>9}  {'(read ms)':>9}  {'openpyxl ms':>11}  {'ratio':>6}")
    for name, size, t in rows:
        c, s, p = min(t["check"]), min(t["read"]), min(t["naive"])
        print(f"{name:<{width}}  {size / 1024:6.1f}  {c:9.2f}  {s:9.2f}  {p:11.2f}  {p / c:6.1f}")
    totals = {}
    for label, pick in (("total (best)", min), ("total (median)", statistics.median)):
        c = sum(pick(t["check"]) for *_, t in rows)
        s = sum(pick(t["read"]) for *_, t in rows)
        p = sum(pick(t["naive"]) for *_, t in rows)
        totals[label] = p / c
        print(f"{label:<{width}}  {'':>6}  {c:9.2f}  {s:9.2f}  {p:11.2f}  {p / c:6.1f}")
    n = len(rows)
    c_ms = sum(min(t["check"]) for *_, t in rows) / n
    p_ms = sum(min(t["naive"]) for *_, t in rows) / n
    print(
        f"{group}: check_path {c_ms:.2f} ms/file vs openpyxl {p_ms:.2f} ms/file: "
        f"{totals['total (best)']:.1f}x faster (median: {totals['total (median)']:.1f}x; goal >= {GOAL:g}x)"
    )
    return totals["total (best)"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--groups", default="typical,split,helpers")
    args = ap.parse_args(argv)
    groups = [g.strip() for g in args.groups.split(",") if g.strip()]

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        sets: dict[str, list[Path]] = {}
        if {"typical", "split"} & set(groups):
            try:
                sets.update(_generated(out, args.files))
            except ImportError:
                print("sample_data.generate is absent: the typical group uses helper-built workbooks")
                sets["typical"] = _built(out, args.files)
        if "helpers" in groups:
            sets["helpers"] = _built(out, args.files)
        ratios = {g: _report(g, sets[g], args.rounds) for g in groups if sets.get(g)}
    print(
        "\n(read ms) = loaders.sandbox.read_workbook_safely alone (preflight + warm worker); detection and rules take the rest"
    )
    print("summary: " + "; ".join(f"{g} {r:.1f}x" for g, r in ratios.items()) + f" (goal >= {GOAL:g}x on typical)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
