"""Parallel first start and same-key writes, through the real command line, on SQLite and PostgreSQL.

20 ``python -m loaders ingest`` processes into a database that does not exist
yet (SQLite: no file, not even its folder; PostgreSQL: an empty schema): one
migrates and seeds under the schema lock, the others wait and find it done;
every file is stored exactly once and every process exits 0.  Then 12
different files for one unit and one month, given to 20 processes at once:
all stored, one current version per form, versions 1..12.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import storage_helpers as S
import workbook_helpers as W
from sqlalchemy import func, select

from sample_data import generate as gen
from storage import models as m
from storage.db import get_engine

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = 20
FILES_PER_PROCESS = 5
SAME_KEY_FILES = 12

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> list[Path]:
    """100 distinct, accepted sample reports (several units, all months)."""
    out = tmp_path_factory.mktemp("ward")
    made = gen.generate(out, units=("KDC01", "KDC02", "KDC03", "KDC04", "KDC05", "KDC06", "KDC07", "BXDD", "VPDU"))
    paths = sorted({r.path for r in made})
    assert len(paths) >= PROCESSES * FILES_PER_PROCESS
    return paths[: PROCESSES * FILES_PER_PROCESS]


@pytest.fixture(params=S.BACKENDS)
def fresh_url(request, tmp_path):
    """The address of a database that does not exist yet (SQLite) or is empty (PostgreSQL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'new-folder' / 'dashboard.db'}"
        return
    url, _kw, schema = S.new_url("postgresql", tmp_path)
    try:
        yield url
    finally:
        S.drop_schema(schema)


def run_parallel(url: str, batches: list[list[Path]]) -> list[tuple[int, list[dict], str]]:
    """Start one ``python -m loaders ingest --json`` per batch at once; (exit code, JSON lines, stderr) each."""
    env = dict(os.environ, DASHBOARD_SEED="1", PYTHONPATH=str(ROOT))
    env.pop("DATABASE_URL", None)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "loaders", "ingest", "--json", "--db", url, *map(str, batch)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for batch in batches
    ]
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=900)
        out.append((p.returncode, [json.loads(line) for line in stdout.splitlines() if line.strip()], stderr))
    return out


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_twenty_parallel_first_starts_store_every_file_once(fresh_url, reports):
    batches = [reports[i * FILES_PER_PROCESS : (i + 1) * FILES_PER_PROCESS] for i in range(PROCESSES)]
    results = run_parallel(fresh_url, batches)
    for code, lines, stderr in results:
        assert code == 0, stderr[-2000:]
        assert "Traceback" not in stderr
        assert len(lines) == FILES_PER_PROCESS and all(line["stored"] for line in lines), lines
    engine = get_engine(fresh_url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(select(m.Submission.sha256, func.count()).group_by(m.Submission.sha256)).all()
            wards = conn.execute(select(func.count()).select_from(m.Ward)).scalar()
            units = conn.execute(select(func.count()).select_from(m.Unit)).scalar()
        assert wards == 1 and units > 0  # seeded once
        assert dict(stored) == {sha(p): 1 for p in reports}  # every file, exactly once
    finally:
        engine.dispose()


def same_key_files(tmp_path: Path) -> list[Path]:
    """12 different valid workbooks of one unit and one month (each a bigger copy of the last)."""
    paths = []
    for k in range(1, SAME_KEY_FILES + 1):
        path = tmp_path / f"bao-cao-{k:02d}.xlsx"
        path.write_bytes(W.typical_workbook(copies=k))
        paths.append(path)
    return paths


def test_same_key_race_stores_every_version(fresh_url, tmp_path):
    files = same_key_files(tmp_path)
    assert len({sha(p) for p in files}) == SAME_KEY_FILES
    batches = [[files[i % SAME_KEY_FILES]] for i in range(PROCESSES)]  # 8 files are sent twice at once
    results = run_parallel(fresh_url, batches)
    for code, lines, stderr in results:
        assert code == 0, stderr[-2000:]
        assert "Traceback" not in stderr
        assert len(lines) == 1 and (lines[0]["stored"] or lines[0]["duplicate"]), lines
    assert sum(lines[0]["stored"] for _c, lines, _e in results) == SAME_KEY_FILES
    engine = get_engine(fresh_url)
    try:
        sf = m.SubmissionForm
        with engine.connect() as conn:
            subs = conn.execute(select(m.Submission.sha256)).scalars().all()
            versions = conn.execute(select(sf.form, sf.version, sf.is_current).order_by(sf.form, sf.version)).all()
        assert sorted(subs) == sorted(sha(p) for p in files)
        for form in ("tasks", "propaganda", "attendance"):
            rows = [(v, cur) for f, v, cur in versions if f == form]
            assert [v for v, _ in rows] == list(range(1, SAME_KEY_FILES + 1)), form
            assert [v for v, cur in rows if cur] == [SAME_KEY_FILES], form  # one current: the last
    finally:
        engine.dispose()
