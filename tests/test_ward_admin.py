"""Registry administration (storage.admin) on SQLite and PostgreSQL: units renamed, merged and retired
keep every stored figure and change what is expected; a second plan with its own tasks; every refused
edit changes nothing; every change is in the history."""

from __future__ import annotations

import datetime as dt

import pytest
from storage_helpers import (
    BACKENDS,
    count_all,
    engine_for,
    fake_bytes,
    make_result,
    sample_attendance,
    sample_propaganda,
    sample_tasks,
)

from storage import admin
from storage import queries as q
from storage.admin import RegistryError
from storage.ingest import store_result
from storage.registry import load_registry
from storage.settings import load_settings

ACTOR = "Văn phòng (kiểm thử)"
TODAY = dt.date(2026, 4, 10)


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path):
    yield from engine_for(request.param, tmp_path)


def _store(engine, unit: str, period: str, tag: str):
    r = make_result(
        unit,
        period,
        tasks=sample_tasks(),
        propaganda=sample_propaganda(),
        attendance=sample_attendance(),
    )
    out = store_result(engine, r, fake_bytes(unit, period, tag), f"{unit}-{period}.xlsx")
    assert out.stored
    return out


def _figures(engine, unit: str):
    f = q.Filters(unit=unit)
    return q.totals(engine, f), q.submission_history(engine, unit)[["period", "forms", "version"]].to_dict("records")


def _expected(engine, months=("2026-02", "2026-03")) -> dict[str, set[str]]:
    comp = q.compliance(engine, q.Filters(period_from=months[0], period_to=months[-1]), today=TODAY)
    return {mo: set(comp.loc[comp["period"] == mo, "unit_code"]) for mo in months}


def test_rename_keeps_figures_and_old_name_still_recognised(engine):
    _store(engine, "KDC03", "2026-02", "a")
    before = _figures(engine, "KDC03")
    admin.rename_unit(engine, "KDC03", "Chi bộ Tổ dân phố Hạ Lý 3", actor=ACTOR)
    assert _figures(engine, "KDC03") == before
    reg = load_registry(engine)
    assert reg.units_by_code["KDC03"].name == "Chi bộ Tổ dân phố Hạ Lý 3"
    assert reg.match_unit("Chi bộ Khu dân cư số 3")[0] == "KDC03"  # the old name, as old files write it
    assert reg.match_unit("Chi bộ Tổ dân phố Hạ Lý 3")[0] == "KDC03"
    units = q.list_units(engine).set_index("code")
    assert units.loc["KDC03", "name"] == "Chi bộ Tổ dân phố Hạ Lý 3"
    hist = admin.history_frame(engine)
    assert hist.loc[0, "action"] == "unit.rename" and hist.loc[0, "actor"] == ACTOR
    assert hist.loc[0, "before"]["name"] == "Chi bộ Khu dân cư số 3"
    assert hist.loc[0, "after"]["name"] == "Chi bộ Tổ dân phố Hạ Lý 3"


def test_merge_keeps_both_units_figures_and_expects_only_the_target(engine):
    _store(engine, "KDC02", "2026-02", "a")
    _store(engine, "KDC03", "2026-02", "b")
    src, dst = _figures(engine, "KDC02"), _figures(engine, "KDC03")
    ward_totals = q.totals(engine)
    admin.merge_units(engine, "KDC02", "KDC03", actor=ACTOR, on=dt.date(2026, 3, 1))
    # every stored figure is where it was
    assert _figures(engine, "KDC02") == src and _figures(engine, "KDC03") == dst
    assert q.totals(engine) == ward_totals
    # expected: KDC02 for February (due 25/02, before the merge), not from March on
    expected = _expected(engine)
    assert "KDC02" in expected["2026-02"] and "KDC02" not in expected["2026-03"]
    assert "KDC03" in expected["2026-03"]
    # the merged unit's name now means the target; it is no longer offered
    reg = load_registry(engine)
    assert "KDC02" not in reg.units_by_code
    assert reg.match_unit("Chi bộ Khu dân cư số 2")[0] == "KDC03"
    assert "KDC02" not in set(q.list_units(engine)["code"])
    units = admin.units_frame(engine).set_index("code")
    assert units.loc["KDC02", "merged_into"] == "KDC03" and not units.loc["KDC02", "active"]


