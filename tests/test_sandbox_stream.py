"""The streamed sandbox read: on_sheet sees each sheet as it arrives, and every protection still holds."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import threading
import time
from dataclasses import replace
from pathlib import Path

import hostile_helpers as H
import pytest
import workbook_helpers as W
from openpyxl import Workbook

import loaders.check as check_module
import loaders.sandbox as sandbox_module
from loaders.check import check_bytes
from loaders.forms import LIMITS, Limits
from loaders.raw import RawSheet, RawWorkbook
from loaders.sandbox import Sandbox, read_workbook_safely
from sample_data import generate as gen
from sample_data import sample_registry

SMALL_ROWS = [["STT", "Nội dung"], [1, "một"], [2, "hai"]]
BIG_SHEET_ROWS = 5000  # the big sheet's pickle (~1,5 MB) is far larger than a pipe buffer: the worker
# is still writing it (blocked) while on_sheet runs on the first sheet, so whatever the callback does to
# the worker happens mid-stream.


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def xlsx(*sheets: tuple[str, list[list[object]]]) -> bytes:
    """An .xlsx with the given sheets (name, rows from A1), written by openpyxl."""
    wb = Workbook(write_only=True)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def big_rows(n: int = BIG_SHEET_ROWS) -> list[list[object]]:
    return [[i, *(f"ô {i}-{j} chữ dài cho đủ cỡ" for j in range(7))] for i in range(n)]


MULTI = xlsx(("Một", SMALL_ROWS), ("Hai", big_rows()), ("Ba", SMALL_ROWS), ("Bốn", [["x", 4.5]]))
MULTI_NAMES = ["Một", "Hai", "Ba", "Bốn"]
# sheet 1 is fine, sheet 2 holds a cell past LIMITS.max_sheet_rows: the refusal comes after a streamed sheet
LATE_REFUSAL = xlsx(("Một", SMALL_ROWS), ("Hai", [[1]] + [[None]] * (LIMITS.max_sheet_rows - 1) + [[2]]))


def grid(sheet: RawSheet) -> tuple:
    return (sheet.name, sheet.rows, sheet.merged)


def verdict(result: tuple[RawWorkbook | None, list]) -> tuple:
    """Everything a read returns, as a comparable value."""
    workbook, problems = result
    if workbook is not None:
        assert problems == []
        return ("ok", workbook.format, [grid(s) for s in workbook.sheets])
    assert problems
    return ("refused", [(p.code, p.message, p.hint, p.sheet, p.severity) for p in problems])


def gone(pid: int) -> bool:
    """The process no longer exists (it was killed and reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def small_limits(timeout: float) -> Limits:
    return replace(LIMITS, worker_timeout_s=timeout)


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox(LIMITS)
    yield box
    box.close()


@pytest.fixture
def own_box():
    """A sandbox of the test's own (its worker gets killed or stopped); closed afterwards."""
    boxes: list[Sandbox] = []

    def make(limits=LIMITS, workers=None) -> Sandbox:
        box = Sandbox(limits, workers=workers)
        boxes.append(box)
        return box

    yield make
    for box in boxes:
        box.close()


# --------------------------------------------------------------------------
# 1. on_sheet sees every sheet, in order, as the result holds them
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, name",
    [
        (MULTI, "nhieu_trang.xlsx"),
        (H.valid_workbook(), "bao_cao.xlsx"),
        (W.typical_workbook(), "bao_cao.xlsx"),
        (H.corpus_bytes("merge_cells.xls"), "merge_cells.xls"),
        (H.corpus_bytes("number_rows_repeated.ods"), "x.ods"),
    ],
    ids=["multi", "valid", "typical", "xls", "ods"],  # never the bytes: the test id goes into the environment
)
def test_on_sheet_sees_each_sheet_once_in_order_and_the_result_is_unchanged(sandbox, data, name):
    seen: list[RawSheet] = []
    streamed = sandbox.read(data, name, seen.append)
    workbook, problems = streamed
    assert problems == [] and isinstance(workbook, RawWorkbook)
    assert len(seen) == len(workbook.sheets) >= 1
    assert all(a is b for a, b in zip(seen, workbook.sheets, strict=True))  # the very objects, in order
    plain = sandbox.read(data, name)
    assert verdict(plain) == verdict(streamed)
    assert verdict(read_workbook_safely(data, name)) == verdict(streamed)


