"""Vendors: the candidates a selection compares, and their portal.

Vendors never get accounts (decisions.md, "Vendors (wave 2)"): a vendor's contact works
through a personal portal link. A vendor's answers inform the scorers and propose
knock-out verdicts; they never score and never exclude by themselves. Every change is
written to the audit trail in the same transaction, under the vendor's name
(`vendor_actor`) when it comes through the portal. The area holds these topics:

* Vendors and their costs. A vendor can be added at any point of the process and
  withdrawn (it stays on record, shown as withdrawn, and takes no part in the ranking).
  Its TCO is computed from the breakdown over the selection's `tco_years`, whatever the
  contract length (formats.md): implementation + tco_years x (licence per year +
  hosting and support per year). A vendor without a breakdown may carry a TCO entered
  directly (or none). Costs are not secret from the database's point of view; who may
  *see* them is decided by `selector.domain.visibility.costs_visible` (decisions.md,
  "Blind scoring and prices").
* Portal links. The facilitator gives a vendor's contact a link, `/portal/<token>`,
  valid for a set number of days. Security assumptions, written down beside the code
  that relies on them (`issue_link`, `open_portal`):
  - The token is 32 random bytes (`secrets.token_urlsafe`), a secret like a password:
    it exists only in the answer to whoever issued it. Only its SHA-256 is stored, so a
    database file or a backup holds no working link. The lookup is by that hash, and
    the stored hash is compared again in constant time.
  - A vendor has one working link: a new one ends the earlier ones at once.
  - An expired, ended or altered token, a withdrawn vendor's link, and a token of the
    wrong shape are all the same `NotFound` (the web answers 404), so a guesser learns
    nothing about which links exist.
  - Failed lookups are throttled like failed logins, per client address (growing
    delays, never a lock; `logins.address_wait`). Each failure is recorded and
    committed at once, so it counts whatever the request does next; a lookup that must
    wait is neither checked nor counted (`Throttled`, the web answers 429 with
    Retry-After).
  - Every lookup is logged (never the token), and the first use of a link is audited.
* Questions (the *nota van inlichtingen*). A vendor asks through its portal; the
  facilitator answers, and the answer is published to every invited vendor at once,
  with the question, without naming who asked: a vendor learns what the others learn,
  and not who competes. The published questions and answers are part of the record
  (`published_questions`, for the report's appendix).
* Answers to the questionnaire: every active requirement, knock-outs first. Per
  requirement the vendor says whether it complies (yes, partly, no, planned with a
  date, via a third party), explains (required unless "yes"), may add evidence
  documents (checked by content and size as verdict documents are) and, for a
  requirement from IT's structured questions, gives a structured answer checked by the
  same catalogue. It also gives its own cost lines. Answers change until the vendor
  submits or the selection's deadline passes; the facilitator may reopen a submission,
  with a reason. The committee reads the answers (`committee_answers`) unless the
  selection hides them until the deadline (`domain.vendor_answers.answers_visible`);
  the facilitator always sees the progress, never the content before then.
* Verdict proposals. For every active knock-out, a vendor's "no", or a structured IT
  answer that falls short of the requirement's own (`domain.vendor_answers.falls_short`:
  a browser not supported, data outside the EU when the EU is required, an RPO longer
  than required...), becomes a *proposed* failed verdict with the answer as its
  evidence. The knock-out's owner group (or the facilitator) confirms it, which records
  the verdict through the scoring area's verdicts (its phase rule and audit included),
  or overrides it with a reason. A changed answer withdraws a proposal that no longer
  holds and puts a decided one up again when its evidence changed. While the selection
  hides the answers until the deadline, so are the proposals.
* The questionnaire workbook (formats.md, "Vendor questionnaire (.xlsx)"), written for
  one vendor and read back when the vendor returns it. The first sheet holds one row
  per active requirement (knock-outs first) under the key row `QUESTIONNAIRE_KEYS`;
  above it the same columns' labels in the selection's language. `compliance` has a
  drop-down of its labels in that language; a returned file may hold the keys or the
  labels in Dutch or English. The hidden sheet `Selector` names the selection and the
  vendor; a file for another selection or vendor is refused. That is a guard against
  mix-ups, not a lock: the caller decides whose answers are read (the portal its own
  vendor's, the command line the vendor it names). What this relies on:
  - Text is written and read literally (formats.md: "Text comes back literally").
    Every text cell is written as a string cell (never a formula, whatever it starts
    with: `=HYPERLINK(...)`, `+31 20 123`, `@sum`) with Excel's quote prefix, so a
    spreadsheet program keeps it text when it is edited too; read back, a cell's text
    is taken as it is (no `'` is dropped: `spreadsheets.read_workbook(literal=True)`).
    Characters a workbook cannot hold (control characters) are left out on the way out.
  - A returned file is untrusted: it is read in the sandbox (`read_questionnaire`:
    size, zip and XML checks, a separate limited process), never inside a database
    transaction; a formula the vendor typed counts as the value saved with it, and one
    saved without a value is a problem naming its cell.
  - All rows or none: every row is checked (`import_answers`) and every problem is
    listed at once; with any problem nothing is written.

`rules` holds the checks that need no database, `reads` the queries behind the pages,
the report and the workbook, `writes` every change with its audit entry; the caller
commits. The names below are the area's public ones: `from selector.services import
vendors`. The scoring area reads vendors from `selector.services.vendors.reads` (see
there): `writes` records verdicts through scoring, so importing the package from scoring
would make a cycle.
"""

from __future__ import annotations

