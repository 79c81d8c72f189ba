"""The three report forms, declared once as data.

Everything that knows about a form (header detection, value parsing,
validation, error messages, the template writer, the sample generator, the
storage schema's column names) reads this module; nothing else spells a
header, an alias, a vocabulary or a rule.

Text matching is done on *folded* text (see ``loaders.text.fold``): lower
case, no diacritics, "đ" -> "d", punctuation and runs of white space reduced
to one space.  Aliases below are written the way people write them; they are
folded when compared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# --------------------------------------------------------------------------
# Vocabularies: canonical Vietnamese label -> stable key, plus variants.
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    key: str  # stable English key stored in the database
    label: str  # canonical Vietnamese label (shown in UI, written in templates)
    variants: tuple[str, ...] = ()  # other spellings units really use


@dataclass(frozen=True)
class Vocabulary:
    name: str
    choices: tuple[Choice, ...]

    def labels(self) -> list[str]:
        return [c.label for c in self.choices]

    def by_key(self, key: str) -> Choice:
        for c in self.choices:
            if c.key == key:
                return c
        raise KeyError(key)


STATUS = Vocabulary(
    "status",
    (
        Choice("not_started", "Chưa thực hiện", ("Chưa triển khai", "Chưa TH", "Chưa làm", "Chưa")),
        Choice(
            "in_progress",
            "Đang thực hiện",
            ("Đang triển khai", "Đang TH", "Đang làm", "Đang tiến hành", "Đang"),
        ),
        Choice("done", "Hoàn thành", ("Đã hoàn thành", "HT", "Đã HT", "Xong", "Đã thực hiện")),
    ),
)

CHANNEL = Vocabulary(
    "channel",
    (
        Choice(
            "portal",
            "Cổng thông tin điện tử",
            ("Cổng TTĐT", "Cổng thông tin", "Trang thông tin điện tử", "Cổng TTĐT phường", "Website"),
        ),
        Choice("social", "Mạng xã hội", ("MXH", "Facebook", "Zalo", "Fanpage", "Trang mạng xã hội")),
        Choice("cell_meeting", "Sinh hoạt chi bộ", ("SHCB", "Sinh hoạt chi bộ định kỳ")),
        Choice(
            "conference",
            "Hội nghị, sinh hoạt hội, đoàn thể",
            ("Hội nghị", "Sinh hoạt hội", "Sinh hoạt đoàn thể", "Hội nghị, sinh hoạt đoàn thể"),
        ),
        Choice(
            "theory_class",
            "Bồi dưỡng lý luận chính trị",
            ("Lý luận chính trị", "BDLLCT", "Bồi dưỡng LLCT", "Lớp bồi dưỡng lý luận chính trị"),
        ),
        Choice(
            "visual",
            "Tuyên truyền trực quan (khẩu hiệu, pano, băng rôn)",
            ("Tuyên truyền trực quan", "Trực quan", "Khẩu hiệu", "Pano", "Băng rôn", "Pano, băng rôn"),
        ),
        Choice("other", "Khác", ("Hình thức khác",)),
    ),
)

TOPIC = Vocabulary(
    "topic",
    (
        Choice(
            "plan",
            "Nội dung Đề án, Nghị quyết, Kế hoạch",
            ("Đề án, Nghị quyết, Kế hoạch", "Nội dung Đề án, Nghị quyết", "Đề án, Nghị quyết", "Nghị quyết"),
        ),
        Choice(
            "role_models",
            "Gương điển hình, mô hình tiêu biểu, cách làm sáng tạo",
            ("Gương điển hình", "Mô hình tiêu biểu", "Gương điển hình, mô hình tiêu biểu", "Điển hình tiên tiến"),
        ),
        Choice(
            "public_opinion",
            "Dư luận cán bộ, đảng viên và Nhân dân",
            ("Dư luận", "Dư luận xã hội", "Dư luận cán bộ, đảng viên, Nhân dân"),
        ),
        Choice(
            "counter_hostile",
            "Đấu tranh phản bác quan điểm sai trái, thù địch",
            (
                "Đấu tranh phản bác",
                "Phản bác quan điểm sai trái",
                "Đấu tranh phản bác các quan điểm sai trái, thù địch",
            ),
        ),
        Choice("other", "Khác", ("Nội dung khác",)),
    ),
)

MEASURE_UNIT = Vocabulary(
    "measure_unit",
    (
        Choice("tin", "tin", ("tin bài",)),
        Choice("bai", "bài", ("bài viết",)),
        Choice("buoi", "buổi", ("cuộc",)),
        Choice("lop", "lớp", ("lớp học",)),
        Choice("khau_hieu", "khẩu hiệu", ()),
        Choice("pano", "pano", ("pa nô", "panô")),
        Choice("bang_ron", "băng rôn", ("băng rôn, khẩu hiệu", "băng zôn")),
        Choice("luot", "lượt", ("lượt người",)),
    ),
)

EVENT_FORMAT = Vocabulary(
    "event_format",
    (
        Choice("in_person", "Trực tiếp", ("TT", "Tập trung")),
        Choice("online", "Trực tuyến", ("Online", "TTuyến", "Trực tuyến tại điểm cầu")),
    ),
)

PARTICIPANT_GROUP = Vocabulary(
    "participant_group",
    (
        Choice("standing_committee", "Thường trực Đảng ủy", ("TTĐU", "Thường trực ĐU", "Thường trực")),
        Choice(
            "front_and_mass_orgs",
            "Lãnh đạo, công chức Ủy ban MTTQ và các tổ chức chính trị - xã hội",
            (
                "Ủy ban MTTQ và các tổ chức chính trị - xã hội",
                "MTTQ và các tổ chức CT-XH",
                "MTTQ và đoàn thể",
                "Lãnh đạo, công chức MTTQ và các đoàn thể",
            ),
        ),
        Choice(
            "party_advisory_staff",
            "Lãnh đạo, công chức các cơ quan chuyên trách tham mưu, giúp việc Đảng ủy",
            (
                "Các cơ quan chuyên trách tham mưu, giúp việc Đảng ủy",
                "Cơ quan tham mưu, giúp việc Đảng ủy",
                "Cơ quan tham mưu giúp việc",
            ),
        ),
        Choice("party_reporters", "Báo cáo viên Đảng ủy", ("Báo cáo viên", "BCV")),
        Choice("party_members", "Đảng viên", ("Toàn thể đảng viên", "ĐV")),
        Choice("public", "Quần chúng, Nhân dân", ("Nhân dân", "Quần chúng", "Quần chúng nhân dân")),
    ),
)

VOCABULARIES = {v.name: v for v in (STATUS, CHANNEL, TOPIC, MEASURE_UNIT, EVENT_FORMAT, PARTICIPANT_GROUP)}

# --------------------------------------------------------------------------
# Fields and forms
# --------------------------------------------------------------------------

# Field kinds understood by the parser (loaders.values):
#   rownum     STT column: used to spot the numbering row, never data
#   text       free text, cleaned of control characters
#   task_code  text, must exist in the plan's task registry
#   due        a date, "Thường xuyên", or a period such as "Quý I/2026"
#   date       a day-first date (Excel date, "11/02/2026", "ngày 11 tháng 02 năm 2026")
#   percent    0..100; 0.8 and "80%" mean 80
#   count      a whole number >= 0; "12", "12 bài", "1.200" (=1200) accepted
#   choice     one of ``vocabulary``'s labels or variants


@dataclass(frozen=True)
class Field:
    key: str
    header: str  # canonical header (written in templates, used in messages)
    kind: str
    aliases: tuple[str, ...] = ()
    # group header for two-row headers, e.g. "Vắng" over "Có lý do"
    group: str | None = None
    sub_header: str | None = None
    required_column: bool = False
    required_value: bool = False
    vocabulary: str | None = None
    width: int = 14  # template column width
    # storage: the table column this field is stored in (default: its key); False: not a column of the
    # form's table (Biểu 01's obstacles go to their own table, see Form.obstacle_field)
    column: str | None = None
    stored: bool = True


@dataclass(frozen=True)
class Form:
    key: str  # tasks | propaganda | attendance
    number: str  # "01"
    sheet_title: str  # "Biểu 01", used in messages and as template sheet name
    title: str  # the title line of the template
    fields: tuple[Field, ...]
    # at least one field of each tuple must be present as a column
    required_any: tuple[tuple[str, ...], ...] = ()
    # fields summed in check output (besides "rows")
    sums: tuple[str, ...] = ()
    # a row is data when at least one of these fields has a value
    data_fields: tuple[str, ...] = ()
    # rows of a template come pre-filled with some fields (task code, text, due);
    # a row where none of these is filled in is "not reported yet": skipped with a warning
    report_fields: tuple[str, ...] = ()
    # a row whose first text cells say one of these is a total row
    total_words: tuple[str, ...] = ("Tổng cộng", "Cộng", "Tổng", "Tổng số", "Cộng tổng")
    # --- what the other layers take from the declaration
    name: str = ""  # Vietnamese name shown with the sheet title ("Tiến độ thực hiện nhiệm vụ")
    table: str = ""  # storage: the table of the normalised rows (columns: stored_columns())
    obstacle_field: str | None = None  # storage: a text field whose non-empty cells become obstacles
    row_checks: tuple[str, ...] = ()  # names of loaders.validate.ROW_CHECKS run on every row
    template_rows: int = 10  # empty input rows of the template
    guide: str = ""  # the template guide's paragraph on this form (Vietnamese)

    def stored_columns(self) -> tuple[StoredColumn, ...]:
        """The columns of the form's table, derived from its fields' kinds (besides id, form, sheet, row)."""
        out: list[StoredColumn] = []
        for f in self.fields:
            if f.kind == "rownum" or not f.stored:
                continue
            if f.kind == "due":  # a deadline keeps its text and, when it names one, its date
                out += [
                    StoredColumn("due_text", "text", "due_text", f.key),
                    StoredColumn("due_date", "date", "due_date", f.key),
                ]
            else:
                out.append(StoredColumn(f.column or f.key, STORED_TYPES[f.kind], f.key))
        return tuple(out)

    @property
    def uses_plan(self) -> bool:
        """Rows name plan tasks (a field of kind task_code): the form belongs to the plan it was checked against."""
        return any(f.kind == "task_code" for f in self.fields)

    @property
    def sum_headers(self) -> dict[str, str]:
        """The summed fields (check output, upload summary, totals, exports) and their Vietnamese headers."""
        return {k: self.field(k).header for k in self.sums}

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)

    @property
    def label(self) -> str:
        return self.sheet_title


# How a field kind is stored (storage maps these to SQL types): text, int, float or date.
STORED_TYPES = {
    "text": "text",
    "task_code": "text",
    "choice": "text",
    "count": "int",
    "percent": "float",
    "date": "date",
}


@dataclass(frozen=True)
class StoredColumn:
    name: str  # the table's column
    type: str  # text | int | float | date
    source: str  # the frame's column
    fallback: str | None = None  # frame column read when ``source`` is absent


_STT = Field("row_no", "STT", "rownum", ("TT", "Số TT", "Số thứ tự", "No"), width=6)

TASKS = Form(
    key="tasks",
    number="01",
    sheet_title="Biểu 01",
    title="BIỂU 01: TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ",
    fields=(
        _STT,
        Field("task_code", "Mã nhiệm vụ", "task_code", ("Mã NV", "Mã số nhiệm vụ", "Mã"), width=10),
        Field(
            "task_text",
            "Nội dung nhiệm vụ",
            "text",
            ("Nhiệm vụ", "Tên nhiệm vụ", "Nội dung công việc", "Nội dung"),
            width=50,
        ),
        Field("due", "Thời hạn", "due", ("Thời hạn hoàn thành", "Hạn hoàn thành", "Hạn", "Thời gian hoàn thành")),
        Field(
            "status",
            "Tình trạng",
            "choice",
            ("Trạng thái", "Tình hình thực hiện", "Tiến độ", "Kết quả thực hiện"),
            required_column=True,
            required_value=True,
            vocabulary="status",
            width=18,
        ),
        Field(
            "percent",
            "Tỷ lệ hoàn thành (%)",
            "percent",
            ("Tỷ lệ (%)", "% hoàn thành", "Tỷ lệ hoàn thành", "Tỷ lệ", "Tỉ lệ hoàn thành (%)", "Tỉ lệ (%)", "%"),
            width=12,
        ),
        Field("completed_on", "Ngày hoàn thành", "date", ("Ngày HT", "Thời gian hoàn thành thực tế")),
        Field("evidence", "Kết quả, sản phẩm", "text", ("Kết quả", "Sản phẩm", "Kết quả sản phẩm"), width=36),
        Field(
            "obstacles",
            "Khó khăn, vướng mắc",
            "text",
            ("Khó khăn", "Vướng mắc", "Khó khăn vướng mắc"),
            width=30,
            stored=False,
        ),
        Field("note", "Ghi chú", "text", (), width=18),
    ),
    required_any=(("task_code", "task_text"),),
    sums=(),
    data_fields=("task_code", "task_text", "status"),
    report_fields=("status", "percent", "completed_on", "evidence", "obstacles", "note"),
    name="Tiến độ thực hiện nhiệm vụ",
    table="task_rows",
    obstacle_field="obstacles",
    row_checks=("task_match", "task_status"),
    template_rows=5,
    guide=(
        "- Các nhiệm vụ được giao cho đơn vị đã ghi sẵn; chỉ điền tình trạng, tỷ lệ hoàn thành, "
        "ngày hoàn thành, kết quả và khó khăn, vướng mắc (nếu có). Nhiệm vụ đã hoàn thành phải ghi "
        "ngày hoàn thành (không ghi ngày trong tương lai). Nhiệm vụ thường xuyên ghi tình trạng "
        "“Đang thực hiện” khi trong kỳ có triển khai."
    ),
)

PROPAGANDA = Form(
    key="propaganda",
    number="02",
    sheet_title="Biểu 02",
    title="BIỂU 02: KẾT QUẢ TUYÊN TRUYỀN NGHỊ QUYẾT 05-NQ/TU",
    fields=(
        _STT,
        Field(
            "channel",
            "Hình thức tuyên truyền",
            "choice",
            ("Hình thức", "Kênh tuyên truyền", "Hình thức TT"),
            required_column=True,
            required_value=True,
            vocabulary="channel",
            width=34,
        ),
        Field(
            "topic",
            "Nội dung tuyên truyền",
            "choice",
            ("Nội dung", "Chủ đề", "Nội dung TT", "Chủ đề tuyên truyền"),
            required_column=True,
            required_value=True,
            vocabulary="topic",
            width=40,
        ),
        Field(
            "quantity",
            "Số lượng",
            "count",
            ("SL", "Số lượng (tin, bài, buổi)", "S.L"),
            required_column=True,
            required_value=True,
            width=10,
        ),
        Field("measure_unit", "Đơn vị tính", "choice", ("ĐVT", "Đ.V.T", "Đơn vị"), vocabulary="measure_unit", width=10),
        Field(
            "reach",
            "Số người tham dự, lượt tiếp cận",
            "count",
            ("Lượt tiếp cận", "Số người tham dự", "Số lượt tiếp cận", "Số người tham dự/lượt tiếp cận", "Lượt xem"),
            width=16,
        ),
        Field("date", "Thời gian", "date", ("Ngày", "Thời gian thực hiện", "Ngày thực hiện", "Ngày đăng")),
        Field("link", "Đường dẫn, ghi chú", "text", ("Đường dẫn", "Link", "Ghi chú", "Đường link"), width=36),
    ),
    sums=("quantity", "reach"),
    data_fields=("channel", "topic", "quantity"),
    name="Kết quả tuyên truyền",
    table="propaganda_rows",
    row_checks=("propaganda_period",),
    template_rows=20,
    guide=(
        "- Mỗi dòng là một hình thức và một nội dung tuyên truyền; ghi số lượng tin, bài, buổi, "
        "lớp... và số người tham dự hoặc lượt tiếp cận (nếu có). Thời gian nằm trong kỳ báo cáo."
    ),
)

ATTENDANCE = Form(
    key="attendance",
    number="03",
    sheet_title="Biểu 03",
    title="BIỂU 03: THAM DỰ HỘI NGHỊ, HỌC TẬP QUÁN TRIỆT",
    fields=(
        _STT,
        Field(
            "event",
            "Tên hội nghị, buổi học tập",
            "text",
            ("Tên hội nghị", "Hội nghị, buổi học tập", "Tên hội nghị, lớp học", "Hội nghị", "Nội dung"),
            required_column=True,
            required_value=True,
            width=44,
        ),
        Field("event_date", "Ngày tổ chức", "date", ("Thời gian tổ chức", "Ngày", "Thời gian")),
        Field("format", "Hình thức", "choice", ("Hình thức tổ chức",), vocabulary="event_format", width=12),
        Field(
            "group",
            "Thành phần",
            "choice",
            ("Thành phần tham dự", "Đối tượng", "Thành phần dự"),
            vocabulary="participant_group",
            width=40,
            column="participant_group",
        ),
        Field(
            "invited",
            "Số được triệu tập",
            "count",
            ("Số triệu tập", "Triệu tập", "Số được mời", "Tổng số triệu tập", "Số phải dự"),
            required_column=True,
            required_value=True,
            width=11,
        ),
        Field(
            "present",
            "Số có mặt",
            "count",
            ("Có mặt", "Số tham dự", "Số dự", "Tham dự"),
            required_column=True,
            required_value=True,
            width=11,
        ),
        Field(
            "absent_excused",
            "Vắng có lý do",
            "count",
            ("Vắng có LD", "Vắng CLD"),
            group="Vắng",
            sub_header="Có lý do",
            width=11,
        ),
        Field(
            "absent_unexcused",
            "Vắng không lý do",
            "count",
            ("Vắng không LD", "Vắng KLD"),
            group="Vắng",
            sub_header="Không lý do",
            width=11,
        ),
        Field("note", "Ghi chú", "text", (), width=18),
    ),
    sums=("invited", "present"),
    data_fields=("event", "invited", "present"),
    name="Tham dự hội nghị, học tập quán triệt",
    table="attendance_rows",
    row_checks=("attendance_counts",),
    template_rows=12,
    guide=(
        "- Mỗi dòng là một thành phần tham dự của một hội nghị, buổi học tập. Số có mặt không "
        "lớn hơn số được triệu tập; số có mặt cộng số vắng bằng số được triệu tập."
    ),
)

# The declared forms, in order.  A list, so that a form declared later (``declare``, e.g. by a test
# fixture) is seen by every module that imported it; modules that precompute from the forms
# register a refresh with ``on_declare``.
FORMS: list[Form] = [TASKS, PROPAGANDA, ATTENDANCE]
FORMS_BY_KEY = {f.key: f for f in FORMS}
_ON_DECLARE: list[Callable[[], None]] = []


def on_declare(refresh: Callable[[], None]) -> Callable[[], None]:
    """Call ``refresh`` whenever the declared forms change (precomputed tables, caches)."""
    _ON_DECLARE.append(refresh)
    return refresh


def declare(form: Form) -> None:
    """Add a form to the declaration (or replace the one with its key)."""
    if form.key in FORMS_BY_KEY:
        FORMS[FORMS.index(FORMS_BY_KEY[form.key])] = form
    else:
        FORMS.append(form)
    FORMS_BY_KEY[form.key] = form
    for refresh in _ON_DECLARE:
        refresh()


def withdraw(key: str) -> None:
    """Remove a declared form (the inverse of ``declare``)."""
    form = FORMS_BY_KEY.pop(key)
    FORMS.remove(form)
    for refresh in _ON_DECLARE:
        refresh()


# Values of Biểu 01's "Thời hạn" that name no date: ongoing ("thường xuyên") or as needed ("khi phát sinh").
ONGOING_WORDS = ("Thường xuyên", "Hàng tháng", "Liên tục", "TX", "Khi phát sinh", "Khi có yêu cầu")

# Title-block labels (folded when compared).
UNIT_LABELS = ("Đơn vị báo cáo", "Đơn vị", "Tên đơn vị", "Chi bộ", "Cơ quan, đơn vị")
PERIOD_LABELS = ("Kỳ báo cáo", "Kỳ", "Tháng báo cáo", "Thời gian báo cáo")
# A unit with nothing to report in a form says so: the first data row holds one of these, alone
# (the first is what the template's guide tells units to write).
NOTHING_TO_REPORT = ("Không có", "Không phát sinh", "Không có số liệu", "Không có hoạt động")
ISSUING_BODY = "ĐẢNG BỘ PHƯỜNG BẠCH ĐẰNG"
WARD_NAME = "Bạch Đằng"


@dataclass(frozen=True)
class Limits:
    """Bounds on what a report workbook may be; anything above is refused."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_uncompressed_bytes: int = 100 * 1024 * 1024  # sum over zip members
    max_member_ratio: int = 100  # compressed -> uncompressed, per member over 1 MB
    max_sheet_rows: int = 20_000
    max_sheet_cols: int = 200
    max_cells: int = 1_000_000
    worker_timeout_s: float = 4.5  # CPU seconds the reader process may spend on one file
    worker_memory_bytes: int = 500 * 1024 * 1024
    # CPU seconds for one file's read, the reader's and the app's work on the streamed sheets together
    file_timeout_s: float = 20.0
    worker_queue_s: float = 60.0  # longest wait for a free reader; the wait is not part of a file's budget
    max_sheets: int = 255  # worksheets in one workbook (a report has three)


