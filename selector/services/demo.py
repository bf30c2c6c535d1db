"""The demo: one selection in each phase, in English and Dutch, with a login per member.

The finished selection (decision phase) is the seed's example file as it is. The three
earlier phases are derived from it, so that a newcomer can try every step as every role
on the same committee's content: the requirements phase with proposals to decide, IT's
structured answers and quality flags to fix; the weighting phase with some members
still to weigh and the price settings open; the scoring phase with sheets partly filled
and some submitted. What happens inside a phase goes through the services, as a
member's click would (audited), rather than into the tables directly.
"""

from __future__ import annotations

import copy
import json
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.domain.vocabulary import DECISION
from selector.domain.vocabulary import PROPOSED
from selector.domain.vocabulary import REQUIREMENTS
from selector.domain.vocabulary import SCORING
from selector.domain.vocabulary import WEIGHTING
from selector.files.selection_file import read_selection_file
from selector.files.selection_file import validate
from selector.models import Account
from selector.models import Membership
from selector.models import Selection
from selector.models import Vendor
from selector.paths import bundled
from selector.paths import instance_dir
from selector.services import requirements as requirement_service
from selector.services import scoring
from selector.services import selections
from selector.services import weighting
from selector.services.accounts import hash_password
from selector.services.accounts import normalise_email
from selector.services.requirements import StructuredItem
from selector.services.selection_file import import_selection

Document = dict[str, Any]  # a selection file's content (docs/formats.md)
Extra = dict[str, Any]  # seed/demo/earlier-phases.json: names, new proposals, the observer
LANGUAGES = ("en", "nl")
FACILITATOR = "fenna@example.org"

# -- what each earlier phase holds (the content itself: seed/demo/) -----------------------

#: Existing requirements still waiting for a decision in the requirements phase.
PROPOSED_CODES = ("BUS-SAL-03", "BUS-RPT-03", "IT-BRW-02")
#: IT's structured answers, given on IT's page by this member; each becomes a proposal.
IT_ANSWERER = "koen@example.org"
IT_ANSWERS = (
    StructuredItem("standards", "norm", {"norm": "bio"}, priority="must"),
    StructuredItem("standards", "accessibility", {"level": "wcag21_aa"}),
    StructuredItem("backup", "rto", {"hours": 8}),
    StructuredItem("backup", "retention", {"days": 90}),
)
#: Members who have not weighed the categories yet in the weighting phase.
NOT_WEIGHED = ("youssef@example.org", "koen@example.org")
#: The knock-out whose verdicts are recorded when scoring opens; the others wait.
VERDICTS_RECORDED = ("IT-HST-01",)
#: Sheets in the scoring phase: submitted, or about half filled in. Koen and the
#: facilitator have not started, so that a newcomer finds an empty sheet too.
SUBMITTED, HALF = "submitted", "half"
SHEETS = {
    ("bram@example.org", "northwind"): SUBMITTED,
    ("bram@example.org", "polder"): SUBMITTED,
    ("bram@example.org", "tulip"): HALF,
    ("sanne@example.org", "northwind"): SUBMITTED,
    ("sanne@example.org", "polder"): HALF,
    ("youssef@example.org", "northwind"): HALF,
    ("ingrid@example.org", "northwind"): SUBMITTED,
    ("ingrid@example.org", "polder"): SUBMITTED,
    ("ingrid@example.org", "tulip"): SUBMITTED,
}

#: What a newcomer tries first in each phase, and as whom.
TRY_FIRST = {
    REQUIREMENTS: [
        f"as {FACILITATOR} (facilitator), accept or reject the proposed requirements and "
        "fix what the quality flags point at (vague words, a near-duplicate, a must without "
        "weight);",
        f"as {IT_ANSWERER} (IT), change IT's structured answers on the IT page.",
    ],
    WEIGHTING: [
        "as youssef@example.org (business) or koen@example.org (IT), who have not weighed "
        "yet, divide the points over the categories;",
        f"as {FACILITATOR} (facilitator), try the price settings, then freeze the weights "
        "and open scoring.",
    ],
    SCORING: [
        "as koen@example.org (IT), declare your conflicts of interest and fill in a sheet; "
        "as bram@example.org (business), finish the Tulip sheet and submit it;",
        f"as {FACILITATOR} (facilitator), follow who has submitted and record the "
        "remaining knock-out verdicts.",
    ],
    DECISION: [
        f"as {FACILITATOR} (facilitator), read the ranking, the analysis and the report;",
        "as marloes@example.org (sponsor), decide on the recommendation; as "
        "anouk@example.org (observer), read along.",
    ],
}


