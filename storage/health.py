"""Is the database usable?  Named in Vietnamese before anything else runs.

    check_url(url) -> URL                      raises DatabaseUnavailable
    open_database(url, prepare) -> Opened      raises DatabaseUnavailable
    is_read_only(engine) -> bool

A wrong ``DATABASE_URL`` (not an address, a driver we do not support, a
PostgreSQL database that does not exist or cannot be reached, a SQLite file
that cannot be created) is a ``DatabaseUnavailable`` whose message is one
Vietnamese sentence naming the address (password hidden): the CLI prints it
and exits 2, the app shows it on a page.  A database that can be read but not
written (a read-only file or folder) opens read-only: pages read, uploads are
refused (``READ_ONLY_MESSAGE``).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

log = logging.getLogger(__name__)

SUPPORTED = ("sqlite", "postgresql")
PG_CONNECT_TIMEOUT_S = 5
READ_ONLY_MESSAGE = (
    "Cơ sở dữ liệu đang ở chế độ chỉ đọc (tệp hoặc thư mục không ghi được): vẫn xem được số liệu "
    "nhưng chưa nhận báo cáo mới. Hãy báo quản trị hệ thống cấp quyền ghi."
)


class DatabaseUnavailable(Exception):
    """The database cannot be used; ``str(exc)`` is the Vietnamese message for people."""


@dataclass
class Opened:
    engine: Engine
    read_only: bool


def shown(url: str | URL) -> str:
    """The address as it may be shown (no password)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not even an address: shown as given, shortened
        value = str(url)
        return value if len(value) <= 80 else value[:77] + "…"


def check_url(url: str) -> URL:
    """The parsed address, or DatabaseUnavailable when it is not one we can use (no connection made)."""
    try:
        u = make_url(url)
    except (ArgumentError, ValueError, TypeError):
        raise DatabaseUnavailable(
            f"DATABASE_URL «{shown(url)}» không phải địa chỉ cơ sở dữ liệu hợp lệ; "
            "dùng dạng sqlite:///duong/dan/tep.db hoặc postgresql+psycopg://nguoi_dung@may_chu:5432/ten_csdl."
        ) from None
    backend = u.get_backend_name()
    if backend not in SUPPORTED:
        raise DatabaseUnavailable(
            f"DATABASE_URL «{shown(u)}» dùng loại cơ sở dữ liệu «{backend}» không được hỗ trợ; "
            "chỉ dùng SQLite (sqlite:///...) hoặc PostgreSQL (postgresql+psycopg://...)."
        )
    try:
        dialect = u.get_dialect()
        if getattr(dialect, "is_async", False):
            raise ImportError("async driver")  # the app's engine is synchronous
        dialect.import_dbapi()
    except (NoSuchModuleError, ImportError):
        raise DatabaseUnavailable(
            f"DATABASE_URL «{shown(u)}» dùng trình điều khiển «{u.drivername}» chưa được cài đặt; "
            "với PostgreSQL hãy dùng postgresql+psycopg://..."
        ) from None
    if backend == "sqlite" and u.database and u.database != ":memory:" and not u.database.startswith("file:"):
        _check_sqlite_path(u)
    return u


def _check_sqlite_path(u: URL) -> None:
    assert u.database is not None  # the caller checks it names a file
    path = Path(u.database)
    if path.exists():
        if path.is_dir():
            raise DatabaseUnavailable(f"DATABASE_URL «{shown(u)}» trỏ tới một thư mục, không phải tệp cơ sở dữ liệu.")
        return  # an existing file: readable or read-only, the connection says
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".{path.name}.probe-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise DatabaseUnavailable(
            f"Không tạo được tệp cơ sở dữ liệu «{path}»: thư mục «{folder}» không ghi được "
            f"({exc.strerror or type(exc).__name__}). Kiểm tra DATABASE_URL hoặc quyền ghi thư mục."
        ) from None


