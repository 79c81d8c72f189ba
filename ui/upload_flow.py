"""The upload page's flow without Streamlit: check, describe, store, history.

``pages/upload.py`` only draws what these functions return, so every step of
"send a report" is testable directly:

1. ``check_upload`` refuses a wrong file type or an oversized file before
   reading it, then runs ``loaders.check.check_bytes`` with the database's
   registry; nothing is stored.
2. ``summary_table`` / ``preview_frame`` / ``problems_table`` /
   ``replacement_notice`` describe the result in Vietnamese.
3. ``store_checked`` stores exactly the result the user confirmed.
4. ``history_table`` lists a unit's submissions with their versions.

Every text that came from an uploaded file is returned inside DataFrames or
plain strings meant for ``st.dataframe`` / ``st.text``; ``md_escape`` is for
the few labels (file names) that Streamlit renders as Markdown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import pandas as pd

from loaders.forms import FORMS, FORMS_BY_KEY, LIMITS, VOCABULARIES
from loaders.problems import Problem, make
from loaders.result import CheckResult
from loaders.safety import human_size
from loaders.safety import problem as file_problem
from ui.format import fmt_date, fmt_datetime, fmt_number, fmt_period

log = logging.getLogger(__name__)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACCEPTED_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")

PROBLEM_COLUMNS = ["Biểu (trang tính)", "Ô", "Mức độ", "Lỗi", "Cách sửa"]
SUMMARY_COLUMNS = ["Biểu", "Trang tính", "Số dòng", "Tổng"]
REPLACEMENT_COLUMNS = ["Biểu", "Số liệu", "Bản đang dùng", "Bản mới", "Thay đổi"]
HISTORY_COLUMNS = ["Kỳ báo cáo", "Biểu", "Phiên bản", "Hiện hành", "Tệp", "Người gửi", "Thời điểm nhận", "Tiếp nhận"]
# The office's review of a stored file (storage/review.py), as the history shows it.
REVIEW_LABELS = {"sent": "Chờ tiếp nhận", "received": "Đã tiếp nhận", "returned": "Trả lại để sửa"}


# ---------------------------------------------------------------- checking


@dataclass
class FileCheck:
    """One uploaded file after the check (nothing stored yet)."""

    filename: str
    data: bytes
    result: CheckResult
    existing: dict[str, int] = field(default_factory=dict)  # form -> current version already stored
    highlight_possible: bool = False
    sent_before: Any = None  # storage.upload_preview.SentBefore: these exact bytes are already stored
    old_totals: dict[str, dict[str, int]] = field(default_factory=dict)  # form -> current stored totals
    lateness: Any = None  # storage.upload_preview.Lateness, when the ward's due day is known
    due_day: int | None = None  # the ward's due day (WardSettings.due_day) used for ``lateness``
    received_on: dt.date | None = None  # the day the upload is checked (None: today)
    _highlighted: Any = field(default=None, repr=False)

    @property
    def key(self) -> str:
        return self.result.sha256 or hashlib.sha256(self.data).hexdigest()

    @property
    def accepted(self) -> bool:
        return bool(self.result.accepted)

    @property
    def problems(self) -> list[Problem]:
        return [*self.result.errors, *self.result.warnings]


def form_keys() -> list[str]:
    """The declared forms' keys, in declaration order (loaders.forms)."""
    return [f.key for f in FORMS]


def extension_problem(filename: str) -> Problem | None:
    """A Vietnamese refusal for a file whose extension is not a report workbook's."""
    ext = PurePath(filename or "").suffix.lower()
    if ext in ACCEPTED_EXTENSIONS:
        return None
    return make("upload.file_type", filename=filename, ext=ext or "(không có đuôi)")


def size_problem(filename: str, size: int) -> Problem | None:
    """The server-side size check (the browser's own limit can be bypassed)."""
    if size <= LIMITS.max_file_bytes:
        return None
    return file_problem("file.too_large", filename, size=human_size(size), limit=human_size(LIMITS.max_file_bytes))


def _refused(filename: str, data: bytes, problem: Problem) -> CheckResult:
    return CheckResult(
        file=filename,
        accepted=False,
        errors=[problem],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )


def load_registry(engine):
    """The ward's registry from the database (units and plan tasks, as an administrator left them)."""
    from storage.registry import load_registry as _load

    return _load(engine)


def ward_due_day(engine) -> int:
    """The ward's due day for monthly reports (WardSettings, as the compliance page uses it)."""
    from storage.settings import load_settings

    return int(load_settings(engine).due_day)


def check_upload(
    engine, data: bytes, filename: str, *, registry, today: dt.date | None = None, due_day: int | None = None
) -> FileCheck:
    """Check one uploaded file exactly as the command-line check would; store nothing. Also read what
    storing it would do: a copy already sent, the totals it would replace, whether it is late
    (``due_day``: the ward's due day, as the compliance page uses it)."""
    from loaders.check import check_bytes
    from loaders.highlight import can_highlight

    early = extension_problem(filename) or size_problem(filename, len(data))
    if early is not None:
        return FileCheck(filename, data, _refused(filename, data, early))
    kwargs = {"registry": registry}
    if today is not None:
        kwargs["today"] = today
    result = check_bytes(data, filename, **kwargs)
    if result.sha256 is None:
        result.sha256 = hashlib.sha256(data).hexdigest()
    fc = FileCheck(filename, data, result, highlight_possible=can_highlight(result), due_day=due_day, received_on=today)
    refresh_existing(engine, fc)
    return fc


def check_upload_safely(
    engine, data: bytes, filename: str, *, registry, today: dt.date | None = None, due_day: int | None = None
) -> FileCheck:
    """``check_upload`` that never raises: an unexpected failure refuses this file only."""
    try:
        return check_upload(engine, data, filename, registry=registry, today=today, due_day=due_day)
    except Exception:  # the other files of the batch (and other users) keep being served
        log.exception("checking %r failed", filename)
        return FileCheck(filename, data, _refused(filename, data, _internal_problem(filename)))


def _internal_problem(filename: str) -> Problem:
    return make("upload.internal_error", filename=filename)


