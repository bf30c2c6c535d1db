"""The vendors area's rules: checks and decisions that need no database.

Pure functions on values and dataclasses. A rule that needs a selection or a vendor
takes the model object as an argument (typed `Any`: this module imports neither
SQLAlchemy nor the models) and only reads its attributes. `writes` applies the rules
before it changes a row; the forms and the portal's pages ask them too.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

from selector.domain import limits
from selector.domain import vendor_answers as answer_rules
from selector.domain.it_catalogue import Words
from selector.domain.requirement_mapping import Sheet
from selector.i18n import _l
from selector.services.errors import ServiceError
from selector.services.written import written_text

# -- vendors and their costs ----------------------------------------------------------


COST_KEYS = ("licence_per_year", "implementation", "hosting_support_per_year", "contract_years")
MAX_AMOUNT = limits.MAX_AMOUNT  # euros; anything larger is a typing error
LENGTHS = limits.LENGTHS["vendor"]  # the same limits as `selector import`
MAX_NOTES = LENGTHS["notes"]
MAX_REASON = limits.REASON_LENGTH


@dataclass(frozen=True)
class VendorInput:
    """What a form (or a script) gives for a vendor. Empty strings mean "not given"."""

    name: str
    product: str = ""
    website: str = ""
    contact: str = ""
    notes: str = ""
    licence_per_year: float | None = None
    implementation: float | None = None
    hosting_support_per_year: float | None = None
    contract_years: float | None = None
    tco: float | None = None  # only used without a breakdown

    def costs(self) -> dict[str, float | None]:
        return {key: getattr(self, key) for key in COST_KEYS}


def compute_tco(
    implementation: float, licence_per_year: float, hosting_support_per_year: float,
    tco_years: int,
) -> float:
    """formats.md: every vendor's TCO covers the selection's `tco_years`."""
    return implementation + tco_years * (licence_per_year + hosting_support_per_year)


def _website(value: str) -> str:
    """Only web addresses (`limits.check_web_address`, as for `selector import`): a
    "javascript:" link must never reach a page. A bare host name as people type it
    ("www.example.nl") gets https:// in front first."""
    value = (value or "").strip()
    if not value:
        return ""
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value):
        value = "https://" + value
    try:
        return limits.check_web_address(value)
    except limits.Refused as refused:
        if refused.reason == "too_long":
            raise ServiceError(_l("This can have at most %(count)d characters.",
                                  count=LENGTHS["website"]), "website") from None
        raise ServiceError(_l("Enter a web address starting with https:// or http://."),
                           "website") from None


