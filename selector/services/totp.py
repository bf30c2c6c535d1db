"""The optional second factor: time-based one-time codes (TOTP, RFC 6238, with pyotp).

An account turns it on from its account page: Selector makes a random secret, shows it
(as text, as an `otpauth://` URI and as a QR code drawn here, offline), and stores it
only once the account confirms a code made from it. Turning it off takes the password
and a current code. Both are written to the audit trail (not tied to a selection).

Security assumptions, written down where the code relies on them:

* The secret is stored sealed (issue 17, item 11): AES-256-GCM with a key derived by
  HKDF-SHA256 from `SECRET_KEY`, bound to the account's id (a sealed secret copied to
  another account does not open), as `v1.<key id>.<nonce+ciphertext, base64url>` in
  `accounts.totp_secret`. A database file or a backup alone gives no codes; whoever has
  both the database and `SECRET_KEY` can still make them, as with any TOTP server.
* A secret stored before sealing (plain base32) is sealed by the migration 0007 when
  the key is at hand there (`SECRET_KEY`, else the instance's key file); otherwise it
  still works and is sealed at its next right code (`account_code_matches`).
* Changing `SECRET_KEY` makes every sealed secret unusable. That fails loudly, not as
  "wrong code": the key id in the stored value tells a changed key from a wrong code,
  the login says so and the log names `SECRET_KEY` (`SecretKeyChanged`). Put the old
  key back, or an administrator turns the account's second factor off.
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
import binascii
import io
import logging
import os
import re
import secrets
from datetime import datetime
from functools import lru_cache

import pyotp
from sqlalchemy import exists
from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.domain.vocabulary import AuditAction
from selector.domain.vocabulary import AuditEntity
from selector.i18n import _l
from selector.models import Account
from selector.models import Membership
from selector.services import accounts
from selector.services import audit
from selector.services.errors import ServiceError

log = logging.getLogger(__name__)

ISSUER = "Selector"
DIGITS = 6
VALID_WINDOW = 1  # one 30-second step either side
_SECRET = re.compile(r"^[A-Z2-7]{32}$")  # what `new_secret` makes: 160 bits of base32


SEALED = "v1"  # the stored form's version: "v1.<key id>.<nonce + ciphertext>"
NONCE_BYTES = 12


class SecretKeyChanged(ServiceError):
    """A sealed secret that does not open with this SECRET_KEY (the key was changed, or
    the stored value was altered): the second factor cannot be checked."""

    def __init__(self) -> None:
        super().__init__(_l("Your second factor cannot be checked: the server's secret key "
                            "has changed since you set it up. Ask an administrator to turn "
                            "your second factor off, then set it up again."), "code")


def new_secret() -> str:
    return pyotp.random_base32()  # 32 characters; sealed, 92 (accounts.totp_secret: 255)


def is_enabled(account: Account) -> bool:
    return bool(account.totp_secret)


# -- the secret at rest -------------------------------------------------------------------


def key_at_hand() -> str | None:
    """The app's SECRET_KEY; outside a request the environment's, else the instance's
    key file (as `selector.web.security.secret_key` finds it, without making one)."""
    from flask import current_app
    from flask import has_app_context

    if has_app_context():
        key = current_app.config.get("SECRET_KEY")
    else:
        key = os.environ.get("SECRET_KEY")
        if not key:
            from pathlib import Path

            path = Path(os.environ.get("SELECTOR_INSTANCE", "instance")).resolve()
            path = path / "secret_key"
            key = path.read_text().strip() if path.is_file() else None
    if isinstance(key, bytes):
        key = key.decode("utf-8")
    return key or None


def _secret_key(given: str | None) -> str:
    key = given or key_at_hand()
    if not key:
        raise RuntimeError("SECRET_KEY is not set: second-factor secrets cannot be sealed")
    return key


@lru_cache(maxsize=4)
def _keys(secret_key: str) -> tuple[bytes, str]:
    """The AES key and its public id (8 hex digits), both derived from SECRET_KEY by
    HKDF with different labels, so the id tells nothing about the key."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    def derive(label: bytes, length: int) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=length, salt=b"selector",
                    info=label).derive(secret_key.encode("utf-8"))

    return derive(b"totp-secret/v1/key", 32), derive(b"totp-secret/v1/key-id", 4).hex()


