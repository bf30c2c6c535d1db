"""The vendor portal's pages (issue 20): one vendor's questionnaire through its link,
in the selection's language, with nothing of the rest of the app."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from selector.models import AnswerDocument
from selector.models import PortalLink
from selector.models import Selection
from selector.models import Vendor
from selector.models import VendorAnswer
from selector.models import VendorQuestion
from selector.models.base import utcnow
from selector.services import logins
from selector.services import vendors
from tests.scoring.conftest import build_scoring_selection
from tests.vendors.conftest import IT_ANSWERS
from tests.vendors.conftest import PDF
from tests.web.conftest import Browser

HOSTILE = '<script>alert("x")</script> =HYPERLINK("http://evil") +31 20 @sum'


@pytest.fixture
def ids(dbs, example_doc):
    return build_scoring_selection(dbs, {**example_doc, "it_answers": IT_ANSWERS})


def issue(dbs, ids, key: str = "northwind", days: int = 14) -> str:
    with dbs.transaction() as session:
        selection = session.get(Selection, ids.selection)
        return vendors.issue_link(session, selection, None, ids.vendors[key], days).token


class Vendor_:
    """A vendor's browser on its portal: its CSRF token from the portal's own page."""

    def __init__(self, app, token: str):
        self.browser = Browser(app)
        self.base = f"/portal/{token}"
        self.browser.refresh_token(self.base + "/")

    def get(self, path: str = "/"):
        return self.browser.get(self.base + path)

    def post(self, path: str, data: dict, **kwargs):
        return self.browser.post(self.base + path, data, **kwargs)

    def answer(self, requirement_id: int, compliance: str = "yes", explanation: str = "",
               **extra):
        prefix = f"r{requirement_id}-"
        data = {prefix + "compliance": compliance, prefix + "explanation": explanation,
                **{prefix + k: v for k, v in extra.items()}}
        return self.post(f"/answers/{requirement_id}", data)


def names(dbs, ids) -> dict[str, str]:
    with dbs.transaction(write=False) as session:
        return {key: session.get(Vendor, vid).name for key, vid in ids.vendors.items()}


def stored_answer(dbs, ids, code: str, key: str = "northwind") -> VendorAnswer | None:
    with dbs.transaction(write=False) as session:
        answer = session.scalar(select(VendorAnswer).where(
            VendorAnswer.vendor_id == ids.vendors[key],
            VendorAnswer.requirement_id == ids.requirements[code]))
        if answer is not None:
            session.expunge(answer)
        return answer


def test_a_link_shows_its_own_vendors_questionnaire_only(app, dbs, ids):
    token = issue(dbs, ids)
    page = Vendor_(app, token).get()
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    vendor_names = names(dbs, ids)
    assert vendor_names["northwind"] in text
    for key, name in vendor_names.items():
        if key != "northwind":
            assert name not in text, name
    # The knock-outs come first, and no way leads into the rest of the app.
    codes = re.findall(r'class="portal-item__code">([^<]+)<', text)
    assert codes[:2] == ["IT-BRW-01", "IT-HST-01"] or set(codes[:2]) == {"IT-BRW-01",
                                                                           "IT-HST-01"}
    assert "/selections" not in text and "/login" not in text and "/account" not in text
    assert 'class="mainnav"' in text and "Fenna" not in text


def test_the_portal_speaks_the_selections_language(app, dbs, ids):
    with dbs.transaction() as session:
        session.get(Selection, ids.selection).language = "nl"
    page = Vendor_(app, issue(dbs, ids)).get()
    text = page.get_data(as_text=True)
    # The compliance words come from the questionnaire's own language pairs.
    assert 'lang="nl"' in text and "Gedeeltelijk" in text and "Via een derde partij" in text
    assert "Direct naar de inhoud" in text


@pytest.mark.parametrize("case", ["altered", "expired", "replaced", "empty-ish"])
def test_a_token_that_does_not_work_is_404_everywhere(app, dbs, ids, case):
    token = issue(dbs, ids)
    if case == "altered":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    elif case == "expired":
        with dbs.transaction() as session:
            for link in session.scalars(select(PortalLink)):
                link.expires_at = utcnow()
    elif case == "replaced":
        issue(dbs, ids)
    else:
        token = "x"
    client = app.test_client()
    for path in ("/", "/costs", "/questions", "/questionnaire.xlsx"):
        response = client.get(f"/portal/{token}{path}")
        assert response.status_code == 404, (case, path)
        text = response.get_data(as_text=True)
        assert "This link does not work" in text and "/login" not in text
    assert client.post(f"/portal/{token}/submit").status_code in (400, 404)


def test_lookups_that_keep_failing_wait_with_retry_after(app, dbs, ids):
    client = app.test_client()
    free = logins.ADDRESS_DELAYS.free
    statuses = [client.get(f"/portal/wrong{n}/").status_code for n in range(free)]
    assert set(statuses) == {404}
    refused = client.get("/portal/wrong/")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


def test_save_submit_and_lock(app, dbs, ids):
    vendor = Vendor_(app, issue(dbs, ids))
    wish = ids.requirements["IT-BCK-01"]
    refused = vendor.answer(wish, "partly", "")
    assert refused.status_code == 422
    assert "an explanation is required unless the answer is yes" in refused.get_data(
        as_text=True)
    assert stored_answer(dbs, ids, "IT-BCK-01") is None
    saved = vendor.answer(wish, "partly", HOSTILE)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    assert stored_answer(dbs, ids, "IT-BCK-01").explanation == HOSTILE
    page = vendor.get().get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    # Submitting with answers missing: refused with the count.
    total = page.count('class="portal-item__code"')
    refused = vendor.post("/submit", {})
    assert refused.status_code == 409
    assert f"{total - 1} still without an answer" in refused.get_data(as_text=True)
    for code, rid in ids.requirements.items():
        if rid != wish and stored_answer(dbs, ids, code) is None:
            vendor.answer(rid, "yes")
    assert vendor.post("/submit", {}).status_code == 302
    locked = vendor.get().get_data(as_text=True)
    assert "Submitted on" in locked and "Save this answer" not in locked
    assert "&lt;script&gt;alert" in locked
    assert vendor.answer(wish, "yes").status_code == 422
    assert stored_answer(dbs, ids, "IT-BCK-01").compliance == "partly"


def test_a_structured_it_answer_is_asked_in_its_own_fields(app, dbs, ids):
    vendor = Vendor_(app, issue(dbs, ids))
    rpo = ids.requirements["IT-BCK-01"]
    page = vendor.get().get_data(as_text=True)
    assert f'name="r{rpo}-s-hours"' in page
    saved = vendor.answer(rpo, "yes", **{"s-hours": "48"})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    assert '"hours": 48' in stored_answer(dbs, ids, "IT-BCK-01").structured
    refused = vendor.answer(rpo, "yes", **{"s-hours": "many"})
    assert refused.status_code == 422


# Removing a document deleted its link row twice (a warning, and a lie about the rows).
@pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")
def test_evidence_is_checked_by_content_and_removed(app, dbs, ids):
    vendor = Vendor_(app, issue(dbs, ids))
    rid = ids.requirements["IT-BCK-01"]
    vendor.answer(rid, "yes")
    path = f"/answers/{rid}/documents"
    refused = vendor.post(path, {"document": (io.BytesIO(b"MZ\x90\x00 not a pdf"),
                                              "evidence.pdf")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422
    with dbs.transaction(write=False) as session:
        assert session.scalar(select(AnswerDocument.id)) is None
    added = vendor.post(path, {"document": (io.BytesIO(PDF), "iso.pdf")},
                        content_type="multipart/form-data")
    assert added.status_code == 302
    with dbs.transaction(write=False) as session:
        attachment_id = session.scalar(select(AnswerDocument.attachment_id))
    assert "iso.pdf" in vendor.get().get_data(as_text=True)
    assert vendor.post(f"/documents/{attachment_id}/remove", {}).status_code == 302
    with dbs.transaction(write=False) as session:
        assert session.scalar(select(AnswerDocument.id)) is None


def test_another_vendors_document_cannot_be_removed(app, dbs, ids):
    mine = Vendor_(app, issue(dbs, ids))
    rid = ids.requirements["IT-BCK-01"]
    mine.answer(rid, "yes")
    mine.post(f"/answers/{rid}/documents", {"document": (io.BytesIO(PDF), "iso.pdf")},
              content_type="multipart/form-data")
    with dbs.transaction(write=False) as session:
        attachment_id = session.scalar(select(AnswerDocument.attachment_id))
    other_key = next(k for k in ids.vendors if k != "northwind")
    other = Vendor_(app, issue(dbs, ids, other_key))
    assert other.post(f"/documents/{attachment_id}/remove", {}).status_code == 404
    with dbs.transaction(write=False) as session:
        assert session.scalar(select(AnswerDocument.id)) is not None


def test_costs_are_saved_with_their_tco(app, dbs, ids):
    vendor = Vendor_(app, issue(dbs, ids))
    refused = vendor.post("/costs", {"licence_per_year": "1000"})
    assert refused.status_code == 422
    saved = vendor.post("/costs", {"licence_per_year": "1000", "implementation": "5000",
                                   "hosting_support_per_year": "500", "contract_years": "3"})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    with dbs.transaction(write=False) as session:
        stored = session.get(Vendor, ids.vendors["northwind"])
        assert stored.licence_per_year == 1000 and stored.tco == 5000 + 5 * 1500
    assert "12,500" in vendor.get("/costs").get_data(as_text=True)


def test_questions_show_own_waiting_and_every_published_answer_never_the_asker(app, dbs,
                                                                               ids):
    mine = Vendor_(app, issue(dbs, ids))
    other_key = next(k for k in ids.vendors if k != "northwind")
    other = Vendor_(app, issue(dbs, ids, other_key))
    assert mine.post("/questions", {"question": ""}).status_code == 422
    assert mine.post("/questions", {"question": "Is <b>SSO</b> required?"}).status_code == 302
    assert "Is &lt;b&gt;SSO&lt;/b&gt; required?" in mine.get("/questions").get_data(
        as_text=True)
    assert "SSO" not in other.get("/questions").get_data(as_text=True)
    with dbs.transaction() as session:
        asked = session.scalar(select(VendorQuestion))
        vendors.publish_answer(session, session.get(Selection, ids.selection), None,
                                 asked.id, "Yes, SAML or OIDC.")
    for browser in (mine, other):
        text = browser.get("/questions").get_data(as_text=True)
        assert "Yes, SAML or OIDC." in text
        assert names(dbs, ids)["northwind"] not in text.split("Published answers")[1]


def _filled(content: bytes, code: str, compliance: str, explanation: str) -> bytes:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    keys = {cell.value: cell.column for cell in sheet[3]}
    for row in sheet.iter_rows(min_row=4):
        if row[keys["code"] - 1].value == code:
            row[keys["compliance"] - 1].value = compliance
            cell = row[keys["explanation"] - 1]
            cell.value, cell.data_type = explanation, "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_workbook_round_trip_through_the_portal(app, dbs, ids):
    vendor = Vendor_(app, issue(dbs, ids))
    downloaded = vendor.get("/questionnaire.xlsx")
    assert downloaded.status_code == 200 and downloaded.data[:2] == b"PK"
    hostile = '=HYPERLINK("http://evil","x") +31 20 <script>'
    filled = _filled(downloaded.data, "IT-BCK-01", "Partly", hostile)
    # A problem (an explanation missing) refuses the whole file and names the row.
    broken = _filled(filled, "IT-HST-01", "No", "")
    refused = vendor.post("/questionnaire", {"file": (io.BytesIO(broken), "q.xlsx")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "IT-HST-01" in refused.get_data(as_text=True)
    assert stored_answer(dbs, ids, "IT-BCK-01") is None
    done = vendor.post("/questionnaire", {"file": (io.BytesIO(filled), "q.xlsx")},
                       content_type="multipart/form-data")
    assert done.status_code == 302, done.get_data(as_text=True)[:3000]
    assert stored_answer(dbs, ids, "IT-BCK-01").explanation == hostile
    # Another vendor's link refuses this vendor's file.
    other_key = next(k for k in ids.vendors if k != "northwind")
    other = Vendor_(app, issue(dbs, ids, other_key))
    wrong = other.post("/questionnaire", {"file": (io.BytesIO(filled), "q.xlsx")},
                       content_type="multipart/form-data")
    assert wrong.status_code == 422
    assert "written for another vendor" in wrong.get_data(as_text=True)
    assert stored_answer(dbs, ids, "IT-BCK-01", other_key) is None
