"""The recommendation page, the decision of the sponsor on the overview, and sealing with
care on the report page (issue 18, items 4-6), on the worked example in the decision
phase: Northwind ranks first, PolderSuite failed knock-out IT-BRW-01, Tulip has it
unverified. Each refusal answers 422 with its message beside the field and changes
nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from selector.models import AuditEntry
from selector.models import Consensus
from selector.models import FinalReport
from selector.models import Selection
from selector.models import SponsorDecision
from selector.models import Vendor
from selector.models.base import utcnow
from tests.analysis.support import BUSINESS
from tests.analysis.support import FACILITATOR
from tests.analysis.support import SPONSOR
from tests.analysis.support import cells
from tests.analysis.support import import_example
from tests.web.conftest import Browser
from tests.web.conftest import signed_in
from tests.web.test_reports_pages import text_of

ADVICE = "Choose Northwind CRM.\n\nIt fits how our sales team works."


@pytest.fixture
def sid(dbs, example_doc):
    return import_example(dbs, example_doc)


def field_text(html: str, name: str) -> str:
    found = [c.text for c in cells(html) if c.field == name]
    assert found, f"no {name} on the page"
    return found[0]


def vendor_id(dbs, sid: int, key: str) -> int:
    with dbs.transaction(write=False) as session:
        return session.scalar(select(Vendor.id).where(Vendor.selection_id == sid,
                                                      Vendor.key == key))


def stored(dbs, sid: int) -> tuple:
    """What a refused post must leave as it was."""
    with dbs.transaction(write=False) as session:
        selection = session.get(Selection, sid)
        return (selection.recommendation, selection.recommended_vendor_id,
                selection.recommendation_reason, selection.recommendation_at,
                session.scalar(select(func.count()).select_from(SponsorDecision)),
                session.scalar(select(func.count()).select_from(AuditEntry)),
                session.scalar(select(func.count()).select_from(FinalReport)))


def page(browser: Browser, sid: int) -> str:
    response = browser.get(f"/selections/{sid}/recommendation")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def recommend(browser: Browser, dbs, sid: int, key: str = "northwind", **extra):
    return browser.post(f"/selections/{sid}/recommendation",
                        {"text": ADVICE, "vendor": str(vendor_id(dbs, sid, key)), **extra})


def decide(browser: Browser, sid: int, **data):
    data.setdefault("reason", "Within the budget; start in the spring.")
    return browser.post(f"/selections/{sid}/recommendation/decision", data)


def refused_with(response, dbs, sid, before, words: str) -> str:
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert words in text_of(html)
    assert 'class="field__error"' in html or 'class="form-errors"' in html
    assert stored(dbs, sid) == before
    return html


# -- reading ------------------------------------------------------------------------------


def test_before_scoring_closes_the_page_says_when_it_opens(app, dbs, sid):
    with dbs.transaction() as session:
        session.get(Selection, sid).phase = "scoring"
    html = page(signed_in(app, FACILITATOR), sid)
    assert "Available when scoring is closed" in text_of(html)
    assert f'action="/selections/{sid}/recommendation"' not in html
    # Writing is closed by the table before the decision phase.
    assert recommend(signed_in(app, FACILITATOR), dbs, sid).status_code == 403


def test_everyone_reads_it_and_the_overview_and_report_link_to_it(app, dbs, sid):
    facilitator = signed_in(app, FACILITATOR)
    assert recommend(facilitator, dbs, sid).status_code == 302
    for email in (FACILITATOR, BUSINESS, SPONSOR):
        browser = signed_in(app, email)
        html = page(browser, sid)
        assert field_text(html, "recommended-vendor") == "Northwind CRM"
        assert field_text(html, "recommendation-by") .startswith("Fenna de Vries")
        # Paragraphs stay paragraphs.
        assert "<p class=\"prewrap\">Choose Northwind CRM.</p>" in html
        assert "<p class=\"prewrap\">It fits how our sales team works.</p>" in html
        overview = browser.get(f"/selections/{sid}").get_data(as_text=True)
        assert field_text(overview, "recommendation-status") == \
            "Waiting for the sponsor's decision"
        assert f'href="/selections/{sid}/recommendation"' in overview
        report = browser.get(f"/selections/{sid}/report").get_data(as_text=True)
        assert f'href="/selections/{sid}/recommendation"' in report
    # Only the facilitator sees the form to write it, only the sponsor the decision.
    assert f'action="/selections/{sid}/recommendation"' in page(facilitator, sid)
    assert f'action="/selections/{sid}/recommendation/decision"' not in page(facilitator, sid)
    sponsor_page = page(signed_in(app, SPONSOR), sid)
    assert f'action="/selections/{sid}/recommendation/decision"' in sponsor_page
    assert f'action="/selections/{sid}/recommendation"' not in sponsor_page


# -- writing ------------------------------------------------------------------------------


def test_the_facilitator_writes_it_and_it_is_audited(app, dbs, sid):
    facilitator = signed_in(app, FACILITATOR)
    response = recommend(facilitator, dbs, sid)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/selections/{sid}/recommendation")
    with dbs.transaction(write=False) as session:
        selection = session.get(Selection, sid)
        assert selection.recommendation == ADVICE
        assert selection.recommended_vendor_id == vendor_id(dbs, sid, "northwind")
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "recommendation")).one()
        assert (entry.action, entry.actor) == ("create", "fenna@example.org")


def test_another_vendor_without_a_reason_is_refused_beside_the_field(app, dbs, sid):
    facilitator = signed_in(app, FACILITATOR)
    before = stored(dbs, sid)
    html = refused_with(recommend(facilitator, dbs, sid, "tulip"), dbs, sid, before,
                        "A vendor other than the first-ranked one can be recommended only "
                        "with a reason: fill in “Why this vendor”.")
    assert 'id="reason-error"' in html
    refused_with(recommend(facilitator, dbs, sid, "polder"), dbs, sid, before,
                 "A vendor that failed a knock-out can be recommended only with a reason")
    # What was typed stays in the form.
    assert "It fits how our sales team works." in html
    response = recommend(facilitator, dbs, sid, "tulip", reason="Half the price.")
    assert response.status_code == 302
    html = page(facilitator, sid)
    assert field_text(html, "recommended-vendor") == "Tulip Cloud CRM"
    assert field_text(html, "first-ranked") == "Northwind CRM"
    assert field_text(html, "recommendation-reason") == "Half the price."


def test_an_empty_recommendation_or_a_vendor_of_nothing_is_refused(app, dbs, sid):
    facilitator = signed_in(app, FACILITATOR)
    before = stored(dbs, sid)
    refused_with(facilitator.post(f"/selections/{sid}/recommendation",
                                  {"text": "  ", "vendor": str(vendor_id(dbs, sid, "tulip"))}),
                 dbs, sid, before, "Write the recommendation.")
    refused_with(facilitator.post(f"/selections/{sid}/recommendation",
                                  {"text": ADVICE, "vendor": "987654"}),
                 dbs, sid, before, "There is no such vendor in this selection.")


def test_business_members_and_sponsors_cannot_write_it(app, dbs, sid):
    before = stored(dbs, sid)
    for email in (BUSINESS, SPONSOR):
        assert recommend(signed_in(app, email), dbs, sid).status_code == 403
    assert stored(dbs, sid) == before


# -- the sponsor's decision ---------------------------------------------------------------


def test_the_sponsor_approves_and_the_overview_shows_the_decision(app, dbs, sid):
    assert recommend(signed_in(app, FACILITATOR), dbs, sid).status_code == 302
    sponsor = signed_in(app, SPONSOR)
    response = decide(sponsor, sid, verdict="approved")
    assert response.status_code == 302
    with dbs.transaction(write=False) as session:
        decision = session.scalars(select(SponsorDecision)).one()
        assert (decision.verdict, decision.by_email) == ("approved", "marloes@example.org")
        assert decision.vendor_id == vendor_id(dbs, sid, "northwind")
        assert decision.decided_on == utcnow().date()  # the date left empty: today
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "sponsor_decision")).one()
        assert (entry.action, entry.reason) == ("decide", "Within the budget; start in the spring.")
    overview = signed_in(app, BUSINESS).get(f"/selections/{sid}").get_data(as_text=True)
    assert field_text(overview, "recommendation-status") == "Approved by the sponsor"
    assert field_text(overview, "verdict") == "Approved"
    assert field_text(overview, "decision-vendor") == "Northwind CRM"
    assert field_text(overview, "decided-by") == "Marloes Mulder"
    assert field_text(overview, "decision-reason") == "Within the budget; start in the spring."
    assert field_text(overview, "decided-on")  # a date in the reader's format
    # Approved: the facilitator's form is gone, and a new post is refused.
    facilitator = signed_in(app, FACILITATOR)
    assert f'action="/selections/{sid}/recommendation"' not in page(facilitator, sid)
    before = stored(dbs, sid)
    refused_with(recommend(facilitator, dbs, sid), dbs, sid, before,
                 "The sponsor has approved the recommendation: it can no longer change.")


def test_a_decision_by_someone_who_is_not_a_sponsor_is_refused(app, dbs, sid):
    assert recommend(signed_in(app, FACILITATOR), dbs, sid).status_code == 302
    before = stored(dbs, sid)
    for email in (FACILITATOR, BUSINESS):
        assert decide(signed_in(app, email), sid, verdict="approved").status_code == 403
    assert stored(dbs, sid) == before


def test_a_decision_without_a_reason_or_with_a_future_date_is_refused(app, dbs, sid):
    sponsor = signed_in(app, SPONSOR)
    before = stored(dbs, sid)
    refused_with(decide(sponsor, sid, verdict="approved"), dbs, sid, before,
                 "The facilitator has not written a recommendation yet")
    assert recommend(signed_in(app, FACILITATOR), dbs, sid).status_code == 302
    before = stored(dbs, sid)
    refused_with(decide(sponsor, sid, verdict="approved", reason=" "), dbs, sid, before,
                 "Give the reason for your decision.")
    tomorrow = (utcnow().date() + timedelta(days=1)).isoformat()
    refused_with(decide(sponsor, sid, verdict="approved", decided_on=tomorrow), dbs, sid,
                 before, "The date of the decision cannot be in the future.")
    refused_with(decide(sponsor, sid, verdict="approved", decided_on="31-12-2026"), dbs, sid,
                 before, "Enter the date as YYYY-MM-DD.")
    refused_with(decide(sponsor, sid, verdict="perhaps"), dbs, sid, before, "Not a valid choice")


def test_more_information_sends_it_back_until_the_facilitator_revises_it(app, dbs, sid):
    facilitator, sponsor = signed_in(app, FACILITATOR), signed_in(app, SPONSOR)
    assert recommend(facilitator, dbs, sid).status_code == 302
    assert decide(sponsor, sid, verdict="more_information",
                  reason="What does leaving Northwind cost after five years?").status_code == 302
    sent_back = ("The sponsor sent the recommendation back: What does leaving Northwind cost "
                 "after five years?")
    for browser in (facilitator, sponsor):
        assert field_text(page(browser, sid), "sent-back") == sent_back
        overview = browser.get(f"/selections/{sid}").get_data(as_text=True)
        assert field_text(overview, "sent-back") == sent_back
        assert field_text(overview, "verdict") == "More information needed"
    # The sponsor waits for the revision.
    sponsor_page = page(sponsor, sid)
    assert f'action="/selections/{sid}/recommendation/decision"' not in sponsor_page
    before = stored(dbs, sid)
    refused_with(decide(sponsor, sid, verdict="approved"), dbs, sid, before,
                 "The recommendation was sent back to the facilitator")
    # The facilitator revises it: the notice goes, and the sponsor decides again.
    assert recommend(facilitator, dbs, sid,
                     text=ADVICE + "\n\nLeaving costs 12,000 euros.").status_code == 302
    html = page(sponsor, sid)
    assert 'data-field="sent-back"' not in html
    assert f'action="/selections/{sid}/recommendation/decision"' in html
    assert decide(sponsor, sid, verdict="approved").status_code == 302


# -- sealing with care --------------------------------------------------------------------


def test_sealing_asks_why_while_the_recommended_vendor_has_an_unverified_knockout(app, dbs, sid):
    facilitator = signed_in(app, FACILITATOR)
    assert recommend(facilitator, dbs, sid, "tulip", reason="Half the price.").status_code == 302
    report = facilitator.get(f"/selections/{sid}/report").get_data(as_text=True)
    assert field_text(report, "unverified-recommended") == \
        "The recommended vendor has knock-outs without a verdict: IT-BRW-01."
    before = stored(dbs, sid)
    refused_with(facilitator.post(f"/selections/{sid}/report/final", {"language": "en"}),
                 dbs, sid, before, "The recommended vendor has knock-outs without a verdict: "
                 "record the verdicts, or write why the report is sealed anyway.")
    response = facilitator.post(f"/selections/{sid}/report/final",
                                {"language": "en", "seal_reason": "The browser test is on "
                                                                  "Monday; the board meets today."})
    assert response.status_code == 302
    with dbs.transaction(write=False) as session:
        sealed = session.scalars(select(FinalReport)).one()
        assert sealed.seal_reason.startswith("The browser test is on Monday")
        assert sealed.content_sha256 and len(sealed.content_sha256) == 64


def test_a_change_after_sealing_marks_the_report_superseded(app, dbs, sid):
    facilitator = signed_in(app, FACILITATOR)
    assert recommend(facilitator, dbs, sid).status_code == 302
    assert facilitator.post(f"/selections/{sid}/report/final",
                            {"language": "en"}).status_code == 302
    overview = facilitator.get(f"/selections/{sid}").get_data(as_text=True)
    assert 'data-field="current-sha256"' in overview
    assert "final report sealed" in text_of(overview)
    # A consensus score changes after the sealing.
    with dbs.transaction(write=False) as session:
        consensus = session.scalars(select(Consensus).where(Consensus.selection_id == sid)
                                    .order_by(Consensus.id)).first()
        target = (consensus.vendor_id, consensus.requirement_id, consensus.score,
                  consensus.version)
    vendor, requirement, score, version = target
    prefix = f"c{vendor}-{requirement}-"
    changed = facilitator.post(
        f"/selections/{sid}/scoring/consensus/vendors/{vendor}/requirements/{requirement}",
        {prefix + "score": str(0 if score else 1),
         prefix + "rationale": "Seen again at the reference visit.",
         prefix + "version": str(version), prefix + "csrf_token": facilitator.csrf})
    assert changed.status_code in (200, 302), changed.get_data(as_text=True)[-1500:]
    with dbs.transaction(write=False) as session:
        assert session.get(Consensus, consensus.id).score == (0 if score else 1)

    report = facilitator.get(f"/selections/{sid}/report").get_data(as_text=True)
    assert field_text(report, "superseded") == "Superseded"
    assert ">Current<" not in report
    since = field_text(report, "changes-since")
    assert "consensus score" in since and "changed" in since and "Fenna de Vries" in since
    assert "{" not in since and '"score"' not in since  # words, never the stored values
    overview = facilitator.get(f"/selections/{sid}").get_data(as_text=True)
    assert 'data-field="current-sha256"' not in overview
    assert "is superseded" in field_text(overview, "superseded")
    assert "final report not sealed yet" in text_of(overview)
