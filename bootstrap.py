"""First start, for the app and the command line alike: the sample ward or an empty ward.

``DASHBOARD_SEED`` (default ``1``) decides what a *new* database is given:

- ``1``: the sample ward (Bạch Đằng): its registry at once (units, groups, the
  plan and its tasks, settings), then its year of reports, generated and
  ingested through the real check.  The app fills the reports in the
  background (``start_sample_fill``: a low-priority process of its own) with a
  progress note, newest month first,
  so the overview shows figures within seconds; ``seed_sample_ward`` does the
  same synchronously (tests, benches).
- ``0``: nothing: a real ward, set up by the office in the app (Quản trị ›
  Thiết lập phường) or from an Excel file.

The command line reads the registry the same way (``cli_registry``): the
database's when it exists and holds a ward, otherwise the one a new database
would be given.  Storage knows nothing of the sample: it is handed
``seed_registry`` as the seeder of an empty database.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

log = logging.getLogger(__name__)

SAMPLE_ACTOR = "dữ liệu mẫu"
FILL_KEY = "sample_fill"  # ward_settings key: "pending" | "done"
UNITS_PER_CHUNK = 10  # reports generated per job: the first figures appear after the first chunk
FIRST_CHUNK = 4  # units of the very first job (the newest month)


def seed_enabled() -> bool:
    """Env DASHBOARD_SEED=0 keeps a new database empty (a real ward, set up in the app)."""
    return os.environ.get("DASHBOARD_SEED", "1").strip().lower() not in ("0", "false", "no")


# --------------------------------------------------------------------------
# registry
# --------------------------------------------------------------------------


def seed_registry(engine: Engine) -> int:
    """The sample ward's registry (units, groups, its plan and tasks, settings) into the database; the ward id."""
    import sample_data
    from loaders.settings import WardSettings
    from storage import settings as st_settings
    from storage.registry import import_registry, read_csv

    units = read_csv(sample_data.UNITS_CSV)
    tasks = read_csv(sample_data.TASKS_CSV)
    plan = sample_data.PLAN
    with engine.begin() as conn:
        from storage.registry import ensure_plan, ensure_ward

        wid = ensure_ward(conn)
        ensure_plan(conn, wid, plan["code"], title=plan["title"], number=plan["number"], issued_on=dt.date(2026, 1, 20))
        import_registry(conn, units, tasks, plan=plan["code"])
        st_settings.save_settings(conn, wid, WardSettings(), extra={FILL_KEY: "pending"})
    # The sample ward is a demo: its accounts (passwords named on the login page) come with it.
    # A real ward (DASHBOARD_SEED=0) gets none: storage/accounts_cli.py creates its first office account.
    from storage.accounts import ensure_demo_accounts

    ensure_demo_accounts(engine)
    return wid


def seeder():
    """What a new database is given: the sample ward's registry, or nothing (DASHBOARD_SEED=0)."""
    return seed_registry if seed_enabled() else None


def open_database(url: str | None = None, *, seed: bool | None = None) -> Engine:
    """The engine for ``url`` (DATABASE_URL, the embedded file), migrated; a new database
    gets the sample ward's registry unless seeding is off (DASHBOARD_SEED=0)."""
    from storage.db import ensure_database, get_engine

    engine = get_engine(url)
    ensure_database(engine, seed=seed_registry if (seed_enabled() if seed is None else seed) else None)
    return engine


def _database_exists(url: str) -> bool:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return bool(u.database and u.database != ":memory:" and Path(u.database).is_file())
    return True


def cli_registry(url: str | None = None):
    """The registry ``python -m loaders check/template`` uses (see the module doc); None: there is none."""
    from storage.db import default_url, get_engine

    url = url or default_url()
    if _database_exists(url):
        try:
            engine = get_engine(url)
            try:
                from storage import models as m
                from storage.registry import load_registry

                with engine.connect() as conn:
                    has_ward = conn.execute(select(m.Ward.id).limit(1)).first() is not None
                if has_ward:
                    return load_registry(engine)
            finally:
                engine.dispose()
        except Exception as exc:  # no schema yet, unreachable server: fall back like a new database
            log.info("registry not read from %s: %s", url, exc)
    if seed_enabled():
        from sample_data import sample_registry

        return sample_registry()
    return None


