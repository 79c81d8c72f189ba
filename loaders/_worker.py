"""The sandboxed reader process (started by loaders.sandbox; never imported by the app).

Protocol on its own stdin/stdout: each message is an 8-byte big-endian length
followed by a pickle; the worker answers one byte b"R" as soon as a request
has arrived whole (so a worker that died before that is not blamed on the
file).  Request: {"data": bytes, "fmt": str, "limits": dict,
"timeout": float}.  Then one {"stream": RawSheet} message per sheet, sent as
soon as it is read, and the final response: {"ok": True, "format": str,
"sheets": int} or {"ok": False, "code": str, "sheet": str | None, "params":
dict} (a Refusal, codes of loaders.problems), each with "seconds" and
"exiting"; after a slow, large or failed read (and every MEMORY_EVERY
requests) also "maxrss_kb" (peak resident memory since the last figure),
"rss_kb" (resident memory after it) and "peak_seconds".  File descriptor 1 is re-pointed to stderr at
start so that a stray print can never corrupt the protocol.

Caps: RLIMIT_AS (the memory cap, so calamine's allocation failures abort this
process and never the app), RLIMIT_CPU per request (a backstop to the
parent's CPU-time budget), no core files; after a large request freed heap is
handed back (malloc_trim) before the memory figures.  No pandas here.
"""

from __future__ import annotations

import os
import pickle
import resource
import struct
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from loaders.raw import RawSheet

HEADER = struct.Struct(">Q")
ACK = b"R"
MEMORY_EVERY = 16  # memory figures (VmHWM, VmRSS) at least every this many requests ...
MEMORY_SLOW_S = 0.005  # ... and after any read slower than this (a read that grows far takes longer)
MEMORY_LARGE_BYTES = 1024 * 1024  # ... or of a request larger than this


def _read_exact(fd: int, n: int) -> bytes | None:
    parts, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _memory_kb(*fields: str) -> list[int | None]:
    """VmHWM / VmRSS ... of this process in KB (Linux; None elsewhere), from one read of /proc/self/status."""
    out: list[int | None] = [None] * len(fields)
    wanted = {f.encode() + b":": i for i, f in enumerate(fields)}
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                i = wanted.get(line.split(b"\t", 1)[0].split(b" ", 1)[0])
                if i is not None:
                    out[i] = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return out


def _reset_peak() -> None:
    """Reset VmHWM so that the next figure is this request's peak (Linux 4.0+)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _set_limit(which: int, soft: int) -> None:
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(which, (soft, hard))


def main() -> None:
    memory_bytes = int(sys.argv[1]) if len(sys.argv) > 1 else 500 * 1024 * 1024
    proto_in = os.dup(0)
    proto_out = os.dup(1)
    os.dup2(2, 1)  # stray output -> stderr
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)

    # Warm imports before the caps (they are the worker's fixed cost).
    import gc

    import python_calamine  # noqa: F401
    import xlrd  # noqa: F401

    try:
        import ctypes

        trim = ctypes.CDLL("libc.so.6").malloc_trim  # freed heap back to the system after a large file
    except (OSError, AttributeError):
        trim = None

    from loaders.forms import Limits
    from loaders.reader import Refusal, iter_sheets

    gc.freeze()  # the imported modules are never garbage: collections need not scan them again
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _set_limit(resource.RLIMIT_AS, memory_bytes)

    requests = 0
    peak_at = time.perf_counter()
    while True:
        header = _read_exact(proto_in, HEADER.size)
        if header is None:
            return  # parent closed the pipe
        (size,) = HEADER.unpack(header)
        body = _read_exact(proto_in, size)
        if body is None:
            return
        _write_all(proto_out, ACK)  # the request arrived whole: from now on, a death is this file's doing
        request = pickle.loads(body)
        del body
        requests += 1
        used = resource.getrusage(resource.RUSAGE_SELF)
        cpu = int(used.ru_utime + used.ru_stime)
        _set_limit(resource.RLIMIT_CPU, cpu + int(request.get("timeout", 5)) + 2)
        started = time.perf_counter()
        exit_after = False
        sent = 0
        sheet: RawSheet | None  # both dropped (set to None) once answered: the memory goes back at once
        response: dict[str, Any] | None
        try:
            fmt = request["fmt"]
            for sheet in iter_sheets(request["data"], fmt, Limits(**request["limits"])):
                # streamed at once: the parent looks for the forms in it while the next sheet is read
                try:
                    _send(proto_out, {"stream": sheet})
                except OSError:
                    return  # the parent is gone (or gave up on this request): nothing to answer
                sent += 1
            response = {"ok": True, "format": fmt, "sheets": sent}
        except Refusal as r:
            response = {"ok": False, "code": r.code, "sheet": r.sheet, "params": r.params}
        except MemoryError:
            response = {"ok": False, "code": "file.worker_crashed", "sheet": None, "params": {"reason": "memory"}}
            exit_after = True
        except RecursionError:
            response = {
                "ok": False,
                "code": "file.damaged",
                "sheet": None,
                "params": {"detail": "cấu trúc lồng nhau quá sâu"},
            }
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - every failure is a verdict (Rust panics included)
            response = {"ok": False, "code": "file.damaged", "sheet": None, "params": {"detail": type(exc).__name__}}
        request = sheet = None
        seconds = time.perf_counter() - started
        if trim is not None and size > MEMORY_LARGE_BYTES:
            try:
                trim(0)
            except OSError:
                pass
        response["seconds"] = seconds
        # Memory figures cost ~40 us (/proc reads): taken after a slow, large or failed read, and every
        # MEMORY_EVERY requests; the peak then covers every request since the last figure (never less).
        if not response["ok"] or seconds > MEMORY_SLOW_S or size > MEMORY_LARGE_BYTES or requests % MEMORY_EVERY == 0:
            # ru_maxrss survives exec (it may be the parent's); VmHWM is this process's own peak.
            peak, rss = _memory_kb("VmHWM", "VmRSS")
            response["maxrss_kb"] = peak or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            response["rss_kb"] = rss
            response["peak_seconds"] = time.perf_counter() - peak_at  # the span the peak covers
            _reset_peak()
            peak_at = time.perf_counter()
        response["exiting"] = exit_after
        try:
            _send(proto_out, response)
        except MemoryError:
            _send(proto_out, {"ok": False, "code": "file.worker_crashed", "sheet": None, "params": {}, "exiting": True})
            exit_after = True
        response = None
        if exit_after:
            return


def _send(fd: int, message: dict) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    _write_all(fd, HEADER.pack(len(payload)) + payload)


if __name__ == "__main__":
    main()