def test_multi_sheet_names_and_rows(sandbox):
    seen: list[tuple] = []
    workbook, problems = sandbox.read(MULTI, "a.xlsx", lambda s: seen.append(grid(s)))
    assert problems == []
    assert [s.name for s in workbook.sheets] == MULTI_NAMES
    assert seen == [grid(s) for s in workbook.sheets]
    assert workbook.sheets[0].rows == SMALL_ROWS
    assert len(workbook.sheets[1].rows) == BIG_SHEET_ROWS
    assert workbook.sheets[1].rows[4999][:2] == [4999, "ô 4999-0 chữ dài cho đủ cỡ"]
    assert workbook.sheets[3].rows == [["x", 4.5]]


def test_public_entry_point_streams_too():
    seen: list[str] = []
    workbook, problems = read_workbook_safely(MULTI, "a.xlsx", lambda s: seen.append(s.name))
    assert problems == [] and seen == MULTI_NAMES == [s.name for s in workbook.sheets]


def test_preflight_refusal_never_calls_on_sheet(sandbox):
    calls: list[RawSheet] = []
    for data, code in ((H.PNG, "file.not_spreadsheet"), (H.zip_bomb_xlsx(2600), "file.zip_bomb"), (b"", "file.empty")):
        workbook, problems = sandbox.read(data, "bao_cao.xlsx", calls.append)
        assert workbook is None and [p.code for p in problems] == [code]
        assert sandbox.last.stage == "preflight"
    assert calls == []


def test_refusal_after_streamed_sheets_discards_them(sandbox):
    seen: list[str] = []
    result = sandbox.read(LATE_REFUSAL, "bao_cao.xlsx", lambda s: seen.append(s.name))
    workbook, problems = result
    assert workbook is None
    assert [(p.code, p.sheet) for p in problems] == [("file.sheet_too_large", "Hai")]
    assert seen == ["Một"]  # it was streamed, and is void now
    assert verdict(sandbox.read(LATE_REFUSAL, "bao_cao.xlsx")) == verdict(result)


@pytest.mark.parametrize("workers", [1, 2])
def test_another_read_is_served_by_another_worker_while_on_sheet_runs(own_box, workers):
    """With a second worker free, another thread's read is done while this one's callback runs; with one
    worker it waits for the whole streamed exchange (callback included)."""
    box = own_box(workers=workers)
    other: list[tuple] = []
    observed: list[tuple[int, int]] = []

    def other_read() -> None:
        other.append(verdict(box.read(H.formulas_xlsx(), "b.xlsx")))

    thread = threading.Thread(target=other_read)

    def on_sheet(sheet: RawSheet) -> None:
        if sheet.name == "Một":
            thread.start()
            time.sleep(0.3 if workers == 1 else 0.0)  # ample time for the other read, were it not waiting
            if workers > 1:
                thread.join(60)  # served meanwhile by the other worker
        observed.append((box.busy, len(other)))

    workbook, problems = box.read(MULTI, "a.xlsx", on_sheet)
    thread.join(60)
    assert problems == [] and len(workbook.sheets) == 4
    assert observed == [(1, 0 if workers == 1 else 1)] * 4
    assert box.busy == 0
    assert other == [verdict(box.read(H.formulas_xlsx(), "b.xlsx"))]


# --------------------------------------------------------------------------
# 2. A callback that raises an ordinary exception
# --------------------------------------------------------------------------


