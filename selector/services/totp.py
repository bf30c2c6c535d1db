"""The optional second factor: time-based one-time codes (TOTP, RFC 6238, with pyotp).

An account turns it on from its account page: Selector makes a random secret, shows it
(as text, as an `otpauth://` URI and as a QR code drawn here, offline), and stores it
only once the account confirms a code made from it. Turning it off takes the password
and a current code. Both are written to the audit trail (not tied to a selection).

Security assumptions, written down where the code relies on them:

* The secret is stored as base32 text in `accounts.totp_secret`; whoever reads the
  database can make codes, as with any TOTP server (the password hash stays the guard
  of the first factor).
* A code is six digits, accepted for the current 30-second step and one step either
  side (clock drift). Guessing is throttled like passwords: every wrong code is a
  failed login attempt of the account (`selector.services.logins`).
* A code is not remembered after use, so within its ~90 seconds it could be used again
  by someone who also knows the password; the throttle and the short window bound that.
* An instance may require it of facilitators (`REQUIRE_TOTP_FOR_FACILITATORS`, from the
  environment variable `SELECTOR_REQUIRE_TOTP_FOR_FACILITATORS=1`): see
  `selector.web.auth`.
"""

from __future__ import annotations

import base64
import io
import re
from datetime import datetime

import pyotp
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from selector.i18n import _l
from selector.models import Account, Membership
from selector.services import accounts, audit
from selector.services.errors import ServiceError

ISSUER = "Selector"
DIGITS = 6
VALID_WINDOW = 1  # one 30-second step either side
_SECRET = re.compile(r"^[A-Z2-7]{32}$")  # what `new_secret` makes: 160 bits of base32


def new_secret() -> str:
    return pyotp.random_base32()  # 32 characters: fits accounts.totp_secret (64)


def is_enabled(account: Account) -> bool:
    return bool(account.totp_secret)


def provisioning_uri(account: Account, secret: str) -> str:
    """The `otpauth://` URI an authenticator app reads (typed, pasted or scanned)."""
    return pyotp.TOTP(secret).provisioning_uri(name=account.email, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(uri: str) -> str | None:
    """The URI as an SVG QR code in a data: URI (allowed by the CSP's img-src), or None
    when segno is not installed: the secret and the URI are shown as text anyway."""
    try:
        import segno
    except ImportError:  # pragma: no cover - segno is a dependency; text still works
        return None
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, border=2, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def clean_code(code: object) -> str | None:
    """The six digits of a typed code (spaces and dashes allowed), or None."""
    if not isinstance(code, str):
        return None
    digits = re.sub(r"[\s-]", "", code[:40])
    if len(digits) != DIGITS or not (digits.isascii() and digits.isdigit()):
        return None
    return digits


def code_matches(secret: str | None, code: object, at: datetime | None = None) -> bool:
    """Is `code` right for `secret` now (or at `at`)?"""
    digits = clean_code(code)
    if not secret or digits is None:
        return False
    return pyotp.TOTP(secret).verify(digits, for_time=at, valid_window=VALID_WINDOW)


def valid_secret(secret: object) -> bool:
    return isinstance(secret, str) and bool(_SECRET.match(secret))


def enable(session: Session, account: Account, secret: str, code: object) -> None:
    """Turn the second factor on with `secret`, once `code` proves the app has it."""
    if is_enabled(account):
        raise ServiceError(_l("The second factor is already on."), "code")
    if not valid_secret(secret):
        raise ServiceError(_l("This set-up has expired. Start again."), "code")
    if clean_code(code) is None:
        raise ServiceError(_l("Enter the six digits your authenticator app shows."), "code")
    if not code_matches(secret, code):
        raise ServiceError(_l("This code is not right. Check the time on your phone and "
                              "enter the code that is shown now."), "code")
    account.totp_secret = secret
    audit.record(session, selection_id=None, actor=account, action="enable",
                 entity="second_factor", entity_key=account.email)
    session.flush()


def disable(session: Session, account: Account, password: str, code: object) -> None:
    """Turn the second factor off: it takes the password and a current code."""
    if not is_enabled(account):
        raise ServiceError(_l("The second factor is not on."), "code")
    if not accounts.verify_password(account, password or ""):
        raise ServiceError(_l("This is not your current password."), "password")
    if not code_matches(account.totp_secret, code):
        raise ServiceError(_l("This code is not right. Check the time on your phone and "
                              "enter the code that is shown now."), "code")
    account.totp_secret = None
    audit.record(session, selection_id=None, actor=account, action="disable",
                 entity="second_factor", entity_key=account.email)
    session.flush()


def reset(session: Session, admin: Account, account: Account, reason: str = "") -> None:
    """An instance admin turns off the second factor of someone who lost their phone."""
    if not admin.is_admin:
        raise ServiceError(_l("Only an administrator can do this."))
    if not is_enabled(account):
        return
    account.totp_secret = None
    audit.record(session, selection_id=None, actor=admin, action="reset",
                 entity="second_factor", entity_key=account.email, reason=reason)
    session.flush()


def is_facilitator(session: Session, account_id: int) -> bool:
    """Is the account a (current) facilitator of any selection?"""
    return bool(session.scalar(select(exists().where(
        Membership.account_id == account_id,
        Membership.role == "facilitator",
        Membership.removed_at.is_(None),
    ))))
