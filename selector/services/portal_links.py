"""A vendor's personal link to the portal: issuing it, and finding the vendor behind it.

Vendors never get accounts (decisions.md, "Vendors (wave 2)"): the facilitator gives a
vendor's contact a link, `/portal/<token>`, valid for a set number of days. Security
assumptions, written down beside the code that relies on them:

* The token is 32 random bytes (`secrets.token_urlsafe`), a secret like a password: it
  exists only in the answer to whoever issued it. Only its SHA-256 is stored, so a
  database file or a backup holds no working link. The lookup is by that hash, and the
  stored hash is compared again in constant time.
* A vendor has one working link: a new one ends the earlier ones at once.
* An expired, ended or altered token, a withdrawn vendor's link, and a token of the
  wrong shape are all the same `NotFound` (the web answers 404), so a guesser learns
  nothing about which links exist.
* Failed lookups are throttled like failed logins, per client address (growing delays,
  never a lock; `logins.address_wait`). Each failure is recorded and committed at once,
  so it counts whatever the request does next; a lookup that must wait is neither
  checked nor counted (`Throttled`, the web answers 429 with Retry-After).
* Every lookup is logged (never the token), and the first use of a link is audited.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from selector.domain.vocabulary import AuditAction, AuditEntity
from selector.i18n import _l
from selector.models import Account, PortalLink, Selection, Vendor
from selector.models.base import utcnow
from selector.services import audit, logins
from selector.services.errors import NotFound, ServiceError
from selector.services.vendors import get_vendor

log = logging.getLogger(__name__)

DEFAULT_DAYS = 14
MAX_DAYS = 365
# The "address" column of login_attempts holds the client; this word stands in the
# e-mail column for failed portal lookups, which name no account.
LOOKUP = logins.PORTAL_LOOKUP
# The portal's address on this instance, for links printed by the command line.
BASE_URL_SETTING = "SELECTOR_BASE_URL"
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def portal_path(token: str) -> str:
    return f"/portal/{token}"


def base_url() -> str:
    """Where vendors reach this instance (`SELECTOR_BASE_URL`), for the command line;
    the web uses the address of the request."""
    return (os.environ.get(BASE_URL_SETTING) or DEFAULT_BASE_URL).rstrip("/")


def portal_url(token: str, base: str | None = None) -> str:
    return (base if base is not None else base_url()).rstrip("/") + portal_path(token)


def vendor_actor(vendor: Vendor) -> str:
    """How the audit trail names a vendor acting through its link (it has no account)."""
    return f"vendor:{vendor.key}"


@dataclass(frozen=True)
class IssuedLink:
    """A new link with its token, which exists only in this answer."""

    link: PortalLink
    vendor: Vendor
    token: str

    def url(self, base: str | None = None) -> str:
        return portal_url(self.token, base)


def _token_hash(token: str) -> str:
    return logins.token_hash(token)


def issue(session: Session, selection: Selection, actor: Account | None, vendor_id: int,
          days: int = DEFAULT_DAYS) -> IssuedLink:
    """A new personal link for the vendor, valid `days` days; its earlier link stops
    working. `actor` None: the console."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ServiceError(_l("A link is valid for 1 to %(max)d days.", max=MAX_DAYS), "days")
    vendor = get_vendor(session, selection, vendor_id)
    if vendor.withdrawn:
        raise ServiceError(_l("This vendor has been withdrawn: it gets no portal link."),
                           "vendor")
    now = utcnow()
    ended = session.execute(
        update(PortalLink)
        .where(PortalLink.vendor_id == vendor.id, PortalLink.ended_at.is_(None))
        .values(ended_at=now)
    ).rowcount
    token = secrets.token_urlsafe(32)
    link = PortalLink(selection_id=selection.id, vendor_id=vendor.id,
                      token_hash=_token_hash(token), created_at=now,
                      expires_at=now + timedelta(days=days),
                      created_by_id=actor.id if actor is not None else None)
    session.add(link)
    session.flush()
    audit.record(session, selection_id=selection.id, actor=actor, action=AuditAction.ISSUE,
                 entity=AuditEntity.PORTAL_LINK, entity_key=vendor.key,
                 new={"days": days, "expires_at": link.expires_at.isoformat(),
                      "ended_earlier_links": ended})
    return IssuedLink(link, vendor, token)


def current_link(session: Session, vendor: Vendor) -> PortalLink | None:
    """The vendor's working link, if any (for the facilitator's progress list)."""
    return session.scalar(
        select(PortalLink).where(PortalLink.vendor_id == vendor.id,
                                 PortalLink.ended_at.is_(None),
                                 PortalLink.expires_at > utcnow())
        .order_by(PortalLink.id.desc()))


@dataclass(frozen=True)
class Portal:
    """Who a working link lets in: one vendor of one selection, nothing else."""

    link: PortalLink
    selection: Selection
    vendor: Vendor

    @property
    def actor(self) -> str:
        return vendor_actor(self.vendor)


class Throttled(ServiceError):
    """Too many failed lookups from this address: wait `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(_l("Too many attempts with links that do not work. Wait a moment "
                            "and try again."))
        self.retry_after = retry_after


NOT_FOUND = _l("This link does not work (any more). Ask the selection's facilitator for a "
               "new one.")


def open_portal(session: Session, token: str, address: str,
                now: datetime | None = None) -> Portal:
    """The vendor and selection behind a link's token. Raises Throttled (nothing checked,
    nothing counted) or NotFound (recorded and committed as a failed lookup)."""
    wait = logins.address_wait(session, address)
    if wait:
        log.warning("portal lookup from %s refused: wait %d s", address, wait)
        raise Throttled(wait)
    now = now or utcnow()
    found = None
    if token and len(token) <= 200 and token.isascii():
        digest = _token_hash(token)
        found = session.execute(
            select(PortalLink, Selection, Vendor)
            .join(Selection, Selection.id == PortalLink.selection_id)
            .join(Vendor, Vendor.id == PortalLink.vendor_id)
            .where(PortalLink.token_hash == digest, PortalLink.ended_at.is_(None),
                   PortalLink.expires_at > now, Vendor.withdrawn.is_(False))
        ).first()
        if found is not None and not hmac.compare_digest(found[0].token_hash, digest):
            found = None  # (the database compared already; this costs nothing)
    if found is None:
        logins.record_attempt(session, LOOKUP, address, succeeded=False)
        session.commit()
        log.warning("portal lookup from %s failed", address)
        raise NotFound(NOT_FOUND)
    link, selection, vendor = found
    if link.first_used_at is None:
        link.first_used_at = now
        audit.record(session, selection_id=selection.id, actor=None, action=AuditAction.USE,
                     entity=AuditEntity.PORTAL_LINK, entity_key=vendor.key,
                     actor_name=vendor_actor(vendor))
    link.last_used_at = now
    session.flush()
    log.info("portal link of vendor %s (selection %s) used from %s", vendor.key,
             selection.id, address)
    return Portal(link, selection, vendor)
