"""A committee's own requirement list, read as it is: which row names the columns,
which column holds which field, what its priority labels mean, and what each row
becomes. Pure: sheets of plain cell values in, a `Mapping` out (issue 19).

Nothing here refuses a file for a column it does not know: such a column is ignored
(and listed), or kept in the description when the caller says so. A file is refused
(`MappingRefused`) only when no row names the columns, two columns are mapped to one
field on purpose, or no row can get a category or a title. Everything wrong within rows
is collected, every problem of every row (`Problem`), for the caller to show at once.

The messages live with the caller (services.spreadsheets), which translates them:
a problem here is a kind, a row, a column and its values.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Collection
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time as time_of_day
from datetime import timedelta
from typing import Any

from selector.domain import vocabulary
from selector.domain.limits import LENGTHS

# The tool's own columns (the export's header row), in their order.
TOOL_FIELDS = (
    "code", "category", "title", "description", "rationale", "intent", "verification",
    "verification_criterion", "priority", "weight", "knockout", "knockout_rationale",
    "owner_group", "status", "raised_by",
)
DESCRIBE = "describe"  # kept in the description, as "Header: value" lines
IGNORE = "ignore"
TARGETS = TOOL_FIELDS + (DESCRIBE, IGNORE)
# A priority label may also be mapped to this: must, and a knock-out.
KNOCKOUT = "knockout"
PRIORITY_CHOICES = vocabulary.PRIORITIES + (KNOCKOUT,)

TITLE_LENGTH = LENGTHS["requirement"]["title"]
TITLE_WORDS = 80  # characters of a text that make a title when the row has none
HEADER_SEARCH = 30  # rows searched for the header

# Header names, normalised (`_words`): Dutch and English, as committees write them.
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "code": ("code", "id", "nr", "no", "nummer", "number", "num", "ref", "referentie",
             "reference", "eisnummer", "eisnr", "eis nr", "req id", "requirement id",
             "volgnummer", "kenmerk"),
    "category": ("category", "categorie", "onderwerp", "hoofdstuk", "functionaliteitgroep",
                 "functionaliteitsgroep", "functiegroep", "thema", "theme", "group", "groep",
                 "module", "section", "sectie", "chapter", "topic", "subject", "rubriek",
                 "procesgebied", "proces"),
    "title": ("title", "titel", "functionaliteit", "eis", "name", "naam", "requirement",
              "korte omschrijving", "short description", "kop"),
    "description": ("description", "omschrijving", "beschrijving", "user story",
                    "userstory", "toelichting", "details", "specificatie", "tekst", "text",
                    "eisomschrijving", "omschrijving eis", "requirement description",
                    "explanation", "uitwerking"),
    "rationale": ("rationale", "reden", "reden eis", "motivatie", "reason", "onderbouwing",
                  "waarom", "why", "motivation", "justification"),
    "priority": ("priority", "prioriteit", "moscow", "type", "soort", "eis wens",
                 "eis of wens", "eiswens", "eis en wens", "importance", "belang",
                 "classificatie", "type eis", "soort eis", "must should could"),
    "knockout": ("knockout", "knock out", "ko", "ko criterium", "knock out criterium",
                 "knock out criterion"),
    "knockout_rationale": ("knockout rationale", "knock out rationale", "ko reden",
                           "reden ko", "ko motivatie", "motivatie ko", "ko rationale"),
    "owner_group": ("owner group", "functioneel non functioneel", "functioneel niet functioneel",
                    "f nf", "fnf", "functional non functional", "functioneel", "functional",
                    "domein", "domain", "business it"),
    "intent": ("intent", "bedoeling"),
    "verification": ("verification", "verificatie", "toetsing", "toetsmethode",
                     "verification method"),
    "verification_criterion": ("verification criterion", "acceptatiecriterium",
                               "acceptatiecriteria", "acceptance criterion",
                               "acceptance criteria", "toetscriterium"),
    "weight": ("weight", "gewicht", "weging"),
    "status": ("status",),
    "raised_by": ("raised by", "ingediend door", "aangedragen door", "indiener",
                  "requested by"),
    DESCRIBE: ("opmerking", "opmerkingen", "remark", "remarks", "comment", "comments",
               "notes", "note", "notitie", "notities", "rol", "rollen", "role", "roles",
               "gebruiker", "gebruikers", "actor", "bron", "source", "voorbeeld", "example"),
}
# Headers that may mean more than one field: taken for their field only when most of
# the column's values fit it (a "Type" column of functional/non-functional is no priority).
_AMBIGUOUS = frozenset(("type", "soort", "classificatie", "domein", "domain", "functioneel",
                        "functional", "type eis", "soort eis"))
_TEXT_FIELDS = ("code", "category", "title", "description", "rationale",
                "verification_criterion", "knockout_rationale", "raised_by")

# Priority labels, normalised (`_squeezed`): the tool's own words, MoSCoW in both
# languages, Eis/Wens as Dutch tenders use them. Value: (priority, knock-out). Scales
# such as hoog/midden/laag are left for the facilitator to map: their meaning varies.
PRIORITY_LABELS: dict[str, tuple[str, bool]] = {
    **dict.fromkeys(("eis", "ko", "knockout", "hardeeis", "eisko"), (vocabulary.MUST, True)),
    **dict.fromkeys(("must", "musthave", "musthaves", "m", "moet", "moeten", "moethebben",
                     "verplicht", "mandatory", "essential", "essentieel"),
                    (vocabulary.MUST, False)),
    **dict.fromkeys(("wens", "should", "shouldhave", "shouldhaves", "s", "zoumoeten",
                     "zouhebben", "gewenst"),
                    (vocabulary.SHOULD, False)),
    **dict.fromkeys(("could", "couldhave", "couldhaves", "c", "kan", "kanhebben",
                     "zoukunnen", "nicetohave", "optioneel", "optional"),
                    (vocabulary.COULD, False)),
    **dict.fromkeys(("wont", "wonthave", "wonthaves", "w", "wonthavethistime", "zalniet",
                     "nietnu", "notnow", "wonthavedezekeerniet"), (vocabulary.WONT, False)),
}
YES = frozenset(("yes", "true", "1", "ja", "y", "j", "x", "waar", "ko", "knockout", "eis"))
NO = frozenset(("no", "false", "0", "nee", "n", "onwaar", "", "wens"))
OWNER_GROUPS = {
    **dict.fromkeys(("business", "functioneel", "functional", "f", "fo", "bedrijf"),
                    vocabulary.BUSINESS),
    **dict.fromkeys(("it", "ict", "nonfunctioneel", "nietfunctioneel", "nonfunctional",
                     "nf", "nfr", "technisch", "technical", "t"), vocabulary.IT),
}
STATUS_WORDS = {
    **dict.fromkeys(("proposed", "voorgesteld", "concept", "nieuw", "new"), vocabulary.PROPOSED),
    **dict.fromkeys(("accepted", "geaccepteerd", "vastgesteld", "akkoord", "goedgekeurd"),
                    vocabulary.ACCEPTED),
    **dict.fromkeys(("rejected", "afgewezen", "vervallen"), vocabulary.REJECTED),
    **dict.fromkeys(("deferred", "uitgesteld", "later"), vocabulary.DEFERRED),
}
INTENT_WORDS = {**dict.fromkeys(("achieve", "bereiken"), "achieve"),
                **dict.fromkeys(("avoid", "vermijden", "voorkomen"), "avoid")}
VERIFICATION_WORDS = {
    **{word: word for word in ("demo", "test", "document", "reference", "contract", "other")},
    "demonstratie": "demo", "documentatie": "document", "referentie": "reference",
    "overig": "other", "anders": "other", "overeenkomst": "contract",
}
VALUE_WORDS: dict[str, dict[str, Any]] = {
    "owner_group": OWNER_GROUPS, "status": STATUS_WORDS, "intent": INTENT_WORDS,
    "verification": VERIFICATION_WORDS,
    "knockout": dict.fromkeys(YES, True) | dict.fromkeys(NO - {""}, False),
    "priority": PRIORITY_LABELS,
}
# "X wensen" beside "X": the same category, split by priority.
_SPLIT_CATEGORY = re.compile(r"^(.*\S)\s+(wensen|eisen|wishes|requirements|must haves|"
                             r"should haves)$", re.IGNORECASE)


@dataclass(frozen=True)
class Uncomputed:
    """A formula cell saved without its value (written by a program that does not
    calculate): `cell` is its address, `formula` its text."""

    cell: str
    formula: str


@dataclass(frozen=True)
class Sheet:
    """One sheet of a file: its name and its non-empty rows as (row number, cells).
    `wide`: it had cells beyond the columns read (the caller refuses it)."""

    name: str
    rows: tuple[tuple[int, tuple[Any, ...]], ...]
    wide: bool = False


@dataclass(frozen=True)
class Column:
    """One column of the header row and what it is taken for. `source`: "name" (its
    header), "values" (its contents), "given" (the caller's choice) or "none"."""

    index: int
    letter: str
    header: str
    field: str
    source: str
    samples: tuple[str, ...] = ()


@dataclass(frozen=True)
class PriorityLabel:
    """A label of the priority column as written, what it means, and on how many rows.
    `priority` None: unknown, each such row is a problem until it is mapped."""

    label: str
    priority: str | None
    knockout: bool
    rows: int
    source: str  # "guess", "given" or "none"


@dataclass(frozen=True)
class Problem:
    """Something wrong on a row (or, row None, in the file): a kind for the message,
    the column as the file names it, and the message's values."""

    kind: str
    row: int | None
    column: str
    params: dict[str, Any] = field(default_factory=dict)


class MappingRefused(Exception):
    """The file as a whole cannot be read as requirements: one problem, no rows."""

    def __init__(self, kind: str, **params: Any) -> None:
        super().__init__(kind)
        self.kind = kind
        self.params = params


@dataclass
class MappedRow:
    """One requirement as the file gives it: the tool's fields as text (knockout a
    boolean, priority and choices already translated)."""

    row: int
    category: str
    values: dict[str, Any]


@dataclass
class MappingOptions:
    """What the caller decides. `columns`: header (any case) or column letter -> target;
    `priorities`: label as written ("" for an empty cell) -> a priority or "knockout";
    `merge_categories`: the "X wensen" names to merge into "X" (None: every offer)."""

    columns: dict[str, str] = field(default_factory=dict)
    priorities: dict[str, str] = field(default_factory=dict)
    knockout_rationale: str = ""
    merge_categories: Collection[str] | None = None


@dataclass
class Mapping:
    """What a sheet becomes: the mapping used, the rows, and every problem."""

    sheet: str
    header_row: int
    columns: list[Column]
    priorities: list[PriorityLabel]
    rows: list[MappedRow]
    problems: list[Problem]
    sections: list[tuple[int, str]]  # (row, category) set by a section-header row
    merge_offers: list[tuple[str, str]]  # ("X wensen", "X")
    merged: list[tuple[str, str]]  # the offers taken
    empty_rows: int  # rows below the header without a requirement (only a code, say)
    owner_groups: dict[str, Counter]  # category -> owner groups its rows name

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.field == name), None)

    def dropped_columns(self) -> list[Column]:
        return [c for c in self.columns if c.field == IGNORE]


