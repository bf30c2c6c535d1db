"""E-mail addresses as every form and service takes them: the rule of
`selector.domain.limits.normalise_email` (the same one `selector import` applies), with
the refusal worded for a person and naming the field."""

from __future__ import annotations

from selector.domain import limits
from selector.i18n import _l
from selector.services.errors import ServiceError


def refusal_message(refused: limits.Refused):
    """The translated sentence for a refused address."""
    if refused.reason == "email_too_long":
        return _l("An e-mail address can have at most %(count)d characters.",
                  count=limits.EMAIL_LENGTH)
    if refused.reason == "email_not_ascii":
        return _l("Write the e-mail address in plain letters a–z, digits and punctuation: "
                  "letters from other alphabets can make it look like someone else's.")
    return _l("Enter a valid e-mail address.")


def checked_email(value: str, field: str = "email") -> str:
    """The address stripped and in lower case, or a ServiceError naming `field`."""
    try:
        return limits.normalise_email((value or "").strip())
    except limits.Refused as refused:
        raise ServiceError(refusal_message(refused), field) from None
