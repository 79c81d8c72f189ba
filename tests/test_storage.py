"""Storage: migrations, versioned atomic ingest, duplicates, refusals, totals, CLI, backup/restore."""

from __future__ import annotations

import json

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select
from storage_helpers import (
    BACKENDS,
    T,
    count_all,
    engine_for,
    fake_bytes,
    make_result,
    report_rows,
    sample_attendance,
    sample_propaganda,
    sample_tasks,
    sha,
    write_report,
)

from loaders.check import check_bytes
from storage import models as m
from storage import queries as q
from storage.backup import BackupError, backup, restore
from storage.cli import main as cli_main
from storage.db import alembic_config, current_revision, ensure_database, get_engine, migrate
from storage.ingest import StorageError, existing_versions, ingest_bytes, store_result
from storage.registry import load_registry


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path):
    yield from engine_for(request.param, tmp_path)


@pytest.fixture(params=BACKENDS)
def empty_engine(request, tmp_path):
    yield from engine_for(request.param, tmp_path, registry=False, migrate=False)


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


# ---------------------------------------------------------------- migrations


def test_migrations_upgrade_from_empty(empty_engine):
    assert inspect(empty_engine).get_table_names() == []
    migrate(empty_engine)
    names = set(inspect(empty_engine).get_table_names())
    assert set(m.TABLES_IN_ORDER) <= names
    assert "alembic_version" in names
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert current_revision(empty_engine) == head
    migrate(empty_engine)  # idempotent
    assert current_revision(empty_engine) == head
    assert all(v == 0 for v in count_all(empty_engine).values())


def test_ensure_database_seeds_registry_without_reports(empty_engine):
    ensure_database(empty_engine, seed=False)
    assert count_all(empty_engine)["units"] == 0
    from bootstrap import seed_registry

    seed_registry(empty_engine)
    counts = count_all(empty_engine)
    assert counts["units"] == 39 and counts["tasks"] == 17 and counts["unit_groups"] == 5
    units = q.list_units(empty_engine)
    assert list(units.columns) == ["code", "name", "group", "short_name"]
    assert units.iloc[0]["code"] == "VPDU"
    # ALL resolves to every unit; a group name resolves to the group's units.
    with empty_engine.connect() as c:
        ta = m.TaskAssignee
        nv10 = c.execute(select(ta.unit_id).join(m.Task).where(m.Task.code == "NV10")).all()
        nv11 = c.execute(select(ta.unit_id).join(m.Task).where(m.Task.code == "NV11")).all()
    assert len(nv10) == 39
    assert len(nv11) == 1 + 20 + 6  # BXDD + 20 residential cells + 6 agency/school cells


def test_default_sqlite_database_is_wal_with_foreign_keys(tmp_path):
    eng = get_engine(f"sqlite:///{tmp_path / 'x' / 'd.db'}")
    with eng.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    eng.dispose()


# ---------------------------------------------------------------- versioning


def test_duplicate_file_is_not_stored_twice(engine):
    r = make_result("KDC03", "2026-02", tasks=sample_tasks(), propaganda=sample_propaganda())
    first = store_result(engine, r, fake_bytes(1), "a.xlsx", sender="Nguyễn Văn A")
    before = count_all(engine)
    again = store_result(engine, r, fake_bytes(1), "a-copy.xlsx")
    assert first.stored and not first.duplicate and first.version == 1
    assert again.duplicate and not again.stored and again.submission_id == first.submission_id
    assert again.to_json()["stored"] is False and again.to_json()["submission"] == first.submission_id
    assert count_all(engine) == before