# -- words --------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _words(text: str) -> str:
    """A header as compared: lower case ASCII words ("Eis/Wens" -> "eis wens")."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", _ascii(text).lower()).split())


def _squeezed(text: str) -> str:
    """A value as compared: lower case ASCII letters and digits ("Won't have" -> "wonthave")."""
    return re.sub(r"[^a-z0-9]+", "", _ascii(text).lower())


def clean_text(value: Any) -> str:
    """A cell as text: non-breaking spaces made spaces, the whole trimmed, line breaks
    inside kept; 7 and 7.0 are "7"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime) and value.time() == time_of_day(0):
        value = value.date()
    if isinstance(value, date | time_of_day):
        value = value.isoformat()
    text = str(value).replace("\u00a0", " ").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def priority_of(label: str) -> tuple[str, bool] | None:
    """(priority, knock-out) of a label as committees write them, or None."""
    return PRIORITY_LABELS.get(_squeezed(label))


def first_words(text: str, limit: int = TITLE_WORDS) -> str:
    """A title from a text: its first words up to `limit` characters, "…" when cut."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0] or line[:limit]
    return cut.rstrip(" ,;:.-") + "…"


# -- the header ---------------------------------------------------------------------------


def guess_by_name(header: str) -> str | None:
    """The field a header names, or None: an exact name first, else the longest name
    the header starts or ends with ("Nr. eis" is a code, "Omschrijving van de eis" a
    description)."""
    words = _words(header)
    if not words:
        return None
    best, best_length = None, 0
    for target, names in HEADER_NAMES.items():
        for name in names:
            if words == name:
                return target
            if (words.startswith(name + " ") or words.endswith(" " + name)) \
                    and len(name) > best_length:
                best, best_length = target, len(name)
    return best


def _fits(target: str, values: Sequence[str]) -> bool:
    """Do most of a column's values belong to `target`'s list?"""
    words = VALUE_WORDS.get(target)
    if words is None or not values:
        return True
    known = sum(1 for v in values if _squeezed(v) in words)
    return known * 2 >= len(values)


def find_header(rows: Sequence[tuple[int, tuple[Any, ...]]]) -> int | None:
    """The index in `rows` of the header row: among the first rows, the one naming the
    most fields, with a title or a text among them (title rows and empty rows above it
    are skipped)."""
    best, best_count = None, 1
    for index, (_, cells) in enumerate(rows[:HEADER_SEARCH]):
        fields = {guess_by_name(clean_text(c)) for c in cells if isinstance(c, str)}
        fields.discard(None)
        if not fields & {"title", "description"}:
            continue
        if len(fields) > best_count:
            best, best_count = index, len(fields)
    return best


def has_header(sheet: Sheet) -> bool:
    return find_header(sheet.rows) is not None


def choose_sheet(sheets: Sequence[Sheet], name: str | None = None) -> Sheet:
    """The sheet named (any case), else the first with a recognisable header row."""
    if name:
        for sheet in sheets:
            if sheet.name.strip().lower() == name.strip().lower():
                return sheet
        raise MappingRefused("no_sheet", sheet=name,
                             sheets=", ".join(s.name for s in sheets))
    for sheet in sheets:
        if has_header(sheet):
            return sheet
    raise MappingRefused("no_header", sheet=sheets[0].name if sheets else "")


def _column_values(rows, index: int) -> list[str]:
    values = []
    for _, cells in rows:
        if index < len(cells) and not isinstance(cells[index], Uncomputed):
            text = clean_text(cells[index])
            if text:
                values.append(text)
    return values


def _given(options: MappingOptions, header: str, letter: str) -> str | None:
    for key, target in options.columns.items():
        if key.strip().lower() in (header.strip().lower(), letter.lower()):
            return target
    return None


def map_columns(header: tuple[Any, ...], rows, options: MappingOptions) -> list[Column]:
    """Each column of the header row with its field: the caller's choice, else the
    guess from its name (checked against its values for fields with a list of values),
    else from its values; two guesses never take one field (the later one is kept in
    the description or ignored), two choices of the caller for one field refuse."""
    known = {h.strip().lower() for h in map(clean_text, header) if h} | {
        column_letter(i).lower() for i in range(len(header))}
    for key, target in options.columns.items():
        if target not in TARGETS:
            raise MappingRefused("unknown_target", target=target, targets=", ".join(TARGETS))
        if key.strip().lower() not in known:
            raise MappingRefused("unknown_column", column=key, columns=", ".join(
                clean_text(h) for h in header if clean_text(h)))
    # Columns up to the last one with a header or a value: sheets pad their rows.
    width = max([i + 1 for i, c in enumerate(header) if clean_text(c)]
                + [i + 1 for _, cells in rows for i, c in enumerate(cells) if not _blank(c)])
    header = header[:width]
    columns: list[Column] = []
    taken: dict[str, str] = {}
    # The caller's choices first, so that a guess never takes their field.
    given = {}
    for index, cell in enumerate(header):
        text, letter = clean_text(cell), column_letter(index)
        target = _given(options, text, letter)
        if target is not None:
            if target not in (DESCRIBE, IGNORE) and target in taken:
                raise MappingRefused("same_field", first=taken[target], second=text or letter,
                                     field=target)
            taken[target] = text or letter
            given[index] = target
    for index, cell in enumerate(header):
        text, letter = clean_text(cell), column_letter(index)
        values = _column_values(rows, index)
        samples = tuple(values[:3])
        if index in given:
            columns.append(Column(index, letter, text, given[index], "given", samples))
            continue
        target, source = guess_by_name(text), "name"
        if _words(text) in _AMBIGUOUS and target is not None and not _fits(target, values):
            target = None
        if target is None:
            source = "values"
            target = next((t for t in ("priority", "owner_group", "status")
                           if values and t not in taken and _fits(t, values)), None)
        if target is not None and target in taken and target != DESCRIBE:
            target = DESCRIBE if target in _TEXT_FIELDS else None
        if target is None:
            target, source = (IGNORE, "none")
        if target not in (DESCRIBE, IGNORE):
            taken[target] = text or letter
        columns.append(Column(index, letter, text, target, source, samples))
    return columns


def priority_labels(rows, column: Column | None, options: MappingOptions) -> list[PriorityLabel]:
    """The labels of the priority column (an empty cell is the label ""), with their
    meaning: the caller's choice, else the guess."""
    counts: Counter = Counter()
    for _, cells in rows:
        value = cells[column.index] if column and column.index < len(cells) else None
        counts[clean_text(value) if not isinstance(value, Uncomputed) else None] += 1
    counts.pop(None, None)
    labels = []
    given = {_squeezed(k): v for k, v in options.priorities.items()}
    for label, number in counts.items():
        choice = given.get(_squeezed(label))
        if choice is not None:
            if choice not in PRIORITY_CHOICES:
                raise MappingRefused("unknown_priority_choice", value=choice,
                                     choices=", ".join(PRIORITY_CHOICES))
            knockout = choice == KNOCKOUT
            labels.append(PriorityLabel(label, vocabulary.MUST if knockout else choice, knockout,
                                        number, "given"))
            continue
        guess = priority_of(label) if label else None
        labels.append(PriorityLabel(label, guess[0] if guess else None,
                                    bool(guess and guess[1]), number,
                                    "guess" if guess else "none"))
    return sorted(labels, key=lambda p: (-p.rows, p.label))


