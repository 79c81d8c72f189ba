"""Failures named in Vietnamese: a bad DATABASE_URL (CLI and app), a page error, a locked or read-only
database, a workbook with too many sheets, a batch that goes on after a failing file."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import hostile_helpers as H
import page_helpers as P
import pytest
import storage_helpers as S
import workbook_helpers as W
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from streamlit.testing.v1 import AppTest

import storage.cli as cli
import storage.ingest as ingest_module
from loaders.forms import LIMITS
from loaders.safety import preflight
from loaders.sandbox import Sandbox
from storage import health
from storage import models as m
from storage.ingest import BUSY_REFUSAL, READ_ONLY_REFUSAL, StorageError, store_result

ROOT = Path(__file__).resolve().parents[1]
VIETNAMESE = ("ơ", "ư", "đ", "ệ", "ữ", "ở", "ợ", "ả")


def vietnamese(text: str) -> bool:
    return any(ch in text for ch in VIETNAMESE)


# --------------------------------------------------------------------------
# A bad DATABASE_URL: the command line
# --------------------------------------------------------------------------


def bad_urls(tmp_path: Path) -> dict[str, tuple[str, str]]:
    """name -> (address, a fragment its message must hold)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    return {
        "not-a-url": ("đây không phải địa chỉ", "không phải địa chỉ cơ sở dữ liệu hợp lệ"),
        "unsupported": ("mysql://user:secret@db.example/ward", "«mysql» không được hỗ trợ"),
        "driver-missing": ("postgresql+asyncpg://user@127.0.0.1/ward", "chưa được cài đặt"),
        "unwritable-sqlite": (f"sqlite:///{blocker}/sub/dashboard.db", "không ghi được"),
    }


@pytest.mark.parametrize("name", ["not-a-url", "unsupported", "driver-missing", "unwritable-sqlite"])
def test_cli_names_a_bad_url_in_one_vietnamese_line_and_exits_2(tmp_path, capsys, name):
    url, fragment = bad_urls(tmp_path)[name]
    report = tmp_path / "bao-cao.xlsx"
    report.write_bytes(W.typical_workbook())
    for argv in (["ingest", str(report), "--db", url], ["totals", "--db", url]):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and err.startswith("Lỗi: ") and fragment in err, err
        assert vietnamese(err) and "Traceback" not in err
        assert "secret" not in err  # a password is never shown


def test_cli_names_a_missing_postgresql_database(tmp_path, capsys):
    S.require_pg()
    url = S.PG_URL.rsplit("/", 1)[0] + "/khong_co_csdl_nay"
    assert cli.main(["totals", "--db", url]) == 2
    err = capsys.readouterr().err.strip()
    assert "không có cơ sở dữ liệu «khong_co_csdl_nay»" in err and len(err.splitlines()) == 1


@pytest.mark.slow
def test_cli_process_with_bad_database_url_prints_no_traceback(tmp_path):
    report = tmp_path / "bao-cao.xlsx"
    report.write_bytes(W.typical_workbook())
    env = dict(os.environ, DATABASE_URL="postgresql://", PYTHONPATH=str(ROOT))
    env["DATABASE_URL"] = "khong-phai-url"
    proc = subprocess.run(
        [sys.executable, "-m", "loaders", "ingest", str(report)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "Lỗi: DATABASE_URL «khong-phai-url» không phải địa chỉ cơ sở dữ liệu hợp lệ; "
        "dùng dạng sqlite:///duong/dan/tep.db hoặc postgresql+psycopg://nguoi_dung@may_chu:5432/ten_csdl."
    ]
    assert proc.stdout == ""


# --------------------------------------------------------------------------
# A bad DATABASE_URL: the app shows a Vietnamese page
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["not-a-url", "unsupported", "unwritable-sqlite"])
def test_app_with_a_bad_url_shows_a_vietnamese_page(tmp_path, name):
    url, fragment = bad_urls(tmp_path)[name]
    with P.environment(url):
        at = AppTest.from_file(P.APP, default_timeout=120)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "Không mở được cơ sở dữ liệu" in errors[0] and fragment in errors[0], errors
    assert "DATABASE_URL" in " ".join(c.value for c in at.caption)
    assert not at.metric  # no page ran


