"""One definition per headline figure, and the rules that make comparisons honest.

Every card on the dashboard, every chart of a figure over time, the help text
and the Excel, Word and PowerPoint files take a figure's label, its help text
(with its denominator), its formula and its colour from ``FIGURES``; nothing
else spells them.  ``compare`` decides once, for all of them, whether a change
against the previous range may be shown.  ``trend_buckets`` decides once which
periods a chart over time shows.

Streamlit-free and database-free: pure data and small functions over the
dicts ``storage.queries.headline`` returns.

Rules (the same everywhere):
- No change is shown when the previous range has no report at all
  ("chưa có số liệu kỳ trước").
- A range that is still open (a month not yet ended or whose due day has not
  passed) is marked with how many units reported ("25/39 đơn vị đã báo cáo")
  and its change is LEFT OUT (not compared like with like): a partial month
  against a complete one only says who has not reported yet.
- Counts as of a date (overdue tasks) are taken as of the end of the range
  viewed (or today when the range has not ended); only the "now" block of
  Tổng quan uses today whatever the range.
- A change of zero is neutral (grey, no arrow).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Figure:
    key: str  # the key in storage.queries.headline
    label: str  # full label, shown on cards, in charts and in files
    help: str  # what it counts, with its denominator
    formula: str  # how it is computed, by headline keys
    kind: str  # "count" | "share"
    better: str = "up"  # "up" | "down": which way is good
    color: str = "#1F5FA8"  # the figure's one colour in every chart
    cumulative: bool = False  # a state as of the range's end, not a sum over the range


FIGURES: dict[str, Figure] = {
    f.key: f
    for f in (
        Figure(
            "done_share",
            "Nhiệm vụ hoàn thành",
            "Số nhiệm vụ thực hiện một lần đã hoàn thành (mọi đơn vị chủ trì báo cáo hoàn thành) / tổng số "
            "nhiệm vụ thực hiện một lần của kế hoạch. Nhiệm vụ thường xuyên, khi phát sinh không tính.",
            "tasks_done / tasks_total",
            "share",
            color="#5E4FA2",
            cumulative=True,
        ),
        Figure(
            "tasks_overdue",
            "Nhiệm vụ quá hạn",
            "Số nhiệm vụ thực hiện một lần đã qua thời hạn mà chưa hoàn thành, tính đến cuối kỳ xem "
            "(hoặc đến hôm nay nếu kỳ xem chưa kết thúc).",
            "count(once tasks: due_date < as_of and status != done)",
            "count",
            better="down",
            color="#D64545",
            cumulative=True,
        ),
        Figure(
            "propaganda_quantity",
            "Tin, bài, buổi tuyên truyền",
            "Tổng số tin, bài, buổi tuyên truyền các đơn vị báo cáo trong kỳ (Biểu 02, theo đơn vị tính của "
            "từng hình thức).",
            "sum(propaganda.quantity)",
            "count",
            color="#1F5FA8",
        ),
        Figure(
            "propaganda_reach",
            "Lượt tiếp cận, người tham dự",
            "Tổng số lượt người tham dự, tiếp cận các hoạt động tuyên truyền trong kỳ (Biểu 02).",
            "sum(propaganda.reach)",
            "count",
            color="#3A9D8F",
        ),
        Figure(
            "attendance_invited",
            "Số được triệu tập",
            "Tổng số lượt người được triệu tập học tập, quán triệt trong kỳ (Biểu 03).",
            "sum(attendance.invited)",
            "count",
            color="#C9D1D9",
        ),
        Figure(
            "attendance_present",
            "Số có mặt",
            "Tổng số lượt người có mặt tại các hội nghị, buổi học tập trong kỳ (Biểu 03).",
            "sum(attendance.present)",
            "count",
            color="#2E9E5B",
        ),
        Figure(
            "attendance_rate",
            "Tỷ lệ tham dự",
            "Số lượt người có mặt / số lượt người được triệu tập tại các hội nghị, buổi học tập trong kỳ.",
            "attendance_present / attendance_invited",
            "share",
            color="#2E9E5B",
        ),
        Figure(
            "on_time_share",
            "Báo cáo nộp đúng hạn",
            "Số lượt báo cáo nộp đúng hạn / số lượt báo cáo đã đến hạn trong kỳ (mỗi đơn vị một báo cáo mỗi "
            "tháng, hạn nộp theo quy định của phường).",
            "units_on_time / units_expected",
            "share",
            color="#E08A1E",
        ),
    )
}

NO_PREVIOUS = "chưa có số liệu kỳ trước"
AGAINST = "so với kỳ trước"


@dataclass(frozen=True)
class Change:
    """What a card or a file says about a figure's change against the previous range."""

    delta: float | None  # current - previous (shares: in 0..1), None when not compared
    text: str  # "+12", "-2,5 điểm %", "0", or why there is no change
    tone: str  # "good" | "bad" | "neutral"
    note: str = ""  # e.g. "kỳ trước 36/39 đơn vị báo cáo"

    @property
    def shown(self) -> bool:
        return self.delta is not None


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def _fmt(value: float, decimals: int) -> str:
    text = f"{abs(value):,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def coverage_text(info: dict[str, Any] | None) -> str:
    """ "25/39 đơn vị đã báo cáo" (a month) or "405/468 lượt báo cáo đã nộp" (a longer range)."""
    if not info or not info.get("reports_expected"):
        return ""
    got, expected = int(info.get("reports_received") or 0), int(info["reports_expected"])
    if int(info.get("months") or 1) == 1:
        return f"{got}/{expected} đơn vị đã báo cáo"
    return f"{got}/{expected} lượt báo cáo đã nộp"


