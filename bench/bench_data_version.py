"""What the data version (part of every cache key) costs per cached read.

    python bench/bench_data_version.py                  # SQLite and PostgreSQL
    python bench/bench_data_version.py --backend sqlite --lines 20000

For each backend, on a database whose audit log holds ``--lines`` lines, prints
the median time of ``storage.version.data_version`` against ``SELECT 1`` on the
same engine (the floor of any statement) in the same run, in two layouts:
the last line a change (the usual case), and the last ``--reads`` lines all
reads (downloads/logins, which the stamp must look past).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, text  # noqa: E402

from storage import models as m  # noqa: E402
from storage.db import ensure_database, get_engine  # noqa: E402
from storage.version import data_version  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _median_ms(fn, n: int) -> float:
    fn()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def _fill(engine, lines: int, action: str) -> None:
    now = dt.datetime(2026, 3, 1, 9)
    rows = [
        {"at": now, "actor": "", "action": action, "entity": "submission", "entity_id": str(i), "detail": {}}
        for i in range(lines)
    ]
    with engine.begin() as conn:
        for i in range(0, len(rows), 5000):
            conn.execute(insert(m.AuditLog), rows[i : i + 5000])


def run(backend: str, lines: int, reads: int, n: int) -> None:
    schema = None
    if backend == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    else:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_URL)
        with admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = get_engine(url)
    try:
        ensure_database(engine)
        _fill(engine, lines, "ingest")

        def select_one():
            with engine.connect() as c:
                c.execute(text("SELECT 1")).one()

        base = _median_ms(select_one, n)
        usual = _median_ms(lambda: data_version(engine), n)
        _fill(engine, reads, "download")
        behind = _median_ms(lambda: data_version(engine), n)
        print(
            f"{backend:10s} audit lines {lines + reads:>7,}  SELECT 1 {base:6.3f} ms  "
            f"data_version {usual:6.3f} ms (last line a change)  {behind:6.3f} ms (behind {reads:,} read lines)"
        )
    finally:
        engine.dispose()
        if schema:
            with admin.begin() as c:
                c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--lines", type=int, default=20_000)
    ap.add_argument("--reads", type=int, default=2_000)
    ap.add_argument("-n", type=int, default=300)
    args = ap.parse_args()
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        run(backend, args.lines, args.reads, args.n)


if __name__ == "__main__":
    main()
