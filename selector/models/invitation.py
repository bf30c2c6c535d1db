"""An invitation to join a selection: a membership that waits for its person.

Adding someone to a selection must not hand the adder that person's account (the
account-takeover chain of issue 17), nor show whether the address has an account or
what its stored name is. So the add form records an invitation, not a membership: the
person accepts it while logged in as that address (or, for an address without an
account, by choosing a password through the invitation link), or an instance admin
confirms it. Until then the selection is not on the person's home page and the
person has no access. Only the SHA-256 of the link's token is stored.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from selector.models.base import Base
from selector.models.base import UTCDateTime
from selector.models.base import utcnow


class Invitation(Base):
    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_selection_email", "selection_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(
        ForeignKey("selections.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))  # as the forms normalise it
    name: Mapped[str] = mapped_column(String(200), default="")  # as the inviter typed it
    role: Mapped[str] = mapped_column(String(20))
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # At most one of these ends an invitation; an open one has none
    # (services.invitations.OPEN).
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id"), default=None
    )  # an admin confirmed it instead of the person
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
