"""Read untrusted workbook bytes: preflight, then a warm, capped child process.

    read_workbook_safely(data, filename) -> (RawWorkbook, []) | (None, [Problem, ...])

never raises.  The child (loaders._worker) is started once and reused; it
runs under an address-space cap (LIMITS.worker_memory_bytes) and a wall-clock
timeout (LIMITS.worker_timeout_s).  When it dies (python-calamine aborts the
process on some hostile files) or times out, that file gets a refusal
(file.worker_crashed / file.timeout) and a fresh worker is started at once, so
the next call is served warm.  One lock serialises calls (Streamlit sessions
run in threads).

Sandbox limits of this module: RECYCLE_AFTER_REQUESTS, RECYCLE_RSS_FRACTION.
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
    child_maxrss_kb: int | None = None  # the child's peak resident memory during this read
    outcome: str = ""  # "ok" or the refusal code
    stage: str = ""  # "preflight" | "worker"
    worker_restarted: bool = False
    extra: dict = field(default_factory=dict)


class _Worker:
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

    def call(self, request: dict, timeout: float) -> dict:
        """Send one request and wait for its answer, at most ``timeout`` seconds."""
        payload = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        message = HEADER.pack(len(payload)) + payload
        deadline = time.monotonic() + timeout
        self.requests += 1
        out_fd = self.proc.stdin.fileno()
        in_fd = self.proc.stdout.fileno()
        os.set_blocking(out_fd, False)
        os.set_blocking(in_fd, False)
        with selectors.DefaultSelector() as sel:
            view = memoryview(message)
            sel.register(out_fd, selectors.EVENT_WRITE)
            while view:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    raise self._died(timed_out=True)
                try:
                    view = view[os.write(out_fd, view) :]
                except BlockingIOError:
                    continue
                except (BrokenPipeError, OSError):
                    raise self._died(timed_out=False, before_ack=True) from None
            sel.unregister(out_fd)
            sel.register(in_fd, selectors.EVENT_READ)
            buf = bytearray()
            acked = False
            need = len(ACK)
            have_header = False
            while True:
                while len(buf) < need:
                    left = deadline - time.monotonic()
                    if left <= 0 or not sel.select(left):
                        raise self._died(timed_out=True)
                    try:
                        chunk = os.read(in_fd, max(need - len(buf), 1 << 16))
                    except BlockingIOError:
                        continue
                    except OSError:
                        chunk = b""
                    if not chunk:
                        raise self._died(timed_out=False, before_ack=not acked)
                    buf += chunk
                if not acked:
                    if bytes(buf[: len(ACK)]) != ACK:
                        raise pickle.UnpicklingError("bad acknowledgement")
                    acked = True
                    del buf[: len(ACK)]
                    need = HEADER.size
                    continue
                if have_header:
                    return _Unpickler(io.BytesIO(bytes(buf[HEADER.size : need]))).load()
                (size,) = HEADER.unpack(bytes(buf[: HEADER.size]))
                need = HEADER.size + size
                have_header = True


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

    def read(self, data: bytes, filename: str) -> tuple[RawWorkbook | None, list[Problem]]:
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
            workbook, problems = self._read_in_worker(data, fmt, filename, stats)
            stats.outcome = "ok" if workbook is not None else problems[0].code
            return workbook, problems
        except Exception as exc:  # noqa: BLE001 - last resort: still a verdict
            stats.outcome = "file.worker_crashed"
            return None, [problem("file.worker_crashed", filename, detail=type(exc).__name__)]
        finally:
            stats.seconds = time.perf_counter() - started
            self.last = stats

    def _read_in_worker(
        self, data: bytes, fmt: str, filename: str, stats: RunStats
    ) -> tuple[RawWorkbook | None, list[Problem]]:
        request = {"data": data, "fmt": fmt, "limits": self._limits_dict, "timeout": self.limits.worker_timeout_s}
        with self._lock:
            worker = self._ensure()
            try:
                try:
                    response = worker.call(request, self.limits.worker_timeout_s)
                except _WorkerDied as died:
                    if not died.before_ack:
                        raise
                    # The worker was already gone (killed from outside, or died
                    # idle): not this file's fault; once more on a fresh one.
                    self._replace()
                    stats.worker_restarted = True
                    worker = self._worker
                    response = worker.call(request, self.limits.worker_timeout_s)
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
            workbook = response.get("workbook")
            if isinstance(workbook, RawWorkbook):
                return workbook, []
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


def read_workbook_safely(data: bytes, filename: str) -> tuple[RawWorkbook | None, list[Problem]]:
    """Preflight the bytes, then read them in a warm, capped child process.

    Returns (workbook, []) or (None, [problems...]) - never raises for any input.
    """
    try:
        return default_sandbox().read(bytes(data), filename)
    except Exception as exc:  # noqa: BLE001
        return None, [problem("file.worker_crashed", filename, detail=type(exc).__name__)]


def last_run_stats() -> RunStats:
    """Figures of the default sandbox's last read."""
    return default_sandbox().last
