"""Backup and restore of a whole instance: every table's rows, the schema version and
the attachment files, in one zip file (`selector backup` / `selector restore`).

A backup is read in one transaction, so it is a consistent snapshot while the app runs.
A restore goes into an empty database of the same schema version, in one transaction:
all or nothing. Login sessions and login attempts are not kept: they are ephemeral,
and restored sessions would be a way back in.
"""

from __future__ import annotations

import base64
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, LargeBinary, func, insert, select, text

import selector.models  # noqa: F401  (registers every table)
from selector import schema
from selector.models.base import Base

FORMAT = "selector/backup"
VERSION = 1
SKIPPED_TABLES = frozenset({"login_sessions", "login_attempts"})
MAX_MEMBER_BYTES = 2 * 1024**3  # refuse a backup whose parts claim more (zip bomb)


class BackupError(Exception):
    """A backup that cannot be written or restored; the message says why."""


def _tables():
    return [t for t in Base.metadata.sorted_tables if t.name not in SKIPPED_TABLES]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, bytes | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "$datetime" in value:
            return datetime.fromisoformat(value["$datetime"])
        if "$bytes" in value:
            return base64.b64decode(value["$bytes"])
    return value


def write_backup(engine: Engine, instance: Path, out: Path) -> dict[str, int]:
    """Write the whole instance to `out`; return the row count per table."""
    counts: dict[str, int] = {}
    attachments = instance / "attachments"
    with (
        engine.connect() as connection,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        for table in _tables():
            lines = []
            for row in connection.execute(select(table).order_by(*table.primary_key.columns)):
                lines.append(
                    json.dumps({k: _encode(v) for k, v in row._mapping.items()}, ensure_ascii=False)
                )
            counts[table.name] = len(lines)
            archive.writestr(f"tables/{table.name}.jsonl", "\n".join(lines))
        files = (
            sorted(p for p in attachments.glob("*") if p.is_file()) if attachments.is_dir() else []
        )
        for path in files:
            archive.write(path, f"attachments/{path.name}")
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "schema": revision,
            "created_at": datetime.now(UTC).isoformat(),
            "tables": counts,
            "attachments": len(files),
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return counts


def restore_backup(engine: Engine, instance: Path, source: Path) -> dict[str, int]:
    """Restore a backup into an empty database of the same schema version."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as error:
        raise BackupError(f"{source} is not a Selector backup ({error})") from None
    with archive:
        names = set(archive.namelist())
        if "manifest.json" not in names:
            raise BackupError(f"{source} is not a Selector backup (no manifest.json)")
        if sum(info.file_size for info in archive.infolist()) > MAX_MEMBER_BYTES:
            raise BackupError(f"{source} unpacks to more than 2 GB; refused")
        try:
            manifest = json.loads(archive.read("manifest.json"))
        except ValueError:
            raise BackupError(f"{source}: manifest.json is not valid JSON") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(
                f"{source} is not a Selector backup (format {manifest.get('format')!r})"
            )
        if manifest.get("version") != VERSION:
            raise BackupError(
                f"{source} has backup version {manifest.get('version')}; "
                f"this Selector reads version {VERSION}"
            )
        if manifest.get("schema") != schema.HEAD:
            raise BackupError(
                f"{source} was made with schema {manifest.get('schema')}; this Selector has "
                f"schema {schema.HEAD}: restore it with the Selector version that made it, "
                "then upgrade"
            )
        counts: dict[str, int] = {}
        with engine.begin() as connection:
            for table in _tables():
                if connection.execute(select(func.count()).select_from(table)).scalar():
                    raise BackupError(
                        f"the database is not empty (table {table.name} has rows); "
                        "restore only into an empty database"
                    )
            for table in _tables():
                member = f"tables/{table.name}.jsonl"
                if member not in names:
                    raise BackupError(f"{source} lacks {member}")
                binary = {c.name for c in table.columns if isinstance(c.type, LargeBinary)}
                rows = []
                for line in archive.read(member).decode("utf-8").splitlines():
                    if line.strip():
                        raw = json.loads(line)
                        rows.append(
                            {
                                k: (_decode(v) if k in binary or isinstance(v, dict) else v)
                                for k, v in raw.items()
                            }
                        )
                if rows:
                    connection.execute(insert(table), rows)
                counts[table.name] = len(rows)
            if engine.dialect.name == "postgresql":
                _reset_sequences(connection)
        target = instance / "attachments"
        for name in names:
            if name.startswith("attachments/") and name != "attachments/":
                filename = Path(name).name
                if not filename or filename.startswith("."):
                    continue
                target.mkdir(parents=True, exist_ok=True)
                (target / filename).write_bytes(archive.read(name))
    return counts


def _reset_sequences(connection) -> None:
    """After inserting explicit ids, move each id sequence past the largest id."""
    for table in _tables():
        if "id" in table.columns and table.columns["id"].autoincrement is not False:
            pk = table.columns["id"]
            if not isinstance(pk.type.python_type, type) or pk.type.python_type is not int:
                continue
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )
