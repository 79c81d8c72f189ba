"""One data version in every cache key (issue 8): a stored report or a handled obstacle shows
everywhere at once, in this process with its caches warm and in another process sharing the database.
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from export_helpers import store_report
from openpyxl import load_workbook
from storage_helpers import BACKENDS, new_url

from storage import db, queries
from storage.queries import Filters
from storage.version import data_version

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 3, 5)
FEB = Filters(period_from="2026-02", period_to="2026-02")


def _store(engine, unit: str, quantity: int, obstacle: str | None = None, when=dt.datetime(2026, 2, 20, 9)) -> None:
    store_report(
        engine,
        unit,
        "2026-02",
        when,
        tasks=[{"task_code": "NV02", "status": "in_progress", "percent": 50.0, "obstacles": obstacle}],
        propaganda=[{"channel": "portal", "topic": "plan", "quantity": quantity, "measure_unit": "tin", "reach": 10}],
    )


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    """A migrated database holding the sample ward's registry and no report; its URL."""
    from bootstrap import seed_registry

    url, _, schema = new_url(request.param, tmp_path)
    engine = db.get_engine(url)
    db.ensure_database(engine, seed=seed_registry)
    engine.dispose()
    yield url
    if schema:
        from storage_helpers import drop_schema

        drop_schema(schema)


@pytest.fixture
def engine(url):
    eng = db.get_engine(url)
    yield eng
    eng.dispose()


def test_version_moves_with_every_write_and_only_then(engine):
    v0 = data_version(engine)
    assert data_version(engine) == v0  # reading changes nothing
    _store(engine, "BXDD", 3, obstacle="Thiếu kinh phí")
    v1 = data_version(engine)
    assert v1 != v0
    queries.propaganda_by_unit(engine, FEB)
    queries.obstacles(engine, FEB)
    assert data_version(engine) == v1
    oid = int(queries.obstacles(engine, FEB)["id"].iloc[0])
    queries.set_obstacle_handled(engine, oid, True, "Văn phòng")
    v2 = data_version(engine)
    assert v2 not in (v0, v1)  # marking an obstacle handled is a new version
    queries.set_obstacle_handled(engine, oid, False, "Văn phòng")
    v3 = data_version(engine)
    assert v3 not in (v0, v1, v2)  # and so is undoing it
    _store(engine, "BXDD", 7, when=dt.datetime(2026, 2, 21, 9))  # a replacing version
    assert data_version(engine) not in (v0, v1, v2, v3)


def test_reads_and_sessions_in_the_audit_log_leave_the_version(engine):
    """Downloads and logins are audited too; they change no figure, so they must not empty the caches."""
    from storage.version import READS, record_change

    _store(engine, "BXDD", 3)
    v = data_version(engine)
    with engine.begin() as conn:
        for action in READS:
            record_change(conn, action, entity="submission")
    assert data_version(engine) == v
    with engine.begin() as conn:
        record_change(conn, "a_new_kind_of_write")  # unknown: counted as a change (never a stale figure)
    assert data_version(engine) != v


def test_restore_of_a_backup_is_a_new_version(engine, tmp_path):
    from storage.backup import backup, restore

    _store(engine, "BXDD", 3)
    path = tmp_path / "b.zip"
    backup(engine, path)
    _store(engine, "VPDU", 5)
    before = data_version(engine)
    restore(engine, path, replace=True)
    assert data_version(engine) != before


# ---------------------------------------------------------------- the caches


@pytest.fixture
def app_env(url, monkeypatch):
    """ui.data pointed at ``url`` (no sample reports), with empty caches."""
    import streamlit as st

    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DASHBOARD_SEED", "0")
    monkeypatch.setenv("DASHBOARD_TODAY", TODAY.isoformat())
    st.cache_data.clear()
    yield url
    st.cache_data.clear()


def _quantity(frame, unit: str) -> int:
    row = frame[frame["unit_code"] == unit]
    return int(row["quantity"].iloc[0]) if len(row) else 0


def _workbook_quantity(xlsx: bytes, unit_name: str) -> int | None:
    ws = load_workbook(io.BytesIO(xlsx))["Tuyên truyền"]
    for row in ws.iter_rows(values_only=True):
        if row and row[0] == unit_name:
            return row[1]
    return None


def test_stored_report_shows_at_once_with_caches_warm(app_env, engine):
    """A write that never calls clear_cache (another session's ingest, the CLI) still shows on
    the next read: pages' cached queries and the export page's meeting files alike."""
    from ui import data, meeting_files

    name = data.unit_names()["BXDD"]
    _store(engine, "BXDD", 3, obstacle="Thiếu kinh phí")
    assert _quantity(data.propaganda_by_unit(FEB), "BXDD") == 3  # cache warm from here on
    assert _workbook_quantity(meeting_files.file_bytes("xlsx", FEB, TODAY), name) == 3
    assert not data.obstacles(FEB)["handled"].astype(bool).any()

    _store(engine, "BXDD", 12, obstacle="Thiếu kinh phí", when=dt.datetime(2026, 2, 22, 9))  # no clear_cache
    assert _quantity(data.propaganda_by_unit(FEB), "BXDD") == 12
    assert _workbook_quantity(meeting_files.file_bytes("xlsx", FEB, TODAY), name) == 12

    oid = int(queries.obstacles(engine, FEB)["id"].iloc[0])
    queries.set_obstacle_handled(engine, oid, True, "Văn phòng")  # straight to storage, no clear_cache
    assert data.obstacles(FEB)["handled"].astype(bool).all()
    ws = load_workbook(io.BytesIO(meeting_files.file_bytes("xlsx", FEB, TODAY)))["Khó khăn, vướng mắc"]
    assert "Đã xử lý" in [c for row in ws.iter_rows(values_only=True) for c in row]


def test_report_stored_by_another_process_shows_at_once(app_env, engine):
    from ui import data, meeting_files

    name = data.unit_names()["VPDU"]
    assert _quantity(data.propaganda_by_unit(FEB), "VPDU") == 0  # cache warm, nothing stored
    before = meeting_files.file_bytes("xlsx", FEB, TODAY)
    assert _workbook_quantity(before, name) in (None, 0)

    script = textwrap.dedent(
        f"""
        import datetime as dt, sys
        sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / "tests")!r}]
        from export_helpers import store_report
        from storage import db
        engine = db.get_engine({app_env!r})
        store_report(engine, "VPDU", "2026-02", dt.datetime(2026, 2, 20, 9),
                     propaganda=[{{"channel": "portal", "topic": "plan", "quantity": 41,
                                  "measure_unit": "tin", "reach": 10}}])
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT, env=env, timeout=300)

    assert _quantity(data.propaganda_by_unit(FEB), "VPDU") == 41
    assert _workbook_quantity(meeting_files.file_bytes("xlsx", FEB, TODAY), name) == 41
