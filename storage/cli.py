"""``python -m loaders ingest|totals|backup|restore`` (reached through loaders/__main__.py).

Exit status: 0 when everything went through (for ``ingest``: every file stored
or already stored — a duplicate counts as fine, reported ``stored: false,
duplicate: true``), 1 when a file was refused or a step failed, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}
log = logging.getLogger(__name__)


def collect(paths: list[str]) -> list[Path]:
    """Files named, plus spreadsheet files found recursively in folders (sorted)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in EXTENSIONS))
        else:
            out.append(p)
    return out


class Progress:
    """A one-line progress bar on stderr for people (silent when stderr is not a terminal)."""

    def __init__(self, total: int, stream=None):
        self.total, self.stream = total, stream or sys.stderr
        self.on = bool(total) and hasattr(self.stream, "isatty") and self.stream.isatty()

    def show(self, done: int, name: str) -> None:
        if not self.on:
            return
        width = 30
        fill = int(width * done / self.total)
        self.stream.write(f"\r[{'#' * fill}{'.' * (width - fill)}] {done}/{self.total} {name[:40]:<40}")
        self.stream.flush()

    def close(self) -> None:
        if self.on:
            self.stream.write("\n")
            self.stream.flush()


# What a database without a ward is given.  ``python -m loaders`` sets it to the app's
# (``bootstrap.seeder()``: the sample ward's registry, or nothing with DASHBOARD_SEED=0),
# so that the command line and the app create the registry the same way.
SEEDER = None


def _prepare(engine) -> None:
    """Migrate, and give a database without a ward what the app would (SEEDER): under the schema
    lock (ensure_database), so parallel first starts do it once (the others wait, then find it done)."""
    from storage.db import ensure_database

    ensure_database(engine, seed=SEEDER)


NO_REGISTRY = (
    "Chưa có danh mục đơn vị và kế hoạch: cơ sở dữ liệu chưa được thiết lập (DASHBOARD_SEED=0). "
    "Hãy thiết lập phường trong ứng dụng (mục Quản trị) rồi gửi lại."
)


def _engine(url: str | None):
    """The engine for ``url``; a database that cannot be used raises DatabaseUnavailable (exit 2)."""
    from storage.health import open_database

    return open_database(url, prepare=_prepare).engine


def _refused(path: Path, code: str, variant: str | None = None, **params: Any):
    from loaders.problems import make
    from loaders.result import CheckResult

    return CheckResult(file=path.name, accepted=False, errors=[make(code, variant=variant, **params)])


