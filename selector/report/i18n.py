"""The report's words: gettext with its own domain "report", and locale-aware numbers.

The report (and the charts it shares with the web pages) is written in the selection's
language, whatever language the reader's interface uses (decisions.md), so it does
not use Flask-Babel's request locale. Its catalogue lives in its own domain
(`selector/translations/<lang>/LC_MESSAGES/report.po`) beside the web app's
`messages` domain, so the two never collide.

Strings are marked with `t_("…")` and `tn_("one …", "{n} …", n)`. Updating the
catalogues::

    pybabel extract -k t_ -k tn_:1,2 --no-default-keywords \
        -o /tmp/report.pot selector/report selector/charts
    pybabel update -D report -i /tmp/report.pot -d selector/translations

A compiled `report.mo` is used when it is at least as new as its `.po`; otherwise the
`.po` is compiled in memory, so a fresh checkout works without a build step.
`tests/report/test_report_catalogue.py` fails when a marked string lacks a Dutch
translation or is missing from the English catalogue.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from datetime import datetime
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations
from babel.support import Translations

DOMAIN = "report"
LANGUAGES = ("en", "nl")
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"

# Babel locales for dates: British English writes "23 November 2026".
_DATE_LOCALE = {"en": "en_GB", "nl": "nl_NL"}


@cache
def catalogue(language: str) -> gettext.NullTranslations:
    """The translations of the report domain for `language` (cached per process)."""
    if language not in LANGUAGES:
        raise ValueError(f"the report is written in {' or '.join(LANGUAGES)}, not {language!r}")
    folder = TRANSLATIONS_DIR / language / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        return Translations.load(str(TRANSLATIONS_DIR), [language], domain=DOMAIN)
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as handle:
        messages = read_po(handle, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, messages, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


_language: ContextVar[str] = ContextVar("report_language", default="en")


def current_language() -> str:
    return _language.get()


@contextmanager
def report_language(language: str) -> Iterator[None]:
    """Write everything inside the block in `language` ("en" or "nl")."""
    catalogue(language)  # refuse an unknown language before anything is written
    token = _language.set(language)
    try:
        yield
    finally:
        _language.reset(token)


def t_(message: str) -> str:
    """`message` in the current report language."""
    return catalogue(_language.get()).gettext(message)


def tn_(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, in the current report language."""
    return catalogue(_language.get()).ngettext(singular, plural, n)


# --------------------------------------------------------------------------- numbers


def _separators() -> tuple[str, str]:
    """(decimal mark, thousands separator) of the current language."""
    return (",", ".") if _language.get() == "nl" else (".", ",")


def number(value: float, decimals: int = 1) -> str:
    """A number with the language's decimal mark and thousands separator: 1,234.5 / 1.234,5."""
    decimal_mark, thousands = _separators()
    text = f"{value:,.{decimals}f}"
    if text in ("-0", "-0." + "0" * decimals):  # never print "-0.0"
        text = text[1:]
    return text.replace(",", "\x00").replace(".", decimal_mark).replace("\x00", thousands)


def percent(share: float, decimals: int = 1) -> str:
    """A share (0..1) as a percentage: 10.3% / 10,3%."""
    return number(100.0 * share, decimals) + "%"


def money(amount: float) -> str:
    """Euros without cents: €182,000 / € 182.000."""
    text = number(amount, 0)
    return f"€ {text}" if _language.get() == "nl" else f"€{text}"


def long_date(value: date | datetime) -> str:
    """23 November 2026 / 23 november 2026."""
    day = value.date() if isinstance(value, datetime) else value
    return format_date(day, format="long", locale=_DATE_LOCALE[_language.get()])


def short_date(value: date | datetime) -> str:
    """2026-11-23: tables of dates stay narrow and sortable in both languages."""
    day = value.date() if isinstance(value, datetime) else value
    return day.isoformat()
