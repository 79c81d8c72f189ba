"""The review meeting's workbook: one sheet per topic, Vietnamese headers.

Cells hold real numbers and dates with openpyxl number formats (``#,##0``,
``0.0%``, ``dd/mm/yyyy``).  Excel takes the thousands and decimal separators
from the reader's regional settings, so Vietnamese Excel shows 1.234 and
85,3% while the file itself stays a plain number a reader can sum.

Every cell is written through ``loaders.safe_cells``: a unit's text that starts
with "=" stays text (never a live formula) in the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from exports import theme
from exports.data import ReportData, collect
from exports.format import (
    COMPLIANCE_ORDER,
    NO_DATA,
    XL_DATE,
    XL_DATETIME,
    XL_INT,
    XL_PCT,
    cadence_label,
    channel_label,
    compliance_label,
    fmt_date,
    fmt_int,
    format_label,
    is_missing,
    participant_label,
    period_short,
    status_label,
    topic_label,
)
from loaders import safe_cells
from loaders.forms import FORMS
from storage.figures import FIGURES, compare, coverage_text

SHEETS = (
    "Tổng quan",
    "Tiến độ nhiệm vụ",
    "Nhiệm vụ quá hạn",
    "Tuyên truyền",
    "Tham dự",
    "Tình hình nộp báo cáo",
    "Khó khăn, vướng mắc",
    "Diễn biến",
)

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor=theme.HEADER_FILL)
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass(frozen=True)
class Col:
    header: str
    width: float
    fmt: str | None = None  # openpyxl number format
    get: Callable[[dict], Any] | None = None  # row -> cell value
    key: str | None = None  # or read row[key]
    center: bool = False

    def value(self, row: dict) -> Any:
        v = self.get(row) if self.get else row.get(self.key) if self.key else None
        if is_missing(v):
            return None
        if v is not None and hasattr(v, "item"):  # numpy scalar -> python
            v = v.item()
        return v


def _plain_date(value: Any) -> Any:
    if is_missing(value):
        return None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    return value


def _setup(ws: Worksheet, widths: Sequence[float]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "Trang &P/&N"


def _title(ws: Worksheet, data: ReportData, title: str, ncols: int) -> int:
    """Title block; returns the next free row."""
    ncols = max(ncols, 4)
    lines = [
        (f"{data.settings.issuing_body} – ĐẢNG ỦY PHƯỜNG", Font(bold=True, size=11, color=theme.ACCENT)),
        (title.upper(), Font(bold=True, size=14, color=theme.PRIMARY)),
        (data.scope, Font(italic=True, size=11)),
        (f"Ngày xuất số liệu: {fmt_date(data.today)}", Font(italic=True, size=10, color=theme.MUTED)),
    ]
    for r, (text, font) in enumerate(lines, start=1):
        safe_cells.write(ws, r, 1, text).font = font
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncols)
        ws.cell(row=r, column=1).alignment = Alignment(horizontal="left", vertical="center")
    ws.row_dimensions[2].height = 22
    return len(lines) + 2


def _section(ws: Worksheet, row: int, text: str, ncols: int) -> int:
    cell = safe_cells.write(ws, row, 1, text)
    cell.font = Font(bold=True, size=12, color=theme.ACCENT)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=max(ncols, 1))
    return row + 1


def _table(
    ws: Worksheet,
    row: int,
    cols: Sequence[Col],
    records: Sequence[dict],
    total: dict[int, Any] | None = None,
    empty_text: str = NO_DATA,
    fills: Callable[[dict, int], str | None] | None = None,
    col0: int = 1,
) -> int:
    """Header + rows (+ a total row) from column ``col0``. Returns the row after the table (plus a gap).

    Row heights are set from the wrapped text (neither openpyxl nor every
    spreadsheet program fits them on open)."""
    widths = [ws.column_dimensions[get_column_letter(col0 + i)].width or 10 for i in range(len(cols))]
    for c, col in enumerate(cols, start=col0):
        cell = safe_cells.write(ws, row, c, col.header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = _CENTER
    ws.row_dimensions[row].height = _height([c.header for c in cols], widths, bold=True)
    row += 1
    if not records:
        cell = safe_cells.write(ws, row, col0, empty_text)
        cell.font = Font(italic=True, color=theme.MUTED)
        ws.merge_cells(start_row=row, start_column=col0, end_row=row, end_column=col0 + len(cols) - 1)
        return row + 2
    for rec in records:
        values = [col.value(rec) for col in cols]
        ws.row_dimensions[row].height = _height(values, widths)
        for c, (col, value) in enumerate(zip(cols, values, strict=True), start=col0):
            cell = safe_cells.write(ws, row, c, value)  # unit text stays text, never a formula
            cell.border = _BORDER
            cell.alignment = _CENTER if col.center else _WRAP
            if col.fmt:
                cell.number_format = col.fmt
            if fills:
                color = fills(rec, c - col0 + 1)
                if color:
                    cell.fill = PatternFill("solid", fgColor=color)
        row += 1
    if total is not None:
        for c, col in enumerate(cols, start=col0):
            cell = safe_cells.write(ws, row, c, total.get(c - col0 + 1))
            cell.font = Font(bold=True)
            cell.fill = _TOTAL_FILL
            cell.border = _BORDER
            if col.fmt:
                cell.number_format = col.fmt
        row += 1
    return row + 1


def _height(values: Sequence[Any], widths: Sequence[float], bold: bool = False) -> float:
    """Row height (pt) for text wrapped in columns of these widths (characters)."""
    lines = 1
    for v, w in zip(values, widths, strict=False):
        if isinstance(v, str) and v:
            per_line = max(w * (0.95 if bold else 1.05) - 1, 4)
            n = sum(max(1, -(-len(part) // int(per_line))) for part in v.split("\n"))
            lines = max(lines, n)
    return 15.0 * lines + 3


def _records(frame) -> list[dict]:
    return frame.to_dict("records") if frame is not None and not frame.empty else []


def _share(num: float, den: float) -> float | None:
    return (num / den) if den else None


# ---------------------------------------------------------------- sheets


def _sheet_overview(wb: Workbook, data: ReportData) -> None:
    ws = wb.active
    ws.title = SHEETS[0]
    widths = (46, 16, 16, 16)
    _setup(ws, widths)
    row = _title(ws, data, "Số liệu tổng hợp kết quả thực hiện Nghị quyết 05-NQ/TU", len(widths))
    h, p = data.headline, data.previous
    items = [
        ("Số nhiệm vụ thực hiện một lần", "tasks_total", XL_INT, "done_share"),
        ("Nhiệm vụ thực hiện một lần đã hoàn thành", "tasks_done", XL_INT, "done_share"),
        (FIGURES["done_share"].label, "done_share", XL_PCT, "done_share"),
        (FIGURES["tasks_overdue"].label, "tasks_overdue", XL_INT, "tasks_overdue"),
        (FIGURES["propaganda_quantity"].label, "propaganda_quantity", XL_INT, "propaganda_quantity"),
        (FIGURES["propaganda_reach"].label, "propaganda_reach", XL_INT, "propaganda_reach"),
        (FIGURES["attendance_invited"].label, "attendance_invited", XL_INT, "attendance_invited"),
        (FIGURES["attendance_present"].label, "attendance_present", XL_INT, "attendance_present"),
        (FIGURES["attendance_rate"].label, "attendance_rate", XL_PCT, "attendance_rate"),
        ("Số lượt báo cáo đã đến hạn", "units_expected", XL_INT, "on_time_share"),
        ("Số lượt báo cáo nộp đúng hạn", "units_on_time", XL_INT, "on_time_share"),
        (FIGURES["on_time_share"].label, "on_time_share", XL_PCT, "on_time_share"),
    ]
    has_previous = bool(p.get("reports_received"))
    records = []
    for label, key, fmt, rule in items:
        cur, prev = h.get(key), p.get(key) if has_previous else None
        change = compare(rule, h)  # one rule for the figure and its parts
        if change.shown and cur is not None and prev is not None and not is_missing(cur) and not is_missing(prev):
            diff: Any = float(cur) - float(prev)
        else:
            diff = change.text
        records.append({"label": label, "cur": cur, "prev": prev, "diff": diff, "fmt": fmt})
    cols = (
        Col("Chỉ tiêu", widths[0], key="label"),
        Col("Kỳ này", widths[1], key="cur"),
        Col("Kỳ trước", widths[2], key="prev"),
        Col("Tăng (+) / giảm (−)", widths[3], key="diff"),
    )
    start = row
    ws.freeze_panes = ws.cell(row=row + 1, column=2)
    row = _table(ws, row, cols, records)
    for i, rec in enumerate(records, start=start + 1):
        for c in (2, 3, 4):
            ws.cell(row=i, column=c).number_format = rec["fmt"]
        if rec["fmt"] == XL_PCT:
            ws.cell(row=i, column=4).number_format = "+0.0%;-0.0%;0.0%"
        else:
            ws.cell(row=i, column=4).number_format = "+#,##0;-#,##0;0"
    lines = [
        "Kỳ trước: khoảng thời gian liền trước, cùng độ dài với kỳ đang xem. Không so sánh khi kỳ trước chưa có "
        "báo cáo nào, hoặc khi kỳ đang xem chưa khép lại (số liệu còn thiếu báo cáo của một số đơn vị). "
        + ("" if data.has_any else "Chưa có số liệu báo cáo trong phạm vi đã chọn."),
        f"Nhiệm vụ quá hạn tính đến ngày {fmt_date(data.as_of)}.",
    ]
    if h.get("open") and h.get("reports_expected"):
        lines.insert(0, f"Kỳ đang xem chưa khép lại: {coverage_text(h)}.")
    for text in lines:
        note = safe_cells.write(ws, row, 1, text)
        note.font = Font(italic=True, size=10, color=theme.MUTED)
        note.alignment = _WRAP
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        ws.row_dimensions[row].height = _height([text], [sum(widths)])
        row += 1
    _form_totals(ws, row + 1, data, widths)
    ws.print_title_rows = f"{start}:{start}"


def _form_totals(ws: Worksheet, row: int, data: ReportData, widths: Sequence[float]) -> int:
    """Rows and declared sums of every declared form in scope (loaders.forms), one line per form."""
    records = []
    for form in FORMS:
        entry = data.totals.get(form.key)
        if not entry:
            continue
        sums = "; ".join(f"{header}: {fmt_int(entry.get(k, 0))}" for k, header in form.sum_headers.items())
        records.append({"form": f"{form.sheet_title}. {form.name}", "rows": entry.get("rows", 0), "sums": sums})
    cols = (
        Col("Biểu báo cáo", widths[0], key="form"),
        Col("Số dòng số liệu", widths[1], XL_INT, key="rows"),
        Col("Tổng cộng", widths[2] + widths[3], key="sums"),
    )
    return _table(ws, row, cols, records)


def _sheet_tasks(wb: Workbook, data: ReportData) -> None:
    ws = wb.create_sheet(SHEETS[1])
    cols = (
        Col("Mã NV", 8, key="task_code", center=True),
        Col("Nội dung nhiệm vụ", 50, key="task"),
        Col("Đơn vị chủ trì", 22, get=lambda r: _lead_label(r.get("lead"), data)),
        Col("Thời hạn", 12, get=lambda r: _plain_date(r.get("due_date")), fmt=XL_DATE, center=True),
        Col("Loại nhiệm vụ", 14, get=lambda r: cadence_label(r.get("cadence")), center=True),
        Col("Số đơn vị được giao", 12, key="units_assigned", fmt=XL_INT, center=True),
        Col("Số đơn vị hoàn thành", 12, key="units_done", fmt=XL_INT, center=True),
        Col("Tỷ lệ hoàn thành", 12, key="done_share", fmt=XL_PCT, center=True),
        Col("Tình trạng", 16, get=lambda r: status_label(r.get("status")), center=True),
        Col("Quá hạn", 9, get=lambda r: "Quá hạn" if _truthy(r.get("overdue")) else "", center=True),
    )
    _setup(ws, [c.width for c in cols])
    row = _title(ws, data, "Tiến độ thực hiện nhiệm vụ", len(cols))
    ws.freeze_panes = ws.cell(row=row + 1, column=3)
    ws.print_title_rows = f"{row}:{row}"

    def fill(rec: dict, c: int) -> str | None:
        if c == 9:
            return _light(theme.STATUS_COLORS.get(str(rec.get("status"))))
        if c == 10 and _truthy(rec.get("overdue")):
            return _light(theme.COMPLIANCE_COLORS["missing"])
        return None

    _table(ws, row, cols, _records(data.tasks), fills=fill)


def _sheet_overdue(wb: Workbook, data: ReportData) -> None:
    ws = wb.create_sheet(SHEETS[2])
    cols = (
        Col("Mã NV", 8, key="task_code", center=True),
        Col("Nội dung nhiệm vụ", 64, key="task"),
        Col("Đơn vị chủ trì", 24, get=lambda r: _lead_label(r.get("lead"), data)),
        Col("Thời hạn", 12, get=lambda r: _plain_date(r.get("due_date")), fmt=XL_DATE, center=True),
        Col("Số ngày quá hạn", 12, key="days_overdue", fmt=XL_INT, center=True),
        Col("Tình trạng", 16, get=lambda r: status_label(r.get("status")), center=True),
    )
    _setup(ws, [c.width for c in cols])
    row = _title(ws, data, f"Nhiệm vụ quá hạn (tính đến ngày {fmt_date(data.as_of)})", len(cols))
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    ws.print_title_rows = f"{row}:{row}"
    _table(ws, row, cols, _records(data.overdue), empty_text="Không có nhiệm vụ quá hạn.")


def _quantity_reach(widths: tuple[int, ...]) -> tuple[Col, Col]:
    """The two figure columns every propaganda table has, in columns 2 and 3."""
    return (
        Col("Số lượng", widths[1], key="quantity", fmt=XL_INT),
        Col("Số người tham dự, lượt tiếp cận", widths[2], key="reach", fmt=XL_INT),
    )


def _sheet_propaganda(wb: Workbook, data: ReportData) -> None:
    ws = wb.create_sheet(SHEETS[3])
    widths = (52, 16, 20, 40)
    _setup(ws, widths)
    row = _title(ws, data, "Kết quả công tác tuyên truyền", len(widths))
    ws.freeze_panes = ws.cell(row=row, column=1)
    q_total, r_total = data.propaganda_quantity, data.propaganda_reach

    row = _section(ws, row, "1. Theo hình thức tuyên truyền", 4)
    cols: tuple[Col, ...] = (
        Col("Hình thức tuyên truyền", widths[0], get=lambda r: channel_label(r.get("channel"))),
        *_quantity_reach(widths),
    )
    row = _table(ws, row, cols, _records(data.propaganda_by_channel), total={1: "Tổng cộng", 2: q_total, 3: r_total})

    row = _section(ws, row, "2. Theo nội dung tuyên truyền", 4)
    cols = (
        Col("Nội dung tuyên truyền", widths[0], get=lambda r: topic_label(r.get("topic"))),
        *_quantity_reach(widths),
    )
    row = _table(ws, row, cols, _records(data.propaganda_by_topic), total={1: "Tổng cộng", 2: q_total, 3: r_total})

    row = _section(ws, row, "3. Theo đơn vị", 4)
    cols = (
        Col("Đơn vị", widths[0], key="unit_name"),
        *_quantity_reach(widths),
        Col("Khối", widths[3], key="group"),
    )
    _table(ws, row, cols, _records(data.propaganda_by_unit), total={1: "Tổng cộng", 2: q_total, 3: r_total})


def _sheet_attendance(wb: Workbook, data: ReportData) -> None:
    ws = wb.create_sheet(SHEETS[4])
    # one column layout for the three tables: a long text column, five numbers, two texts
    widths = (44, 12, 12, 12, 12, 12, 40, 30)
    _setup(ws, widths)
    row = _title(ws, data, "Tham dự hội nghị, học tập, quán triệt", len(widths))
    ws.freeze_panes = ws.cell(row=row, column=1)
    inv, pre = data.attendance_invited, data.attendance_present
    numbers = (
        Col("Số được triệu tập", 12, key="invited", fmt=XL_INT),
        Col("Số có mặt", 12, key="present", fmt=XL_INT),
        Col("Vắng có lý do", 12, key="absent_excused", fmt=XL_INT),
        Col("Vắng không lý do", 12, key="absent_unexcused", fmt=XL_INT),
        Col("Tỷ lệ tham dự", 12, key="rate", fmt=XL_PCT),
    )

    def total_row(frame) -> dict[int, Any] | None:
        if frame.empty:
            return None
        return {
            1: "Tổng cộng",
            2: inv,
            3: pre,
            4: int(frame["absent_excused"].fillna(0).sum()),
            5: int(frame["absent_unexcused"].fillna(0).sum()),
            6: _share(pre, inv),
        }

    row = _section(ws, row, "1. Theo thành phần tham dự", 6)
    g = data.attendance_by_group
    cols: tuple[Col, ...] = (
        Col("Thành phần", 44, get=lambda r: participant_label(r.get("participant_group"))),
        *numbers,
    )
    row = _table(ws, row, cols, _records(g), total=total_row(g))

    row = _section(ws, row, "2. Theo đơn vị", 7)
    u = data.attendance_by_unit
    cols = (Col("Đơn vị", 44, key="unit_name"), *numbers, Col("Khối", 40, key="group"))
    row = _table(ws, row, cols, _records(u), total=total_row(u))

    row = _section(ws, row, "3. Danh sách hội nghị, buổi học tập (mỗi dòng một thành phần)", 8)
    cols = (
        Col("Tên hội nghị, buổi học tập", 44, key="event"),
        *numbers,
        Col("Thành phần", 40, get=lambda r: participant_label(r.get("group"))),
        Col("Đơn vị báo cáo", 30, key="unit_name"),
        Col("Ngày tổ chức", 12, get=lambda r: _plain_date(r.get("event_date")), fmt=XL_DATE, center=True),
        Col("Hình thức", 12, get=lambda r: format_label(r.get("format")), center=True),
    )
    ws.column_dimensions["I"].width = 12
    ws.column_dimensions["J"].width = 12
    _table(ws, row, cols, _records(data.attendance_events))


def _compliance_cell(period: str) -> Callable[[dict], Any]:
    """A compliance grid cell: the unit's status label for ``period`` (empty when none)."""
    return lambda r: compliance_label(r[period]) if r.get(period) else None