def test_changed_file_becomes_version_2_and_old_stays_readable(engine):
    v1 = make_result("KDC03", "2026-02", propaganda=sample_propaganda(q=(3, 5)))
    v2 = make_result("KDC03", "2026-02", propaganda=sample_propaganda(q=(10, 20)))
    o1 = store_result(engine, v1, fake_bytes("v1"), "t02.xlsx", received_at=T(2026, 2, 20))
    o2 = store_result(engine, v2, fake_bytes("v2"), "t02-sua.xlsx", received_at=T(2026, 2, 22))
    assert (o1.version, o2.version) == (1, 2)
    assert o2.replaced == [{"form": "propaganda", "version": 1, "submission_id": o1.submission_id}]
    assert q.totals(engine)["propaganda"]["quantity"] == 30  # only the current version counts
    hist = q.submission_history(engine, "KDC03")
    assert list(hist["id"]) == [o2.submission_id, o1.submission_id]
    assert list(hist["version"]) == [2, 1] and list(hist["is_current"]) == [True, False]
    assert q.submission_file(engine, o1.submission_id) == ("t02.xlsx", fake_bytes("v1"))
    with engine.connect() as c:  # the old rows are still there, not current
        old = c.execute(
            select(m.PropagandaRow.quantity)
            .join(m.SubmissionForm)
            .where(m.SubmissionForm.submission_id == o1.submission_id)
            .order_by(m.PropagandaRow.row)
        ).scalars()
        assert list(old) == [3, 5]
    assert existing_versions(engine, "KDC03", "2026-02", ["tasks", "propaganda"]) == {"propaganda": 2}


def test_form_only_file_replaces_only_that_form(engine):
    full = make_result(
        "KDC03", "2026-02", tasks=sample_tasks(), propaganda=sample_propaganda(), attendance=sample_attendance()
    )
    only03 = make_result("KDC03", "2026-02", attendance=sample_attendance(invited=(40, 20), present=(35, 15)))
    o1 = store_result(engine, full, fake_bytes("full"), "full.xlsx")
    o2 = store_result(engine, only03, fake_bytes("b03"), "bieu03.xlsx")
    assert o2.versions == {"attendance": 2}
    assert existing_versions(engine, "KDC03", "2026-02", ["tasks", "propaganda", "attendance"]) == {
        "tasks": 1,
        "propaganda": 1,
        "attendance": 2,
    }
    tot = q.totals(engine)
    assert tot["attendance"] == {"rows": 2, "invited": 60, "present": 50}
    assert tot["propaganda"] == {"rows": 2, "quantity": 8, "reach": 300}
    assert tot["tasks"] == {"rows": 1}
    hist = q.submission_history(engine, "KDC03").set_index("id")
    assert hist.loc[o1.submission_id, "current_forms"] == "tasks,propaganda"
    # Another unit's and another period's forms are independent.
    store_result(engine, make_result("KDC04", "2026-02", attendance=sample_attendance()), fake_bytes(4), "k4.xlsx")
    store_result(engine, make_result("KDC03", "2026-03", attendance=sample_attendance()), fake_bytes(5), "k3.xlsx")
    assert existing_versions(engine, "KDC04", "2026-02", ["attendance"]) == {"attendance": 1}
    assert existing_versions(engine, "KDC03", "2026-03", ["attendance"]) == {"attendance": 1}


def test_exactly_one_current_version_is_enforced_by_the_database(engine):
    store_result(engine, make_result("KDC03", "2026-02", propaganda=sample_propaganda()), fake_bytes(1), "a.xlsx")
    store_result(engine, make_result("KDC03", "2026-02", propaganda=sample_propaganda()), fake_bytes(2), "b.xlsx")
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), engine.begin() as c:
        c.execute(m.SubmissionForm.__table__.update().values(is_current=True))


def test_every_row_traces_to_submission_file_and_cell(engine):
    r = make_result("KDC03", "2026-02", tasks=sample_tasks(obstacle="Thiếu kinh phí"), attendance=sample_attendance())
    o = store_result(engine, r, fake_bytes("trace"), "trace.xlsx", sender="cb", received_at=T(2026, 2, 20, 8, 30))
    with engine.connect() as c:
        row = c.execute(
            select(m.AttendanceRow.present, m.AttendanceRow.sheet, m.AttendanceRow.row, m.SubmissionForm.columns)
            .join(m.SubmissionForm)
            .where(m.SubmissionForm.submission_id == o.submission_id)
            .order_by(m.AttendanceRow.row)
        ).first()
        sub = c.execute(select(m.Submission).where(m.Submission.id == o.submission_id)).mappings().one()
    present, sheet, excel_row, columns = row
    assert (present, sheet, excel_row) == (28, "Biểu 03", 9)
    assert columns["present"] + str(excel_row) == "G9"
    assert sub["sha256"] == sha(fake_bytes("trace")) and sub["sender"] == "cb"
    assert sub["received_at"] == T(2026, 2, 20, 8, 30)
    assert sub["warnings"][0]["code"] == "attendance.sum_mismatch"
    ob = q.obstacles(engine)
    assert ob.loc[0, "sheet"] == "Biểu 01" and ob.loc[0, "cell"] == "I9" and ob.loc[0, "text"] == "Thiếu kinh phí"


