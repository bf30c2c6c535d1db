"""The one set of limits on what Selector stores, whoever writes it: the forms and their
services, and `selector import` (docs/formats.md, "Limits").

A selection file used to accept what the forms refuse (a `javascript:` vendor link, a
scale of 0..20,000 that made the consensus page take 22 s and 308 MB, a 10 MB title, an
address that looks like someone else's). Each rule lives here once; the file validator
words a refusal for a file (with the entry's path), the forms and services for a person
(translated), but the rule itself is the same.

Pure Python: no Flask, no SQLAlchemy. `email_validator` is imported only when an address
is checked (its import costs ~50 ms, which commands that check none should not pay).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

#: The longest text, in characters, per entity and field. The database columns, the
#: forms' `Length` validators, the services and the selection file all use these.
LENGTHS: dict[str, dict[str, int]] = {
    "selection": {"name": 200, "organisation": 200, "recommendation": 20_000},
    "category": {"key": 64, "name": 200},
    "requirement": {
        "code": 32,
        "title": 300,
        "description": 10_000,
        "rationale": 5_000,
        "verification_criterion": 5_000,
        "knockout_rationale": 5_000,
        "weight_reason": 2_000,
    },
    "member": {"email": 254, "name": 200},
    "vendor": {
        "key": 64,
        "name": 200,
        "product": 200,
        "website": 300,
        "contact": 300,
        "notes": 10_000,
    },
    "score": {"comment": 5_000},
    "consensus": {"rationale": 5_000},
    "knockout": {"evidence": 5_000},
    "decision": {"reason": 5_000},
    "answer": {"explanation": 5_000},
    "vendor_question": {"question": 5_000, "answer": 10_000},
}

#: A reason written into the audit trail (a change after a freeze, a decision).
REASON_LENGTH = 2_000
#: RFC 5321's longest forward path; accounts store at most this.
EMAIL_LENGTH = LENGTHS["member"]["email"]

#: Scores run from 0 to `scale_max`, and `scale_max` from 1 to 10: a wider scale says
#: nothing a committee can agree on, and every score page grows with it.
SCALE_MIN = 1
SCALE_MAX = 10

#: The largest amount of money, in euros, a cost or a price setting takes: anything
#: larger is a typing error.
MAX_AMOUNT = 1e12

#: Row ids and versions are PostgreSQL INTEGERs counted from 1: a larger number names no
#: row (and would overflow the driver), so it is refused before any query.
MAX_ID = 2**31 - 1
_ID_DIGITS = len(str(MAX_ID))


def parse_id(value: object) -> int | None:
    """The row id or version that a URL, a form field or a JSON body names, or None.

    The one reading for routes, forms and JSON: text is ASCII digits without a sign
    (surrounding whitespace aside: "²", "٣", "+1", "1e3" are no id), JSON an integer (not
    a boolean), and either lies in 1..MAX_ID. Overlong text is refused before `int()`,
    so 10^5000 digits cost nothing."""
    if isinstance(value, str):
        text = value.strip()
        digits = text.lstrip("0")  # leading zeros name the same number
        if not (text.isascii() and text.isdigit()) or len(digits) > _ID_DIGITS:
            return None
        number = int(digits or "0")
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        return None
    return number if 1 <= number <= MAX_ID else None

#: The only link schemes a page may carry: a `javascript:` or `data:` link would run
#: in the reader's session when clicked.
WEB_SCHEMES = ("http", "https")


def max_length(entity: str, field: str) -> int:
    return LENGTHS[entity][field]


class Refused(ValueError):
    """A value breaks a limit. `reason` says which rule, so that each caller can word
    it for its reader (a file's path, a translated sentence beside a form field)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason if not detail else f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


# --------------------------------------------------------------------------- text

_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(text: str, limit: int) -> Refused | None:
    """Why `text` cannot be stored in a field of `limit` characters, or None.

    Besides the length: PostgreSQL cannot store a NUL character, and a lone surrogate
    (JSON's "\\ud800") is no Unicode text at all; either failed the import half-way.
    """
    if len(text) > limit:
        return Refused("too_long", str(len(text)))
    if "\x00" in text:
        return Refused("nul")
    found = _SURROGATE.search(text)
    if found:
        return Refused("surrogate", f"U+{ord(found.group()):04X}")
    return None


# --------------------------------------------------------------------------- web links


def check_web_address(text: str) -> str:
    """An empty string, or an absolute http:// or https:// address with a host name and
    no white space, control or format characters (a right-to-left override would show
    the address backwards); raises Refused("web_address") otherwise. The address is
    kept as written: a form may add "https://" to a bare host name before it asks, a
    file is taken literally."""
    if text == "":
        return text
    if len(text) > LENGTHS["vendor"]["website"]:
        raise Refused("too_long", str(len(text)))
    if any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in text):
        raise Refused("web_address")
    try:
        parts = urlsplit(text)
        host, _ = parts.hostname or "", parts.port
    except ValueError:  # an unbalanced "[" in the host, a port out of range
        raise Refused("web_address") from None
    scheme = parts.scheme.lower()
    if scheme not in WEB_SCHEMES or not text.lower().startswith(f"{scheme}://"):
        raise Refused("web_address")
    # A host name with a dot, and no "user@" in front of it: "https://bank.example@evil.example"
    # reads as one site and opens another.
    if "." not in host.strip(".") or "@" in parts.netloc:
        raise Refused("web_address")
    return text


# --------------------------------------------------------------------------- e-mail


def normalise_email(text: str) -> str:
    """The address as Selector stores and compares it (lower case), or Refused.

    Look-alikes: every character of an address must be plain ASCII. A Cyrillic "і" or
    "а", a full-width "ｉ", a Greek "ο" or an invisible joiner makes an address that reads
    as an existing member's but is another account; Unicode normalisation catches only
    some of these and confusable tables change with each Unicode version, while "ASCII
    only" catches all and is easy to explain. Addresses are compared case-insensitively,
    so "Ingrid@" and "ingrid@" are one account. An internationalised domain can still be
    written in its ASCII (xn--) form.

    Then the syntax as the forms have always checked it (email_validator, no DNS look-up):
    no quoted local parts, no IP-address domains, no special-use domains such as .local.
    Callers strip surrounding white space first if they want it stripped.
    """
    if len(text) > EMAIL_LENGTH:
        raise Refused("email_too_long", str(len(text)))
    for character in text:
        if not character.isascii():
            raise Refused("email_not_ascii", character)
    from email_validator import EmailNotValidError
    from email_validator import validate_email

    try:
        address = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        raise Refused("email_invalid", str(error)) from None
    # ascii_email keeps an internationalised domain in its xn-- form; `normalized` would
    # turn "xn--exmple-4nf.org" back into a look-alike of "example.org".
    return (address.ascii_email or address.normalized).lower()
