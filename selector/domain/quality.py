"""The requirement quality check: advice on how verifiable a requirement is.

A requirement is the product of the workshops: a *verifiable* description of what the
organisation wants to achieve or avoid. This check points at what makes one hard to
verify. It advises and never blocks: a requirement with flags is saved like any other.

Flags are computed when a requirement is saved and stored with it (decisions.md), as a
list of `{"code": ..., "params": {...}}`; the pages translate the code into a sentence.

Pure: no Flask, no database. Dutch and English are checked together, because a
selection's requirements are written in one language but pasted text may mix them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from difflib import SequenceMatcher
from typing import Any

# Flag codes, in the order the pages show them.
VAGUE_WORD = "vague_word"
NO_CRITERION = "no_verification_criterion"
NO_MEASURE = "nonfunctional_without_measure"
KNOCKOUT_WITHOUT_RATIONALE = "knockout_without_rationale"
DUPLICATE = "duplicate_title"
MUST_UNCLEAR = "must_not_knockout_or_weighted"

FLAG_CODES = (VAGUE_WORD, NO_CRITERION, NO_MEASURE, KNOCKOUT_WITHOUT_RATIONALE, DUPLICATE,
              MUST_UNCLEAR)

# Vague words: (the word as shown, a regular expression for it and its inflections).
# Matched case-insensitively on word boundaries, so "fast" does not match "breakfast".
VAGUE_WORDS_EN: tuple[tuple[str, str], ...] = (
    ("user-friendly", r"user[- ]?friendly"),
    ("easy", r"easy|easily|easier"),
    ("simple", r"simple|simply"),
    ("fast", r"fast|faster"),
    ("quick", r"quick|quickly"),
    ("flexible", r"flexible|flexibly"),
    ("intuitive", r"intuitive|intuitively"),
    ("modern", r"modern"),
    ("robust", r"robust"),
    ("seamless", r"seamless|seamlessly"),
    ("efficient", r"efficient|efficiently"),
    ("scalable", r"scalable"),
    ("sufficient", r"sufficient|sufficiently|adequate|adequately"),
    ("appropriate", r"appropriate|appropriately"),
    ("optimal", r"optimal|optimally|optimised|optimized"),
    ("state of the art", r"state[- ]of[- ]the[- ]art"),
    ("best practice", r"best[- ]practices?"),
    ("as much as possible", r"as (?:much|many|far) as possible"),
    ("as soon as possible", r"as soon as possible|asap"),
    ("and so on", r"and so on|and so forth"),
    ("etc.", r"etc\.?|etcetera"),
)
VAGUE_WORDS_NL: tuple[tuple[str, str], ...] = (
    ("gebruiksvriendelijk", r"gebruiksvriendelijke?|gebruikersvriendelijke?"),
    ("snel", r"snel|snelle|sneller|snellere"),
    ("flexibel", r"flexibel|flexibele"),
    ("intuïtief", r"intu[iï]tief|intu[iï]tieve"),
    ("eenvoudig", r"eenvoudig|eenvoudige|eenvoudiger"),
    ("makkelijk", r"(?:ge)?makkelijke?"),
    ("simpel", r"simpel|simpele"),
    ("modern", r"moderne"),
    ("robuust", r"robuust|robuuste"),
    ("naadloos", r"naadloos|naadloze"),
    ("efficiënt", r"effici[eë]nt|effici[eë]nte"),
    ("schaalbaar", r"schaalbaar|schaalbare"),
    ("voldoende", r"voldoende|adequaat|adequate"),
    ("passend", r"passend|passende"),
    ("optimaal", r"optimaal|optimale"),
    ("zo veel mogelijk", r"zo ?veel mogelijk|zo min mogelijk"),
    ("zo snel mogelijk", r"zo snel mogelijk|z\.s\.m\.?"),
    ("state of the art", r"state[- ]of[- ]the[- ]art"),
    ("enz.", r"enz\.?|enzovoort|enzovoorts|e\.d\.|en dergelijke"),
)

# A measure: a number (digits), which is what a vague word lacks.
_NUMBER = re.compile(r"\d")
# A number with a unit, or a named standard with its number, is what a non-functional
# requirement needs to be checked: "RPO at most 24 h", "99.9 %", "3 test users",
# "€ 500", "24/7", "WCAG 2.1", "TLS 1.2". A number followed by a word counts: the word
# is its unit or what it counts.
_NUMBER_WITH_UNIT = re.compile(
    r"\d(?:[.,]?\d)*[ \t\u00a0\u202f]*(?:[^\W\d_]|[%‰°″′])|[€$£][ \u00a0]*\d"
    r"|\d[ \u00a0]*[x×/:][ \u00a0]*\d"
)
_STANDARD = re.compile(
    r"\b(?:iso(?:/iec)?|nen|en|iec|wcag|tls|ssl|soc|bio|http|html|css|ecmascript|oauth|"
    r"saml|openid|oidc|ipv|sha|aes|rsa|pci|owasp|asvs|ubuntu|windows|ios|android|"
    r"chrome|edge|firefox|safari|java|python|postgresql|oracle|sql server|\.net)"
    r"[\s/-]*(?:dss\s*)?\d",
    re.IGNORECASE,
)

DUPLICATE_RATIO = 0.9  # difflib ratio of the normalised titles
WORD_RATIO = 0.8  # two differing words are one word misspelt or inflected


@dataclass(frozen=True)
class Flag:
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}


@dataclass(frozen=True)
class RequirementText:
    """What the check looks at in one requirement."""

    title: str
    description: str = ""
    verification_criterion: str = ""
    domain: str = "business"  # the category's domain: IT requirements are non-functional
    priority: str = "should"
    weight: float | None = None
    knockout: bool = False
    knockout_rationale: str = ""


@dataclass(frozen=True)
class TitleEntry:
    """Another requirement of the selection, for the duplicate check."""

    key: Any  # whatever identifies it for the caller (an id)
    code: str
    title: str


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _compile(words: Iterable[tuple[str, str]]) -> list[tuple[str, re.Pattern[str]]]:
    compiled = []
    for shown, pattern in words:
        # Word boundaries that work for words ending in a dot ("etc.") too.
        compiled.append((shown, re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", re.IGNORECASE)))
    return compiled


_VAGUE = _compile(VAGUE_WORDS_EN + VAGUE_WORDS_NL)


def vague_words(text: str) -> list[str]:
    """The vague words in `text`, as shown in the lists, in order of first appearance."""
    text = _fold(text)
    found: list[tuple[int, str]] = []
    for shown, pattern in _VAGUE:
        match = pattern.search(text)
        if match and shown not in {word for _, word in found}:
            found.append((match.start(), shown))
    return [word for _, word in sorted(found)]


def has_measure(text: str) -> bool:
    """Is there a number in the text (what turns "fast" into "within 2 seconds")?"""
    return bool(_NUMBER.search(text))


def has_number_and_unit(text: str) -> bool:
    """A number with a unit, or a standard with its number (ISO 27001, WCAG 2.1)."""
    return bool(_NUMBER_WITH_UNIT.search(text) or _STANDARD.search(text))


def check(requirement: RequirementText) -> list[Flag]:
    """The flags of one requirement on its own (duplicates: see `duplicates_of`)."""
    flags: list[Flag] = []
    # One part per line: a number ending the title is not measured by the next word.
    text = "\n".join(
        part for part in (requirement.title, requirement.description,
                          requirement.verification_criterion) if part
    )
    if not has_measure(text):
        words = vague_words(text)
        if words:
            flags.append(Flag(VAGUE_WORD, {"words": words}))
    if not requirement.verification_criterion.strip():
        flags.append(Flag(NO_CRITERION))
    if requirement.domain == "it" and not has_number_and_unit(text):
        flags.append(Flag(NO_MEASURE))
    if requirement.knockout and not requirement.knockout_rationale.strip():
        flags.append(Flag(KNOCKOUT_WITHOUT_RATIONALE))
    if requirement.priority == "must" and not requirement.knockout and requirement.weight is None:
        flags.append(Flag(MUST_UNCLEAR))
    return flags


# -- duplicates ----------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")


def normalise_title(title: str) -> str:
    return " ".join(_WORD.findall(_fold(title)))


def _stem(word: str) -> str:
    # Light stemming for both languages: plural and inflection endings only.
    for ending in ("en", "es", "s", "e"):
        if len(word) > len(ending) + 3 and word.endswith(ending):
            return word[: -len(ending)]
    return word


def title_words(title: str) -> frozenset[str]:
    return frozenset(_stem(word) for word in _WORD.findall(_fold(title)))


# Small words that do not make a title different ("een"/"de", "a"/"the").
STOPWORDS = frozenset(
    "a an the of to in on at for and or with by from all any be is are can must should "
    "de het een van naar in op aan voor en of met door bij uit alle elke moet moeten kan "
    "kunnen is zijn wordt worden".split()
)


def _similar_word(a: str, b: str) -> bool:
    """A typo or an inflection ("contactpersonen"/"contactpersoon"), not another word
    ("rpo"/"rto", "12"/"24")."""
    if a.isdigit() or b.isdigit() or _length_bound(a, b) < WORD_RATIO:
        return False
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= WORD_RATIO


def _length_bound(a: str, b: str) -> float:
    # An upper bound of difflib's ratio from the lengths alone (real_quick_ratio).
    return 2 * min(len(a), len(b)) / (len(a) + len(b)) if a or b else 1.0


@dataclass(frozen=True)
class _Title:
    text: str
    words: frozenset[str]
    content: frozenset[str]  # the words without the small ones
    numbers: frozenset[str]
    allowed: int  # how many words may differ: a third, at least one

    @classmethod
    def of(cls, title: str) -> _Title:
        words = title_words(title)
        content = words - STOPWORDS
        return cls(normalise_title(title), words, content,
                   frozenset(w for w in words if w.isdigit()), max(1, len(content) // 3))


def _near(a: _Title, b: _Title) -> bool:
    if not a.words or not b.words:
        return False
    if a.words == b.words:
        return True
    if a.numbers != b.numbers or _length_bound(a.text, b.text) < DUPLICATE_RATIO:
        return False  # "every 12 hours" is not "every 24 hours"
    only_a, only_b = a.content - b.content, b.content - a.content
    if len(only_a) > a.allowed or len(only_b) > b.allowed:
        return False  # too many different words for a near-identical title
    # Every differing word is a typo or an inflection of one on the other side; what
    # is left may only be short words added on one side ("(SSO)").
    unmatched_a = [w for w in only_a if not any(_similar_word(w, v) for v in only_b)]
    if unmatched_a and len(only_b) > len(only_a):
        return False
    unmatched_b = [w for w in only_b if not any(_similar_word(w, v) for v in only_a)]
    if unmatched_a and unmatched_b:
        return False
    if any(len(w) > 4 for w in unmatched_a + unmatched_b):
        return False
    matcher = SequenceMatcher(None, a.text, b.text, autojunk=False)
    return matcher.quick_ratio() >= DUPLICATE_RATIO and matcher.ratio() >= DUPLICATE_RATIO


def near_duplicate(a: str, b: str) -> bool:
    """Are two titles near-identical? The same words after normalising (order, case,
    punctuation, plural endings aside); or nearly the same characters (difflib ratio
    >= 0.9) where every differing word, small words like "de"/"een" aside, is a typo
    or an inflection of one on the other side. So "RPO at most 4 h" and "RTO at most
    4 h", or "every 12 hours" and "every 24 hours", are not duplicates."""
    return _near(_Title.of(a), _Title.of(b))


