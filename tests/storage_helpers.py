"""Helpers for the storage tests: engines on both backends, hand-built CheckResults, table counts."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine, func, select, text

from bootstrap import seed_registry
from loaders.forms import FORMS_BY_KEY
from loaders.result import CheckResult, FormData, FoundValue, Problem
from storage import models as m
from storage.db import ensure_database, get_engine

BACKENDS = ["sqlite", "postgresql"]
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"

_pg_ok: bool | None = None


def pg_available() -> bool:
    global _pg_ok
    if _pg_ok is None:
        try:
            eng = create_engine(PG_URL, connect_args={"connect_timeout": 3})
            with eng.connect() as c:
                c.execute(text("select 1"))
            eng.dispose()
            _pg_ok = True
        except Exception:
            _pg_ok = False
    return _pg_ok


def require_pg() -> None:
    if not pg_available():
        if IN_CI:
            pytest.fail(f"PostgreSQL unreachable at {PG_URL} (CI=true: failing instead of skipping)")
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}")


def new_url(backend: str, tmp_path: Path) -> tuple[str, dict, str | None]:
    """(url, engine kwargs, schema) of a fresh empty database for ``backend``."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / f'db-{uuid.uuid4().hex[:8]}.db'}", {}, None
    require_pg()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return f"{PG_URL}?options=-csearch_path%3D{schema}", {}, schema


def drop_schema(schema: str | None) -> None:
    if schema:
        admin = create_engine(PG_URL)
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def engine_for(backend: str, tmp_path: Path, *, registry: bool = True, migrate: bool = True) -> Iterator[Engine]:
    url, kw, schema = new_url(backend, tmp_path)
    eng = get_engine(url, **kw)
    try:
        if migrate:
            ensure_database(eng, seed=False)
        if registry:
            seed_registry(eng)
        yield eng
    finally:
        eng.dispose()
        drop_schema(schema)


# ---------------------------------------------------------------- hand-built results


def _letters(n: int) -> list[str]:
    return [chr(ord("A") + i) for i in range(n)]


FRAME_COLUMNS = {
    "tasks": ["task_code", "task_text", "due", "status", "percent", "completed_on", "evidence", "obstacles", "note"],
    "propaganda": ["channel", "topic", "quantity", "measure_unit", "reach", "date", "link"],
    "attendance": [
        "event",
        "event_date",
        "format",
        "group",
        "invited",
        "present",
        "absent_excused",
        "absent_unexcused",
        "note",
    ],
}
INT_COLUMNS = {"quantity", "reach", "invited", "present", "absent_excused", "absent_unexcused"}


def form_data(form: str, rows: list[dict], sheet: str | None = None, header_row: int = 8) -> FormData:
    cols = FRAME_COLUMNS[form]
    sheet = sheet or FORMS_BY_KEY[form].sheet_title
    data = []
    for i, r in enumerate(rows):
        rec = {c: r.get(c) for c in cols}
        rec["sheet"] = sheet
        rec["row"] = header_row + 1 + i
        if form == "tasks":
            rec["due_date"] = r.get("due_date")
            rec["due_text"] = r.get("due_text")
        data.append(rec)
    all_cols = [*cols, "sheet", "row"] + (["due_date", "due_text"] if form == "tasks" else [])
    frame = pd.DataFrame(data, columns=all_cols)
    for c in cols:
        if c in INT_COLUMNS:
            frame[c] = frame[c].astype("Int64")
        elif c == "percent":
            frame[c] = frame[c].astype("float64")
        else:
            frame[c] = frame[c].astype(object)
    frame["row"] = frame["row"].astype("int64")
    letters = _letters(len(cols) + 1)[1:]
    return FormData(
        form=form, sheet=sheet, frame=frame, header_row=header_row, columns=dict(zip(cols, letters, strict=True))
    )


def make_result(unit: str, period: str, file: str = "bao-cao.xlsx", *, accepted: bool = True, **forms) -> CheckResult:
    """A CheckResult as check_bytes would return it; ``forms`` = tasks=[...], propaganda=[...], attendance=[...]."""
    fds = {k: form_data(k, rows) for k, rows in forms.items() if rows is not None}
    errors = (
        []
        if accepted
        else [
            Problem(
                "attendance.present_gt_invited",
                "Biểu 03, ô G12: Số có mặt (65) lớn hơn số được triệu tập (60)",
                "Biểu 03",
                "G12",
            )
        ]
    )
    return CheckResult(
        file=file,
        accepted=accepted,
        unit=FoundValue(unit, "Biểu 01!A5 (Đơn vị báo cáo)"),
        period=FoundValue(period, "Biểu 01!A4 (Kỳ báo cáo)"),
        forms=fds,
        errors=errors,
        warnings=[
            Problem("attendance.sum_mismatch", "Biểu 03, ô G9: tổng không khớp", "Biểu 03", "G9", severity="warning")
        ]
        if "attendance" in fds
        else [],
    )