def compare(key: str, headline: dict[str, Any]) -> Change:
    """The change of ``FIGURES[key]`` against the previous range, under the rules of the module doc."""
    fig = FIGURES[key]
    prev = headline.get("previous")
    if not prev or not prev.get("reports_received"):
        return Change(None, NO_PREVIOUS, "neutral")
    if headline.get("open"):
        return Change(None, f"kỳ chưa khép lại: {coverage_text(headline)}", "neutral")
    cur, before = _num(headline.get(key)), _num(prev.get(key))
    if cur is None or before is None:
        return Change(None, NO_PREVIOUS if before is None else "chưa có số liệu kỳ này", "neutral")
    diff = cur - before
    if fig.kind == "share":
        diff_shown = round(diff * 100, 1)
        text = ("+" if diff_shown > 0 else "-" if diff_shown < 0 else "") + _fmt(diff_shown, 1) + " điểm %"
    else:
        diff_shown = round(diff)
        text = ("+" if diff_shown > 0 else "-" if diff_shown < 0 else "") + _fmt(diff_shown, 0)
    if diff_shown == 0:
        tone = "neutral"
        text = "0" if fig.kind == "count" else "0 điểm %"
    else:
        tone = "good" if (diff_shown > 0) == (fig.better == "up") else "bad"
    note = ""
    if prev.get("reports_expected") and prev.get("reports_received", 0) < prev["reports_expected"]:
        note = f"kỳ trước: {coverage_text(prev)}"
    return Change(diff, text, tone, note)


def help_text(key: str, headline: dict[str, Any] | None = None) -> str:
    """A card's help: the definition, the figure's parts, the comparison rule."""
    fig = FIGURES[key]
    parts = [fig.help]
    h = headline or {}
    if key == "done_share":
        parts.append(f"Kỳ này: {h.get('tasks_done', 0)}/{h.get('tasks_total', 0)} nhiệm vụ thực hiện một lần.")
    elif key == "attendance_rate":
        parts.append(f"Kỳ này: {h.get('attendance_present', 0)}/{h.get('attendance_invited', 0)} lượt người.")
    elif key == "on_time_share":
        parts.append(f"Kỳ này: {h.get('units_on_time', 0)}/{h.get('units_expected', 0)} lượt báo cáo đến hạn.")
    elif key == "tasks_overdue" and h.get("as_of"):
        parts.append(f"Tính đến ngày {_date(h['as_of'])}.")
    parts.append(
        "So với kỳ trước cùng độ dài; không so sánh khi kỳ trước chưa có báo cáo nào, hoặc khi kỳ đang xem "
        "chưa khép lại (tháng chưa kết thúc hoặc chưa đến hạn nộp: số liệu còn thiếu báo cáo của một số đơn vị)."
    )
    return " ".join(parts)


