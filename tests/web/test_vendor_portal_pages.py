"""The committee's side of the vendor portal (issue 20): the facilitator invites a vendor
(the link shown once, only its hash stored), follows the progress without reading hidden
answers, sets the deadline, reopens, answers questions to all vendors, and exchanges the
questionnaire workbook; the owner group confirms or overrides proposed verdicts. Every
refusal leaves the database as it was."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select

from selector.models import PortalLink
from selector.models import Selection
from selector.models import Vendor
from selector.models import VendorAnswer
from selector.models import VendorQuestion
from selector.models import Verdict
from selector.models import VerdictProposal
from selector.models.base import utcnow
from selector.services import vendors
from selector.services.vendors import AnswerInput
from tests.trust.access_world import changed_tables
from tests.trust.access_world import fingerprint
from tests.web.scoring_world import BRAM
from tests.web.scoring_world import FENNA
from tests.web.scoring_world import INGRID
from tests.web.scoring_world import page_text
from tests.web.scoring_world import signed_in

SECRET = "Only Chrome <b>really</b>, no Edge"


def portal_url(world) -> str:
    return f"/selections/{world.selection}/vendors/portal"


def answer(dbs, world, code: str, compliance: str, explanation: str,
           vendor: str = "polder") -> None:
    with dbs.transaction() as session:
        selection = session.get(Selection, world.selection)
        vendors.save_answer(session, selection, session.get(Vendor, world.vendors[vendor]),
                                   world.requirements[code],
                                   AnswerInput(compliance, explanation), None,
                                   actor_name=f"vendor:{vendor}")


def answer_all(dbs, world, vendor: str = "polder") -> None:
    with dbs.transaction() as session:
        selection = session.get(Selection, world.selection)
        found = session.get(Vendor, world.vendors[vendor])
        for item in vendors.questionnaire(session, selection, found):
            vendors.save_answer(session, selection, found, item.requirement.id,
                                       AnswerInput("yes"), None, actor_name="vendor:x")


def hide_until(dbs, world, deadline) -> None:
    with dbs.transaction() as session:
        vendors.set_answers_schedule(session, session.get(Selection, world.selection), None,
                                    deadline, True)


def post(browser, world, path: str, data: dict, **kwargs):
    browser.refresh_token(portal_url(world))
    """POST to `path`, or to the portal page's `path` when it is a tail like "/schedule"."""
    full = path if path.startswith("/selections/") else f"{portal_url(world)}{path}"
    return browser.post(full, data, **kwargs)


def refused_without_change(dbs, send) -> object:
    before = fingerprint(dbs)
    response = send()
    assert not changed_tables(before, fingerprint(dbs))
    return response


# -- links ----------------------------------------------------------------------------------


