"""Helpers for the page tests: databases, AppTest runs, reading what a page shows."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
# A fixed "today" inside the sample ward's reporting months (the plan starts in
# February 2026), so figures such as overdue tasks and missing reports are stable.
TODAY = "2026-11-28"

PAGES = {
    "pages/overview.py": "Tổng quan",
    "pages/tasks.py": "Tiến độ nhiệm vụ",
    "pages/propaganda.py": "Tuyên truyền",
    "pages/attendance.py": "Tham dự hội nghị, học tập quán triệt",
    "pages/compliance.py": "Tình hình nộp báo cáo",
    "pages/obstacles.py": "Khó khăn, vướng mắc",
    "pages/unit.py": "Đơn vị",
}


_SAMPLE_TEMPLATE: list[Path] = []  # the sample ward built once per test process, copied for each test


def sample_template() -> Path:
    """A SQLite file holding the whole sample ward (built by bootstrap.seed_sample_ward, once per
    process: the build is deterministic and takes ~30-60 s, so every test gets a copy of it)."""
    # tests import this module both as page_helpers and tests.page_helpers: share through the environment
    known = os.environ.get("SAMPLE_WARD_TEMPLATE_DB")
    if known and Path(known).exists():
        return Path(known)
    if _SAMPLE_TEMPLATE and _SAMPLE_TEMPLATE[0].exists():
        return _SAMPLE_TEMPLATE[0]
    import tempfile

    from sqlalchemy import text

    from bootstrap import seed_sample_ward
    from storage import db

    path = Path(tempfile.mkdtemp(prefix="sample-ward-template-")) / "sample.db"
    engine = db.get_engine(f"sqlite:///{path}")
    seed_sample_ward(engine)
    with engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    _SAMPLE_TEMPLATE[:] = [path]
    os.environ["SAMPLE_WARD_TEMPLATE_DB"] = str(path)
    return path


def build_database(path: Path, seed: bool = True, registry: bool = False) -> str:
    """Create (migrate, and seed the sample ward when ``seed``) a SQLite database; returns its URL.
    ``registry`` without ``seed``: the sample ward's units and tasks but no report yet."""
    from storage import db

    if seed:
        return copy_database(f"sqlite:///{sample_template()}", path)
    url = f"sqlite:///{path}"
    engine = db.get_engine(url)
    if registry:
        from bootstrap import seed_registry

        db.ensure_database(engine, seed=seed_registry)
    else:
        db.ensure_database(engine)
    engine.dispose()
    return url


def copy_database(src_url: str, dest: Path) -> str:
    src = Path(src_url.removeprefix("sqlite:///"))
    shutil.copyfile(src, dest)
    for suffix in ("-wal", "-shm"):
        side = Path(str(src) + suffix)
        if side.exists():
            shutil.copyfile(side, Path(str(dest) + suffix))
    return f"sqlite:///{dest}"


@contextmanager
def environment(url: str, today: str = TODAY):
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "DASHBOARD_TODAY", "DASHBOARD_SEED")}
    os.environ["DATABASE_URL"] = url
    os.environ["DASHBOARD_TODAY"] = today
    os.environ["DASHBOARD_SEED"] = "0"  # tests choose their databases' content
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# The account each test role logs in as (``login``). "office" (Văn phòng) may do everything.
TEST_ACCOUNTS = {
    "office": {"username": "test.vanphong", "display_name": "Văn phòng (kiểm thử)"},
    "leader": {"username": "test.lanhdao", "display_name": "Lãnh đạo (kiểm thử)"},
    "unit": {"username": "test.donvi", "display_name": "Cán bộ đơn vị (kiểm thử)"},
}


def ensure_test_account(url: str, role: str = "office", units: tuple[str, ...] = ("KDC01",)) -> int:
    """The id of the test account of ``role`` in the database at ``url`` (created when missing,
    with the office account too, since the app refuses to start without one)."""
    from sqlalchemy import select

    from storage import accounts, db
    from storage import models as m

    engine = db.get_engine(url)
    try:
        db.migrate(engine)
        wanted = ["office", role] if role != "office" else ["office"]
        ids = {}
        for r in wanted:
            spec = TEST_ACCOUNTS[r]
            username = spec["username"] if r != "unit" else f"{spec['username']}.{'-'.join(units).lower()}"
            with engine.connect() as conn:
                found = conn.execute(select(m.Account.id).where(m.Account.username == username)).scalar()
            if found is None:
                found = accounts.create_account(
                    engine,
                    username,
                    spec["display_name"],
                    r,
                    password=None,
                    units=units if r == "unit" else (),
                    must_change_password=False,
                )
            ids[r] = found
        return ids[role]
    finally:
        engine.dispose()


def login(at: AppTest, url: str, role: str = "office", units: tuple[str, ...] = ("KDC01",)) -> str:
    """Log ``at`` in as the test account of ``role``: a real session row (as after a password login),
    its token in the server-side session state where ui/auth.py keeps it. Returns the token."""
    from storage import accounts, db
    from ui.auth import SESSION_KEY

    account_id = ensure_test_account(url, role, units)
    engine = db.get_engine(url)
    try:
        token = accounts.start_session(engine, account_id)
    finally:
        engine.dispose()
    at.session_state[SESSION_KEY] = token
    return token


def run_page(
    url: str,
    page: str | None = None,
    params: dict[str, str] | None = None,
    today: str = TODAY,
    role: str | None = "office",
    units: tuple[str, ...] = ("KDC01",),
) -> AppTest:
    """Run app.py logged in as ``role`` (None: not logged in) with ``params`` in the URL,
    then switch to ``page`` and run again."""
    with environment(url, today):
        at = AppTest.from_file(APP, default_timeout=120)
        if role is not None:
            login(at, url, role, units)
        for k, v in (params or {}).items():
            at.query_params[k] = v
        at.run()
        if page and page != "pages/overview.py":
            at.switch_page(page)
            at.run()
    return at


def rerun(at: AppTest, url: str, today: str = TODAY) -> AppTest:
    with environment(url, today):
        at.run()
    return at


def metrics(at: AppTest) -> dict[str, str]:
    """Label -> shown value of every st.metric on the page."""
    return {m.label: m.value for m in at.metric}


def texts(at: AppTest) -> str:
    """All markdown, info, success, caption and title text of the page, joined."""
    parts = []
    for kind in ("title", "markdown", "info", "success", "warning", "caption", "subheader"):
        parts.extend(str(e.value) for e in getattr(at, kind))
    return "\n".join(parts)
