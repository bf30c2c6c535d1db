"""The report page and its PDFs on the worked example (English) and the Dutch demo: the
preview argues the same choice as the PDF, in the selection's language; everyone may
read and download; only the facilitator seals a final report, which stays byte for
byte what it was; blind scoring holds until scoring closes; user text is escaped."""

from __future__ import annotations

import hashlib
import io
import json
import re
from html import unescape
from pathlib import Path

import pytest
from flask_babel import force_locale
from flask_babel import format_datetime
from pypdf import PdfReader
from sqlalchemy import func
from sqlalchemy import select

from selector.models import AuditEntry
from selector.models import FinalReport
from selector.models import Score
from selector.models import Selection
from tests.analysis.support import BUSINESS
from tests.analysis.support import FACILITATOR
from tests.analysis.support import LEVEL_NOW
from tests.analysis.support import NEAR_ONE_FLIP
from tests.analysis.support import SPONSOR
from tests.analysis.support import import_example
from tests.analysis.support import two_vendor_doc
from tests.analysis.support import value
from tests.web.conftest import Browser
from tests.web.conftest import make_account
from tests.web.conftest import signed_in

ROOT = Path(__file__).resolve().parents[2]
DUTCH_DEMO = ROOT / "seed" / "demo" / "demo.nl.json"
BROWSER_CHECK = "IT-BRW-01"

# What the report says, per language of the selection.
EXPECTED = {
    "en": {
        "recommends": "The selection committee recommends",
        "excluded": "PolderSuite is excluded because it failed knock-out IT-BRW-01 (Works in "
                    "the two latest versions of Edge, Chrome and Firefox): “Requires IE mode "
                    "for the planning module.”",
        "unverified": "Tulip Cloud CRM: knock-out IT-BRW-01 (Works in the two latest versions "
                      "of Edge, Chrome and Firefox) has not been verified yet.",
        "disagree": "Business and IT disagree on the winner",
        "unverified_cell": "? unverified",
        "pdf_winner": "The selection committee recommends Northwind CRM",
    },
    "nl": {
        "recommends": "De selectiecommissie beveelt aan",
        "excluded": "PolderSuite is uitgesloten: de leverancier voldoet niet aan knock-out "
                    "IT-BRW-01 (Werkt in de twee nieuwste versies van Edge, Chrome en Firefox): "
                    "“Op de beheerde werkplekimage laadt de planningsmodule niet zonder IE-modus",
        "unverified": "Tulip Cloud CRM: knock-out IT-BRW-01 (Werkt in de twee nieuwste versies "
                      "van Edge, Chrome en Firefox) is nog niet geverifieerd.",
        "disagree": "Business en IT verschillen van mening over de winnaar",
        "unverified_cell": "? niet geverifieerd",
        "pdf_winner": "De selectiecommissie beveelt aan Northwind CRM",
    },
}


@pytest.fixture
def dutch_sid(dbs):
    return import_example(dbs, json.loads(DUTCH_DEMO.read_text(encoding="utf-8")))


def report_page(browser: Browser, sid: int, status: int = 200) -> str:
    response = browser.get(f"/selections/{sid}/report")
    assert response.status_code == status, response.get_data(as_text=True)[-2000:]
    return response.get_data(as_text=True)


