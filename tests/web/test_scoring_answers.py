"""Issue 20, item 6: a vendor's own answers where they are used. The scoring sheet shows,
under each requirement, that vendor's answer (escaped) and its evidence (downloads for
members only), or says that the answers are hidden until the deadline; the consensus
meeting shows them too. The sheet loads the answers in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

from selector.models import Selection
from selector.models import Vendor
from selector.models.base import utcnow
from selector.services import vendors
from selector.services import verdicts
from selector.services.vendors import AnswerInput
from tests.conftest import sql_statements
from tests.web.scoring_world import BRAM
from tests.web.scoring_world import FENNA
from tests.web.scoring_world import MARLOES
from tests.web.scoring_world import build_world
from tests.web.scoring_world import page_text
from tests.web.scoring_world import sheet_url
from tests.web.scoring_world import signed_in
from tests.web.test_scoring_sheet import declare

HOSTILE = '<script>alert("x")</script> =HYPERLINK("http://evil") & +31 20'
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def give_answer(dbs, world, code, compliance="partly", explanation=HOSTILE,
                vendor="northwind", document: bytes | None = None) -> int | None:
    """The vendor's answer through the service (as the portal saves it); the id of its
    evidence document when one is given."""
    with dbs.transaction() as session:
        selection = session.get(Selection, world.selection)
        found = session.get(Vendor, world.vendors[vendor])
        vendors.save_answer(session, selection, found, world.requirements[code],
                                   AnswerInput(compliance, explanation), None,
                                   actor_name=f"vendor:{vendor}")
        if document is None:
            return None
        return vendors.add_document(
            session, selection, found, world.requirements[code],
            verdicts.Upload("proof & annex.pdf", document), actor_name=f"vendor:{vendor}").id


def schedule(dbs, world, deadline, hidden: bool) -> None:
    with dbs.transaction() as session:
        vendors.set_answers_schedule(session, session.get(Selection, world.selection), None,
                                    deadline, hidden)


def item_html(html: str, world, code: str) -> str:
    """The part of the sheet for one requirement."""
    start = html.index(f'id="item-{world.requirements[code]}"')
    return html[start:html.index("</fieldset>", start)]


def test_the_sheet_shows_the_answer_escaped_with_its_evidence(app, dbs, world):
    document = give_answer(dbs, world, "BUS-SAL-01", document=PDF)
    bram = signed_in(app, BRAM)
    declare(bram, world)
    page = bram.get(sheet_url(world))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    item = item_html(html, world, "BUS-SAL-01")
    assert 'data-answer="partly"' in item
    assert "Partly" in item
    assert ("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; =HYPERLINK(&#34;http://evil&#34;)"
            " &amp; +31 20") in item
    assert "<script>alert" not in html
    link = (f"/selections/{world.selection}/scoring/vendors/{world.vendors['northwind']}"
            f"/documents/{document}")
    assert f'href="{link}"' in item and ">proof &amp; annex.pdf</a>" in item
    # A requirement without an answer says so; only this one has an answer.
    assert "The vendor gave no answer to this requirement." in item_html(
        html, world, "BUS-SAL-02")
    assert html.count('data-answer="partly"') == 1

    download = bram.get(link)
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment")
    # Only through its own vendor, and only to members.
    other = (f"/selections/{world.selection}/scoring/vendors/{world.vendors['polder']}"
             f"/documents/{document}")
    assert bram.get(other).status_code == 404
    from tests.web.conftest import Browser
    assert Browser(app).get(link).status_code in (302, 401)


def test_answers_are_hidden_until_the_deadline_when_the_selection_says_so(app, dbs, world):
    document = give_answer(dbs, world, "BUS-SAL-01", "no", "Not in the standard product.",
                           document=PDF)
    schedule(dbs, world, utcnow() + timedelta(days=3), hidden=True)
    bram = signed_in(app, BRAM)
    declare(bram, world)
    html = bram.get(sheet_url(world)).get_data(as_text=True)
    item = item_html(html, world, "BUS-SAL-01")
    assert "The vendor's answers are hidden until the deadline." in item
    assert "Not in the standard product." not in html and 'data-answer="no"' not in html
    link = (f"/selections/{world.selection}/scoring/vendors/{world.vendors['northwind']}"
            f"/documents/{document}")
    assert bram.get(link).status_code == 404
    assert signed_in(app, FENNA).get(link).status_code == 404  # the facilitator too
    # Nor through the knock-out verdicts' document route, which serves verdict documents.
    verdict_route = f"/selections/{world.selection}/verdicts/documents/{document}"
    assert bram.get(verdict_route).status_code == 404

    schedule(dbs, world, utcnow() - timedelta(minutes=1), hidden=True)  # passed
    html = bram.get(sheet_url(world)).get_data(as_text=True)
    assert 'data-answer="no"' in item_html(html, world, "BUS-SAL-01")
    assert "Not in the standard product." in html and "hidden until the deadline" not in html
    assert bram.get(link).status_code == 200


def test_the_sheet_loads_the_answers_in_a_fixed_number_of_queries(app, dbs, world):
    bram = signed_in(app, BRAM)
    declare(bram, world)

    def statements() -> int:
        with sql_statements(dbs.engine) as sent:
            assert bram.get(sheet_url(world)).status_code == 200
        return len(sent)

    give_answer(dbs, world, "BUS-SAL-01", document=PDF)
    one = statements()
    for code in ("BUS-SAL-02", "BUS-SAL-03", "BUS-MKT-01", "IT-HST-02"):
        give_answer(dbs, world, code, document=PDF)
    assert statements() == one


def test_the_consensus_meeting_shows_the_vendors_answer(app, dbs):
    world = build_world(dbs, with_scores=True)  # the decision phase, scores in
    give_answer(dbs, world, "IT-STD-01", "third_party", "SAML through <our> partner.",
                vendor="polder")
    page = signed_in(app, MARLOES).get(
        f"/selections/{world.selection}/scoring/consensus/vendors/{world.vendors['polder']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    start = html.index(f'id="item-{world.vendors["polder"]}-{world.requirements["IT-STD-01"]}"')
    item = html[start:html.index("</section>", start)]
    assert 'data-answer="third_party"' in item and "Via a third party" in item
    assert "SAML through &lt;our&gt; partner." in item
    assert "The vendor gave no answer to this requirement." in page_text(page)

    schedule(dbs, world, None, hidden=True)  # no deadline: hidden
    html = signed_in(app, FENNA).get(
        f"/selections/{world.selection}/scoring/consensus").get_data(as_text=True)
    assert "SAML through" not in html
    assert "The vendor's answers are hidden until the deadline." in html
