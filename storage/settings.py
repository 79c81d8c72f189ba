"""The ward's settings (``loaders.settings.WardSettings``) in the database, one JSON row per ward.

Keys that are not WardSettings fields (``extra``: e.g. the bootstrap's sample
fill state) live in the same row and survive a settings save.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from loaders.settings import WardSettings
from storage import models as m
from storage.ingest import local_now
from storage.registry import ward_id


def _row(conn: Connection, wid: int) -> dict[str, Any] | None:
    data = conn.execute(select(m.WardSetting.data).where(m.WardSetting.ward_id == wid)).scalar()
    return dict(data) if data is not None else None


def _write(conn: Connection, wid: int, data: dict[str, Any], existed: bool) -> None:
    now = local_now()
    if existed:
        conn.execute(update(m.WardSetting).where(m.WardSetting.ward_id == wid).values(data=data, updated_at=now))
    else:
        conn.execute(insert(m.WardSetting).values(ward_id=wid, data=data, updated_at=now))


def load_settings_conn(conn: Connection, wid: int | None) -> WardSettings:
    if wid is None:
        return WardSettings()
    return WardSettings.from_json(_row(conn, wid))


def load_settings(engine: Engine, ward: str | None = None) -> WardSettings:
    """The ward's settings (the defaults when none are stored yet)."""
    with engine.connect() as conn:
        return load_settings_conn(conn, ward_id(conn, ward))


def save_settings(conn: Connection, wid: int, settings: WardSettings, extra: dict[str, Any] | None = None) -> None:
    """Store ``settings`` (keeping the row's other keys); inside the caller's transaction."""
    row = _row(conn, wid)
    data = dict(row or {}) | settings.to_json() | dict(extra or {})
    _write(conn, wid, data, row is not None)


def get_extra(conn: Connection, wid: int, key: str) -> Any:
    return (_row(conn, wid) or {}).get(key)


def set_extra(conn: Connection, wid: int | None, key: str, value: Any) -> None:
    if wid is None:
        return
    row = _row(conn, wid)
    _write(conn, wid, dict(row or {}) | {key: value}, row is not None)


__all__ = ["WardSettings", "load_settings", "save_settings", "get_extra", "set_extra"]