def text_of(html: str) -> str:
    """What a reader sees: tags dropped, entities resolved, white space collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
                    .split())


def engine_weights(dbs, sid: int) -> dict[str, float]:
    from tests.analysis.support import engine_ranking

    return engine_ranking(dbs, sid)["category_weights"]


def category_names(dbs, sid: int) -> dict[str, str]:
    from selector.models import Category

    with dbs.transaction(write=False) as session:
        return dict(session.execute(
            select(Category.key, Category.name).where(Category.selection_id == sid)).all())


def set_phase(dbs, sid: int, phase: str, sees_all: bool | None = None) -> None:
    with dbs.transaction() as session:
        selection = session.get(Selection, sid)
        selection.phase = phase
        if sees_all is not None:
            selection.facilitator_sees_all = sees_all


def final_rows(dbs, sid: int) -> list[tuple[int, str, bytes]]:
    with dbs.transaction(write=False) as session:
        rows = session.scalars(select(FinalReport).where(FinalReport.selection_id == sid)
                               .order_by(FinalReport.id)).all()
        return [(r.id, r.sha256, bytes(r.pdf)) for r in rows]


# --------------------------------------------------------------------------- the preview


@pytest.mark.parametrize(("selection", "reader"), [("en", "en"), ("en", "nl"),
                                                   ("nl", "nl"), ("nl", "en")])
def test_the_preview_argues_the_choice_in_the_selections_language(
        app, dbs, example_doc, selection, reader):
    doc = example_doc if selection == "en" else json.loads(DUTCH_DEMO.read_text("utf-8"))
    sid = import_example(dbs, doc)
    html = report_page(signed_in(app, SPONSOR, reader), sid)
    text = text_of(html)
    expected = EXPECTED[selection]

    # The content is in the selection's language, the page around it in the reader's.
    assert f'<article class="report" lang="{selection}"' in html
    assert f'<html lang="{reader}">' in html
    assert ("PDF downloaden" if reader == "nl" else "Download PDF") in text
    assert value(html, "winner") == "Northwind CRM"
    assert value(html, "recommended") == "Northwind CRM"
    assert f"{expected['recommends']} Northwind CRM" in text
    assert expected["excluded"] in text
    assert expected["unverified"] in text
    assert expected["disagree"] in text
    assert value(html, "verdict", vendor="tulip", requirement=BROWSER_CHECK) == \
        expected["unverified_cell"]
    assert value(html, "rank", vendor="polder") == "3"

    # Every category with the weight the ranking uses, formatted in the report's language.
    weights = engine_weights(dbs, sid)
    names = category_names(dbs, sid)
    assert len(weights) == 10
    for key, weight in weights.items():
        assert value(html, "category", category=key) == names[key]
        shown = f"{100 * weight:.1f}%"
        assert value(html, "weight", category=key) == (
            shown.replace(".", ",") if selection == "nl" else shown)
    # The charts are the report's chart models as accessible SVG, in its language.
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 4
    assert ("PolderSuite (excluded)" if selection == "en" else "PolderSuite (uitgesloten)") in html


def test_the_preview_shows_the_same_report_data_as_the_pdf(app, dbs, example_sid):
    from selector.services.reports import selection_report
    from selector.web.reports import report_data

    with dbs.transaction(write=False) as session:
        drawn = selection_report(session, example_sid).report
        shown = report_data(session, session.get(Selection, example_sid))
    assert shown == drawn


def test_a_dutch_reader_sees_the_dutch_page_around_an_english_report(app, dbs, example_sid):
    html = report_page(signed_in(app, BUSINESS, "nl"), example_sid)
    text = text_of(html)
    assert "Selectierapport" in text and "Eindrapporten" in text
    assert "Executive summary" in text and "The argument" in text  # the report: English
    assert "Managementsamenvatting" not in text


# --------------------------------------------------------------------------- the PDF


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_sponsor_downloads_the_pdf(app, dbs, example_doc, language):
    doc = example_doc if language == "en" else json.loads(DUTCH_DEMO.read_text("utf-8"))
    sid = import_example(dbs, doc)
    response = signed_in(app, SPONSOR).get(f"/selections/{sid}/report/draft.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    slug = "crm-selection-gemeente-voorbeeld-2026" if language == "en" else \
        "crm-selectie-gemeente-voorbeeld-2026"
    assert re.fullmatch(rf"attachment; filename={slug}-draft-\d{{4}}-\d\d-\d\d\.pdf",
                        disposition), disposition
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert EXPECTED[language]["pdf_winner"] in text
    assert ("Draft – not yet final" if language == "en" else "Concept") in text


# --------------------------------------------------------------------------- who may


def test_a_sponsor_reads_and_downloads_but_cannot_issue(app, dbs, example_sid):
    sponsor = signed_in(app, SPONSOR)
    html = report_page(sponsor, example_sid)
    assert "Issue the final report" not in html
    assert sponsor.post(f"/selections/{example_sid}/report/final",
                        {"language": "en"}).status_code == 403
    business = signed_in(app, BUSINESS)
    assert business.post(f"/selections/{example_sid}/report/final",
                         {"language": "en"}).status_code == 403
    assert final_rows(dbs, example_sid) == []


def test_someone_outside_the_selection_gets_404(app, dbs, example_sid):
    from selector.services import selections
    from selector.services.reports import issue_final_report

    with dbs.transaction() as session:
        outsider = make_account(session, "otto@example.org", "Otto Buiten")
        other = selections.create_selection(session, outsider, name="Otto's own").id
        issue_final_report(session, example_sid, None, "en")
    report_id = final_rows(dbs, example_sid)[0][0]
    browser = signed_in(app, "otto@example.org")
    for path in ("", "/draft.pdf", f"/final/{report_id}.pdf"):
        assert browser.get(f"/selections/{example_sid}/report{path}").status_code == 404, path
    assert browser.post(f"/selections/{example_sid}/report/final",
                        {"language": "en"}).status_code == 404
    # A final report of another selection, asked for through one's own: 404 as well.
    assert browser.get(f"/selections/{other}/report/final/{report_id}.pdf").status_code == 404
    assert browser.get(f"/selections/{other}/report/final/999.pdf").status_code == 404


# --------------------------------------------------------------------------- blind scoring


def test_before_scoring_closes_the_report_is_not_shown(app, dbs, example_sid):
    set_phase(dbs, example_sid, "scoring")
    for email in (SPONSOR, BUSINESS, FACILITATOR):  # "see everything" is off
        browser = signed_in(app, email)
        html = report_page(browser, example_sid)
        text = text_of(html)
        assert "Available when scoring is closed" in text
        for secret in ("Northwind CRM", "Tulip Cloud CRM", "70.9", "99.3%", "%PDF"):
            assert secret not in text, (email, secret)
        assert 'class="report"' not in html and "<svg xmlns" not in html
        refused = browser.get(f"/selections/{example_sid}/report/draft.pdf")
        assert refused.status_code == 409
        assert refused.mimetype == "text/html"
        assert "Available when scoring is closed" in text_of(refused.get_data(as_text=True))
        assert "Northwind CRM" not in refused.get_data(as_text=True)
    # Issuing needs the decision phase.
    assert signed_in(app, FACILITATOR).post(
        f"/selections/{example_sid}/report/final", {"language": "en"}).status_code == 403
    assert final_rows(dbs, example_sid) == []


def test_a_facilitator_who_sees_everything_previews_before_the_close(app, dbs, example_sid):
    set_phase(dbs, example_sid, "scoring", sees_all=True)
    html = report_page(signed_in(app, FACILITATOR), example_sid)
    assert value(html, "winner") == "Northwind CRM"
    assert "The final report can be issued in the decision phase" in text_of(html)
    assert f'action="/selections/{example_sid}/report/final"' not in html
    sponsor = signed_in(app, SPONSOR)  # the others still see nothing
    assert "Northwind CRM" not in text_of(report_page(sponsor, example_sid))


def test_the_dutch_blind_notice(app, dbs, example_sid):
    set_phase(dbs, example_sid, "weighting")
    text = text_of(report_page(signed_in(app, SPONSOR, "nl"), example_sid))
    assert "Beschikbaar zodra het scoren is gesloten" in text


# --------------------------------------------------------------------------- final reports


def test_a_sealed_final_report_never_changes(app, dbs, example_sid):
    facilitator = signed_in(app, FACILITATOR)
    html = report_page(facilitator, example_sid)
    assert "No final report has been issued yet." in text_of(html)
    assert "Issue the final report" in html

    response = facilitator.post(f"/selections/{example_sid}/report/final", {"language": "en"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/selections/{example_sid}/report#final-reports")
    [(first_id, first_sha, stored)] = final_rows(dbs, example_sid)
    assert hashlib.sha256(stored).hexdigest() == first_sha
    with dbs.transaction(write=False) as session:
        audited = session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.selection_id == example_sid, AuditEntry.entity == "final_report",
            AuditEntry.action == "issue"))
    assert audited == 1
    after = report_page(facilitator, example_sid)
    assert first_sha in text_of(after)  # the flash names the fingerprint

    # A later change to the scores does not touch the sealed PDF...
    with dbs.transaction() as session:
        score = session.scalars(select(Score).where(Score.selection_id == example_sid)
                                .order_by(Score.id)).first()
        score.score = 0 if score.score else 5
    sponsor = signed_in(app, SPONSOR)
    download = sponsor.get(f"/selections/{example_sid}/report/final/{first_id}.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.get_data() == stored  # byte for byte
    assert hashlib.sha256(download.get_data()).hexdigest() == first_sha
    assert re.fullmatch(
        rf"attachment; filename=crm-selection-gemeente-voorbeeld-2026-final-"
        rf"\d{{4}}-\d\d-\d\d-{first_sha[:12]}\.pdf", download.headers["Content-Disposition"])
    text = pdf_text(download.get_data())
    assert "Final report" in text and "The selection committee recommends Northwind CRM" in text

    # ...while the draft follows the change.
    draft = sponsor.get(f"/selections/{example_sid}/report/draft.pdf").get_data()
    assert hashlib.sha256(draft).hexdigest() != first_sha

    # A new final report becomes the current one; the first stays as it was.
    assert facilitator.post(f"/selections/{example_sid}/report/final",
                            {"language": "nl"}).status_code == 302
    rows = final_rows(dbs, example_sid)
    assert [r[0] for r in rows][0] == first_id and rows[0][2] == stored
    second_id, second_sha, _ = rows[1]
    assert sponsor.get(f"/selections/{example_sid}/report/final/{first_id}.pdf").get_data() \
        == stored

    page = report_page(sponsor, example_sid)
    listed = re.findall(r'<li class="([^"]+)" data-report="(\d+)">', page)
    assert listed == [("sealed sealed--current", str(second_id)), ("sealed", str(first_id))]
    newest, older = page.split(f'data-report="{first_id}"')
    assert "Current" in text_of(newest.split(f'data-report="{second_id}"')[1])
    assert second_sha in newest and "Replaced" in text_of(older) and first_sha in older

    overview = sponsor.get(f"/selections/{example_sid}").get_data(as_text=True)
    assert value(overview, "current-sha256") == second_sha
    with dbs.transaction(write=False) as session:
        issued = session.get(FinalReport, second_id).issued_at
    with app.test_request_context(), force_locale("en"):
        date = " ".join(format_datetime(issued, "medium").split())
    assert f"The current final report was issued on {date}." in text_of(overview)
    assert f"/selections/{example_sid}/report/final/{second_id}.pdf" in overview


def test_the_overview_says_when_there_is_no_final_report(app, dbs, example_sid):
    overview = signed_in(app, SPONSOR, "nl").get(f"/selections/{example_sid}")
    assert "Er is nog geen eindrapport uitgebracht." in text_of(
        overview.get_data(as_text=True))


def test_a_sealed_report_stays_closed_to_readers_before_scoring_closes(app, dbs, example_sid):
    from selector.services.reports import issue_final_report

    with dbs.transaction() as session:
        issue_final_report(session, example_sid, None, "en")
    report_id = final_rows(dbs, example_sid)[0][0]
    set_phase(dbs, example_sid, "scoring")  # only possible behind the app's back
    refused = signed_in(app, SPONSOR).get(f"/selections/{example_sid}/report/final/{report_id}.pdf")
    assert refused.status_code == 409 and refused.mimetype == "text/html"


def test_issuing_names_what_is_wrong(app, dbs, example_sid):
    facilitator = signed_in(app, FACILITATOR, "nl")
    response = facilitator.post(f"/selections/{example_sid}/report/final", {"language": "de"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="field__error"' in html
    assert final_rows(dbs, example_sid) == []
    missing_token = facilitator.post(f"/selections/{example_sid}/report/final",
                                     {"language": "en"}, token=False)
    assert missing_token.status_code == 400
    assert final_rows(dbs, example_sid) == []


def test_service_messages_reach_the_reader_in_their_language(app):
    from selector.services.errors import ServiceError
    from selector.web.reports import user_error

    with app.test_request_context(), force_locale("nl"):
        refused = user_error(ServiceError("Only the facilitator can issue the final report."))
        assert str(refused.message) == \
            "Alleen de facilitator kan het eindrapport uitbrengen."


def test_a_selection_the_method_refuses_explains_itself(app, dbs, example_sid):
    from selector.models import Category
    from selector.models import FinalWeight

    with dbs.transaction() as session:  # final weights of 0 points: nothing can be ranked
        for category in session.scalars(select(Category).where(
                Category.selection_id == example_sid)):
            session.add(FinalWeight(selection_id=example_sid, category_id=category.id,
                                    points=0.0))
    sponsor = signed_in(app, SPONSOR)
    text = text_of(report_page(sponsor, example_sid))
    assert "The report cannot be made yet" in text
    assert ("The ranking cannot be computed: the final weights give the active categories "
            "0 points in total; set them again") in text
    assert "Northwind CRM" not in text
    refused = sponsor.get(f"/selections/{example_sid}/report/draft.pdf")
    assert refused.status_code == 409
    assert "set them again" in refused.get_data(as_text=True)


# --------------------------------------------------------------------------- escaping


HOSTILE = '<script>alert("x")</script> <b>R&D</b> \'quoted\' "/../etc/passwd'


def test_a_flip_point_at_100_percent_is_no_flip_point(app, dbs, example_doc):
    """Issue 21, item 11: the report said "rises above 100%" for a flip point that
    rounding had put at 1 - 2e-16 (method.md 1.1, section 8: none within 1e-9 of 1)."""
    sid = import_example(dbs, two_vendor_doc(example_doc, *NEAR_ONE_FLIP))
    browser = signed_in(app, SPONSOR)
    text = text_of(report_page(browser, sid))
    assert "Alpha CRM" in text
    assert "rises above" not in text and "falls below" not in text
    assert "No change in the weight of a single category makes another vendor win." in text
    pdf = browser.get(f"/selections/{sid}/report/draft.pdf")
    assert pdf.status_code == 200
    assert "rises above" not in pdf_text(pdf.data)


def test_the_report_and_the_pages_state_the_same_flip_points(app, dbs, example_doc):
    """Level with the winner now, Beta comes first when x falls below 50% or y rises
    above it: the report says so as the sensitivity page does (both said "rises")."""
    sid = import_example(dbs, two_vendor_doc(example_doc, *LEVEL_NOW))
    browser = signed_in(app, SPONSOR)
    text = text_of(report_page(browser, sid))
    falls = ("Alpha CRM stays first unless the weight of Sales & leads falls below 50.0% "
             "(now 50.0%); then Beta CRM comes first.")
    rises = ("Alpha CRM stays first unless the weight of Back-up & recovery rises above "
             "50.0% (now 50.0%); then Beta CRM comes first.")
    assert falls in text and rises in text
    page = browser.get(f"/selections/{sid}/analysis/sensitivity").get_data(as_text=True)
    assert value(page, "flip", category="x") == falls
    assert value(page, "flip", category="y") == rises


def test_hostile_names_are_escaped(app, dbs, example_doc):
    doc = json.loads(json.dumps(example_doc))
    doc["selection"]["name"] = HOSTILE
    doc["selection"]["organisation"] = "<img src=x onerror=alert(1)>"
    for vendor in doc["vendors"]:
        if vendor["key"] == "tulip":
            vendor["name"] = "<iframe src=//evil></iframe> Tulip"
    for category in doc["categories"]:
        if category["key"] == "sales":
            category["name"] = "</td><script>bad()</script>"
    sid = import_example(dbs, doc)
    sponsor = signed_in(app, SPONSOR)
    html = report_page(sponsor, sid)
    for raw in ("<script>alert", "<b>R&D</b>", "<img src=x", "<iframe", "<script>bad"):
        assert raw not in html, raw
    assert "&lt;script&gt;alert(" in html
    assert "&lt;iframe src=//evil&gt;&lt;/iframe&gt; Tulip" in html
    assert value(html, "category", category="sales") == "</td><script>bad()</script>"
    assert value(html, "winner") == "Northwind CRM"
    download = sponsor.get(f"/selections/{sid}/report/draft.pdf")
    assert download.status_code == 200
    assert re.fullmatch(r"attachment; filename=script-alert-x-script-b-r-d-b-quoted-etc-passwd"
                        r"-draft-\d{4}-\d\d-\d\d\.pdf", download.headers["Content-Disposition"])


def test_a_safe_filename_for_any_name():
    from selector.web.reports import pdf_filename

    assert pdf_filename("CRM-selectie Gemeente Zaanstad 2026", "draft", "2026-05-01") == \
        "crm-selectie-gemeente-zaanstad-2026-draft-2026-05-01.pdf"
    assert pdf_filename("Één café ‘Ω’", "final") == "een-cafe-final.pdf"
    assert pdf_filename("Ωμέγα", "final") == "selection-final.pdf"
    assert pdf_filename("a\r\nb\"; filename=x.exe", "draft") == "a-b-filename-x-exe-draft.pdf"
    assert len(pdf_filename("x" * 500, "draft")) <= 60 + len("-draft.pdf")
