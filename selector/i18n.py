"""Dutch and English: which language a request gets, and the words of the domain.

The interface follows the user's saved choice (`Account.language`), else the choice made
with the language switch before signing in (kept in the session cookie), else the
browser's Accept-Language. Generated content (reports, library items) follows the
selection's language instead; that is decided where it is generated.

Services mark their user-facing messages with `_l` (lazy): the text is translated when
it is shown, in the language of the request; without a request (the CLI) it stays
English.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from flask import Flask
from flask import request
from flask import session
from flask_babel import Babel
from flask_babel import LazyString
from flask_babel import gettext
from flask_babel import lazy_gettext
from flask_login import current_user

from selector.domain.vocabulary import BUSINESS
from selector.domain.vocabulary import DECISION
from selector.domain.vocabulary import FACILITATOR
from selector.domain.vocabulary import IT
from selector.domain.vocabulary import OBSERVER
from selector.domain.vocabulary import REQUIREMENTS
from selector.domain.vocabulary import SCORING
from selector.domain.vocabulary import SPONSOR
from selector.domain.vocabulary import WEIGHTING
from selector.translations import CATALOGUES
from selector.translations import compile_catalogues

log = logging.getLogger(__name__)

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}  # each in its own language

_l = lazy_gettext

# The web's words for the vocabulary (selector.domain.vocabulary); the report has its own
# in its catalogue (selector.report.labels).
ROLE_LABELS: dict[str, LazyString] = {
    FACILITATOR: _l("Facilitator"),
    BUSINESS: _l("Business"),
    IT: _l("IT management"),
    SPONSOR: _l("Sponsor"),
    OBSERVER: _l("Observer"),
}
ROLE_DESCRIPTIONS: dict[str, LazyString] = {
    FACILITATOR: _l("Runs the selection: members, phases and the final report."),
    BUSINESS: _l("Writes requirements, weighs categories and scores vendors."),
    IT: _l("Writes IT requirements, weighs categories and scores vendors."),
    SPONSOR: _l("Follows the selection and receives the recommendation; reads only."),
    OBSERVER: _l("Follows the selection; reads only."),
}
PHASE_LABELS: dict[str, LazyString] = {
    REQUIREMENTS: _l("Requirements"),
    WEIGHTING: _l("Weighting"),
    SCORING: _l("Scoring"),
    DECISION: _l("Decision"),
}
PHASE_DESCRIPTIONS: dict[str, LazyString] = {
    REQUIREMENTS: _l("Business and IT write down what the CRM system must do."),
    WEIGHTING: _l("Every business and IT member weighs all categories."),
    SCORING: _l("The committee scores each vendor against the wishes."),
    DECISION: _l("Consensus, knock-out verdicts and the argued recommendation."),
}
DOMAIN_LABELS: dict[str, LazyString] = {BUSINESS: _l("Business"), IT: _l("IT")}
# The price methods (selector.domain.price, method.md section 5).
PRICE_METHOD_LABELS: dict[str, LazyString] = {
    "lowest_ratio": _l("Relative to the lowest bid"),
    "linear_bids": _l("Linear between the lowest and the highest bid"),
    "linear_fixed": _l("Linear on a fixed scale"),
    "log": _l("Logarithmic"),
    "value": _l("Value for money (fictitious price)"),
}


def select_locale() -> str:
    """The language of this request (see the module docstring)."""
    if current_user and current_user.is_authenticated:
        saved = current_user.account.language
        if saved in LANGUAGES:
            return saved
    chosen = session.get("language")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def translation_directory(app: Flask) -> Path:
    """A folder with compiled catalogues: the package's own when its .mo files are
    there or can be written, else a copy compiled into the instance folder."""
    try:
        compile_catalogues(CATALOGUES)
        return CATALOGUES
    except OSError as error:  # a read-only install without .mo files
        log.warning("cannot compile the catalogues in place (%s); using a copy", error)
    target = Path(app.instance_path) / "translations"
    try:
        compile_catalogues(CATALOGUES, target)
    except OSError:
        target = Path(tempfile.mkdtemp(prefix="selector-translations-"))
        compile_catalogues(CATALOGUES, target)
    return target


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault(
        "BABEL_DEFAULT_TIMEZONE", os.environ.get("SELECTOR_TIMEZONE", "Europe/Amsterdam")
    )
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(translation_directory(app))
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        ROLE_LABELS=ROLE_LABELS,
        ROLE_DESCRIPTIONS=ROLE_DESCRIPTIONS,
        PHASE_LABELS=PHASE_LABELS,
        PHASE_DESCRIPTIONS=PHASE_DESCRIPTIONS,
        DOMAIN_LABELS=DOMAIN_LABELS,
    )


# Messages of services this package does not own, which are plain English strings:
# they are looked up here so that a user reads them in their own language.
def _foreign_messages() -> dict[str, LazyString]:
    from selector.services.passwords import MAX_LENGTH
    from selector.services.passwords import MIN_LENGTH

    return {
        f"the password must have at least {MIN_LENGTH} characters": _l(
            "The password must have at least %(count)d characters.", count=MIN_LENGTH
        ),
        f"the password must have at most {MAX_LENGTH} characters": _l(
            "The password must have at most %(count)d characters.", count=MAX_LENGTH
        ),
        "this password is one of the most common ones; choose another": _l(
            "This password is one of the most common ones; choose another."
        ),
        "the password must not be your e-mail address": _l(
            "Your e-mail address cannot be your password; choose another."
        ),
    }


def error_text(error: Exception) -> str:
    """The user-facing text of a ServiceError, in the language of the request."""
    message = getattr(error, "message", None) or str(error)
    if isinstance(message, LazyString):
        return str(message)
    known = _foreign_messages().get(str(message))
    if known is not None:
        return str(known)
    if str(message).startswith("'") and str(message).endswith("' is not an e-mail address"):
        return gettext("Enter a valid e-mail address.")
    if str(message).startswith("an account for ") and str(message).endswith(" exists already"):
        return gettext("An account with this e-mail address exists already.")
    return str(message)