def test_callback_raising_value_error_is_called_no_more_and_the_read_is_whole(sandbox):
    calls: list[str] = []

    def on_sheet(sheet: RawSheet) -> None:
        calls.append(sheet.name)
        raise ValueError("hỏng")

    workbook, problems = sandbox.read(MULTI, "a.xlsx", on_sheet)
    assert problems == [] and [s.name for s in workbook.sheets] == MULTI_NAMES
    assert calls == ["Một"]
    assert verdict((workbook, problems)) == verdict(sandbox.read(MULTI, "a.xlsx"))
    workbook, problems = read_workbook_safely(MULTI, "a.xlsx", on_sheet)
    assert problems == [] and len(workbook.sheets) == 4 and calls == ["Một", "Một"]


def _fail_once(monkeypatch, name: str) -> list[int]:
    """Make loaders.check.<name> raise ValueError on its first call only; returns the call counter."""
    real = getattr(check_module, name)
    calls = [0]

    def flaky(*args, **kwargs):
        calls[0] += 1
        if calls[0] == 1:
            raise ValueError("lỗi tạm")
        return real(*args, **kwargs)

    monkeypatch.setattr(check_module, name, flaky)
    return calls


@pytest.mark.parametrize("failing", ["find_table", "title_texts", "validate_table"])
def test_check_bytes_redoes_the_sheet_a_failed_callback_left(monkeypatch, failing):
    data = W.typical_workbook()
    expected = W.check(data).to_json()
    assert expected["accepted"] and set(expected["forms"]) == {"tasks", "propaganda", "attendance"}
    calls = _fail_once(monkeypatch, failing)
    assert W.check(data).to_json() == expected
    assert calls[0] >= 2  # it failed in the callback and ran again after the read


def test_check_bytes_with_a_callback_raising_after_its_work(monkeypatch):
    """on_sheet did its work on sheet 1, then raised: later sheets are found after the read."""
    data = W.typical_workbook()
    expected = W.check(data).to_json()
    real = sandbox_module.read_workbook_safely
    seen: list[str] = []

    def read(data, filename, on_sheet=None):
        def wrapped(sheet):
            on_sheet(sheet)
            seen.append(sheet.name)
            raise ValueError("sau khi xong")

        return real(data, filename, wrapped)

    monkeypatch.setattr(sandbox_module, "read_workbook_safely", read)
    assert W.check(data).to_json() == expected
    assert seen == ["Biểu 01"]


# --------------------------------------------------------------------------
# 3. The worker killed mid-stream
# --------------------------------------------------------------------------


def test_worker_killed_mid_stream_is_a_crash_refusal_then_a_fresh_worker_serves(own_box):
    box = own_box()
    seen: list[str] = []
    pids: list[int] = []

    def on_sheet(sheet: RawSheet) -> None:
        seen.append(sheet.name)
        if len(seen) == 1:
            pids.append(box.worker_pid)
            os.kill(box.worker_pid, signal.SIGKILL)

    workbook, problems = box.read(MULTI, "nhieu_trang.xlsx", on_sheet)
    assert workbook is None
    assert [p.code for p in problems] == ["file.worker_crashed"]
    assert "nhieu_trang.xlsx" in problems[0].message and problems[0].severity == "error"
    assert seen == ["Một"]  # the stream ended there: no more sheets, no partial workbook
    assert box.last.outcome == "file.worker_crashed" and box.last.worker_restarted
    assert box.last.extra["returncode"] == -signal.SIGKILL
    assert gone(pids[0])
    assert box.worker_pid not in (None, pids[0])
    new_pid = box.worker_pid
    assert verdict(box.read(MULTI, "nhieu_trang.xlsx")) == ("ok", "xlsx", verdict_of_multi())
    assert box.worker_pid == new_pid  # served by the worker started after the crash


_MULTI_GRID: list = []


def verdict_of_multi() -> list:
    if not _MULTI_GRID:
        box = Sandbox(LIMITS)
        try:
            _MULTI_GRID.append(verdict(box.read(MULTI, "a.xlsx"))[2])
        finally:
            box.close()
    return _MULTI_GRID[0]