# -- the rows -----------------------------------------------------------------------------


class _Bad(Exception):
    def __init__(self, kind: str, **params: Any) -> None:
        super().__init__(kind)
        self.kind = kind
        self.params = params


def _text(value: Any) -> str:
    if isinstance(value, datetime | date | time_of_day | timedelta):
        raise _Bad("not_text_date")
    if isinstance(value, bool):
        raise _Bad("not_text", value=str(value))
    if isinstance(value, float) and not math.isfinite(value):
        raise _Bad("not_text", value=str(value))
    return clean_text(value)


def _choice(value: Any, target: str, default: Any) -> Any:
    text = _text(value)
    if not text:
        return default
    found = VALUE_WORDS[target].get(_squeezed(text))
    if found is None:
        allowed = sorted(set(VALUE_WORDS[target].values()), key=str)
        raise _Bad("not_choice", value=text, values=", ".join(map(str, allowed)))
    return found


def _yes_or_no(value: Any) -> bool | None:
    text = _text(value)
    if not text:
        return None
    if _squeezed(text) not in VALUE_WORDS["knockout"]:
        raise _Bad("not_choice", value=text, values="yes, no")
    return VALUE_WORDS["knockout"][_squeezed(text)]


def _weight(value: Any) -> float | None:
    """A weight as a number ("2,5" is 2.5); its range is the requirement's rule."""
    if isinstance(value, int | float) and not isinstance(value, bool) \
            and math.isfinite(value):
        return float(value)
    text = _text(value)
    if not text:
        return None
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        raise _Bad("not_weight", value=text) from None
    if not math.isfinite(number):
        raise _Bad("not_weight", value=text)
    return number