def _sheet_compliance(wb: Workbook, data: ReportData) -> None:
    ws = wb.create_sheet(SHEETS[5])
    grid = data.compliance_grid()
    periods = [str(p) for p in grid.columns] if not grid.empty else []
    cols: list[Col] = [
        Col("Mã", 8, key="unit_code", center=True),
        Col("Đơn vị", 40, key="unit_name"),
        Col("Khối", 24, key="group"),
    ]
    for p in periods:
        cols.append(Col(period_short(p), 12, get=_compliance_cell(p), center=True))
    counts = ("on_time", "late", "missing")
    for key in counts:
        cols.append(Col(f"Số kỳ {compliance_label(key).lower()}", 11, key=f"n_{key}", fmt=XL_INT, center=True))
    _setup(ws, [c.width for c in cols])
    row = _title(ws, data, "Tình hình nộp báo cáo của các đơn vị", len(cols))
    ws.freeze_panes = ws.cell(row=row + 1, column=3)
    ws.print_title_rows = f"{row}:{row}"
    records = []
    if not grid.empty:
        for (code, name, group), values in grid.iterrows():
            rec = {"unit_code": code, "unit_name": name, "group": group}
            for p in periods:
                v = values.get(p)
                rec[p] = None if is_missing(v) else str(v)
            for key in counts:
                rec[f"n_{key}"] = sum(1 for p in periods if rec[p] == key)
            records.append(rec)

    def fill(rec: dict, c: int) -> str | None:
        if 4 <= c < 4 + len(periods):
            return _light(theme.COMPLIANCE_COLORS.get(str(rec.get(periods[c - 4]))))
        return None

    row = _table(ws, row, cols, records, fills=fill)
    # period summary below the grid
    row = _section(ws, row, "Tổng hợp theo kỳ", len(cols))
    table = data.compliance_counts()
    sum_cols = [Col("Kỳ báo cáo", 40, key="period_label")] + [
        Col(compliance_label(k), 14, key=k, fmt=XL_INT, center=True) for k in COMPLIANCE_ORDER
    ]
    sum_records = [
        {"period_label": period_short(p), **{k: int(v[k]) for k in COMPLIANCE_ORDER}} for p, v in table.iterrows()
    ]
    # under the grid, from column B (the wide "Đơn vị" column)
    _table(ws, row, sum_cols, sum_records, col0=2)


