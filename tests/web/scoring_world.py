"""The example selection in the scoring phase, for the web tests of vendors and scoring:
imported without scores, consensus and verdicts, every member with the test password,
weights frozen, scoring open. Built through the services."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from sqlalchemy import select

from selector.models import Account
from selector.models import Membership
from selector.models import Requirement
from selector.models import Selection
from selector.models import Vendor
from selector.services import accounts
from selector.services import selection_file
from selector.services import selections
from selector.services import weighting
from tests.conftest import EXAMPLE
from tests.web.conftest import PASSWORD
from tests.web.conftest import Browser
from tests.web.conftest import signed_in as signed_in  # for the scoring tests

FENNA, BRAM, SANNE, INGRID, MARLOES = (
    "fenna@example.org", "bram@example.org", "sanne@example.org", "ingrid@example.org",
    "marloes@example.org")


@dataclass
class World:
    selection: int
    members: dict[str, int]
    vendors: dict[str, int]
    requirements: dict[str, int]


def build_world(dbs, phase: str = "scoring", with_scores: bool = False) -> World:
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    if not with_scores:
        doc = {**doc, "scores": [], "consensus": [], "knockouts": []}
    with dbs.transaction() as session:
        sid = selection_file.import_selection(session, doc)
        for account in session.scalars(select(Account)):
            if account.password_hash is None:
                account.password_hash = accounts.hash_password(PASSWORD)
        selection = session.get(Selection, sid)
        fenna = accounts.find_account(session, FENNA)
        membership = session.scalar(select(Membership).where(
            Membership.selection_id == sid, Membership.account_id == fenna.id))
        if not with_scores and phase in ("scoring", "decision"):
            weighting.freeze_weights(session, selection, membership, fenna)
            selections.change_phase(session, selection, fenna, "forward")
            if phase == "decision":
                selections.change_phase(session, selection, fenna, "forward")
    with dbs.transaction(write=False) as session:
        return World(
            sid,
            dict(session.execute(select(Account.email, Membership.id)
                                 .join(Membership, Membership.account_id == Account.id)
                                 .where(Membership.selection_id == sid)).all()),
            dict(session.execute(select(Vendor.key, Vendor.id)
                                 .where(Vendor.selection_id == sid)).all()),
            dict(session.execute(select(Requirement.code, Requirement.id)
                                 .where(Requirement.selection_id == sid)).all()),
        )


def post_json(browser: Browser, path: str, body: dict):
    return browser.client.post(path, json=body, headers={"X-CSRFToken": browser.csrf})


def sheet_url(world: World, vendor: str = "northwind") -> str:
    return f"/selections/{world.selection}/scoring/vendors/{world.vendors[vendor]}"


def page_text(response) -> str:
    """The visible text of a page, roughly: tags out, white space folded."""
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", text)