def demo_database() -> Path:
    """The demo's own database, `demo.db` in the instance folder; never DATABASE_URL,
    which may well name a production database (decisions.md)."""
    return instance_dir() / "demo.db"


def where_lines(path: Path, ignored_url: str | None) -> list[str]:
    """Where the demo's database is, and how to look at it with the command line."""
    lines = ["", f"The demo's own database: {path}"]
    if ignored_url:
        lines.append("(DATABASE_URL is set, but the demo never uses it: it keeps to this file.)")
    lines += [
        "Look at it with the command line:",
        f"  DATABASE_URL=sqlite:///{path} selector list",
        f"  DATABASE_URL=sqlite:///{path} selector export ID",
        f"  sqlite3 {path}",
    ]
    return lines


# -- the earlier phases, derived from the finished selection ------------------------------


def _before_scoring(finished: Document, extra: Extra, phase: str
                    ) -> Document:
    """The finished selection as it stood before anyone scored: no scores, consensus,
    verdicts, recommendation or decision; with the observer and this phase's name."""
    doc = copy.deepcopy(finished)
    for key in ("scores", "consensus", "knockouts", "recommendation", "decision",
                "category_weights_final"):
        doc.pop(key, None)
    doc["selection"]["name"] = extra[doc["selection"]["language"]]["names"][phase]
    doc["members"].append(dict(extra["observer"]))
    return doc


def requirements_doc(finished: Document, extra: Extra) -> Document:
    """Nobody has weighed yet; a few requirements wait for a decision, and new
    proposals carry the quality flags a committee's first drafts do."""
    doc = _before_scoring(finished, extra, REQUIREMENTS)
    doc.pop("category_weights", None)
    for requirement in doc["requirements"]:
        if requirement["code"] in PROPOSED_CODES:
            requirement["status"] = PROPOSED
    doc["requirements"] += copy.deepcopy(extra[doc["selection"]["language"]]["new_requirements"])
    return doc


def weighting_doc(finished: Document, extra: Extra) -> Document:
    """The requirements are decided; some members have weighed, others not yet."""
    doc = _before_scoring(finished, extra, WEIGHTING)
    doc["category_weights"] = [
        allocation for allocation in doc["category_weights"]
        if allocation["member"] not in NOT_WEIGHED
    ]
    return doc


def scoring_doc(finished: Document, extra: Extra) -> Document:
    """Everyone has weighed; the hosting knock-out's verdicts are in (the weights are
    frozen and scoring opened after the import, see `_open_scoring`)."""
    doc = _before_scoring(finished, extra, SCORING)
    doc["knockouts"] = [
        verdict for verdict in finished.get("knockouts", [])
        if verdict["requirement"] in VERDICTS_RECORDED
    ]
    return doc


def _membership(session: Session, selection_id: int, email: str) -> Membership:
    return session.scalars(
        select(Membership).join(Account).where(
            Membership.selection_id == selection_id, Account.email == normalise_email(email))
    ).one()


def _give_it_answers(session: Session, selection: Selection, finished: Document) -> None:
    """IT answers its structured questions, as on IT's page (new proposals, generated
    in the selection's language)."""
    member = _membership(session, selection.id, IT_ANSWERER)
    requirement_service.save_it_answers(session, selection, member.account, member.role,
                                        list(IT_ANSWERS))


