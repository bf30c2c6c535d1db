"""The selection as the method sees it: plain, immutable data.

Both loaders (selection file and database) build these; the method in
`selector.domain.method` computes everything from them. Nothing here knows about
Flask, SQLAlchemy or JSON.

Only what counts is passed in: the loaders leave out scores of unsubmitted sheets,
of members excluded from a vendor, and of removed members (see docs/decisions.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from itertools import repeat
from typing import NamedTuple
from typing import overload

from selector.domain.price import LOWEST_RATIO
from selector.domain.price import PriceSettings
from selector.domain.vocabulary import ACCEPTED
from selector.domain.vocabulary import COULD
from selector.domain.vocabulary import DOMAINS
from selector.domain.vocabulary import MUST
from selector.domain.vocabulary import SHOULD
from selector.domain.vocabulary import WONT

GROUPS = DOMAINS  # the business and the IT group weigh and own their domain's categories
PRIORITY_POINTS = {MUST: 5.0, SHOULD: 3.0, COULD: 1.0}  # method.md section 2; WONT: none


def is_active(status: str, priority: str) -> bool:
    """method.md section 1: a requirement is active when accepted and not "won't"."""
    return status == ACCEPTED and priority != WONT


def is_active_wish(status: str, priority: str, knockout: bool) -> bool:
    """An active requirement that is no knock-out: scored and weighted (a *wens*)."""
    return is_active(status, priority) and not knockout


@dataclass(frozen=True, slots=True)
class Category:
    """A category of requirements, owned by the business or by IT."""

    key: str
    name: str
    domain: str  # "business" or "it"


@dataclass(frozen=True, slots=True)
class Requirement:
    """A requirement: a wish (scored, weighted) or a knock-out (passed or failed)."""

    code: str
    category: str
    title: str
    priority: str  # must / should / could / wont
    weight: float | None = None
    knockout: bool = False
    status: str = ACCEPTED
    knockout_rationale: str = ""
    owner_group: str = "business"

    @property
    def active(self) -> bool:
        return is_active(self.status, self.priority)

    @property
    def is_knockout(self) -> bool:
        return self.active and self.knockout

    @property
    def is_wish(self) -> bool:
        return is_active_wish(self.status, self.priority, self.knockout)

    @property
    def raw_weight(self) -> float:
        """Explicit weight if set, else the MoSCoW points (method.md section 2)."""
        if self.weight is not None:
            return float(self.weight)
        return PRIORITY_POINTS.get(self.priority, 0.0)


@dataclass(frozen=True, slots=True)
class Member:
    """A member of the selection; only business and IT members weigh categories."""

    email: str
    name: str
    role: str  # facilitator / business / it / sponsor / observer


@dataclass(frozen=True, slots=True)
class Allocation:
    """Points one member gives one category (method.md section 3)."""

    member: str
    category: str
    points: float


@dataclass(frozen=True, slots=True)
class Vendor:
    """A vendor; a withdrawn vendor takes no part in the ranking."""

    key: str
    name: str
    tco: float | None = None
    withdrawn: bool = False


class Score(NamedTuple):
    """One member's score of one wish for one vendor. A named tuple, not a frozen
    dataclass like the rest: a selection has tens of thousands (kept as `Scores`), and
    a named tuple is made in a fraction of the time."""

    member: str
    vendor: str
    requirement: str
    score: int
    comment: str = ""


_make_score = tuple.__new__  # Score._make without its Python frame (Score is a tuple)


@dataclass(frozen=True, slots=True)
class Scores(Sequence[Score]):
    """All scores of a selection, column by column: score i is (members[i], vendors[i],
    requirements[i], values[i], comments[i]).

    Columns, because a selection has tens of thousands of scores and both ends work in
    columns: the database hands them out as columns of ids (mapped to keys in C-level
    maps) and the method reads the vendor, requirement and value columns into arrays.
    48,000 scores: about 0.05 s sooner in `selector rank --selection ID` than one
    `Score` tuple each. Iterating or indexing still gives `Score` tuples, in order, for
    code that wants one score at a time; equality is that of the columns, so of the
    scores in order.
    """

    members: tuple[str, ...] = ()
    vendors: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()
    values: tuple[int, ...] = ()
    comments: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        lengths = {len(column) for column in self._columns()}
        if len(lengths) > 1:
            raise ValueError(f"score columns of different lengths: {sorted(lengths)}")

    @classmethod
    def of(cls, scores: Iterable[Score]) -> Scores:
        """The columns of a sequence of `Score` tuples (a `Scores` is returned as is)."""
        if isinstance(scores, Scores):
            return scores
        columns = tuple(zip(*scores, strict=True))
        return cls(*columns) if columns else cls()

    def _columns(self) -> tuple[tuple, ...]:
        return (self.members, self.vendors, self.requirements, self.values, self.comments)

    def __len__(self) -> int:
        return len(self.values)

    def __iter__(self) -> Iterator[Score]:
        return map(_make_score, repeat(Score), zip(*self._columns(), strict=True))

    @overload
    def __getitem__(self, index: int) -> Score: ...
    @overload
    def __getitem__(self, index: slice) -> Scores: ...
    def __getitem__(self, index: int | slice) -> Score | Scores:
        if isinstance(index, slice):
            return Scores(*(column[index] for column in self._columns()))
        return Score(*(column[index] for column in self._columns()))


@dataclass(frozen=True, slots=True)
class Consensus:
    """The score the committee agreed for a vendor on a wish; it overrides the mean."""

    vendor: str
    requirement: str
    score: int
    rationale: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """A knock-out verdict: passed or failed, for one vendor and one knock-out."""

    vendor: str
    requirement: str
    passed: bool
    evidence: str = ""


@dataclass(frozen=True)
class Selection:
    """A selection as the method sees it: what counts, nothing more (module docstring)."""

    name: str
    categories: tuple[Category, ...] = ()
    requirements: tuple[Requirement, ...] = ()
    members: tuple[Member, ...] = ()
    allocations: tuple[Allocation, ...] = ()
    vendors: tuple[Vendor, ...] = ()
    # A tuple of `Score` is accepted too, and kept as `Scores` (see __post_init__).
    scores: Scores = field(default_factory=Scores)
    consensus: tuple[Consensus, ...] = ()
    verdicts: tuple[Verdict, ...] = ()
    scale_max: int = 5
    price_weight: float = 0.0
    group_balance: dict[str, float] = field(
        default_factory=lambda: {"business": 0.5, "it": 0.5}
    )
    # None (or {}) means: no final weights, use the combined allocation.
    final_weights: dict[str, float] | None = None
    # Method 1.1, section 5: the defaults rank exactly as method 1.
    price_method: str = LOWEST_RATIO
    price_full: float | None = None
    price_zero: float | None = None
    log_factor: float | None = None
    quality_value: float | None = None
    quality_threshold: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.scores, Scores):  # frozen: set once, while being made
            object.__setattr__(self, "scores", Scores.of(self.scores))

    @property
    def price(self) -> PriceSettings:
        """How price counts: the method, its parameters, the weight and the threshold."""
        return PriceSettings.of_object(self)