def duplicates_of(title: str, others: Sequence[TitleEntry]) -> list[TitleEntry]:
    """The entries among `others` whose title nearly equals `title`."""
    this = _Title.of(title)
    return [other for other in others if _near(this, _Title.of(other.title))]


def duplicate_groups(entries: Sequence[TitleEntry]) -> dict[Any, list[TitleEntry]]:
    """For each entry's key, the other entries that nearly duplicate it (each list in
    the entries' order).

    Comparing every pair took 7 s for 5,000 titles, inside the import's write
    transaction. So only candidates are compared, found with prefix filtering (as in
    set-similarity joins): `_near` allows at most `allowed` differing content words on
    each side, so the rarest content word two near titles share comes, on each side,
    after at most `allowed` words that are not shared: it is among each title's
    `allowed + 1` rarest content words (and near titles hold the same numbers, so the
    words are indexed per set of numbers). Titles with at most one content word may share
    none (a typo in their only word) and are compared with each other directly; a pair
    of equal word sets is a duplicate whatever its content."""
    titles = [_Title.of(entry.title) for entry in entries]
    pairs: set[tuple[int, int]] = set()

    same_words: dict[frozenset[str], list[int]] = {}
    for i, title in enumerate(titles):
        if title.words:
            same_words.setdefault(title.words, []).append(i)
    for group in same_words.values():
        pairs.update((i, j) for position, i in enumerate(group) for j in group[position + 1:])

    def near(i: int, j: int) -> bool:
        return titles[i].words != titles[j].words and _near(titles[i], titles[j])

    rarity: dict[str, int] = {}
    for title in titles:
        for word in title.content:
            rarity[word] = rarity.get(word, 0) + 1
    index: dict[tuple[frozenset[str], str], list[int]] = {}
    for i, title in enumerate(titles):
        if not title.words:
            continue
        prefix = sorted(title.content, key=lambda w: (rarity[w], w))[: title.allowed + 1]
        seen: set[int] = set()
        for word in prefix:
            key = (title.numbers, word)  # near titles have the same numbers
            for j in index.get(key, ()):
                if j not in seen:
                    seen.add(j)
                    if near(j, i):
                        pairs.add((j, i))
            index.setdefault(key, []).append(i)
    small = [i for i, title in enumerate(titles) if title.words and len(title.content) <= 1]
    for position, i in enumerate(small):
        for j in small[position + 1:]:
            if near(i, j):
                pairs.add((i, j))

    related: dict[int, list[int]] = {i: [] for i in range(len(entries))}
    for i, j in pairs:
        related[i].append(j)
        related[j].append(i)
    return {entries[i].key: [entries[j] for j in sorted(others)]
            for i, others in related.items()}


def duplicate_flags(matches: Iterable[TitleEntry]) -> list[Flag]:
    return [Flag(DUPLICATE, {"code": m.code, "title": m.title})
            for m in sorted(matches, key=lambda m: m.code)]


def flags_json(flags: Iterable[Flag]) -> list[dict[str, Any]]:
    """Flags in the stored order (FLAG_CODES), as JSON-ready dictionaries."""
    order = {code: position for position, code in enumerate(FLAG_CODES)}
    return [f.as_json() for f in sorted(flags, key=lambda f: order.get(f.code, 99))]
