"""Personal API tokens: created and revoked on the account page, shown once, stored hashed.

The token is `sel_` followed by 43 random characters; only its SHA-256 is stored, so a
copy of the database gives nobody a working token.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.i18n import _l
from selector.models import Account
from selector.models import ApiToken
from selector.models.base import utcnow
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.services.logins import token_hash
from selector.services.logins import with_active_account

PREFIX = "sel_"
MAX_ACTIVE = 20


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    secret: str  # shown to the user once, never stored


def tokens_of(session: Session, account: Account) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.account_id == account.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
        )
    )


def create_token(session: Session, account: Account, name: str) -> CreatedToken:
    name = name.strip()
    if not name:
        raise ServiceError(_l("Give the token a name, so you know later what uses it."), "name")
    if len(name) > 100:
        raise ServiceError(_l("The name can have at most 100 characters."), "name")
    active = [t for t in tokens_of(session, account) if t.revoked_at is None]
    if len(active) >= MAX_ACTIVE:
        raise ServiceError(
            _l("You have %(count)d active tokens; revoke one first.", count=MAX_ACTIVE), "name"
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(account_id=account.id, name=name, token_hash=token_hash(secret))
    session.add(token)
    session.flush()
    return CreatedToken(token, secret)


def revoke_token(session: Session, account: Account, token_id: int) -> ApiToken:
    """Revoke one of the account's own tokens; another account's token is not found."""
    token = session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.account_id == account.id)
    )
    if token is None:
        raise NotFound(_l("There is no such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def account_for_token(session: Session, secret: str) -> Account | None:
    """The active account a bearer token belongs to (for the API), or None."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    row = with_active_account(
        session, ApiToken, ApiToken.token_hash == token_hash(secret), ApiToken.revoked_at.is_(None)
    )
    if row is None:
        return None
    return row[1]
