"""The selection file (`selector/selection`, version 1): read, validate, normalise, write.

formats.md is the contract. A file that breaks any rule is refused whole, with one
plain sentence per problem naming the place (`requirements[7].category: unknown
category 'salse'`), so that `selector import` can print them all and write nothing.

Where formats.md is silent (to be copied into docs/decisions.md):
- The top-level lists may be absent (read as empty); `format`, `version` and
  `selection` are required. A wrong `format` or `version` is reported alone.
- Integer fields (`version`, `scale_max`, `tco_years`, scores)
  accept an integral JSON number such as 3.0 and normalise it to 3; 2.5 is refused.
  `true`/`false` are never numbers; NaN and Infinity are refused everywhere.
- E-mail addresses are compared case-insensitively and written in lower case, in
  `members` and wherever a member is named. An address is checked as the forms check
  it, plain ASCII only (`selector.domain.limits`).
- Every text field has the same longest length as in the forms, holds no NUL character
  and no lone surrogate; `scale_max` runs from 1 to 10; a vendor's `website` is empty or
  an http:// or https:// address (docs/formats.md, "Limits").
- Names, titles, keys, codes and consensus rationales must hold more than white space.
- Absent `weight`, `tco` and `raised_by` mean null; absent `language` means "en".
  `costs` may be null (no costs); when given, all four keys are required. A `tco`
  that is null or absent next to `costs` is computed; costs giving a TCO of 0 are
  refused (a TCO must be more than 0).
- Text fields must be strings: null is not accepted for an empty text.
- The normalised document always holds every key: optional texts as "",
  `raised_by`, `costs` and `category_weights_final` as null when not given
  (absent, null and `{}` final weights all become null).
- The "final weights on active categories add up to more than 0" check runs only
  when the requirements themselves are free of problems.
- A JSON object with the same key twice is refused; a UTF-8 byte order mark is
  ignored; files over 50 MB are refused unread.

Standard library and `selector.domain` only (its limits, vocabulary and IT catalogue):
the CLI, the web upload and the tests all use this module, and it must not drag in Flask
or SQLAlchemy.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from selector.domain import it_catalogue
from selector.domain import limits
from selector.domain import price as pricing
from selector.domain import vendor_answers as answer_rules
from selector.domain.selection import PRIORITY_POINTS
from selector.domain.selection import is_active_wish
from selector.domain.vocabulary import DOMAINS
from selector.domain.vocabulary import INTENTS
from selector.domain.vocabulary import PRIORITIES
from selector.domain.vocabulary import ROLES
from selector.domain.vocabulary import SCORERS
from selector.domain.vocabulary import SPONSOR
from selector.domain.vocabulary import SPONSOR_VERDICTS
from selector.domain.vocabulary import STATUSES
from selector.domain.vocabulary import VERIFICATIONS
from selector.domain.vocabulary import WEIGHERS

FORMAT = "selector/selection"
VERSION = 1

#: Larger files are refused before parsing: a real selection is well under 1 MB.
MAX_BYTES = 50 * 1024 * 1024

LANGUAGES = ("nl", "en")
WEIGHING_ROLES = WEIGHERS
SCORING_ROLES = SCORERS

#: Top-level keys in formats.md's order; the normalised document follows it.
TOP_KEYS = (
    "format",
    "version",
    "selection",
    "categories",
    "requirements",
    "members",
    "category_weights",
    "category_weights_final",
    "vendors",
    "scores",
    "consensus",
    "knockouts",
    "it_answers",
    "answers",
    "recommendation",
    "decision",
)

#: The key of each list: it must be unique, and `canonical` sorts by it.
LIST_KEYS: dict[str, tuple[str, ...]] = {
    "categories": ("key",),
    "requirements": ("code",),
    "members": ("email",),
    "category_weights": ("member", "category"),
    "vendors": ("key",),
    "scores": ("member", "vendor", "requirement"),
    "consensus": ("vendor", "requirement"),
    "knockouts": ("vendor", "requirement"),
    "it_answers": ("requirement",),
    "answers": ("vendor", "requirement"),
}

TCO_TOLERANCE = 0.01


class SelectionFileError(ValueError):
    """A selection file was refused; `problems` holds one sentence per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# --- reading ----------------------------------------------------------------------


def read_selection_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read, parse and validate the selection file at `path`; return it normalised.

    Every failure, including a file that cannot be opened, is a `SelectionFileError`,
    so the command line can print it without a traceback.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        raise SelectionFileError([f"cannot read {os.fspath(path)}: {reason}"]) from None
    return parse_selection_json(data)


