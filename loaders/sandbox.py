"""Read untrusted workbook bytes: preflight, then a warm, capped child process.

    read_workbook_safely(data, filename) -> (RawWorkbook, []) | (None, [Problem, ...])

never raises.  ``read_workbook_safely(data, filename, on_sheet)`` streams:
the worker sends each sheet as soon as it is read and ``on_sheet(sheet)``
runs in the caller's process meanwhile (loaders.check looks for the forms
there); those sheets count only when a workbook is returned.  The child
(loaders._worker) is started once and reused; it
runs under an address-space cap (LIMITS.worker_memory_bytes) and a wall-clock
timeout (LIMITS.worker_timeout_s).  When it dies (python-calamine aborts the
process on some hostile files) or times out, that file gets a refusal
(file.worker_crashed / file.timeout) and a fresh worker is started at once, so
the next call is served warm.  One lock serialises calls (Streamlit sessions
run in threads).

Sandbox limits of this module: RECYCLE_AFTER_REQUESTS, RECYCLE_RSS_FRACTION;
SPIN_S is how long the parent polls the pipe before it sleeps.
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
# The worker imports loaders.reader/raw/forms without running loaders/__init__.py
# (which pulls in pandas via the check orchestration): a bare package module
# whose __path__ is the loaders folder stands in for it.
_BOOT = (
    "import sys, types; root = sys.argv.pop(1); pkg = types.ModuleType('loaders'); "
    "pkg.__path__ = [root + '/loaders']; sys.modules['loaders'] = pkg; sys.path.insert(0, root); "
    "from loaders._worker import main; main()"
)


class _WorkerDied(Exception):
    def __init__(self, timed_out: bool, returncode: int | None, before_ack: bool = False) -> None:
        super().__init__("worker died")
        self.timed_out = timed_out
        self.returncode = returncode
        self.before_ack = before_ack  # died before it had the request: not this file's doing


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
        self._out = self.proc.stdin.fileno()
        self._in = self.proc.stdout.fileno()
        os.set_blocking(self._out, False)
        os.set_blocking(self._in, False)
        self._rsel = selectors.DefaultSelector()
        self._rsel.register(self._in, selectors.EVENT_READ)
        self._wsel: selectors.BaseSelector | None = None  # only for a request larger than the pipe buffer
        self._spin_until = 0.0

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

    def _died(self, timed_out: bool, before_ack: bool = False) -> _WorkerDied:
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
        return _WorkerDied(timed_out, code, before_ack)

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
                if left <= 0 or not self._rsel.select(left):
                    raise self._died(timed_out=True) from None
                continue
            except OSError:
                chunk = b""
            if not chunk:
                raise self._died(timed_out=False, before_ack=not acked)
            buf += chunk

    def call(
        self, request: dict, timeout: float, on_sheet: Callable[[RawSheet], object] | None = None
    ) -> tuple[dict, list[RawSheet]]:
        """Send one request; return the final message and the sheets streamed before it.

        ``on_sheet`` is called with each sheet as it arrives, while the worker
        reads the next one.  The ``timeout`` covers the whole stream; time spent
        in ``on_sheet`` is not counted (it is the parent's work, not the file's).
        If ``on_sheet`` raises, it is called no more (the stream is still read).
        """
        payload = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        deadline = time.monotonic() + timeout
        self.requests += 1
        self._send(HEADER.pack(len(payload)) + payload, deadline)
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


class Sandbox:
    """A warm, capped reader process behind a lock."""

    def __init__(self, limits: Limits = LIMITS, start: bool = True) -> None:
        self.limits = limits
        self._limits_dict = asdict(limits)  # sent with every request (Limits is frozen)
        self._lock = threading.Lock()
        self._worker: _Worker | None = None
        self.last = RunStats()
        self.restarts = 0
        if start:
            with self._lock:
                self._ensure()

    def _ensure(self) -> _Worker:
        if self._worker is None or not self._worker.alive():
            if self._worker is not None:
                self._worker.kill()
                self.restarts += 1
            self._worker = _Worker(self.limits.worker_memory_bytes)
        return self._worker

    def _replace(self) -> None:
        if self._worker is not None:
            self._worker.kill()
            self.restarts += 1
        self._worker = _Worker(self.limits.worker_memory_bytes)

    @property
    def worker_pid(self) -> int | None:
        return self._worker.pid if self._worker else None

    def close(self) -> None:
        with self._lock:
            if self._worker is not None:
                self._worker.kill()
                self._worker = None

    def read(
        self, data: bytes, filename: str, on_sheet: Callable[[RawSheet], object] | None = None
    ) -> tuple[RawWorkbook | None, list[Problem]]:
        """Preflight, then the worker; ``on_sheet(sheet)`` sees each sheet as it arrives (see ``_Worker.call``).

        The sheets ``on_sheet`` saw belong to the result only when a workbook is
        returned; after a refusal they are void. ``on_sheet`` runs while this
        sandbox's lock is held: it must not read through the same sandbox (that
        would wait for itself forever).
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

    def _read_in_worker(
        self,
        data: bytes,
        fmt: str,
        filename: str,
        stats: RunStats,
        on_sheet: Callable[[RawSheet], object] | None = None,
    ) -> tuple[RawWorkbook | None, list[Problem]]:
        request = {"data": data, "fmt": fmt, "limits": self._limits_dict, "timeout": self.limits.worker_timeout_s}
        with self._lock:
            worker = self._ensure()
            try:
                try:
                    response, sheets = worker.call(request, self.limits.worker_timeout_s, on_sheet)
                except _WorkerDied as died:
                    if not died.before_ack:
                        raise
                    # The worker was already gone (killed from outside, or died
                    # idle): not this file's fault; once more on a fresh one.
                    self._replace()
                    stats.worker_restarted = True
                    worker = self._worker
                    response, sheets = worker.call(request, self.limits.worker_timeout_s, on_sheet)
            except _WorkerDied as died:
                self._replace()  # the next call is served by a warm worker again
                stats.worker_restarted = True
                stats.extra["returncode"] = died.returncode
                if died.timed_out:
                    return None, [problem("file.timeout", filename, seconds=_seconds(self.limits.worker_timeout_s))]
                return None, [problem("file.worker_crashed", filename)]
            except (pickle.UnpicklingError, EOFError, ValueError, struct.error) as exc:
                self._replace()
                stats.worker_restarted = True
                return None, [problem("file.worker_crashed", filename, detail=type(exc).__name__)]
            except BaseException:
                self._replace()  # left mid-stream (an interrupt, a bug): never reused
                stats.worker_restarted = True
                raise
            stats.child_seconds = response.get("seconds")
            stats.child_maxrss_kb = response.get("maxrss_kb")
            rss = (response.get("rss_kb") or response.get("maxrss_kb") or 0) * 1024
            if (
                response.get("exiting")
                or worker.requests >= RECYCLE_AFTER_REQUESTS
                or rss > RECYCLE_RSS_FRACTION * self.limits.worker_memory_bytes
            ):
                self._replace()
                stats.worker_restarted = True
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
