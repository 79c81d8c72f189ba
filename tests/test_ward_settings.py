"""Ward policy lives in one settings object (loaders.settings.WardSettings), passed in explicitly."""

from __future__ import annotations

import ast
import dataclasses
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from storage_helpers import BACKENDS, engine_for

from loaders.forms import ISSUING_BODY, WARD_NAME
from loaders.registry import Registry
from loaders.settings import DEFAULTS, WardSettings
from loaders.template import write_template
from storage.registry import UnknownWard, ward_id

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
OTHER = WardSettings(ward_name="Lê Chân", issuing_body="ĐẢNG BỘ PHƯỜNG LÊ CHÂN", due_day=20)


def _registry() -> Registry:
    return Registry.from_csv(SAMPLE / "units.csv", SAMPLE / "plan-tasks.csv")


def test_defaults_come_from_the_declaration_and_a_variant_is_a_replace():
    assert DEFAULTS.ward_name == WARD_NAME and DEFAULTS.issuing_body == ISSUING_BODY
    assert DEFAULTS.committee == "Đảng ủy phường Bạch Đằng"
    changed = dataclasses.replace(DEFAULTS, due_day=20)
    assert changed.due_day == 20 and DEFAULTS.due_day == 25
    assert WardSettings.from_json(changed.to_json()) == changed
    assert "trước ngày 20 của tháng báo cáo" in changed.due_rule


def test_the_template_takes_the_wards_names_and_due_day_from_the_settings():
    out = io.BytesIO()
    write_template(_registry(), "KDC03", "2026-02", out, settings=OTHER)
    wb = load_workbook(io.BytesIO(out.getvalue()))
    texts = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert "ĐẢNG BỘ PHƯỜNG LÊ CHÂN" in texts
    assert any(t.startswith("Lê Chân, ngày") for t in texts)
    assert any("trước ngày 20 của tháng báo cáo" in t for t in texts)
    assert not any("Bạch Đằng" in t or "BẠCH ĐẰNG" in t or "ngày 25" in t for t in texts)
    assert wb.properties.creator == "Văn phòng Đảng ủy phường Lê Chân"


def test_no_literal_due_day_or_ward_name_outside_the_declaration():
    """The due day 25 and the ward's name are written once (loaders/forms.py, loaders/settings.py)."""
    allowed = {"loaders/forms.py", "loaders/settings.py"}
    found = []
    for folder in ("loaders", "storage", "ui", "pages", "exports", "sample_data"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = str(path.relative_to(ROOT))
            if rel in allowed or "/migrations/" in rel:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    skip = node.value.startswith("Ví dụ") or _is_docstring(tree, node)  # placeholders, docs
                    if re.search(r"Bạch Đằng|BẠCH ĐẰNG|ngày 25\b", node.value) and not skip:
                        found.append(f"{rel}:{node.lineno}: {node.value[:60]}")
                if not isinstance(node, ast.arguments):
                    continue
                for default, arg in zip(node.defaults, node.args[-len(node.defaults) :], strict=False):
                    if arg.arg == "due_day" and isinstance(default, ast.Constant):
                        found.append(f"{rel}:{default.lineno}: due_day={default.value}")
    assert not found, "ward policy written outside loaders/settings.py:\n" + "\n".join(found)


def _is_docstring(tree: ast.Module, node: ast.Constant) -> bool:
    for parent in ast.walk(tree):
        body = getattr(parent, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and body[0].value is node:
            return True
    return False


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_unknown_ward_code_is_an_error_not_an_empty_page(backend, tmp_path):
    for engine in engine_for(backend, tmp_path):
        with engine.connect() as conn:
            assert isinstance(ward_id(conn), int)
            with pytest.raises(UnknownWard, match="XYZ"):
                ward_id(conn, "XYZ")
