"""Backup and restore of a whole instance: every table's rows, the schema version and
the attachment files, in one zip file (`selector backup` / `selector restore`).

The format (version 1, unchanged): `manifest.json`, one JSON Lines member per table
(`tables/<name>.jsonl`, one row per line, datetimes as {"$datetime": iso}, bytes as
{"$bytes": base64}) and `attachments/<id>` per attachment file. Since issue 17 the
manifest may also list `missing_attachments` (rows whose file was gone at backup time).

A backup is read in one transaction, so it is a consistent snapshot while the app runs;
it is written to a temporary file with mode 0600 and renamed when complete. Login
sessions and login attempts are not kept: they are ephemeral, and restored sessions
would be a way back in.

A restore is all or nothing and streams (issue 17, item 10):

1. The whole backup is checked before anything is written: the member names (no other
   file, no path, no folder, so no path traversal), declared sizes (2 GB in all, zip
   bombs: the zip reader never yields more than a member declares), the compression
   method (stored or deflated only), the manifest, every row of every table (its
   columns, their types and lengths, the counts of the manifest) and every attachment
   file (a row of its own, its size, SHA-256, and type sniffed from its first bytes).
2. The rows go into the empty database in one transaction, read again line by line and
   inserted in batches: memory stays bounded whatever the backup's size.
3. Before the commit, the attachments are unpacked to temporary files in the
   attachments folder (checked again on the way); they are renamed to their real names
   only after the commit, and removed if anything fails before it. A refused or failed
   restore thus leaves the database empty and can simply be run again. Only a crash
   between the commit and the renames (a few file renames) can leave files missing.

Files in `attachments/` that no row names (a rolled-back upload's file, a `.part`
left over: older Selectors put them into backups) are skipped, not restored.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import math
import os
import re
import secrets
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean
from sqlalchemy import DateTime
from sqlalchemy import Engine
from sqlalchemy import Float
from sqlalchemy import Integer
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import TypeDecorator
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

import selector.models  # noqa: F401  (registers every table)
from selector import paths
from selector import schema
from selector.models.base import Base

FORMAT = "selector/backup"
VERSION = 1
SKIPPED_TABLES = frozenset({"login_sessions", "login_attempts", "upload_attempts"})
MAX_TOTAL_BYTES = 2 * 1024**3  # refuse a backup whose parts unpack to more (zip bomb)
MAX_MANIFEST_BYTES = 1024**2
MAX_ROW_BYTES = 64 * 1024**2  # one line of JSON: longer is no row Selector wrote
BATCH_ROWS = 500  # rows per INSERT: few round trips...
BATCH_BYTES = 4 * 1024**2  # ...and bounded memory, however long the rows
COPY_CHUNK = 1024**2
ATTACHMENTS = "attachments"
_TABLE_MEMBER = re.compile(r"^tables/([a-z_]+)\.jsonl$")
_ATTACHMENT_MEMBER = re.compile(r"^attachments/([1-9][0-9]{0,9})$")
_LEFTOVER_MEMBER = re.compile(r"^attachments/\.[0-9]+\.[0-9]+(\.[0-9a-f]+)?\.part$")


class BackupError(Exception):
    """A backup that cannot be written or restored; the message says why."""


class FilesNotPlaced(BackupError):
    """The rows are restored (committed), but attachment files could not be renamed."""


@dataclass
class Restored:
    """What a restore put back: rows per table and attachment files."""

    tables: dict[str, int] = field(default_factory=dict)
    files: int = 0
    skipped_files: int = 0


def _tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in SKIPPED_TABLES]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, bytes | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    return value


# -- writing ------------------------------------------------------------------------------


def write_backup(engine: Engine, instance: Path, out: Path) -> dict[str, int]:
    """Write the whole instance to `out` (mode 0600); return the row count per table."""
    out = Path(out)
    partial = out.with_name(f".{out.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    try:
        with paths.open_private(partial, exclusive=True) as stream:
            counts = _write(engine, instance / ATTACHMENTS, stream)
        os.replace(partial, out)
    except OSError as error:
        raise BackupError(f"cannot write {out}: {error.strerror or error}") from None
    finally:
        partial.unlink(missing_ok=True)
    return counts


def _write(engine: Engine, attachments: Path, stream) -> dict[str, int]:
    counts: dict[str, int] = {}
    with (
        engine.connect() as connection,
        zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        for table in _tables():
            rows = connection.execution_options(stream_results=True, yield_per=1000).execute(
                select(table).order_by(*table.primary_key.columns))
            count = 0
            with archive.open(f"tables/{table.name}.jsonl", "w", force_zip64=True) as member:
                lines = io.TextIOWrapper(member, encoding="utf-8", newline="\n")
                for row in rows:
                    if count:
                        lines.write("\n")
                    lines.write(json.dumps({k: _encode(v) for k, v in row._mapping.items()},
                                           ensure_ascii=False))
                    count += 1
                lines.flush()
                lines.detach()
            counts[table.name] = count
        attachment_rows = Base.metadata.tables["attachments"]
        ids = connection.execute(
            select(attachment_rows.c.id).order_by(attachment_rows.c.id)).scalars()
        files, missing = 0, []
        for attachment_id in ids:
            path = attachments / str(attachment_id)
            if path.is_file():
                archive.write(path, f"{ATTACHMENTS}/{attachment_id}")
                files += 1
            else:
                missing.append(attachment_id)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "schema": revision,
            "created_at": datetime.now(UTC).isoformat(),
            "tables": counts,
            "attachments": files,
            "missing_attachments": missing,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return counts


# -- checking -----------------------------------------------------------------------------


@dataclass
class _Plan:
    """What a checked backup holds: its table members and the files to place."""

    tables: dict[str, str] = field(default_factory=dict)  # table name -> member
    counts: dict[str, int] = field(default_factory=dict)
    files: dict[int, str] = field(default_factory=dict)  # attachment id -> member
    expected: dict[int, tuple[int, str, str]] = field(default_factory=dict)
    skipped_files: int = 0


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("a key appears twice")
    return dict(pairs)


def _column_value(column, value: Any) -> Any:
    """The value to insert for `column`, or ValueError saying what is wrong with it."""
    if value is None:
        return None  # whether NULL is allowed is the database's to judge
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    if isinstance(kind, LargeBinary):
        if not (isinstance(value, dict) and set(value) == {"$bytes"}):
            raise ValueError("is not {\"$bytes\": ...}")
        return base64.b64decode(value["$bytes"], validate=True)
    if isinstance(kind, DateTime):
        if not (isinstance(value, dict) and set(value) == {"$datetime"}
                and isinstance(value["$datetime"], str)):
            raise ValueError("is not {\"$datetime\": ...}")
        return datetime.fromisoformat(value["$datetime"])
    if isinstance(kind, Boolean):
        if not isinstance(value, bool):
            raise ValueError("is not true or false")
        return value
    if isinstance(kind, Integer):
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= 2**63:
            raise ValueError("is not an integer")
        return value
    if isinstance(kind, Float):
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value):
            raise ValueError("is not a number")
        return value
    if isinstance(kind, String):
        if not isinstance(value, str):
            raise ValueError("is not text")
        if kind.length is not None and len(value) > kind.length:
            raise ValueError(f"is longer than {kind.length} characters")
        if "\x00" in value:
            raise ValueError("holds a NUL character")
        return value
    if isinstance(value, dict | list):
        raise ValueError("is not a plain value")
    return value


def _rows(archive: zipfile.ZipFile, member: str, table: Table
          ) -> Iterator[tuple[dict[str, Any], int]]:
    """The rows of one table member, decoded and checked, one line at a time, each with
    the length of its line."""
    columns = {column.name: column for column in table.columns}
    with archive.open(member) as raw:
        lines = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
        number = 0
        while True:
            try:
                line = lines.readline(MAX_ROW_BYTES)
            except UnicodeDecodeError:
                raise BackupError(f"{member}: line {number + 1} is not UTF-8") from None
            if not line:
                return
            number += 1
            if len(line) >= MAX_ROW_BYTES and not line.endswith("\n"):
                raise BackupError(f"{member}: line {number} is longer than "
                                  f"{MAX_ROW_BYTES // 1024**2} MB")
            if not line.strip():
                continue
            try:
                raw_row = json.loads(line, object_pairs_hook=_unique_keys)
            except ValueError as error:
                raise BackupError(f"{member}: line {number} is not valid JSON ({error})") \
                    from None
            if not isinstance(raw_row, dict):
                raise BackupError(f"{member}: line {number} is not a JSON object")
            if set(raw_row) != set(columns):
                extra = sorted(set(raw_row) - set(columns))
                lacking = sorted(set(columns) - set(raw_row))
                raise BackupError(
                    f"{member}: line {number} does not have the columns of table "
                    f"{table.name}" + (f"; unknown: {', '.join(extra)}" if extra else "")
                    + (f"; missing: {', '.join(lacking)}" if lacking else ""))
            row = {}
            for name, value in raw_row.items():
                try:
                    row[name] = _column_value(columns[name], value)
                except (ValueError, binascii.Error) as error:
                    raise BackupError(f"{member}: line {number}, column {name} {error}") \
                        from None
            yield row, len(line)


def _open(source: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise BackupError(f"{source} is not a Selector backup ({error})") from None


def _manifest(archive: zipfile.ZipFile, source: Path) -> dict:
    info = archive.getinfo("manifest.json")
    if info.file_size > MAX_MANIFEST_BYTES:
        raise BackupError(f"{source}: manifest.json is larger than 1 MB; refused")
    try:
        manifest = json.loads(archive.read(info))
    except ValueError:
        raise BackupError(f"{source}: manifest.json is not valid JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise BackupError(f"{source} is not a Selector backup (format {found!r})")
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
    if not isinstance(manifest.get("tables", {}), dict):
        raise BackupError(f"{source}: manifest.json has no table counts")
    return manifest


def _members(archive: zipfile.ZipFile, source: Path) -> _Plan:
    """Sort the members by kind; anything else, a folder or a path is refused."""
    plan = _Plan()
    known = {table.name for table in _tables()}
    seen: set[str] = set()
    total = 0
    for info in archive.infolist():
        name = info.filename
        if name in seen:
            raise BackupError(f"{source}: {name} appears twice; refused")
        seen.add(name)
        if info.flag_bits & 0x1:
            raise BackupError(f"{source}: {name} is encrypted; refused")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise BackupError(f"{source}: {name} uses a compression Selector does not "
                              "write; refused")
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise BackupError(f"{source} unpacks to more than 2 GB; refused")
        table = _TABLE_MEMBER.match(name)
        attachment = _ATTACHMENT_MEMBER.match(name)
        if name == "manifest.json":
            continue
        if table and table.group(1) in known:
            plan.tables[table.group(1)] = name
        elif attachment:
            plan.files[int(attachment.group(1))] = name
        elif _LEFTOVER_MEMBER.match(name):
            plan.skipped_files += 1
        else:
            raise BackupError(f"{source}: unexpected member {name!r} (a Selector backup "
                              "holds manifest.json, tables/<table>.jsonl and "
                              "attachments/<id> only); refused")
    if "manifest.json" not in seen:
        raise BackupError(f"{source} is not a Selector backup (no manifest.json)")
    return plan


def _check_file(archive: zipfile.ZipFile, member: str, expected: tuple[int, str, str],
                sink=None) -> None:
    """Read an attachment member (into `sink` if given): its size, SHA-256 and type
    must be those of its row."""
    from selector.services.verdicts import MAX_ATTACHMENT
    from selector.services.verdicts import sniff

    size, sha256, content_type = expected
    digest = hashlib.sha256()
    read = 0
    head = b""
    with archive.open(member) as stream:
        while chunk := stream.read(COPY_CHUNK):
            read += len(chunk)
            if read > MAX_ATTACHMENT:
                raise BackupError(f"{member} is larger than an attachment may be "
                                  f"({MAX_ATTACHMENT // 1024**2} MB); refused")
            if len(head) < 16:
                head += chunk[:16]
            digest.update(chunk)
            if sink is not None:
                sink.write(chunk)
    found = sniff(head)
    if found is None or found != content_type:
        raise BackupError(f"{member} is not the {content_type} its row says "
                          f"(its content is {found or 'no PDF, PNG or JPEG'}); refused")
    if read != size or digest.hexdigest() != sha256:
        raise BackupError(f"{member} differs from its row (size or SHA-256); refused")


def check_backup(archive: zipfile.ZipFile, source: Path) -> _Plan:
    """Check the whole backup without writing anything; the plan of what it holds."""
    plan = _members(archive, source)
    manifest = _manifest(archive, source)
    declared = manifest.get("tables", {})
    for table in _tables():
        member = plan.tables.get(table.name)
        if member is None:
            raise BackupError(f"{source} lacks tables/{table.name}.jsonl")
        count = 0
        for row, _length in _rows(archive, member, table):
            count += 1
            if table.name == "attachments":
                plan.expected[row["id"]] = (row["size"], row["sha256"], row["content_type"])
        if table.name in declared and declared[table.name] != count:
            raise BackupError(f"{member} holds {count} rows, the manifest says "
                              f"{declared[table.name]}; the backup is incomplete")
        plan.counts[table.name] = count
    listed = manifest.get("missing_attachments")
    missing = {i for i in listed if isinstance(i, int)} if isinstance(listed, list) else set()
    for attachment_id in sorted(plan.files):
        if attachment_id not in plan.expected:  # an orphan file: not restored
            del plan.files[attachment_id]
            plan.skipped_files += 1
    for attachment_id, expected in plan.expected.items():
        member = plan.files.get(attachment_id)
        if member is None:
            if attachment_id not in missing:
                raise BackupError(f"{source} lacks attachments/{attachment_id}, the file of "
                                  "an attachment row; the backup is incomplete")
            continue
        _check_file(archive, member, expected)
    return plan


# -- restoring ----------------------------------------------------------------------------


def restore_backup(engine: Engine, instance: Path, source: Path) -> Restored:
    """Restore a backup into an empty database of the same schema version: all or
    nothing (see the module's docstring)."""
    try:
        return _restore(engine, instance, source)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:  # a damaged member
        raise BackupError(f"{source} is damaged ({error}); refused") from None


def _restore(engine: Engine, instance: Path, source: Path) -> Restored:
    with _open(source) as archive:
        plan = check_backup(archive, source)
        target = paths.private_dir(instance / ATTACHMENTS)
        token = secrets.token_hex(4)
        unpacked: dict[int, Path] = {}
        writer = engine.execution_options(sqlite_begin="IMMEDIATE") \
            if engine.dialect.name == "sqlite" else engine
        try:
            with writer.begin() as connection:
                _insert_rows(connection, archive, plan)
                for attachment_id, member in plan.files.items():
                    partial = target / f".restore-{token}-{attachment_id}.part"
                    unpacked[attachment_id] = partial
                    with paths.open_private(partial, exclusive=True) as sink:
                        _check_file(archive, member, plan.expected[attachment_id], sink)
        except BaseException as error:
            for partial in unpacked.values():
                partial.unlink(missing_ok=True)
            if isinstance(error, SQLAlchemyError):  # at the commit, say
                raise BackupError(f"the database refused the backup ({_first_line(error)})") \
                    from None
            if isinstance(error, OSError):
                raise BackupError(f"cannot unpack the attachments into {target} "
                                  f"({error.strerror or error})") from None
            raise
    # Committed: now the files take their names (renames in one folder, all or nothing
    # but for a crash right here).
    try:
        for attachment_id, partial in unpacked.items():
            os.replace(partial, target / str(attachment_id))
    except OSError as error:  # pragma: no cover - a rename in one folder
        raise FilesNotPlaced(f"the database is restored, but the attachments could not be "
                          f"renamed in {target} ({error.strerror or error}): rename the "
                          f".restore-{token}-<id>.part files there to <id>") from None
    return Restored(tables=plan.counts, files=len(unpacked), skipped_files=plan.skipped_files)


def _insert_rows(connection, archive: zipfile.ZipFile, plan: _Plan) -> None:
    for table in _tables():
        if connection.execute(select(func.count()).select_from(table)).scalar():
            raise BackupError(
                f"the database is not empty (table {table.name} has rows); "
                "restore only into an empty database"
            )
    for table in _tables():
        batch: list[dict[str, Any]] = []
        size = 0
        try:
            for row, length in _rows(archive, plan.tables[table.name], table):
                batch.append(row)
                size += length
                if len(batch) >= BATCH_ROWS or size >= BATCH_BYTES:
                    connection.execute(insert(table), batch)
                    batch, size = [], 0
            if batch:
                connection.execute(insert(table), batch)
        except SQLAlchemyError as error:
            raise BackupError(f"the database refused the rows of table {table.name} "
                              f"({_first_line(error)})") from None
    if connection.dialect.name == "postgresql":
        _reset_sequences(connection)


def _first_line(error: SQLAlchemyError) -> str:
    return (str(getattr(error, "orig", None) or error).splitlines() or [""])[0][:300]


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