# ---------------------------------------------------------------- refusals


def test_refused_result_leaves_nothing(engine):
    before = count_all(engine)
    r = make_result("KDC03", "2026-02", accepted=False, attendance=sample_attendance())
    o = store_result(engine, r, fake_bytes("bad"), "bad.xlsx")
    assert not o.stored and not o.duplicate and o.submission_id is None and o.version is None
    assert o.to_json()["accepted"] is False and o.to_json()["errors"][0]["code"] == "attendance.present_gt_invited"
    assert count_all(engine) == before  # not even an audit-log line


def test_refused_real_files_leave_nothing(engine):
    before = count_all(engine)
    t, p, a = report_rows()
    a[0][5] = 99  # present (99) > invited (30)
    bad = write_report("Chi bộ Khu dân cư số 3", "Tháng 02/2026", tasks=t, propaganda=p, attendance=a)
    o = ingest_bytes(engine, bad, "kdc03-t02.xlsx")
    assert not o.stored and any(e.code == "attendance.present_gt_invited" for e in o.result.errors)
    o2 = ingest_bytes(engine, b"not a spreadsheet at all", "x.xlsx")
    assert not o2.stored and o2.result.errors
    assert count_all(engine) == before


def test_unknown_unit_in_database_is_refused_whole(engine):
    before = count_all(engine)
    r = make_result("NOPE", "2026-02", propaganda=sample_propaganda())
    with pytest.raises(StorageError, match="không có trong danh mục"):
        store_result(engine, r, fake_bytes("nope"), "nope.xlsx")
    assert count_all(engine) == before


def test_failure_mid_ingest_rolls_back_everything(engine, monkeypatch):
    import storage.ingest as ingest_mod

    before = count_all(engine)

    real_row_values = ingest_mod.row_values

    def boom(form, *a, **k):
        if form.key == "attendance":
            raise RuntimeError("disk full")
        return real_row_values(form, *a, **k)

    monkeypatch.setattr(ingest_mod, "row_values", boom)  # fails after tasks and propaganda rows went in
    r = make_result(
        "KDC03", "2026-02", tasks=sample_tasks(), propaganda=sample_propaganda(), attendance=sample_attendance()
    )
    with pytest.raises(RuntimeError):
        store_result(engine, r, fake_bytes("boom"), "boom.xlsx")
    assert count_all(engine) == before


# ---------------------------------------------------------------- real files, CLI, totals


def _write_folder(tmp_path):
    folder = tmp_path / "reports"
    (folder / "sub").mkdir(parents=True)
    files = {}
    for i, (name, unit) in enumerate(
        [("kdc03-t02.xlsx", "Chi bộ Khu dân cư số 3"), ("sub/kdc05-t02.xlsx", "Chi bộ Khu dân cư số 5")]
    ):
        t, p, a = report_rows(seed=i)
        files[name] = write_report(unit, "Tháng 02/2026", tasks=t, propaganda=p, attendance=a)
    t, p, a = report_rows()
    files["vhxh-t02-b02.xlsx"] = write_report("Phòng Văn hóa - Xã hội", "Tháng 02/2026", propaganda=p)
    a[0][5] = 99
    files["kdc07-t02-sai.xlsx"] = write_report("Chi bộ Khu dân cư số 7", "Tháng 02/2026", attendance=a)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    (folder / "ghi-chu.txt").write_text("not a report")
    return folder, files