LIMITS = Limits()


@dataclass(frozen=True)
class Rule:
    """A cross-field rule: its problem code (severity and wording in loaders.problems) and the
    registered row check that raises it (loaders.validate.ROW_CHECKS), named in ``Form.row_checks``."""

    code: str
    form: str
    check: str
    fields: tuple[str, ...] = field(default_factory=tuple)


RULES: tuple[Rule, ...] = (
    Rule("tasks.completed_on_required", "tasks", "task_status", ("status", "completed_on")),
    Rule("tasks.completed_on_future", "tasks", "task_status", ("completed_on",)),
    Rule("tasks.percent_status_mismatch", "tasks", "task_status", ("status", "percent")),
    Rule("propaganda.date_outside_period", "propaganda", "propaganda_period", ("date",)),
    Rule("attendance.present_gt_invited", "attendance", "attendance_counts", ("present", "invited")),
    Rule(
        "attendance.sum_mismatch",
        "attendance",
        "attendance_counts",
        ("present", "absent_excused", "absent_unexcused", "invited"),
    ),
)

# Words that start the signature block under a table: the table ends there.
SIGNATURE_WORDS = (
    "Người lập biểu",
    "Người lập",
    "Người báo cáo",
    "T/M Chi bộ",
    "T/M Đảng ủy",
    "T/M Ban Thường vụ",
    "T/M",
    "TM.",
    "Bí thư",
    "Phó Bí thư",
    "Thủ trưởng đơn vị",
    "Thủ trưởng cơ quan",
    "Xác nhận của",
    "Nơi nhận",
    "(Ký, ghi rõ họ tên)",
    "Ký, ghi rõ họ tên",
    "(Ký tên, đóng dấu)",
)
# A run of this many blank rows ends a table.
BLANK_ROWS_END_TABLE = 5
# Header cells matched against a form: a sheet holds a form when at least this
# many of its fields (besides STT and Ghi chú) are found in one header.
MIN_HEADER_FIELDS = 2