_READERS = {
    "intent": lambda v: _choice(v, "intent", "achieve"),
    "verification": lambda v: _choice(v, "verification", "demo"),
    "owner_group": lambda v: _choice(v, "owner_group", ""),
    "status": lambda v: _choice(v, "status", ""),
    "knockout": lambda v: v if isinstance(v, bool) else _yes_or_no(v),
    "weight": _weight,
}


def _is_section(cells: tuple[Any, ...], columns: list[Column]) -> str | None:
    """The category a section-header row sets: a row with one filled cell of text (a
    number in the code column beside it aside). A code column holding words alone is
    a section too: files put their section titles in the first column."""
    filled = [c for c in columns if c.index < len(cells) and not _blank(cells[c.index])]
    others = [c for c in filled if c.field != "code"]
    if len(others) == 1 and not isinstance(cells[others[0].index], Uncomputed | bool):
        return " ".join(clean_text(cells[others[0].index]).split())
    if not others and len(filled) == 1 and isinstance(cells[filled[0].index], str) \
            and not re.search(r"\d", cells[filled[0].index]):
        return " ".join(clean_text(cells[filled[0].index]).split())
    return None


def map_sheet(sheet: Sheet, options: MappingOptions | None = None) -> Mapping:
    """Read one sheet as requirements. Raises MappingRefused when the file as a whole
    cannot be read; every row's problems are in `Mapping.problems`."""
    options = options or MappingOptions()
    header_index = find_header(sheet.rows)
    if header_index is None:
        raise MappingRefused("no_header", sheet=sheet.name)
    header_number, header = sheet.rows[header_index]
    body = [(n, cells) for n, cells in sheet.rows[header_index + 1:]
            if any(not _blank(c) for c in cells)]
    columns = map_columns(header, body, options)
    by_field = {c.field: c for c in columns if c.field not in (DESCRIBE, IGNORE)}
    if "title" not in by_field and "description" not in by_field:
        raise MappingRefused("no_title_column")
    if not body:
        raise MappingRefused("no_rows", sheet=sheet.name)
    describe = [c for c in columns if c.field == DESCRIBE]
    used = [c for c in columns if c.field not in (IGNORE, "code")]

    # Section rows set the category of the rows under them; rows with nothing but a
    # code (a numbered row nobody filled in) are skipped.
    sections: list[tuple[int, str]] = []
    candidates: list[tuple[int, tuple[Any, ...], str]] = []
    section = ""
    empty_rows = 0
    for number, cells in body:
        heading = _is_section(cells, columns)
        if heading is not None:
            section = heading
            sections.append((number, heading))
        elif not any(c.index < len(cells) and not _blank(cells[c.index]) for c in used):
            empty_rows += 1
        else:
            candidates.append((number, cells, section))
    labels = {p.label: p for p in priority_labels(
        [(n, c) for n, c, _ in candidates], by_field.get("priority"), options)}

    rows: list[MappedRow] = []
    problems: list[Problem] = []
    for number, cells, section in candidates:
        row_problems: list[Problem] = []
        values: dict[str, Any] = {}
        for target, column in by_field.items():
            raw = cells[column.index] if column.index < len(cells) else None
            if isinstance(raw, Uncomputed):
                row_problems.append(Problem("uncomputed", number, column.header,
                                            {"cell": raw.cell, "formula": raw.formula}))
                continue
            try:
                if target == "priority":
                    values[target] = labels[clean_text(raw)]
                else:
                    values[target] = _READERS.get(target, _text)(raw)
            except _Bad as bad:
                row_problems.append(Problem(bad.kind, number, column.header, bad.params))
        lines = []
        for column in describe:
            raw = cells[column.index] if column.index < len(cells) else None
            if isinstance(raw, Uncomputed):
                row_problems.append(Problem("uncomputed", number, column.header,
                                            {"cell": raw.cell, "formula": raw.formula}))
            elif clean_text(raw):
                lines.append(f"{column.header or column.letter}: {clean_text(raw)}")

        category = " ".join(str(values.get("category") or "").split()) or section
        if not category and not any(p.column == _header_of(by_field, "category")
                                    for p in row_problems):
            row_problems.append(Problem("no_category", number,
                                        _header_of(by_field, "category")))
        priority, knockout = _priority(values, by_field, number, row_problems)
        title, description = _title_and_text(values, lines)
        if not title and not row_problems:
            row_problems.append(Problem("no_title", number, _header_of(by_field, "title")))
        reason = values.get("rationale", "")
        knockout_rationale = values.get("knockout_rationale", "")
        if knockout and not knockout_rationale:
            knockout_rationale = reason or options.knockout_rationale.strip()
            if not knockout_rationale:
                row_problems.append(Problem("knockout_without_rationale", number,
                                            _header_of(by_field, "knockout_rationale")))
        problems.extend(row_problems)
        if row_problems:
            continue
        rows.append(MappedRow(number, category, {
            **{k: v for k, v in values.items() if k not in ("category", "priority")},
            "title": title, "description": description, "priority": priority,
            "knockout": knockout, "knockout_rationale": knockout_rationale,
        }))

    if "category" in by_field and not sections and not any(
            clean_text(c[by_field["category"].index]) for _, c in body
            if by_field["category"].index < len(c)):
        raise MappingRefused("empty_category", column=by_field["category"].header)
    if "category" not in by_field and not sections:
        raise MappingRefused("no_category_column")

    offers, merged = _merges(rows, options)
    owner_groups: dict[str, Counter] = {}
    for row in rows:
        owner_groups.setdefault(row.category, Counter())
        if row.values.get("owner_group"):
            owner_groups[row.category][row.values["owner_group"]] += 1
    return Mapping(sheet.name, header_number, columns, list(labels.values()), rows, problems,
                   sections, offers, merged, empty_rows, owner_groups)


