"""Everything an exported file shows, read once through ``storage.queries``.

The three builders (Excel, Word, PowerPoint) take their figures from one
``ReportData`` so that the same filters give the same numbers in every file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from exports.format import filters_text
from loaders.settings import DEFAULTS, WardSettings
from storage import queries as q
from storage.figures import month_window
from storage.settings import load_settings


@dataclass
class ReportData:
    filters: Any
    today: dt.date
    scope: str  # Vietnamese description of the filters
    unit_names: dict[str, str]
    headline: dict[str, Any]
    totals: dict[str, Any]
    tasks: pd.DataFrame
    overdue: pd.DataFrame
    propaganda_by_channel: pd.DataFrame
    propaganda_by_topic: pd.DataFrame
    propaganda_by_unit: pd.DataFrame
    propaganda_by_period: pd.DataFrame
    attendance_by_group: pd.DataFrame
    attendance_by_unit: pd.DataFrame
    attendance_events: pd.DataFrame
    compliance: pd.DataFrame
    obstacles: pd.DataFrame
    extra: dict[str, Any] = field(default_factory=dict)
    settings: WardSettings = DEFAULTS  # the ward's names and due day

    @property
    def previous(self) -> dict[str, Any]:
        return self.headline.get("previous") or {}

    @property
    def trend(self) -> pd.DataFrame:
        """Headline figures per period of the trend window (``storage.queries.trend``)."""
        return self.extra.get("trend", pd.DataFrame())

    @property
    def as_of(self) -> dt.date:
        """The date counts such as "overdue" are taken at (the range's end, or today)."""
        return self.headline.get("as_of") or self.today

    @property
    def propaganda_quantity(self) -> int:
        return int(_num(self.totals.get("propaganda", {}).get("quantity")))

    @property
    def propaganda_reach(self) -> int:
        return int(_num(self.totals.get("propaganda", {}).get("reach")))

    @property
    def attendance_invited(self) -> int:
        return int(_num(self.totals.get("attendance", {}).get("invited")))

    @property
    def attendance_present(self) -> int:
        return int(_num(self.totals.get("attendance", {}).get("present")))

    @property
    def has_propaganda(self) -> bool:
        return not self.propaganda_by_channel.empty

    @property
    def has_attendance(self) -> bool:
        return not self.attendance_events.empty or not self.attendance_by_group.empty

    @property
    def has_compliance(self) -> bool:
        return not self.compliance.empty

    @property
    def has_any(self) -> bool:
        """True when any submission falls inside the filters."""
        return bool(self.has_propaganda or self.has_attendance or self.totals.get("tasks", {}).get("rows"))

    def compliance_counts(self) -> pd.DataFrame:
        """period x status counts (columns on_time, late, missing, not_due), periods sorted."""
        cols = ["on_time", "late", "missing", "not_due"]
        if self.compliance.empty:
            return pd.DataFrame(columns=cols, dtype="int64")
        table = pd.crosstab(self.compliance["period"].astype(str), self.compliance["status"].astype(str))
        return table.reindex(columns=cols, fill_value=0).sort_index().astype("int64")

    def compliance_grid(self) -> pd.DataFrame:
        """units (rows: code, name, group) x periods -> status key."""
        if self.compliance.empty:
            return pd.DataFrame()
        c = self.compliance.copy()
        c["period"] = c["period"].astype(str)
        grid = c.pivot_table(
            index=["unit_code", "unit_name", "group"],
            columns="period",
            values="status",
            aggfunc="first",
        )
        return grid.sort_index(axis=1)


def _num(value: Any) -> float:
    if value is None:
        return 0.0
    try:
        if pd.isna(value):
            return 0.0
    except (TypeError, ValueError):
        pass
    return float(value)


def collect(engine: Any, filters: Any, today: dt.date, settings: WardSettings | None = None) -> ReportData:
    """Run every query the exports need, once; ``settings``: the ward's (read from the database when None)."""
    if settings is None:
        settings = load_settings(engine)
    units = q.list_units(engine)
    unit_names = dict(zip(units["code"].astype(str), units["name"].astype(str), strict=False))
    return ReportData(
        filters=filters,
        today=today,
        scope=filters_text(filters, unit_names),
        unit_names=unit_names,
        headline=q.headline(engine, filters, today, due_day=settings.due_day),
        totals=q.totals(engine, filters),
        tasks=q.task_timeline(engine, filters, today),
        overdue=q.overdue_tasks(engine, filters, today),
        propaganda_by_channel=q.propaganda_by_channel(engine, filters),
        propaganda_by_topic=q.propaganda_by_topic(engine, filters),
        propaganda_by_unit=q.propaganda_by_unit(engine, filters),
        propaganda_by_period=q.propaganda_by_period(engine, filters),
        attendance_by_group=q.attendance_by_group(engine, filters),
        attendance_by_unit=q.attendance_by_unit(engine, filters),
        attendance_events=q.attendance_events(engine, filters),
        compliance=q.compliance(engine, filters, due_day=settings.due_day, today=today),
        obstacles=q.obstacles(engine, filters),
        extra={
            "task_unit_grid": q.task_unit_grid(engine, filters, today),
            # charts over time: the window ending at the chosen period (storage.figures)
            "trend": q.trend(engine, filters, today, due_day=settings.due_day),
            "compliance_window": _compliance_window(engine, filters, today, settings.due_day),
        },
        settings=settings,
    )


def _compliance_window(engine: Any, filters: Any, today: dt.date, due_day: int) -> pd.DataFrame:
    """Compliance over the 12 months (at least) ending at the range's end, from the ward's first report
    (every month when the filters name no period)."""
    if not getattr(filters, "period_from", None) or not getattr(filters, "period_to", None):
        return q.compliance(engine, filters, due_day=due_day, today=today)
    first_last = month_window(getattr(filters, "period_from", None), getattr(filters, "period_to", None), today)
    window = replace(filters, period_from=first_last[0], period_to=first_last[1])
    periods = q.list_periods(engine)
    comp = q.compliance(engine, window, due_day=due_day, today=today)
    if len(periods) and not comp.empty:
        comp = comp[comp["period"] >= str(periods["period"].iloc[0])]
    return comp.reset_index(drop=True)
