"""Portable backup and restore, the same on SQLite and PostgreSQL.

A backup is a zip file:
- ``manifest.json``: format, Alembic revision, creation time, tables with row counts;
- ``tables/<table>.jsonl``: one JSON object per row (dates and datetimes as ISO text);
- ``blobs/<sha256>``: the original report files (the ``blobs.data`` column).

Restore migrates the target to the same schema, refuses a non-empty target
unless ``replace=True`` (then it empties it first), inserts tables in
dependency order inside ONE transaction, checks counts against the manifest
and moves PostgreSQL sequences past the restored ids.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, Engine, delete, func, insert, select, text

from storage import models as m
from storage.db import current_revision, migrate

FORMAT = "bach-dang-dashboard-backup/1"
BATCH = 2000


class BackupError(Exception):
    pass


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _decoder(column):
    t = column.type
    if isinstance(t, DateTime):
        return lambda v: None if v is None else dt.datetime.fromisoformat(v)
    if isinstance(t, Date):
        return lambda v: None if v is None else dt.date.fromisoformat(v)
    return None


def backup(engine: Engine, out: str | Path) -> dict[str, int]:
    """Write a backup of every table to ``out``; returns row counts per table."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    tmp = out.with_suffix(out.suffix + ".part")
    with engine.connect() as conn, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        # One read transaction: a consistent snapshot on PostgreSQL (REPEATABLE READ) and SQLite.
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        for table in m.Base.metadata.sorted_tables:
            n = 0
            pk = list(table.primary_key.columns)
            if table.name == "blobs":
                for sha, data in conn.execute(select(table.c.sha256, table.c.data).order_by(*pk)):
                    zf.writestr(f"blobs/{sha}", bytes(data))
                    n += 1
                with zf.open("tables/blobs.jsonl", "w") as fh:
                    for sha, size in conn.execute(select(table.c.sha256, table.c.size).order_by(*pk)):
                        fh.write((json.dumps({"sha256": sha, "size": size}) + "\n").encode())
            else:
                names = [c.name for c in table.columns]
                with zf.open(f"tables/{table.name}.jsonl", "w") as fh:
                    result = conn.execution_options(yield_per=BATCH).execute(select(table).order_by(*pk))
                    for row in result:
                        rec = {k: _encode(v) for k, v in zip(names, row, strict=True)}
                        fh.write((json.dumps(rec, ensure_ascii=False) + "\n").encode())
                        n += 1
            counts[table.name] = n
        manifest = {
            "format": FORMAT,
            "revision": current_revision(engine),
            "created_at": dt.datetime.now().isoformat(timespec="seconds"),
            "dialect": engine.dialect.name,
            "tables": counts,
        }
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    tmp.replace(out)
    return counts


def _rows(zf: zipfile.ZipFile, table):
    decoders = {c.name: _decoder(c) for c in table.columns}
    decoders = {k: v for k, v in decoders.items() if v}
    with zf.open(f"tables/{table.name}.jsonl") as fh:
        for line in fh:
            rec = json.loads(line)
            for k, dec in decoders.items():
                rec[k] = dec(rec.get(k))
            if table.name == "blobs":
                rec["data"] = zf.read(f"blobs/{rec['sha256']}")
            yield rec


def restore(engine: Engine, src: str | Path, *, replace: bool = False) -> dict[str, int]:
    """Restore a backup into ``engine``'s database (migrated to head first)."""
    with zipfile.ZipFile(src) as zf:
        try:
            manifest = json.loads(zf.read("manifest.json"))
        except KeyError as exc:
            raise BackupError("Tệp sao lưu không hợp lệ: thiếu manifest.json.") from exc
        if manifest.get("format") != FORMAT:
            raise BackupError(f"Định dạng sao lưu không được hỗ trợ: {manifest.get('format')!r}.")
        migrate(engine)
        head = current_revision(engine)
        if manifest.get("revision") != head:
            raise BackupError(
                f"Bản sao lưu thuộc phiên bản lược đồ {manifest.get('revision')}, cơ sở dữ liệu đang ở {head}."
            )
        tables = m.Base.metadata.sorted_tables
        counts: dict[str, int] = {}
        with engine.begin() as conn:
            existing = sum(conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables)
            if existing and not replace:
                raise BackupError("Cơ sở dữ liệu đích không trống; dùng tùy chọn thay thế để xóa và khôi phục.")
            for t in reversed(tables):
                conn.execute(delete(t))
            for t in tables:
                n = 0
                batch: list[dict] = []
                for rec in _rows(zf, t):
                    batch.append(rec)
                    if len(batch) >= BATCH:
                        conn.execute(insert(t), batch)
                        n += len(batch)
                        batch = []
                if batch:
                    conn.execute(insert(t), batch)
                    n += len(batch)
                expected = manifest["tables"].get(t.name, 0)
                if n != expected:
                    raise BackupError(f"Bảng {t.name}: đọc được {n} dòng, bản sao lưu ghi {expected}.")
                counts[t.name] = n
            if conn.dialect.name == "postgresql":
                for t in tables:
                    pk = list(t.primary_key.columns)
                    if len(pk) == 1 and pk[0].autoincrement is not False and pk[0].type.python_type is int:
                        conn.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('{t.name}', '{pk[0].name}'), "
                                f"COALESCE((SELECT MAX({pk[0].name}) FROM {t.name}), 0) + 1, false)"
                            )
                        )
            conn.execute(
                insert(m.AuditLog).values(
                    at=dt.datetime.now().replace(microsecond=0),
                    actor="",
                    action="restore",
                    entity="database",
                    entity_id="",
                    detail={"file": Path(src).name, "created_at": manifest.get("created_at"), "tables": counts},
                )
            )
    return counts