def _context(account_id: int) -> bytes:
    return f"selector totp secret of account {account_id}".encode("ascii")


def is_sealed(stored: str | None) -> bool:
    return bool(stored) and stored.startswith(SEALED + ".")


def seal(secret: str, account_id: int, secret_key: str | None = None) -> str:
    """The stored form of `secret` for the account `account_id` (with the app's
    SECRET_KEY unless `secret_key` is given)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key, key_id = _keys(_secret_key(secret_key))
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, secret.encode("ascii"), _context(account_id))
    return f"{SEALED}.{key_id}.{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"


def reveal(stored: str, account_id: int, secret_key: str | None = None) -> str:
    """The secret of a stored value (a plain one from before sealing is returned as is).
    Raises SecretKeyChanged when it does not open with this SECRET_KEY."""
    if not is_sealed(stored):
        return stored
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key, key_id = _keys(_secret_key(secret_key))
    _version, stored_id, payload = (stored.split(".", 2) + ["", ""])[:3]
    if stored_id != key_id:
        log.error("the second factor of account %s was sealed with another SECRET_KEY "
                  "(key id %s, now %s): put the previous SECRET_KEY back, or have an "
                  "administrator turn this second factor off", account_id, stored_id, key_id)
        raise SecretKeyChanged()
    try:
        raw = base64.urlsafe_b64decode(payload.encode("ascii"))
        secret = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:],
                                     _context(account_id))
    except (InvalidTag, ValueError, binascii.Error):
        log.error("the sealed second-factor secret of account %s does not open with this "
                  "SECRET_KEY: it was altered or copied from another account", account_id)
        raise SecretKeyChanged() from None
    return secret.decode("ascii")


def unusable(account: Account) -> str | None:
    """Why the account's second factor cannot be checked now (SECRET_KEY changed), or
    None. The login asks this before checking a code, so a changed key is not taken
    for a wrong code (and throttled as one)."""
    if not is_enabled(account):
        return None
    try:
        reveal(account.totp_secret, account.id)
    except SecretKeyChanged as error:
        return error.message
    return None


def account_code_matches(account: Account, code: object, at: datetime | None = None) -> bool:
    """Is `code` right for the account's second factor? A secret stored plain (from
    before sealing) is sealed on its first right code. Raises SecretKeyChanged."""
    if not is_enabled(account):
        return False
    secret = reveal(account.totp_secret, account.id)
    if not code_matches(secret, code, at):
        return False
    if not is_sealed(account.totp_secret):
        account.totp_secret = seal(secret, account.id)
    return True


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
    account.totp_secret = seal(secret, account.id)
    audit.record(session, selection_id=None, actor=account, action=AuditAction.ENABLE,
                 entity=AuditEntity.SECOND_FACTOR, entity_key=account.email)
    session.flush()


def disable(session: Session, account: Account, password: str, code: object) -> None:
    """Turn the second factor off: it takes the password and a current code."""
    if not is_enabled(account):
        raise ServiceError(_l("The second factor is not on."), "code")
    if not accounts.verify_password(account, password or ""):
        raise ServiceError(_l("This is not your current password."), "password")
    if not account_code_matches(account, code):
        raise ServiceError(_l("This code is not right. Check the time on your phone and "
                              "enter the code that is shown now."), "code")
    account.totp_secret = None
    audit.record(session, selection_id=None, actor=account, action=AuditAction.DISABLE,
                 entity=AuditEntity.SECOND_FACTOR, entity_key=account.email)
    session.flush()


def reset(session: Session, admin: Account, account: Account, reason: str = "") -> None:
    """An instance admin turns off the second factor of someone who lost their phone."""
    if not admin.is_admin:
        raise ServiceError(_l("Only an administrator can do this."))
    if not is_enabled(account):
        return
    account.totp_secret = None
    audit.record(session, selection_id=None, actor=admin, action=AuditAction.RESET,
                 entity=AuditEntity.SECOND_FACTOR, entity_key=account.email, reason=reason)
    session.flush()


def is_facilitator(session: Session, account_id: int) -> bool:
    """Is the account a (current) facilitator of any selection?"""
    return bool(session.scalar(select(exists().where(
        Membership.account_id == account_id,
        Membership.role == "facilitator",
        Membership.removed_at.is_(None),
    ))))
