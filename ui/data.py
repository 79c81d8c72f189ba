"""Cached access to ``storage.queries`` for the pages.

Pages never touch SQL: they call the functions below, which call the query of
the same name in ``storage.queries`` and keep the (small) result in
``st.cache_data``. The cache key holds the database URL, so two databases never
share results, and the stored data's version (``storage.version``), so a report
stored or an obstacle handled, in this process or any other sharing the
database, shows on the next run. ``clear_cache()`` only frees memory now.
"""

from __future__ import annotations

import dataclasses
import os
from datetime import date, datetime
from typing import Any

import pandas as pd
import streamlit as st

import bootstrap
from loaders.settings import WardSettings
from storage import db, queries
from storage import version as data_versions
from storage.queries import Filters
from storage.settings import load_settings

CACHE_TTL_S = 600


def today() -> date:
    """Today's date; env DASHBOARD_TODAY=YYYY-MM-DD overrides it (tests, demos)."""
    value = os.environ.get("DASHBOARD_TODAY", "").strip()
    if value:
        return date.fromisoformat(value)
    return date.today()


def database_url() -> str | None:
    return os.environ.get("DATABASE_URL") or None


def seed_enabled() -> bool:
    """Env DASHBOARD_SEED=0 keeps a new, empty database empty (a real ward, set up in Quản trị)."""
    return bootstrap.seed_enabled()


@st.cache_resource(show_spinner=False)
def _engine_for(url: str | None, seed: bool = True):
    # A new database gets the sample ward's registry at once (seed) or nothing; the sample
    # year of reports is filled in the background (bootstrap.start_sample_fill).
    engine = db.get_engine(url)
    db.ensure_database(engine, seed=bootstrap.seed_registry if seed else None)
    return engine


def engine_for_url(url: str | None):
    """The shared engine for ``url`` (None: the default database), migrated (and seeded when new)."""
    return _engine_for(url, seed_enabled())


def engine():
    """The SQLAlchemy engine for DATABASE_URL, migrated (and seeded when new)."""
    return engine_for_url(database_url())


def _filters_key(f: Filters | None) -> tuple | None:
    if f is None:
        return None
    return dataclasses.astuple(f)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False, max_entries=2000)
def _call(
    url: str | None,
    name: str,
    filters: tuple | None,
    args: tuple,
    kwargs: tuple,
    scope: tuple = (),
    version: tuple = (),
) -> Any:
    fn = getattr(queries, name)
    positional: list[Any] = [engine_for_url(url)]
    if filters is not None:
        positional.append(Filters(*filters))
    return fn(*positional, *args, **dict(kwargs))


# Queries anyone logged in may run (the registry and how fresh the data is); every other query
# returns ward-wide figures, which unit staff may not see (issue 12).
UNSCOPED = {"list_units", "list_groups", "list_periods", "data_freshness", "list_wards"}


def _scope(name: str) -> tuple:
    """The viewer's scope, part of every cache key; unit staff get no ward-wide figures."""
    from ui import auth

    principal = auth.current()
    if principal is None or name in UNSCOPED:
        return ("registry",) if name in UNSCOPED else ("none",)
    if not principal.sees_everything:
        raise PermissionError("Cán bộ đơn vị chỉ xem được báo cáo của đơn vị mình.")
    return principal.scope


def _q(name: str, f: Filters | None = None, *args: Any, **kwargs: Any) -> Any:
    version = data_version()  # the stored data's stamp: a new report or a handled obstacle is a new key
    return _call(database_url(), name, _filters_key(f), args, tuple(sorted(kwargs.items())), _scope(name), version)


def data_version_for_url(url: str | None) -> tuple:
    """The stamp of the data stored in ``url``'s database, read now (one cheap statement, never cached)."""
    return data_versions.data_version(engine_for_url(url))


def data_version() -> tuple:
    """The stamp of the stored data: part of every cache key (queries and meeting files)."""
    return data_version_for_url(database_url())


def clear_cache() -> None:
    """Forget every cached query result (call after a report is stored or changed)."""
    _call.clear()


# ---------------------------------------------------------------- registry


def list_units() -> pd.DataFrame:
    return _q("list_units")


def list_groups() -> list[str]:
    frame = _q("list_groups")
    return [str(g) for g in frame["group"].tolist()] if len(frame) else []


def list_periods() -> list[str]:
    frame = _q("list_periods")
    return [str(p) for p in frame["period"].tolist()] if len(frame) else []


def data_freshness() -> datetime | None:
    value = _q("data_freshness")
    if value is None or (isinstance(value, float) and value != value):
        return None
    return pd.Timestamp(value).to_pydatetime()


def unit_names() -> dict[str, str]:
    units = list_units()
    return dict(zip(units["code"].astype(str), units["name"].astype(str), strict=False))


# ---------------------------------------------------------------- figures


def _filtered(name: str, *, dated: bool = False):
    """The cached ``storage.queries.<name>(engine, f)`` (``dated``: with today's date after ``f``)."""

    def fetch(f: Filters) -> Any:
        return _q(name, f, today()) if dated else _q(name, f)

    fetch.__name__ = fetch.__qualname__ = name
    fetch.__doc__ = f"Cached ``storage.queries.{name}``."
    return fetch


headline = _filtered("headline", dated=True)  # dict
totals = _filtered("totals")  # dict
task_timeline = _filtered("task_timeline", dated=True)
task_unit_grid = _filtered("task_unit_grid", dated=True)
overdue_tasks = _filtered("overdue_tasks", dated=True)
ongoing_activity = _filtered("ongoing_activity")
propaganda_by_period = _filtered("propaganda_by_period")
propaganda_by_channel = _filtered("propaganda_by_channel")
propaganda_by_topic = _filtered("propaganda_by_topic")
propaganda_by_unit = _filtered("propaganda_by_unit")
propaganda_by_group = _filtered("propaganda_by_group")
attendance_events = _filtered("attendance_events")
attendance_by_group = _filtered("attendance_by_group")
attendance_by_unit = _filtered("attendance_by_unit")
trend = _filtered("trend", dated=True)  # the headline figures per period of the trend window


def compliance(f: Filters) -> pd.DataFrame:
    return _q("compliance", f, today=today(), due_day=ward_settings().due_day)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False, max_entries=50)
def _ward_settings(url: str | None, version: tuple) -> WardSettings:
    return load_settings(engine_for_url(url))


def ward_settings() -> WardSettings:
    """The ward's settings (names, due day) as stored in the database; the declaration's defaults when none."""
    return _ward_settings(database_url(), data_version())


def obstacles(f: Filters, handled: bool | None = None) -> pd.DataFrame:
    return _q("obstacles", f, handled=handled)


def set_obstacle_handled(obstacle_id: int, handled: bool, by: str | None = None) -> None:
    """Write through (never cached) and forget cached results. Office only; the actor is the
    logged-in account (``by`` is kept for callers outside a login, e.g. scripts)."""
    from ui import auth

    principal = auth.current()
    if principal is not None and not principal.is_office:
        raise PermissionError("Chỉ Văn phòng Đảng ủy được đánh dấu đã xử lý.")
    account_id = principal.account_id if principal is not None else None
    queries.set_obstacle_handled(engine(), obstacle_id, handled, principal.label if principal else by or "", account_id)
    clear_cache()


def submission_history(unit_code: str) -> pd.DataFrame:
    return _q("submission_history", None, unit_code)


def submission_file(submission_id: int) -> tuple[str, bytes]:
    return queries.submission_file(engine(), submission_id)
