"""Engine creation, migrations and first-start seeding.

Embedded default: SQLite at ``data/dashboard.db`` under the project root, in
WAL mode with foreign keys on and a busy timeout.  A shared deployment sets
``DATABASE_URL`` (``postgresql+psycopg://...``) and runs the same code.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, select
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB_PATH = ROOT / "data" / "dashboard.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"
SQLITE_BUSY_TIMEOUT_MS = 30_000

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
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def ensure_database(engine: Engine, seed: bool = True) -> None:
    """Create and migrate the database; fill it with the sample ward when empty."""
    migrate(engine)
    if not seed:
        return
    from storage import models

    with engine.connect() as conn:
        has_units = conn.execute(select(models.Unit.id).limit(1)).first() is not None
        has_subs = conn.execute(select(models.Submission.id).limit(1)).first() is not None
    if not has_units:
        from storage.seed import seed_registry

        seed_registry(engine)
    if not has_units and not has_subs:
        from storage.seed import seed_sample_reports

        try:
            seed_sample_reports(engine)
        except ImportError as exc:  # sample generator or checker not available yet
            log.warning("sample reports not seeded: %s", exc)


def table_names(engine: Engine) -> list[str]:
    return inspect(engine).get_table_names()
