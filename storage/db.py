"""Engine creation and migrations (first-start content is the app's: ``bootstrap.py``).

Embedded default: SQLite at ``data/dashboard.db`` under the project root, in
WAL mode with foreign keys on and a busy timeout.  A shared deployment sets
``DATABASE_URL`` (``postgresql+psycopg://...``) and runs the same code.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB_PATH = ROOT / "data" / "dashboard.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"
SQLITE_BUSY_TIMEOUT_MS = 30_000
SCHEMA_LOCK_SPACE = 0x5C_0000_0000  # advisory lock keys of the schema lock: this + crc32(database address)

log = logging.getLogger(__name__)


def default_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_DB_PATH}"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_busy_reset(dbapi_conn, _record) -> None:
    """A write may shorten its connection's busy timeout (storage.ingest); the pool gets the default back."""
    if dbapi_conn is not None:
        try:
            dbapi_conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        except Exception:  # noqa: BLE001 - a closed connection: nothing to reset
            pass


def _sqlite_connect_read_only_folder(dialect, _record, cargs, cparams):
    """Open the file as usual; a WAL database in a folder that cannot be written (no ``-shm`` can be
    made there) is opened immutable instead: it is read, and every write fails as read-only."""
    import sqlite3

    conn = dialect.loaded_dbapi.connect(*cargs, **cparams)
    try:
        conn.execute("PRAGMA schema_version").fetchall()  # the file is opened at the first statement
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        path = Path(cargs[0]) if cargs and isinstance(cargs[0], str) else None
        if "unable to open" not in str(exc) or path is None or not path.is_file() or cparams.get("uri"):
            raise
        log.warning("database %s opened read-only (immutable): %s", path, exc)
        params = {k: v for k, v in cparams.items() if k != "uri"}
        return dialect.loaded_dbapi.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True, **params)


def get_engine(url: str | None = None, **kwargs) -> Engine:
    """An engine for ``url`` (or DATABASE_URL, or the embedded SQLite file)."""
    url = url or default_url()
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {}).setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
        engine = create_engine(u, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "checkin", _sqlite_busy_reset)
        event.listen(engine, "do_connect", _sqlite_connect_read_only_folder)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(u, **kwargs)


def alembic_config(engine: Engine | None = None):
    from alembic.config import Config

    cfg = Config(str(ALEMBIC_INI)) if ALEMBIC_INI.exists() else Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def migrate(engine: Engine) -> None:
    """``alembic upgrade head`` on ``engine``, programmatically."""
    from alembic import command

    cfg = alembic_config(engine)
    with schema_lock(engine), engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def ensure_database(engine: Engine, seed: Callable[[Engine], object] | None = None) -> None:
    """Create and migrate the database; when it holds no ward yet, call ``seed(engine)``.

    Storage knows no sample data: the app-level bootstrap (``bootstrap.py``) passes
    the seeder (the sample ward's registry) or nothing (an empty ward set up in the app).
    """
    with schema_lock(engine):  # one process migrates and seeds; the others wait, then find it done
        migrate(engine)
        if not seed:
            return
        from storage import models

        with engine.connect() as conn:
            has_ward = conn.execute(select(models.Ward.id).limit(1)).first() is not None
        if not has_ward:
            seed(engine)


_held = threading.local()  # lock keys this thread holds -> depth (the lock is re-entrant per thread)


@contextlib.contextmanager
def schema_lock(engine: Engine) -> Iterator[None]:
    """Hold the database's schema lock: migrations and first-start seeding run one process at a time.

    PostgreSQL: a session advisory lock (pg_advisory_lock) keyed on the
    database address (schema options included).  SQLite: an exclusive
    ``fcntl.flock`` on ``<db>.lock`` beside the database file; a directory
    where the lock file cannot be made (read-only) gets no lock: nothing can
    be migrated there anyway.  In-memory SQLite needs none.  Re-entrant
    within a thread.
    """
    address = engine.url.render_as_string(hide_password=True)
    depth = getattr(_held, "keys", None)
    if depth is None:
        depth = _held.keys = {}
    if depth.get(address):
        depth[address] += 1
        try:
            yield
        finally:
            depth[address] -= 1
        return
    with _acquire_schema_lock(engine, address):
        depth[address] = 1
        try:
            yield
        finally:
            depth[address] = 0


@contextlib.contextmanager
def _acquire_schema_lock(engine: Engine, address: str) -> Iterator[None]:
    backend = engine.url.get_backend_name()
    if backend == "postgresql":
        key = SCHEMA_LOCK_SPACE + zlib.crc32(address.encode())
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({key})")
            conn.commit()
            try:
                yield
            finally:
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({key})")
                conn.commit()
        return
    database = engine.url.database if backend == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    try:
        fd = os.open(f"{database}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        log.warning("no schema lock beside %s: %s", database, exc)
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock
