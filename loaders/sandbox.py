"""Read untrusted workbook bytes: preflight, then a warm, capped child process.

    read_workbook_safely(data, filename) -> (RawWorkbook, []) | (None, [Problem, ...])

never raises.  ``read_workbook_safely(data, filename, on_sheet)`` streams:
the worker sends each sheet as soon as it is read and ``on_sheet(sheet)``
runs in the caller's process meanwhile (loaders.check looks for the forms
there); those sheets count only when a workbook is returned.

A small pool of children (loaders._worker; ``pool_size()``: one per core plus
one kept for small files) is started once and reused by the threads that
read (Streamlit sessions run in threads).  Each runs under an address-space
cap (LIMITS.worker_memory_bytes).  A file's budget is CPU time, so its verdict
does not depend on the load: the child's CPU on it (LIMITS.worker_timeout_s),
and that plus the reading thread's CPU on its streamed sheets
(LIMITS.file_timeout_s).  A child whose CPU stands still while the
parent waits for it, for STALL_FACTOR times its budget (stopped, hung), is
ended as a timeout too, and a
wall-clock cap (WALL_FACTOR times the budget) bounds every read; neither counts
the time the parent spends in on_sheet.  Waiting for a free worker is not part of
the budget; it is bounded by LIMITS.worker_queue_s (then file.busy).  When a
child dies (python-calamine aborts the process on some hostile files) or runs
out of budget, that file gets a refusal (file.worker_crashed / file.timeout)
and a fresh worker takes its place at once, so the next call is served warm;
a child that kept much memory after a file is replaced the same way, and the
parent hands freed heap back to the system after a large file.

Sandbox limits of this module: RECYCLE_AFTER_REQUESTS, RECYCLE_RSS_FRACTION,
RECYCLE_RSS_BYTES, MAX_POOL, LARGE_FILE_BYTES, STALL_FACTOR, WALL_FACTOR; SPIN_S is how long
the parent polls the pipe before it sleeps.
"""

from __future__ import annotations

import atexit
import datetime as _dt
import io
import os
import pickle
import selectors
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from loaders.forms import LIMITS, Limits
from loaders.raw import CellError, RawSheet, RawWorkbook
from loaders.result import Problem
from loaders.safety import human_size, preflight, problem

ROOT = Path(__file__).resolve().parents[1]
HEADER = struct.Struct(">Q")
ACK = b"R"
RECYCLE_AFTER_REQUESTS = 500  # a fresh worker now and then: no slow growth of a long-lived process
SPIN_S = 0.002  # after a request, the parent polls the pipe this long before it sleeps (see _Worker._fill)
RECYCLE_RSS_FRACTION = 0.5  # ... or as soon as its peak memory passed half the cap
RECYCLE_RSS_BYTES = 160 * 1024 * 1024  # ... or when it kept more than this after a read (memory given back)
MAX_POOL = 6  # readers in one pool at most, whatever the core count
LARGE_FILE_BYTES = 1024 * 1024  # files this large may not take the pool's last free worker
STALL_FACTOR = 2  # a reader whose CPU does not advance for this many times its budget is ended (stopped, hung)
# The wall-clock cap of a read: this many times the reader's CPU budget.  Large, so that a busy
# machine (a reader getting a small share of a core) does not change a verdict.
WALL_FACTOR = 20
# The worker imports loaders.reader/raw/forms without running loaders/__init__.py
# (which pulls in pandas via the check orchestration): a bare package module
# whose __path__ is the loaders folder stands in for it.
_BOOT = (
    "import sys, types; root = sys.argv.pop(1); pkg = types.ModuleType('loaders'); "
    "pkg.__path__ = [root + '/loaders']; sys.modules['loaders'] = pkg; sys.path.insert(0, root); "
    "from loaders._worker import main; main()"
)


class _WorkerDied(Exception):
    def __init__(
        self, timed_out: bool, returncode: int | None, before_ack: bool = False, budget_s: float | None = None
    ) -> None:
        super().__init__("worker died")
        self.timed_out = timed_out
        self.returncode = returncode
        self.before_ack = before_ack  # died before it had the request: not this file's doing
        self.budget_s = budget_s  # the budget that ran out (for the message), None: the reader's own


@dataclass(frozen=True)
class _Budget:
    """What one file may cost, in CPU seconds (the same whatever else the machine is doing).

    ``worker_s``: the reader process's CPU on this file; ``file_s``: that plus the
    CPU of the calling thread while it takes in the stream (unpickling and
    ``on_sheet``); ``stall_s``: the longest the reader's CPU may stand still;
    ``wall_s``: a backstop on the wall clock with a worker; time in
    ``on_sheet`` not counted (a stopped or starved reader ends too).
    """

    worker_s: float
    file_s: float
    wall_s: float
    stall_s: float = float("inf")


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a child process (Linux /proc), None when unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return None


_ALLOWED = {
    ("loaders.raw", "RawWorkbook"): RawWorkbook,
    ("loaders.raw", "RawSheet"): RawSheet,
    ("loaders.raw", "CellError"): CellError,
    ("datetime", "date"): _dt.date,
    ("datetime", "datetime"): _dt.datetime,
    ("datetime", "time"): _dt.time,
    ("datetime", "timedelta"): _dt.timedelta,
    ("datetime", "timezone"): _dt.timezone,
}


class _Unpickler(pickle.Unpickler):
    """Only plain values and the raw-grid classes come back from the child."""

    def find_class(self, module: str, name: str) -> object:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} not allowed") from None


@dataclass
class RunStats:
    """Figures of the last read (for bench scripts and logs)."""

    seconds: float = 0.0  # wall clock in the parent, preflight included
    child_seconds: float | None = None  # time the child spent reading
    # the child's peak resident memory since its last figure (this read's at least), None when not
    # measured: the worker measures after a failed, slow or large read and every few requests
    child_maxrss_kb: int | None = None
    outcome: str = ""  # "ok" or the refusal code
    stage: str = ""  # "preflight" | "worker"
    worker_restarted: bool = False
    extra: dict = field(default_factory=dict)


class _Worker:
    """One reader process; its pipes stay non-blocking, with one selector per direction for its lifetime."""

    def __init__(self, memory_bytes: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOT, str(ROOT), str(memory_bytes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            start_new_session=True,
        )
        self.requests = 0
        assert self.proc.stdin is not None and self.proc.stdout is not None  # both are PIPE
        self._out = self.proc.stdin.fileno()
        self._in = self.proc.stdout.fileno()
        os.set_blocking(self._out, False)
        os.set_blocking(self._in, False)
        self._rsel = selectors.DefaultSelector()
        self._rsel.register(self._in, selectors.EVENT_READ)
        self._wsel: selectors.BaseSelector | None = None  # only for a request larger than the pipe buffer
        self._spin_until = 0.0
        self.gen = 0  # the pool's generation it belongs to (Sandbox.close retires older ones)
        # the request under way: its budget, and the CPU clocks (child, calling thread) at its start
        self._budget = _Budget(float("inf"), float("inf"), float("inf"))
        self._cpu0 = 0.0
        self._thread0 = 0.0
        self._progress = (0.0, 0.0)  # (the reader's CPU last seen, seconds waited since it last advanced)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for sel in (self._rsel, self._wsel):
            if sel is not None:
                try:
                    sel.close()
                except (OSError, ValueError):
                    pass
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                if pipe:
                    pipe.close()
            except OSError:
                pass

    def _died(self, timed_out: bool, before_ack: bool = False, budget_s: float | None = None) -> _WorkerDied:
        if timed_out:
            self.kill()
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.returncode
        self.kill()
        if code is not None and code in (-signal.SIGXCPU,):
            timed_out = True
        return _WorkerDied(timed_out, code, before_ack, budget_s)

    def _check_budget(self) -> float:
        """Raise a timeout when the file spent its CPU budget; else the wall seconds before the next look.

        The reader is one thread: it cannot spend more CPU than the wall time
        that passes, so nothing is missed by waiting that long (10 ms to 0.5 s).
        """
        child = _process_cpu(self.proc.pid)
        if child is None:
            return 0.05
        used = child - self._cpu0
        if used > self._budget.worker_s:
            raise self._died(timed_out=True)
        spent = used + time.thread_time() - self._thread0
        if spent > self._budget.file_s:
            raise self._died(timed_out=True, budget_s=self._budget.file_s)
        return max(0.01, min(0.5, self._budget.worker_s - used, self._budget.file_s - spent))

    def _send(self, message: bytes, deadline: float) -> None:
        view = memoryview(message)
        while view:
            try:
                view = view[os.write(self._out, view) :]
                continue
            except BlockingIOError:
                pass
            except OSError:  # BrokenPipeError included
                raise self._died(timed_out=False, before_ack=True) from None
            if self._wsel is None:
                self._wsel = selectors.DefaultSelector()
                self._wsel.register(self._out, selectors.EVENT_WRITE)
            left = deadline - time.monotonic()
            if left <= 0 or not self._wsel.select(left):
                raise self._died(timed_out=True)

    def _wait(self, timeout: float) -> bool:
        """Wait for the reader's output; a reader whose CPU stands still while we wait, for longer
        than the budget's ``stall_s`` (stopped, hung), is ended as a timeout.  Only time spent
        waiting counts: the reader may well stand still while this thread is busy elsewhere."""
        started = time.monotonic()
        ready = bool(self._rsel.select(timeout))
        waited = time.monotonic() - started
        child = _process_cpu(self.proc.pid)
        if child is not None:
            if child > self._progress[0]:
                self._progress = (child, 0.0)
            else:
                self._progress = (child, self._progress[1] + waited)
                if self._progress[1] > self._budget.stall_s:
                    raise self._died(timed_out=True)
        return ready

    def _fill(self, buf: bytearray, need: int, deadline: float, acked: bool) -> None:
        """Read until ``buf`` holds ``need`` bytes (more may come: the rest of the stream).

        For SPIN_S after the request the pipe is polled without sleeping: a
        parent asleep in select() is woken on the worker's CPU (pipe wake-ups
        are "sync") and only runs once the worker blocks, so its work on one
        sheet would not overlap the reading of the next.  Then select().
        """
        while len(buf) < need:
            try:
                chunk = os.read(self._in, max(need - len(buf), 1 << 16))
            except BlockingIOError:
                now = time.monotonic()
                if now < self._spin_until:
                    continue  # awake: a sheet is handled as soon as it is written
                left = deadline - now
                if left <= 0:
                    raise self._died(timed_out=True) from None
                if not self._wait(min(left, self._check_budget())):
                    self._check_budget()  # a reader that spent its budget ends here
                continue
            except OSError:
                chunk = b""
            if not chunk:
                raise self._died(timed_out=False, before_ack=not acked)
            buf += chunk

    def call(
        self, request: dict, budget: _Budget, on_sheet: Callable[[RawSheet], object] | None = None
    ) -> tuple[dict, list[RawSheet]]:
        """Send one request; return the final message and the sheets streamed before it.

        ``on_sheet`` is called with each sheet as it arrives, while the worker
        reads the next one.  The ``budget`` (see ``_Budget``) covers the whole
        stream: the reader's CPU, and the CPU this thread spends on the stream
        (``on_sheet`` included: a file whose sheets cost the app too much is
        refused the same way); the wall-clock backstop does not count time in
        ``on_sheet``.  If ``on_sheet`` raises, it is called no more (the stream
        is still read).
        """
        payload = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        self._budget = budget
        self._cpu0 = _process_cpu(self.proc.pid) or 0.0
        self._thread0 = time.thread_time()
        self._progress = (self._cpu0, 0.0)
        deadline = time.monotonic() + budget.wall_s
        self.requests += 1
        self._send(HEADER.pack(len(payload)), deadline)
        self._send(payload, deadline)
        del payload  # a large file's copy is not kept while the sheets come in
        self._spin_until = time.monotonic() + SPIN_S
        buf = bytearray()
        self._fill(buf, len(ACK), deadline, acked=False)
        if bytes(buf[: len(ACK)]) != ACK:
            raise pickle.UnpicklingError("bad acknowledgement")
        del buf[: len(ACK)]
        sheets: list[RawSheet] = []
        while True:
            if time.monotonic() > deadline:  # a worker that streams without end is stopped too
                raise self._died(timed_out=True)
            self._check_budget()
            self._fill(buf, HEADER.size, deadline, acked=True)
            (size,) = HEADER.unpack_from(buf)
            end = HEADER.size + size
            self._fill(buf, end, deadline, acked=True)
            message = _Unpickler(io.BytesIO(bytes(buf[HEADER.size : end]))).load()
            del buf[:end]
            if not isinstance(message, dict):
                raise pickle.UnpicklingError("not a message")
            if "stream" not in message:
                return message, sheets
            sheet = message["stream"]
            if not isinstance(sheet, RawSheet):
                raise pickle.UnpicklingError("not a sheet")
            sheets.append(sheet)
            if on_sheet is not None:
                started = time.monotonic()
                try:
                    on_sheet(sheet)
                except Exception:  # noqa: BLE001 - the caller redoes that sheet itself and sees the error
                    on_sheet = None
                deadline += time.monotonic() - started


def pool_size() -> int:
    """Readers in a pool: one per core for any file, plus one kept for small files (at most MAX_POOL)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(2, min(cores + 1, MAX_POOL))


class Sandbox:
    """A small pool of warm, capped reader processes shared by threads (Streamlit sessions).

    A read takes an idle worker (the most recently used: it stays warm) or
    waits for one, up to ``limits.worker_queue_s`` (then ``file.busy``); the
    wait is not part of the file's budget, so a file gets the same verdict
    whatever else is being read.  Files over LARGE_FILE_BYTES may hold at most
    all workers but one: a small file never waits behind large ones.
    """

    def __init__(self, limits: Limits = LIMITS, start: bool = True, workers: int | None = None) -> None:
        self.limits = limits
        self._limits_dict = asdict(limits)  # sent with every request (Limits is frozen)
        self.size = max(1, workers if workers is not None else pool_size())
        self._lock = threading.Lock()  # guards the pool's state only, never held during a read
        self._freed = threading.Condition(self._lock)
        self._idle: list[_Worker] = []  # last one = most recently used
        self._busy = 0
        self._busy_large = 0
        self._waiting = 0
        self._gen = 0
        self._current = threading.local()  # the worker serving this thread's read
        self.last = RunStats()
        self.restarts = 0
        if start:
            started = [self._spawn() for _ in range(self.size)]
            with self._lock:
                self._idle.extend(started)

    def _spawn(self) -> _Worker:
        worker = _Worker(self.limits.worker_memory_bytes)
        worker.gen = self._gen
        return worker

    @property
    def worker_pid(self) -> int | None:
        """The worker serving this thread's read, else the one that serves the next read."""
        current = getattr(self._current, "worker", None)
        if current is not None:
            return current.pid
        with self._lock:
            return self._idle[-1].pid if self._idle else None

    @property
    def busy(self) -> int:
        """Workers serving a read now."""
        with self._lock:
            return self._busy

    @property
    def waiting(self) -> int:
        """Reads waiting for a free worker now."""
        with self._lock:
            return self._waiting

    def close(self) -> None:
        """Stop the idle workers; busy ones stop when their read ends.  A later read starts new ones."""
        with self._lock:
            idle, self._idle = self._idle, []
            self._gen += 1
            self._freed.notify_all()
        for worker in idle:
            worker.kill()

    def _acquire(self, large: bool) -> _Worker | None:
        """An idle (or newly started) worker for this thread; None after limits.worker_queue_s."""
        end = time.monotonic() + self.limits.worker_queue_s
        cap_large = max(1, self.size - 1)
        with self._lock:
            while True:
                if not large or self._busy_large < cap_large:
                    worker = None
                    while self._idle and worker is None:
                        worker = self._idle.pop()
                        if worker.gen != self._gen:
                            worker.kill()
                            worker = None
                    if worker is not None or len(self._idle) + self._busy < self.size:
                        break
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self._waiting += 1
                try:
                    self._freed.wait(left)
                finally:
                    self._waiting -= 1
            self._busy += 1
            self._busy_large += large
        if worker is None:
            worker = self._spawn()
        self._current.worker = worker
        return worker

    def _release(self, worker: _Worker, large: bool, replace: bool) -> None:
        """Back to the pool; a worker to replace (dead, left mid-stream, grown) is killed and a fresh one takes its place."""
        self._current.worker = None
        fresh = None
        if replace or worker.gen != self._gen or not worker.alive():
            worker.kill()
            if worker.gen == self._gen:
                self.restarts += 1
                fresh = self._spawn()
        else:
            fresh = worker
        with self._lock:
            self._busy -= 1
            self._busy_large -= large
            if fresh is not None:
                self._idle.append(fresh)  # next in line: a replacement serves the next read
            self._freed.notify_all()

    def read(
        self, data: bytes, filename: str, on_sheet: Callable[[RawSheet], object] | None = None
    ) -> tuple[RawWorkbook | None, list[Problem]]:
        """Preflight, then a worker; ``on_sheet(sheet)`` sees each sheet as it arrives (see ``_Worker.call``).

        The sheets ``on_sheet`` saw belong to the result only when a workbook is
        returned; after a refusal they are void.  ``on_sheet`` runs while this
        thread holds one of the pool's workers: it may read through the same
        sandbox only if the pool has another worker free.
        """
        started = time.perf_counter()
        stats = RunStats(stage="preflight")
        try:
            try:
                fmt, problems = preflight(data, filename, self.limits)
            except Exception as exc:  # noqa: BLE001 - never raise
                fmt, problems = None, [problem("file.damaged", filename, detail=type(exc).__name__)]
            if fmt is None:
                stats.outcome = problems[0].code if problems else "file.damaged"
                return None, problems or [problem("file.damaged", filename, detail="?")]
            stats.stage = "worker"
            workbook, problems = self._read_in_worker(data, fmt, filename, stats, on_sheet)
            stats.outcome = "ok" if workbook is not None else problems[0].code
            return workbook, problems
        except Exception as exc:  # noqa: BLE001 - last resort: still a verdict
            stats.outcome = "file.worker_crashed"
            return None, [problem("file.worker_crashed", filename, detail=type(exc).__name__)]
        finally:
            stats.seconds = time.perf_counter() - started
            self.last = stats
            if len(data) >= LARGE_FILE_BYTES:
                _return_memory()

    def _budget(self) -> _Budget:
        limits = self.limits
        return _Budget(
            worker_s=limits.worker_timeout_s,
            file_s=max(limits.file_timeout_s, limits.worker_timeout_s),
            wall_s=WALL_FACTOR * limits.worker_timeout_s,
            stall_s=STALL_FACTOR * limits.worker_timeout_s,
        )

    def _read_in_worker(
        self,
        data: bytes,
        fmt: str,
        filename: str,
        stats: RunStats,
        on_sheet: Callable[[RawSheet], object] | None = None,
    ) -> tuple[RawWorkbook | None, list[Problem]]:
        request = {"data": data, "fmt": fmt, "limits": self._limits_dict, "timeout": self.limits.worker_timeout_s}
        large = len(data) >= LARGE_FILE_BYTES
        queued = time.perf_counter()
        worker = self._acquire(large)
        stats.extra["queued_s"] = time.perf_counter() - queued
        if worker is None:
            return None, [problem("file.busy", filename, seconds=_seconds(self.limits.worker_queue_s))]
        budget = self._budget()
        replace = False
        try:
            try:
                try:
                    response, sheets = worker.call(request, budget, on_sheet)
                except _WorkerDied as died:
                    if not died.before_ack:
                        raise
                    # The worker was already gone (killed from outside, or died
                    # idle): not this file's fault; once more on a fresh one.
                    worker.kill()
                    self.restarts += 1
                    stats.worker_restarted = True
                    worker = self._spawn()
                    self._current.worker = worker
                    response, sheets = worker.call(request, budget, on_sheet)
            except _WorkerDied as died:
                replace = True  # the next call is served by a warm worker again
                stats.worker_restarted = True
                stats.extra["returncode"] = died.returncode
                if died.timed_out:
                    seconds = died.budget_s if died.budget_s is not None else self.limits.worker_timeout_s
                    return None, [problem("file.timeout", filename, seconds=_seconds(seconds))]
                return None, [problem("file.worker_crashed", filename)]
            except (pickle.UnpicklingError, EOFError, ValueError, struct.error) as exc:
                replace = True
                stats.worker_restarted = True
                return None, [problem("file.worker_crashed", filename, detail=type(exc).__name__)]
            except BaseException:
                replace = True  # left mid-stream (an interrupt, a bug): never reused
                stats.worker_restarted = True
                raise
            stats.child_seconds = response.get("seconds")
            stats.child_maxrss_kb = response.get("maxrss_kb")
            peak = (response.get("maxrss_kb") or 0) * 1024
            rss = (response.get("rss_kb") or response.get("maxrss_kb") or 0) * 1024
            if (
                response.get("exiting")
                or worker.requests >= RECYCLE_AFTER_REQUESTS
                or peak > RECYCLE_RSS_FRACTION * self.limits.worker_memory_bytes
                or rss > RECYCLE_RSS_BYTES
            ):
                replace = True  # memory given back to the system: a fresh worker instead of a grown one
                stats.worker_restarted = True
        finally:
            self._release(worker, large, replace)
        if response.get("ok"):
            if response.get("sheets") == len(sheets) and isinstance(response.get("format"), str):
                return RawWorkbook(format=response["format"], sheets=sheets), []
            return None, [problem("file.worker_crashed", filename)]
        code = str(response.get("code") or "file.damaged")
        params = dict(response.get("params") or {})
        if code == "file.too_large":
            params.setdefault("size", "?")
            params["limit"] = human_size(self.limits.max_uncompressed_bytes)
        return None, [problem(code, filename, sheet=response.get("sheet"), **params)]


def _return_memory() -> None:
    """Give freed heap back to the system after a large file (glibc keeps it otherwise, per thread arena)."""
    trim = _malloc_trim()
    if trim is not None:
        try:
            trim(0)
        except OSError:
            pass


_trim_fn: list = []


def _malloc_trim():
    if not _trim_fn:
        fn = None
        try:
            import ctypes

            fn = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            pass
        _trim_fn.append(fn)
    return _trim_fn[0]


def _seconds(value: float) -> str:
    return f"{value:g}".replace(".", ",")


_default: Sandbox | None = None
_default_lock = threading.Lock()


def default_sandbox() -> Sandbox:
    global _default
    with _default_lock:
        if _default is None:
            _default = Sandbox(LIMITS)
            atexit.register(_default.close)
        return _default


def read_workbook_safely(
    data: bytes, filename: str, on_sheet: Callable[[RawSheet], object] | None = None
) -> tuple[RawWorkbook | None, list[Problem]]:
    """Preflight the bytes, then read them in a warm, capped child process.

    Returns (workbook, []) or (None, [problems...]) - never raises for any input.
    ``on_sheet(sheet)`` is called with each sheet as the worker streams it (the
    caller's work on one sheet overlaps the reading of the next); those sheets
    count only when a workbook is returned.
    """
    try:
        return default_sandbox().read(bytes(data), filename, on_sheet)
    except Exception as exc:  # noqa: BLE001
        return None, [problem("file.worker_crashed", filename, detail=type(exc).__name__)]


def last_run_stats() -> RunStats:
    """Figures of the default sandbox's last read."""
    return default_sandbox().last