def test_worker_killed_mid_stream_through_check_bytes_gives_the_crash_error(monkeypatch, own_box):
    box = own_box()
    monkeypatch.setattr(sandbox_module, "default_sandbox", lambda: box)
    real = check_module.find_table

    def find_and_kill(sheet):
        if box.worker_pid is not None and sheet.name == "Biểu 01":
            os.kill(box.worker_pid, signal.SIGKILL)
        return real(sheet)

    monkeypatch.setattr(check_module, "find_table", find_and_kill)
    big = xlsx(("Biểu 01", SMALL_ROWS), ("Hai", big_rows()))
    out = W.check(big, "bao-cao.xlsx").to_json()
    assert out["accepted"] is False and out["forms"] == {}
    assert [e["code"] for e in out["errors"]] == ["file.worker_crashed"]
    monkeypatch.setattr(check_module, "find_table", real)
    assert W.check(W.typical_workbook()).to_json()["accepted"]  # the fresh worker serves the next check


# --------------------------------------------------------------------------
# 4. The worker stopped mid-stream: the one deadline
# --------------------------------------------------------------------------


@pytest.mark.parametrize("pause", [0.0, 1.5], ids=["at-once", "after-a-slow-callback"])
def test_worker_stopped_mid_stream_times_out_then_next_read_works(own_box, pause):
    """The one deadline covers the whole stream; a slow callback moves it by its own time, no more."""
    timeout = 1.0
    box = own_box(small_limits(timeout))
    box.read(H.formulas_xlsx(), "warm.xlsx")  # the worker is up
    stopped: list[int] = []
    seen: list[str] = []

    def on_sheet(sheet: RawSheet) -> None:
        seen.append(sheet.name)
        if not stopped:
            time.sleep(pause)
            stopped.append(box.worker_pid)
            os.kill(box.worker_pid, signal.SIGSTOP)

    try:
        started = time.monotonic()
        workbook, problems = box.read(MULTI, "nhieu_trang.xlsx", on_sheet)
        waited = time.monotonic() - started
        assert workbook is None
        assert [p.code for p in problems] == ["file.timeout"]
        assert "«nhieu_trang.xlsx» mất quá 1 giây" in problems[0].message
        assert seen == ["Một"]
        # the deadline fired: not before timeout + the callback's time, and within a generous bound
        assert timeout + pause - 0.05 <= waited < timeout + pause + 30
        assert box.last.worker_restarted and box.last.outcome == "file.timeout"
        assert gone(stopped[0])  # the stopped worker was killed and reaped, not left behind
        assert box.worker_pid not in (None, stopped[0])
        workbook, problems = box.read(H.formulas_xlsx(), "bao_cao.xlsx")
        assert problems == [] and workbook.sheets[0].rows[0] == ["có giá trị", 2]
    finally:
        if stopped and not gone(stopped[0]):  # only if the sandbox failed to clean up
            os.kill(stopped[0], signal.SIGCONT)
            os.kill(stopped[0], signal.SIGKILL)


# --------------------------------------------------------------------------
# 5. Callback time is not the file's
# --------------------------------------------------------------------------


def test_slow_callback_is_not_charged_to_the_file(own_box):
    timeout = 1.5
    box = own_box(small_limits(timeout))
    box.read(H.formulas_xlsx(), "warm.xlsx")
    pid = box.worker_pid
    slept: list[float] = []

    def on_sheet(sheet: RawSheet) -> None:
        pause = timeout * 1.2 if not slept else timeout * 0.5  # one longer than the timeout, then more
        time.sleep(pause)
        slept.append(pause)

    workbook, problems = box.read(MULTI, "nhieu_trang.xlsx", on_sheet)
    assert problems == [], [p.code for p in problems]
    assert [s.name for s in workbook.sheets] == MULTI_NAMES
    assert sum(slept) > 2 * timeout and len(slept) == 4
    assert box.worker_pid == pid and not box.last.worker_restarted  # the same warm worker: no timeout
    assert box.last.seconds > sum(slept)