def check_uploads(
    engine,
    files: Iterable[tuple[str, bytes]],
    *,
    registry,
    today: dt.date | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[FileCheck]:
    """Check a batch; ``progress(done, total, filename)`` is called before each file."""
    files = list(files)
    out = []
    for i, (name, data) in enumerate(files):
        if progress is not None:
            progress(i, len(files), name)
        out.append(check_upload_safely(engine, data, name, registry=registry, today=today))
    if progress is not None:
        progress(len(files), len(files), "")
    return out


def highlighted_copy(fc: FileCheck) -> tuple[bytes, str] | None:
    """The unit's file with the wrong cells marked, or None when it never passed the safe read."""
    from loaders.highlight import HighlightUnavailable, highlight_problems

    if not fc.highlight_possible:
        return None
    if fc._highlighted is None:
        try:
            fc._highlighted = highlight_problems(fc.data, fc.filename, fc.problems)
        except HighlightUnavailable:
            fc._highlighted = False
        except Exception:  # a copy is a convenience: never let it break the page
            log.exception("highlighting %r failed", fc.filename)
            fc._highlighted = False
    return fc._highlighted or None


ACTIVE_CONTENT_NOTES = {
    frozenset({"macro"}): "macro",
    frozenset({"object"}): "đối tượng nhúng",
    frozenset({"macro", "object"}): "macro và đối tượng nhúng",
}


def active_content_note(fc: FileCheck) -> str | None:
    """For an accepted file holding macros or embedded objects: they are not run, and the copy
    anyone downloads later has them removed (docs/SECURITY.md)."""
    from loaders.active_content import find

    if not fc.accepted:  # only files that passed the safe read are opened here
        return None
    what = ACTIVE_CONTENT_NOTES.get(find(fc.data))
    if what is None:
        return None
    return (
        f"Tệp có {what}: hệ thống chỉ đọc số liệu trong các ô, không chạy {what}. "
        f"Bản tệp tải lại từ lịch sử gửi sẽ không còn {what}."
    )


def refresh_existing(engine, fc: FileCheck) -> None:
    """Re-read what storing would do (another file of the batch may have been stored meanwhile):
    versions and totals already stored, a stored copy of the same bytes, lateness."""
    result = fc.result
    if engine is None or not (fc.accepted and result.unit.value and result.period.value):
        return
    from storage import upload_preview
    from storage.ingest import existing_versions

    unit, period = result.unit.value, result.period.value
    fc.existing = existing_versions(engine, unit, period, list(result.forms))
    fc.sent_before = upload_preview.sent_before(engine, fc.key)
    fc.old_totals = upload_preview.current_totals(engine, unit, period, list(fc.existing))
    if fc.due_day is not None:
        fc.lateness = upload_preview.lateness(engine, unit, period, fc.received_on or dt.date.today(), fc.due_day)


def batch_conflicts(checks: Iterable[FileCheck]) -> list[str]:
    """Vietnamese notes for accepted files of one batch that cover the same unit, period and form."""
    seen: dict[tuple[str, str, str], list[str]] = {}
    for fc in checks:
        if not fc.accepted:
            continue
        for form in fc.result.forms:
            key = (fc.result.unit.value or "", fc.result.period.value or "", form)
            seen.setdefault(key, []).append(fc.filename)
    notes = []
    for (unit, period, form), names in seen.items():
        if len(names) > 1:
            notes.append(
                f"{len(names)} tệp vừa chọn cùng là {FORMS_BY_KEY[form].sheet_title} của đơn vị {unit}, "
                f"{fmt_period(period)}: tệp xác nhận sau sẽ thay thế tệp xác nhận trước."
            )
    return notes


def template_bytes(registry, unit_code: str, period: str) -> bytes:
    """The unit's template for ``period``, as ``python -m loaders template`` writes it."""
    from loaders.template import write_template

    buf = io.BytesIO()
    write_template(registry, unit_code, period, buf)
    return buf.getvalue()


def template_filename(unit_code: str, period: str) -> str:
    return f"mau-bao-cao_{unit_code}_{period}.xlsx"


def submission_bytes(engine, submission_id: int) -> tuple[str, bytes]:
    """A stored file exactly as it was sent."""
    from storage.queries import submission_file

    return submission_file(engine, submission_id)


# ---------------------------------------------------------------- storing


def store_checked(engine, fc: FileCheck, *, sender: str, received_at: dt.datetime | None = None):
    """Store the confirmed file (the very result the user saw); returns ``storage.ingest.IngestOutcome``."""
    from storage.ingest import IngestOutcome, store_result

    if not fc.accepted:
        return IngestOutcome(fc.result)
    return store_result(engine, fc.result, fc.data, fc.filename, sender=sender.strip(), received_at=received_at)


def stored_message(outcome, unit_names: dict[str, str], fc: FileCheck | None = None) -> str:
    """A Vietnamese sentence saying what was stored (no file text in it but the registry's names);
    with ``fc``, a late report says so with its due date."""
    result = outcome.result
    who = unit_names.get(result.unit.value or "", result.unit.value or "")
    period = fmt_period(result.period.value)
    if outcome.duplicate:
        when = ""
        if fc is not None and fc.sent_before is not None:
            when = f" lúc {fmt_datetime(fc.sent_before.received_at)}"
        return f"Tệp này đã được gửi{when} cho {who}, {period}: không lưu thêm lần nữa, số liệu không đổi."
    parts = [
        f"{FORMS_BY_KEY[f].sheet_title} (phiên bản {v})" for f, v in sorted(outcome.versions.items(), key=_form_pos)
    ]
    text = f"Đã lưu báo cáo của {who}, {period}: {', '.join(parts)}."
    if outcome.replaced:
        old = ", ".join(f"{FORMS_BY_KEY[r['form']].sheet_title} phiên bản {r['version']}" for r in outcome.replaced)
        text += f" Bản cũ ({old}) vẫn được giữ trong lịch sử gửi."
    late = late_notice(fc, stored=True) if fc is not None else None
    if late:
        text += " " + late
    return text


def _form_pos(item) -> int:
    keys = form_keys()
    return keys.index(item[0]) if item[0] in keys else 99


# ---------------------------------------------------------------- describing


def unit_label(result: CheckResult, unit_names: dict[str, str]) -> str:
    code = result.unit.value
    if not code:
        return "Chưa nhận ra"
    return f"{unit_names.get(code, code)} ({code})"


def period_label(result: CheckResult) -> str:
    return fmt_period(result.period.value) if result.period.value else "Chưa nhận ra"


def recognised_table(result: CheckResult, unit_names: dict[str, str]) -> pd.DataFrame:
    """Unit and period found, and where each was read from (sources come from the file: shown as data)."""
    return pd.DataFrame(
        {
            "Thông tin": ["Đơn vị báo cáo", "Kỳ báo cáo"],
            "Nhận ra": [unit_label(result, unit_names), period_label(result)],
            "Lấy từ": [result.unit.source or "", result.period.source or ""],
        },
        dtype="string",
    )


def summary_table(result: CheckResult) -> pd.DataFrame:
    """One row per form found: sheet, data rows, and the form's sums."""
    rows = []
    summary = result.form_summary()
    for key in form_keys():
        if key not in result.forms:
            continue
        form = FORMS_BY_KEY[key]
        entry = summary.get(key, {})
        sums = "; ".join(f"{form.field(f).header}: {fmt_number(entry.get(f, 0))}" for f in form.sums)
        rows.append([form.sheet_title, result.forms[key].sheet, fmt_number(entry.get("rows", 0)), sums or "–"])
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS, dtype="string")


