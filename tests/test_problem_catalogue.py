"""The problem catalogue (loaders.problems): every code used is declared once, and the docs list it."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from loaders import problems
from loaders.forms import FORMS, RULES
from loaders.problems import CATALOGUE, CATEGORIES, PATTERNS, UndeclaredProblem, find, make

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIRS = ("loaders", "storage", "ui", "pages", "exports")
VIETNAMESE = re.compile(r"[ạảãàáâậầấẩẫăắằặẳẵđêềếểễệôồốổỗộơờớởỡợưừứửữựỳýỷỹỵíìỉĩịúùủũụóòỏõọéèẻẽẹ]", re.IGNORECASE)
CODE = re.compile(r"^[a-z_]+(\.[a-z_]+){1,2}$")
# Calls whose first argument is a problem code (second for storage.cli._refused), and the
# calls whose argument is a reason of a <form>.<field>.<reason> code.
CODE_CALLS = {"make": 0, "problem": 0, "_Refuse": 0, "Refusal": 0, "add": 0, "rule": 0, "_refused": 1}
REASON_CALLS = {"reason": 1, "ValueProblem": 0}


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _used_codes() -> list[tuple[str, str, str]]:
    """(place, kind, text): kind "code" for a literal code, "reason" for a pattern's last part."""
    found = []
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = _name(node.func)
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                if name in CODE_CALLS and len(node.args) > CODE_CALLS[name]:
                    arg = node.args[CODE_CALLS[name]]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and CODE.match(arg.value):
                        found.append((where, "code", arg.value))
                    elif isinstance(arg, ast.JoinedStr) and isinstance(arg.values[-1], ast.Constant):
                        tail = str(arg.values[-1].value)
                        if tail.startswith(".") and tail.count(".") == 1:
                            found.append((where, "reason", tail[1:]))
                if name in REASON_CALLS and len(node.args) > REASON_CALLS[name]:
                    arg = node.args[REASON_CALLS[name]]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.append((where, "reason", arg.value))
    return found


def test_the_scan_finds_the_codes_it_should():
    used = {(kind, text) for _, kind, text in _used_codes()}
    # one of each source: the safety pre-scan, the reader, check.py, the validation, the upload page, the CLI
    for expected in [
        ("code", "file.encrypted"),
        ("code", "file.damaged"),
        ("code", "workbook.no_form"),
        ("code", "attendance.sum_mismatch"),
        ("code", "upload.file_type"),
        ("code", "storage.refused"),
        ("reason", "missing_column"),
        ("reason", "not_whole"),
    ]:
        assert expected in used


def test_every_code_used_in_the_sources_is_declared():
    missing = []
    for where, kind, text in _used_codes():
        if kind == "code" and find(text) is None:
            missing.append(f"{where}: {text}")
        if kind == "reason" and text not in PATTERNS:
            missing.append(f"{where}: <form>.<field>.{text}")
    assert not missing, "codes used but not declared in loaders/problems.py:\n" + "\n".join(missing)


def test_each_code_is_declared_once_with_what_the_user_needs():
    codes = [p.code for p in CATALOGUE]
    assert len(codes) == len(set(codes))
    for p in CATALOGUE:
        assert p.category in CATEGORIES, p.code
        assert p.severity in ("error", "warning"), p.code
        wordings = [p.wording(None), *p.variants.values()]
        for w in wordings:
            assert w.severity in (None, "error", "warning"), p.code
            if p.category != "storage":  # storage.refused carries the database's own Vietnamese sentence
                assert VIETNAMESE.search(w.message), p.code
            fields = {f for _, f, _, _ in string.Formatter().parse(w.message + w.hint) if f}
            assert all(f.isidentifier() for f in fields), (p.code, fields)
        if p.category in ("column", "cell", "row", "rule"):
            assert all(w.message.startswith("{where}: ") for w in wordings), p.code
            assert p.hint and VIETNAMESE.search(p.hint), p.code


def test_every_rule_of_the_declaration_is_declared_as_a_rule():
    for rule in RULES:
        declared = find(rule.code)
        assert declared is not None and declared.category == "rule", rule.code
        assert rule.form in {f.key for f in FORMS}


def test_field_codes_exist_for_declared_forms_and_fields_only():
    assert find("tasks.status.required").category == "cell"
    assert find("attendance.invited.missing_column").category == "column"
    assert find("tasks.no_such_field.required") is None
    assert find("no_such_form.status.required") is None
    assert find("tasks.status.no_such_reason") is None


def test_a_problem_keeps_its_parameters_and_its_category():
    p = make("file.too_large", filename="a.xlsx", size="30,0 MB", limit="20,0 MB")
    assert p.message == "Tệp «a.xlsx» quá lớn (30,0 MB); giới hạn là 20,0 MB."
    assert p.params == {"filename": "a.xlsx", "size": "30,0 MB", "limit": "20,0 MB"}
    assert p.category == "file" and p.severity == "error" and p.cell is None
    due = make("tasks.due.not_date", variant="due", where="Biểu 01, ô D9", header="Thời hạn", value="sớm")
    assert due.severity == "warning" and due.params["value"] == "sớm"
    assert due.message == "Biểu 01, ô D9: Thời hạn “sớm” không đọc được thành ngày hoặc kỳ"
    # parameters are not part of a problem's identity nor of the check --json contract
    assert "params" not in p.to_json() and hash(p) == hash(p)


def test_an_undeclared_code_is_refused():
    with pytest.raises(UndeclaredProblem):
        make("file.no_such_code", filename="a.xlsx")


def test_docs_list_of_codes_is_generated_from_the_catalogue():
    page = (ROOT / "docs" / "PROBLEM_CODES.md").read_text(encoding="utf-8")
    assert page == problems.markdown(), "run: python -m loaders.problems > docs/PROBLEM_CODES.md"
    for p in CATALOGUE:
        assert f"`{p.code}`" in page