# --------------------------------------------------------------------------
# A BaseException in the callback
# --------------------------------------------------------------------------


@pytest.mark.parametrize("exc", [KeyboardInterrupt, SystemExit])
def test_base_exception_in_callback_propagates_and_the_worker_is_replaced(own_box, exc):
    box = own_box()
    box.read(H.formulas_xlsx(), "warm.xlsx")
    pid = box.worker_pid
    restarts = box.restarts
    calls: list[str] = []

    def on_sheet(sheet: RawSheet) -> None:
        calls.append(sheet.name)
        raise exc()

    with pytest.raises(exc):
        box.read(MULTI, "a.xlsx", on_sheet)
    assert calls == ["Một"]
    assert gone(pid)  # the worker left mid-stream is never reused
    assert box.worker_pid not in (None, pid) and box.restarts == restarts + 1
    assert box.busy == 0 and not box._lock.locked()
    assert verdict(box.read(MULTI, "a.xlsx")) == ("ok", "xlsx", verdict_of_multi())
    with pytest.raises(exc):
        read_default_with_raising_callback(box, exc)


def read_default_with_raising_callback(box: Sandbox, exc: type[BaseException]) -> None:
    """read_workbook_safely (the public entry point) lets it through too, on the default sandbox path."""
    original = sandbox_module.default_sandbox
    sandbox_module.default_sandbox = lambda: box
    try:

        def on_sheet(sheet: RawSheet) -> None:
            raise exc()

        read_workbook_safely(MULTI, "a.xlsx", on_sheet)
    finally:
        sandbox_module.default_sandbox = original


# --------------------------------------------------------------------------
# 6. Many threads at once
# --------------------------------------------------------------------------

INPUTS = [
    (MULTI, "nhieu_trang.xlsx"),
    (H.valid_workbook(), "bao_cao.xlsx"),
    (H.formulas_xlsx(), "cong_thuc.xlsx"),
    (H.far_cell_xlsx(), "o_xa.xlsx"),
    (H.far_cell_xlsx("A30000", with_dimension=False), "o_xa2.xlsx"),
    (H.zip_bomb_xlsx(2600), "bom.xlsx"),
    (H.zip_bomb_xlsx(2600, declare_truthfully=False), "bom2.xlsx"),
    (LATE_REFUSAL, "tre.xlsx"),
    (H.PNG, "anh.xlsx"),
]


