"""The ranked selection: one load, one rank, one way to refuse.

Every view of a ranking starts here: the analysis pages and the API
(`services.analysis.analyse`), the overview's ranking in brief, the report
(`services.reports`) and the command line (`selector rank`, `selector report`,
`selector import`'s check). `ranked_selection` loads a stored selection and ranks it;
`rank_selection` ranks one already loaded (from a selection file). Both give a
`RankedSelection` (`selector.domain.ranked`), whose facts every view shows alike.

One error convention: a selection that does not exist is `NotFound`; one the method
refuses is `RankingUnavailable`, a ServiceError whose message says why in the reader's
language (English on the command line).

Kept free of SQLAlchemy and Flask at import: `selector rank --selection ID` reads through
the database's own driver (`selector.cli.direct_read`) and starts without either. The
translated messages are made on a refusal only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from selector.domain import method
from selector.domain.ranked import RankedSelection
from selector.domain.selection import Selection
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.services.loader import Run
from selector.services.loader import load_selection

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session


class RankingUnavailable(ServiceError):
    """The method refuses the selection; `field` names the setting (method.MethodError)."""


def rank_selection(selection: Selection, *, draws: int = method.DRAWS) -> RankedSelection:
    """Rank a loaded selection. Raises RankingUnavailable when the method refuses it
    (final weights that give the active categories 0 points, for example).

    `draws` 1 skips the Monte Carlo draws where only the order matters."""
    try:
        return RankedSelection(selection, method.rank(selection, draws=draws))
    except method.MethodError as error:
        raise _unavailable(error) from None


def ranked_selection(
    source: Session | Connection | Run,
    selection_id: int,
    *,
    comments: bool = True,
    draws: int = method.DRAWS,
) -> RankedSelection:
    """Load a stored selection and rank it. `source` is anything `load_selection`
    reads from; `comments=False` when nothing shown quotes the scores' comments.

    Raises NotFound for a selection that does not exist, RankingUnavailable when the
    method refuses it."""
    try:
        selection = load_selection(source, selection_id, comments=comments)
    except LookupError:
        from selector.i18n import _l

        raise NotFound(_l("There is no selection %(id)s.", id=selection_id)) from None
    return rank_selection(selection, draws=draws)


def _unavailable(error: method.MethodError) -> RankingUnavailable:
    """The method's refusal in the reader's language. Flask-Babel is imported here, on a
    refusal only, so that `selector rank` starts without Flask."""
    from selector.i18n import _l

    problems = {
        "category_weights_final": _l(
            "the final weights give the active categories 0 points in total; set them again"
        ),
        "price_weight": _l(
            "the price weight must be a percentage from 0 up to, but not including, 100"
        ),
        "scale_max": _l("the score scale must go up to at least 1"),
    }
    if error.field == "price_method" and "vendor" in error.params:
        problems["price_method"] = _l(
            "the vendor %(vendor)s has no costs yet, and the price method value for money "
            "needs the costs of every vendor; enter them, or choose another price method",
            vendor=error.params["vendor"])
    for name in ("price_method", "price_full", "price_zero", "log_factor", "quality_value",
                 "quality_threshold"):
        problems.setdefault(name, _l(
            "the price settings cannot be used as they are; set them again under "
            "Weighting, How price counts"))
    problem = problems.get(error.field, error.message)
    return RankingUnavailable(
        _l("The ranking cannot be computed: %(problem)s", problem=problem), error.field
    )