def _open_scoring(session: Session, selection: Selection, finished: Document) -> None:
    """The facilitator freezes the weights and opens scoring; then the members fill in
    their sheets from the finished selection's scores and arguments (SHEETS)."""
    facilitator = _membership(session, selection.id, FACILITATOR)
    weighting.freeze_weights(session, selection, facilitator, facilitator.account)
    selections.change_phase(session, selection, facilitator.account, "forward")
    vendor_ids = dict(session.execute(
        select(Vendor.key, Vendor.id).where(Vendor.selection_id == selection.id)).all())
    for (email, vendor_key), state in SHEETS.items():
        member = _membership(session, selection.id, email)
        vendor_id = vendor_ids[vendor_key]
        scoring.declare_conflict(session, selection, member, member.account, vendor_id, "none")
        wishes = {r.code: r.id for r in scoring.assigned_wishes(session, member)}
        given = [s for s in finished["scores"]
                 if s["member"] == email and s["vendor"] == vendor_key
                 and s["requirement"] in wishes]
        if state == HALF:
            given = given[: len(given) // 2]
        for score in given:
            scoring.save_score(
                session, selection, member, member.account, vendor_id=vendor_id,
                requirement_id=wishes[score["requirement"]], score=score["score"],
                comment=score.get("comment", ""), version=None)
        if state == SUBMITTED:
            scoring.submit_sheet(session, selection, member, member.account, vendor_id)


def decision_doc(finished: Document, extra: Extra) -> Document:
    """The finished selection as the seed has it, with the observer reading along."""
    doc = copy.deepcopy(finished)
    doc["members"].append(dict(extra["observer"]))
    return doc


#: Per phase, in order: how its selection file is derived from the finished one, and
#: what the members then do in it.
STEPS: dict[str, tuple[Callable[[Document, Extra], Document],
                       Callable[[Session, Selection, Document], None] | None]] = {
    REQUIREMENTS: (requirements_doc, _give_it_answers),
    WEIGHTING: (weighting_doc, None),
    SCORING: (scoring_doc, _open_scoring),
    DECISION: (decision_doc, None),
}


# -- loading ------------------------------------------------------------------------------


def _ensure(session: Session, phase: str, finished: Document, extra: Extra
            ) -> tuple[int, str]:
    """The demo selection of `phase` in the finished file's language, created once;
    returns its id and the line that says so."""
    derive, then = STEPS[phase]
    doc = validate(derive(finished, extra))
    name = doc["selection"]["name"]
    existing = session.scalar(select(Selection.id).where(Selection.name == name))
    if existing is not None:
        return existing, f"Demo selection {existing} is there: {name}"
    selection_id = import_selection(session, doc)
    if then is not None:
        then(session, session.get(Selection, selection_id), finished)
    return selection_id, f"Loaded demo selection {selection_id}: {name}"


def load_demo(session: Session) -> list[str]:
    """Create the demo selections once; give every member a fresh password each run.

    Returns the lines to print: the selections, what to try first in each phase and as
    whom, and each account's e-mail and password.
    """
    seed = bundled("seed") / "demo"
    extra = json.loads((seed / "earlier-phases.json").read_text(encoding="utf-8"))
    finished = {lang: read_selection_file(seed / f"demo.{lang}.json") for lang in LANGUAGES}
    ids: dict[str, list[int]] = {phase: [] for phase in STEPS}
    said: dict[str, list[str]] = {phase: [] for phase in STEPS}
    # The finished selections first (ids 1 and 2 in a new demo database, as before), then
    # the earlier phases, latest first: the home page lists the newest selection first.
    for phase in reversed(STEPS):
        for lang in LANGUAGES:
            selection_id, line = _ensure(session, phase, finished[lang], extra)
            ids[phase].append(selection_id)
            said[phase].append(line)

    lines = ["Demo selections, one in each phase, in English and in Dutch:"]
    lines += [line for phase in STEPS for line in said[phase]]
    lines += ["", "What to try first (sign in with an account below, at the address printed "
              "last):"]
    for step, phase in enumerate(STEPS, start=1):
        english, dutch = ids[phase]
        lines.append(f"  {step}. The {phase} phase (selection {english}; in Dutch {dutch}):")
        lines += [f"     {advice}" for advice in TRY_FIRST[phase]]
    return lines + _account_lines(session, [i for phase in STEPS for i in ids[phase]])


def _account_lines(session: Session, selection_ids: list[int]) -> list[str]:
    """A fresh password for every demo account, and the lines that show them."""
    lines = ["", "Demo accounts (new passwords each time the demo starts):"]
    accounts = session.execute(
        select(Account, Membership.role)
        .join(Membership, Membership.account_id == Account.id)
        .where(Membership.selection_id.in_(selection_ids))
        .order_by(Membership.role, Account.email)
    ).all()
    seen: set[int] = set()
    for account, role in accounts:
        if account.id in seen:
            continue
        seen.add(account.id)
        password = "demo-" + secrets.token_urlsafe(9)
        account.password_hash = hash_password(password)
        lines.append(f"  {role:<12} {account.email:<28} {password}")
    return lines