def _sheet_obstacles(wb: Workbook, data: ReportData) -> None:
    ws = wb.create_sheet(SHEETS[6])
    cols = (
        Col("STT", 6, key="stt", center=True),
        Col("Đơn vị", 30, key="unit_name"),
        Col("Kỳ báo cáo", 14, get=lambda r: period_short(r.get("period")), center=True),
        Col("Nhiệm vụ", 40, get=lambda r: _task_label(r)),
        Col("Khó khăn, vướng mắc", 60, key="text"),
        Col(
            "Tình trạng xử lý", 14, get=lambda r: "Đã xử lý" if _truthy(r.get("handled")) else "Chưa xử lý", center=True
        ),
    )
    _setup(ws, [c.width for c in cols])
    row = _title(ws, data, "Khó khăn, vướng mắc các đơn vị báo cáo", len(cols))
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    ws.print_title_rows = f"{row}:{row}"
    records = _records(data.obstacles)
    for i, rec in enumerate(records, start=1):
        rec["stt"] = i
    _table(ws, row, cols, records, empty_text="Các đơn vị không báo cáo khó khăn, vướng mắc.")


def _sheet_trend(wb: Workbook, data: ReportData) -> None:
    """The headline figures per period of the window ending at the chosen period (12 months, 4
    quarters or the years): the chosen period shaded, a period still open says how many reported."""
    ws = wb.create_sheet(SHEETS[7])
    tr = data.trend

    def state(r: dict) -> str:
        if not r.get("reports_received"):
            return "Chưa có báo cáo"
        if r.get("open"):
            return f"Chưa khép lại: {coverage_text(r)}"
        return f"Đã khép lại: {coverage_text(r)}"

    keys = (
        "done_share",
        "tasks_overdue",
        "propaganda_quantity",
        "propaganda_reach",
        "attendance_rate",
        "on_time_share",
    )
    cols = (
        Col("Kỳ", 14, key="label", center=True),
        Col("Tình trạng kỳ", 34, get=state),
        *(Col(FIGURES[k].label, 15, key=k, fmt=XL_PCT if FIGURES[k].kind == "share" else XL_INT) for k in keys),
    )
    _setup(ws, [c.width for c in cols])
    row = _title(ws, data, "Diễn biến các chỉ tiêu chính qua các kỳ", len(cols))
    ws.freeze_panes = ws.cell(row=row + 1, column=2)
    ws.print_title_rows = f"{row}:{row}"

    def fill(rec: dict, c: int) -> str | None:
        return "FFF2CC" if _truthy(rec.get("selected")) else None  # the chosen period

    end = _table(ws, row, cols, _records(tr), fills=fill, empty_text="Chưa có số liệu báo cáo.")
    note = safe_cells.write(
        ws,
        end,
        1,
        "Dòng tô vàng: kỳ đang xem. Ô trống: kỳ chưa có báo cáo nào (không phải bằng 0). Kỳ chưa khép lại: "
        "tháng chưa kết thúc hoặc chưa đến hạn nộp, số liệu còn tăng. Nhiệm vụ: tình trạng tính đến cuối mỗi kỳ.",
    )
    note.font = Font(italic=True, size=10, color=theme.MUTED)
    note.alignment = _WRAP
    ws.merge_cells(start_row=end, start_column=1, end_row=end, end_column=len(cols))
    ws.row_dimensions[end].height = 32