# --------------------------------------------------------------------------
# the sample year of reports
# --------------------------------------------------------------------------


def _generate_chunks(out_dir: str) -> None:
    """The generator process (``python -m bootstrap generate OUT_DIR``): each job's files, then one
    JSON line on stdout listing them as [path, unit, sent_at, sender]."""
    from sample_data.generate import generate

    for i, (month, units) in enumerate(_chunks()):
        reports = generate(Path(out_dir) / f"{i:03d}", months=[month], units=units)
        line = [[str(r.path), r.unit, r.sent_at.isoformat(), r.sender] for r in reports]
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()


def _chunks() -> list[tuple[int, list[str]]]:
    """(month, unit codes) jobs, newest month first: the default view (the latest month) fills first."""
    from sample_data import sample_registry
    from sample_data.generate import MONTHS

    codes = [u.code for u in sample_registry().units]
    parts = [codes[i : i + UNITS_PER_CHUNK] for i in range(0, len(codes), UNITS_PER_CHUNK)]
    jobs = [(month, part) for month in sorted(MONTHS, reverse=True) for part in parts]
    month, first = jobs[0]  # a small first job: the first figures come sooner
    return [(month, first[:FIRST_CHUNK]), (month, first[FIRST_CHUNK:]), *jobs[1:]]