def test_retire_keeps_past_reports_and_stops_expecting(engine):
    _store(engine, "KDC05", "2026-02", "a")
    before = _figures(engine, "KDC05")
    all_before = q.totals(engine)
    admin.retire_unit(engine, "KDC05", actor=ACTOR, on=dt.date(2026, 3, 1))
    assert _figures(engine, "KDC05") == before and q.totals(engine) == all_before
    expected = _expected(engine)
    assert "KDC05" in expected["2026-02"] and "KDC05" not in expected["2026-03"]
    assert "KDC05" not in load_registry(engine).units_by_code
    # the code stays taken: a new unit cannot reuse it
    n = count_all(engine)
    with pytest.raises(RegistryError) as exc:
        admin.add_unit(engine, "KDC05", "Chi bộ mới", "Chi bộ khu dân cư", actor=ACTOR)
    assert exc.value.code == "unit.duplicate" and "KDC05" in exc.value.message
    assert count_all(engine) == n


def test_added_unit_and_task_count_at_once(engine):
    admin.add_unit(engine, "KDC21", "Chi bộ Khu dân cư số 21", "Chi bộ khu dân cư", actor=ACTOR)
    admin.add_task(
        engine, "NV18", task="Tuyên truyền trên loa truyền thanh", lead="KDC21", cadence="ongoing", actor=ACTOR
    )
    reg = load_registry(engine)
    assert reg.match_unit("Chi bộ Khu dân cư số 21")[0] == "KDC21"
    assert [t.code for t in reg.assigned_tasks("KDC21")][-1] == "NV18"
    # a group-wide task reaches the new unit too
    assert any("Chi bộ khu dân cư" in t.lead + t.support or "ALL" in t.lead for t in reg.assigned_tasks("KDC21"))
    timeline = q.task_timeline(engine, today=TODAY).set_index("task_code")
    assert timeline.loc["NV18", "units_assigned"] == 1
    admin.save_task(
        engine,
        "NV18",
        task="Tuyên truyền trên loa truyền thanh",
        lead="KDC21; KDC20",
        cadence="ongoing",
        actor=ACTOR,
    )
    assert q.task_timeline(engine, today=TODAY).set_index("task_code").loc["NV18", "units_assigned"] == 2


def test_second_plan_with_its_own_tasks_keeps_reports_apart(engine):
    _store(engine, "KDC03", "2026-02", "plan1")  # Biểu 01 of the first plan (NV02)
    first_timeline = q.task_timeline(engine, today=TODAY)
    admin.add_plan(
        engine,
        "KH2027",
        title="Kế hoạch triển khai Nghị quyết năm 2027",
        number="Kế hoạch số 30-KH/ĐU",
        issued_on=dt.date(2027, 1, 5),
        actor=ACTOR,
    )
    admin.add_task(
        engine, "NV01", task="Hội nghị sơ kết năm 2027", lead="VPDU", due="2027-03-31", actor=ACTOR, plan="KH2027"
    )
    admin.add_task(
        engine, "NV02", task="Tuyên truyền kết quả", lead="ALL", cadence="ongoing", actor=ACTOR, plan="KH2027"
    )
    # still the first plan until the office switches
    assert [t.code for t in load_registry(engine).tasks] == list(first_timeline["task_code"])
    admin.set_current_plan(engine, "KH2027", actor=ACTOR)
    reg = load_registry(engine)
    assert reg.plan == "KH2027" and [t.code for t in reg.tasks] == ["NV01", "NV02"]
    timeline = q.task_timeline(engine, today=TODAY).set_index("task_code")
    assert list(timeline.index) == ["NV01", "NV02"]
    assert timeline.loc["NV02", "units_done"] == 0  # the first plan's NV02 report does not count here
    # the first plan is still there, with its report
    old = q.task_timeline(engine, q.Filters(plan=load_plan_code(engine, first=True)), today=TODAY)
    assert list(old["task_code"]) == list(first_timeline["task_code"])
    assert old.set_index("task_code").loc["NV02", "units_assigned"] >= 1
    plans = admin.plans_frame(engine).set_index("code")
    assert bool(plans.loc["KH2027", "is_current"]) and plans.loc["KH2027", "tasks"] == 2
    # a Biểu 01 sent now is kept under the new plan
    out = _store(engine, "VPDU", "2027-02", "plan2")
    assert out.stored
    assert q.task_timeline(engine, today=dt.date(2027, 3, 1)).set_index("task_code").loc["NV02", "units_assigned"] > 1


def load_plan_code(engine, first: bool) -> str:
    plans = admin.plans_frame(engine)
    return str(plans.iloc[0 if first else -1]["code"])