def parse_selection_json(source: str | bytes) -> dict[str, Any]:
    """Parse and validate a selection file given as text or bytes (an upload)."""
    if isinstance(source, bytes | bytearray):
        if len(source) > MAX_BYTES:
            raise SelectionFileError([_too_large()])
        try:
            text = bytes(source).decode("utf-8")
        except UnicodeDecodeError as error:
            raise SelectionFileError([_not_utf8(error)]) from None
    else:
        text = source
        if len(text) > MAX_BYTES:
            raise SelectionFileError([_too_large()])
    # Editors on Windows like to start UTF-8 files with a byte order mark; JSON allows
    # parsers to ignore it, and a user would not understand a refusal.
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise SelectionFileError(["the file is empty"])
    try:
        doc = json.loads(text, object_pairs_hook=_object_without_repeated_keys)
    except json.JSONDecodeError as error:
        raise SelectionFileError(
            [f"not valid JSON: line {error.lineno}, column {error.colno}: {error.msg}"]
        ) from None
    except _RepeatedKey as error:
        raise SelectionFileError(
            [f"not valid JSON for Selector: the key {_show(error.key)} appears twice in one object"]
        ) from None
    except RecursionError:
        raise SelectionFileError(["not valid JSON: the document is nested too deeply"]) from None
    except ValueError as error:  # e.g. an integer with more digits than Python accepts
        raise SelectionFileError([f"not valid JSON: {error}"]) from None
    return validate(doc)


def _not_utf8(error: UnicodeDecodeError) -> str:
    """Name the bad byte by line and column (counted in bytes), as an editor shows it."""
    data, start = error.object, error.start
    line = data.count(b"\n", 0, start) + 1
    column = start - (data.rfind(b"\n", 0, start) + 1) + 1
    byte = f"0x{data[start]:02x}"
    return f"the file is not valid UTF-8 text (byte {byte} on line {line}, column {column})"


def _too_large() -> str:
    megabytes = MAX_BYTES // (1024 * 1024)
    return f"the file is larger than {megabytes} MB, the limit for a selection file"


class _RepeatedKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _object_without_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Refuse `{"name": "a", "name": "b"}`: json.loads would silently keep the last one."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _RepeatedKey(key)
        result[key] = value
    return result


# --- writing and comparing ----------------------------------------------------------


def dump_selection_file(doc: dict[str, Any]) -> str:
    """The JSON text of a selection file: indented, UTF-8 as is, ending in a newline."""
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def canonical(doc: dict[str, Any]) -> dict[str, Any]:
    """The document validated, defaults filled in and every list sorted by its key.

    formats.md's "the same content" for import then export: two files hold the same
    content when their canonical forms are equal.
    """
    result = validate(doc)
    for name, keys in LIST_KEYS.items():
        result[name] = sorted(result[name], key=lambda entry: tuple(entry[k] for k in keys))
    if result["category_weights_final"] is not None:
        result["category_weights_final"] = dict(sorted(result["category_weights_final"].items()))
    return result


# --- field checks -------------------------------------------------------------------


class _Bad(Exception):
    """One value breaks one rule. `expected` is set for a wrong type."""

    def __init__(self, message: str, expected: str | None = None) -> None:
        self.message = message
        self.expected = expected


Check = Callable[[Any], Any]


def _wrong_type(expected: str, value: Any) -> _Bad:
    return _Bad(f"expected {expected}, got {_show(value)}", expected)


def _show(value: Any) -> str:
    """A value as a user would recognise it from the JSON file."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return repr(value if len(value) <= 80 else value[:60] + "…")
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _num(value: float) -> str:
    """A number for a message: 182000.0 prints as 182000."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _show(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _wrong_type("a string", value)
    return value


def _filled(value: Any) -> str:
    """A name, title, key or rationale: a string with more than white space in it."""
    text = _text(value)
    if not text.strip():
        raise _Bad("must not be empty")
    return text


def _within(text: str, limit: int) -> str:
    """`text` if the database and the forms take it (docs/formats.md, "Limits")."""
    problem = limits.text_problem(text, limit)
    if problem is None:
        return text
    if problem.reason == "too_long":
        raise _Bad(f"{len(text)} characters, more than the {limit} allowed")
    if problem.reason == "nul":
        raise _Bad("holds a NUL character (\\u0000), which no text field may hold")
    raise _Bad(f"holds a lone surrogate ({problem.detail}), which is not Unicode text")


def _text_of(entity: str, name: str) -> Check:
    """An optional text of `entity` (may be empty), at most its length."""
    limit = limits.max_length(entity, name)
    return lambda value: _within(_text(value), limit)


def _filled_of(entity: str, name: str) -> Check:
    """A text of `entity` that must not be empty, at most its length."""
    limit = limits.max_length(entity, name)
    return lambda value: _within(_filled(value), limit)


def _web_address(value: Any) -> str:
    """Empty, or an http:// or https:// address: a `javascript:` link would run when a
    reader clicks it on the vendor's page."""
    text = _text(value)
    try:
        return limits.check_web_address(text)
    except limits.Refused as refused:
        if refused.reason == "too_long":
            limit = limits.max_length("vendor", "website")
            raise _Bad(f"{len(text)} characters, more than the {limit} allowed") from None
        raise _Bad(
            f"{_show(text)} is not a web address; write one that starts with https:// or "
            "http://, without spaces"
        ) from None


def _one_of(*choices: str) -> Check:
    def check(value: Any) -> str:
        text = _text(value)
        if text not in choices:
            raise _Bad(f"{_show(text)} is not one of: {', '.join(choices)}")
        return text

    return check


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _wrong_type("true or false", value)
    return value