def _generator_lines(out_dir: str):
    """Each job's reports, as the generator process writes them (it runs ahead of the caller)."""
    # Generating (openpyxl) runs in its own process, in parallel with the caller's checks and inserts.
    proc = subprocess.Popen(
        [sys.executable, "-m", "bootstrap", "generate", out_dir],
        cwd=Path(__file__).resolve().parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None  # PIPE
    try:
        for line in proc.stdout:
            yield json.loads(line)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


@dataclass
class FillStatus:
    """Progress of the sample year's fill."""

    total_chunks: int = 0
    done_chunks: int = 0
    files: int = 0
    refused: int = 0
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    error: str | None = None

    @property
    def running(self) -> bool:
        return self.finished is None and self.error is None

    @property
    def share(self) -> float:
        return self.done_chunks / self.total_chunks if self.total_chunks else 1.0


def _fill(engine: Engine, status: FillStatus, on_chunk=None) -> None:
    """Generate in a separate process (chunk by chunk) while this one checks and stores each file."""
    from storage import settings as st_settings
    from storage.ingest import ingest_bytes
    from storage.registry import load_registry, ward_id

    registry = load_registry(engine)
    jobs = _chunks()
    status.total_chunks = len(jobs)
    with tempfile.TemporaryDirectory(prefix="sample-ward-") as tmp:
        lines = _generator_lines(tmp)
        try:
            for line in lines:
                reports = sorted(line, key=lambda r: r[2])
                for path, _unit, sent_at, sender in reports:
                    p = Path(path)
                    outcome = ingest_bytes(
                        engine,
                        p.read_bytes(),
                        p.name,
                        sender=sender,
                        received_at=dt.datetime.fromisoformat(sent_at),
                        registry=registry,
                    )
                    status.files += 1
                    if not (outcome.stored or outcome.duplicate):
                        status.refused += 1
                        log.warning("sample report refused: %s %s", p.name, [e.code for e in outcome.result.errors])
                    p.unlink(missing_ok=True)
                status.done_chunks += 1
                if on_chunk is not None:
                    on_chunk(status)
        finally:
            close = getattr(lines, "close", None)
            if close:
                close()
    if status.done_chunks < status.total_chunks:
        raise RuntimeError(f"sample generator stopped after {status.done_chunks}/{status.total_chunks} jobs")
    with engine.begin() as conn:
        st_settings.set_extra(conn, ward_id(conn), FILL_KEY, "done")
    status.finished = time.monotonic()


def fill_pending(engine: Engine) -> bool:
    """True when the database holds the sample ward whose year of reports is not (all) stored yet."""
    from storage import settings as st_settings
    from storage.registry import ward_id

    with engine.connect() as conn:
        wid = ward_id(conn)
        return wid is not None and st_settings.get_extra(conn, wid, FILL_KEY) == "pending"


def seed_sample_ward(engine: Engine) -> FillStatus:
    """Migrate, seed the sample registry when new, and store the whole sample year now (blocking)."""
    from storage.db import ensure_database

    ensure_database(engine, seed=seed_registry)
    status = FillStatus()
    if fill_pending(engine):
        _fill(engine, status)
    else:
        status.finished = time.monotonic()
    return status


# --------------------------------------------------------------------------
# the app's background fill: its own low-priority process, progress in the database
# --------------------------------------------------------------------------

PROGRESS_KEY = "sample_fill_progress"  # ward_settings key: {"done": n, "total": n, "files": n}
FILL_NICE = 10  # the fill yields the CPU to the server drawing pages
_fills: dict[str, subprocess.Popen] = {}
_fills_lock = threading.Lock()


def _fill_process(url: str) -> int:
    """``python -m bootstrap fill``: store the sample year in DATABASE_URL, writing progress after each job."""
    from storage import settings as st_settings
    from storage.db import get_engine
    from storage.registry import ward_id

    engine = get_engine(url)

    parent = os.getppid()

    def progress(status: FillStatus) -> None:
        # The fill belongs to the server that started it: when that server is gone (stopped, or a
        # test's app run ended) the fill stops too, and the next start resumes it (duplicates skip).
        if os.getppid() != parent:
            raise SystemExit(0)
        if status.done_chunks == 1:
            # The newest month's first reports are in (the overview has figures): from now on the
            # fill yields the CPU to the server drawing pages (its generator keeps its priority).
            try:
                os.nice(FILL_NICE)
            except OSError:
                pass
        with engine.begin() as conn:
            st_settings.set_extra(
                conn,
                ward_id(conn),
                PROGRESS_KEY,
                {"done": status.done_chunks, "total": status.total_chunks, "files": status.files},
            )

    if fill_pending(engine):
        _fill(engine, FillStatus(), on_chunk=progress)
    engine.dispose()
    return 0


def start_sample_fill(engine: Engine) -> bool:
    """Start the background fill (once per database per server process) when it is pending; True
    while it runs.  A fill interrupted (server stopped) resumes at the next start: stored files are
    duplicates and are skipped."""
    key = engine.url.render_as_string(hide_password=False)
    with _fills_lock:
        proc = _fills.get(key)
        if proc is not None:
            return proc.poll() is None
        if not seed_enabled() or not fill_pending(engine):
            return False  # DASHBOARD_SEED=0: a database built elsewhere (tests, a real ward) is never filled
        _fills[key] = subprocess.Popen(
            [sys.executable, "-m", "bootstrap", "fill"],  # the address in the environment, not on a command line
            cwd=Path(__file__).resolve().parent,
            env={**os.environ, "DATABASE_URL": key},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return True


def fill_progress(engine: Engine) -> dict[str, Any] | None:
    """{"done", "total", "files", "running"} of the background fill, or None when there is none."""
    from storage import settings as st_settings
    from storage.registry import ward_id

    key = engine.url.render_as_string(hide_password=False)
    proc = _fills.get(key)
    if proc is None:
        return None
    with engine.connect() as conn:
        wid = ward_id(conn)
        state = st_settings.get_extra(conn, wid, FILL_KEY) if wid else None
        prog = dict(st_settings.get_extra(conn, wid, PROGRESS_KEY) or {}) if wid else {}
    running = proc.poll() is None and state == "pending"
    return {
        "done": prog.get("done", 0),
        "total": prog.get("total") or len(_chunks()),
        "files": prog.get("files", 0),
        "running": running,
        "failed": proc.poll() not in (None, 0) or (proc.poll() == 0 and state != "done"),
    }


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "generate":
        _generate_chunks(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "fill":
        sys.exit(_fill_process(os.environ["DATABASE_URL"]))
    else:
        print("usage: python -m bootstrap generate OUT_DIR | fill (DATABASE_URL in the environment)", file=sys.stderr)
        sys.exit(2)