def _display(value: Any, kind: str, vocabulary: str | None) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    if kind == "choice" and vocabulary:
        try:
            return VOCABULARIES[vocabulary].by_key(str(value)).label
        except KeyError:
            return str(value)
    if isinstance(value, dt.datetime | dt.date | pd.Timestamp):
        return fmt_date(value)
    if kind == "count":
        return fmt_number(value)
    if kind == "percent":
        return fmt_number(value, 1 if float(value) % 1 else 0)
    return str(value)


def preview_frame(result: CheckResult, form_key: str) -> pd.DataFrame:
    """The normalised rows of one form, with the form's Vietnamese headers and vocabulary labels."""
    form = FORMS_BY_KEY[form_key]
    frame = result.forms[form_key].frame
    out: dict[str, list[str]] = {"Dòng": [str(int(r)) for r in frame["row"]] if "row" in frame else []}
    for f in form.fields:
        if f.key == "row_no" or f.key not in frame:
            continue
        column = frame[f.key]
        if f.key == "due" and "due_date" in frame:
            # tasks: the parsed due date when there is one, else the text as written
            column = [
                d if d is not None and d == d else t
                for d, t in zip(frame["due_date"], frame.get("due_text", frame[f.key]), strict=True)
            ]
        out[f.header] = [_display(v, f.kind, f.vocabulary) for v in column]
    return pd.DataFrame(out, dtype="string")


def problem_place(p: Problem) -> str:
    """ "Biểu 01 (trang tính «Tiến độ»)": the form and the sheet as named in the file; "Cả tệp" for the file."""
    if p.form in FORMS_BY_KEY and p.sheet:
        from loaders.detect import place

        return place(FORMS_BY_KEY[p.form], p.sheet)
    return p.sheet or "Cả tệp"


def refusal_banner(result: CheckResult) -> str:
    """The refused file's headline; its counts are exactly the rows of the problems table below it."""
    n_err, n_warn = len(result.errors), len(result.warnings)
    counts = f"{n_err} lỗi" + (f" và {n_warn} cảnh báo" if n_warn else "")
    return f"Tệp bị từ chối: {counts} (liệt kê trong bảng dưới đây). Chưa có gì được lưu. Sửa các lỗi rồi gửi lại."


def problems_table(problems: Iterable[Problem]) -> pd.DataFrame:
    """Every problem in one table: sheet, cell, level, what is wrong, how to fix it."""
    rows = [
        [
            problem_place(p),
            p.cell or "",
            "Lỗi" if p.severity == "error" else "Cảnh báo",
            p.message,
            p.hint,
        ]
        for p in problems
    ]
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS, dtype="string")


def cells_to_fix(problems: Iterable[Problem]) -> str:
    """ "Biểu 03!G8, Biểu 02!D9": the cells named by the errors, in order, each once."""
    seen: list[str] = []
    for p in problems:
        if p.severity == "error" and p.cell:
            ref = f"{p.sheet}!{p.cell}" if p.sheet else p.cell
            if ref not in seen:
                seen.append(ref)
    return ", ".join(seen)