def test_cli_ingest_folder_twice_stores_nothing_new(engine, tmp_path, capsys):
    folder, files = _write_folder(tmp_path)
    url = _url(engine)
    assert cli_main(["ingest", str(folder), "--db", url, "--json", "--sender", "Văn phòng"]) == 1  # one refused
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(lines) == 4  # the .txt file is not a spreadsheet extension
    keys = ["file", "accepted", "unit", "period", "forms", "errors", "warnings", "stored", "submission", "version"]
    assert all([k for k in rec if k != "duplicate"] == keys for rec in lines)
    by_file = {rec["file"]: rec for rec in lines}
    assert by_file["kdc07-t02-sai.xlsx"]["stored"] is False and by_file["kdc07-t02-sai.xlsx"]["accepted"] is False
    assert by_file["kdc03-t02.xlsx"]["stored"] is True and by_file["kdc03-t02.xlsx"]["version"] == 1
    after_first = count_all(engine)

    assert cli_main(["ingest", str(folder), "--db", url, "--json"]) == 1
    second = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert count_all(engine) == after_first
    assert all(not rec["stored"] for rec in second)
    assert sorted(rec["file"] for rec in second if rec["duplicate"]) == [
        "kdc03-t02.xlsx",
        "kdc05-t02.xlsx",
        "vhxh-t02-b02.xlsx",
    ]
    # Only accepted files: exit 0, duplicates count as fine.
    assert cli_main(["ingest", str(folder / "kdc03-t02.xlsx"), "--db", url]) == 0
    assert "đã có" in capsys.readouterr().out

    # Totals equal the sum of check over the accepted files.
    expected: dict[str, dict[str, int]] = {}
    for name, data in files.items():
        res = check_bytes(data, name.split("/")[-1], registry=load_registry(engine))
        if res.accepted:
            for form, sums in res.form_summary().items():
                for k, v in sums.items():
                    expected.setdefault(form, {}).setdefault(k, 0)
                    expected[form][k] += v
    assert q.totals(engine) == expected
    assert cli_main(["totals", "--db", url, "--period", "2026-02", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["forms"] == expected
    assert cli_main(["totals", "--db", url, "--unit", "KDC03", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["forms"]["propaganda"] == {"rows": 2, "quantity": 8, "reach": 300}
    assert cli_main(["totals", "--db", url, "--period", "2026-01", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["forms"] == {}


def test_cli_bad_usage_exits_2(engine, capsys):
    with pytest.raises(SystemExit) as exc:
        cli_main(["ingest"])
    assert exc.value.code == 2
    assert cli_main(["totals", "--db", _url(engine), "--period", "tháng 13", "--json"]) == 2


def test_cli_unreadable_path_is_refused(engine, tmp_path, capsys):
    assert cli_main(["ingest", str(tmp_path / "khong-co.xlsx"), "--db", _url(engine), "--json"]) == 1
    rec = json.loads(capsys.readouterr().out)
    assert rec["accepted"] is False and rec["errors"][0]["code"] == "file.unreadable"


# ---------------------------------------------------------------- backup / restore


def _fill(engine):
    store_result(
        engine,
        make_result(
            "KDC03",
            "2026-02",
            tasks=sample_tasks(obstacle="Thiếu kinh phí"),
            propaganda=sample_propaganda(),
            attendance=sample_attendance(),
        ),
        fake_bytes("r1"),
        "r1.xlsx",
        sender="Nguyễn Thị Bình",
        received_at=T(2026, 2, 20, 9, 15),
    )
    store_result(engine, make_result("KDC03", "2026-02", attendance=sample_attendance()), fake_bytes("r2"), "r2.xlsx")
    store_result(engine, make_result("VHXH", "2026-Q1", propaganda=sample_propaganda()), fake_bytes("r3"), "r3.xlsx")


def _dump(engine) -> dict[str, list]:
    out = {}
    with engine.connect() as c:
        for t in m.Base.metadata.sorted_tables:
            rows = c.execute(select(t).order_by(*t.primary_key.columns)).all()
            out[t.name] = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in rows]
    return out


@pytest.mark.parametrize("target", BACKENDS)
def test_backup_restore_round_trip(engine, tmp_path, target):
    _fill(engine)
    before = _dump(engine)
    zip_path = tmp_path / "sao-luu.zip"
    counts = backup(engine, zip_path)
    assert counts["submissions"] == 3 and counts["blobs"] == 3
    for tgt in engine_for(target, tmp_path, registry=False):
        restore(tgt, zip_path)
        after = _dump(tgt)
        assert after["audit_log"][-1][3] == "restore"
        after["audit_log"] = after["audit_log"][:-1]
        assert after == before
        assert q.totals(tgt) == q.totals(engine)
        # ids keep counting after a restore (sequences moved on PostgreSQL).
        o = store_result(
            tgt, make_result("KDC04", "2026-02", propaganda=sample_propaganda()), fake_bytes("n"), "n.xlsx"
        )
        assert o.submission_id == 4
        with pytest.raises(BackupError, match="không trống"):
            restore(tgt, zip_path)
        restore(tgt, zip_path, replace=True)
        assert q.totals(tgt) == q.totals(engine)


def test_cli_backup_restore(engine, tmp_path, capsys):
    _fill(engine)
    out = tmp_path / "b.zip"
    assert cli_main(["backup", "--db", _url(engine), "-o", str(out)]) == 0
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    assert cli_main(["restore", "--db", target, str(out)]) == 0
    assert q.totals(get_engine(target)) == q.totals(engine)
    assert cli_main(["restore", "--db", target, str(out)]) == 1
    assert "không trống" in capsys.readouterr().err
    bad = tmp_path / "bad.zip"
    import zipfile

    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("x.txt", "x")
    assert cli_main(["restore", "--db", f"sqlite:///{tmp_path / 'r2.db'}", str(bad)]) == 1
    assert "manifest" in capsys.readouterr().err


# ---------------------------------------------------------------- obstacles


def test_obstacle_handled_flag_is_audited_and_survives_a_resend(engine):
    r = make_result("KDC03", "2026-02", tasks=sample_tasks(obstacle="Thiếu kinh phí"))
    store_result(engine, r, fake_bytes("o1"), "o1.xlsx")
    ob = q.obstacles(engine, handled=False)
    assert len(ob) == 1
    q.set_obstacle_handled(engine, int(ob.loc[0, "id"]), True, "Thường trực")
    assert q.obstacles(engine, handled=False).empty
    done = q.obstacles(engine, handled=True)
    assert done.loc[0, "handled_by"] == "Thường trực" and done.loc[0, "handled_at"] is not None
    with engine.connect() as c:
        actions = c.execute(select(m.AuditLog.action).order_by(m.AuditLog.id)).scalars().all()
    # (the demo accounts the sample registry brings are audited too: account_* lines come first)
    assert [a for a in actions if not a.startswith("account_")] == ["ingest", "obstacle_handled"]
    # Re-sent Biểu 01 with the same obstacle: still handled; a new obstacle: not handled.
    r2 = make_result(
        "KDC03",
        "2026-02",
        tasks=sample_tasks(obstacle="Thiếu kinh phí") + sample_tasks(obstacle="Thiếu tài liệu", code="NV05"),
    )
    store_result(engine, r2, fake_bytes("o2"), "o2.xlsx")
    cur = q.obstacles(engine).set_index("text")
    assert bool(cur.loc["Thiếu kinh phí", "handled"]) is True
    assert bool(cur.loc["Thiếu tài liệu", "handled"]) is False
    with pytest.raises(KeyError):
        q.set_obstacle_handled(engine, 999999, True, "x")


def test_ensure_database_seeds_sample_ward_through_the_real_check(empty_engine, tmp_path, monkeypatch):
    """First start: migrate, load the registry, ingest each sample report with its sent_at and sender."""

    t, p, a = report_rows()
    files = {
        "Bao cao KDC03_02.xlsx": (
            "KDC03",
            "2026-02",
            write_report("Chi bộ Khu dân cư số 3", "Tháng 02/2026", tasks=t, propaganda=p, attendance=a),
        ),
        "Bao cao VHXH_02.xlsx": (
            "VHXH",
            "2026-02",
            write_report("Phòng Văn hóa - Xã hội", "Tháng 02/2026", propaganda=p),
        ),
    }

    def fake_lines(out_dir):
        out = []
        for i, (name, (unit, _period, data)) in enumerate(files.items()):
            path = out_dir / name
            path.write_bytes(data)
            out.append([str(path), unit, T(2026, 2, 20 + i, 8).isoformat(), f"{unit.lower()}@bachdang"])
        return out

    import bootstrap

    # The generator process is replaced by two hand-written reports (one job).
    monkeypatch.setattr(bootstrap, "_chunks", lambda: [(2, ["KDC03", "VHXH"])])
    monkeypatch.setattr(bootstrap, "_generator_lines", lambda tmp: iter([fake_lines(tmp_path)]))
    bootstrap.seed_sample_ward(empty_engine)
    counts = count_all(empty_engine)
    assert counts["units"] == 39 and counts["submissions"] == 2
    hist = q.submission_history(empty_engine, "VHXH")
    assert hist.loc[0, "received_at"] == T(2026, 2, 21, 8) and hist.loc[0, "sender"] == "vhxh@bachdang"
    bootstrap.seed_sample_ward(empty_engine)  # not empty any more: nothing added
    assert count_all(empty_engine) == counts
