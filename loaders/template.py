"""The standard report workbook (mẫu báo cáo định kỳ), written with openpyxl.

Everything about the forms (headers, two-row groups, column widths,
vocabularies) comes from ``loaders.forms``; nothing is spelled here except
the administrative furniture around the tables (title block, signature,
instructions).

The template never holds formulas: openpyxl cannot save a formula's value,
and the loader refuses a formula without a saved value. Registry text (unit
names, task texts) is written through ``loaders.safe_cells``, so a name that
starts with "=" is text too.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from loaders import safe_cells, values
from loaders.forms import FORMS, NOTHING_TO_REPORT, VOCABULARIES, Form
from loaders.registry import Registry, Task, Unit
from loaders.settings import DEFAULTS, WardSettings

FONT_NAME = "Times New Roman"
LISTS_SHEET = "Danh mục"
GUIDE_SHEET = "Hướng dẫn"
HEADER_TOP = 9  # 1-based row of the (first) header row
DATE_FORMAT = "DD/MM/YYYY"
CADENCE_DUE_TEXT = {"ongoing": "Thường xuyên", "as_needed": "Khi phát sinh"}
SEND_TO = "Thường trực Đảng ủy phường (qua Ban Xây dựng Đảng)"

_THIN = Side(style="thin")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


def _font(size: float = 12, bold: bool = False, italic: bool = False, underline: str | None = None) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic, underline=underline)


# --------------------------------------------------------------------------
# Registry access (units and assigned tasks)
# --------------------------------------------------------------------------


def _unit(registry: Registry, code: str) -> Unit:
    unit = registry.units_by_code.get(code)
    if unit is None:
        raise KeyError(f"Không có đơn vị mã {code} trong danh mục đơn vị.")
    return unit


# --------------------------------------------------------------------------
# Period text
# --------------------------------------------------------------------------

_PERIOD_RE = re.compile(r"^(\d{4})-(?:(\d{2})|Q([1-4]))$")


def period_label(period: str) -> str:
    """'2026-02' -> 'Tháng 02/2026'; '2026-Q1' -> 'Quý I/2026'."""
    m = _PERIOD_RE.match(period or "")
    if not m or (m.group(2) and not 1 <= int(m.group(2)) <= 12):
        raise ValueError(f"Kỳ báo cáo không hợp lệ: {period!r} (cần dạng YYYY-MM hoặc YYYY-Qn).")
    return values.period_label(period)


def due_text(task: Task) -> dt.date | str | None:
    """The value written in 'Thời hạn': a date, 'Thường xuyên', 'Khi phát sinh' or None.

    A cadence word is written only when the loader accepts it as a due value,
    so that an untouched template row never becomes an error.
    """
    if task.due is not None:
        return task.due
    word = CADENCE_DUE_TEXT.get(task.cadence)
    if word is None:
        return None
    try:
        values.parse_due(word)
    except values.ValueProblem:
        return None
    return word


# --------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------


@dataclass
class SheetLayout:
    """Where things are on a form sheet of the template (1-based rows)."""

    form: Form
    sheet: str
    header_rows: tuple[int, ...]
    numbering_row: int
    first_row: int  # first input row
    last_row: int  # last input row
    columns: dict[str, str]  # field key -> column letter
    task_rows: dict[str, int] = field(default_factory=dict)  # Biểu 01: task code -> row


def _two_row(form: Form) -> bool:
    return any(f.group for f in form.fields)


def _signature(unit: Unit) -> tuple[str, str]:
    folded = unit.name.lower()
    if folded.startswith("chi bộ"):
        return "T/M CHI ỦY", "BÍ THƯ"
    if folded.startswith("đảng bộ"):
        return "T/M ĐẢNG ỦY", "BÍ THƯ"
    return "THỦ TRƯỞNG ĐƠN VỊ", "(Ký, ghi rõ họ tên, đóng dấu)"


def _merge_text(ws: Worksheet, row: int, c0: int, c1: int, text: str, font: Font, align: Alignment = CENTER) -> None:
    if c1 > c0:
        ws.merge_cells(start_row=row, start_column=c0, end_row=row, end_column=c1)
    cell = safe_cells.write(ws, row, c0, text)  # unit names come from the registry: text stays text
    cell.font = font
    cell.alignment = align


def _title_block(ws: Worksheet, form: Form, unit: Unit, period: str, settings: WardSettings) -> None:
    n = len(form.fields)
    left_end = max(3, n // 2 - 1)
    right_start = left_end + 1
    _merge_text(ws, 1, 1, left_end, settings.issuing_body, _font(12))
    _merge_text(ws, 1, right_start, n, "ĐẢNG CỘNG SẢN VIỆT NAM", _font(13, bold=True, underline="single"))
    _merge_text(ws, 2, 1, left_end, unit.name.upper(), _font(12, bold=True))
    _merge_text(ws, 2, right_start, n, f"{settings.ward_name}, ngày .. tháng .. năm ....", _font(12, italic=True))
    _merge_text(ws, 3, 1, left_end, "*", _font(12))
    _merge_text(ws, 5, 1, n, form.title, _font(14, bold=True))
    _merge_text(ws, 6, 1, n, f"Kỳ báo cáo: {period_label(period)}", _font(13, bold=True))
    _merge_text(ws, 7, 1, n, f"Đơn vị báo cáo: {unit.name}", _font(12), LEFT)
    ws.row_dimensions[5].height = 22


def _header(ws: Worksheet, form: Form) -> tuple[tuple[int, ...], int]:
    top = HEADER_TOP
    two = _two_row(form)
    bottom = top + 1 if two else top
    hfont = _font(12, bold=True)
    col = 1
    groups_done: set[str] = set()
    for i, f in enumerate(form.fields, start=1):
        ws.column_dimensions[get_column_letter(i)].width = f.width
        if two and f.group:
            if f.group not in groups_done:
                span = [j for j, g in enumerate(form.fields, start=1) if g.group == f.group]
                ws.merge_cells(start_row=top, start_column=span[0], end_row=top, end_column=span[-1])
                c = ws.cell(row=top, column=span[0], value=f.group)
                c.font, c.alignment = hfont, CENTER
                groups_done.add(f.group)
            c = ws.cell(row=bottom, column=i, value=f.sub_header or f.header)
            c.font, c.alignment = hfont, CENTER
        else:
            if two:
                ws.merge_cells(start_row=top, start_column=i, end_row=bottom, end_column=i)
            c = ws.cell(row=top, column=i, value=f.header)
            c.font, c.alignment = hfont, CENTER
        col = i
    for r in range(top, bottom + 1):
        for i in range(1, col + 1):
            ws.cell(row=r, column=i).border = BORDER
    numbering = bottom + 1
    for i in range(1, len(form.fields) + 1):
        c = ws.cell(row=numbering, column=i, value=f"({i})")
        c.font, c.alignment, c.border = _font(11, italic=True), CENTER, BORDER
    ws.row_dimensions[top].height = 33 if not two else 20
    if two:
        ws.row_dimensions[bottom].height = 33
    return tuple(range(top, bottom + 1)), numbering


_INPUT_STYLES = {
    # field kind -> (named style, horizontal alignment, number format)
    "rownum": ("BC nhập - giữa", "center", "General"),
    "task_code": ("BC nhập - giữa", "center", "General"),
    "choice": ("BC nhập - giữa", "center", "General"),
    "due": ("BC nhập - ngày", "center", DATE_FORMAT),
    "date": ("BC nhập - ngày", "center", DATE_FORMAT),
    "count": ("BC nhập - số", "center", "#,##0"),
    "percent": ("BC nhập - tỷ lệ", "center", "0"),
    "text": ("BC nhập - chữ", "left", "General"),
}


def _register_styles(wb: Workbook) -> None:
    """Named styles for input cells: one assignment per cell instead of four (much faster)."""
    done = set()
    for name, horizontal, number_format in _INPUT_STYLES.values():
        if name in done:
            continue
        done.add(name)
        style = NamedStyle(name=name)
        style.font = _font(12)
        style.border = BORDER
        style.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)
        style.number_format = number_format
        wb.add_named_style(style)


def _input_rows(ws: Worksheet, form: Form, first: int, last: int) -> None:
    names = [_INPUT_STYLES.get(f.kind, _INPUT_STYLES["text"])[0] for f in form.fields]
    for r in range(first, last + 1):
        for i, name in enumerate(names, start=1):
            ws.cell(row=r, column=i).style = name


def _validations(
    ws: Worksheet, form: Form, first: int, last: int, list_refs: dict[str, str], task_ref: str | None
) -> None:
    for i, f in enumerate(form.fields, start=1):
        letter = get_column_letter(i)
        rng = f"{letter}{first}:{letter}{last}"
        dv: DataValidation | None = None
        if f.kind == "choice" and f.vocabulary:
            dv = DataValidation(type="list", formula1=list_refs[f.vocabulary], allow_blank=True)
            dv.error = f"Chọn một giá trị trong danh sách của cột “{f.header}” (xem trang Hướng dẫn)."
            dv.prompt = f"Chọn {f.header.lower()} trong danh sách."
        elif f.kind == "task_code" and task_ref:
            dv = DataValidation(type="list", formula1=task_ref, allow_blank=True)
            dv.error = "Mã nhiệm vụ phải là một mã trong Kế hoạch (NV01, NV02, ...)."
            dv.prompt = "Chọn mã nhiệm vụ theo Kế hoạch."
        elif f.kind == "count":
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
            dv.error = f"“{f.header}” phải là số nguyên không âm."
            dv.prompt = "Nhập số nguyên (0, 1, 2, ...)."
        elif f.kind == "percent":
            dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True)
            dv.error = f"“{f.header}” phải là số từ 0 đến 100."
            dv.prompt = "Nhập số từ 0 đến 100."
        elif f.kind == "date":
            dv = DataValidation(
                type="date",
                operator="between",
                formula1="DATE(2020,1,1)",
                formula2="DATE(2100,12,31)",
                allow_blank=True,
            )
            dv.error = f"“{f.header}” phải là ngày, nhập theo dạng ngày/tháng/năm (ví dụ 11/02/2026)."
            dv.prompt = "Nhập ngày dạng ngày/tháng/năm."
        if dv is None:
            continue
        dv.errorTitle = "Giá trị không hợp lệ"
        dv.promptTitle = f.header
        dv.showErrorMessage = True
        dv.showInputMessage = True
        dv.add(rng)
        ws.add_data_validation(dv)


def _signature_block(ws: Worksheet, form: Form, unit: Unit, row: int) -> int:
    n = len(form.fields)
    left = (1, min(3, n))
    right = (max(n - 2, left[1] + 1), n)
    title, signer = _signature(unit)
    _merge_text(ws, row, *left, "NGƯỜI LẬP BIỂU", _font(12, bold=True))
    _merge_text(ws, row, *right, title, _font(12, bold=True))
    _merge_text(ws, row + 1, *left, "(Ký, ghi rõ họ tên)", _font(12, italic=True))
    _merge_text(ws, row + 1, *right, signer, _font(12, bold=signer.isupper(), italic=not signer.isupper()))
    return row + 1


def _page_setup(ws: Worksheet, header_rows: tuple[int, ...], numbering: int, first: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_rows[0]}:{numbering}"
    ws.page_margins.left = 0.5
    ws.page_margins.right = 0.4
    ws.page_margins.top = 0.6
    ws.page_margins.bottom = 0.6
    ws.page_margins.header = 0.3
    ws.page_margins.footer = 0.3
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.oddFooter.center.font = FONT_NAME
    ws.freeze_panes = f"A{first}"
    ws.sheet_view.zoomScale = 90


def _lists_sheet(wb: Workbook, task_codes: list[str]) -> tuple[dict[str, str], str | None]:
    """Hidden sheet holding the drop-down lists (labels contain commas)."""
    ws = wb.create_sheet(LISTS_SHEET)
    ws.sheet_state = "hidden"
    ws.cell(row=1, column=1, value="Danh sách giá trị dùng cho các ô chọn; không sửa trang này.").font = _font(11)
    refs: dict[str, str] = {}
    col = 1
    names = [*VOCABULARIES]
    for col, name in enumerate(names, start=1):
        labels = VOCABULARIES[name].labels()
        ws.cell(row=2, column=col, value=f"Danh sách {col}")
        for r, label in enumerate(labels, start=3):
            safe_cells.write(ws, r, col, label)
        letter = get_column_letter(col)
        refs[name] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$3:${letter}${2 + len(labels)}"
        ws.column_dimensions[letter].width = 50
    task_ref = None
    if task_codes:
        col += 1
        letter = get_column_letter(col)
        ws.cell(row=2, column=col, value=f"Danh sách {col}")
        for r, code in enumerate(task_codes, start=3):
            safe_cells.write(ws, r, col, code)
        task_ref = f"{quote_sheetname(LISTS_SHEET)}!${letter}$3:${letter}${2 + len(task_codes)}"
    return refs, task_ref


def _guide_sheet(wb: Workbook, unit: Unit, period: str, settings: WardSettings) -> None:
    ws = wb.create_sheet(GUIDE_SHEET)
    ws.column_dimensions["A"].width = 120
    lines: list[tuple[str, Font]] = [
        ("HƯỚNG DẪN ĐIỀN MẪU BÁO CÁO ĐỊNH KỲ", _font(14, bold=True)),
        (f"Áp dụng cho: {unit.name}, {period_label(period).lower()}", _font(12, italic=True)),
        ("", _font()),
        ("1. Quy định chung", _font(12, bold=True)),
        (
            "- Mỗi đơn vị gửi một tệp cho mỗi kỳ báo cáo. Tệp mẫu chưa điền gì không được tính là báo cáo.",
            _font(),
        ),
        (
            f"- Biểu nào trong kỳ đơn vị không có gì để báo cáo thì ghi “{NOTHING_TO_REPORT[0]}” vào ô đầu "
            "tiên của một dòng trống trong bảng (sau cột STT), để trống các ô khác của dòng đó; không xóa "
            "dòng tiêu đề. Biểu 01: các dòng nhiệm vụ ghi sẵn mà chưa có gì để báo cáo thì để nguyên.",
            _font(),
        ),
        (
            "- Không sửa, xóa hoặc đổi thứ tự các cột tiêu đề; không chèn công thức; số liệu nhập trực tiếp "
            "vào các dòng có kẻ ô (có thể chèn thêm dòng khi cần).",
            _font(),
        ),
        ("- Ngày nhập theo dạng ngày/tháng/năm, ví dụ 11/02/2026. Số lượng là số nguyên không âm.", _font()),
        ("- Giữ nguyên phần đầu biểu (đơn vị báo cáo, kỳ báo cáo) để hệ thống nhận đúng đơn vị và kỳ.", _font()),
        ("", _font()),
    ]
    for n, form in enumerate(FORMS, start=2):
        lines.append((f"{n}. {form.title}", _font(12, bold=True)))
        cols = []
        for f in form.fields:
            if f.kind == "rownum":
                continue
            head = f"{f.group} {f.sub_header.lower()}" if f.group and f.sub_header else f.header
            extra = ""
            if f.kind == "count":
                extra = "số nguyên không âm"
            elif f.kind == "percent":
                extra = "số từ 0 đến 100"
            elif f.kind in ("date",):
                extra = "ngày/tháng/năm"
            elif f.kind == "due":
                extra = "ngày/tháng/năm, “Thường xuyên” hoặc “Khi phát sinh”"
            elif f.kind == "choice":
                extra = "chọn trong danh sách"
            elif f.kind == "task_code":
                extra = "mã nhiệm vụ theo Kế hoạch"
            required = " (bắt buộc)" if f.required_value else ""
            cols.append(f"cột “{head}”{required}" + (f": {extra}" if extra else ""))
        lines.append(("- Các cột: " + "; ".join(cols) + ".", _font()))
        if form.guide:
            lines.append((form.guide, _font()))
        lines.append(("", _font()))
    lines.append((f"{len(FORMS) + 2}. Giá trị được chọn trong danh sách", _font(12, bold=True)))
    vocab_titles = {
        "status": "Tình trạng nhiệm vụ",
        "channel": "Hình thức tuyên truyền",
        "topic": "Nội dung tuyên truyền",
        "measure_unit": "Đơn vị tính",
        "event_format": "Hình thức tổ chức hội nghị",
        "participant_group": "Thành phần tham dự",
    }
    for name, vocab in VOCABULARIES.items():
        title = vocab_titles.get(name, name)
        lines.append((f"- {title}: " + "; ".join(f"“{label}”" for label in vocab.labels()) + ".", _font()))
    lines.append(("", _font()))
    lines.append((f"{len(FORMS) + 3}. Nơi gửi và thời hạn", _font(12, bold=True)))
    lines.append(
        (
            f"- Gửi tệp Excel về {SEND_TO} {settings.due_rule}. Khó khăn, vướng mắc ghi vào cột tương ứng của Biểu 01 để Thường trực Đảng ủy "
            "xem xét, chỉ đạo kịp thời.",
            _font(),
        )
    )
    lines.append(
        ("- Khi tệp bị từ chối, hệ thống chỉ rõ biểu, ô và cách sửa; sửa đúng ô đó rồi gửi lại cả tệp.", _font())
    )
    for r, (text, font) in enumerate(lines, start=1):
        c = ws.cell(row=r, column=1, value=text or None)
        c.font = font
        c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def build_template(
    registry: Registry | None, unit_code: str, period: str, settings: WardSettings = DEFAULTS
) -> tuple[Workbook, dict[str, SheetLayout]]:
    """Build the template workbook in memory; returns it and each form's layout (by form key).

    ``settings``: the ward's (names on the title block, due day in the guide)."""
    period_label(period)  # validates
    if registry is None:  # no implicit registry: the caller reads the ward's
        raise ValueError("build_template needs the ward's registry (units and plan tasks)")
    unit = _unit(registry, unit_code)
    tasks = registry.assigned_tasks(unit_code)
    all_codes = [t.code for t in registry.tasks]

    wb = Workbook()
    wb.remove(wb.active)
    _register_styles(wb)
    layouts: dict[str, SheetLayout] = {}
    sent = registry.forms_for(unit_code)  # the ward's rule for the unit's group (None: every form)
    forms = [form for form in FORMS if sent is None or form.key in sent] or list(FORMS)
    sheets = {form.key: wb.create_sheet(form.sheet_title) for form in forms}
    list_refs, task_ref = _lists_sheet(wb, all_codes)
    for form in forms:
        ws = sheets[form.key]
        _title_block(ws, form, unit, period, settings)
        header_rows, numbering = _header(ws, form)
        first = numbering + 1
        columns = {f.key: get_column_letter(i) for i, f in enumerate(form.fields, start=1)}
        task_rows: dict[str, int] = {}
        prelisted = tasks if form.uses_plan else []  # rows pre-filled with the unit's plan tasks
        last = first + len(prelisted) + form.template_rows - 1
        _input_rows(ws, form, first, last)
        for n, task in enumerate(prelisted, start=1):
            r = first + n - 1
            task_rows[task.code] = r
            ws[f"{columns['row_no']}{r}"] = n
            safe_cells.set_value(ws[f"{columns['task_code']}{r}"], task.code)
            safe_cells.set_value(ws[f"{columns['task_text']}{r}"], task.text)
            # wrapped text: give the row the height of its lines (Excel does not grow it on open)
            chars_per_line = max(10, int(form.field("task_text").width * 1.35))
            ws.row_dimensions[r].height = 16 * math.ceil(len(task.text) / chars_per_line) + 4
            due = due_text(task)
            if due is not None:
                safe_cells.set_value(ws[f"{columns['due']}{r}"], due)
        _validations(ws, form, first, last, list_refs, task_ref)
        _signature_block(ws, form, unit, last + 2)
        _page_setup(ws, header_rows, numbering, first)
        layouts[form.key] = SheetLayout(form, ws.title, header_rows, numbering, first, last, columns, task_rows)
    _guide_sheet(wb, unit, period, settings)
    # the lists sheet goes last
    wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(LISTS_SHEET))
    wb.active = 0
    stamp = dt.datetime(2026, 1, 1)
    wb.properties.creator = f"Văn phòng {settings.committee}"
    wb.properties.title = f"Mẫu báo cáo định kỳ — {unit.name} — {period_label(period)}"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    return wb, layouts


def write_template(
    registry: Registry | None,
    unit_code: str,
    period: str,
    dest: str | Path | IO[bytes],
    settings: WardSettings = DEFAULTS,
) -> None:
    """Write the standard workbook for ``unit_code`` and ``period`` ("YYYY-MM" or "YYYY-Qn") to ``dest``."""
    wb, _ = build_template(registry, unit_code, period, settings)
    safe_cells.save(wb, dest)