def cmd_ingest(args) -> int:
    from storage.ingest import IngestOutcome, StorageError, ingest_bytes
    from storage.registry import load_registry

    files = collect(args.paths)
    engine = _engine(args.db)
    registry = load_registry(engine)
    if not registry.units:
        print(NO_REGISTRY, file=sys.stderr)
        return 2
    bar = Progress(len(files))
    failed = 0
    for i, path in enumerate(files, 1):
        bar.show(i - 1, path.name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            outcome = IngestOutcome(
                _refused(path, "file.unreadable", "os_error", filename=path.name, reason=exc.strerror)
            )
        else:
            try:
                outcome = ingest_bytes(engine, data, path.name, sender=args.sender, registry=registry)
            except StorageError as exc:
                outcome = IngestOutcome(_refused(path, "storage.refused", reason=str(exc)))
            except Exception as exc:  # noqa: BLE001 - this file is reported, the batch goes on
                log.info("ingest of %s failed", path, exc_info=True)
                outcome = IngestOutcome(
                    _refused(
                        path,
                        "storage.refused",
                        reason=f"Không lưu được tệp {path.name} do lỗi cơ sở dữ liệu ({type(exc).__name__}); "
                        "các tệp khác vẫn được xử lý, hãy gửi lại tệp này sau.",
                    )
                )
        ok = outcome.stored or outcome.duplicate
        failed += not ok
        if args.json:
            print(json.dumps(outcome.to_json(), ensure_ascii=False), flush=True)
        else:
            if outcome.stored:
                line = f"đã lưu, lần gửi {outcome.submission_id}, phiên bản {outcome.version}"
            elif outcome.duplicate:
                line = f"đã có (trùng tệp đã lưu, lần gửi {outcome.submission_id})"
            else:
                line = "bị từ chối: " + "; ".join(p.message for p in outcome.result.errors)
            bar.close() if bar.on else None
            print(f"{path}: {line}", flush=True)
        bar.show(i, path.name)
    bar.close()
    return 1 if failed else 0


def cmd_totals(args) -> int:
    from loaders.forms import FORMS_BY_KEY
    from storage.periods import parse_period
    from storage.queries import Filters, totals

    engine = _engine(args.db)
    month = None
    if args.period:
        try:
            month = parse_period(args.period).month
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            return 2
    forms = totals(engine, Filters(period_from=month, period_to=month, unit=args.unit))
    if args.json:
        print(json.dumps({"period": args.period, "unit": args.unit, "forms": forms}, ensure_ascii=False))
    else:
        for form, sums in forms.items():
            print(
                FORMS_BY_KEY[form].sheet_title
                + ": "
                + ", ".join(f"{k} = {v:,}".replace(",", ".") for k, v in sums.items())
            )
    return 0


def cmd_backup(args) -> int:
    from storage.backup import backup

    engine = _engine(args.db)
    counts = backup(engine, args.output)
    print(f"Đã sao lưu {sum(counts.values()):,} dòng vào {args.output}".replace(",", "."), file=sys.stderr)
    return 0


def cmd_restore(args) -> int:
    from storage.backup import BackupError, restore
    from storage.db import default_url, get_engine
    from storage.health import check_url

    check_url(args.db or default_url())
    engine = get_engine(args.db)
    try:
        counts = restore(engine, args.file, replace=args.replace)
    except BackupError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"Đã khôi phục {sum(counts.values()):,} dòng từ {args.file}".replace(",", "."), file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m loaders", description="Lưu trữ báo cáo vào cơ sở dữ liệu.")
    sub = p.add_subparsers(dest="command", required=True)
    db_help = "địa chỉ cơ sở dữ liệu (mặc định: DATABASE_URL hoặc data/dashboard.db)"

    s = sub.add_parser("ingest", help="kiểm tra và lưu các tệp báo cáo")
    s.add_argument("paths", nargs="+", help="tệp hoặc thư mục (đọc cả thư mục con)")
    s.add_argument("--db", default=None, help=db_help)
    s.add_argument("--json", action="store_true", help="in một đối tượng JSON cho mỗi tệp")
    s.add_argument("--sender", default="", help="người gửi")
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("totals", help="tổng số liệu của các phiên bản hiện hành")
    s.add_argument("--db", default=None, help=db_help)
    s.add_argument("--period", default=None, help="kỳ báo cáo YYYY-MM hoặc YYYY-Qn")
    s.add_argument("--unit", default=None, help="mã đơn vị")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_totals)

    s = sub.add_parser("backup", help="sao lưu cơ sở dữ liệu ra một tệp zip")
    s.add_argument("--db", default=None, help=db_help)
    s.add_argument("-o", "--output", required=True, help="tệp sao lưu (.zip)")
    s.set_defaults(func=cmd_backup)

    s = sub.add_parser("restore", help="khôi phục từ tệp sao lưu")
    s.add_argument("--db", default=None, help=db_help)
    s.add_argument("file", help="tệp sao lưu (.zip)")
    s.add_argument("--replace", action="store_true", help="xóa dữ liệu hiện có trước khi khôi phục")
    s.set_defaults(func=cmd_restore)
    return p


def main(argv: list[str] | None = None) -> int:
    from storage.health import DatabaseUnavailable

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DatabaseUnavailable as exc:  # one Vietnamese line naming the address, no traceback
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