def fake_bytes(*parts) -> bytes:
    """Distinct 'file bytes' for a hand-built result (the storage layer never parses them)."""
    return ("PK\x03\x04 fake " + "|".join(map(str, parts))).encode()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def count_all(engine: Engine) -> dict[str, int]:
    with engine.connect() as c:
        return {
            t: c.execute(select(func.count()).select_from(m.Base.metadata.tables[t])).scalar()
            for t in m.TABLES_IN_ORDER
        }


T = dt.datetime
D = dt.date


def sample_tasks(status="in_progress", obstacle=None, code="NV02"):
    return [
        {
            "task_code": code,
            "task_text": "Tham mưu kế hoạch",
            "status": status,
            "percent": 100.0 if status == "done" else 50.0,
            "completed_on": D(2026, 2, 10) if status == "done" else None,
            "obstacles": obstacle,
            "due_date": D(2026, 3, 31),
            "due_text": "31/03/2026",
        },
    ]


def sample_propaganda(q=(3, 5), reach=(100, 200)):
    return [
        {
            "channel": "portal",
            "topic": "plan",
            "quantity": q[0],
            "measure_unit": "tin",
            "reach": reach[0],
            "date": D(2026, 2, 3),
        },
        {
            "channel": "social",
            "topic": "role_models",
            "quantity": q[1],
            "measure_unit": "bai",
            "reach": reach[1],
            "date": D(2026, 2, 4),
        },
    ]


def sample_attendance(invited=(30, 20), present=(28, 15)):
    return [
        {
            "event": "Hội nghị quán triệt",
            "event_date": D(2026, 2, 11),
            "format": "in_person",
            "group": "party_members",
            "invited": invited[0],
            "present": present[0],
            "absent_excused": invited[0] - present[0],
            "absent_unexcused": 0,
        },
        {
            "event": "Hội nghị quán triệt",
            "event_date": D(2026, 2, 11),
            "format": "in_person",
            "group": "public",
            "invited": invited[1],
            "present": present[1],
            "absent_excused": 1,
            "absent_unexcused": invited[1] - present[1] - 1,
        },
    ]


# ---------------------------------------------------------------- real files (through the real check)


