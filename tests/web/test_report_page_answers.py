"""Issue 20 on the report page: the vendor profile's own answers (escaped) and the
appendix's published questions and answers, as in the PDF."""

from __future__ import annotations

from selector.models import Selection
from selector.services import vendors
from tests.analysis.support import SPONSOR
from tests.analysis.support import import_example
from tests.report.test_report_vendor_answers import give
from tests.report.test_report_vendor_answers import vendor
from tests.web.test_reports_pages import report_page
from tests.web.test_reports_pages import signed_in
from tests.web.test_reports_pages import text_of


def test_the_report_page_shows_the_answers_and_the_questions(app, dbs, example_doc):
    sid = import_example(dbs, example_doc)
    with dbs.transaction() as session:
        give(session, sid, "polder", "IT-HST-01", "no", "Hosted in <b>Virginia</b>.")
        selection = session.get(Selection, sid)
        asked = vendors.ask_question(session, selection, vendor(session, sid, "polder"),
                                     "Is a <i>pilot</i> paid?", actor_name="vendor:polder")
        vendors.publish_answer(session, selection, None, asked.id, "No & never.")
    html = report_page(signed_in(app, SPONSOR), sid)
    assert "Hosted in &lt;b&gt;Virginia&lt;/b&gt;." in html and "<b>Virginia" not in html
    start = html.index("data-answers")
    assert 'data-requirement="IT-HST-01"' in html[start:html.index("</table>", start)]
    start = html.index("<h4", html.index('id="report-questions"') - 40)
    questions = text_of(html[start:html.index("</table>", start)])
    assert questions.startswith("C. Questions and answers")
    assert "Is a <i>pilot</i> paid? No & never." in questions
    assert "PolderSuite" not in questions
    assert "Is a &lt;i&gt;pilot&lt;/i&gt; paid?" in html
