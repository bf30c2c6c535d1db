"""The password policy: a minimum length and not one of the most common passwords.

The list of common passwords is zxcvbn's (30,000 from real leaks), so we keep none
of our own.
"""

from __future__ import annotations

from functools import cache

from selector.services.errors import ServiceError

MIN_LENGTH = 10
MAX_LENGTH = 1024  # Argon2 hashes anything, but a megabyte password is an attack


@cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


class PasswordRejected(ServiceError):
    pass


def check_password_policy(password: str, email: str = "") -> None:
    """Raise PasswordRejected with a message a user can act on."""
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(
            f"the password must have at least {MIN_LENGTH} characters", field="password"
        )
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(
            f"the password must have at most {MAX_LENGTH} characters", field="password"
        )
    lowered = password.lower()
    if email and lowered == email.strip().lower():
        raise PasswordRejected(
            "the password must not be your e-mail address", field="password"
        )
    if lowered in _common_passwords():
        raise PasswordRejected(
            "this password is one of the most common ones; choose another", field="password"
        )
