"""The pool of readers: waiting for a reader is not charged to a file (but is bounded), a small file never
waits behind large ones, a stalled reader is the file's timeout but a merely paused one is not, a grown
reader is replaced."""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import replace

import hostile_helpers as H
import pytest
from test_sandbox_stream import MULTI, MULTI_NAMES, verdict

import loaders.sandbox as sandbox_module
from loaders.forms import LIMITS
from loaders.raw import RawSheet
from loaders.sandbox import Sandbox

SMALL = H.formulas_xlsx()


@pytest.fixture
def boxes():
    made: list[Sandbox] = []

    def make(limits=LIMITS, workers=None) -> Sandbox:
        box = Sandbox(limits, workers=workers)
        made.append(box)
        return box

    yield make
    for box in made:
        box.close()


def wait_for(condition, seconds: float = 60.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "condition never met"
        time.sleep(0.01)


def holding_read(box: Sandbox, data: bytes, name: str, release: threading.Event, out: list) -> threading.Thread:
    """A thread whose read holds its worker (its on_sheet waits for ``release``)."""

    def on_sheet(sheet: RawSheet) -> None:
        release.wait(120)

    thread = threading.Thread(target=lambda: out.append(verdict(box.read(data, name, on_sheet))))
    thread.start()
    return thread


def test_waiting_for_a_worker_is_not_charged_to_the_file(boxes):
    timeout = 1.0
    box = boxes(replace(LIMITS, worker_timeout_s=timeout), workers=1)
    release = threading.Event()
    first: list = []
    holder = holding_read(box, MULTI, "a.xlsx", release, first)
    wait_for(lambda: box.busy == 1)
    second: list = []
    waiter = threading.Thread(target=lambda: second.append(verdict(box.read(SMALL, "b.xlsx"))))
    waiter.start()
    wait_for(lambda: box.waiting == 1)
    time.sleep(3 * timeout)  # queued for longer than the file's whole budget
    assert second == []  # still waiting
    release.set()
    holder.join(120)
    waiter.join(120)
    assert first[0][0] == "ok" and [name for name, *_ in first[0][2]] == MULTI_NAMES
    assert second == [verdict(box.read(SMALL, "b.xlsx"))] and second[0][0] == "ok"


def test_the_wait_is_bounded_then_the_file_is_not_refused_but_deferred(boxes):
    box = boxes(replace(LIMITS, worker_queue_s=0.3), workers=1)
    release = threading.Event()
    first: list = []
    holder = holding_read(box, MULTI, "a.xlsx", release, first)
    wait_for(lambda: box.busy == 1)
    workbook, problems = box.read(SMALL, "bao-cao.xlsx")
    release.set()
    holder.join(120)
    assert workbook is None and [p.code for p in problems] == ["file.busy"]
    assert "bao-cao.xlsx" in problems[0].message and "bận" in problems[0].message
    assert "Thử gửi lại" in problems[0].hint
    assert first[0][0] == "ok"


def test_a_small_file_never_waits_behind_large_ones(boxes, monkeypatch):
    monkeypatch.setattr(sandbox_module, "LARGE_FILE_BYTES", len(SMALL) + 1)  # MULTI counts as large here
    assert len(MULTI) > len(SMALL) + 1
    box = boxes(workers=2)
    release = threading.Event()
    large: list = []
    holder = holding_read(box, MULTI, "lon-1.xlsx", release, large)
    wait_for(lambda: box.busy == 1)
    other = threading.Thread(target=lambda: large.append(verdict(box.read(MULTI, "lon-2.xlsx"))))
    other.start()
    wait_for(lambda: box.waiting == 1)  # the second large file may not take the last worker
    small = verdict(box.read(SMALL, "nho.xlsx"))  # ... which serves the small one at once
    assert small[0] == "ok"
    assert box.waiting == 1 and len(large) == 0  # both large reads still held or waiting
    release.set()
    holder.join(120)
    other.join(120)
    assert [v[0] for v in large] == ["ok", "ok"]


def test_a_paused_reader_is_not_a_timeout_but_a_stalled_one_is(boxes):
    """The budget is the reader's CPU: a reader paused (no CPU, as on a busy machine) for longer than its
    budget still finishes; one that stands still for STALL_FACTOR times the budget is the file's timeout."""
    timeout = 2.0
    box = boxes(replace(LIMITS, worker_timeout_s=timeout), workers=1)
    box.read(SMALL, "warm.xlsx")
    pause = 1.25 * timeout  # longer than the budget, shorter than the stall limit
    assert pause < sandbox_module.STALL_FACTOR * timeout
    resumed: list[threading.Timer] = []

    def on_sheet(sheet: RawSheet) -> None:
        if not resumed:
            pid = box.worker_pid
            os.kill(pid, signal.SIGSTOP)
            timer = threading.Timer(pause, os.kill, (pid, signal.SIGCONT))
            timer.start()
            resumed.append(timer)

    workbook, problems = box.read(MULTI, "nhieu_trang.xlsx", on_sheet)
    resumed[0].join()
    assert problems == [] and [s.name for s in workbook.sheets] == MULTI_NAMES
    assert not box.last.worker_restarted


def test_a_reader_that_kept_much_memory_is_replaced(boxes, monkeypatch):
    box = boxes(workers=1)
    box.read(SMALL, "a.xlsx")
    pid = box.worker_pid
    restarts = box.restarts
    monkeypatch.setattr(sandbox_module, "RECYCLE_RSS_BYTES", 1024)  # any reader "kept too much"
    workbook, problems = box.read(MULTI, "b.xlsx")  # large enough for the reader to report its memory
    assert problems == [] and workbook is not None
    assert box.last.worker_restarted and box.restarts == restarts + 1
    assert box.worker_pid not in (None, pid)
    monkeypatch.setattr(sandbox_module, "RECYCLE_RSS_BYTES", 10**12)
    assert verdict(box.read(SMALL, "c.xlsx"))[0] == "ok"


def test_pool_size_follows_the_cores():
    size = sandbox_module.pool_size()
    assert 2 <= size <= sandbox_module.MAX_POOL
    assert size == max(2, min(len(os.sched_getaffinity(0)) + 1, sandbox_module.MAX_POOL))