def is_read_only(engine: Engine) -> bool:
    """True when the database can be read but not written (a write is tried, then rolled back)."""
    backend = engine.url.get_backend_name()
    try:
        with engine.connect() as conn:
            if backend == "sqlite":
                version = conn.exec_driver_sql("PRAGMA user_version").scalar()
                conn.exec_driver_sql(f"PRAGMA user_version = {int(version or 0)}")  # writes the header
                conn.rollback()
                return False
            if backend == "postgresql":
                return conn.execute(text("SHOW transaction_read_only")).scalar() == "on"
    except DBAPIError as exc:
        if _read_only_error(exc):
            return True
        raise
    return False


def _read_only_error(exc: BaseException) -> bool:
    words = str(getattr(exc, "orig", exc)).lower()
    return "readonly" in words or "read-only" in words or "read only" in words


def connection_problem(u: URL, exc: BaseException) -> DatabaseUnavailable:
    """The Vietnamese sentence for a failed first connection."""
    words = str(getattr(exc, "orig", exc))
    low = words.lower()
    if u.get_backend_name() == "postgresql":
        if "does not exist" in low and "database" in low:
            return DatabaseUnavailable(
                f"Máy chủ PostgreSQL không có cơ sở dữ liệu «{u.database}» (DATABASE_URL «{shown(u)}»); "
                "hãy tạo cơ sở dữ liệu đó hoặc sửa DATABASE_URL."
            )
        if "password" in low or "authentication" in low:
            return DatabaseUnavailable(
                f"Máy chủ PostgreSQL từ chối đăng nhập với DATABASE_URL «{shown(u)}» (sai tên hoặc mật khẩu)."
            )
        return DatabaseUnavailable(
            f"Không kết nối được máy chủ PostgreSQL theo DATABASE_URL «{shown(u)}»; "
            "kiểm tra máy chủ đã chạy, địa chỉ và cổng."
        )
    return DatabaseUnavailable(
        f"Không mở được cơ sở dữ liệu SQLite «{u.database}» (DATABASE_URL «{shown(u)}»): "
        "tệp hỏng, không phải cơ sở dữ liệu, hoặc không có quyền đọc."
    )


def open_database(url: str | None, prepare=None) -> Opened:
    """Check the address, connect, and run ``prepare(engine)`` (migrate, seed) when it can be written.

    Raises DatabaseUnavailable with the Vietnamese reason; never a driver's traceback.
    A read-only database is opened as it is (no migration): it must already be current.
    """
    from storage.db import current_revision, default_url, get_engine

    u = check_url(url or default_url())
    kwargs = {}
    if u.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"connect_timeout": PG_CONNECT_TIMEOUT_S}
    try:
        engine = get_engine(u.render_as_string(hide_password=False), **kwargs)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        read_only = is_read_only(engine)
    except DatabaseUnavailable:
        raise
    except (SQLAlchemyError, OSError, ImportError) as exc:
        log.info("database %s unavailable: %s", shown(u), exc)
        raise connection_problem(u, exc) from None
    if read_only:
        try:
            revision = current_revision(engine)
        except SQLAlchemyError as exc:
            raise connection_problem(u, exc) from None
        if revision is None:
            raise DatabaseUnavailable(
                f"Cơ sở dữ liệu «{shown(u)}» chỉ đọc và chưa được khởi tạo; cần quyền ghi để tạo lần đầu."
            )
        return Opened(engine, True)
    if prepare is not None:
        try:
            prepare(engine)
        except SQLAlchemyError as exc:
            if _read_only_error(exc):
                return Opened(engine, True)
            log.exception("database %s could not be prepared", shown(u))
            raise DatabaseUnavailable(
                f"Không chuẩn bị được cơ sở dữ liệu «{shown(u)}» (tạo bảng, nâng cấp): {type(exc).__name__}."
            ) from None
    return Opened(engine, False)