def replacement_notice(fc: FileCheck, unit_names: dict[str, str]) -> str | None:
    """The warning shown before a report already sent is replaced (None when nothing is replaced)."""
    if not fc.existing:
        return None
    result = fc.result
    who = unit_names.get(result.unit.value or "", result.unit.value or "")
    parts = [
        f"{FORMS_BY_KEY[f].sheet_title} (đang có phiên bản {v}, bản mới sẽ là phiên bản {v + 1})"
        for f, v in sorted(fc.existing.items(), key=_form_pos)
    ]
    return (
        f"{who} đã gửi báo cáo {fmt_period(result.period.value)} cho {', '.join(parts)}. "
        "Nếu xác nhận, tệp này sẽ thay thế bản đang dùng để tính số liệu; bản cũ vẫn được giữ trong lịch sử gửi."
    )


def duplicate_notice(fc: FileCheck, unit_names: dict[str, str]) -> str | None:
    """Said before anything is done when these exact bytes were already stored (None otherwise)."""
    sb = fc.sent_before
    if sb is None:
        return None
    who = unit_names.get(sb.unit_code, sb.unit_name or sb.unit_code)
    by = f" (người gửi: {sb.sender})" if sb.sender else ""
    return (
        f"Tệp này đã được gửi lúc {fmt_datetime(sb.received_at)}{by} cho {who}, {fmt_period(sb.period)}. "
        "Gửi lại đúng tệp này sẽ không lưu gì thêm và số liệu không đổi. Nếu bạn đã sửa báo cáo, "
        "hãy chọn tệp đã sửa."
    )


def replacement_table(fc: FileCheck) -> pd.DataFrame:
    """Per form that would be replaced: its stored (old) and new row counts and totals."""
    rows = []
    summary = fc.result.form_summary()
    for key in form_keys():
        if key not in fc.existing:
            continue
        form = FORMS_BY_KEY[key]
        old, new = fc.old_totals.get(key, {}), summary.get(key, {})
        for measure, label_ in [("rows", "Số dòng"), *((f, form.field(f).header) for f in form.sums)]:
            o, n = old.get(measure, 0), new.get(measure, 0)
            change = n - o
            rows.append(
                [
                    f"{form.sheet_title} (phiên bản {fc.existing[key]} → {fc.existing[key] + 1})",
                    label_,
                    fmt_number(o),
                    fmt_number(n),
                    "không đổi" if change == 0 else ("+" if change > 0 else "−") + fmt_number(abs(change)),
                ]
            )
    return pd.DataFrame(rows, columns=REPLACEMENT_COLUMNS, dtype="string")


def late_notice(fc: FileCheck | None, stored: bool = False) -> str | None:
    """ "Báo cáo nộp muộn …" with the due date when this report makes the period late (None otherwise)."""
    if fc is None or fc.lateness is None or not fc.lateness.late:
        return None
    late = fc.lateness
    period = fmt_period(fc.result.period.value)
    if late.first_at is not None:
        return (
            f"Báo cáo {period} đã được tính là nộp muộn: hạn nộp {fmt_date(late.due)}, lần gửi đầu tiên lúc "
            f"{fmt_datetime(late.first_at)}."
        )
    if stored:
        return f"Báo cáo được ghi nhận là nộp muộn: hạn nộp {period} là {fmt_date(late.due)}."
    return (
        f"Báo cáo nộp muộn: hạn nộp {period} là {fmt_date(late.due)}. Nếu xác nhận, báo cáo được ghi nhận "
        "là nộp muộn trên trang Tình hình nộp báo cáo."
    )


def unit_mismatch_notice(fc: FileCheck, selected_unit: str | None, unit_names: dict[str, str]) -> str | None:
    code = fc.result.unit.value
    if not selected_unit or not code or code == selected_unit:
        return None
    return (
        f"Tệp này là báo cáo của {unit_names.get(code, code)}, không phải của đơn vị đang chọn "
        f"({unit_names.get(selected_unit, selected_unit)}). Kiểm tra lại trước khi xác nhận."
    )


# ---------------------------------------------------------------- history


def forms_text(forms: Any) -> str:
    keys = [k.strip() for k in str(forms or "").split(",") if k.strip()]
    return ", ".join(FORMS_BY_KEY[k].sheet_title if k in FORMS_BY_KEY else k for k in keys)