def write_report(unit_name: str, period_label: str, *, tasks=None, propaganda=None, attendance=None) -> bytes:
    """A minimal real workbook: one sheet per form given, title block + canonical header + rows.

    Rows are lists of cell values in the order of the form's fields (STT first)."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for key, rows in (("tasks", tasks), ("propaganda", propaganda), ("attendance", attendance)):
        if rows is None:
            continue
        form = FORMS_BY_KEY[key]
        ws = wb.create_sheet(form.sheet_title)
        ws.append(["ĐẢNG BỘ PHƯỜNG BẠCH ĐẰNG"])
        ws.append([unit_name.upper()])
        ws.append([form.title])
        ws.append([f"Kỳ báo cáo: {period_label}"])
        ws.append([f"Đơn vị báo cáo: {unit_name}"])
        ws.append([])
        ws.append([f.header for f in form.fields])
        for i, r in enumerate(rows, 1):
            ws.append([i, *r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def report_rows(n_tasks=2, n_prop=2, n_att=2, seed=0):
    """Rows (as cell values, labels in Vietnamese) for write_report; ``seed`` varies the numbers."""
    tasks = [
        [
            "NV06",
            "Định hướng công tác tuyên truyền",
            "Thường xuyên",
            "Đang thực hiện",
            50,
            None,
            "Công văn số 1",
            None,
            None,
        ],
        [
            "NV02",
            "Tham mưu xây dựng Kế hoạch",
            D(2026, 3, 31),
            "Hoàn thành",
            100,
            D(2026, 2, 10),
            "Kế hoạch số 12-KH/ĐU",
            "Thiếu kinh phí",
            None,
        ],
    ][:n_tasks]
    prop = [
        [
            "Cổng thông tin điện tử",
            "Nội dung Đề án, Nghị quyết, Kế hoạch",
            3 + seed,
            "tin",
            100 + seed,
            D(2026, 2, 3),
            None,
        ],
        ["Mạng xã hội", "Gương điển hình, mô hình tiêu biểu, cách làm sáng tạo", 5, "bài", 200, D(2026, 2, 4), None],
    ][:n_prop]
    att = [
        ["Hội nghị quán triệt", D(2026, 2, 11), "Trực tiếp", "Đảng viên", 30 + seed, 28, 2 + seed, 0, None],
        ["Hội nghị quán triệt", D(2026, 2, 11), "Trực tiếp", "Quần chúng, Nhân dân", 20, 15, 1, 4, None],
    ][:n_att]
    return tasks, prop, att


# ---------------------------------------------------------------- bulk import worker (tests/test_kill9.py)

KILL_UNITS = ["VPDU", "BXDD", "KDC01", "KDC02", "KDC03", "VHXH"]
KILL_PERIODS = ["2026-01", "2026-02", "2026-03"]


def bulk_import(url: str, run: int, rows: int = 60) -> None:
    """Store many hand-built results (new and replacing versions) until done; prints READY first."""
    import random
    import sys

    from storage.ingest import store_result

    eng = get_engine(url)
    rnd = random.Random(run)
    print("READY", flush=True)
    i = 0
    while True:  # runs until killed (or a generous cap)
        i += 1
        if i > 2000:
            return
        unit, period = rnd.choice(KILL_UNITS), rnd.choice(KILL_PERIODS)
        forms = rnd.choice([("tasks", "propaganda", "attendance"), ("attendance",), ("propaganda",), ("tasks",)])
        kw = {}
        if "tasks" in forms:
            kw["tasks"] = [
                {
                    "task_code": "NV0" + str(1 + k % 9),
                    "status": "in_progress",
                    "percent": 10.0,
                    "obstacles": "Khó khăn" if k % 7 == 0 else None,
                }
                for k in range(rows)
            ]
        if "propaganda" in forms:
            kw["propaganda"] = [
                {"channel": "portal", "topic": "plan", "quantity": k, "reach": 2 * k} for k in range(rows)
            ]
        if "attendance" in forms:
            kw["attendance"] = [{"event": "HN", "group": "public", "invited": 10, "present": 9} for _ in range(rows)]
        res = make_result(unit, period, **kw)
        store_result(eng, res, fake_bytes("kill", run, i), f"{unit}-{period}-{run}-{i}.xlsx")
        sys.stdout.write(".")
        sys.stdout.flush()


def consistency_problems(engine: Engine) -> list[str]:
    """Everything that would show a half-stored file; empty when the database is consistent."""
    from sqlalchemy import text as sql

    problems: list[str] = []
    with engine.connect() as c:
        for form, table in m.ROW_TABLES.items():
            bad = c.execute(
                sql(
                    f"SELECT sf.id, sf.row_count, (SELECT COUNT(*) FROM {table} r WHERE r.submission_form_id = sf.id) "
                    f"FROM submission_forms sf WHERE sf.form = :f"
                ),
                {"f": form},
            ).all()
            problems += [f"{form} form {i}: {n} rows recorded, {k} stored" for i, n, k in bad if n != k]
        for sid, n, k in c.execute(
            sql(
                "SELECT s.id, s.form_count, (SELECT COUNT(*) FROM submission_forms f WHERE f.submission_id = s.id) FROM submissions s"
            )
        ):
            if n != k:
                problems.append(f"submission {sid}: {n} forms recorded, {k} stored")
        missing_blob = c.execute(
            sql("SELECT COUNT(*) FROM submissions s LEFT JOIN blobs b ON b.sha256 = s.sha256 WHERE b.sha256 IS NULL")
        ).scalar()
        if missing_blob:
            problems.append(f"{missing_blob} submissions without their file")
        for unit, period, form, versions, current, cur_max in c.execute(
            sql(
                "SELECT unit_id, period_id, form, COUNT(*), SUM(CASE WHEN is_current THEN 1 ELSE 0 END), "
                "MAX(CASE WHEN is_current THEN version END) FROM submission_forms GROUP BY unit_id, period_id, form"
            )
        ):
            vs = sorted(
                c.execute(
                    sql("SELECT version FROM submission_forms WHERE unit_id=:u AND period_id=:p AND form=:f"),
                    {"u": unit, "p": period, "f": form},
                ).scalars()
            )
            if vs != list(range(1, versions + 1)):
                problems.append(f"({unit},{period},{form}): versions {vs}")
            if current != 1 or cur_max != versions:
                problems.append(f"({unit},{period},{form}): {current} current, current version {cur_max} of {versions}")
        orphans = c.execute(
            sql("SELECT COUNT(*) FROM obstacles o LEFT JOIN task_rows t ON t.id = o.task_row_id WHERE t.id IS NULL")
        ).scalar()
        if orphans:
            problems.append(f"{orphans} obstacles without their task row")
        audit = c.execute(sql("SELECT COUNT(*) FROM audit_log WHERE entity = 'submission'")).scalar()
        subs = c.execute(sql("SELECT COUNT(*) FROM submissions")).scalar()
        if audit != subs:
            problems.append(f"{subs} submissions but {audit} audit lines")
        if engine.dialect.name == "sqlite":
            ok = c.exec_driver_sql("PRAGMA integrity_check").scalar()
            if ok != "ok":
                problems.append(f"integrity_check: {ok}")
    return problems


if __name__ == "__main__":
    import sys

    bulk_import(sys.argv[1], int(sys.argv[2]))
