"""Showing a freshly issued link once: set-password links (admin page) and invitation
links (members page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from flask import current_app

from selector.models import Account


@dataclass
class IssuedLinkView:
    account: Account
    url: str
    expires_at: datetime
    mailed: bool  # sent by e-mail as well
    mail_configured: bool


@dataclass
class IssuedInvitationView:
    """Names the address as the facilitator typed it, never an account's stored name."""

    email: str
    url: str
    expires_at: datetime
    mailed: bool
    mail_configured: bool


def link_lifetime() -> timedelta:
    return timedelta(days=float(current_app.config["PASSWORD_LINK_DAYS"]))