def test_a_new_link_is_shown_once_and_only_its_hash_is_stored(app, dbs, world):
    fenna = signed_in(app, FENNA)
    vid = world.vendors["polder"]
    path = f"/selections/{world.selection}/vendors/{vid}/link"
    response = post(fenna, world, path, {f"link-{vid}-days": "10"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    token = re.search(r'value="http://[^"]*/portal/([A-Za-z0-9_-]{40,})"', html).group(1)
    assert "shown only this once" in html
    with dbs.transaction(write=False) as session:
        link = session.scalar(select(PortalLink).where(PortalLink.vendor_id == vid))
        assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert (link.expires_at - link.created_at) == timedelta(days=10)
    again = fenna.get(portal_url(world)).get_data(as_text=True)
    assert token not in again and not re.search(r"/portal/[A-Za-z0-9_-]{40}", again)
    assert "Link valid until" in again and "no working link" in again  # the two others
    # A new link ends the old one.
    second = post(fenna, world, path, {f"link-{vid}-days": "3"})
    assert second.status_code == 200
    with dbs.transaction(write=False) as session:
        links = session.scalars(select(PortalLink).where(PortalLink.vendor_id == vid)
                                .order_by(PortalLink.id)).all()
        assert [link.ended_at is None for link in links] == [False, True]


def test_a_link_for_a_wrong_number_of_days_is_refused_and_nothing_changes(app, dbs, world):
    fenna = signed_in(app, FENNA)
    vid = world.vendors["polder"]
    path = f"/selections/{world.selection}/vendors/{vid}/link"
    for days, message in (("0", "A link is valid for 1 to 365 days."),
                          ("366", "A link is valid for 1 to 365 days."),
                          ("ten", "Enter a whole number of days.")):
        response = refused_without_change(
            dbs, lambda d=days: post(fenna, world, path, {f"link-{vid}-days": d}))
        assert response.status_code == 422
        assert message in page_text(response)
        assert not re.search(r"/portal/[A-Za-z0-9_-]{40}", response.get_data(as_text=True))


def test_only_the_facilitator_manages_the_portal(app, dbs, world):
    vid = world.vendors["polder"]
    for email in (BRAM, INGRID):
        member = signed_in(app, email)
        assert member.get(portal_url(world)).status_code == 403
        response = refused_without_change(dbs, lambda m=member: post(
            m, world, f"/selections/{world.selection}/vendors/{vid}/link",
            {f"link-{vid}-days": "10"}))
        assert response.status_code == 403
    other = signed_in(app, FENNA).get(f"/selections/{world.selection}/vendors/987654/"
                                      "questionnaire.xlsx")
    assert other.status_code == 404


# -- progress, deadline, hidden answers -----------------------------------------------------


def test_progress_shows_counts_but_never_hidden_answers(app, dbs, world):
    answer(dbs, world, "IT-BRW-01", "no", SECRET)
    hide_until(dbs, world, utcnow() + timedelta(days=5))
    fenna = signed_in(app, FENNA)
    html = fenna.get(portal_url(world)).get_data(as_text=True)
    assert "The answers are hidden until the deadline" in html
    card = re.search(r'data-vendor="polder".*?</section>', html, re.S).group(0)
    assert re.search(r'data-field="answered">1 of \d+<', card)
    assert "Only Chrome" not in html and "Only Chrome" not in fenna.get(
        f"/selections/{world.selection}/verdicts").get_data(as_text=True)
    download = fenna.get(f"/selections/{world.selection}/vendors/{world.vendors['polder']}/"
                         "questionnaire.xlsx")
    assert download.status_code == 200
    assert b"Only Chrome" not in _sheet_text(download.data)
    # Once the deadline has passed the copy holds the answers.
    hide_until(dbs, world, utcnow() - timedelta(minutes=1))
    download = fenna.get(f"/selections/{world.selection}/vendors/{world.vendors['polder']}/"
                         "questionnaire.xlsx")
    assert b"Only Chrome" in _sheet_text(download.data)


def _sheet_text(data: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return b"".join(book.read(name) for name in book.namelist() if name.endswith(".xml"))


def test_the_deadline_and_hidden_setting_are_saved_on_the_readers_clock(app, dbs, world):
    fenna = signed_in(app, FENNA)
    response = post(fenna, world, "/schedule",
                    {"deadline": "2031-03-31T17:00", "hidden": "y"})
    assert response.status_code == 302
    with dbs.transaction(write=False) as session:
        selection = session.get(Selection, world.selection)
        assert selection.answers_hidden is True
        # Europe/Amsterdam in summer time: UTC+2.
        assert selection.answers_deadline.isoformat() == "2031-03-31T15:00:00+00:00"
    assert 'value="2031-03-31T17:00"' in fenna.get(portal_url(world)).get_data(as_text=True)
    response = refused_without_change(dbs, lambda: post(
        fenna, world, "/schedule", {"deadline": "31 maart", "hidden": "y"}))
    assert response.status_code == 422
    assert "Enter the date and time as YYYY-MM-DD HH:MM." in page_text(response)


def test_a_submitted_vendor_is_reopened_with_a_reason(app, dbs, world):
    answer_all(dbs, world)
    with dbs.transaction() as session:
        vendors.submit_answers(session, session.get(Selection, world.selection),
                              session.get(Vendor, world.vendors["polder"]))
    fenna = signed_in(app, FENNA)
    vid = world.vendors["polder"]
    path = f"/selections/{world.selection}/vendors/{vid}/reopen"
    refused = refused_without_change(dbs, lambda: post(fenna, world, path,
                                                       {f"reopen-{vid}-reason": "  "}))
    assert refused.status_code == 422
    assert "answers are reopened." in page_text(refused)
    assert post(fenna, world, path, {f"reopen-{vid}-reason": "Asked to correct IT-BRW-01"}
                ).status_code == 302
    with dbs.transaction(write=False) as session:
        assert session.get(Vendor, vid).answers_submitted_at is None
    # Not submitted (any more): refused, with why.
    again = refused_without_change(dbs, lambda: post(fenna, world, path,
                                                     {f"reopen-{vid}-reason": "Again"}))
    assert again.status_code == 422
    assert "This vendor has not submitted its answers." in page_text(again)


# -- questions ------------------------------------------------------------------------------


def test_a_waiting_question_is_answered_reworded_and_published_to_all(app, dbs, world):
    with dbs.transaction() as session:
        selection = session.get(Selection, world.selection)
        asked = vendors.ask_question(session, selection,
                                     session.get(Vendor, world.vendors["polder"]),
                                     "Polder asks: is SSO with <Azure AD> required?")
        qid = asked.id
    fenna = signed_in(app, FENNA)
    html = fenna.get(portal_url(world)).get_data(as_text=True)
    assert "is SSO with &lt;Azure AD&gt; required?" in html and "Asked by Polder" in html
    key = f"question-{qid}"
    refused = refused_without_change(dbs, lambda: post(
        fenna, world, f"/questions/{qid}", {f"{key}-question": "Is SSO required?",
                                            f"{key}-answer": ""}))
    assert refused.status_code == 422 and "Write the answer." in page_text(refused)
    missing = refused_without_change(dbs, lambda: post(
        fenna, world, "/questions/987654", {"question-987654-question": "x",
                                            "question-987654-answer": "y"}))
    assert missing.status_code == 404
    done = post(fenna, world, f"/questions/{qid}", {f"{key}-question": "Is SSO required?",
                                                    f"{key}-answer": "Yes, SAML or OIDC."})
    assert done.status_code == 302
    with dbs.transaction(write=False) as session:
        stored = session.get(VendorQuestion, qid)
        assert (stored.question, stored.answer) == ("Is SSO required?", "Yes, SAML or OIDC.")
        assert stored.published_at is not None
        assert [p.question for p in vendors.published_questions(
            session, session.get(Selection, world.selection))] == ["Is SSO required?"]


# -- the questionnaire workbook -------------------------------------------------------------


def _returned(dbs, world, vendor: str, explanation: str) -> bytes:
    """The vendor's workbook with IT-BRW-01 answered "no"."""
    from openpyxl import load_workbook

    with dbs.transaction(write=False) as session:
        data = vendors.questionnaire_workbook(session, session.get(Selection, world.selection),
                                      session.get(Vendor, world.vendors[vendor]))
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    keys = {cell.value: cell.column for cell in sheet[vendors.KEY_ROW]}
    for row in sheet.iter_rows(min_row=vendors.KEY_ROW + 1):
        if row[keys["code"] - 1].value == "IT-BRW-01":
            row[keys["compliance"] - 1].value = "No"
            row[keys["explanation"] - 1].value = explanation
            row[keys["explanation"] - 1].data_type = "s"  # typed as text, never a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(browser, world, vendor_id: int, data: bytes, name: str = "answers.xlsx"):
    browser.refresh_token(portal_url(world))
    return browser.post(
        f"/selections/{world.selection}/vendors/{vendor_id}/questionnaire",
        {f"returned-{vendor_id}-file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


def _answers(dbs) -> int:
    with dbs.transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(VendorAnswer))


def test_a_returned_questionnaire_is_read_for_its_vendor(app, dbs, world):
    fenna = signed_in(app, FENNA)
    vid = world.vendors["polder"]
    download = fenna.get(f"/selections/{world.selection}/vendors/{vid}/questionnaire.xlsx")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    response = upload(fenna, world, vid, _returned(dbs, world, "polder", "=HYPERLINK(\"x\")"))
    assert response.status_code == 302, page_text(response)[:2000]
    with dbs.transaction(write=False) as session:
        stored = session.scalar(select(VendorAnswer).where(VendorAnswer.vendor_id == vid))
        assert (stored.compliance, stored.explanation) == ("no", '=HYPERLINK("x")')
    assert "New answers: 1; changed: 0;" in page_text(fenna.get(portal_url(world)))


def test_a_returned_file_for_another_vendor_or_with_problems_writes_nothing(app, dbs, world):
    fenna = signed_in(app, FENNA)
    vid = world.vendors["polder"]
    wrong = _returned(dbs, world, "northwind", "Only Chrome.")
    response = refused_without_change(dbs, lambda: upload(fenna, world, vid, wrong))
    assert response.status_code == 422
    assert "This questionnaire was written for another vendor." in page_text(response)
    empty = _returned(dbs, world, "polder", "")  # "no" needs an explanation
    response = refused_without_change(dbs, lambda: upload(fenna, world, vid, empty))
    assert response.status_code == 422 and "IT-BRW-01" in page_text(response)
    response = refused_without_change(dbs, lambda: upload(fenna, world, vid, b"not a workbook",
                                                          "answers.csv"))
    assert response.status_code == 422
    assert "Return the questionnaire as the .xlsx workbook" in page_text(response)
    assert _answers(dbs) == 0


# -- proposed verdicts ----------------------------------------------------------------------


def _proposal(dbs, world) -> int:
    answer(dbs, world, "IT-BRW-01", "no", SECRET)
    with dbs.transaction(write=False) as session:
        return session.scalar(select(VerdictProposal.id))


def verdicts_url(world) -> str:
    return f"/selections/{world.selection}/verdicts"


def test_the_owner_group_confirms_a_proposed_verdict(app, dbs, world):
    pid = _proposal(dbs, world)
    ingrid = signed_in(app, INGRID)
    html = ingrid.get(verdicts_url(world)).get_data(as_text=True)
    assert "Proposed from the vendors" in html
    assert "Only Chrome &lt;b&gt;really&lt;/b&gt;" in html  # escaped
    bram = signed_in(app, BRAM)  # business: not the knock-out's owner group
    assert "Confirm: the vendor fails" not in bram.get(verdicts_url(world)).get_data(
        as_text=True)
    bram.refresh_token(verdicts_url(world))
    refused = refused_without_change(dbs, lambda: bram.post(
        f"{verdicts_url(world)}/proposals/{pid}/confirm", {}))
    assert refused.status_code == 422
    assert "Only the facilitator and the members of the knock-out" in page_text(refused)
    ingrid.refresh_token(verdicts_url(world))
    assert ingrid.post(f"{verdicts_url(world)}/proposals/{pid}/confirm", {}).status_code == 302
    with dbs.transaction(write=False) as session:
        verdict = session.scalar(select(Verdict))
        assert (verdict.vendor_id, verdict.passed) == (world.vendors["polder"], False)
        assert "Only Chrome" in verdict.evidence
        assert session.get(VerdictProposal, pid).state == "confirmed"


def test_the_owner_group_overrides_a_proposal_with_a_reason(app, dbs, world):
    pid = _proposal(dbs, world)
    ingrid = signed_in(app, INGRID)
    ingrid.refresh_token(verdicts_url(world))
    path = f"{verdicts_url(world)}/proposals/{pid}/override"
    key = f"proposal-{pid}"
    refused = refused_without_change(dbs, lambda: ingrid.post(path, {f"{key}-reason": " "}))
    assert refused.status_code == 422
    assert "Say why the answer does not make the vendor fail this knock-out." in page_text(
        refused)
    assert ingrid.post(path, {f"{key}-reason": "Edge works via their PWA."}).status_code == 302
    with dbs.transaction(write=False) as session:
        proposal = session.get(VerdictProposal, pid)
        assert (proposal.state, proposal.reason) == ("overridden", "Edge works via their PWA.")
        assert session.scalar(select(func.count()).select_from(Verdict)) == 0
    missing = refused_without_change(dbs, lambda: ingrid.post(
        f"{verdicts_url(world)}/proposals/987654/override", {"proposal-987654-reason": "x"}))
    assert missing.status_code == 404


def test_hidden_proposals_are_not_shown_and_cannot_be_decided(app, dbs, world):
    pid = _proposal(dbs, world)
    hide_until(dbs, world, utcnow() + timedelta(days=5))
    ingrid = signed_in(app, INGRID)
    html = ingrid.get(verdicts_url(world)).get_data(as_text=True)
    assert "Only Chrome" not in html
    assert "show once the deadline for the answers has passed" in html
    ingrid.refresh_token(verdicts_url(world))
    refused = refused_without_change(dbs, lambda: ingrid.post(
        f"{verdicts_url(world)}/proposals/{pid}/confirm", {}))
    assert refused.status_code == 404


def test_a_withdrawn_vendor_gets_no_link_and_the_page_says_why(app, dbs, world):
    from selector.services import vendors

    vid = world.vendors["polder"]
    with dbs.transaction() as session:
        vendors.set_withdrawn(session, session.get(Selection, world.selection), None, vid,
                              True, "Left the tender.")
    fenna = signed_in(app, FENNA)
    for path, data in (("link", {f"link-{vid}-days": "-1"}),
                       ("reopen", {f"reopen-{vid}-reason": "x"})):
        response = refused_without_change(dbs, lambda p=path, d=data: post(
            fenna, world, f"/selections/{world.selection}/vendors/{vid}/{p}", d))
        assert response.status_code == 409
        assert "This vendor has been withdrawn: it takes no part in the vendor portal." in (
            page_text(response))