def _blank(value: Any) -> bool:
    return not isinstance(value, Uncomputed) and not clean_text(value)


def _header_of(by_field: dict[str, Column], target: str) -> str:
    column = by_field.get(target)
    return (column.header or column.letter) if column else target


def _priority(values: dict[str, Any], by_field: dict[str, Column], number: int,
              problems: list[Problem]) -> tuple[str, bool]:
    """The row's priority and knock-out: the label's meaning, a knock-out column (when
    filled) over the label's."""
    label: PriorityLabel | None = values.get("priority")
    priority, knockout = "", False
    if label is None or label.priority is None:
        if label is not None and label.label:
            problems.append(Problem("unknown_priority", number, _header_of(by_field, "priority"),
                                    {"value": label.label}))
        else:
            problems.append(Problem("no_priority", number, _header_of(by_field, "priority")))
    else:
        priority, knockout = label.priority, label.knockout
    if values.get("knockout") is not None:
        knockout = values["knockout"]
    return priority, knockout


def _title_and_text(values: dict[str, Any], lines: list[str]) -> tuple[str, str]:
    """The title (the first words of the text when the row has none, or when it is a
    whole text) and the description with the kept columns under it."""
    title = values.get("title", "")
    text = values.get("description", "")
    if "\n" in title or len(title) > TITLE_LENGTH:
        text = f"{title}\n\n{text}" if text else title
        title = ""
    if not title:
        title = first_words(text.split("\n", 1)[0]) if text else ""
    if lines:
        text = (text + "\n\n" if text else "") + "\n".join(lines)
    return " ".join(title.split()), text


def _merges(rows: list[MappedRow], options: MappingOptions
            ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Offer "X wensen" (eisen, wishes) into "X" when the file also has "X"; take the
    offers the caller accepts (all by default) and move those rows."""
    names = {row.category for row in rows}
    lower = {n.lower(): n for n in names}
    offers = []
    for name in sorted(names):
        match = _SPLIT_CATEGORY.match(name)
        if match and match.group(1).lower() in lower:
            offers.append((name, lower[match.group(1).lower()]))
    wanted = None if options.merge_categories is None else {
        n.strip().lower() for n in options.merge_categories}
    merged = [(old, new) for old, new in offers if wanted is None or old.lower() in wanted]
    into = dict(merged)
    for row in rows:
        row.category = into.get(row.category, row.category)
    return offers, merged