def _amount(value: float | None, field: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ServiceError(_l("Enter an amount in euros."), field)
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ServiceError(_l("Enter an amount of 0 or more."), field)
    if value > MAX_AMOUNT:
        raise ServiceError(_l("This amount is too large."), field)
    return value


def checked_vendor(selection: Any, given: VendorInput) -> dict[str, Any]:
    """The column values for `given`, or a ServiceError naming the field."""
    name = written_text(given.name, "name", LENGTHS["name"])
    if not name:
        raise ServiceError(_l("Give the vendor a name."), "name")
    values: dict[str, Any] = {
        "name": name,
        "product": written_text(given.product, "product", LENGTHS["product"]),
        "website": _website(given.website),
        "contact": written_text(given.contact, "contact", LENGTHS["contact"]),
        "notes": written_text(given.notes, "notes", MAX_NOTES),
    }
    costs = {key: _amount(value, key) for key, value in given.costs().items()}
    given_costs = [key for key, value in costs.items() if value is not None]
    if given_costs and len(given_costs) < len(COST_KEYS):
        missing = next(key for key in COST_KEYS if costs[key] is None)
        raise ServiceError(
            _l("Fill in all four cost fields, or none (then enter the TCO directly)."), missing
        )
    values.update(costs)
    if given_costs:
        tco = compute_tco(
            costs["implementation"], costs["licence_per_year"],
            costs["hosting_support_per_year"], selection.tco_years,
        )
        # A TCO of 0 cannot be compared (method.md divides by it): no TCO instead.
        values["tco"] = tco if tco > 0 else None
    else:
        tco = _amount(given.tco, "tco")
        if tco is not None and tco <= 0:
            raise ServiceError(_l("A TCO is more than 0, or left empty."), "tco")
        values["tco"] = tco
    return values


# -- portal links ---------------------------------------------------------------------


DEFAULT_LINK_DAYS = 14
MAX_LINK_DAYS = 365
# The portal's address on this instance, for links printed by the command line.
BASE_URL_SETTING = "SELECTOR_BASE_URL"
DEFAULT_BASE_URL = "http://127.0.0.1:5000"
LINK_NOT_FOUND = _l("This link does not work (any more). Ask the selection's facilitator "
                    "for a new one.")


def portal_path(token: str) -> str:
    return f"/portal/{token}"


def base_url() -> str:
    """Where vendors reach this instance (`SELECTOR_BASE_URL`), for the command line;
    the web uses the address of the request."""
    return (os.environ.get(BASE_URL_SETTING) or DEFAULT_BASE_URL).rstrip("/")


def portal_url(token: str, base: str | None = None) -> str:
    return (base if base is not None else base_url()).rstrip("/") + portal_path(token)


def vendor_actor(vendor: Any) -> str:
    """How the audit trail names a vendor acting through its link (it has no account)."""
    return f"vendor:{vendor.key}"


class Throttled(ServiceError):
    """Too many failed lookups from this address: wait `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(_l("Too many attempts with links that do not work. Wait a moment "
                            "and try again."))
        self.retry_after = retry_after


# -- questions and their published answers --------------------------------------------


MAX_QUESTION = limits.max_length("vendor_question", "question")
MAX_ANSWER = limits.max_length("vendor_question", "answer")
MAX_OPEN_QUESTIONS = 100  # unanswered questions of one vendor at a time


def checked_question_text(value: str, field: str, limit: int, empty_message: Any) -> str:
    """A question or an answer as stored, or a ServiceError naming `field`."""
    text = (value or "").strip()
    if not text:
        raise ServiceError(empty_message, field)
    problem = limits.text_problem(text, limit)
    if problem is not None:
        raise ServiceError(
            _l("This can have at most %(count)d characters.", count=limit)
            if problem.reason == "too_long"
            else _l("This text holds characters that cannot be stored."), field)
    return text


# -- answers to the questionnaire -----------------------------------------------------


MAX_EXPLANATION = limits.max_length("answer", "explanation")
MAX_DOCUMENTS_PER_ANSWER = 10
# What one vendor's evidence may hold together: a disk is not filled through one link.
MAX_VENDOR_DOCUMENTS = 100 * 1024 * 1024


@dataclass(frozen=True)
class AnswerInput:
    """What the portal's form (or a returned workbook row) gives for one requirement."""

    compliance: str
    explanation: str = ""
    planned_on: date | None = None  # required with "planned"
    structured: dict[str, Any] | None = None  # for a requirement from IT's questions


@dataclass
class RowAnswer:
    """One answer of a returned workbook: its row, for the problems."""

    row: int
    code: str
    given: AnswerInput


@dataclass(frozen=True)
class Costs:
    """formats.md `costs`: all four lines, numbers >= 0 (the TCO follows)."""

    licence_per_year: float | None
    implementation: float | None
    hosting_support_per_year: float | None
    contract_years: float | None


def structured_answer(answer: Any) -> dict[str, Any] | None:
    """The structured answer a vendor's answer (a `VendorAnswer` or None) gave, if any."""
    if answer is None or not answer.structured:
        return None
    try:
        value = json.loads(answer.structured).get("value")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, dict) else None


def answers_open(selection: Any, vendor: Any, now: datetime | None = None) -> bool:
    """May the vendor still change its answers (not submitted, deadline not passed)?"""
    return answer_rules.answers_open(vendor.answers_submitted_at, selection.answers_deadline,
                                     now or datetime.now(UTC))


def require_answers_open(selection: Any, vendor: Any, now: datetime | None = None) -> None:
    """Refuse a change once the vendor submitted or the deadline passed."""
    if vendor.withdrawn:
        raise ServiceError(_l("This vendor has been withdrawn: its answers are closed."))
    if vendor.answers_submitted_at is not None:
        raise ServiceError(_l("The answers were submitted and can no longer change. Ask the "
                              "facilitator to reopen them."))
    if not answers_open(selection, vendor, now):
        raise ServiceError(_l("The deadline for the answers has passed; they can no longer "
                              "change."))