def test_threads_reading_at_once_give_the_serial_verdicts(sandbox):
    serial = {}
    for data, name in INPUTS:
        seen: list[RawSheet] = []
        result = sandbox.read(data, name, seen.append)
        serial[name] = (verdict(result), [grid(s) for s in seen])
    assert serial["nhieu_trang.xlsx"][0][0] == "ok" and serial["bao_cao.xlsx"][0][0] == "ok"
    assert serial["o_xa.xlsx"][0][1][0][0] == "file.sheet_too_large"
    assert serial["bom.xlsx"][0][1][0][0] == "file.zip_bomb"
    assert serial["anh.xlsx"][0][1][0][0] == "file.not_spreadsheet"

    errors: list[BaseException] = []
    results: list[tuple[str, tuple]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def run(t: int) -> None:
        try:
            barrier.wait(60)
            for k in range(len(INPUTS)):
                data, name = INPUTS[(t + k) % len(INPUTS)]
                seen: list[RawSheet] = []
                # half the threads stream, half do not: both must give the serial verdict
                result = sandbox.read(data, name, seen.append if t % 2 else None)
                got = (verdict(result), [grid(s) for s in seen] if t % 2 else serial[name][1])
                with lock:
                    results.append((name, got))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors
    assert len(results) == 8 * len(INPUTS)
    wrong = [name for name, got in results if got != serial[name]]
    assert wrong == []


def test_threads_through_check_bytes_give_the_serial_results():
    files = [
        (W.typical_workbook(), "bao-cao.xlsx"),
        (W.typical_workbook(copies=3), "lon.xlsx"),
        (H.far_cell_xlsx(), "o_xa.xlsx"),
        (H.zip_bomb_xlsx(2600, declare_truthfully=False), "bom.xlsx"),
    ]
    serial = {name: W.check(data, name).to_json() for data, name in files}
    assert serial["bao-cao.xlsx"]["accepted"] and not serial["o_xa.xlsx"]["accepted"]
    out: list[tuple[str, dict]] = []
    lock = threading.Lock()

    def run(t: int) -> None:
        for k in range(3):
            data, name = files[(t + k) % len(files)]
            got = W.check(data, name).to_json()
            with lock:
                out.append((name, got))

    threads = [threading.Thread(target=run, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert len(out) == 24
    assert [name for name, got in out if got != serial[name]] == []


# --------------------------------------------------------------------------
# 7. Generated sample reports: streamed check == plain check == the manifest
# --------------------------------------------------------------------------

SAMPLE_UNITS = ("BXDD", "KDC07", "VPDU")  # a template user, a unit that splits forms into files, the office
CHECK_TODAY = dt.date(2026, 11, 28)


@pytest.fixture(scope="module")
def sample_reports(tmp_path_factory) -> list[gen.SampleReport]:
    out: Path = tmp_path_factory.mktemp("ward")
    return gen.generate(out, units=SAMPLE_UNITS)


def test_sample_reports_same_check_streamed_and_plain(sample_reports, monkeypatch):
    registry = sample_registry()
    reports = sample_reports[::3]  # a spread of months and units, every style
    assert {r.unit for r in reports} == set(SAMPLE_UNITS)
    streamed = {
        r.path.name: check_bytes(r.path.read_bytes(), r.path.name, registry=registry, today=CHECK_TODAY)
        for r in reports
    }

    real = sandbox_module.read_workbook_safely
    calls: list[object] = []

    def plain(data, filename, on_sheet=None):
        calls.append(on_sheet)
        return real(data, filename)  # the whole workbook first, then detection: the pre-streaming order

    monkeypatch.setattr(sandbox_module, "read_workbook_safely", plain)
    for r in reports:
        got = check_bytes(r.path.read_bytes(), r.path.name, registry=registry, today=CHECK_TODAY).to_json()
        want = streamed[r.path.name].to_json()
        assert got == want, r.path.name
        assert (want["accepted"], want["unit"], want["period"], want["forms"]) == (True, r.unit, r.period, r.forms)
    assert len(calls) == len(reports) and all(callable(c) for c in calls)  # check_bytes did ask to stream


def test_sample_reports_frames_equal_streamed_and_plain(sample_reports, monkeypatch):
    """Beyond the JSON: the normalised rows of each form are the same whichever path read them."""
    registry = sample_registry()
    reports = sample_reports[1::5]
    streamed = [check_bytes(r.path.read_bytes(), r.path.name, registry=registry, today=CHECK_TODAY) for r in reports]
    real = sandbox_module.read_workbook_safely
    monkeypatch.setattr(sandbox_module, "read_workbook_safely", lambda d, f, on_sheet=None: real(d, f))
    for r, s in zip(reports, streamed, strict=True):
        p = check_bytes(r.path.read_bytes(), r.path.name, registry=registry, today=CHECK_TODAY)
        assert set(p.forms) == set(s.forms) and p.forms
        for key in s.forms:
            assert p.forms[key].frame.equals(s.forms[key].frame), (r.path.name, key)
            assert (p.forms[key].sheet, p.forms[key].header_row, p.forms[key].columns) == (
                s.forms[key].sheet,
                s.forms[key].header_row,
                s.forms[key].columns,
            )
