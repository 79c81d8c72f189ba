"""``python -m loaders check FILE... [--json]`` and ``python -m loaders template``.

check: one line of JSON per file with --json (keys: file, accepted, unit,
period, forms, errors, warnings); otherwise a readable Vietnamese summary.
``file`` is the path exactly as given on the command line.
Exit status: 0 every file accepted, 1 any refused, 2 bad usage (or no registry to check against).

Registry: the same as the app's.  ``check`` and ``template`` read the units and
the current plan's tasks from the database named by ``--db``, DATABASE_URL or
the embedded ``data/dashboard.db`` when that database exists and holds a ward;
otherwise the one a new database is given (the sample ward; none with
DASHBOARD_SEED=0).  Nothing is created or stored (``bootstrap.cli_registry``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import NoReturn

from loaders.detect import place
from loaders.forms import FORMS_BY_KEY
from loaders.problems import make
from loaders.result import CheckResult
from loaders.text import format_number


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # exit 2 with a Vietnamese hint
        self.print_usage(sys.stderr)
        print(f"Lỗi cách dùng: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m loaders", description="Kiểm tra tệp báo cáo, tạo mẫu báo cáo.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    c = sub.add_parser("check", help="kiểm tra tệp báo cáo (không lưu gì)")
    c.add_argument("files", nargs="+", metavar="FILE")
    c.add_argument("--json", action="store_true", help="một dòng JSON cho mỗi tệp")
    c.add_argument("--today", help="ngày hôm nay (YYYY-MM-DD), để kiểm tra lại một kỳ cũ")
    c.add_argument("--db", default=None, help="cơ sở dữ liệu lấy danh mục đơn vị, nhiệm vụ (mặc định: DATABASE_URL)")
    t = sub.add_parser("template", help="tạo mẫu báo cáo cho một đơn vị, một kỳ")
    t.add_argument("--unit", required=True, metavar="CODE")
    t.add_argument("--period", required=True, metavar="YYYY-MM")
    t.add_argument("-o", "--output", required=True, metavar="FILE")
    t.add_argument("--db", default=None, help="cơ sở dữ liệu lấy danh mục đơn vị, nhiệm vụ (mặc định: DATABASE_URL)")
    return p


NO_REGISTRY = (
    "Chưa có danh mục đơn vị và kế hoạch để kiểm tra: cơ sở dữ liệu chưa được thiết lập "
    "(DASHBOARD_SEED=0). Hãy thiết lập phường trong ứng dụng (mục Quản trị) hoặc chỉ rõ --db."
)


def _registry(url: str | None):
    """The registry the app would check against (see the module doc); None when there is none."""
    # The command line is an app entry point like app.py: it asks the app-level bootstrap.
    from bootstrap import cli_registry

    return cli_registry(url)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if exc.code in (0, None) else 2
    if args.command == "check":
        return _check(args)
    return _template(args)


# --------------------------------------------------------------------------
# check
# --------------------------------------------------------------------------


def _check(args: argparse.Namespace) -> int:
    import datetime as dt

    from loaders.check import check_path

    today = None
    if args.today:
        try:
            today = dt.date.fromisoformat(args.today)
        except ValueError:
            print(f"Lỗi cách dùng: --today phải có dạng YYYY-MM-DD, nhận được “{args.today}”", file=sys.stderr)
            return 2
    registry = _registry(args.db)
    if registry is None:
        print(f"Lỗi: {NO_REGISTRY}", file=sys.stderr)
        return 2
    all_ok = True
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            result = CheckResult(file=name, accepted=False)
            result.errors.append(make("file.not_found", filename=name))
        else:
            result = check_path(path, registry=registry, today=today)
            result.file = name
        all_ok &= result.accepted
        if args.json:
            print(json.dumps(result.to_json(), ensure_ascii=False), flush=True)
        else:
            print(human(result, registry), flush=True)
    return 0 if all_ok else 1


def human(result: CheckResult, registry) -> str:
    """A readable Vietnamese summary of one check (``registry`` names the unit)."""
    from loaders.values import period_label

    mark = "✔" if result.accepted else "✘"
    verdict = "được chấp nhận" if result.accepted else "bị từ chối"
    lines = [f"{mark} {result.file}: {verdict}"]
    unit = registry.unit_label(result.unit.value) if result.unit.value else "không xác định"
    src = f" (lấy từ: {result.unit.source})" if result.unit.source and result.unit.value else ""
    lines.append(f"  Đơn vị: {unit}{src}")
    src = f" (lấy từ: {result.period.source})" if result.period.source and result.period.value else ""
    period = period_label(result.period.value) if result.period.value else "không xác định"
    lines.append(f"  Kỳ báo cáo: {period}{src}")
    for key, summary in result.form_summary().items():
        form = FORMS_BY_KEY[key]
        parts = [f"{format_number(summary['rows'])} dòng"]
        parts += [f"{form.field(k).header} {format_number(v)}" for k, v in summary.items() if k != "rows"]
        if result.forms[key].nothing_to_report:
            parts = ["đơn vị ghi «Không có»: không có gì để báo cáo"]
        lines.append(f"  {place(form, result.forms[key].sheet)}: " + "; ".join(parts))
    for title, problems in (("Lỗi", result.errors), ("Cảnh báo", result.warnings)):
        if problems:
            lines.append(f"  {title} ({len(problems)}):")
            for p in problems:
                lines.append(f"    - {p.message}")
                if p.hint:
                    lines.append(f"      → {p.hint}")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# template
# --------------------------------------------------------------------------


def _template(args: argparse.Namespace) -> int:
    if not re.fullmatch(r"20\d{2}-(0[1-9]|1[0-2]|Q[1-4])", args.period):
        print(
            f"Lỗi cách dùng: --period phải có dạng YYYY-MM (hoặc YYYY-Qn), nhận được “{args.period}”", file=sys.stderr
        )
        return 2
    registry = _registry(args.db)
    if registry is None:
        print(f"Lỗi: {NO_REGISTRY}", file=sys.stderr)
        return 2
    if args.unit not in registry.units_by_code:
        codes = ", ".join(registry.units_by_code)
        print(f"Lỗi cách dùng: không có đơn vị mã “{args.unit}”. Các mã: {codes}", file=sys.stderr)
        return 2
    from loaders.template import write_template  # openpyxl: loaded only for this command

    write_template(registry, args.unit, args.period, args.output)
    print(f"Đã tạo mẫu báo cáo: {args.output}")
    return 0
