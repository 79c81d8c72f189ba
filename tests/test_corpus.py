"""Every file of the calamine test corpus gets a clean verdict through the sandbox.

A RawWorkbook or refusal problems, never an exception, a crash or a hang.
Timings and memory are in bench/bench_refusals.py, not here.
"""

from __future__ import annotations

import pytest
from hostile_helpers import CORPUS

from loaders.forms import LIMITS
from loaders.raw import CellError, RawSheet, RawWorkbook
from loaders.result import Problem
from loaders.sandbox import Sandbox

FILES = sorted(p.name for p in CORPUS.iterdir() if p.is_file()) if CORPUS.is_dir() else []

# Files that must be refused, with the code when it is known for sure.
REFUSED = {
    "pass_protected.xlsx": "file.encrypted",
    "pass_protected.xlsb": "file.encrypted",
    "pass_protected.ods": "file.encrypted",
    "issue_594_dos.ods": "file.sheet_too_large",  # 999999999 x 999999999 repeated cells
    "LICENSE-MIT.md": "file.text",
    "too_small.xls": "file.text",  # a text stub named .xls
    "issue252.xlsx": "file.damaged",  # a member with a bad CRC / garbled XML
    "OOM_alloc3.xls": "file.damaged",
    "issue_385.xls": "file.damaged",
}

VALUE_TYPES = (type(None), str, int, float, bool, CellError)


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox(LIMITS)
    yield box
    box.close()


def test_corpus_is_there():
    assert len(FILES) >= 130, f"corpus missing at {CORPUS}"


@pytest.mark.parametrize("name", FILES)
def test_clean_verdict(sandbox, name):
    data = (CORPUS / name).read_bytes()
    workbook, problems = sandbox.read(data, name)
    if name in REFUSED:
        assert workbook is None
        assert [p.code for p in problems] == [REFUSED[name]], [(p.code, p.message) for p in problems]
    else:
        assert problems == [], [(p.code, p.message) for p in problems]
        assert isinstance(workbook, RawWorkbook)
        assert workbook.format == name.rsplit(".", 1)[1]
    for p in problems:
        assert isinstance(p, Problem) and p.code.startswith("file.") and p.message and p.hint
    if workbook is not None:
        import datetime as dt

        for sheet in workbook.sheets:
            assert isinstance(sheet, RawSheet)
            assert len(sheet.rows) <= LIMITS.max_sheet_rows
            widths = {len(r) for r in sheet.rows}
            assert len(widths) <= 1  # rectangular grid from A1
            for row in sheet.rows:
                for v in row:
                    assert isinstance(v, VALUE_TYPES + (dt.date, dt.time, dt.timedelta)), (name, v)
                    assert v != ""
            for r0, c0, r1, c1 in sheet.merged:
                assert 0 <= r0 <= r1 < max(len(sheet.rows), 1) and 0 <= c0 <= c1


def test_oom_alloc_files_do_not_take_down_the_worker_for_others(sandbox):
    for name in ("OOM_alloc.xls", "OOM_alloc2.xls", "OOM_alloc3.xls"):
        sandbox.read((CORPUS / name).read_bytes(), name)
    workbook, problems = sandbox.read((CORPUS / "date.xlsx").read_bytes(), "date.xlsx")
    assert problems == [] and workbook is not None