def test_app_with_a_missing_postgresql_database_shows_a_vietnamese_page():
    S.require_pg()
    url = S.PG_URL.rsplit("/", 1)[0] + "/khong_co_csdl_nay"
    with P.environment(url):
        at = AppTest.from_file(P.APP, default_timeout=120)
        at.run()
    assert not at.exception
    assert "không có cơ sở dữ liệu «khong_co_csdl_nay»" in at.error[0].value


# --------------------------------------------------------------------------
# A page error: a Vietnamese message, no outside link, the traceback in the log
# --------------------------------------------------------------------------


def _failing_page() -> None:
    import streamlit as st

    from ui import startup

    st.title("Trước lỗi")
    with startup.page_errors():
        raise ValueError("boom")


def _stopping_page() -> None:
    import streamlit as st

    from ui import startup

    with startup.page_errors():
        st.stop()
    st.title("không bao giờ hiện")


def test_page_error_is_a_vietnamese_message(caplog):
    at = AppTest.from_function(_failing_page)
    at.run()
    assert not at.exception
    message = at.error[0].value
    assert message.startswith("Trang này gặp lỗi ngoài dự kiến") and "mã lỗi" in message
    assert "http" not in message and "boom" not in message  # no outside link, no internals
    assert any("page error" in r.message and r.exc_info for r in caplog.records)


def test_page_errors_let_st_stop_through():
    at = AppTest.from_function(_stopping_page)
    at.run()
    assert not at.exception and not at.error and not at.title


@pytest.fixture(scope="module")
def app_db(tmp_path_factory) -> str:
    return P.build_database(tmp_path_factory.mktemp("app") / "app.db", seed=False, registry=True)


def test_app_page_raising_shows_the_vietnamese_message(app_db, monkeypatch):
    from ui import components

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(components, "page_start", broken)  # the first thing every dashboard page calls
    at = P.run_page(app_db)
    assert not at.exception, [e.value for e in at.exception]
    assert any(e.value.startswith("Trang này gặp lỗi ngoài dự kiến") for e in at.error)


# --------------------------------------------------------------------------
# A locked database: the upload fails within the write deadline, "thử lại sau"
# --------------------------------------------------------------------------


