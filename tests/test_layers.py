"""Imports go downward only: pages -> ui -> exports/storage -> loaders (docs/ARCHITECTURE.md).

Every import is read with ``ast`` — including imports inside functions, which
hide a dependency from a reader of the module's head — and a module may import
only its own layer or one allowed below it.  ``__main__.py`` entry points are
outside the layers: ``python -m loaders`` runs the command line composed above
them (commands.py), as ``streamlit run app.py`` runs the pages.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# layer -> the project's top-level modules/packages it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "loaders": set(),
    "presentation": {"loaders"},
    "sample_data": {"loaders"},
    "storage": {"loaders"},
    "exports": {"loaders", "storage", "presentation"},
    "bootstrap": {"loaders", "storage", "sample_data"},
    "ui": {"loaders", "storage", "exports", "presentation", "bootstrap"},
    "pages": {"ui", "presentation", "storage"},
    "app": {"ui", "bootstrap", "storage", "loaders", "presentation"},
    "commands": {"loaders", "storage", "bootstrap"},
}
PROJECT = set(ALLOWED)
# Modules a layer may not import although their package is below it: pages read data only through
# ui.data's cached, typed wrappers and write no SQL.
FORBIDDEN: dict[str, set[str]] = {
    "pages": {"storage.queries", "storage.db", "storage.models", "sqlalchemy", "loaders.reader", "loaders.check"},
}
# Known exceptions, each with its reason (kept short; the report names them as not done).
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("loaders/cli.py", "bootstrap"): "check/template read the registry the app uses through the app-level "
    "bootstrap (issue 11); tests call loaders.cli.main directly, so commands.py cannot inject it yet",
}


def _layer_files() -> list[tuple[str, Path]]:
    out = []
    for layer in ALLOWED:
        package = ROOT / layer
        if package.is_dir():
            out += [(layer, p) for p in sorted(package.rglob("*.py")) if "migrations" not in p.parts]
        elif (ROOT / f"{layer}.py").is_file():
            out.append((layer, ROOT / f"{layer}.py"))
    return out


def _modules(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module) of every absolute import in the file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [(node.lineno, node.module)] + [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return found


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level name) of every project import in the file, at any depth."""
    names = {(line, module.split(".")[0]) for line, module in _modules(path)}
    return sorted((line, name) for line, name in names if name in PROJECT)


def _violations() -> list[str]:
    bad = []
    for layer, path in _layer_files():
        if path.name == "__main__.py":
            continue
        rel = str(path.relative_to(ROOT))
        for line, name in _imports(path):
            if name != layer and name not in ALLOWED[layer] and (rel, name) not in EXCEPTIONS:
                bad.append(f"{rel}:{line}: {layer} imports {name}")
        for line, module in _modules(path):
            if any(module == f or module.startswith(f + ".") for f in FORBIDDEN.get(layer, ())):
                bad.append(f"{rel}:{line}: {layer} imports {module}")
    return sorted(set(bad))


def test_every_layer_imports_only_downward():
    bad = _violations()
    assert not bad, "upward or sideways imports:\n" + "\n".join(bad)


def test_the_graph_has_no_cycle_between_layers():
    """ALLOWED itself points downward: no two layers may import each other."""
    for a, below in ALLOWED.items():
        for b in below:
            assert a not in ALLOWED.get(b, set()), (a, b)


def test_streamlit_stays_in_ui_pages_and_app():
    bad = []
    for layer, path in _layer_files():
        if layer in ("ui", "pages", "app"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            bad += [f"{path.relative_to(ROOT)}:{node.lineno}" for n in names if n.split(".")[0] == "streamlit"]
    assert not bad, "Streamlit imported below ui/: " + ", ".join(bad)


@pytest.mark.parametrize(
    "source, layer, expected",
    [
        ("def f():\n    from ui import data\n", "loaders", "loaders imports ui"),  # hidden in a function
        ("import storage.queries as q\n", "pages", "pages imports storage.queries"),
        ("from storage.queries import Filters\n", "pages", "pages imports storage.queries"),
        ("from exports import excel\n", "storage", "storage imports exports"),
    ],
)
def test_the_check_sees_an_upward_import(tmp_path, monkeypatch, source, layer, expected):
    """The test itself catches what it should (a module written into a temporary project)."""
    (tmp_path / layer).mkdir()
    (tmp_path / layer / "bad.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    assert any(expected in v for v in _violations())