# ---------------------------------------------------------------- helpers


def _truthy(value: Any) -> bool:
    return False if is_missing(value) else bool(value)


def _light(hex_color: str | None) -> str | None:
    """A pale tint of a theme colour for cell fills."""
    if not hex_color:
        return None
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (0, 2, 4))
    r, g, b = (int(c + (255 - c) * 0.65) for c in (r, g, b))
    return f"{r:02X}{g:02X}{b:02X}"


def _task_label(rec: dict) -> str | None:
    code, task = rec.get("task_code"), rec.get("task")
    if is_missing(code) and is_missing(task):
        return None
    if is_missing(task):
        return str(code)
    if is_missing(code):
        return str(task)
    return f"{code}: {task}"


def _lead_label(lead: Any, data: ReportData) -> str | None:
    """ "BXDD;Chi bộ khu dân cư" -> "Ban Xây dựng Đảng; Chi bộ khu dân cư"."""
    if is_missing(lead):
        return None
    parts = [p.strip() for p in str(lead).split(";") if p.strip()]
    return "; ".join("Tất cả các đơn vị" if p == "ALL" else data.unit_names.get(p, p) for p in parts)


def write_workbook(data: ReportData) -> bytes:
    wb = Workbook()
    _sheet_overview(wb, data)
    _sheet_tasks(wb, data)
    _sheet_overdue(wb, data)
    _sheet_propaganda(wb, data)
    _sheet_attendance(wb, data)
    _sheet_compliance(wb, data)
    _sheet_obstacles(wb, data)
    _sheet_trend(wb, data)
    wb.properties.title = "Số liệu Nghị quyết 05-NQ/TU"
    wb.properties.creator = data.settings.committee
    return safe_cells.workbook_bytes(wb)


def build_workbook(engine: Any, filters: Any, today: dt.date) -> bytes:
    """The .xlsx for the filters, as bytes."""
    return write_workbook(collect(engine, filters, today))


__all__ = ["SHEETS", "build_workbook", "write_workbook", "XL_DATETIME"]
