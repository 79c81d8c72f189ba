"""``python -m loaders check`` and ``template``: the command-line contract of report-forms.md."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT
from workbook_helpers import attendance_rows, form_sheet, typical_workbook, workbook_bytes

from loaders.cli import main

KEYS = ["file", "accepted", "unit", "period", "forms", "errors", "warnings"]


@pytest.fixture
def files(tmp_path):
    good = tmp_path / "cb-kdc3-t02-2026.xlsx"
    good.write_bytes(typical_workbook())
    rows = attendance_rows()
    rows[2][5], rows[2][6] = 60, 65
    rows[0][7] = 5
    bad = tmp_path / "cb-kdc3-t02-2026-loi.xlsx"
    bad.write_bytes(workbook_bytes(form_sheet("attendance", rows)))
    return good, bad


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "loaders", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_check_json_one_line_per_file_keys_in_order(files):
    good, bad = files
    proc = run("check", str(good), str(bad), "--json", "--today", "2026-03-05")
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert list(first) == KEYS and list(second) == KEYS
    assert first["file"] == str(good)  # the name as given on the command line
    assert first == {
        "file": str(good),
        "accepted": True,
        "unit": "KDC03",
        "period": "2026-02",
        "forms": {
            "tasks": {"rows": 4},
            "propaganda": {"rows": 4, "quantity": 20, "reach": 1250},
            "attendance": {"rows": 3, "invited": 60, "present": 55},
        },
        "errors": [],
        "warnings": [],
    }
    assert second["accepted"] is False
    err = second["errors"][0]
    assert list(err) == ["sheet", "form", "cell", "code", "message"]  # report-forms.md: `form` beside `sheet`
    assert err["code"] == "attendance.present_gt_invited" and err["sheet"] == "Biểu 03"
    assert err["form"] == "attendance"
    assert err["message"] == f"Biểu 03, ô {err['cell']}: Số có mặt (65) lớn hơn số được triệu tập (60)"
    assert [w["code"] for w in second["warnings"]] == ["attendance.sum_mismatch"]


def test_check_json_names_the_sheet_as_in_the_file_and_the_form(tmp_path, capsys):
    """A sheet the unit renamed: `sheet` is the file's name for it, `form` the form's key, and the
    message names both as the user sees them."""
    rows = attendance_rows()
    rows[2][5], rows[2][6] = 60, 65
    path = tmp_path / "cb-kdc3-t02-2026.xlsx"
    path.write_bytes(workbook_bytes(form_sheet("attendance", rows, name="Tham du")))
    assert main(["check", str(path), "--json", "--today", "2026-03-05"]) == 1
    (err,) = json.loads(capsys.readouterr().out)["errors"]
    assert (err["sheet"], err["form"], err["code"]) == ("Tham du", "attendance", "attendance.present_gt_invited")
    assert err["message"].startswith(f"Biểu 03 (trang tính «Tham du»), ô {err['cell']}: Số có mặt (65)")


def test_check_json_whole_file_problem_has_no_form(tmp_path, capsys):
    path = tmp_path / "trong.xlsx"
    path.write_bytes(workbook_bytes(form_sheet("propaganda", []), form_sheet("attendance", [])))
    assert main(["check", str(path), "--json", "--today", "2026-03-05"]) == 1
    (err,) = json.loads(capsys.readouterr().out)["errors"]
    assert err == {"sheet": None, "form": None, "cell": None, "code": "workbook.empty", "message": err["message"]}


def test_check_exit_zero_when_all_accepted(files, capsys):
    good, _ = files
    assert main(["check", str(good), "--json", "--today", "2026-03-05"]) == 0
    assert json.loads(capsys.readouterr().out)["accepted"] is True


def test_check_missing_file_is_refused(tmp_path, capsys):
    assert main(["check", str(tmp_path / "khong-co.xlsx"), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["accepted"] is False and out["errors"][0]["code"] == "file.not_found"
    assert out["unit"] is None and out["period"] is None and out["forms"] == {}


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["check"],
        ["kiemtra", "x.xlsx"],
        ["check", "x.xlsx", "--bogus"],
        ["check", "x.xlsx", "--today", "05/03/2026"],
        ["template", "--unit", "KDC03"],
        ["template", "--unit", "KDC03", "--period", "2026-13", "-o", "x.xlsx"],
        ["template", "--unit", "XXX", "--period", "2026-02", "-o", "x.xlsx"],
    ],
)
def test_bad_usage_exits_2(argv, capsys):
    assert main(argv) == 2
    assert capsys.readouterr().err


def test_check_human_output_in_vietnamese(files, capsys):
    good, bad = files
    assert main(["check", str(good), str(bad), "--today", "2026-03-05"]) == 1
    out = capsys.readouterr().out
    assert f"✔ {good}" in out and f"✘ {bad}" in out
    assert "Đơn vị: Chi bộ Khu dân cư số 3 (KDC03)" in out and "Kỳ báo cáo: Tháng 02/2026" in out
    assert "Biểu 02: 4 dòng; Số lượng 20; Số người tham dự, lượt tiếp cận 1.250" in out
    assert "Biểu 03, ô G" in out and "Số có mặt (65) lớn hơn số được triệu tập (60)" in out
    assert "Cảnh báo (1):" in out


def test_template_then_check(tmp_path, capsys):
    pytest.importorskip("loaders.template")
    out = tmp_path / "mau.xlsx"
    assert main(["template", "--unit", "KDC03", "--period", "2026-02", "-o", str(out)]) == 0
    assert out.exists()
    capsys.readouterr()
    # an untouched template is recognised (unit, period, every form) but is not a report (issue 13)
    assert main(["check", str(out), "--json", "--today", "2026-03-05"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["unit"] == "KDC03" and result["period"] == "2026-02"
    assert set(result["forms"]) == {"tasks", "propaganda", "attendance"}
    assert [e["code"] for e in result["errors"]] == ["workbook.empty"]
