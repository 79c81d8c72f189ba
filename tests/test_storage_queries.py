"""Query layer: documented columns and exact numbers on a small hand-built dataset, on both backends."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from storage_helpers import BACKENDS, D, T, engine_for, fake_bytes, make_result

from storage import queries as q
from storage.ingest import store_result

TODAY = D(2026, 4, 10)

COLUMNS = {
    "list_units": ["code", "name", "group", "short_name"],
    "list_groups": ["group"],
    "list_periods": ["period"],
    "task_timeline": [
        "task_code",
        "task",
        "lead",
        "due_date",
        "cadence",
        "units_assigned",
        "units_done",
        "done_share",
        "status",
        "overdue",
    ],
    "task_unit_grid": ["task_code", "unit_code", "unit_name", "status", "percent", "period"],
    "overdue_tasks": ["task_code", "task", "lead", "due_date", "days_overdue", "status"],
    "ongoing_activity": ["task_code", "unit_code", "period", "active"],
    "propaganda_by_period": ["period", "channel", "quantity", "reach"],
    "propaganda_by_channel": ["channel", "quantity", "reach"],
    "propaganda_by_topic": ["topic", "quantity", "reach"],
    "propaganda_by_unit": ["unit_code", "unit_name", "group", "quantity", "reach"],
    "propaganda_by_group": ["group", "quantity", "reach"],
    "attendance_events": [
        "unit_code",
        "unit_name",
        "event",
        "event_date",
        "format",
        "group",
        "invited",
        "present",
        "absent_excused",
        "absent_unexcused",
        "rate",
    ],
    "attendance_by_group": ["participant_group", "invited", "present", "absent_excused", "absent_unexcused", "rate"],
    "attendance_by_unit": ["unit_code", "unit_name", "group", "invited", "present", "rate"],
    "compliance": ["period", "unit_code", "unit_name", "group", "status", "submitted_at"],
    "obstacles": ["id", "unit_code", "unit_name", "period", "task_code", "task", "text", "handled", "submission_id"],
    "submission_history": [
        "id",
        "unit_code",
        "period",
        "forms",
        "version",
        "is_current",
        "filename",
        "sha256",
        "sender",
        "received_at",
    ],
}


def task(code, status, obstacle=None):
    return {
        "task_code": code,
        "status": status,
        "percent": {"done": 100.0, "in_progress": 40.0}.get(status, 0.0),
        "completed_on": D(2026, 2, 10) if status == "done" else None,
        "obstacles": obstacle,
    }


def prop(channel, topic, quantity, reach):
    return {"channel": channel, "topic": topic, "quantity": quantity, "reach": reach}


def att(group, invited, present, exc=0, unexc=0):
    return {
        "event": "Hội nghị quán triệt",
        "event_date": D(2026, 2, 11),
        "format": "in_person",
        "group": group,
        "invited": invited,
        "present": present,
        "absent_excused": exc,
        "absent_unexcused": unexc,
    }


@pytest.fixture(scope="module", params=BACKENDS)
def db(request, tmp_path_factory):
    """
    VPDU  2026-02 (sent 20/02): NV01 done (obstacle), NV03 in_progress; portal/plan 4 (reach 100); attendance 30/28
    BXDD  2026-02 (sent 27/02, late): NV02 done, NV06 in_progress; social/role_models 6 (reach 300)
    KDC03 2026-02 (sent 24/02): NV11 in_progress; cell_meeting/plan 2 (40); attendance party_members 20/18, public 10/5
    KDC03 2026-03 (sent 10/03): propaganda only, social/plan 5 (reach 50)  -> activity for ongoing tasks in March
    KDC03 2026-03 resent (12/03): propaganda v2 social/plan 7 (reach 70)   -> replaces v1
    VHXH  2026-Q1 (sent 20/03): portal/plan 10 (reach 1000)                 -> counts for 2026-03
    """
    tmp = tmp_path_factory.mktemp("q")
    gen = engine_for(request.param, tmp)
    eng = next(gen)
    store_result(
        eng,
        make_result(
            "VPDU",
            "2026-02",
            tasks=[task("NV01", "done", "Chưa có kinh phí"), task("NV03", "in_progress")],
            propaganda=[prop("portal", "plan", 4, 100)],
            attendance=[att("standing_committee", 30, 28, 2)],
        ),
        fake_bytes(1),
        "vpdu.xlsx",
        sender="VP",
        received_at=T(2026, 2, 20, 9),
    )
    store_result(
        eng,
        make_result(
            "BXDD",
            "2026-02",
            tasks=[task("NV02", "done"), task("NV06", "in_progress")],
            propaganda=[prop("social", "role_models", 6, 300)],
        ),
        fake_bytes(2),
        "bxdd.xlsx",
        received_at=T(2026, 2, 27, 16),
    )
    store_result(
        eng,
        make_result(
            "KDC03",
            "2026-02",
            tasks=[task("NV11", "in_progress")],
            propaganda=[prop("cell_meeting", "plan", 2, 40)],
            attendance=[att("party_members", 20, 18, 1, 1), att("public", 10, 5, 3, 2)],
        ),
        fake_bytes(3),
        "kdc03-t2.xlsx",
        received_at=T(2026, 2, 24, 23, 59),
    )
    store_result(
        eng,
        make_result("KDC03", "2026-03", propaganda=[prop("social", "plan", 5, 50)]),
        fake_bytes(4),
        "kdc03-t3.xlsx",
        received_at=T(2026, 3, 10),
    )
    store_result(
        eng,
        make_result("KDC03", "2026-03", propaganda=[prop("social", "plan", 7, 70)]),
        fake_bytes(5),
        "kdc03-t3-v2.xlsx",
        received_at=T(2026, 3, 12),
    )
    store_result(
        eng,
        make_result("VHXH", "2026-Q1", propaganda=[prop("portal", "plan", 10, 1000)]),
        fake_bytes(6),
        "vhxh-q1.xlsx",
        received_at=T(2026, 3, 20),
    )
    yield eng
    for _ in gen:
        pass


FEB = q.Filters("2026-02", "2026-02")
MAR = q.Filters("2026-03", "2026-03")
Q1 = q.Filters("2026-01", "2026-03")


def test_documented_columns(db):
    f = Q1
    calls = {
        "list_units": lambda: q.list_units(db),
        "list_groups": lambda: q.list_groups(db),
        "list_periods": lambda: q.list_periods(db),
        "task_timeline": lambda: q.task_timeline(db, f, TODAY),
        "task_unit_grid": lambda: q.task_unit_grid(db, f, TODAY),
        # overdue is counted at the range's end (issue 10): NV03, due 31/03, is overdue in a range ending in April
        "overdue_tasks": lambda: q.overdue_tasks(db, q.Filters("2026-01", "2026-04"), TODAY),
        "ongoing_activity": lambda: q.ongoing_activity(db, f),
        "propaganda_by_period": lambda: q.propaganda_by_period(db, f),
        "propaganda_by_channel": lambda: q.propaganda_by_channel(db, f),
        "propaganda_by_topic": lambda: q.propaganda_by_topic(db, f),
        "propaganda_by_unit": lambda: q.propaganda_by_unit(db, f),
        "propaganda_by_group": lambda: q.propaganda_by_group(db, f),
        "attendance_events": lambda: q.attendance_events(db, f),
        "attendance_by_group": lambda: q.attendance_by_group(db, f),
        "attendance_by_unit": lambda: q.attendance_by_unit(db, f),
        "compliance": lambda: q.compliance(db, f, today=TODAY),
        "obstacles": lambda: q.obstacles(db, f),
        "submission_history": lambda: q.submission_history(db, "KDC03"),
    }
    for name, call in calls.items():
        frame = call()
        cols = list(frame.columns)
        assert cols[: len(COLUMNS[name])] == COLUMNS[name], name  # documented first, extras after
        assert len(frame) > 0, name
        # empty results keep their columns too
    empty = q.Filters("2030-01", "2030-01")
    for fn in (q.propaganda_by_channel, q.attendance_by_unit, q.attendance_events, q.obstacles):
        assert list(fn(db, empty).columns)[: len(COLUMNS[fn.__name__])] == COLUMNS[fn.__name__]
        assert fn(db, empty).empty


def test_lists_and_freshness(db):
    assert list(q.list_periods(db)["period"]) == ["2026-02", "2026-03"]
    assert len(q.list_units(db)) == 39
    assert list(q.list_groups(db)["group"])[:2] == ["Cơ quan Đảng", "Chính quyền"]
    assert q.data_freshness(db) == T(2026, 3, 20)
    assert list(q.list_wards(db)["code"]) == ["BACHDANG"]


def test_propaganda_aggregates(db):
    ch = q.propaganda_by_channel(db, FEB).set_index("channel")
    assert ch.to_dict("index") == {
        "cell_meeting": {"quantity": 2, "reach": 40},
        "portal": {"quantity": 4, "reach": 100},
        "social": {"quantity": 6, "reach": 300},
    }
    # March: KDC03's v2 (7) replaces v1 (5); VHXH's Q1 report counts for March.
    mar = q.propaganda_by_channel(db, MAR).set_index("channel")
    assert mar.loc["social", "quantity"] == 7 and mar.loc["portal", "quantity"] == 10
    per = q.propaganda_by_period(db, Q1)
    assert per.groupby("period")["quantity"].sum().to_dict() == {"2026-02": 12, "2026-03": 17}
    topic = q.propaganda_by_topic(db, Q1).set_index("topic")["quantity"].to_dict()
    assert topic == {"plan": 23, "role_models": 6}
    unit = q.propaganda_by_unit(db, Q1).set_index("unit_code")
    assert unit.loc["KDC03", "quantity"] == 9 and unit.loc["KDC03", "group"] == "Chi bộ khu dân cư"
    grp = q.propaganda_by_group(db, Q1).set_index("group")["quantity"].to_dict()
    assert grp == {"Cơ quan Đảng": 10, "Chi bộ khu dân cư": 9, "Chính quyền": 10}
    # Filters by group and by unit.
    assert q.propaganda_by_channel(db, q.Filters(group="Cơ quan Đảng"))["quantity"].sum() == 10
    assert q.propaganda_by_channel(db, q.Filters(unit="KDC03"))["quantity"].sum() == 9
    assert q.totals(db, q.Filters(unit="VHXH")) == {"propaganda": {"rows": 1, "quantity": 10, "reach": 1000}}


def test_attendance_aggregates(db):
    ev = q.attendance_events(db, FEB)
    assert len(ev) == 3 and ev["invited"].sum() == 60
    g = q.attendance_by_group(db, FEB).set_index("participant_group")
    assert g.loc["public", "present"] == 5 and g.loc["public", "rate"] == pytest.approx(0.5)
    u = q.attendance_by_unit(db, FEB).set_index("unit_code")
    assert u.loc["KDC03", "invited"] == 30 and u.loc["KDC03", "present"] == 23
    assert u.loc["KDC03", "rate"] == pytest.approx(23 / 30)
    assert q.attendance_by_unit(db, MAR).empty


def test_tasks(db):
    tl = q.task_timeline(db, FEB, TODAY).set_index("task_code")
    assert tl.loc["NV01", "status"] == "done" and not tl.loc["NV01", "overdue"]
    assert tl.loc["NV01", "units_assigned"] == 2 and tl.loc["NV01", "units_done"] == 1
    assert tl.loc["NV01", "done_share"] == pytest.approx(0.5)
    assert tl.loc["NV02", "status"] == "done"
    # due 31/03/2026: overdue is counted as of the range's end (28/02), so not yet (issue 10) ...
    assert tl.loc["NV03", "status"] == "in_progress" and not tl.loc["NV03", "overdue"]
    # ... and overdue in a range that ends after its due date
    feb_apr = q.Filters("2026-02", "2026-04")
    assert q.task_timeline(db, feb_apr, TODAY).set_index("task_code").loc["NV03", "overdue"]
    assert tl.loc["NV06", "status"] == "ongoing" and pd.isna(tl.loc["NV06", "done_share"])
    assert not tl.loc["NV06", "overdue"]
    # Status is cumulative: done in February stays done in a March-only range.
    assert q.task_timeline(db, MAR, TODAY).set_index("task_code").loc["NV01", "status"] == "done"
    # Before the report, nothing was done.
    assert (
        q.task_timeline(db, q.Filters("2026-01", "2026-01"), TODAY).set_index("task_code").loc["NV01", "status"]
        == "not_started"
    )
    assert q.overdue_tasks(db, FEB, TODAY).empty  # as of 28/02/2026
    ov = q.overdue_tasks(db, feb_apr, TODAY)  # the range has not ended: as of today
    assert list(ov["task_code"]) == ["NV03"] and ov.loc[0, "days_overdue"] == (TODAY - D(2026, 3, 31)).days
    assert q.overdue_tasks(db, q.Filters(), TODAY)["task_code"].tolist() == ["NV03"]  # no period: today
    assert q.overdue_tasks(db, feb_apr, D(2026, 3, 1)).empty
    grid = q.task_unit_grid(db, FEB, TODAY)
    row = grid[(grid.task_code == "NV01") & (grid.unit_code == "VPDU")].iloc[0]
    assert row["status"] == "done" and row["percent"] == 100.0 and row["period"] == "2026-02"
    assert pd.isna(grid[(grid.task_code == "NV01") & (grid.unit_code == "BXDD")].iloc[0]["status"])
    # Group filter: only tasks with an assigned unit in the group, counted inside it.
    kdc = q.task_timeline(db, q.Filters("2026-02", "2026-02", group="Chi bộ khu dân cư"), TODAY).set_index("task_code")
    assert "NV01" not in kdc.index and kdc.loc["NV10", "units_assigned"] == 20


def test_ongoing_activity(db):
    act = q.ongoing_activity(db, Q1)
    assert set(act["period"]) == {"2026-01", "2026-02", "2026-03"}
    k = act[(act.unit_code == "KDC03") & (act.task_code == "NV11")].set_index("period")["active"].to_dict()
    assert k == {"2026-01": False, "2026-02": True, "2026-03": True}  # March: propaganda rows only
    b = act[(act.unit_code == "BXDD") & (act.task_code == "NV06")].set_index("period")["active"].to_dict()
    assert b == {"2026-01": False, "2026-02": True, "2026-03": False}
    assert act["active"].dtype == bool


def test_compliance_hand_built(db):
    c = q.compliance(db, Q1, due_day=25, today=TODAY)
    assert len(c) == 3 * 39
    s = c.set_index(["period", "unit_code"])["status"]
    assert s[("2026-02", "VPDU")] == "on_time"
    assert s[("2026-02", "BXDD")] == "late"
    assert s[("2026-02", "KDC03")] == "on_time"  # 24/02 23:59 before the 25th
    assert s[("2026-03", "KDC03")] == "on_time"  # first arrival (10/03) decides, not the resend
    assert s[("2026-03", "VHXH")] == "on_time"  # quarter report counts for March
    assert s[("2026-01", "VHXH")] == "missing"
    assert s[("2026-02", "KDC05")] == "missing"
    assert c.set_index(["period", "unit_code"]).loc[("2026-02", "BXDD"), "submitted_at"] == T(2026, 2, 27, 16)
    # A stricter due day makes VPDU late; a month whose due day is still ahead is not_due.
    assert q.compliance(db, FEB, due_day=15, today=TODAY).set_index("unit_code").loc["VPDU", "status"] == "late"
    early = q.compliance(db, FEB, today=D(2026, 2, 21)).set_index("unit_code")["status"]
    assert early["VPDU"] == "on_time" and early["KDC05"] == "not_due"
    assert len(q.compliance(db, q.Filters("2026-02", "2026-02", group="Cơ quan Đảng"), today=TODAY)) == 3


def test_headline(db):
    h = q.headline(db, FEB, TODAY)
    assert h["tasks_total"] == 5 and h["tasks_done"] == 2 and h["done_share"] == pytest.approx(0.4)
    assert h["tasks_overdue"] == 0  # NV03 (due 31/03/2026) is not overdue as of 28/02/2026, the range's end
    assert h["as_of"] == D(2026, 2, 28) and not h["open"]
    assert h["reports_received"] == 3 and h["reports_expected"] == 39
    assert q.headline(db, q.Filters("2026-02", "2026-04"), TODAY)["tasks_overdue"] == 1  # as of today
    assert h["propaganda_quantity"] == 12 and h["propaganda_reach"] == 440
    assert h["attendance_invited"] == 60 and h["attendance_present"] == 51
    assert h["attendance_rate"] == pytest.approx(51 / 60)
    assert h["units_expected"] == 39 and h["units_on_time"] == 2
    assert h["on_time_share"] == pytest.approx(2 / 39)
    p = h["previous"]
    assert p["propaganda_quantity"] == 0 and p["tasks_done"] == 0 and p["units_on_time"] == 0
    assert p["reports_received"] == 0  # January: no report, so no change is shown (storage.figures.compare)
    assert q.headline(db, q.Filters(), TODAY)["previous"] is None


def test_obstacles_and_history(db):
    ob = q.obstacles(db, Q1)
    assert len(ob) == 1
    assert ob.loc[0, "unit_code"] == "VPDU" and ob.loc[0, "task_code"] == "NV01" and ob.loc[0, "period"] == "2026-02"
    assert ob.loc[0, "task"].startswith("Dự Hội nghị trực tuyến")
    assert q.obstacles(db, MAR).empty
    h = q.submission_history(db, "KDC03")
    assert list(h["filename"]) == ["kdc03-t3-v2.xlsx", "kdc03-t3.xlsx", "kdc03-t2.xlsx"]
    assert list(h["is_current"]) == [True, False, True]
    assert q.submission_file(db, int(h.iloc[1]["id"])) == ("kdc03-t3.xlsx", fake_bytes(4))
    with pytest.raises(KeyError):
        q.submission_file(db, 10_000)


def test_dates_are_python_dates(db):
    tl = q.task_timeline(db, FEB, TODAY).set_index("task_code")
    assert tl.loc["NV01", "due_date"] == dt.date(2026, 2, 11)
    assert q.attendance_events(db, FEB).iloc[0]["event_date"] == dt.date(2026, 2, 11)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_once_task_without_plan_date_takes_the_lead_units_reported_due(backend, tmp_path):
    """NV04 has no date in the plan; BXDD (its lead) reports 'Thời hạn 30/06/2026' and is still
    in progress, so after 30/06 the task is overdue, and before it is not."""
    gen = engine_for(backend, tmp_path)
    eng = next(gen)
    try:
        row = {**task("NV04", "in_progress"), "due_date": D(2026, 6, 30), "due_text": "30/06/2026"}
        store_result(eng, make_result("BXDD", "2026-06", tasks=[row]), fake_bytes("nv04"), "bxdd-t6.xlsx")
        jun_nov = q.Filters("2026-06", "2026-11")
        tl = q.task_timeline(eng, jun_nov, D(2026, 11, 28)).set_index("task_code")
        assert tl.loc["NV04", "due_date"] == D(2026, 6, 30)
        assert tl.loc["NV04", "overdue"]
        ov = q.overdue_tasks(eng, jun_nov, D(2026, 11, 28))
        nv04 = ov.set_index("task_code").loc["NV04"]  # NV01-NV03 are overdue too: nobody reported them here
        assert nv04["days_overdue"] == 151 and nv04["due_date"] == D(2026, 6, 30)
        assert not q.task_timeline(eng, jun_nov, D(2026, 6, 15)).set_index("task_code").loc["NV04", "overdue"]
        # A task with a plan date keeps it: NV03's plan due (31/03/2026) is not replaced by a report.
        assert tl.loc["NV03", "due_date"] == D(2026, 3, 31)
    finally:
        for _ in gen:
            pass
