"""Small things a user trips on (issue 13): a handled obstacle can be undone and who undid it is kept;
the upload preview's storage reads (SQLite and PostgreSQL); task names beside codes."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select
from storage_helpers import BACKENDS, engine_for, fake_bytes, make_result, sample_tasks

from storage import models as m
from storage import queries as q
from storage import upload_preview
from storage.ingest import store_result
from ui.task_names import code_and_name, with_task_name


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path):
    yield from engine_for(request.param, tmp_path)


def test_handled_obstacle_can_be_undone_and_the_undoer_is_recorded(engine):
    store_result(
        engine,
        make_result("KDC03", "2026-02", tasks=sample_tasks(obstacle="Thiếu kinh phí")),
        fake_bytes("o"),
        "o.xlsx",
    )
    (oid,) = q.obstacles(engine)["id"].tolist()
    q.set_obstacle_handled(engine, int(oid), True, "Văn phòng A")
    q.set_obstacle_handled(engine, int(oid), False, "Văn phòng B")  # marked by mistake: undone
    row = q.obstacles(engine).iloc[0]
    assert not bool(row["handled"])
    assert (
        row["handled_by"] == "Văn phòng B" and row["handled_at"] is not None and row["handled_at"] == row["handled_at"]
    )
    assert q.obstacles(engine, handled=False)["id"].tolist() == [oid]
    with engine.connect() as c:
        log = c.execute(
            select(m.AuditLog.action, m.AuditLog.actor).where(m.AuditLog.entity == "obstacle").order_by(m.AuditLog.id)
        ).all()
    assert [tuple(r) for r in log] == [("obstacle_handled", "Văn phòng A"), ("obstacle_reopened", "Văn phòng B")]


def test_upload_preview_reads(engine):
    r = make_result("KDC03", "2026-02", tasks=sample_tasks())
    data = fake_bytes("p1")
    assert upload_preview.sent_before(engine, upload_preview_sha(data)) is None
    store_result(engine, r, data, "p1.xlsx", sender="A", received_at=dt.datetime(2026, 2, 27, 9, 0))
    sent = upload_preview.sent_before(engine, upload_preview_sha(data))
    assert (sent.unit_code, sent.period, sent.sender, sent.filename) == ("KDC03", "2026-02", "A", "p1.xlsx")
    assert sent.received_at == dt.datetime(2026, 2, 27, 9, 0)
    assert upload_preview.current_totals(engine, "KDC03", "2026-02", ["tasks", "propaganda"]) == {"tasks": {"rows": 1}}
    late = upload_preview.lateness(engine, "KDC03", "2026-02", dt.date(2026, 3, 1), due_day=25)
    assert late.late and late.due == dt.date(2026, 2, 25) and late.first_at == dt.datetime(2026, 2, 27, 9, 0)
    on_time = upload_preview.lateness(engine, "KDC04", "2026-02", dt.date(2026, 2, 25), due_day=25)
    assert not on_time.late and on_time.first_at is None


def upload_preview_sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_task_names_beside_codes():
    names = {"NV03": "Tổ chức hội nghị quán triệt Nghị quyết cho cán bộ chủ chốt"}
    frame = pd.DataFrame({"task_code": ["NV03", "NV99", None]})
    assert with_task_name(frame, names)["task"].tolist() == [names["NV03"], "", ""]
    kept = pd.DataFrame({"task_code": ["NV03"], "task": ["Tên do đơn vị ghi"]})
    assert with_task_name(kept, names)["task"].tolist() == ["Tên do đơn vị ghi"]
    shown = code_and_name("NV03", names, 20)
    assert shown == "NV03 · Tổ chức hội nghị qu…" and len(shown.split(" · ")[1]) == 20
    assert code_and_name("NV99", names) == "NV99"


def test_unit_page_shows_task_names_beside_codes(tmp_path):
    """The unit page's task table has the plan's wording of each task next to its code."""
    from page_helpers import run_page

    from storage import db
    from storage.registry import load_registry
    from tests.test_template import _honest_kdc03
    from tests.upload_helpers import registry_database
    from ui import upload_flow as flow

    url = registry_database(tmp_path / "unit.db")
    engine = db.get_engine(url)
    registry = load_registry(engine)
    fc = flow.check_upload(engine, _honest_kdc03(), "kdc03-t02.xlsx", registry=registry, today=dt.date(2026, 3, 5))
    assert fc.accepted, [p.message for p in fc.result.errors]
    assert flow.store_checked(engine, fc, sender="A").stored
    engine.dispose()
    at = run_page(url, "pages/unit.py", params={"unit": "KDC03", "kind": "month", "period": "2026-02"})
    assert not at.exception, at.exception
    tables = [d.value for d in at.dataframe if "Mã nhiệm vụ" in d.value.columns]
    assert tables, "no task table on the unit page"
    t = tables[0]
    assert "Nhiệm vụ" in t.columns
    named = dict(zip(t["Mã nhiệm vụ"], t["Nhiệm vụ"], strict=True))
    assert named["NV11"] == registry.tasks_by_code["NV11"].text
    assert all(str(v).strip() for v in named.values())