def _number_value(value: Any) -> float:
    # bool is an int in Python, but `true` is not a number in a selection file.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _wrong_type("a number", value)
    if isinstance(value, float) and not math.isfinite(value):
        raise _wrong_type("a number", value)
    return value


def _whole(value: Any) -> int:
    """An integer; 3.0 counts as 3 (some tools write every number as a float)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _wrong_type("an integer", value)
    if isinstance(value, float) and not value.is_integer():  # also NaN and Infinity
        raise _wrong_type("an integer", value)
    return int(value)


def _integer(minimum: int, maximum: int | None = None) -> Check:
    def check(value: Any) -> int:
        result = _whole(value)
        if result < minimum:
            raise _Bad(f"must be at least {minimum}, got {result}")
        if maximum is not None and result > maximum:
            raise _Bad(f"must be at most {maximum}, got {result}")
        return result

    return check


def _at_least_zero(value: Any) -> float:
    number = _number_value(value)
    if number < 0:
        raise _Bad(f"must be 0 or more, got {_num(number)}")
    return number


def _above_zero(value: Any) -> float:
    number = _number_value(value)
    if number <= 0:
        raise _Bad(f"must be more than 0, got {_num(number)}")
    return number


def _fraction(value: Any) -> float:
    number = _number_value(value)
    if not 0 <= number < 1:
        raise _Bad(f"must be at least 0 and less than 1, got {_num(number)}")
    return number


def _email(value: Any) -> str:
    """A member's e-mail address as the forms take it, lower case (compared
    case-insensitively), plain ASCII so that no address can pass for another."""
    text = _filled(value)
    try:
        return limits.normalise_email(text)
    except limits.Refused as refused:
        if refused.reason == "email_too_long":
            raise _Bad(
                f"{len(text)} characters, more than the {limits.EMAIL_LENGTH} allowed"
            ) from None
        if refused.reason == "email_not_ascii":
            character = refused.detail
            raise _Bad(
                f"{_show(text)} holds {character!r} (U+{ord(character):04X}), which is not "
                "plain ASCII; e-mail addresses are accepted in ASCII only, so that none can "
                "pass for another"
            ) from None
        raise _Bad(f"{_show(text)} is not an e-mail address") from None


def _date(value: Any) -> str:
    """A calendar date written YYYY-MM-DD."""
    text = _text(value)
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        date.fromisoformat(text)
    except ValueError:
        raise _Bad(f"{_show(text)} is not a date written YYYY-MM-DD") from None
    return text


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _wrong_type("an object", value)
    return value


def _member_reference(value: Any) -> str:
    return _filled(value).lower()


_REQUIRED = object()


@dataclass(frozen=True)
class _Field:
    """One key of an object: how to check it, and its default when absent."""

    name: str
    check: Check | None = None
    default: Any = _REQUIRED
    nullable: bool = False
    nested: tuple[_Field, ...] = ()


GROUP_BALANCE_FIELDS = (
    _Field("business", _at_least_zero),
    _Field("it", _at_least_zero),
)
SELECTION_FIELDS = (
    _Field("name", _filled_of("selection", "name")),
    _Field("organisation", _text_of("selection", "organisation"), ""),
    _Field("language", _one_of(*LANGUAGES), "en"),
    _Field("scale_max", _integer(limits.SCALE_MIN, limits.SCALE_MAX), 5),
    _Field("price_weight", _fraction, 0.0),
    _Field("group_balance", default={"business": 0.5, "it": 0.5}, nested=GROUP_BALANCE_FIELDS),
    _Field("tco_years", _integer(1), 5),
    # Method 1.1, section 5; the ranges are checked by selector.domain.price.
    _Field("price_method", _one_of(*pricing.PRICE_METHODS), pricing.LOWEST_RATIO),
    _Field("price_full", _number_value, None, nullable=True),
    _Field("price_zero", _number_value, None, nullable=True),
    _Field("log_factor", _number_value, None, nullable=True),
    _Field("quality_value", _number_value, None, nullable=True),
    _Field("quality_threshold", _number_value, 0.0),
)
CATEGORY_FIELDS = (
    _Field("key", _filled_of("category", "key")),
    _Field("name", _filled_of("category", "name")),
    _Field("domain", _one_of(*DOMAINS)),
)
REQUIREMENT_FIELDS = (
    _Field("code", _filled_of("requirement", "code")),
    _Field("category", _filled),
    _Field("title", _filled_of("requirement", "title")),
    _Field("description", _text_of("requirement", "description"), ""),
    _Field("priority", _one_of(*PRIORITIES)),
    _Field("weight", _at_least_zero, None, nullable=True),
    _Field("knockout", _boolean, False),
    _Field("knockout_rationale", _text_of("requirement", "knockout_rationale"), ""),
    _Field("verification", _one_of(*VERIFICATIONS)),
    _Field("intent", _one_of(*INTENTS)),
    _Field("status", _one_of(*STATUSES), "accepted"),
    _Field("owner_group", _one_of(*DOMAINS), None),  # None here: the category's domain
    _Field("rationale", _text_of("requirement", "rationale"), ""),
    _Field("verification_criterion", _text_of("requirement", "verification_criterion"), ""),
    _Field("raised_by", _member_reference, None, nullable=True),
)
MEMBER_FIELDS = (
    _Field("email", _email),
    _Field("name", _filled_of("member", "name")),
    _Field("role", _one_of(*ROLES)),
)
CATEGORY_WEIGHT_FIELDS = (
    _Field("member", _member_reference),
    _Field("category", _filled),
    _Field("points", _at_least_zero),
)
COSTS_FIELDS = (
    _Field("licence_per_year", _at_least_zero),
    _Field("implementation", _at_least_zero),
    _Field("hosting_support_per_year", _at_least_zero),
    # formats.md: numbers >= 0, as the vendor form takes them (2.5 years, 30 months)
    _Field("contract_years", _at_least_zero),
)
VENDOR_FIELDS = (
    _Field("key", _filled_of("vendor", "key")),
    _Field("name", _filled_of("vendor", "name")),
    _Field("tco", _above_zero, None, nullable=True),  # None here: computed from costs
    _Field("product", _text_of("vendor", "product"), ""),
    _Field("website", _web_address, ""),
    _Field("contact", _text_of("vendor", "contact"), ""),
    _Field("notes", _text_of("vendor", "notes"), ""),
    _Field("withdrawn", _boolean, False),
    _Field("costs", default=None, nullable=True, nested=COSTS_FIELDS),
)
SCORE_FIELDS = (
    _Field("member", _member_reference),
    _Field("vendor", _filled),
    _Field("requirement", _filled),
    _Field("score", _whole),  # the range depends on scale_max: see score_range
    _Field("comment", _text_of("score", "comment"), ""),
)
CONSENSUS_FIELDS = (
    _Field("vendor", _filled),
    _Field("requirement", _filled),
    _Field("score", _whole),  # the range depends on scale_max: see score_range
    _Field("rationale", _filled_of("consensus", "rationale")),
)
KNOCKOUT_FIELDS = (
    _Field("vendor", _filled),
    _Field("requirement", _filled),
    _Field("passed", _boolean),
    _Field("evidence", _text_of("knockout", "evidence"), ""),
)
DECISION_FIELDS = (
    _Field("verdict", _one_of(*SPONSOR_VERDICTS)),
    _Field("vendor", _filled, None, nullable=True),
    _Field("by", _member_reference),
    _Field("reason", _filled_of("decision", "reason")),
    _Field("date", _date),
)
ANSWER_FIELDS = (
    _Field("vendor", _filled),
    _Field("requirement", _filled),
    _Field("compliance", _one_of(*answer_rules.COMPLIANCES)),
    _Field("explanation", _text_of("answer", "explanation"), ""),  # see answers
)
IT_ANSWER_FIELDS = (
    _Field("requirement", _filled),
    _Field("item", _one_of(*it_catalogue.QUESTIONS)),
    _Field("value", _object),  # its keys follow the item's question: see it_answers
)


# --- validation ---------------------------------------------------------------------


def validate(doc: object) -> dict[str, Any]:
    """Check every rule of formats.md; return a new document with all defaults filled in.

    Raises `SelectionFileError` listing every problem found, in file order.
    """
    checker = _Checker()
    result = checker.run(doc)
    if checker.problems or result is None:
        raise SelectionFileError(checker.sorted_problems())
    return result


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _section_rank(path: str) -> int:
    """Problems are listed in formats.md's order of the top-level keys."""
    head = re.split(r"[.\[]", path, maxsplit=1)[0]
    return TOP_KEYS.index(head) if head in TOP_KEYS else -1


