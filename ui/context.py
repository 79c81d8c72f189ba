"""What a figure shows, in words: the period and the unit scope of the current view.

Every chart carries this line inside the figure (``ui.charts.show``) and every
presentation screen shows it, so a full-screen chart, a PNG download or a
pasted screenshot still says which period and which units it covers.
"""

from __future__ import annotations

from storage.queries import Filters
from ui import data, filters
from ui.format import fmt_period

WHOLE_WARD = "Toàn Đảng bộ phường"


def period_label(f: Filters | None = None) -> str:
    """ "Quý III/2026", "Tháng 10/2026", "Tháng 01/2026 – Tháng 06/2026" (the sidebar's words)."""
    if f is None or f == filters.current():
        text = filters.current_label()
        if text:
            return text
        f = filters.current()
    if f.period_from and f.period_to and f.period_from != f.period_to:
        return f"{fmt_period(f.period_from)} – {fmt_period(f.period_to)}"
    if f.period_from or f.period_to:
        return fmt_period(f.period_from or f.period_to)
    return "Tất cả các kỳ"


def scope_label(f: Filters | None = None) -> str:
    """ "Toàn Đảng bộ phường", "Khối Chi bộ khu dân cư" or the unit's name."""
    f = f if f is not None else filters.current()
    if f.unit:
        return data.unit_names().get(f.unit, f.unit)
    if f.group:
        return f"Khối {f.group}"
    return WHOLE_WARD


def line(f: Filters | None = None) -> str:
    """ "Quý III/2026 · Toàn Đảng bộ phường"."""
    return f"{period_label(f)} · {scope_label(f)}"