# -- verdict proposals ----------------------------------------------------------------


# A proposal's states.
PROPOSED, CONFIRMED, OVERRIDDEN, WITHDRAWN = "proposed", "confirmed", "overridden", "withdrawn"
# An override's reason may be as long as a verdict's evidence (as for `selector import`).
MAX_OVERRIDE_REASON = limits.max_length("knockout", "evidence")


def stored_structured(text: str | None) -> dict[str, Any] | None:
    """A stored structured answer (JSON) as a dict; None when there is none or it is not
    one."""
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


# -- the questionnaire workbook -------------------------------------------------------


QUESTIONNAIRE_FORMAT = "selector/questionnaire"
QUESTIONNAIRE_KEYS = ("code", "title", "description", "verification_criterion", "knockout",
                      "compliance", "explanation", "planned_date")
QUESTIONNAIRE_ANSWER_KEYS = ("compliance", "explanation", "planned_date")
IDENTITY_SHEET = "Selector"
LISTS_SHEET = "Lists"
HEADER_ROW, LABEL_ROW, KEY_ROW = 1, 2, 3

QUESTIONNAIRE_LABELS: dict[str, Words] = {
    "code": {"en": "Code", "nl": "Code"},
    "title": {"en": "Requirement", "nl": "Eis"},
    "description": {"en": "Description", "nl": "Omschrijving"},
    "verification_criterion": {"en": "How it is verified", "nl": "Hoe het wordt getoetst"},
    "knockout": {"en": "Knock-out", "nl": "Knock-out"},
    "compliance": {"en": "Do you comply?", "nl": "Voldoet u?"},
    "explanation": {"en": "Explanation (required unless yes)",
                    "nl": "Toelichting (verplicht, behalve bij ja)"},
    "planned_date": {"en": "Planned date (when planned)",
                     "nl": "Geplande datum (bij gepland)"},
}
QUESTIONNAIRE_TITLE: Words = {"en": "Questionnaire", "nl": "Vragenlijst"}
QUESTIONNAIRE_HEADING: Words = {"en": "Questionnaire for {vendor}: {selection}",
                                "nl": "Vragenlijst voor {vendor}: {selection}"}
YES_NO: dict[bool, Words] = {True: {"en": "yes", "nl": "ja"}, False: {"en": "no", "nl": "nee"}}
COLUMN_WIDTHS = {"code": 12, "title": 40, "description": 60, "verification_criterion": 50,
                 "knockout": 10, "compliance": 20, "explanation": 60, "planned_date": 16}


def _identity(sheets: list[Sheet]) -> dict[str, Any]:
    sheet = next((s for s in sheets if s.name == IDENTITY_SHEET), None)
    if sheet is None:
        return {}
    return {str(cells[0]): cells[1] for _, cells in sheet.rows
            if len(cells) >= 2 and isinstance(cells[0], str)}


def questionnaire_problem(sheets: list[Sheet], selection: Any, vendor: Any) -> Any | None:
    """Why a returned file is not this vendor's questionnaire for this selection (its
    hidden sheet `Selector` says whose it is), or None when it is."""
    found = _identity(sheets)
    if found.get("format") != QUESTIONNAIRE_FORMAT:
        return _l("This file is not a questionnaire written by Selector. Fill in the "
                  "questionnaire you were sent.")
    if str(found.get("selection")) != str(selection.id):
        return _l("This questionnaire belongs to another selection.")
    if found.get("vendor") != vendor.key:
        return _l("This questionnaire was written for another vendor.")
    return None


def key_row(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    """The row holding the keys (code, compliance, explanation...) and their columns."""
    for number, cells in sheet.rows:
        keys = {str(c).strip().lower(): i for i, c in enumerate(cells) if isinstance(c, str)}
        if {"code", "compliance", "explanation"} <= keys.keys():
            return number, keys
    return None


_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def cell_date(value: Any) -> date | None | str:
    """A planned date from a cell; the text of the problem when it is none."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    found = _DAY_FIRST.match(text)
    if found:
        try:
            return date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
        except ValueError:
            pass
    return str(_l("'%(value)s' is not a date; write it as 2027-03-31", value=text[:40]))


def cell_text(value: Any) -> str | None:
    """A cell as text; None for a date or a formula without a value (a problem)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:g}"
    return None