def _date(value: Any) -> str:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y")


# ---------------------------------------------------------------- periods


def month_end(month: str) -> dt.date:
    y, m = int(month[:4]), int(month[5:7])
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def as_of(period_to: str | None, today: dt.date) -> dt.date:
    """The date counts such as "overdue" are taken at: the range's last day, or today if earlier."""
    if not period_to:
        return today
    return min(today, month_end(period_to))


def month_is_open(month: str, today: dt.date, due: dt.date) -> bool:
    """A month is open while it has not ended or its reports are not yet due."""
    return today <= month_end(month) or today <= due


def _shift(month: str, n: int) -> str:
    y, m = int(month[:4]), int(month[5:7])
    idx = y * 12 + (m - 1) + n
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


def _span(first: str, last: str) -> list[str]:
    out = [first]
    while out[-1] < last:
        out.append(_shift(out[-1], 1))
    return out


def view_kind(period_from: str | None, period_to: str | None) -> str:
    """ "month" | "quarter" | "year" | "range", read from the range itself."""
    if not period_from or not period_to:
        return "month"
    if period_from == period_to:
        return "month"
    fm, tm = int(period_from[5:7]), int(period_to[5:7])
    same_year = period_from[:4] == period_to[:4]
    if same_year and fm == 1 and tm == 12:
        return "year"
    if same_year and fm % 3 == 1 and tm == fm + 2:
        return "quarter"
    return "range"


@dataclass(frozen=True)
class Bucket:
    key: str  # "2026-11", "2026-Q4", "2026"
    label: str  # "11/2026", "Quý IV/2026", "2026"
    months: tuple[str, ...]
    selected: bool


def bucket_label(key: str) -> str:
    if len(key) == 7 and key[4] == "-" and key[5:].isdigit():
        return f"{key[5:7]}/{key[:4]}"
    if len(key) == 7 and key[5] == "Q":
        return f"Quý {ROMAN[int(key[6])]}/{key[:4]}"
    return key


def trend_buckets(
    period_from: str | None, period_to: str | None, today: dt.date, first_month: str | None = None
) -> list[Bucket]:
    """The periods a chart over time shows for the chosen range: the 12 months (month view), the 4 quarters
    (quarter view) or the years since the first report (year view) ending at the chosen period, which is
    ``selected``; a range of months shows at least 12 months ending at its end, its own months selected."""
    kind = view_kind(period_from, period_to)
    end = period_to or f"{today.year:04d}-{today.month:02d}"
    start = period_from or end
    if kind == "month":
        return [Bucket(m, bucket_label(m), (m,), m == end) for m in _span(_shift(end, -11), end)]
    if kind == "quarter":
        out = []
        for i in range(3, -1, -1):
            last = _shift(end, -3 * i)
            quarter_months = tuple(_span(_shift(last, -2), last))
            q = f"{last[:4]}-Q{(int(last[5:7]) - 1) // 3 + 1}"
            out.append(Bucket(q, bucket_label(q), quarter_months, i == 0))
        return out
    if kind == "year":
        year = int(end[:4])
        first_year = int(first_month[:4]) if first_month else year
        years = range(min(first_year, year), year + 1)
        if len(years) > 6:
            years = range(year - 5, year + 1)
        return [Bucket(str(y), str(y), tuple(_span(f"{y}-01", f"{y}-12")), y == year) for y in years]
    months = _span(min(start, _shift(end, -11)), end)
    return [Bucket(m, bucket_label(m), (m,), start <= m <= end) for m in months]


def month_window(period_from: str | None, period_to: str | None, today: dt.date) -> tuple[str, str]:
    """The months a month-by-month chart (units x months grids, channels per month) shows: at least the
    12 months ending at the range's end, the whole range when it is longer."""
    end = period_to or f"{today.year:04d}-{today.month:02d}"
    start = period_from or end
    return min(start, _shift(end, -11)), end
