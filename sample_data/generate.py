"""A deterministic sample ward: a year of unit reports, January to November 2026.

``generate(out_dir, seed=2026)`` writes one workbook per unit and month (or
one file per form for the units that split them) for the 39 units of
``units.csv`` against the plan tasks of ``plan-tasks.csv``, and returns the
list of :class:`SampleReport` (file, unit, period, when it was sent, by
whom, and the ``check --json`` form totals the generator intended).  The
same list is written to ``manifest.json`` in ``out_dir``.

Reporting calendar (documented in sample_data/README.md): the report for
month M is due on day ``DUE_DAY`` (the ward's setting, 25) of month M; "today" is ``TODAY``
(28/11/2026), so November is partly not received yet.

Files are messy like real ones but stay inside the contract
(/work/shared/domain/report-forms.md): header aliases from loaders.forms,
no diacritics, other column orders, extra columns, numbering rows, blank
rows, plain-number total rows, signature blocks, renamed sheets, forms split
into files, numbers and dates as text, unit short names, period only in the
file name.

Command line: ``python -m sample_data.generate OUT_DIR [--seed N]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import io
import json
import os
import random
import re
import sys
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from loaders.forms import (
    ATTENDANCE,
    PERIOD_LABELS,
    PROPAGANDA,
    TASKS,
    UNIT_LABELS,
    VOCABULARIES,
    Form,
)
from loaders.registry import Registry, Task, Unit
from loaders.settings import DEFAULTS
from loaders.text import fold
from loaders.values import ValueProblem, parse_due, period_label

YEAR = 2026
MONTHS = range(1, 12)  # January .. November
TODAY = dt.datetime(2026, 11, 28, 10, 0)
DUE_DAY = DEFAULTS.due_day  # the report for month M is due on this day of month M (the ward's setting)
MANIFEST = "manifest.json"

# Units whose reporting habits are not good (stable, so the dashboard shows them).
OFTEN_MISSING = {"KDC17": 0.4, "HND": 0.35, "CBQS": 0.3}
OFTEN_LATE = {"KDC09": 0.55, "TTHC": 0.5, "HCCB": 0.45}
# Units that send each form as its own file.
SPLIT_UNITS = {"KDC07", "KDC15", "HPN", "CBYT"}
# Units that fill the ward's template honestly.
TEMPLATE_UNITS = {"BXDD", "UBKT", "KDC01", "KDC02", "KDC08", "KDC12", "KDC18", "MTTQ", "CBTH", "DBCA", "VPUB"}


@dataclass(frozen=True)
class SampleReport:
    path: Path
    unit: str
    period: str
    sent_at: dt.datetime
    sender: str
    # what ``check --json`` must say for this file: {"tasks": {"rows": 4}, "propaganda": {...}, ...}
    forms: dict[str, dict[str, int]] = field(default_factory=dict, compare=False, hash=False)


# ==========================================================================
# Content: what each unit did, month by month
# ==========================================================================


@dataclass
class TaskRow:
    code: str
    text: str
    due: Any  # date | str | None, as the unit writes it
    status: str  # vocabulary key
    percent: int | None = None
    completed_on: dt.date | None = None
    evidence: str | None = None
    obstacles: str | None = None
    note: str | None = None
    optional: bool = False  # a unit may leave this row out (nothing happened)


@dataclass
class PropagandaRow:
    channel: str
    topic: str
    quantity: int
    measure_unit: str | None
    reach: int | None
    date: dt.date
    link: str | None = None


@dataclass
class AttendanceRow:
    event: str
    event_date: dt.date
    format: str
    group: str
    invited: int
    present: int
    absent_excused: int
    absent_unexcused: int
    note: str | None = None


@dataclass
class Content:
    tasks: list[TaskRow]
    propaganda: list[PropagandaRow]
    attendance: list[AttendanceRow]


_WARD_CONF = dt.date(2026, 3, 12)
_ONLINE_CONF = dt.date(2026, 2, 11)
_ONLINE_NAME = "Hội nghị trực tuyến quán triệt Đề án 04-ĐA/TU và Nghị quyết 05-NQ/TU"
_WARD_NAME_CONF = "Hội nghị nghiên cứu, học tập, quán triệt Đề án và Nghị quyết cấp phường"


def _kind(unit: Unit) -> str:
    if unit.code.startswith("KDC"):
        return "kdc"
    if unit.group.startswith("Chi bộ, đảng bộ"):
        return "cell"
    if unit.group == "MTTQ và đoàn thể":
        return "mass"
    if unit.code == "VHXH":
        return "portal"
    return "office"


def _members(unit: Unit, rng_seed: int) -> int:
    rng = random.Random(f"{rng_seed}:members:{unit.code}")
    kind = _kind(unit)
    if unit.code == "DBCA":
        return 46
    if kind == "kdc":
        return rng.randint(20, 40)
    if kind == "cell":
        return rng.randint(8, 20)
    return rng.randint(8, 15)


def _attend(rng: random.Random, invited: int, low: float = 0.80, high: float = 0.98) -> tuple[int, int, int]:
    present = max(1, min(invited, round(invited * rng.uniform(low, high))))
    absent = invited - present
    unexcused = rng.randint(0, min(2, absent)) if absent else 0
    return present, absent - unexcused, unexcused


def _day(rng: random.Random, month: int, last: int = 24) -> dt.date:
    return dt.date(YEAR, month, rng.randint(2, last))


_OBSTACLES = {
    ("BXDD", 7, "NV04"): (
        "Chờ hướng dẫn của Thành ủy về bộ tiêu chí mô hình; chưa thống nhất được danh mục mô hình của phường."
    ),
    ("BXDD", 9, "NV05"): "Tài liệu hỏi - đáp phục vụ sinh hoạt chi bộ chưa được cấp đủ cho các chi bộ khu dân cư.",
    ("KDC05", 4, "NV11"): "Nhiều đảng viên cao tuổi, sức khỏe yếu, khó tham gia sinh hoạt chi bộ đầy đủ.",
    ("KDC11", 6, "NV10"): "Chi bộ chưa có người phụ trách trang mạng xã hội, đăng tin còn chậm.",
    ("HND", 5, "NV13"): "Kinh phí tổ chức hội nghị tuyên truyền cho hội viên còn hạn chế.",
    ("VHXH", 8, "NV12"): "Vị trí treo pano tại khu vực chợ đang chỉnh trang, chưa lắp đặt được.",
    ("CBYT", 10, "NV10"): "Thiếu thiết bị để cập nhật tin, bài lên trang mạng xã hội của đơn vị.",
    ("KDC14", 9, "NV14"): "Một số hộ dân băn khoăn về việc chỉnh trang vỉa hè, cần phường giải thích rõ.",
}

_EVIDENCE = {
    "NV06": "Ban hành định hướng tuyên truyền tháng {m}/2026",
    "NV09": "Đăng {q} tin, bài trên chuyên mục Cổng thông tin điện tử phường",
    "NV10": "Đăng {q} tin, bài trên trang mạng xã hội của đơn vị",
    "NV11": "Sinh hoạt chi bộ định kỳ tháng {m}/2026 có nội dung Nghị quyết",
    "NV12": "Treo khẩu hiệu, pano tại nơi công cộng",
    "NV13": "Lồng ghép tuyên truyền trong sinh hoạt hội, đoàn thể",
    "NV14": "Tổng hợp tình hình tư tưởng, dư luận tháng {m}/2026",
    "NV15": "Giám sát việc triển khai Kế hoạch tại khu dân cư",
    "NV16": "Giới thiệu gương điển hình, mô hình tiêu biểu",
}


def _task_row(task: Task, unit: Unit, month: int, rng: random.Random, content_q: dict[str, int]) -> TaskRow:
    code = task.code
    due: Any = task.due
    if task.cadence == "ongoing":
        due = "Thường xuyên"
    row = TaskRow(code=code, text=task.text, due=due, status="in_progress")
    if code == "NV01":
        if month == 1:
            row.status, row.percent, row.evidence = "in_progress", 50, "Chuẩn bị điểm cầu trực tuyến"
        else:
            row.status, row.percent, row.completed_on = "done", 100, _ONLINE_CONF
            row.evidence = "Tổ chức điểm cầu phường ngày 11/02/2026"
    elif code == "NV02":
        if month == 1:
            row.status, row.percent = "in_progress", 40
        else:
            row.status, row.percent, row.completed_on = "done", 100, dt.date(2026, 2, 9)
            row.evidence = "Kế hoạch số 12-KH/ĐU ngày 09/02/2026"
    elif code == "NV03":
        if month == 1:
            row.status, row.percent = "not_started", 0
        elif month == 2:
            row.status, row.percent = "in_progress", 40
        else:
            row.status, row.percent, row.completed_on = "done", 100, _WARD_CONF
            row.evidence = "Hội nghị quán triệt cấp phường ngày 12/03/2026"
    elif code == "NV04":
        row.due = "Quý II/2026"
        if month <= 2:
            row.status, row.percent = "not_started", 0
        else:
            row.status, row.percent = "in_progress", min(80, 10 * (month - 1))
            row.evidence = "Dự thảo Kế hoạch đang lấy ý kiến"
    elif code == "NV05":
        row.due = dt.date(2026, 6, 30)
        if month <= 2:
            row.status, row.percent = "not_started", 0
        else:
            row.status, row.percent = "in_progress", min(60, 15 * (month - 2))
            row.evidence = "Đã hướng dẫn một số chi bộ khu dân cư"
    elif task.cadence == "as_needed":
        row.due = "Khi phát sinh"
        happened = (code in ("NV07", "NV08") and month in (2, 3)) or (
            code == "NV17" and any(k[0] == unit.code and k[1] == month for k in _OBSTACLES)
        )
        if happened:
            day = {("NV07", 2): 4, ("NV07", 3): 2, ("NV08", 2): 10, ("NV08", 3): 10}.get((code, month), 12)
            row.status, row.percent, row.completed_on = "done", 100, dt.date(YEAR, month, day)
            row.evidence = {
                "NV07": "Giấy mời, theo dõi thành phần dự hội nghị",
                "NV08": "Chuẩn bị hội trường, tài liệu, đường truyền",
                "NV17": "Báo cáo khó khăn, vướng mắc kèm theo",
            }[code]
        else:
            row.status, row.note, row.optional = "not_started", "Không phát sinh trong kỳ", True
    elif task.cadence == "ongoing":
        active = rng.random() > 0.08
        if code == "NV12":
            active = month in (1, 2, 3, 5, 9)
        if active:
            row.status = "in_progress"
            q = content_q.get(code)
            if code in _EVIDENCE:
                row.evidence = _EVIDENCE[code].format(m=f"{month:02d}", q=q or rng.randint(2, 6))
        else:
            row.status, row.note = "not_started", "Chưa triển khai trong kỳ"
    else:  # a once task with nothing special
        row.status, row.percent = "in_progress", 50
    key = (unit.code, month, code)
    if key in _OBSTACLES:
        row.obstacles = _OBSTACLES[key]
    return row


def _propaganda(unit: Unit, month: int, rng: random.Random, members: int) -> list[PropagandaRow]:
    kind = _kind(unit)
    topics = ["plan", "plan", "role_models", "public_opinion", "counter_hostile"]
    rows: list[PropagandaRow] = []
    if kind in ("kdc", "cell"):
        rows.append(
            PropagandaRow(
                "social", rng.choice(topics), rng.randint(2, 6), "bai", rng.randint(80, 600), _day(rng, month)
            )
        )
        present = members - rng.randint(1, max(1, members // 6))
        rows.append(PropagandaRow("cell_meeting", "plan", 1, "buoi", present, _day(rng, month, 15)))
        if rng.random() < 0.25:
            rows.append(PropagandaRow("visual", "role_models", rng.randint(2, 4), "khau_hieu", None, _day(rng, month)))
        if rng.random() < 0.3:
            rows.append(
                PropagandaRow("social", "role_models", rng.randint(1, 3), "tin", rng.randint(50, 300), _day(rng, month))
            )
    elif kind == "portal":
        rows.append(
            PropagandaRow(
                "portal",
                "plan",
                rng.randint(8, 25),
                "tin",
                rng.randint(1000, 6000),
                _day(rng, month),
                "https://bachdang.haiphong.gov.vn/chuyen-muc/nghi-quyet-05",
            )
        )
        rows.append(
            PropagandaRow("portal", "role_models", rng.randint(2, 6), "bai", rng.randint(500, 2500), _day(rng, month))
        )
        rows.append(
            PropagandaRow(
                "social", rng.choice(topics), rng.randint(6, 15), "bai", rng.randint(2000, 8000), _day(rng, month)
            )
        )
        if month in (1, 2, 3, 5, 9):
            rows.append(PropagandaRow("visual", "plan", rng.randint(2, 6), "pano", None, _day(rng, month)))
            rows.append(PropagandaRow("visual", "plan", rng.randint(5, 15), "bang_ron", None, _day(rng, month)))
    elif kind == "mass":
        rows.append(
            PropagandaRow(
                "social", rng.choice(topics), rng.randint(3, 10), "tin", rng.randint(200, 1500), _day(rng, month)
            )
        )
    else:  # offices
        if unit.code == "TTDV" and month in (1, 2, 3, 5, 9):
            rows.append(PropagandaRow("visual", "plan", rng.randint(4, 10), "bang_ron", None, _day(rng, month)))
        if unit.code == "BXDD":
            rows.append(
                PropagandaRow(
                    "social", "counter_hostile", rng.randint(2, 5), "bai", rng.randint(300, 1200), _day(rng, month)
                )
            )
        rows.append(
            PropagandaRow(
                "social", rng.choice(topics), rng.randint(1, 4), "tin", rng.randint(100, 900), _day(rng, month)
            )
        )
        if unit.code == "VPDU":
            rows.append(
                PropagandaRow("portal", "plan", rng.randint(1, 3), "tin", rng.randint(300, 1500), _day(rng, month))
            )
    return rows


def _attendance(unit: Unit, month: int, rng: random.Random, members: int) -> list[AttendanceRow]:
    kind = _kind(unit)
    rows: list[AttendanceRow] = []
    if unit.code == "VPDU" and month == 2:
        for group, invited in (
            ("standing_committee", 5),
            ("front_and_mass_orgs", 18),
            ("party_advisory_staff", 14),
            ("party_reporters", 12),
        ):
            present, exc, unexc = _attend(rng, invited, 0.85, 1.0)
            rows.append(AttendanceRow(_ONLINE_NAME, _ONLINE_CONF, "online", group, invited, present, exc, unexc))
    elif unit.code == "VPDU" and month == 3:
        for group, invited in (
            ("standing_committee", 5),
            ("front_and_mass_orgs", 20),
            ("party_advisory_staff", 16),
            ("party_reporters", 12),
            ("party_members", 180),
        ):
            present, exc, unexc = _attend(rng, invited, 0.88, 0.98)
            rows.append(AttendanceRow(_WARD_NAME_CONF, _WARD_CONF, "in_person", group, invited, present, exc, unexc))
    elif kind in ("kdc", "cell"):
        invited = members
        present, exc, unexc = _attend(rng, invited)
        rows.append(
            AttendanceRow(
                f"Sinh hoạt chi bộ định kỳ tháng {month:02d}/{YEAR} (chuyên đề Nghị quyết 05-NQ/TU)",
                _day(rng, month, 15),
                "in_person",
                "party_members",
                invited,
                present,
                exc,
                unexc,
            )
        )
    elif kind == "mass" and (month in (1, 3, 4, 6, 7, 9, 10) or unit.code == "MTTQ"):
        invited = rng.randint(50, 150)
        present, exc, unexc = _attend(rng, invited)
        rows.append(
            AttendanceRow(
                "Hội nghị tuyên truyền Nghị quyết 05-NQ/TU cho hội viên, đoàn viên",
                _day(rng, month),
                "in_person",
                "public",
                invited,
                present,
                exc,
                unexc,
            )
        )
    elif unit.code == "BXDD" and month in (4, 8, 10):
        invited = rng.randint(40, 80)
        present, exc, unexc = _attend(rng, invited, 0.9, 0.98)
        rows.append(
            AttendanceRow(
                "Lớp bồi dưỡng lý luận chính trị cho đảng viên mới",
                _day(rng, month),
                "in_person",
                "party_members",
                invited,
                present,
                exc,
                unexc,
            )
        )
    return rows


def _content(registry: Registry, unit: Unit, month: int, seed: int) -> Content:
    rng = random.Random(f"{seed}:{unit.code}:{month}")
    members = _members(unit, seed)
    attendance = _attendance(unit, month, rng, members)
    propaganda = _propaganda(unit, month, rng, members)
    # the cell meeting's reach is its attendance
    meeting = next((a for a in attendance if a.event.startswith("Sinh hoạt chi bộ")), None)
    for p in propaganda:
        if p.channel == "cell_meeting" and meeting:
            p.reach, p.date = meeting.present, meeting.event_date
    # mass organisations' conferences appear in both forms
    for a in attendance:
        if _kind(unit) == "mass":
            propaganda.append(PropagandaRow("conference", "plan", 1, "buoi", a.present, a.event_date))
    if unit.code == "VPDU" and month in (2, 3):
        conf = attendance[0]
        reach = sum(a.present for a in attendance)
        propaganda.append(PropagandaRow("conference", "plan", 1, "buoi", reach, conf.event_date))
    if unit.code == "BXDD" and attendance:
        propaganda.append(
            PropagandaRow("theory_class", "plan", 1, "lop", attendance[0].present, attendance[0].event_date)
        )
    q = {
        "NV09": sum(p.quantity for p in propaganda if p.channel == "portal"),
        "NV10": sum(p.quantity for p in propaganda if p.channel == "social"),
    }
    tasks = [_task_row(t, unit, month, rng, q) for t in registry.assigned_tasks(unit.code)]
    return Content(tasks, propaganda, attendance)


# ==========================================================================
# Reporting behaviour: who sent what, when
# ==========================================================================


def _sent_at(unit: Unit, month: int, seed: int) -> dt.datetime | None:
    rng = random.Random(f"{seed}:sent:{unit.code}:{month}")
    missing = OFTEN_MISSING.get(unit.code, 0.03)
    late = OFTEN_LATE.get(unit.code, 0.06)
    if unit.code in ("VPDU", "BXDD"):
        missing = 0.0
    if rng.random() < missing:
        return None
    hour, minute = rng.randint(7, 17), rng.randint(0, 59)
    if month == 11 and rng.random() < 0.15:
        late = 1.0  # not in yet on 28/11
    if rng.random() < late:
        day = rng.randint(26, 45)  # days after the first of the month, spilling into the next
        when = dt.datetime(YEAR, month, 1, hour, minute) + dt.timedelta(days=day - 1)
    else:
        when = dt.datetime(YEAR, month, rng.randint(16, DUE_DAY), hour, minute)
    return when if when <= TODAY else None


def _sender(unit: Unit) -> str:
    kind = _kind(unit)
    if kind in ("kdc", "cell"):
        return f"{unit.code.lower()}.bachdang@gmail.com"
    return f"{unit.code.lower()}@bachdang.haiphong.gov.vn"


# ==========================================================================
# Style: how each unit lays its files out
# ==========================================================================


@dataclass(frozen=True)
class Style:
    template: bool = False
    header: str = "canonical"  # canonical | alias | nodiac | upper | nfd | linebreak
    shuffle: bool = False
    drop_optional: bool = False
    extra_column: bool = False
    numbering: str | None = "paren"  # paren | letters | None
    title: str = "full"  # full | labels | caps_only | file_period
    unit_text: str = "name"  # name | short | nodiac | upper
    total_row: bool = False
    signature: bool = True
    blank_rows: bool = False
    sheets: str = "standard"  # standard | renamed | sheet1
    split: bool = False
    numbers_as_text: bool = False
    percent: str = "number"  # number | fraction | text
    dates: str = "date"  # date | text | long
    variants: bool = False
    two_row: bool = True
    merge_events: bool = False
    blank_codes: bool = False
    omit_optional_tasks: bool = False


def _style(unit: Unit, seed: int) -> Style:
    if unit.code in TEMPLATE_UNITS:
        return Style(template=True)
    rng = random.Random(f"{seed}:style:{unit.code}")
    kind = _kind(unit)
    style = Style(
        header=rng.choice(["canonical", "alias", "alias", "nodiac", "upper", "nfd", "linebreak"]),
        shuffle=rng.random() < 0.3,
        drop_optional=rng.random() < 0.35,
        extra_column=rng.random() < 0.25,
        numbering=rng.choice(["paren", "paren", "letters", None]),
        title=rng.choice(["full", "full", "labels", "caps_only", "file_period"]),
        unit_text=rng.choice(["name", "short", "short", "nodiac", "upper"]) if unit.short_name else "name",
        total_row=rng.random() < 0.4,
        signature=rng.random() < 0.7,
        blank_rows=rng.random() < 0.3,
        sheets=rng.choice(["standard", "renamed", "renamed", "sheet1"]),
        split=unit.code in SPLIT_UNITS,
        numbers_as_text=rng.random() < 0.3,
        percent=rng.choice(["number", "fraction", "text"]),
        dates=rng.choice(["date", "date", "text", "long"]),
        variants=rng.random() < 0.5,
        two_row=rng.random() < 0.6,
        merge_events=unit.code == "VPDU",  # one event name merged down over its group rows
        blank_codes=kind == "kdc" and rng.random() < 0.3,
        omit_optional_tasks=rng.random() < 0.5,
    )
    if unit.code == "VPDU":  # the office reports the plan's conferences in full
        style = dataclasses.replace(style, drop_optional=False)
    return style


# ==========================================================================
# Writing
# ==========================================================================

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_BOLD = Font(name="Times New Roman", bold=True, size=12)
_PLAIN = Font(name="Times New Roman", size=12)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)

_LABEL_FOLDS = {fold(x) for x in (*UNIT_LABELS, *PERIOD_LABELS)}


def _no_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    out = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return out.replace("đ", "d").replace("Đ", "D")


def _safe_aliases(form: Form, key: str) -> list[str]:
    """Aliases of a field that name no other field of the form and no title label."""
    others: set[str] = set()
    for f in form.fields:
        if f.key != key:
            others |= {fold(f.header), *(fold(a) for a in f.aliases)}
    f = form.field(key)
    return [a for a in f.aliases if fold(a) not in others and fold(a) not in _LABEL_FOLDS]


def _header_text(form: Form, key: str, style: Style, rng: random.Random) -> str:
    f = form.field(key)
    text = f.header
    if style.header == "alias":
        options = _safe_aliases(form, key)
        if options and rng.random() < 0.6:
            text = rng.choice(options)
    elif style.header == "nodiac":
        text = _no_diacritics(text)
    elif style.header == "upper":
        text = text.upper()
    elif style.header == "nfd":
        text = unicodedata.normalize("NFD", text)
    elif style.header == "linebreak" and " " in text and len(text) > 12:
        words = text.split(" ")
        half = len(words) // 2
        text = " ".join(words[:half]) + "\n" + "  ".join(words[half:])
    return text


def _unit_text(unit: Unit, style: Style) -> str:
    if style.unit_text == "short" and unit.short_name:
        return unit.short_name
    if style.unit_text == "nodiac":
        return _no_diacritics(unit.name)
    if style.unit_text == "upper":
        return unit.name.upper()
    return unit.name


def _choice_text(vocab: str, key: str, style: Style, rng: random.Random) -> str:
    choice = VOCABULARIES[vocab].by_key(key)
    if style.variants and choice.variants and rng.random() < 0.5:
        return rng.choice(choice.variants)
    return choice.label


def _count_text(value: int | None, style: Style, rng: random.Random, suffix: str | None = None) -> Any:
    if value is None or not style.numbers_as_text or rng.random() < 0.4:
        return value
    if value >= 1000:
        return f"{value:,}".replace(",", ".")
    if suffix and rng.random() < 0.6:
        return f"{value} {suffix}"
    return str(value)


def _percent_value(value: int | None, style: Style) -> Any:
    if value is None:
        return None
    if style.percent == "fraction":
        return value / 100
    if style.percent == "text":
        return f"{value}%"
    return value


def _date_value(value: dt.date | None, style: Style) -> Any:
    if value is None:
        return None
    if style.dates == "text":
        return value.strftime("%d/%m/%Y")
    if style.dates == "long":
        return f"ngày {value.day:02d} tháng {value.month:02d} năm {value.year}"
    return value


def _title_block(ws: Any, form: Form, unit: Unit, period: str, style: Style, ncols: int, signed: dt.date) -> int:
    """Write the title block; return the next free row (1-based)."""
    unit_text = _unit_text(unit, style)
    label = period_label(period)
    month = int(period[5:7])
    right = max(ncols - 3, 4)
    date_line = f"{DEFAULTS.ward_name}, ngày {signed.day:02d} tháng {signed.month:02d} năm {signed.year}"
    row = 1
    if style.title in ("full", "caps_only", "file_period"):
        ws.cell(row=1, column=1, value=DEFAULTS.issuing_body).font = _PLAIN
        ws.cell(row=1, column=right, value="ĐẢNG CỘNG SẢN VIỆT NAM").font = _BOLD
        ws.cell(row=2, column=1, value=unit.name.upper() if style.title != "full" else unit_text.upper()).font = _BOLD
        ws.cell(row=2, column=right, value=date_line).font = Font(name="Times New Roman", italic=True, size=12)
        ws.cell(row=3, column=1, value="*")
        ws.cell(row=5, column=1, value=form.title).font = _BOLD
        row = 6
        if style.title == "full":
            ws.cell(row=6, column=1, value=f"Kỳ báo cáo: {label}")
            ws.cell(row=7, column=1, value=f"Đơn vị báo cáo: {unit_text}")
            row = 8
        elif style.title == "caps_only":
            ws.cell(row=6, column=1, value=f"Kỳ báo cáo: tháng {month} năm {YEAR}")
            row = 7
    else:  # labels
        ws.cell(row=1, column=1, value=form.title).font = _BOLD
        ws.cell(row=2, column=1, value=f"Đơn vị: {unit_text}")
        ws.cell(row=3, column=1, value=f"Tháng báo cáo: T{month}/{YEAR}")
        row = 4
    return row + 1


def _columns(form: Form, style: Style, rng: random.Random, needed: set[str]) -> list[str]:
    keys = [f.key for f in form.fields]
    if style.drop_optional:
        optional = [
            f.key
            for f in form.fields
            if not f.required_column and f.key not in needed and f.key != "row_no" and f.key not in form.data_fields
        ]
        for key in rng.sample(optional, k=min(len(optional), rng.randint(1, 2))):
            # "Vắng" columns go together, or present + absences would no longer add up
            pair = [k for k in keys if form.field(k).group] if form.field(key).group else [key]
            for k in pair:
                if k in keys:
                    keys.remove(k)
    if style.shuffle:
        middle = keys[1:]
        # keep Vắng columns adjacent for two-row headers: move whole fields only among non-group ones
        movable = [k for k in middle if not form.field(k).group]
        rng.shuffle(movable)
        it = iter(movable)
        middle = [k if form.field(k).group else next(it) for k in middle]
        keys = keys[:1] + middle
    if style.extra_column:
        keys.insert(rng.randint(2, len(keys)), "__extra__")
    return keys


def _due_ok(value: Any) -> bool:
    try:
        parse_due(value)
    except ValueProblem:
        return False
    return True


def _task_values(row: TaskRow, style: Style, rng: random.Random) -> dict[str, Any]:
    due = row.due
    if isinstance(due, dt.date):
        due = _date_value(due, style)
    elif due is not None and not _due_ok(due):
        due = None  # "Khi phát sinh" is written only when the loader accepts it
    return {
        "task_code": None if style.blank_codes else row.code,
        "task_text": row.text,
        "due": due,
        "status": _choice_text("status", row.status, style, rng),
        "percent": _percent_value(row.percent, style),
        "completed_on": _date_value(row.completed_on, style),
        "evidence": row.evidence,
        "obstacles": row.obstacles,
        "note": row.note,
    }


def _propaganda_values(row: PropagandaRow, style: Style, rng: random.Random) -> dict[str, Any]:
    measure = VOCABULARIES["measure_unit"].by_key(row.measure_unit).label if row.measure_unit else None
    return {
        "channel": _choice_text("channel", row.channel, style, rng),
        "topic": _choice_text("topic", row.topic, style, rng),
        "quantity": _count_text(row.quantity, style, rng, measure),
        "measure_unit": _choice_text("measure_unit", row.measure_unit, style, rng) if row.measure_unit else None,
        "reach": _count_text(row.reach, style, rng, "lượt" if row.channel in ("portal", "social") else "người"),
        "date": _date_value(row.date, style),
        "link": row.link,
    }


def _attendance_values(row: AttendanceRow, style: Style, rng: random.Random) -> dict[str, Any]:
    return {
        "event": row.event,
        "event_date": _date_value(row.event_date, style),
        "format": _choice_text("event_format", row.format, style, rng),
        "group": _choice_text("participant_group", row.group, style, rng),
        "invited": _count_text(row.invited, style, rng, "người"),
        "present": _count_text(row.present, style, rng, "người"),
        "absent_excused": _count_text(row.absent_excused, style, rng),
        "absent_unexcused": _count_text(row.absent_unexcused, style, rng),
        "note": row.note,
    }


def _write_custom_form(
    ws: Any,
    form: Form,
    rows: list[dict[str, Any]],
    unit: Unit,
    period: str,
    style: Style,
    rng: random.Random,
    signed: dt.date,
    sums: dict[str, int],
) -> list[str]:
    """Write one form on ``ws``; return the field keys of the columns written."""
    needed = {k for r in rows for k, v in r.items() if v not in (None, "")}
    # completed_on must stay when a task is done; obstacles when raised
    keys = _columns(form, style, rng, needed & {"completed_on", "obstacles", "task_code"})
    ncols = len(keys)
    top = _title_block(ws, form, unit, period, style, ncols, signed)
    letters = {k: get_column_letter(i) for i, k in enumerate(keys, start=1)}
    two_row = (
        style.two_row and form.key == "attendance" and all(k in keys for k in ("absent_excused", "absent_unexcused"))
    )
    if two_row:
        for i, k in enumerate(keys, start=1):
            f = form.field(k) if k != "__extra__" else None
            if f is not None and f.group:
                ws.cell(row=top + 1, column=i, value=_maybe_case(f.sub_header or f.header, style))
            else:
                text = "Người thực hiện" if f is None else _header_text(form, k, style, rng)
                ws.cell(row=top, column=i, value=text)
                ws.merge_cells(start_row=top, start_column=i, end_row=top + 1, end_column=i)
        group_cols = [i for i, k in enumerate(keys, start=1) if k != "__extra__" and form.field(k).group]
        ws.cell(row=top, column=group_cols[0], value=_maybe_case("Vắng", style))
        ws.merge_cells(start_row=top, start_column=group_cols[0], end_row=top, end_column=group_cols[-1])
        header_rows = [top, top + 1]
    else:
        for i, k in enumerate(keys, start=1):
            text = "Người thực hiện" if k == "__extra__" else _header_text(form, k, style, rng)
            ws.cell(row=top, column=i, value=text)
        header_rows = [top]
    for r in header_rows:
        for i in range(1, ncols + 1):
            c = ws.cell(row=r, column=i)
            c.font, c.alignment, c.border = _BOLD, _CENTER, _BORDER
    r = header_rows[-1] + 1
    if style.numbering:
        for i in range(1, ncols + 1):
            if style.numbering == "paren":
                number = f"({i})"
            else:
                number = "A" if i == 1 else ("B" if i == 2 else str(i - 2))
            ws.cell(row=r, column=i, value=number).alignment = _CENTER
        r += 1
    for k, f in ((k, form.field(k)) for k in keys if k != "__extra__"):
        ws.column_dimensions[letters[k]].width = f.width
    first_data = r
    merged_event: tuple[str, int] | None = None
    for n, values in enumerate(rows, start=1):
        if style.blank_rows and n > 1 and rng.random() < 0.2:
            r += 1  # a blank row inside the table
        for k in keys:
            if k == "row_no":
                value: Any = n
            elif k == "__extra__":
                value = rng.choice(["Đ/c Hương", "Đ/c Minh", "Đ/c Lan", None])
            else:
                value = values.get(k)
            if style.merge_events and form.key == "attendance" and k == "event":
                if merged_event and merged_event[0] == value:
                    value = None  # covered by the merge below
                else:
                    if merged_event and r - 1 > merged_event[1]:
                        col = keys.index("event") + 1
                        ws.merge_cells(start_row=merged_event[1], start_column=col, end_row=r - 1, end_column=col)
                    merged_event = (value, r)
            c = ws.cell(row=r, column=keys.index(k) + 1, value=value)
            c.border = _BORDER
            if isinstance(value, dt.date):
                c.number_format = "DD/MM/YYYY"
        r += 1
    if merged_event and r - 1 > merged_event[1]:
        col = keys.index("event") + 1
        ws.merge_cells(start_row=merged_event[1], start_column=col, end_row=r - 1, end_column=col)
    if style.total_row and form.sums and rows:
        first_text = next(k for k in keys if k != "__extra__" and form.field(k).kind in ("text", "choice"))
        first_sum = min(keys.index(k) for k in form.sums if k in keys) if any(k in keys for k in form.sums) else 99
        # the label stands at the left of the row, before the numbers, as people write it
        label_key = first_text if keys.index(first_text) < first_sum and rng.random() < 0.5 else "row_no"
        word = rng.choice(["Tổng cộng", "Cộng", "Tổng số"])
        ws.cell(row=r, column=keys.index(label_key) + 1, value=word).font = _BOLD
        for k in form.sums + (("absent_excused", "absent_unexcused") if form.key == "attendance" else ()):
            if k in keys:
                ws.cell(row=r, column=keys.index(k) + 1, value=sums.get(k, 0)).font = _BOLD
        r += 1
    del first_data
    if style.signature:
        r += 1
        right = max(ncols - 2, 3)
        title = "T/M CHI ỦY" if unit.name.startswith("Chi bộ") else "THỦ TRƯỞNG ĐƠN VỊ"
        ws.cell(row=r, column=2, value="NGƯỜI LẬP BIỂU").font = _BOLD
        ws.cell(row=r, column=right, value=title).font = _BOLD
        ws.cell(row=r + 1, column=2, value="(Ký, ghi rõ họ tên)")
        ws.cell(row=r + 1, column=right, value="BÍ THƯ" if title == "T/M CHI ỦY" else "(Ký, đóng dấu)")
        ws.cell(row=r + 4, column=2, value=rng.choice(["Nguyễn Thị Hương", "Trần Văn Minh", "Lê Thị Lan"]))
        ws.cell(row=r + 4, column=right, value=rng.choice(["Phạm Văn Hùng", "Vũ Thị Mai", "Đỗ Văn Nam"]))
    return keys


def _maybe_case(text: str, style: Style) -> str:
    if style.header == "nodiac":
        return _no_diacritics(text)
    if style.header == "upper":
        return text.upper()
    return text


def _sheet_name(form: Form, style: Style, month: int, index: int) -> str:
    if style.sheets == "sheet1":
        return f"Sheet{index}"
    if style.sheets == "renamed":
        return {"tasks": f"Tien do T{month}", "propaganda": f"BC thang {month}", "attendance": "TD hoi nghi"}[form.key]
    return form.sheet_title


def _expected(form: Form, rows: list[Any], keys: list[str] | None = None) -> dict[str, int]:
    """The ``check --json`` entry of a form: data rows and the sums (0 for a column left out)."""
    entry = {"rows": len(rows)}
    for s in form.sums:
        entry[s] = sum(int(getattr(r, s) or 0) for r in rows) if keys is None or s in keys else 0
    return entry


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _save(wb: Workbook, path: Path, when: dt.datetime) -> None:
    """Save with fixed zip timestamps and document properties: same input, same bytes."""
    wb.properties.created = when
    wb.properties.modified = when
    wb.properties.creator = "Bach Dang"
    wb.properties.lastModifiedBy = None
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    stamp = (when.year, when.month, when.day, when.hour, when.minute, 0)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, date_time=stamp)
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = info.external_attr
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with the clock
                data = _MODIFIED.sub(rb"\g<1>" + when.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", data)
            dst.writestr(new, data)
    ts = when.timestamp()
    os.utime(path, (ts, ts))


def _file_name(unit: Unit, month: int, style: Style, rng: random.Random, part: str = "") -> str:
    code = unit.code
    if style.title == "file_period" or rng.random() < 0.3:
        base = rng.choice(
            [f"{code}_T{month:02d}-{YEAR}", f"BC thang {month:02d}-{YEAR} {code}", f"{code} {YEAR}-{month:02d}"]
        )
    else:
        base = rng.choice([f"{code}_bao_cao", f"Bao cao {code}", f"{code}"]) + f"_{month:02d}"
        base = f"{code}_T{month:02d}-{YEAR}" if style.template else base
    return f"{base}{part}.xlsx"


def _write_template_report(
    registry: Registry, unit: Unit, period: str, content: Content, path: Path, when: dt.datetime, rng: random.Random
) -> dict[str, dict[str, int]]:
    from loaders.template import build_template

    wb, layouts = build_template(registry, unit.code, period)
    signed = when.date()
    for form_key, layout in layouts.items():
        ws = wb[layout.sheet]
        # fill the date line (right block of row 2)
        for row in ws.iter_rows(min_row=2, max_row=2):
            for c in row:
                if isinstance(c.value, str) and c.value.startswith(DEFAULTS.ward_name):
                    c.value = f"{DEFAULTS.ward_name}, ngày {signed.day:02d} tháng {signed.month:02d} năm {signed.year}"
        cols = layout.columns
        if form_key == "tasks":
            for t in content.tasks:
                r = layout.task_rows[t.code]
                values = _task_values(t, Style(), rng)
                for k in ("due", "status", "percent", "completed_on", "evidence", "obstacles", "note"):
                    if values[k] is not None and ws[f"{cols[k]}{r}"].value is None:
                        ws[f"{cols[k]}{r}"] = values[k]
        else:
            rows = content.propaganda if form_key == "propaganda" else content.attendance
            maker: Callable[[Any, Style, random.Random], dict[str, Any]] = (
                _propaganda_values if form_key == "propaganda" else _attendance_values
            )
            for n, row in enumerate(rows, start=1):
                r = layout.first_row + n - 1
                ws[f"{cols['row_no']}{r}"] = n
                for k, v in maker(row, Style(), rng).items():
                    if v is not None:
                        ws[f"{cols[k]}{r}"] = v
    _save(wb, path, when)
    return {
        "tasks": _expected(TASKS, content.tasks),
        "propaganda": _expected(PROPAGANDA, content.propaganda),
        "attendance": _expected(ATTENDANCE, content.attendance),
    }


def _write_custom_report(
    unit: Unit, period: str, content: Content, style: Style, out_dir: Path, when: dt.datetime, rng: random.Random
) -> list[tuple[Path, dict[str, dict[str, int]]]]:
    month = int(period[5:7])
    tasks = [t for t in content.tasks if not (style.omit_optional_tasks and t.optional)]
    parts: list[tuple[Form, list[Any], list[dict[str, Any]]]] = [
        (TASKS, tasks, [_task_values(t, style, rng) for t in tasks])
    ]
    if content.propaganda:
        parts.append((PROPAGANDA, content.propaganda, [_propaganda_values(p, style, rng) for p in content.propaganda]))
    if content.attendance:
        parts.append((ATTENDANCE, content.attendance, [_attendance_values(a, style, rng) for a in content.attendance]))
    if not style.split and rng.random() < 0.3:
        rng.shuffle(parts)
    out: list[tuple[Path, dict[str, dict[str, int]]]] = []
    groups = [[p] for p in parts] if style.split else [parts]
    for group in groups:
        wb = Workbook()
        wb.remove(wb.active)
        expected: dict[str, dict[str, int]] = {}
        for index, (form, raw_rows, rows) in enumerate(group, start=1):
            ws = wb.create_sheet(_sheet_name(form, style, month, index))
            sums = (
                {
                    k: sum(int(getattr(x, k) or 0) for x in raw_rows)
                    for k in (*form.sums, "absent_excused", "absent_unexcused")
                    if hasattr(raw_rows[0], k)
                }
                if raw_rows
                else {}
            )
            keys = _write_custom_form(ws, form, rows, unit, period, style, rng, when.date(), sums)
            expected[form.key] = _expected(form, raw_rows, keys)
        part = f"_Bieu{group[0][0].number}" if style.split else ""
        path = out_dir / _file_name(unit, month, style, rng, part)
        _save(wb, path, when)
        out.append((path, expected))
    return out


def generate(
    out_dir: Path, *, seed: int = 2026, units: Iterable[str] | None = None, months: Iterable[int] | None = None
) -> list[SampleReport]:
    """Write the sample ward's reports into ``out_dir``; return them (also in ``manifest.json``).

    ``units`` restricts the run to some unit codes, ``months`` to some months
    (each unit's files of a month depend on neither the other units nor the
    other months, so a subset gives the same bytes as the full run).
    """
    from sample_data import sample_registry

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    registry = sample_registry()
    month_list = [m for m in MONTHS if months is None or m in set(months)]
    wanted = set(units) if units is not None else None
    reports: list[SampleReport] = []
    for unit in registry.units:
        if wanted is not None and unit.code not in wanted:
            continue
        style = _style(unit, seed)
        for month in month_list:
            when = _sent_at(unit, month, seed)
            if when is None:
                continue
            period = f"{YEAR}-{month:02d}"
            content = _content(registry, unit, month, seed)
            rng = random.Random(f"{seed}:write:{unit.code}:{month}")
            if style.template:
                path = out_dir / _file_name(unit, month, style, rng)
                files = [(path, _write_template_report(registry, unit, period, content, path, when, rng))]
            else:
                files = _write_custom_report(unit, period, content, style, out_dir, when, rng)
            for path, forms in files:
                reports.append(SampleReport(path, unit.code, period, when, _sender(unit), forms))
    _write_manifest(out_dir, reports, seed)
    return reports


def _write_manifest(out_dir: Path, reports: list[SampleReport], seed: int) -> None:
    data = {
        "seed": seed,
        "today": TODAY.isoformat(),
        "due_day": DUE_DAY,
        "reports": [
            {
                "file": r.path.name,
                "unit": r.unit,
                "period": r.period,
                "sent_at": r.sent_at.isoformat(),
                "sender": r.sender,
                "forms": r.forms,
            }
            for r in reports
        ],
    }
    (out_dir / MANIFEST).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def load_manifest(out_dir: Path) -> list[SampleReport]:
    """Read ``manifest.json`` back into SampleReport values."""
    data = json.loads((Path(out_dir) / MANIFEST).read_text(encoding="utf-8"))
    return [
        SampleReport(
            Path(out_dir) / r["file"],
            r["unit"],
            r["period"],
            dt.datetime.fromisoformat(r["sent_at"]),
            r["sender"],
            r["forms"],
        )
        for r in data["reports"]
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_data.generate", description="Tạo dữ liệu mẫu của phường.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--unit", action="append", help="chỉ tạo cho đơn vị này (có thể lặp lại)")
    args = parser.parse_args(argv)
    start, cpu = time.perf_counter(), time.process_time()
    reports = generate(args.out_dir, seed=args.seed, units=args.unit)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    units = {r.unit for r in reports}
    on_time = {(r.unit, r.period) for r in reports if r.sent_at.day <= DUE_DAY and r.sent_at.month == int(r.period[5:])}
    pairs = {(r.unit, r.period) for r in reports}
    print(f"{len(reports)} tệp, {len(pairs)} báo cáo của {len(units)} đơn vị, tháng 01-11/{YEAR}")
    print(f"đúng hạn (trước ngày {DUE_DAY}): {len(on_time)}; muộn: {len(pairs) - len(on_time)}")
    print(f"chưa nhận: {len(MONTHS) * len(units) - len(pairs)} (tính đến {TODAY:%d/%m/%Y})")
    by_month: dict[str, int] = {}
    for _unit, period in pairs:
        by_month[period] = by_month.get(period, 0) + 1
    print("theo tháng: " + ", ".join(f"{p[5:]}: {n}" for p, n in sorted(by_month.items())))
    print(f"thời gian: {elapsed:.2f} giây (CPU {cpu:.2f} giây)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