from selector.services.vendors.reads import AnswerProgress
from selector.services.vendors.reads import Proposal
from selector.services.vendors.reads import PublishedQuestion
from selector.services.vendors.reads import QuestionnaireItem
from selector.services.vendors.reads import WaitingQuestion
from selector.services.vendors.reads import active_requirements
from selector.services.vendors.reads import answer_progress
from selector.services.vendors.reads import committee_answers
from selector.services.vendors.reads import current_link
from selector.services.vendors.reads import get_vendor
from selector.services.vendors.reads import own_waiting_questions
from selector.services.vendors.reads import proposals_of
from selector.services.vendors.reads import published_questions
from selector.services.vendors.reads import questionnaire
from selector.services.vendors.reads import questionnaire_filename
from selector.services.vendors.reads import questionnaire_workbook
from selector.services.vendors.reads import read_questionnaire
from selector.services.vendors.reads import vendors_of
from selector.services.vendors.reads import waiting_questions
from selector.services.vendors.rules import BASE_URL_SETTING
from selector.services.vendors.rules import COST_KEYS
from selector.services.vendors.rules import DEFAULT_LINK_DAYS
from selector.services.vendors.rules import IDENTITY_SHEET
from selector.services.vendors.rules import KEY_ROW
from selector.services.vendors.rules import LINK_NOT_FOUND
from selector.services.vendors.rules import LISTS_SHEET
from selector.services.vendors.rules import MAX_ANSWER
from selector.services.vendors.rules import MAX_EXPLANATION
from selector.services.vendors.rules import MAX_LINK_DAYS
from selector.services.vendors.rules import MAX_NOTES
from selector.services.vendors.rules import MAX_OVERRIDE_REASON
from selector.services.vendors.rules import MAX_QUESTION
from selector.services.vendors.rules import MAX_REASON
from selector.services.vendors.rules import QUESTIONNAIRE_ANSWER_KEYS
from selector.services.vendors.rules import QUESTIONNAIRE_KEYS
from selector.services.vendors.rules import AnswerInput
from selector.services.vendors.rules import Costs
from selector.services.vendors.rules import RowAnswer
from selector.services.vendors.rules import Throttled
from selector.services.vendors.rules import VendorInput
from selector.services.vendors.rules import answers_open
from selector.services.vendors.rules import base_url
from selector.services.vendors.rules import compute_tco
from selector.services.vendors.rules import portal_url
from selector.services.vendors.rules import require_answers_open
from selector.services.vendors.rules import vendor_actor
from selector.services.vendors.writes import PORTAL_LOOKUP
from selector.services.vendors.writes import ImportedAnswers
from selector.services.vendors.writes import IssuedLink
from selector.services.vendors.writes import Portal
from selector.services.vendors.writes import ReturnedQuestionnaire
from selector.services.vendors.writes import add_document
from selector.services.vendors.writes import add_vendor
from selector.services.vendors.writes import ask_question
from selector.services.vendors.writes import confirm_proposal
from selector.services.vendors.writes import import_answers
from selector.services.vendors.writes import import_questionnaire
from selector.services.vendors.writes import issue_link
from selector.services.vendors.writes import open_portal
from selector.services.vendors.writes import override_proposal
from selector.services.vendors.writes import publish_answer
from selector.services.vendors.writes import refresh_proposal
from selector.services.vendors.writes import refresh_tcos
from selector.services.vendors.writes import remove_document
from selector.services.vendors.writes import reopen_answers
from selector.services.vendors.writes import save_answer
from selector.services.vendors.writes import save_costs
from selector.services.vendors.writes import set_answers_schedule
from selector.services.vendors.writes import set_withdrawn
from selector.services.vendors.writes import submit_answers
from selector.services.vendors.writes import update_vendor

__all__ = [
    # vendors and their costs
    "COST_KEYS", "MAX_NOTES", "MAX_REASON", "VendorInput", "compute_tco", "vendors_of",
    "get_vendor", "add_vendor", "update_vendor", "set_withdrawn", "refresh_tcos",
    # portal links
    "DEFAULT_LINK_DAYS", "MAX_LINK_DAYS", "BASE_URL_SETTING", "LINK_NOT_FOUND",
    "PORTAL_LOOKUP", "base_url", "portal_url", "vendor_actor", "Throttled", "current_link",
    "IssuedLink", "issue_link", "Portal", "open_portal",
    # questions and their published answers
    "MAX_QUESTION", "MAX_ANSWER", "PublishedQuestion", "published_questions",
    "WaitingQuestion", "waiting_questions", "own_waiting_questions", "ask_question",
    "publish_answer",
    # answers to the questionnaire
    "MAX_EXPLANATION", "AnswerInput", "RowAnswer", "Costs", "answers_open",
    "require_answers_open", "QuestionnaireItem", "active_requirements", "questionnaire",
    "AnswerProgress", "answer_progress", "committee_answers", "save_answer",
    "ImportedAnswers", "import_answers", "add_document", "remove_document", "save_costs",
    "submit_answers", "reopen_answers", "set_answers_schedule",
    # verdict proposals
    "MAX_OVERRIDE_REASON", "Proposal", "proposals_of", "refresh_proposal",
    "confirm_proposal", "override_proposal",
    # the questionnaire workbook
    "QUESTIONNAIRE_KEYS", "QUESTIONNAIRE_ANSWER_KEYS", "IDENTITY_SHEET", "LISTS_SHEET",
    "KEY_ROW", "questionnaire_workbook", "questionnaire_filename", "read_questionnaire",
    "ReturnedQuestionnaire", "import_questionnaire",
]
