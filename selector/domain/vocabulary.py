"""The words of a selection, defined once: roles and who does what, phases, priorities,
requirement statuses, knock-out verdicts, the score anchors and the audit trail's
entities and actions.

Models (check constraints), the selection file, forms (choices), services, the access
table, templates and the report all take their lists from here, so that a new role,
priority or audited change is added in one place. The values are the strings stored in
the database and written in selection files (docs/formats.md); the labels people read
live beside each catalogue: `selector.i18n` for the web, `selector.report.labels` for
the report. Pure Python: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import enum

# --- Roles and who does what (decisions.md, method.md section 3) ------------------------
FACILITATOR = "facilitator"
BUSINESS = "business"
IT = "it"
SPONSOR = "sponsor"
OBSERVER = "observer"
ROLES = (FACILITATOR, BUSINESS, IT, SPONSOR, OBSERVER)

# The committee works on the selection; sponsors and observers only read.
COMMITTEE = (FACILITATOR, BUSINESS, IT)
WRITERS = COMMITTEE  # propose and edit requirements
SCORERS = COMMITTEE  # "facilitators, business and IT score" (decisions.md)
WEIGHERS = (BUSINESS, IT)  # "only business and IT members may allocate points"
READ_ONLY = (SPONSOR, OBSERVER)

# The two domains of categories; a requirement's owner group is one of them too.
DOMAINS = (BUSINESS, IT)

# --- Phases (decisions.md: requirements → weighting → scoring → decision) ---------------
REQUIREMENTS = "requirements"
WEIGHTING = "weighting"
SCORING = "scoring"
DECISION = "decision"
PHASES = (REQUIREMENTS, WEIGHTING, SCORING, DECISION)

# --- The sponsor's decision on the recommendation (formats.md `decision`) ---------------
APPROVED = "approved"
DECLINED = "rejected"  # "rejected" as in formats.md; REJECTED is a requirement's status
MORE_INFORMATION = "more_information"
SPONSOR_VERDICTS = (APPROVED, DECLINED, MORE_INFORMATION)

# --- Requirements -----------------------------------------------------------------------
MUST = "must"
SHOULD = "should"
COULD = "could"
WONT = "wont"  # "won't have (this time)": accepted, yet no part in the ranking
PRIORITIES = (MUST, SHOULD, COULD, WONT)

PROPOSED = "proposed"
ACCEPTED = "accepted"  # the one status that takes part in the ranking
REJECTED = "rejected"
DEFERRED = "deferred"
STATUSES = (PROPOSED, ACCEPTED, REJECTED, DEFERRED)
DECISIONS = (ACCEPTED, REJECTED, DEFERRED)  # what a decision on a proposal can set

INTENTS = ("achieve", "avoid")
VERIFICATIONS = ("demo", "test", "document", "reference", "contract", "other")

# --- Knock-outs: a verdict per vendor and requirement, and the state it leaves ----------
PASSED = "passed"
FAILED = "failed"
UNVERIFIED = "unverified"  # no verdict recorded yet
VERDICTS = (PASSED, FAILED)
KNOCKOUT_STATES = (PASSED, FAILED, UNVERIFIED)

# --- The score anchors (method.md section 4) --------------------------------------------
# The words of the 0..5 scale, in order; each catalogue translates them.
ANCHORS = ("absent", "poor", "partly", "meets", "meets well", "exceeds")
_EXPLICIT_ANCHORS = {
    3: (0, 1, 3, 5),  # absent, poor, meets, exceeds
    4: (0, 1, 2, 3, 5),  # absent, poor, partly, meets, exceeds
    5: (0, 1, 2, 3, 4, 5),
}


# The anchors' words per language, once for the scoring sheet and the report: both are
# written in the selection's language, so these are pairs like the IT catalogue's words,
# not interface msgids (two catalogues had translated "meets well" two ways).
ANCHOR_WORDS = {
    "en": ANCHORS,
    "nl": ("afwezig", "slecht", "gedeeltelijk", "voldoet", "voldoet ruim", "overtreft"),
}


def anchor_words(scale_max: int, language: str) -> tuple[str, ...]:
    """The label of each score 0..scale_max in `language` ("" where no anchor fits)."""
    words = dict(zip(ANCHORS, ANCHOR_WORDS[language], strict=True))
    return tuple(words[anchor] if anchor else "" for anchor in score_anchors(scale_max))


def score_anchors(scale_max: int) -> tuple[str | None, ...]:
    """The anchor of each score 0..scale_max (None where none fits).

    A scale other than 0..5 names its ends ("absent", "exceeds"), "poor" at 1, and the
    anchors of the 0..5 scale that fall on a whole number of it.
    """
    if scale_max in _EXPLICIT_ANCHORS:
        return tuple(ANCHORS[i] for i in _EXPLICIT_ANCHORS[scale_max])
    anchors: list[str | None] = []
    for score in range(scale_max + 1):
        if score == 0:
            anchors.append(ANCHORS[0])
        elif score == scale_max:
            anchors.append(ANCHORS[5])
        elif score == 1:
            anchors.append(ANCHORS[1])
        elif (score * 5) % scale_max == 0 and 2 <= score * 5 // scale_max <= 4:
            anchors.append(ANCHORS[score * 5 // scale_max])
        else:
            anchors.append(None)
    return tuple(anchors)


# --- The audit trail --------------------------------------------------------------------
class AuditEntity(enum.StrEnum):
    """What an audit entry is about: exactly what the services write."""

    SELECTION = "selection"
    MEMBER = "member"
    INVITATION = "invitation"
    ACCOUNT = "account"
    SECOND_FACTOR = "second_factor"
    CATEGORY = "category"
    REQUIREMENT = "requirement"
    REQUIREMENT_WEIGHT = "requirement_weight"  # an explicit weight, on the weighting page
    ALLOCATION = "allocation"
    PAIRWISE = "pairwise"
    GROUP_BALANCE = "group_balance"
    FINAL_WEIGHTS = "final_weights"
    WEIGHTS = "weights"  # the freeze itself, and reopening it
    VENDOR = "vendor"
    ASSIGNMENT = "assignment"
    SHEET = "sheet"
    SCORE = "score"
    CONSENSUS = "consensus"
    VERDICT = "verdict"
    FINAL_REPORT = "final_report"
    PRICE_SETTINGS = "price_settings"  # the price method, its parameters, weight, threshold
    RECOMMENDATION = "recommendation"
    SPONSOR_DECISION = "sponsor_decision"
    PORTAL_LINK = "portal_link"  # a vendor's personal link to the portal (issue 20)
    ANSWER = "answer"  # a vendor's own answer to a requirement
    VENDOR_QUESTION = "vendor_question"  # a vendor's question, and its published answer
    VERDICT_PROPOSAL = "verdict_proposal"  # a knock-out verdict an answer proposes


class AuditAction(enum.StrEnum):
    """What was done: exactly what the services write."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    IMPORT = "import"
    PHASE = "phase"
    DECIDE = "decide"
    INVITE = "invite"
    RENEW = "renew"
    DECLINE = "decline"
    WITHDRAW = "withdraw"
    REINSTATE = "reinstate"
    ACTIVATE = "activate"
    DEACTIVATE = "deactivate"
    ISSUE_LINK = "issue_link"
    ENABLE = "enable"
    DISABLE = "disable"
    RESET = "reset"
    FREEZE = "freeze"
    REOPEN = "reopen"
    DECLARE = "declare"
    EXCLUDE = "exclude"
    INCLUDE = "include"
    SUBMIT = "submit"
    ISSUE = "issue"
    USE = "use"  # a vendor's portal link, the first time
    PUBLISH = "publish"
    CONFIRM = "confirm"
    OVERRIDE = "override"


# Entities whose change after a freeze the report lists as an open point. Requirements
# and categories freeze when scoring opens; freezing the weights freezes the allocations
# (also those made pairwise), the group balance, the final weights and the explicit
# requirement weights, and with them the priorities (decisions.md). The "weights" entries
# are the freeze and its reopening themselves, not a change of frozen content.
FROZEN_WITH_REQUIREMENTS = frozenset({AuditEntity.REQUIREMENT, AuditEntity.CATEGORY})
FROZEN_WITH_WEIGHTS = frozenset({
    AuditEntity.ALLOCATION,
    AuditEntity.PAIRWISE,
    AuditEntity.GROUP_BALANCE,
    AuditEntity.FINAL_WEIGHTS,
    AuditEntity.REQUIREMENT_WEIGHT,
    AuditEntity.PRICE_SETTINGS,  # decisions.md: frozen with the weights
})
FREEZE_RELEVANT = FROZEN_WITH_REQUIREMENTS | FROZEN_WITH_WEIGHTS
