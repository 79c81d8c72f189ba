"""The problem catalogue: every problem code, declared once.

A problem is a value, never an exception shown to a user.  Each code is
declared here with its severity, category, Vietnamese message template and
Vietnamese fix hint; ``make(code, ...)`` builds a ``Problem`` from it and
keeps the parameters the message was filled with (the value, the limit...).
Using a code that is not declared raises ``UndeclaredProblem`` (and
tests/test_problem_catalogue.py finds every code the sources use).

Codes of cell and column problems are built from the form declaration:
``<form>.<field>.<reason>`` (``tasks.status.required``), so they are declared
as patterns; ``lookup("tasks.status.required")`` finds the pattern
``<form>.<field>.required`` when ``tasks`` is a declared form with a field
``status``.  A code may have *variants*: other wordings of the same problem
(the unit named by the file name rather than by the title block, a formula
with no saved value rather than an error value); a variant may carry its own
severity (a due date that cannot be read is only a warning).

Templates are filled with ``str.format_map``; a parameter nobody gave shows as
``?``.  Templates of problems found at a place in a sheet start with
``{where}`` ("Biểu 03 (trang tính «BC T2»), ô G12").

``docs/PROBLEM_CODES.md`` is generated from this catalogue:
``python -m loaders.problems > docs/PROBLEM_CODES.md`` (a test checks that it
is up to date).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from loaders.forms import FORMS_BY_KEY

# --------------------------------------------------------------------------
# The value
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    code: str
    message: str  # Vietnamese, complete sentence, names the form, the sheet and the cell when known
    sheet: str | None = None  # the sheet's name as it is in the file (the unit may have renamed it)
    cell: str | None = None  # "G12" or None
    hint: str = ""  # Vietnamese: how to fix it
    severity: str = "error"  # "error" | "warning"
    # what the message was filled with (header, value, limit...), as given to ``make``
    params: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    form: str | None = None  # the form's key ("tasks"...) when the problem is inside a form, else None

    def to_json(self) -> dict[str, Any]:
        """The ``check --json`` shape (report-forms.md): sheet as named in the file, form key, cell, code, message."""
        return {"sheet": self.sheet, "form": self.form, "cell": self.cell, "code": self.code, "message": self.message}

    @property
    def category(self) -> str | None:
        """The declared category of the code ("file", "cell", ...); None for an undeclared code."""
        found = find(self.code)
        return found.category if found else None


# --------------------------------------------------------------------------
# The declaration
# --------------------------------------------------------------------------

CATEGORIES: dict[str, str] = {
    "file": "the whole file cannot be read (refused before or while reading)",
    "upload": "the upload page refuses the file before reading it, or failed itself",
    "workbook": "the workbook holds no form, or a form twice",
    "unit": "the reporting unit (title block, file name)",
    "period": "the reporting period (title block, file name)",
    "column": "a column of a form's table (header row)",
    "cell": "one cell's value",
    "row": "one row as a whole",
    "rule": "a cross-field rule of a form (loaders.forms.RULES)",
    "storage": "the database refuses to store an accepted file",
}

FIELD_PATTERN = "<form>.<field>."


@dataclass(frozen=True)
class Wording:
    message: str
    hint: str
    severity: str | None = None  # None: the code's severity


@dataclass(frozen=True)
class ProblemType:
    code: str  # exact code, or "<form>.<field>.<reason>"
    category: str
    severity: str  # "error" | "warning"
    message: str  # Vietnamese template
    hint: str  # Vietnamese template
    variants: Mapping[str, Wording] = field(default_factory=dict)
    note: str = ""  # when it is used (English, for the docs)

    @property
    def is_pattern(self) -> bool:
        return self.code.startswith(FIELD_PATTERN)

    def wording(self, variant: str | None) -> Wording:
        if variant is None:
            return Wording(self.message, self.hint, self.severity)
        return self.variants[variant]


_SAVE_AS = "Mở tệp bằng Excel, chọn Tệp > Lưu thành (File > Save As), chọn kiểu «Sổ làm việc Excel (*.xlsx)», rồi gửi lại tệp .xlsx."
_RETYPE = "Hãy nhập số liệu vào tệp mẫu Excel rồi lưu dưới dạng .xlsx để gửi lại."

_P = ProblemType
_W = Wording

CATALOGUE: tuple[ProblemType, ...] = (
    # ---- whole file (loaders.safety preflight, loaders.reader in the sandbox worker, the sandbox itself)
    _P(
        "file.empty",
        "file",
        "error",
        "Tệp «{filename}» rỗng (0 byte).",
        "Kiểm tra lại tệp đính kèm rồi gửi lại tệp báo cáo đầy đủ.",
    ),
    _P(
        "file.too_large",
        "file",
        "error",
        "Tệp «{filename}» quá lớn ({size}); giới hạn là {limit}.",
        "Xóa các trang tính, hình ảnh không cần thiết hoặc tách báo cáo thành nhiều tệp rồi gửi lại.",
    ),
    _P(
        "file.not_spreadsheet",
        "file",
        "error",
        "Tệp «{filename}» không phải bảng tính Excel/LibreOffice (nhận ra: {kind}).",
        "Hãy gửi tệp báo cáo dạng .xlsx (hoặc .xls, .ods) theo biểu mẫu.",
    ),
    _P(
        "file.html_table",
        "file",
        "error",
        "Tệp «{filename}» thực chất là trang web (HTML) được đặt đuôi {ext}, không phải bảng tính Excel thật.",
        _SAVE_AS,
    ),
    _P(
        "file.xml_spreadsheet",
        "file",
        "error",
        "Tệp «{filename}» là bảng tính dạng XML 2003 (Excel 2003 XML), chương trình không đọc được dạng này.",
        _SAVE_AS,
    ),
    _P(
        "file.csv",
        "file",
        "error",
        "Tệp «{filename}» là tệp văn bản phân tách bằng dấu phẩy/chấm phẩy (CSV), không phải bảng tính theo biểu mẫu.",
        _RETYPE,
    ),
    _P("file.text", "file", "error", "Tệp «{filename}» là tệp văn bản thường, không phải bảng tính.", _RETYPE),
    _P(
        "file.wrong_extension",
        "file",
        "error",
        "Tệp «{filename}» có đuôi {ext} nhưng nội dung thực là tệp {actual}; đuôi tệp không khớp với nội dung.",
        "Mở tệp bằng Excel rồi Lưu lại dưới dạng .xlsx (Tệp > Lưu thành > «Sổ làm việc Excel (*.xlsx)») và gửi lại; đừng đổi đuôi tệp bằng tay.",
    ),
    _P(
        "file.encrypted",
        "file",
        "error",
        "Tệp được đặt mật khẩu: hãy gỡ mật khẩu rồi gửi lại («{filename}» không đọc được khi còn mật khẩu).",
        "Mở tệp bằng mật khẩu, vào Tệp > Thông tin > Bảo vệ sổ làm việc > Mã hóa bằng mật khẩu, xóa mật khẩu, lưu lại rồi gửi lại.",
    ),
    _P(
        "file.damaged",
        "file",
        "error",
        "Tệp «{filename}» bị hỏng hoặc không đầy đủ, không đọc được ({detail}).",
        "Mở thử tệp trên máy của đơn vị; nếu mở được thì Lưu lại dưới dạng .xlsx rồi gửi lại, nếu không thì gửi lại bản gốc.",
    ),
    _P(
        "file.zip_bomb",
        "file",
        "error",
        "Tệp «{filename}» có cấu trúc nén bất thường (khi giải nén lên tới {size}, tỉ lệ nén {ratio}:1); tệp bị từ chối để bảo vệ hệ thống.",
        "Tệp báo cáo bình thường không như vậy: hãy nhập số liệu vào tệp mẫu mới, lưu dưới dạng .xlsx rồi gửi lại.",
    ),
    _P(
        "file.xml_entities",
        "file",
        "error",
        "Tệp «{filename}» chứa khai báo thực thể XML (DTD/ENTITY) trong phần «{member}»; tệp bị từ chối để bảo vệ hệ thống.",
        "Tệp do Excel/LibreOffice lưu không có khai báo này: hãy mở tệp, Lưu lại dưới dạng .xlsx rồi gửi lại.",
    ),
    _P(
        "file.sheet_too_large",
        "file",
        "error",
        "Trang tính «{sheet_name}» của tệp «{filename}» quá lớn hoặc có ô ở vị trí bất thường ({where}); giới hạn là {max_rows} dòng và {max_cols} cột.",
        "Xóa các dòng, cột thừa ở cuối trang tính (hoặc chép phần số liệu sang một trang tính mới), lưu lại rồi gửi lại.",
    ),
    _P(
        "file.too_many_sheets",
        "file",
        "error",
        "Tệp «{filename}» có quá nhiều trang tính ({count} trang tính); giới hạn là {limit} trang tính.",
        "Chỉ giữ lại các trang tính báo cáo theo biểu mẫu, xóa các trang tính khác, lưu lại rồi gửi lại.",
    ),
    _P(
        "file.busy",
        "file",
        "error",
        "Hệ thống đang bận đọc các tệp khác; tệp «{filename}» chưa được kiểm tra sau {seconds} giây chờ.",
        "Thử gửi lại tệp sau ít phút.",
    ),
    _P(
        "file.timeout",
        "file",
        "error",
        "Đọc tệp «{filename}» mất quá {seconds} giây nên đã dừng; tệp quá lớn hoặc có cấu trúc bất thường.",
        "Chỉ giữ lại các trang tính báo cáo theo biểu mẫu, xóa phần thừa, lưu dưới dạng .xlsx rồi gửi lại.",
    ),
    _P(
        "file.worker_crashed",
        "file",
        "error",
        "Tệp «{filename}» làm bộ đọc bảng tính dừng đột ngột (tệp hỏng hoặc đòi quá nhiều bộ nhớ), không đọc được.",
        "Mở tệp trên máy của đơn vị, chép số liệu sang tệp mẫu mới, lưu dưới dạng .xlsx rồi gửi lại.",
    ),
    _P(
        "file.unreadable",
        "file",
        "error",
        "Không đọc được tệp “{filename}”.",
        "Gửi lại tệp Excel (.xlsx, .xls) hoặc .ods.",
        variants={"os_error": _W("Không đọc được tệp {filename}: {reason}.", "")},
        note="reading gave no workbook and no reason; variant os_error: the command line could not read the path",
    ),
    _P(
        "file.not_found",
        "file",
        "error",
        "Không tìm thấy tệp “{filename}”.",
        "Kiểm tra lại đường dẫn tệp.",
        note="command line: no such file",
    ),
    # ---- upload page (before the file is read)
    _P(
        "upload.file_type",
        "upload",
        "error",
        "Tệp «{filename}» có đuôi {ext}: trang này chỉ nhận bảng tính Excel (.xlsx, .xlsm, .xls) hoặc LibreOffice (.ods).",
        "Mở báo cáo bằng Excel, chọn Tệp > Lưu thành (File > Save As), chọn kiểu «Sổ làm việc Excel (*.xlsx)» "
        "rồi gửi lại tệp .xlsx. Nếu chưa có báo cáo, hãy tải tệp mẫu ở trên.",
    ),
    _P(
        "upload.internal_error",
        "upload",
        "error",
        "Không kiểm tra được tệp «{filename}» do lỗi của hệ thống; tệp chưa được lưu.",
        "Thử gửi lại sau ít phút; nếu vẫn lỗi, báo cho Văn phòng Đảng ủy kèm tệp này.",
    ),
    # ---- storage
    _P(
        "storage.refused",
        "storage",
        "error",
        "{reason}",
        "",
        note="the database cannot take an accepted file (no ward loaded, unit not in the database's registry)",
    ),
    # ---- workbook
    _P(
        "workbook.no_form",
        "workbook",
        "error",
        "Tệp “{filename}” không có biểu báo cáo nào nhận ra được ({forms}): không tìm thấy dòng tiêu đề bảng theo mẫu.",
        "Dùng mẫu báo cáo của Văn phòng Đảng ủy; giữ nguyên dòng tiêu đề các cột (STT, Tình trạng, Số lượng, Số có mặt...).",
    ),
    _P(
        "workbook.duplicate_form",
        "workbook",
        "error",
        "{form_title} có số liệu ở nhiều trang tính: {sheets}; chỉ nhận một bảng cho mỗi biểu.",
        "Gộp số liệu vào một trang tính, xóa trang còn lại.",
    ),
    _P(
        "workbook.empty",
        "workbook",
        "error",
        "Tệp “{filename}” chưa có số liệu: không biểu nào có dòng số liệu ({forms}). "
        "Một tệp mẫu chưa điền không được tính là báo cáo.",
        "Điền số liệu vào các biểu. Biểu nào trong kỳ không có gì để báo cáo thì ghi “{nothing}” vào ô đầu "
        "tiên của dòng số liệu đầu tiên (xem trang Hướng dẫn của tệp mẫu).",
        note="no data row in any form and no form declared empty with a 'Không có' row (an untouched template)",
    ),
    # ---- unit and period
    _P(
        "unit.not_found",
        "unit",
        "error",
        "Đơn vị “{text}” ({source}) không có trong danh sách đơn vị của phường.",
        "Ghi đúng tên đơn vị như trong danh sách; nếu là đơn vị mới, đề nghị quản trị viên thêm vào danh sách.",
        variants={
            "missing": _W(
                "Không tìm thấy đơn vị báo cáo: phần đầu biểu không có dòng “{label}: ...” và tên tệp không nêu đơn vị.",
                "Ghi “{label}: <tên đơn vị>” ở phần đầu biểu, dưới dòng tên đảng bộ.",
            )
        },
        note="variant missing: neither a title line nor the file name names a unit",
    ),
    _P(
        "unit.ambiguous",
        "unit",
        "error",
        "Đơn vị “{text}” ({source}) giống nhiều đơn vị: {candidates}.",
        "Ghi đầy đủ tên đơn vị như trong danh sách đơn vị, ví dụ “Chi bộ Khu dân cư số 3”.",
        variants={
            "file_name": _W(
                "Tên tệp “{text}” giống nhiều đơn vị: {candidates}.",
                "Ghi dòng “{label}: ...” ở phần đầu biểu.",
            )
        },
        note="variant file_name: only the file name names the unit, and it fits several",
    ),
    _P(
        "unit.conflict",
        "unit",
        "error",
        "Đơn vị không thống nhất: “{first}” ({first_source}) là {first_value}, "
        "nhưng “{other}” ({other_source}) là {other_value}.",
        "Sửa cho các nơi ghi đơn vị (phần đầu các biểu, tên tệp) cùng một đơn vị.",
    ),
    _P(
        "period.unreadable",
        "period",
        "error",
        "Kỳ báo cáo “{text}” ({source}) không đọc được.",
        "Ghi kỳ báo cáo dạng “Tháng 02/2026” hoặc “Quý I/2026”.",
    ),
    _P(
        "period.not_found",
        "period",
        "error",
        "Không tìm thấy kỳ báo cáo: phần đầu biểu không có dòng “{label}: ...” và tên tệp không nêu kỳ.",
        "Ghi “{label}: Tháng 02/2026” (hoặc “Quý I/2026”) ở phần đầu biểu.",
    ),
    _P(
        "period.conflict",
        "period",
        "error",
        "Kỳ báo cáo không thống nhất: “{first}” ({first_source}) là {first_value}, "
        "nhưng “{other}” ({other_source}) là {other_value}.",
        "Sửa cho các nơi ghi kỳ báo cáo (phần đầu các biểu, tên tệp) cùng một kỳ.",
    ),
    # ---- columns of a form's table
    _P(
        "<form>.<field>.missing_column",
        "column",
        "error",
        "{where}: thiếu cột “{header}” trong dòng tiêu đề của bảng",
        "Thêm cột “{header}” vào bảng theo mẫu báo cáo (có thể tải mẫu mới).",
        variants={
            "any_of": _W(
                "{where}: thiếu cột {headers} trong dòng tiêu đề của bảng",
                "Thêm cột {headers} vào bảng theo mẫu báo cáo.",
            )
        },
        note="a required column (Field.required_column); variant any_of: none of a Form.required_any group",
    ),
    # ---- cells (reasons of loaders.values.ValueProblem and of the validation)
    _P(
        "<form>.<field>.required",
        "cell",
        "error",
        "{where}: {header} không được để trống",
        "Điền {header_lc} cho dòng này, hoặc xóa cả dòng nếu không dùng.",
        variants={
            "any_of": _W(
                "{where}: {header} và {other_lc} đều để trống",
                "Ghi {header_lc} hoặc {other_lc} cho dòng này.",
            )
        },
        note="a field with required_value left blank; variant any_of: every field of a required_any group blank",
    ),
    _P(
        "<form>.<field>.not_number",
        "cell",
        "error",
        "{where}: {header} phải là số, ô đang ghi “{value}”",
        "Chỉ ghi chữ số, ví dụ 12 hoặc 1.200.",
    ),
    _P(
        "<form>.<field>.not_whole",
        "cell",
        "error",
        "{where}: {header} phải là số nguyên không âm, ô đang ghi “{value}”",
        "Ghi số nguyên, ví dụ 12; không ghi số lẻ.",
    ),
    _P(
        "<form>.<field>.negative",
        "cell",
        "error",
        "{where}: {header} không được là số âm (“{value}”)",
        "Ghi số nguyên từ 0 trở lên.",
    ),
    _P(
        "<form>.<field>.out_of_range",
        "cell",
        "error",
        "{where}: {header} phải từ 0 đến 100, ô đang ghi “{value}”",
        "Ghi tỷ lệ từ 0 đến 100, ví dụ 80 hoặc 80%.",
    ),
    _P(
        "<form>.<field>.not_date",
        "cell",
        "error",
        "{where}: {header} không phải là ngày hợp lệ: “{value}”",
        "Ghi ngày theo thứ tự ngày/tháng/năm, ví dụ 11/02/2026.",
        variants={
            "due": _W(
                "{where}: {header} “{value}” không đọc được thành ngày hoặc kỳ",
                "Ghi ngày (11/02/2026), kỳ (Quý I/2026) hoặc “Thường xuyên”.",
                "warning",
            )
        },
        note="variant due (a warning): a deadline cell that is neither a date, a period nor an ongoing word",
    ),
    _P(
        "<form>.<field>.not_in_list",
        "cell",
        "error",
        "{where}: {header} “{value}” không có trong danh mục; giá trị hợp lệ: {allowed}",
        "Chọn một trong các giá trị: {allowed}.",
    ),
    _P(
        "<form>.<field>.cell_error",
        "cell",
        "error",
        "{where}: {header} là ô lỗi công thức {value}",
        "Sửa công thức hoặc nhập trực tiếp giá trị, rồi lưu lại tệp.",
        variants={
            "no_value": _W(
                "{where}: {header} là công thức chưa có giá trị đã lưu ({value})",
                "Mở tệp bằng Excel hoặc LibreOffice, tính lại (F9) rồi lưu; hoặc nhập trực tiếp giá trị.",
            )
        },
        note="variant no_value: a formula saved without its value",
    ),
    _P(
        "<form>.<field>.unknown",
        "cell",
        "error",
        "{where}: {header} “{value}” không có trong kế hoạch",
        "Dùng mã trong kế hoạch: {codes}; hoặc để trống mã và ghi đúng nội dung nhiệm vụ.",
        note="a task code (field kind task_code) that the plan does not hold",
    ),
    _P(
        "<form>.<field>.ambiguous",
        "cell",
        "error",
        "{where}: {header} “{value}” giống nhiều nhiệm vụ: {candidates}",
        "Ghi {code_lc} để chỉ rõ nhiệm vụ.",
        note="a task's text that fits several plan tasks",
    ),
    _P(
        "<form>.<field>.no_match",
        "cell",
        "error",
        "{where}: {header} “{value}” không khớp nhiệm vụ nào trong kế hoạch",
        "Ghi {code_lc} (ví dụ NV01) hoặc chép đúng nội dung nhiệm vụ trong kế hoạch.",
        note="a task's text that fits no plan task",
    ),
    _P(
        "<form>.<field>.not_reported",
        "row",
        "warning",
        "{where}: dòng {line} chưa ghi {header_lc}; dòng này không được tính",
        "Ghi {header_lc} nếu đơn vị có thực hiện; bỏ qua nếu nhiệm vụ không giao cho đơn vị.",
        note="a pre-filled template row (Form.report_fields) nobody filled in; not counted",
    ),
    # ---- cross-field rules (loaders.forms.RULES names the check that raises each)
    _P(
        "tasks.completed_on_required",
        "rule",
        "error",
        "{where}: {status_header} là “{done}” nhưng {completed_on_lc} để trống",
        "Ghi {completed_on_lc} (ngày/tháng/năm).",
    ),
    _P(
        "tasks.completed_on_future",
        "rule",
        "error",
        "{where}: {header} ({value}) ở sau ngày hôm nay ({today})",
        "Chỉ báo cáo việc đã hoàn thành; kiểm tra lại ngày/tháng/năm.",
    ),
    _P(
        "tasks.percent_status_mismatch",
        "rule",
        "warning",
        "{where}: {percent_header} ({percent}%) không khớp {status_lc} “{status}”",
        "Kiểm tra lại {status_lc} và {percent_lc}.",
    ),
    _P(
        "propaganda.date_outside_period",
        "rule",
        "warning",
        "{where}: {header} ({value}) nằm ngoài kỳ báo cáo ({period})",
        "Hoạt động của kỳ khác nên báo cáo trong kỳ đó; kiểm tra lại ngày.",
    ),
    _P(
        "attendance.present_gt_invited",
        "rule",
        "error",
        "{where}: {present_header} ({present}) lớn hơn {invited_lc} ({invited})",
        "{present_header} không thể vượt {invited_lc}; kiểm tra lại hai ô.",
    ),
    _P(
        "attendance.sum_mismatch",
        "rule",
        "warning",
        "{where}: {present_header} ({present}) + {excused_lc} ({excused}) + {unexcused_lc} ({unexcused}) = {total}, "
        "khác {invited_lc} ({invited})",
        "Kiểm tra lại số có mặt và số vắng.",
    ),
)

BY_CODE: dict[str, ProblemType] = {p.code: p for p in CATALOGUE}
PATTERNS: dict[str, ProblemType] = {p.code[len(FIELD_PATTERN) :]: p for p in CATALOGUE if p.is_pattern}


class UndeclaredProblem(KeyError):
    """A problem code that the catalogue does not declare (a programming error, never shown to a user)."""


_FOUND: dict[str, ProblemType | None] = {}


def find(code: str) -> ProblemType | None:
    """The declaration of ``code`` (exact, or the pattern of a declared form's field); None if undeclared."""
    try:
        return _FOUND[code]
    except KeyError:
        pass
    found = BY_CODE.get(code)
    if found is None or found.is_pattern:
        found = None
        parts = code.split(".")
        if len(parts) == 3 and parts[2] in PATTERNS:
            form = FORMS_BY_KEY.get(parts[0])
            if form is not None and any(f.key == parts[1] for f in form.fields):
                found = PATTERNS[parts[2]]
    if found is not None:  # undeclared codes are not cached: a form may be declared later (tests)
        _FOUND[code] = found
    return found


def lookup(code: str) -> ProblemType:
    found = find(code)
    if found is None:
        raise UndeclaredProblem(code)
    return found


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def make(
    code: str,
    *,
    sheet: str | None = None,
    cell: str | None = None,
    variant: str | None = None,
    form: str | None = None,
    **params: Any,
) -> Problem:
    """The Problem of a declared code, its message and hint filled with ``params`` (kept on the Problem)."""
    declared = lookup(code)
    wording = declared.wording(variant)
    values = _Missing(params)
    return Problem(
        code=code,
        message=wording.message.format_map(values),
        sheet=sheet,
        cell=cell,
        hint=wording.hint.format_map(values),
        severity=wording.severity or declared.severity,
        params=params,
        form=form,
    )


# --------------------------------------------------------------------------
# The docs page
# --------------------------------------------------------------------------


def markdown() -> str:
    """docs/PROBLEM_CODES.md, generated from the catalogue."""
    lines = [
        "# Problem codes",
        "",
        "Generated from `loaders/problems.py` by `python -m loaders.problems > docs/PROBLEM_CODES.md`;",
        "do not edit by hand (tests/test_problem_catalogue.py fails when this page is out of date).",
        "",
        "`<form>` is a form key of `loaders/forms.py` and `<field>` one of its fields: such codes exist for every",
        "declared form and field.  `{name}` marks a parameter of the message (kept in `Problem.params`).",
        "",
        "## Categories",
        "",
        "| category | meaning |",
        "|---|---|",
        *(f"| `{k}` | {v} |" for k, v in CATEGORIES.items()),
    ]
    for category in CATEGORIES:
        lines += ["", f"## {category}", "", "| code | severity | message | hint |", "|---|---|---|---|"]
        for p in CATALOGUE:
            if p.category != category:
                continue
            lines.append(f"| `{p.code}` | {p.severity} | {_cell(p.message)} | {_cell(p.hint)} |")
            for name, w in p.variants.items():
                lines.append(
                    f"| `{p.code}` ({name}) | {w.severity or p.severity} | {_cell(w.message)} | {_cell(w.hint)} |"
                )
            if p.note:
                lines.append(f"| | | *{_cell(p.note)}* | |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;") or "—"


if __name__ == "__main__":
    print(markdown(), end="")