def test_due_day_and_group_rules_are_stored_and_recorded(engine):
    admin.set_due_day(engine, 20, actor=ACTOR)
    assert load_settings(engine).due_day == 20
    admin.set_group_rule(engine, "Chính quyền", forms=["propaganda"], cadence="quarter", actor=ACTOR)
    groups = admin.groups_frame(engine).set_index("name")
    assert groups.loc["Chính quyền", "forms"] == "propaganda" and groups.loc["Chính quyền", "cadence"] == "quarter"
    actions = list(admin.history_frame(engine)["action"])
    assert actions[:2] == ["group.rule", "settings.due_day"]


def test_group_rule_changes_templates_and_what_is_expected_at_once(engine):
    from loaders.template import build_template

    months = ("2026-01", "2026-02", "2026-03")
    expected = _expected(engine, months)
    assert all("VHXH" in expected[mo] for mo in months)
    admin.set_group_rule(engine, "Chính quyền", forms=["propaganda"], cadence="quarter", actor=ACTOR)
    expected = _expected(engine, months)
    assert "VHXH" not in expected["2026-01"] and "VHXH" not in expected["2026-02"]
    assert "VHXH" in expected["2026-03"] and "KDC03" in expected["2026-01"]
    reg = load_registry(engine)
    assert reg.forms_for("VHXH") == ("propaganda",)
    wb, layouts = build_template(reg, "VHXH", "2026-Q1")
    assert list(layouts) == ["propaganda"]
    assert list(build_template(reg, "KDC03", "2026-02")[1]) == ["tasks", "propaganda", "attendance"]


REFUSALS = [
    ("unit.duplicate", lambda e: admin.add_unit(e, "KDC03", "Trùng mã", "Chi bộ khu dân cư", actor=ACTOR)),
    ("unit.bad_code", lambda e: admin.add_unit(e, "KDC 99!", "Mã sai", "Chi bộ khu dân cư", actor=ACTOR)),
    ("group.unknown", lambda e: admin.add_unit(e, "KDC99", "Nhóm lạ", "Không có nhóm này", actor=ACTOR)),
    ("unit.merge_self", lambda e: admin.merge_units(e, "KDC03", "KDC03", actor=ACTOR)),
    ("unit.unknown", lambda e: admin.merge_units(e, "KDC03", "XYZ", actor=ACTOR)),
    ("unit.unknown", lambda e: admin.rename_unit(e, "XYZ", "Tên mới", actor=ACTOR)),
    ("settings.due_day", lambda e: admin.set_due_day(e, 0, actor=ACTOR)),
    ("settings.due_day", lambda e: admin.set_due_day(e, 29, actor=ACTOR)),
    ("settings.due_day", lambda e: admin.set_due_day(e, "ngày 25", actor=ACTOR)),
    ("task.unknown_unit", lambda e: admin.add_task(e, "NV90", task="Việc mới", lead="KDC99", actor=ACTOR)),
    ("task.unknown_unit", lambda e: admin.save_task(e, "NV01", task="Sửa", lead="VPDU", support="Ban Lạ", actor=ACTOR)),
    ("task.duplicate", lambda e: admin.add_task(e, "NV01", task="Trùng mã", lead="VPDU", actor=ACTOR)),
    ("task.lead_missing", lambda e: admin.add_task(e, "NV91", task="Không ai chủ trì", lead="", actor=ACTOR)),
    ("plan.duplicate", lambda e: admin.add_plan(e, load_plan_code(e, first=True), title="Trùng", actor=ACTOR)),
    ("plan.unknown", lambda e: admin.set_current_plan(e, "KHONGCO", actor=ACTOR)),
    ("group.duplicate", lambda e: admin.add_group(e, "chính quyền", actor=ACTOR)),
    ("group.forms", lambda e: admin.set_group_rule(e, "Chính quyền", forms=[], cadence="month", actor=ACTOR)),
    ("unit.sole_lead", lambda e: admin.retire_unit(e, "VPDU", actor=ACTOR)),
]


@pytest.mark.parametrize("code,edit", REFUSALS, ids=[f"{c}-{i}" for i, (c, _) in enumerate(REFUSALS)])
def test_refused_edit_changes_nothing(engine, code, edit):
    _store(engine, "KDC03", "2026-02", "a")
    before = count_all(engine)
    registry = load_registry(engine)
    with pytest.raises(RegistryError) as exc:
        edit(engine)
    assert exc.value.code == code
    assert exc.value.message and exc.value.message[0].isupper()  # a Vietnamese sentence for people
    assert count_all(engine) == before
    after = load_registry(engine)
    assert [(u.code, u.name, u.aliases) for u in after.units] == [(u.code, u.name, u.aliases) for u in registry.units]
    assert [(t.code, t.text, t.lead, t.support) for t in after.tasks] == [
        (t.code, t.text, t.lead, t.support) for t in registry.tasks
    ]
    assert load_settings(engine).due_day == 25
