"""The spreadsheets area's writes: importing a file (all rows or none, each change audited
by the requirements area), keeping an upload for its commit, and counting uploads.

The caller (a view or a command) commits once.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from selector import paths
from selector.domain import requirement_mapping as mapping
from selector.domain.vocabulary import FACILITATOR
from selector.domain.vocabulary import PROPOSED
from selector.i18n import _l
from selector.models import Account
from selector.models import Category
from selector.models import Requirement
from selector.models import Selection
from selector.models import UploadAttempt
from selector.models.base import utcnow
from selector.services import requirements as requirement_service
from selector.services.errors import ServiceError
from selector.services.spreadsheets.reads import STASH_QUOTA
from selector.services.spreadsheets.reads import check_size
from selector.services.spreadsheets.reads import plan_import
from selector.services.spreadsheets.reads import read_workbook
from selector.services.spreadsheets.reads import stash_folder
from selector.services.spreadsheets.reads import stash_path
from selector.services.spreadsheets.rules import FIELD_COLUMN
from selector.services.spreadsheets.rules import KINDS
from selector.services.spreadsheets.rules import STASH_HOURS
from selector.services.spreadsheets.rules import STASH_TOKEN
from selector.services.spreadsheets.rules import UPLOADS_PER_MINUTE
from selector.services.spreadsheets.rules import ImportOptions
from selector.services.spreadsheets.rules import SpreadsheetError
from selector.services.spreadsheets.rules import TooManyUploads
from selector.services.spreadsheets.rules import kind_of
from selector.services.spreadsheets.rules import row_problem
from selector.services.spreadsheets.rules import shorten

# -- importing --------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int
    categories: int = 0  # created


IMPORT_REASON = {"en": "Imported from {file}", "nl": "Geïmporteerd uit {file}"}


def import_requirements(
    session: Session,
    selection: Selection,
    actor: Account | None,
    role: str,
    data: bytes,
    filename: str,
    *,
    reason: str = "",
    options: ImportOptions | None = None,
) -> ImportResult:
    """Read a file and import it: all rows or none. Reads the file before its first
    query; a caller that holds a transaction already reads it first with
    `read_workbook` and calls `commit_import`."""
    sheets = read_workbook(data, filename)
    options = options or ImportOptions(reason=reason)
    return commit_import(session, selection, actor, role, sheets, filename, options)


def commit_import(
    session: Session,
    selection: Selection,
    actor: Account | None,
    role: str,
    sheets: list[mapping.Sheet],
    filename: str,
    options: ImportOptions | None = None,
) -> ImportResult:
    """Import a file read by `read_workbook`: all rows or none (any problem raises
    SpreadsheetError before the caller commits). Missing categories are created first
    when the options say so; rows with a code that exists update that requirement,
    others are created (status from the file, accepted with `accept_reason`, default
    proposed). Every change is audited with its reason."""
    options = options or ImportOptions()
    plan = plan_import(session, selection, sheets, options)
    if plan.problems:
        raise SpreadsheetError(plan.problems)
    reason = options.reason
    decision_reason = options.accept_reason.strip() or reason.strip() or IMPORT_REASON.get(
        selection.language, IMPORT_REASON["en"]).format(file=Path(filename).name[:100])
    new_categories = len(plan.new_categories)
    if plan.new_categories:
        if role != FACILITATOR:
            raise SpreadsheetError([_l("Only the facilitator can create categories.")])
        for new in plan.new_categories:
            try:
                requirement_service.add_category(session, selection, actor, name=new.name,
                                                 domain=new.domain, reason=reason)
            except ServiceError as error:
                raise SpreadsheetError([_l("category '%(name)s': %(problem)s",
                                           name=shorten(new.name), problem=error.message)]
                                       ) from None
        plan = plan_import(session, selection, sheets, options)
        if plan.problems:  # pragma: no cover - the categories were checked above
            raise SpreadsheetError(plan.problems)
    codes = requirement_service.CodeAllocator(session, selection.id)
    # Held here so that the session's (weak) identity map keeps them: each row's
    # `session.get(Category, ...)` is then answered without a query and its autoflush.
    categories = list(session.scalars(select(Category).where(
        Category.selection_id == selection.id)))
    touched: list[Requirement] = []
    for planned in plan.rows:
        try:
            if planned.action == "create":
                touched.append(requirement_service.create_requirement(
                    session, selection, actor, role, planned.values, status=planned.status,
                    status_reason=decision_reason if planned.status != PROPOSED else "",
                    reason=reason, raised_by_id=planned.raised_by_id, codes=codes,
                    refresh=False))
            elif planned.action == "update":
                requirement = planned.existing
                assert requirement is not None
                requirement_service.update_requirement(
                    session, requirement, actor, role, planned.values, expected_version=None,
                    reason=reason, refresh=False)
                if planned.status != requirement.status:
                    requirement_service.decide(session, requirement, actor, role,
                                               planned.status, decision_reason, refresh=False)
                touched.append(requirement)
        except ServiceError as error:
            name = FIELD_COLUMN.get(error.field or "", error.field or "") or "file"
            raise SpreadsheetError([row_problem("field", planned.row, name, error.message)]
                                   ) from None
    if touched:
        requirement_service.refresh_quality(session, selection.id, touched)
    del categories
    return ImportResult(plan.count("create"), plan.count("update"), plan.count("unchanged"),
                        new_categories)


# -- the upload stash (preview, then commit) --------------------------------------------


def stash(instance: Path, account_id: int, selection_id: int, data: bytes,
          filename: str) -> str:
    """Keep an upload that passed its checks for its commit; returns the token that
    names it. Uploads older than a day go on the way, and so do the account's oldest
    ones while its stash would hold more than `STASH_QUOTA` bytes."""
    kind = kind_of(filename)
    check_size(data)
    folder = stash_folder(instance)
    cutoff = time.time() - STASH_HOURS * 3600
    mine: list[tuple[float, int, Path]] = []
    for old in folder.iterdir():
        try:
            status = old.stat()
            if status.st_mtime < cutoff:
                old.unlink()
            elif old.name.startswith(f"{int(account_id)}-"):
                mine.append((status.st_mtime, status.st_size, old))
        except OSError:
            pass
    held = sum(size for _, size, _ in mine)
    for _, size, old in sorted(mine, key=lambda found: found[0]):
        if held + len(data) <= STASH_QUOTA:
            break
        old.unlink(missing_ok=True)
        held -= size
    token = secrets.token_hex(16)
    path = stash_path(folder, account_id, selection_id, token, kind)
    with paths.open_private(path, exclusive=True) as handle:  # 0600
        handle.write(data)
    return token


def discard(instance: Path, account_id: int, selection_id: int, token: str) -> None:
    """Delete a stashed upload (after its commit, done or refused)."""
    if not STASH_TOKEN.match(token or ""):
        return
    folder = stash_folder(instance)
    for kind in KINDS:
        stash_path(folder, account_id, selection_id, token, kind).unlink(missing_ok=True)


# -- the upload limit: at most `UPLOADS_PER_MINUTE` parses an account starts ------------

# Each parse runs in the sandbox with its own CPU and time limits; this limit bounds how
# many of them one account can start, so a loop of hostile uploads cannot keep the
# machine's cores busy. The record is in the database (`UploadAttempt`), so the limit
# holds across gunicorn workers; the account's row is locked while counting
# (PostgreSQL), and on SQLite the write transaction (BEGIN IMMEDIATE) serialises the
# count already.

UPLOAD_WINDOW = timedelta(minutes=1)
UPLOADS_KEPT = timedelta(days=1)


def admit_upload(session: Session, account_id: int, kind: str, size: int, *,
                 per_minute: int = UPLOADS_PER_MINUTE) -> None:
    """Record an upload of `size` bytes, or raise TooManyUploads (nothing recorded).
    The caller commits the record before it parses the file, so that it counts even
    when the file is refused."""
    session.execute(select(Account.id).where(Account.id == account_id).with_for_update())
    now = utcnow()
    count, oldest = session.execute(
        select(func.count(), func.min(UploadAttempt.at)).where(
            UploadAttempt.account_id == account_id, UploadAttempt.at > now - UPLOAD_WINDOW)
    ).one()
    if count >= per_minute:
        oldest = oldest if oldest is not None else now
        wait = int((oldest + UPLOAD_WINDOW - now).total_seconds()) + 1
        raise TooManyUploads(max(1, min(wait, int(UPLOAD_WINDOW.total_seconds()))))
    session.execute(delete(UploadAttempt).where(
        UploadAttempt.account_id == account_id, UploadAttempt.at < now - UPLOADS_KEPT))
    session.add(UploadAttempt(account_id=account_id, kind=kind[:30], size=size, at=now))
    session.flush()
