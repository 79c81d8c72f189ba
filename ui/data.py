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
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

import bootstrap
from loaders.settings import WardSettings
from storage import db, queries
from storage import version as data_versions
from storage.queries import Filters
from storage.settings import load_settings

CACHE_TTL_S = 600
T = TypeVar("T")


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
    fn = _QUERIES[name]  # the storage.queries function the typed wrapper named (see _q)
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


_QUERIES: dict[str, Callable[..., Any]] = {}  # query name (part of the cache key) -> storage.queries function


def _q(fn: Callable[..., T], f: Filters | None = None, *args: Any, **kwargs: Any) -> T:
    """``fn(engine, f, *args, **kwargs)`` through the cache; typed as ``fn`` returns."""
    name = fn.__name__
    _QUERIES.setdefault(name, fn)
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
    return _q(queries.list_units)


def list_groups() -> list[str]:
    frame = _q(queries.list_groups)
    return [str(g) for g in frame["group"].tolist()] if len(frame) else []


def list_plans() -> list[tuple[str, str, bool]]:
    """(code, label, is_current) of the ward's plans, for the sidebar's plan choice."""
    from storage.admin import plans_frame

    frame = plans_frame(engine())
    return [(str(r.code), str(r.number or r.code), bool(r.is_current)) for r in frame.itertuples(index=False)]


def list_periods() -> list[str]:
    frame = _q(queries.list_periods)
    return [str(p) for p in frame["period"].tolist()] if len(frame) else []


def data_freshness() -> datetime | None:
    value = _q(queries.data_freshness)
    if value is None or (isinstance(value, float) and value != value):
        return None
    return pd.Timestamp(value).to_pydatetime()


def unit_names() -> dict[str, str]:
    units = list_units()
    return dict(zip(units["code"].astype(str), units["name"].astype(str), strict=False))


# ---------------------------------------------------------------- figures


# Each wrapper is the cached ``storage.queries`` function of the same name, typed as it is.


def headline(f: Filters) -> dict[str, Any]:
    return _q(queries.headline, f, today(), ward_settings().due_day)


def totals(f: Filters) -> dict[str, dict[str, int]]:
    return _q(queries.totals, f)


def task_timeline(f: Filters) -> pd.DataFrame:
    return _q(queries.task_timeline, f, today())


def task_unit_grid(f: Filters) -> pd.DataFrame:
    return _q(queries.task_unit_grid, f, today())


def overdue_tasks(f: Filters) -> pd.DataFrame:
    return _q(queries.overdue_tasks, f, today())


def ongoing_activity(f: Filters) -> pd.DataFrame:
    return _q(queries.ongoing_activity, f)


def propaganda_by_period(f: Filters) -> pd.DataFrame:
    return _q(queries.propaganda_by_period, f)


def propaganda_by_channel(f: Filters) -> pd.DataFrame:
    return _q(queries.propaganda_by_channel, f)


def propaganda_by_topic(f: Filters) -> pd.DataFrame:
    return _q(queries.propaganda_by_topic, f)


def propaganda_by_unit(f: Filters) -> pd.DataFrame:
    return _q(queries.propaganda_by_unit, f)


def propaganda_by_group(f: Filters) -> pd.DataFrame:
    return _q(queries.propaganda_by_group, f)


def attendance_events(f: Filters) -> pd.DataFrame:
    return _q(queries.attendance_events, f)


def attendance_by_group(f: Filters) -> pd.DataFrame:
    return _q(queries.attendance_by_group, f)


def attendance_by_unit(f: Filters) -> pd.DataFrame:
    return _q(queries.attendance_by_unit, f)


def trend(f: Filters) -> pd.DataFrame:
    """The headline figures per period of the trend window."""
    return _q(queries.trend, f, today(), ward_settings().due_day)


def compliance(f: Filters) -> pd.DataFrame:
    return _q(queries.compliance, f, today=today(), due_day=ward_settings().due_day)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False, max_entries=50)
def _ward_settings(url: str | None, version: tuple) -> WardSettings:
    return load_settings(engine_for_url(url))


def ward_settings() -> WardSettings:
    """The ward's settings (names, due day) as stored in the database; the declaration's defaults when none."""
    return _ward_settings(database_url(), data_version())


def obstacles(f: Filters, handled: bool | None = None) -> pd.DataFrame:
    return _q(queries.obstacles, f, handled=handled)


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
    return _q(queries.submission_history, None, unit_code)


def submission_file_for(principal, submission_id: int) -> tuple[str, bytes]:
    """A stored file for ``principal`` (checked against its units, audited; never cached)."""
    from storage import review

    if principal is None:
        raise PermissionError("Chưa đăng nhập.")
    return review.submission_file(engine(), principal, submission_id)


def submission_file(submission_id: int) -> tuple[str, bytes]:
    return queries.submission_file(engine(), submission_id)
