"""Requirements: writing them together, deciding on them, and keeping them honest.

Business and IT members both propose requirements (status `proposed`); the facilitator
accepts, rejects or defers them with a reason (or, when the facilitator sets
`Selection.owner_groups_decide`, members of the requirement's owner group do). Every
change is written to the audit trail in the same transaction, with old and new values.
The area holds the requirements' topics:

* Requirements. A save names the version it started from (`Requirement.version`); when
  someone else saved in between, the save is refused with `Conflict` instead of
  overwriting. A knock-out needs its rationale. Freezing (decisions.md): once the
  weights are frozen, priorities and explicit weights are frozen; once scoring opens,
  every requirement field is. A frozen field changes only by the facilitator, with a
  reason; the audit entry carries the reason and the report lists it as a change after
  the freeze.
* Categories. A new selection starts with the default CRM category set of
  `seed/categories.json`; each seed category carries a short code (`SAL`, `BCK`) from
  which requirement codes are made (`BUS-SAL-03`, `IT-BCK-03`). The facilitator adds,
  renames, moves, re-assigns (domain) and removes categories; once the weights are
  frozen, or scoring has opened, a change needs a reason.
* Quality flags (vague words, a must that is neither knock-out nor weighted,
  near-duplicates...) are computed from their inputs when those change and stored with
  the requirement, not on every page view; the checks themselves are pure
  (`selector.domain.quality`). They advise and never block a save.
* The requirement library (`seed/library/requirements.json`), in Dutch and English. A
  picked item becomes a proposed requirement in the *selection's* language with a new
  code; an item already picked (same `library_id`) is skipped, and a missing category
  comes from the default set.
* IT's structured requirements (hosting and hardware, standards, browsers, back-up and
  recovery; the catalogue is `selector.domain.it_catalogue`). Each answer becomes one
  requirement in the right IT category, its answer kept in `Requirement.structured` as
  `{"area", "item", "slot", "value"}`; saving again updates the requirements made before
  (matched by `slot`). The answers travel in the selection file as `it_answers`.

`rules` holds the checks that need no database, `reads` the queries behind the pages and
files, `writes` every change with its audit entry; the caller commits. The names below
are the area's public ones: `from selector.services import requirements`.
"""

from __future__ import annotations

from selector.services.requirements.reads import CodeAllocator
from selector.services.requirements.reads import LibraryItem
from selector.services.requirements.reads import LibraryText
from selector.services.requirements.reads import RequirementFilter
from selector.services.requirements.reads import RequirementRow
from selector.services.requirements.reads import SeedCategory
from selector.services.requirements.reads import browse_library
from selector.services.requirements.reads import categories_of
from selector.services.requirements.reads import code_prefix
from selector.services.requirements.reads import existing_library_ids
from selector.services.requirements.reads import get_category
from selector.services.requirements.reads import get_requirement
from selector.services.requirements.reads import history
from selector.services.requirements.reads import it_answer_table
from selector.services.requirements.reads import it_file_answers
from selector.services.requirements.reads import list_requirements
from selector.services.requirements.reads import load_library
from selector.services.requirements.reads import quality_summary
from selector.services.requirements.reads import raisers
from selector.services.requirements.reads import requirement_counts
from selector.services.requirements.reads import seed_categories
from selector.services.requirements.reads import suggest_code
from selector.services.requirements.rules import FIELD_ORDER
from selector.services.requirements.rules import LIMITS
from selector.services.requirements.rules import MAX_CATEGORY_NAME
from selector.services.requirements.rules import RequirementFields
from selector.services.requirements.rules import StructuredItem
from selector.services.requirements.rules import check_code_format
from selector.services.requirements.rules import check_writer
from selector.services.requirements.rules import clean_it_answer
from selector.services.requirements.rules import flags_of
from selector.services.requirements.rules import frozen_reason_needed
from selector.services.requirements.rules import key_from_name
from selector.services.requirements.rules import may_change
from selector.services.requirements.rules import may_decide
from selector.services.requirements.rules import stored_it_answer
from selector.services.requirements.rules import structured_of
from selector.services.requirements.writes import ItSaveResult
from selector.services.requirements.writes import PickResult
from selector.services.requirements.writes import add_category
from selector.services.requirements.writes import clean_fields
from selector.services.requirements.writes import create_requirement
from selector.services.requirements.writes import decide
from selector.services.requirements.writes import decide_many
from selector.services.requirements.writes import ensure_seed_category
from selector.services.requirements.writes import move_category
from selector.services.requirements.writes import pick_from_library
from selector.services.requirements.writes import refresh_all_quality
from selector.services.requirements.writes import refresh_quality
from selector.services.requirements.writes import remove_category
from selector.services.requirements.writes import save_it_answers
from selector.services.requirements.writes import set_owner_groups_decide
from selector.services.requirements.writes import update_category
from selector.services.requirements.writes import update_requirement

__all__ = [
    # requirements
    "FIELD_ORDER", "LIMITS", "RequirementFields", "RequirementFilter", "RequirementRow",
    "CodeAllocator", "get_requirement", "list_requirements", "raisers", "history",
    "quality_summary", "suggest_code", "structured_of", "check_code_format", "check_writer",
    "may_change", "may_decide", "clean_fields", "create_requirement", "update_requirement",
    "decide", "decide_many", "set_owner_groups_decide",
    # categories
    "MAX_CATEGORY_NAME", "SeedCategory", "seed_categories", "code_prefix", "key_from_name",
    "frozen_reason_needed", "get_category", "categories_of", "requirement_counts",
    "add_category", "ensure_seed_category", "update_category", "move_category",
    "remove_category",
    # quality flags
    "flags_of", "refresh_quality", "refresh_all_quality",
    # the library
    "LibraryItem", "LibraryText", "load_library", "browse_library", "existing_library_ids",
    "PickResult", "pick_from_library",
    # IT's structured answers
    "StructuredItem", "clean_it_answer", "stored_it_answer", "it_file_answers",
    "it_answer_table", "ItSaveResult", "save_it_answers",
]