def _newest_first(history: pd.DataFrame) -> pd.DataFrame:
    return history.sort_values(["received_at", "id"], ascending=False)


def history_ids(history: pd.DataFrame) -> list[int]:
    """The submissions' ids in ``history_table``'s order (newest first): what the download picker
    chooses among, never shown to the user."""
    if history is None or len(history) == 0:
        return []
    return [int(v) for v in _newest_first(history)["id"]]


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """A unit's submissions, newest first, dates as dd/mm/yyyy HH:MM (file names and senders shown as data;
    no internal id: ``history_ids`` gives them in the same order)."""
    if history is None or len(history) == 0:
        return pd.DataFrame(columns=HISTORY_COLUMNS, dtype="string")
    h = _newest_first(history)
    out = pd.DataFrame(
        {
            "Kỳ báo cáo": [fmt_period(v) for v in h["period"]],
            "Biểu": [forms_text(v) for v in h["forms"]],
            "Phiên bản": [_version_text(v) for v in h["version"]],
            "Hiện hành": ["Đang dùng" if bool(v) else "Đã thay thế" for v in h["is_current"]],
            "Tệp": [str(v) for v in h["filename"]],
            "Người gửi": [str(v) if v is not None and v == v else "" for v in h["sender"]],
            "Thời điểm nhận": [fmt_datetime(v) for v in h["received_at"]],
            "Tiếp nhận": [REVIEW_LABELS.get(str(v), "") for v in h["review"]] if "review" in h else [""] * len(h),
        },
        dtype="string",
    )
    return out.reset_index(drop=True)


def _version_text(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{FORMS_BY_KEY[k].sheet_title}: {v}" for k, v in value.items() if k in FORMS_BY_KEY)
    if value is None or (isinstance(value, float) and value != value):
        return ""
    try:
        return str(int(value))
    except (TypeError, ValueError):
        return str(value)


def history_choice_label(row: pd.Series) -> str:
    """Label of one submission in the download picker (plain text: st.selectbox shows it as text)."""
    return (
        f"{row['Thời điểm nhận']} · {row['Kỳ báo cáo']} · {row['Biểu']} · phiên bản {row['Phiên bản']} · {row['Tệp']}"
    )


# ---------------------------------------------------------------- periods and text safety


def period_choices(today: dt.date, months_back: int = 12, months_ahead: int = 1) -> list[str]:
    """Period codes for the template picker: recent months (newest first), then recent quarters."""
    months = []
    y, m = today.year, today.month
    for delta in range(-months_ahead, months_back):
        mm = m - delta
        yy = y + (mm - 1) // 12
        mm = (mm - 1) % 12 + 1
        months.append(f"{yy:04d}-{mm:02d}")
    quarter = (today.month - 1) // 3 + 1
    quarters = []
    for delta in range(0, 4):
        q = quarter - delta
        yy = today.year + (q - 1) // 4
        q = (q - 1) % 4 + 1
        quarters.append(f"{yy:04d}-Q{q}")
    return months + quarters


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])")


def md_escape(text: Any) -> str:
    """Text from a file made inert for Streamlit's Markdown (labels, captions)."""
    s = "" if text is None else str(text)
    s = s.replace("\r", " ").replace("\n", " ")
    return _MD_SPECIAL.sub(r"\\\1", s)


def ward_state(engine) -> dict:
    """What the ward has set up (storage.admin.ward_state): ``ready`` once it has units and a plan with tasks."""
    from storage.admin import ward_state as _state

    return _state(engine)


def setup_missing(state: dict) -> None:
    """The upload page of a ward not set up yet: what is missing and where the office sets it up."""
    import streamlit as st

    st.warning(
        "Chưa nhận báo cáo được vì phường chưa thiết lập xong danh mục, còn thiếu: "
        + ", ".join(state["missing"])
        + ". Văn phòng Đảng ủy thiết lập trong mục Quản trị (Thiết lập phường; Đơn vị, nhóm; Kế hoạch) "
        "hoặc nhập một tệp Excel danh mục; sau đó trang này nhận báo cáo ngay.",
        icon=":material/construction:",
    )
