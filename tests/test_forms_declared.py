"""One declaration drives every layer (loaders.forms).

* a fourth, small form declared here (and nowhere else) goes through check,
  ingest, ``totals`` and the Excel export; its table is created from the
  declaration, as its migration would;
* every declared form has what each layer needs, and the storage models of the
  three forms match what their declarations derive.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from export_helpers import find_cell, open_xlsx, table_below
from sqlalchemy import Date, Float, Integer, String, select
from storage_helpers import BACKENDS, engine_for, fake_bytes, make_result
from workbook_helpers import TODAY, check, form_sheet, workbook_bytes

from exports.excel import build_workbook
from loaders.forms import FORMS, FORMS_BY_KEY, RULES, STORED_TYPES, Field, Form, declare, withdraw
from loaders.problems import find
from loaders.validate import ROW_CHECKS, frame_columns
from sample_data import sample_registry
from storage import models as m
from storage.form_tables import row_table
from storage.ingest import StorageError, ingest_bytes, store_result
from storage.queries import Filters, totals
from ui import upload_flow

FEEDBACK = Form(
    key="feedback",
    number="04",
    sheet_title="Biểu 04",
    title="BIỂU 04: Ý KIẾN, KIẾN NGHỊ CỦA NHÂN DÂN VỀ NGHỊ QUYẾT",
    fields=(
        Field("row_no", "STT", "rownum", ("TT",), width=6),
        Field(
            "opinion",
            "Ý kiến, kiến nghị",
            "text",
            ("Nội dung ý kiến", "Kiến nghị"),
            required_column=True,
            required_value=True,
            width=50,
        ),
        Field("voices", "Số lượt ý kiến", "count", ("Lượt ý kiến",), required_column=True, required_value=True),
        Field("received_on", "Ngày tiếp nhận", "date", ("Ngày nhận",)),
        Field("note", "Ghi chú", "text", (), width=18),
    ),
    sums=("voices",),
    data_fields=("opinion", "voices"),
    name="Ý kiến, kiến nghị của Nhân dân",
    table="feedback_rows",
    guide="- Mỗi dòng là một ý kiến, kiến nghị tiếp nhận trong kỳ.",
)

ROWS = [
    [1, "Đề nghị tổ chức thêm buổi học tập cho hội viên", 12, "10/02/2026", None],
    [2, "Đề nghị đăng tài liệu trên Zalo khu dân cư", "7", dt.datetime(2026, 2, 20), "qua tổ dân phố"],
]
FILE = "KDC03 2026-02 Bieu04.xlsx"
MODEL_TYPES = {"text": String, "int": Integer, "float": Float, "date": Date}


@pytest.fixture
def fourth_form():
    declare(FEEDBACK)
    try:
        yield FEEDBACK
    finally:
        withdraw(FEEDBACK.key)
        table = m.Base.metadata.tables.get(FEEDBACK.table)
        if table is not None:
            m.Base.metadata.remove(table)


def _workbook() -> bytes:
    return workbook_bytes(form_sheet("feedback", ROWS))


def test_a_fourth_form_is_checked_like_the_others(fourth_form):
    r = check(_workbook(), FILE)
    assert r.accepted, [p.message for p in r.errors]
    assert r.unit.value == "KDC03" and r.period.value == "2026-02"
    assert list(r.forms) == ["feedback"]
    assert r.to_json()["forms"] == {"feedback": {"rows": 2, "voices": 19}}
    json.dumps(r.to_json(), ensure_ascii=False)  # the contract's shape
    table = upload_flow.summary_table(r)
    assert table.iloc[0].tolist()[:3] == ["Biểu 04", "Biểu 04", "2"] and "Số lượt ý kiến: 19" in table.iloc[0, 3]

    bad = workbook_bytes(form_sheet("feedback", [[1, "Ý kiến", "nhiều", None, None]]))
    refused = check(bad, FILE)
    assert [p.code for p in refused.errors] == ["feedback.voices.not_number"]
    assert find("feedback.voices.not_number").category == "cell"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_fourth_form_is_stored_totalled_and_exported(fourth_form, backend, tmp_path):
    for engine in engine_for(backend, tmp_path):
        row_table(FEEDBACK).create(engine)  # what its migration would do
        outcome = ingest_bytes(engine, _workbook(), FILE, registry=sample_registry())
        assert outcome.stored and outcome.versions == {"feedback": 1}
        with engine.connect() as conn:
            stored = conn.execute(select(row_table(FEEDBACK)).order_by(row_table(FEEDBACK).c.row)).mappings().all()
        assert [(s["opinion"], s["voices"], s["received_on"]) for s in stored] == [
            ("Đề nghị tổ chức thêm buổi học tập cho hội viên", 12, dt.date(2026, 2, 10)),
            ("Đề nghị đăng tài liệu trên Zalo khu dân cư", 7, dt.date(2026, 2, 20)),
        ]
        feb = Filters(period_from="2026-02", period_to="2026-02")
        assert totals(engine, feb) == {"feedback": {"rows": 2, "voices": 19}}

        wb = open_xlsx(build_workbook(engine, feb, TODAY))
        head = find_cell(wb["Tổng quan"], "Biểu báo cáo")
        assert [r[:3] for r in table_below(wb["Tổng quan"], head)] == [
            ["Biểu 04. Ý kiến, kiến nghị của Nhân dân", 2, "Số lượt ý kiến: 19"]
        ]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_ingest_refuses_a_form_outside_the_declaration(backend, tmp_path):
    """No silent fallback: a form with no declaration never lands in another form's table."""
    for engine in engine_for(backend, tmp_path):
        result = make_result("KDC03", "2026-02", attendance=[])
        result.forms["unknown"] = result.forms.pop("attendance")
        with pytest.raises(StorageError):
            store_result(engine, result, fake_bytes("unknown"), "x.xlsx")
        with engine.connect() as conn:
            assert conn.execute(select(m.Submission.id)).first() is None


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.key)
def test_every_declared_form_has_what_each_layer_needs(form):
    keys = [f.key for f in form.fields]
    assert len(keys) == len(set(keys)) and FORMS_BY_KEY[form.key] is form
    # loaders: detection, validation, row checks, problems
    assert form.sheet_title and form.title and form.name and form.data_fields
    assert set(form.data_fields) <= set(keys) and set(form.report_fields) <= set(keys)
    assert all(set(group) <= set(keys) for group in form.required_any)
    assert all(f.vocabulary for f in form.fields if f.kind == "choice")
    assert all(f.kind in (*STORED_TYPES, "rownum", "due") for f in form.fields)
    assert all(name in ROW_CHECKS for name in form.row_checks)
    for rule in (r for r in RULES if r.form == form.key):
        assert rule.check in form.row_checks and set(rule.fields) <= set(keys) and find(rule.code)
    # check output, upload summary, totals and exports: the summed fields are counts of the form
    assert all(form.field(k).kind == "count" for k in form.sums)
    # template
    assert form.template_rows > 0 and form.guide
    # storage: a table whose columns are the declaration's
    assert form.table
    if form.obstacle_field:
        assert form.field(form.obstacle_field).kind == "text" and not form.field(form.obstacle_field).stored
    assert {c.source for c in form.stored_columns()} <= set(frame_columns(form))


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.key)
def test_the_models_match_the_declaration(form):
    """storage.models (the migrations' schema) holds each declared column with the declared kind's type."""
    table = m.Base.metadata.tables[form.table]
    assert row_table(form) is table
    expected = {"id", "submission_form_id", "sheet", "row"} | {c.name for c in form.stored_columns()}
    expected |= {"task_id"} if form.uses_plan else set()
    assert set(table.c.keys()) == expected
    for c in form.stored_columns():
        assert isinstance(table.c[c.name].type, MODEL_TYPES[c.type]), (c.name, table.c[c.name].type)


def test_declare_and_withdraw_leave_the_three_forms():
    before = [f.key for f in FORMS]
    declare(dataclasses.replace(FEEDBACK))
    withdraw(FEEDBACK.key)
    assert [f.key for f in FORMS] == before == ["tasks", "propaganda", "attendance"]
