"""Storage benchmark: city-scale synthetic database, bulk ingest of real files, dashboard queries.

    python bench/bench_storage.py                      # full city scale, SQLite and PostgreSQL
    python bench/bench_storage.py --scale 0.02 --backend sqlite   # quick

City scale = 114 wards x 39 units x 60 months, every submission with its three
forms (rows inserted directly in bulk, not through files).  Figures printed:
build time, bulk ingest of real files (files/s through ``ingest_bytes`` against
plain ``pandas.read_excel`` + ``DataFrame.to_sql`` of the same files, in the
same run), and each dashboard query's median time (goal: < 300 ms on SQLite).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from storage import queries as q  # noqa: E402
from storage.db import ensure_database, get_engine  # noqa: E402
from storage.periods import month_range, parse_period  # noqa: E402
from storage.registry import import_registry, read_csv  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
WARDS, MONTHS = 114, 60
CHANNELS = ["portal", "social", "cell_meeting", "conference", "theory_class", "visual", "other"]
TOPICS = ["plan", "role_models", "public_opinion", "counter_hostile", "other"]
GROUPS = [
    "standing_committee",
    "front_and_mass_orgs",
    "party_advisory_staff",
    "party_reporters",
    "party_members",
    "public",
]
STATUSES = ["not_started", "in_progress", "done"]


def _insert(conn, table: str, cols: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)
    else:
        marks = ", ".join("?" for _ in cols)
        conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows)


def build_city(engine, wards: int, months: int, seed: int = 1) -> dict[str, int]:
    """Fill an empty migrated database with a synthetic city; returns row counts."""
    rnd = random.Random(seed)
    units_csv = read_csv(ROOT / "sample_data" / "units.csv")
    tasks_csv = read_csv(ROOT / "sample_data" / "plan-tasks.csv")
    with engine.begin() as conn:
        for w in range(wards):
            code = "BACHDANG" if w == 0 else f"W{w:03d}"
            import_registry(conn, units_csv, tasks_csv, ward=(code, f"Phường {code}"))
    with engine.connect() as conn:
        units = conn.execute(text("SELECT id, ward_id FROM units ORDER BY id")).all()
        task_codes = [r[0] for r in conn.execute(text("SELECT DISTINCT code FROM tasks ORDER BY code"))]
    month_list = month_range("2021-07", "2026-06")[-months:]
    sub_rows, sf_rows, t_rows, o_rows, p_rows, a_rows, blob_rows, period_rows = [], [], [], [], [], [], [], []
    for pid, mo in enumerate(month_list, 1):
        p = parse_period(mo)
        period_rows.append((pid, p.code, p.kind, p.year, p.number, p.month, p.start_date, p.end_date))
    sid = sfid = tid = oid = prid = aid = 0
    columns_json = '{"a": "B"}'
    for uid, wid in units:
        for pid, mo in enumerate(month_list, 1):
            sid += 1
            sha = hashlib.sha256(f"{uid}-{pid}".encode()).hexdigest()
            y, mm = int(mo[:4]), int(mo[5:])
            received = dt.datetime(y, mm, rnd.randint(15, 28), rnd.randint(7, 17))
            blob_rows.append((sha, 0, b""))
            sub_rows.append(
                (
                    sid,
                    wid,
                    uid,
                    pid,
                    sha,
                    f"{uid}-{mo}.xlsx",
                    0,
                    "",
                    received,
                    received,
                    "tasks,propaganda,attendance",
                    3,
                    "",
                    "",
                    "[]",
                )
            )
            for form, n in (("tasks", 3), ("propaganda", 4), ("attendance", 2)):
                sfid += 1
                sf_rows.append((sfid, sid, wid, uid, pid, mo, form, 1, True, n, "Biểu", 7, columns_json))
                for k in range(n):
                    if form == "tasks":
                        tid += 1
                        t_rows.append(
                            (
                                tid,
                                sfid,
                                None,
                                task_codes[rnd.randrange(len(task_codes))],
                                None,
                                None,
                                None,
                                STATUSES[rnd.randrange(3)],
                                50.0,
                                None,
                                None,
                                None,
                                "Biểu 01",
                                8 + k,
                            )
                        )
                        if rnd.random() < 0.05:
                            oid += 1
                            o_rows.append((oid, sfid, tid, "Thiếu kinh phí", False))
                    elif form == "propaganda":
                        prid += 1
                        p_rows.append(
                            (
                                prid,
                                sfid,
                                CHANNELS[rnd.randrange(7)],
                                TOPICS[rnd.randrange(5)],
                                rnd.randint(1, 20),
                                "tin",
                                rnd.randint(0, 2000),
                                None,
                                None,
                                "Biểu 02",
                                8 + k,
                            )
                        )
                    else:
                        aid += 1
                        inv = rnd.randint(10, 60)
                        a_rows.append(
                            (
                                aid,
                                sfid,
                                "Hội nghị",
                                None,
                                "in_person",
                                GROUPS[rnd.randrange(6)],
                                inv,
                                inv - rnd.randint(0, 5),
                                0,
                                0,
                                None,
                                "Biểu 03",
                                8 + k,
                            )
                        )
    with engine.begin() as conn:
        _insert(
            conn, "periods", ["id", "code", "kind", "year", "number", "month", "start_date", "end_date"], period_rows
        )
        _insert(conn, "blobs", ["sha256", "size", "data"], blob_rows)
        _insert(
            conn,
            "submissions",
            [
                "id",
                "ward_id",
                "unit_id",
                "period_id",
                "sha256",
                "filename",
                "size",
                "sender",
                "received_at",
                "stored_at",
                "forms",
                "form_count",
                "unit_source",
                "period_source",
                "warnings",
            ],
            sub_rows,
        )
        _insert(
            conn,
            "submission_forms",
            [
                "id",
                "submission_id",
                "ward_id",
                "unit_id",
                "period_id",
                "month",
                "form",
                "version",
                "is_current",
                "row_count",
                "sheet",
                "header_row",
                "columns",
            ],
            sf_rows,
        )
        _insert(
            conn,
            "task_rows",
            [
                "id",
                "submission_form_id",
                "task_id",
                "task_code",
                "task_text",
                "due_text",
                "due_date",
                "status",
                "percent",
                "completed_on",
                "evidence",
                "note",
                "sheet",
                "row",
            ],
            t_rows,
        )
        _insert(conn, "obstacles", ["id", "submission_form_id", "task_row_id", "text", "handled"], o_rows)
        _insert(
            conn,
            "propaganda_rows",
            [
                "id",
                "submission_form_id",
                "channel",
                "topic",
                "quantity",
                "measure_unit",
                "reach",
                "date",
                "link",
                "sheet",
                "row",
            ],
            p_rows,
        )
        _insert(
            conn,
            "attendance_rows",
            [
                "id",
                "submission_form_id",
                "event",
                "event_date",
                "format",
                "participant_group",
                "invited",
                "present",
                "absent_excused",
                "absent_unexcused",
                "note",
                "sheet",
                "row",
            ],
            a_rows,
        )
        if conn.dialect.name == "postgresql":
            for t in (
                "submissions",
                "submission_forms",
                "task_rows",
                "obstacles",
                "propaganda_rows",
                "attendance_rows",
                "periods",
            ):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))")
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    return {
        "submissions": len(sub_rows),
        "submission_forms": len(sf_rows),
        "rows": len(t_rows) + len(p_rows) + len(a_rows),
    }


def time_queries(engine, runs: int, today: dt.date) -> list[tuple[str, float]]:
    last12 = q.Filters("2025-07", "2026-06")
    group = q.Filters("2025-07", "2026-06", group="Chi bộ khu dân cư")
    calls = {
        "list_units": lambda: q.list_units(engine),
        "list_groups": lambda: q.list_groups(engine),
        "list_periods": lambda: q.list_periods(engine),
        "data_freshness": lambda: q.data_freshness(engine),
        "headline (12 months + previous)": lambda: q.headline(engine, last12, today),
        "task_timeline": lambda: q.task_timeline(engine, last12, today),
        "task_unit_grid": lambda: q.task_unit_grid(engine, last12, today),
        "overdue_tasks": lambda: q.overdue_tasks(engine, last12, today),
        "ongoing_activity": lambda: q.ongoing_activity(engine, last12),
        "propaganda_by_period (all months)": lambda: q.propaganda_by_period(engine, q.Filters()),
        "propaganda_by_channel": lambda: q.propaganda_by_channel(engine, last12),
        "propaganda_by_topic": lambda: q.propaganda_by_topic(engine, last12),
        "propaganda_by_unit": lambda: q.propaganda_by_unit(engine, last12),
        "propaganda_by_group": lambda: q.propaganda_by_group(engine, last12),
        "propaganda_by_channel (group filter)": lambda: q.propaganda_by_channel(engine, group),
        "attendance_events": lambda: q.attendance_events(engine, last12),
        "attendance_by_group": lambda: q.attendance_by_group(engine, last12),
        "attendance_by_unit": lambda: q.attendance_by_unit(engine, last12),
        "compliance (all months)": lambda: q.compliance(engine, q.Filters(), today=today),
        "obstacles": lambda: q.obstacles(engine, last12),
        "totals": lambda: q.totals(engine, last12),
        "submission_history": lambda: q.submission_history(engine, "KDC03"),
    }
    out = []
    for name, call in calls.items():
        call()  # warm
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            call()
            times.append((time.perf_counter() - t0) * 1000)
        out.append((name, statistics.median(times)))
    return out


def bench_ingest(url_factory, n_files: int) -> tuple[float, float, int]:
    """(files/s through ingest_bytes, files/s through read_excel + to_sql, files) on the same files."""
    import pandas as pd

    from bootstrap import seed_registry
    from sample_data.generate import generate
    from storage.ingest import ingest_bytes
    from storage.registry import load_registry

    with tempfile.TemporaryDirectory() as tmp:
        reports = generate(Path(tmp))[:n_files]
        blobs = [(Path(r.path).name, Path(r.path).read_bytes(), r.sent_at) for r in reports]
        eng = url_factory("ingest")
        ensure_database(eng, seed=False)
        seed_registry(eng)
        reg = load_registry(eng)
        t0 = time.perf_counter()
        stored = 0
        for name, data, sent in blobs:
            stored += ingest_bytes(eng, data, name, received_at=sent, registry=reg).stored
        ours = len(blobs) / (time.perf_counter() - t0)
        plain = url_factory("plain")
        t0 = time.perf_counter()
        for i, (_name, data, _sent) in enumerate(blobs):
            for sheet, frame in pd.read_excel(io.BytesIO(data), sheet_name=None, engine="openpyxl").items():
                frame.columns = [f"c{j}" for j in range(len(frame.columns))]
                frame.astype(str).to_sql(f"f{i % 50}_{abs(hash(sheet)) % 1000}", plain, if_exists="append", index=False)
        base = len(blobs) / (time.perf_counter() - t0)
    return ours, base, stored


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the 114 wards (at least one)")
    ap.add_argument("--months", type=int, default=MONTHS)
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--files", type=int, default=120, help="real files for the ingest benchmark (0 = skip)")
    ap.add_argument("--keep", default=None, help="folder for the SQLite files (default: a temporary folder)")
    args = ap.parse_args(argv)
    wards = max(1, round(WARDS * args.scale))
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    today = dt.date(2026, 6, 28)
    tmp = Path(args.keep or tempfile.mkdtemp(prefix="bench-storage-"))
    tmp.mkdir(parents=True, exist_ok=True)
    schemas: list[str] = []

    def url_factory(backend):
        def make(name):
            if backend == "sqlite":
                path = tmp / f"{name}-{time.time_ns()}.db"
                return get_engine(f"sqlite:///{path}")
            schema = f"bench_{name}_{time.time_ns() % 10**9}"
            with create_engine(PG_URL).begin() as c:
                c.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            schemas.append(schema)
            return get_engine(f"{PG_URL}?options=-csearch_path%3D{schema}")

        return make

    print(f"# storage bench: {wards} wards x 39 units x {args.months} months, backends {backends}")
    worst = {}
    try:
        for backend in backends:
            make = url_factory(backend)
            eng = make("city")
            ensure_database(eng, seed=False)
            t0 = time.perf_counter()
            counts = build_city(eng, wards, args.months)
            print(f"\n## {backend}: built {counts} in {time.perf_counter() - t0:.1f} s")
            for name, ms in time_queries(eng, args.runs, today):
                print(f"  {name:<40} {ms:8.1f} ms")
                worst[backend] = max(worst.get(backend, 0), ms)
            if args.files:
                ours, base, stored = bench_ingest(make, args.files)
                print(
                    f"  ingest real files: {ours:6.1f} files/s through ingest_bytes (check + store, {stored} stored)"
                    f" vs {base:6.1f} files/s plain read_excel + to_sql"
                )
            eng.dispose()
    finally:
        for schema in schemas:
            with create_engine(PG_URL).begin() as c:
                c.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    for backend, ms in worst.items():
        verdict = "OK" if ms < 300 else "ABOVE GOAL"
        print(f"slowest dashboard query on {backend}: {ms:.1f} ms (goal < 300 ms on SQLite): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