@pytest.mark.slow
def test_locked_sqlite_database_refuses_the_write_within_the_deadline(tmp_path):
    for engine in S.engine_for("sqlite", tmp_path):
        result = W.check(W.typical_workbook())
        assert result.accepted
        before = S.count_all(engine)
        holder = sqlite3.connect(engine.url.database, timeout=1, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process writing, and not letting go
        try:
            started = time.monotonic()
            with pytest.raises(StorageError) as err:
                store_result(engine, result, b"locked-db-file", "bao-cao.xlsx")
            waited = time.monotonic() - started
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        print(f"locked SQLite: refused after {waited:.1f} s (deadline {ingest_module.WRITE_DEADLINE_S:g} s)")
        assert str(err.value) == BUSY_REFUSAL and "thử lại sau" in str(err.value)
        assert S.count_all(engine) == before  # nothing stored
        outcome = store_result(engine, result, b"locked-db-file", "bao-cao.xlsx")  # lock gone: it stores
        assert outcome.stored


# --------------------------------------------------------------------------
# A read-only database: reading goes on with a notice, writes are refused
# --------------------------------------------------------------------------


def _chattr(flag: str, *paths: Path) -> bool:
    try:
        return subprocess.run(["chattr", flag, *map(str, paths)], capture_output=True).returncode == 0
    except FileNotFoundError:
        return False


@pytest.fixture
def read_only_db(tmp_path):
    """A migrated SQLite database with the sample registry, its file and folder then made immutable."""
    folder = tmp_path / "ro"
    folder.mkdir()
    url = P.build_database(folder / "dashboard.db", seed=False, registry=True)
    lock = folder / "dashboard.db.lock"
    paths = [p for p in (folder / "dashboard.db", lock) if p.exists()]
    if not _chattr("+i", *paths, folder):
        _chattr("-i", *paths, folder)
        pytest.skip("chattr +i not available here (a read-only folder cannot be made for root)")
    try:
        yield url
    finally:
        _chattr("-i", folder, *paths)


def test_read_only_database_is_read_and_refuses_writes(read_only_db):
    opened = health.open_database(read_only_db)
    assert opened.read_only
    engine = opened.engine
    try:
        with engine.connect() as conn:
            units = conn.execute(select(func.count()).select_from(m.Unit)).scalar()
        assert units > 0  # reading works
        result = W.check(W.typical_workbook())
        with pytest.raises(StorageError) as err:
            store_result(engine, result, W.typical_workbook(), "bao-cao.xlsx")
        assert str(err.value) == READ_ONLY_REFUSAL and "chỉ đọc" in str(err.value)
    finally:
        engine.dispose()


def _read_only_notice_page() -> None:
    import streamlit as st

    from ui import startup

    read_only = startup.require_database()
    st.title(f"chỉ đọc: {read_only}")


def test_app_notices_a_read_only_database(read_only_db):
    with P.environment(read_only_db):
        at = AppTest.from_function(_read_only_notice_page)
        at.run()
    assert not at.exception and not at.error
    assert at.title[0].value == "chỉ đọc: True"
    assert at.info[0].value == health.READ_ONLY_MESSAGE


# --------------------------------------------------------------------------
# Too many sheets: its own code and message
# --------------------------------------------------------------------------


def many_sheets_xlsx(n: int) -> bytes:
    sheets = "".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, n + 1))
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, n + 1)
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", H.CONTENT_TYPES)
        zf.writestr("_rels/.rels", H.ROOT_RELS)
        zf.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<sheets>{sheets}</sheets></workbook>",
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>',
        )
        for i in range(1, n + 1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", H.sheet_xml(""))
    return buf.getvalue()


def test_ten_thousand_sheets_are_refused_as_too_many_sheets():
    data = many_sheets_xlsx(10_000)
    fmt, problems = preflight(data, "bao-cao.xlsx")
    assert fmt is None and [p.code for p in problems] == ["file.too_many_sheets"]
    message = problems[0].message
    assert "quá nhiều trang tính" in message and "10.000" in message and "cấu trúc nén" not in message
    out = W.check(data, "bao-cao.xlsx").to_json()
    assert [e["code"] for e in out["errors"]] == ["file.too_many_sheets"]


def test_a_few_sheets_are_fine_and_the_limit_holds_for_xls_and_ods_too():
    assert preflight(many_sheets_xlsx(3), "a.xlsx")[0] == "xlsx"
    box = Sandbox(replace(LIMITS, max_sheets=2), workers=1)
    try:
        for name in ("any_sheets.xls", "any_sheets.ods"):
            workbook, problems = box.read(H.corpus_bytes(name), name)
            assert workbook is None and [p.code for p in problems] == ["file.too_many_sheets"], name
            assert "quá nhiều trang tính" in problems[0].message
    finally:
        box.close()


# --------------------------------------------------------------------------
# A batch goes on after a failing file, and reports each
# --------------------------------------------------------------------------


@pytest.mark.parametrize("backend", S.BACKENDS)
def test_batch_goes_on_after_a_failing_file(backend, tmp_path, monkeypatch, capsys):
    from bootstrap import seeder

    url, _kw, schema = S.new_url(backend, tmp_path)
    try:
        files = []
        for k in (1, 2, 3):
            path = tmp_path / f"bao-cao-{k}.xlsx"
            path.write_bytes(W.typical_workbook(copies=k))
            files.append(path)
        real = ingest_module.ingest_bytes

        def flaky(engine, data, filename, **kwargs):
            if filename == "bao-cao-2.xlsx":  # what a same-key race left after its retries, say
                raise IntegrityError("INSERT ...", {}, Exception("UniqueViolation"))
            return real(engine, data, filename, **kwargs)

        monkeypatch.setattr(ingest_module, "ingest_bytes", flaky)
        monkeypatch.setattr(cli, "SEEDER", seeder())
        code = cli.main(["ingest", "--json", "--db", url, *map(str, files)])
        captured = capsys.readouterr()
        lines = [json.loads(line) for line in captured.out.splitlines()]
        assert code == 1
        assert [(x["file"], x["stored"]) for x in lines] == [
            ("bao-cao-1.xlsx", True),
            ("bao-cao-2.xlsx", False),
            ("bao-cao-3.xlsx", True),
        ]
        assert "lỗi cơ sở dữ liệu" in lines[1]["errors"][0]["message"]
        assert "Traceback" not in captured.err
    finally:
        S.drop_schema(schema)
