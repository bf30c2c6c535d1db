"""Joint weighting: business and IT weigh every category together (method.md section 3),
and the facilitator sets how price counts.

Every business and IT member allocates points over all active categories of both
domains, or weighs one domain by pairwise comparison (AHP) whose derived weights divide
the points the member gives that domain (decisions.md). Within a category, requirement
weights follow the MoSCoW defaults unless the facilitator or the category's owner group
sets an explicit weight with a reason. The facilitator sets the group balance, accepts
the combined weights or sets final weights with a written rationale, and freezes them:
from then on weights, priorities and explicit requirement weights are read-only, and
only then may scoring open (decisions.md).

Price settings: the price method, its parameters, the price weight, the quality
threshold and the years a TCO covers (method.md 1.1, section 5). Only the facilitator
sets them, and only until the weights are frozen (they freeze with the weights, before
anyone but the facilitator sees a price). The one rule for impossible settings is
`selector.domain.price.problems`; the refusals say it in the reader's language, one
sentence naming the field. A new `tco_years` recomputes every vendor's TCO
(`vendors.refresh_tcos`). `price_example` is the page's live example: what the chosen
settings do to two made-up bids (static/js/price.js mirrors it in the browser).

Every number shown comes from `selector.domain.method` on the selection as the loader
reads it. `rules` holds the checks that need no database, `reads` what the pages show,
`writes` every change with its audit entry (old and new value); the caller commits. The
names below are the area's public ones: `from selector.services import weighting`.
"""

from __future__ import annotations

from selector.services.weighting.reads import EXAMPLE_BIDS
from selector.services.weighting.reads import CategoryWishes
from selector.services.weighting.reads import ExampleBid
from selector.services.weighting.reads import MemberAllocation
from selector.services.weighting.reads import PairwisePage
from selector.services.weighting.reads import WeightingState
from selector.services.weighting.reads import WishWeight
from selector.services.weighting.reads import pairwise_categories
from selector.services.weighting.reads import pairwise_page
from selector.services.weighting.reads import price_example
from selector.services.weighting.reads import requirement_category
from selector.services.weighting.reads import requirement_weights
from selector.services.weighting.reads import stored_pairwise
from selector.services.weighting.reads import weighting_state
from selector.services.weighting.rules import DEFAULT_DOMAIN_POINTS
from selector.services.weighting.rules import MAX_TEXT
from selector.services.weighting.rules import PRICE_FIELDS
from selector.services.weighting.rules import PriceInput
from selector.services.weighting.rules import current_price_settings
from selector.services.weighting.rules import final_field
from selector.services.weighting.rules import judgement_problem
from selector.services.weighting.rules import may_weigh_requirements
from selector.services.weighting.rules import pair_field
from selector.services.weighting.rules import pairwise_refusal
from selector.services.weighting.rules import parse_points
from selector.services.weighting.rules import points_field
from selector.services.weighting.rules import preview_price_settings
from selector.services.weighting.writes import PairwiseOutcome
from selector.services.weighting.writes import accept_combined_weights
from selector.services.weighting.writes import freeze_weights
from selector.services.weighting.writes import reopen_weights
from selector.services.weighting.writes import require_frozen_before_scoring
from selector.services.weighting.writes import save_allocation
from selector.services.weighting.writes import save_pairwise
from selector.services.weighting.writes import save_price_settings
from selector.services.weighting.writes import set_final_weights
from selector.services.weighting.writes import set_group_balance
from selector.services.weighting.writes import set_requirement_weight

__all__ = [
    # allocations and what the pages show
    "DEFAULT_DOMAIN_POINTS", "MAX_TEXT", "points_field", "final_field", "parse_points",
    "MemberAllocation", "WeightingState", "weighting_state", "save_allocation",
    # pairwise comparison
    "pair_field", "judgement_problem", "pairwise_refusal", "pairwise_categories",
    "stored_pairwise", "PairwisePage", "pairwise_page", "PairwiseOutcome", "save_pairwise",
    # requirement weights within a category
    "may_weigh_requirements", "requirement_category", "WishWeight", "CategoryWishes",
    "requirement_weights", "set_requirement_weight",
    # the facilitator: balance, final weights, freeze
    "set_group_balance", "set_final_weights", "accept_combined_weights", "freeze_weights",
    "reopen_weights", "require_frozen_before_scoring",
    # price settings
    "PRICE_FIELDS", "PriceInput", "current_price_settings", "preview_price_settings",
    "ExampleBid", "EXAMPLE_BIDS", "price_example", "save_price_settings",
]