class _Checker:
    """Walks one document, collecting problems and building the normalised copy."""

    def __init__(self) -> None:
        self.problems: list[tuple[int, str]] = []
        self.roles: dict[str, str | None] = {}  # member email -> role (None if invalid)

    def add(self, path: str, message: str) -> None:
        text = f"{path}: {message}" if path else message
        self.problems.append((_section_rank(path) if path else -2, text))

    def sorted_problems(self) -> list[str]:
        return [text for _, text in sorted(self.problems, key=lambda item: item[0])]

    # generic checks

    def object(self, path: str, value: Any, fields: tuple[_Field, ...]) -> dict[str, Any] | None:
        """Check one object against its fields; invalid fields are left out of the result."""
        if not isinstance(value, dict):
            self.add(path, _wrong_type("an object", value).message)
            return None
        known = {field.name for field in fields}
        for key in value:
            if key not in known:
                self.add(_join(path, key), "unknown key")
        result: dict[str, Any] = {}
        for field in fields:
            field_path = _join(path, field.name)
            if field.name not in value:
                if field.default is _REQUIRED:
                    self.add(field_path, "required key is missing")
                else:
                    result[field.name] = copy.deepcopy(field.default)
                continue
            raw = value[field.name]
            if raw is None and field.nullable:
                result[field.name] = None
            elif field.nested:
                before = len(self.problems)
                nested = self.object(field_path, raw, field.nested)
                if nested is not None and len(self.problems) == before:
                    result[field.name] = nested
            else:
                assert field.check is not None
                try:
                    result[field.name] = field.check(raw)
                except _Bad as bad:
                    message = bad.message
                    if bad.expected and field.nullable:
                        message = f"expected {bad.expected} or null, got {_show(raw)}"
                    self.add(field_path, message)
        return result

    def entries(
        self, doc: dict[str, Any], name: str, fields: tuple[_Field, ...]
    ) -> list[tuple[str, int, dict[str, Any]]]:
        """The checked entries of a top-level list, each with its path and index.

        An absent list is empty: a file written during the requirements phase has
        no scores yet.
        """
        if name not in doc:
            return []
        items = doc[name]
        if not isinstance(items, list):
            self.add(name, _wrong_type("a list", items).message)
            return []
        checked = []
        for index, item in enumerate(items):
            path = f"{name}[{index}]"
            entry = self.object(path, item, fields)
            if entry is not None:
                checked.append((path, index, entry))
        return checked

    def unique(
        self,
        seen: dict[Any, int],
        key: Any,
        index: int,
        list_name: str,
        path: str,
        message: str,
    ) -> None:
        """Report `key` when an earlier entry of the list already had it."""
        if key in seen:
            self.add(path, f"{message} (also {list_name}[{seen[key]}])")
        else:
            seen[key] = index

    def unique_references(
        self,
        seen: dict[Any, int],
        references: tuple[str | None, ...],
        index: int,
        list_name: str,
        path: str,
        message: str,
    ) -> None:
        """`unique` for a key of several references; skipped while one is missing,
        because a missing reference is already reported on its own."""
        if None not in references:
            self.unique(seen, references, index, list_name, path, message)

    # the document

    def run(self, doc: object) -> dict[str, Any] | None:
        if not isinstance(doc, dict):
            self.add("", f"the top level must be an object, got {_show(doc)}")
            return None
        if not self.header(doc):
            # Another format or version follows other rules; checking it against
            # these would only bury the one message that matters.
            return None
        for key in doc:
            if key not in TOP_KEYS:
                self.add(str(key), "unknown key")

        selection = self.selection(doc)
        categories = self.categories(doc)
        members = self.members(doc)
        requirements, requirements_valid = self.requirements(doc, categories)
        category_weights = self.category_weights(doc, categories)
        final = self.final_weights(doc, categories, requirements if requirements_valid else None)
        vendors = self.vendors(doc, selection)
        keyed = self.keyed_lists(doc, selection, vendors, requirements)
        it_answers = self.it_answers(doc, requirements)
        recommendation = self.recommendation(doc)
        decision = self.decision(doc, vendors)
        return {
            "format": FORMAT,
            "version": VERSION,
            "selection": selection,
            "categories": categories,
            "requirements": requirements,
            "members": members,
            "category_weights": category_weights,
            "category_weights_final": final,
            "vendors": vendors,
            "scores": keyed["scores"],
            "consensus": keyed["consensus"],
            "knockouts": keyed["knockouts"],
            "it_answers": it_answers,
            "answers": keyed["answers"],
            "recommendation": recommendation,
            "decision": decision,
        }

    def header(self, doc: dict[str, Any]) -> bool:
        """Check `format` and `version`; True when the rest follows this contract."""
        before = len(self.problems)
        if "format" not in doc:
            self.add("format", "required key is missing")
        elif doc["format"] != FORMAT:
            self.add("format", f"expected {_show(FORMAT)}, got {_show(doc['format'])}")
        if "version" not in doc:
            self.add("version", "required key is missing")
        else:
            version = doc["version"]
            try:
                number = _integer(0)(version)
            except _Bad:
                number = None
            if number is not None and number > VERSION:
                self.add(
                    "version",
                    f"this file has version {number}, newer than this Selector understands "
                    f"({VERSION}); upgrade Selector",
                )
            elif number != VERSION:
                self.add("version", f"expected {VERSION}, got {_show(version)}")
        return len(self.problems) == before

    def selection(self, doc: dict[str, Any]) -> dict[str, Any]:
        if "selection" not in doc:
            self.add("selection", "required key is missing")
            return {}
        before = len(self.problems)
        selection = self.object("selection", doc["selection"], SELECTION_FIELDS) or {}
        if len(self.problems) == before:  # the ranges only once the types are right
            for problem in pricing.problems(pricing.PriceSettings.of(selection)):
                self.add(f"selection.{problem.field}", problem.message)
        return selection

    def recommendation(self, doc: dict[str, Any]) -> str:
        """The facilitator's written recommendation, printed literally by the report."""
        try:
            return _text_of("selection", "recommendation")(doc.get("recommendation", ""))
        except _Bad as bad:
            self.add("recommendation", bad.message)
            return ""

    def decision(
        self, doc: dict[str, Any], vendors: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        """The sponsor's decision: by a sponsor, on a known vendor (named when approved)."""
        if doc.get("decision") is None:
            return None
        before = len(self.problems)
        entry = self.object("decision", doc["decision"], DECISION_FIELDS)
        if entry is None:
            return None
        vendor = entry.get("vendor")
        self.reference("decision.vendor", vendor, _vendor_keys(vendors), "vendor")
        if entry.get("verdict") == "approved" and "vendor" in entry and vendor is None:
            self.add("decision.vendor", "an approval names the vendor chosen")
        if entry.get("by") is not None:
            self.member_role("decision.by", entry["by"], (SPONSOR,), "decide")
        return entry if len(self.problems) == before else None

    def categories(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        seen: dict[str, int] = {}
        result = []
        for path, index, entry in self.entries(doc, "categories", CATEGORY_FIELDS):
            if "key" in entry:
                key = entry["key"]
                self.unique(
                    seen, key, index, "categories", f"{path}.key", f"duplicate key {_show(key)}"
                )
            result.append(entry)
        return result

    def members(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        seen: dict[str, int] = {}
        result = []
        for path, index, entry in self.entries(doc, "members", MEMBER_FIELDS):
            if "email" in entry:
                email = entry["email"]
                self.unique(
                    seen,
                    email,
                    index,
                    "members",
                    f"{path}.email",
                    f"duplicate email {_show(email)}",
                )
                self.roles.setdefault(email, entry.get("role"))
            result.append(entry)
        return result

    def member_role(self, path: str, email: str, allowed: tuple[str, ...], action: str) -> None:
        """Check that `email` is a member whose role may do `action`."""
        if email not in self.roles:
            self.add(path, f"unknown member {_show(email)}")
            return
        role = self.roles[email]
        if role is not None and role not in allowed:
            who = ", ".join(allowed[:-1]) + f" and {allowed[-1]}" if allowed[1:] else allowed[0]
            self.add(path, f"{_show(email)} is a {role}; only {who} members {action}")

    def requirements(
        self, doc: dict[str, Any], categories: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], bool]:
        """The requirements, and whether all of them passed (the active check needs that)."""
        before = len(self.problems)
        domains = {c["key"]: c.get("domain") for c in reversed(categories) if "key" in c}
        seen: dict[str, int] = {}
        result = []
        for path, index, entry in self.entries(doc, "requirements", REQUIREMENT_FIELDS):
            if "code" in entry:
                code = entry["code"]
                self.unique(
                    seen,
                    code,
                    index,
                    "requirements",
                    f"{path}.code",
                    f"duplicate code {_show(code)}",
                )
            category = entry.get("category")
            if category is not None and category not in domains:
                self.add(f"{path}.category", f"unknown category {_show(category)}")
            if entry.get("owner_group", "") is None and domains.get(category) is not None:
                entry["owner_group"] = domains[category]
            if entry.get("knockout") is True and not entry.get("knockout_rationale", "x").strip():
                self.add(
                    f"{path}.knockout_rationale",
                    "a knock-out needs a rationale: say why a vendor failing it is excluded",
                )
            raised_by = entry.get("raised_by")
            if raised_by is not None and raised_by not in self.roles:
                self.add(f"{path}.raised_by", f"unknown member {_show(raised_by)}")
            result.append(entry)
        return result, len(self.problems) == before

    def category_weights(
        self, doc: dict[str, Any], categories: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        keys = {c["key"] for c in categories if "key" in c}
        seen: dict[tuple[str, str], int] = {}
        result = []
        for path, index, entry in self.entries(doc, "category_weights", CATEGORY_WEIGHT_FIELDS):
            member, category = entry.get("member"), entry.get("category")
            if member is not None:
                self.member_role(f"{path}.member", member, WEIGHING_ROLES, "allocate points")
            if category is not None and category not in keys:
                self.add(f"{path}.category", f"unknown category {_show(category)}")
            self.unique_references(
                seen, (member, category), index, "category_weights", path,
                f"duplicate points of {_show(member)} for category {_show(category)}",
            )
            result.append(entry)
        return result

    def final_weights(
        self,
        doc: dict[str, Any],
        categories: list[dict[str, Any]],
        requirements: list[dict[str, Any]] | None,
    ) -> dict[str, Any] | None:
        """Final category weights, or None when absent, null or `{}` (method.md 3)."""
        value = doc.get("category_weights_final")
        if value is None or value == {}:
            return None
        if not isinstance(value, dict):
            self.add("category_weights_final", _wrong_type("an object", value).message)
            return None
        before = len(self.problems)
        keys = {c["key"] for c in categories if "key" in c}
        result: dict[str, Any] = {}
        for key, points in value.items():
            path = _join("category_weights_final", key)
            if key not in keys:
                self.add(path, f"unknown category {_show(key)}")
            try:
                result[key] = _at_least_zero(points)
            except _Bad as bad:
                self.add(path, bad.message)
        # The active check only means something when the requirements are sound;
        # otherwise their own problems are the ones to fix first.
        if requirements is not None and len(self.problems) == before:
            active = _active_categories(requirements)
            if sum(p for k, p in result.items() if k in active) <= 0:
                self.add(
                    "category_weights_final",
                    "the points on the active categories add up to 0; give an active "
                    "category points, or leave the final weights out",
                )
        return result

    def vendors(self, doc: dict[str, Any], selection: dict[str, Any]) -> list[dict[str, Any]]:
        years = selection.get("tco_years")
        seen: dict[str, int] = {}
        result = []
        for path, index, entry in self.entries(doc, "vendors", VENDOR_FIELDS):
            if "key" in entry:
                key = entry["key"]
                self.unique(
                    seen, key, index, "vendors", f"{path}.key", f"duplicate key {_show(key)}"
                )
            costs = entry.get("costs")
            if costs is not None and years is not None and "tco" in entry:
                self.check_tco(path, entry, costs, years)
            if (
                selection.get("price_method") == pricing.VALUE
                and entry.get("tco") is None
                and entry.get("withdrawn") is False
            ):
                self.add(
                    f"{path}.tco",
                    "the price method value needs the costs of every vendor that is not "
                    "withdrawn; give this vendor its costs or a tco",
                )
            result.append(entry)
        return result

    def check_tco(
        self, path: str, entry: dict[str, Any], costs: dict[str, Any], years: int
    ) -> None:
        """The TCO over `tco_years`, whatever the contract length (formats.md)."""
        once, licence, hosting = (
            costs["implementation"],
            costs["licence_per_year"],
            costs["hosting_support_per_year"],
        )
        computed = once + years * (licence + hosting)
        if entry["tco"] is None:
            if computed > 0:
                entry["tco"] = computed
            else:
                self.add(
                    f"{path}.costs",
                    "these costs give a TCO of 0, and a TCO must be more than 0; "
                    "leave the costs out when they are not known",
                )
        elif abs(entry["tco"] - computed) > TCO_TOLERANCE:
            self.add(
                f"{path}.tco",
                f"{_num(entry['tco'])} does not match the costs: implementation + tco_years * "
                f"(licence_per_year + hosting_support_per_year) = {_num(once)} + {years} * "
                f"({_num(licence)} + {_num(hosting)}) = {_num(computed)}",
            )

    def reference(self, path: str, value: str | None, known: set[str], what: str) -> None:
        if value is not None and value not in known:
            self.add(path, f"unknown {what} {_show(value)}")

    def score_range(self, path: str, entry: dict[str, Any], selection: dict[str, Any]) -> None:
        """A score is an integer 0..scale_max (method.md 4)."""
        score, scale_max = entry.get("score"), selection.get("scale_max")
        if score is None:
            return
        if scale_max is None:  # already reported; check what can be checked
            if score < 0:
                self.add(f"{path}.score", f"{score} is below 0")
        elif not 0 <= score <= scale_max:
            self.add(f"{path}.score", f"{score} is outside 0..{scale_max}")

    def keyed_entries(
        self,
        doc: dict[str, Any],
        name: str,
        fields: tuple[_Field, ...],
        references: tuple[str, ...],
        check: Callable[[str, dict[str, Any]], None],
        duplicate: str,
    ) -> list[dict[str, Any]]:
        """The checked entries of a list that holds one entry per combination of
        `references` (member, vendor, requirement): `check` looks at each entry,
        then a repeated combination is reported with `duplicate`, a template that
        names the references."""
        seen: dict[tuple[str | None, ...], int] = {}
        result = []
        for path, index, entry in self.entries(doc, name, fields):
            check(path, entry)
            key = tuple(entry.get(reference) for reference in references)
            shown = {reference: _show(entry.get(reference)) for reference in references}
            self.unique_references(seen, key, index, name, path, duplicate.format(**shown))
            result.append(entry)
        return result

    def keyed_lists(
        self,
        doc: dict[str, Any],
        selection: dict[str, Any],
        vendors: list[dict[str, Any]],
        requirements: list[dict[str, Any]],
    ) -> dict[str, list[dict[str, Any]]]:
        """scores, consensus, knockouts and answers: the lists with one entry per vendor
        and requirement (a score also per member), each entry checked by its own rule."""
        vendor_keys, codes = _vendor_keys(vendors), _codes(requirements)
        knockout_of = {r["code"]: r.get("knockout") for r in reversed(requirements) if "code" in r}

        def vendor_and_requirement(path: str, entry: dict[str, Any]) -> None:
            self.reference(f"{path}.vendor", entry.get("vendor"), vendor_keys, "vendor")
            self.reference(f"{path}.requirement", entry.get("requirement"), codes, "requirement")

        def score(path: str, entry: dict[str, Any]) -> None:
            member = entry.get("member")
            if member is not None:
                self.member_role(f"{path}.member", member, SCORING_ROLES, "score")
            vendor_and_requirement(path, entry)
            self.score_range(path, entry, selection)

        def consensus(path: str, entry: dict[str, Any]) -> None:
            vendor_and_requirement(path, entry)
            self.score_range(path, entry, selection)

        def knockout(path: str, entry: dict[str, Any]) -> None:
            requirement = entry.get("requirement")
            self.reference(f"{path}.vendor", entry.get("vendor"), vendor_keys, "vendor")
            if requirement is None:
                return
            if requirement not in knockout_of:
                self.add(f"{path}.requirement", f"unknown requirement {_show(requirement)}")
            elif knockout_of[requirement] is False:
                self.add(
                    f"{path}.requirement",
                    f"{_show(requirement)} is not a knock-out (its knockout is false); "
                    "a verdict needs a requirement with knockout true",
                )

        def answer(path: str, entry: dict[str, Any]) -> None:
            """Vendors' own answers: an explanation unless the answer is yes."""
            vendor_and_requirement(path, entry)
            compliance = entry.get("compliance")
            if (compliance is not None and "explanation" in entry
                    and answer_rules.explanation_required(compliance)
                    and not entry["explanation"].strip()):
                self.add(f"{path}.explanation",
                         f"must not be empty when compliance is {_show(compliance)}")

        by_vendor = ("vendor", "requirement")
        return {
            "scores": self.keyed_entries(
                doc, "scores", SCORE_FIELDS, ("member", *by_vendor), score,
                "duplicate score of {member} for vendor {vendor} on requirement {requirement}",
            ),
            "consensus": self.keyed_entries(
                doc, "consensus", CONSENSUS_FIELDS, by_vendor, consensus,
                "duplicate consensus for vendor {vendor} on requirement {requirement}",
            ),
            "knockouts": self.keyed_entries(
                doc, "knockouts", KNOCKOUT_FIELDS, by_vendor, knockout,
                "duplicate verdict for vendor {vendor} on requirement {requirement}",
            ),
            "answers": self.keyed_entries(
                doc, "answers", ANSWER_FIELDS, by_vendor, answer,
                "a second answer of vendor {vendor} to requirement {requirement}",
            ),
        }

    def it_answers(
        self, doc: dict[str, Any], requirements: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """IT's structured answers: each checked against its catalogue question, on an
        existing requirement, at most one per requirement and one per slot."""
        codes = _codes(requirements)
        seen: dict[str, int] = {}
        slots: dict[str, int] = {}
        result = []
        for path, index, entry in self.entries(doc, "it_answers", IT_ANSWER_FIELDS):
            requirement = entry.get("requirement")
            self.reference(f"{path}.requirement", requirement, codes, "requirement")
            if requirement is not None:
                self.unique(seen, requirement, index, "it_answers", f"{path}.requirement",
                            f"a second answer for requirement {_show(requirement)}")
            question = it_catalogue.QUESTIONS.get(entry.get("item", ""))
            if question is None or "value" not in entry:
                continue
            try:
                entry["value"] = it_catalogue.check_answer(question, entry["value"])
            except it_catalogue.AnswerRefused as refused:
                part = next((p for p in question.parts if p.key == refused.part), None)
                where = _join(f"{path}.value", refused.part) if refused.part else f"{path}.value"
                self.add(where, _answer_problem(part, refused))
                continue
            slot = question.slot_of(entry["value"])
            self.unique(slots, slot, index, "it_answers", path,
                        f"a second answer to the same question ({slot})")
            result.append(entry)
        return result


def _answer_problem(part: it_catalogue.Part | None, refused: it_catalogue.AnswerRefused) -> str:
    """A catalogue refusal worded for the file (the path names the part)."""
    reason, value = refused.reason, refused.detail
    if reason == "unknown_key":
        return "unknown key"
    if reason == "missing":
        return "required key is missing"
    if reason == "not_object":
        return _wrong_type("an object", value).message
    assert part is not None
    choices = ", ".join(part.keys)
    if reason == "not_option":
        return f"{_show(value)} is not one of: {choices}"
    if reason == "not_list":
        return _wrong_type("a list", value).message
    if reason == "none_chosen":
        return f"choose at least one of: {choices}"
    if reason == "not_text":
        return _wrong_type("a string", value).message
    if reason == "empty":
        return "must not be empty"
    if reason == "too_long":
        return f"{value} characters, more than the {part.maximum} allowed"
    expected = "an integer" if part.kind == "whole" else "a number"
    expected += " or null" if part.optional else ""
    if reason in ("not_number", "not_whole"):
        return f"expected {expected}, got {_show(value)}"
    return f"must be more than 0 and at most {part.maximum}, got {_num(value)}"


def _active_categories(requirements: list[dict[str, Any]]) -> set[str]:
    """Categories whose active wishes have raw weights adding up to more than 0 (method.md 2)."""
    totals: dict[str, float] = {}
    for requirement in requirements:
        if not is_active_wish(
            requirement["status"], requirement["priority"], requirement["knockout"]
        ):
            continue
        weight = requirement["weight"]
        raw = PRIORITY_POINTS[requirement["priority"]] if weight is None else weight
        totals[requirement["category"]] = totals.get(requirement["category"], 0) + raw
    return {category for category, total in totals.items() if total > 0}


def _vendor_keys(vendors: list[dict[str, Any]]) -> set[str]:
    """The keys of the vendors that have one (a missing key is reported on its own)."""
    return {vendor["key"] for vendor in vendors if "key" in vendor}


def _codes(requirements: list[dict[str, Any]]) -> set[str]:
    """The codes of the requirements that have one."""
    return {requirement["code"] for requirement in requirements if "code" in requirement}
