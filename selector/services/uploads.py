"""How often one account may upload a file to be parsed: at most `PER_MINUTE` a minute.

Each parse runs in the sandbox with its own CPU and time limits; this limit bounds how
many of them one account can start, so a loop of hostile uploads cannot keep the
machine's cores busy. The record is in the database (`UploadAttempt`), so the limit holds
across gunicorn workers; the account's row is locked while counting (PostgreSQL), and on
SQLite the write transaction (BEGIN IMMEDIATE) serialises the count already.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from selector.i18n import _l
from selector.models import Account, UploadAttempt
from selector.models.base import utcnow
from selector.services.errors import ServiceError

PER_MINUTE = 6
WINDOW = timedelta(minutes=1)
KEEP = timedelta(days=1)


class TooManyUploads(ServiceError):
    """Refused: the account uploaded `PER_MINUTE` files within the last minute.
    `retry_after`: seconds until the oldest of them leaves the window."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(_l("Too many uploads: at most %(count)d a minute. Wait a minute, "
                            "then upload the file again.", count=PER_MINUTE), "file")
        self.retry_after = retry_after


def admit(session: Session, account_id: int, kind: str, size: int, *,
          per_minute: int = PER_MINUTE) -> None:
    """Record an upload of `size` bytes, or raise TooManyUploads (nothing recorded).
    The caller commits the record before it parses the file, so that it counts even
    when the file is refused."""
    session.execute(select(Account.id).where(Account.id == account_id).with_for_update())
    now = utcnow()
    count, oldest = session.execute(
        select(func.count(), func.min(UploadAttempt.at)).where(
            UploadAttempt.account_id == account_id, UploadAttempt.at > now - WINDOW)
    ).one()
    if count >= per_minute:
        oldest = oldest if oldest is not None else now
        wait = int((oldest + WINDOW - now).total_seconds()) + 1
        raise TooManyUploads(max(1, min(wait, int(WINDOW.total_seconds()))))
    session.execute(delete(UploadAttempt).where(
        UploadAttempt.account_id == account_id, UploadAttempt.at < now - KEEP))
    session.add(UploadAttempt(account_id=account_id, kind=kind[:30], size=size, at=now))
    session.flush()
