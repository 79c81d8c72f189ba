"""Every address app.py declares has its first-request file in pages/ (see ui/first_request.py),
and each of those files only runs app.py."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def declared_paths() -> list[str]:
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    return [
        node.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.keyword) and node.arg == "url_path" and isinstance(node.value, ast.Constant)
    ]


def test_every_declared_address_has_its_first_request_file():
    paths = declared_paths()
    assert "tong-quan" in paths and "thiet-lap-phuong" in paths
    missing = [p for p in paths if not (ROOT / "pages" / f"{p}.py").is_file()]
    assert missing == [], f"add pages/<address>.py for: {missing} (copy pages/tien-do.py)"


def test_first_request_files_only_run_the_app():
    for p in declared_paths():
        tree = ast.parse((ROOT / "pages" / f"{p}.py").read_text(encoding="utf-8"))
        calls = [n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
        assert calls == ["run_app"], p


def test_no_default_page_hides_the_overview_address():
    # the default page is served at "/" only; "/tong-quan" is a page of its own (hidden in the menu)
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    assert 'url_path="tong-quan",' in source and 'visibility="hidden"' in source
