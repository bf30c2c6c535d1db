"""The argued selection report on the web: a preview of the PDF, the PDF itself, and the
sealed final reports.

The preview shows the same `ReportData` the PDF is drawn from, built the same way as
`selector.services.reports.selection_report` builds it (without spending a second on
drawing a PDF nobody asked for; a test checks that the two are equal), and the same
chart models (`selector.report.figures`) as accessible SVG. The report's words and
numbers are in the selection's language (`selector.report.i18n`: the template is
rendered inside `report_language`); the page around it follows the reader's language.

Blind scoring (decisions.md): before scoring closes, nobody but a facilitator with "see
everything" on sees the report, which is full of totals, ranks and costs: the page says
"available when scoring is closed" and both PDF downloads answer 409 with that page.

A sealed final report is served exactly as stored (its SHA-256 was taken over these
bytes). The selection overview shows the current one through `reports/_current.html`,
which asks `current_final_report(selection)` (a template global of this blueprint). A
sealed report whose selection has changed since is superseded: never shown as current,
with what was done since it was sealed, in words (the audit trail's labels).
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from typing import Any

from flask import Blueprint
from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.charts.svg import render_svg
from selector.charts.svg import text_equivalent_html
from selector.forms import show_error
from selector.forms.reports import IssueReportForm
from selector.i18n import _l
from selector.models import Account
from selector.models import AuditEntry
from selector.models import FinalReport
from selector.models import Selection
from selector.models.base import utcnow
from selector.report.contents import ReportData
from selector.report.figures import report_figures
from selector.report.i18n import number
from selector.report.i18n import percent
from selector.report.i18n import report_language
from selector.report.i18n import t_
from selector.report.i18n import tn_
from selector.report.labels import action_label
from selector.report.labels import contract_years_text
from selector.report.labels import difference_text
from selector.report.labels import entity_label
from selector.report.labels import money_text
from selector.services import reports as service
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.web.database import db_session
from selector.web.guard import MemberAccess
from selector.web.guard import requires

blueprint = Blueprint("reports", __name__, url_prefix="/selections/<int:selection_id>/report")

# The report service's messages are plain English; the reader gets them in their language.
SERVICE_MESSAGES = {
    "Only the facilitator can issue the final report.":
        _l("Only the facilitator can issue the final report."),
    "The final report can be issued in the decision phase, when scoring is closed.":
        _l("The final report can be issued in the decision phase, when scoring is closed."),
    "Choose Dutch or English.": _l("Choose Dutch or English."),
    "There is no such selection.": _l("There is no such selection."),
    "The recommended vendor has knock-outs without a verdict: record the verdicts, "
    "or write why the report is sealed anyway.":
        _l("The recommended vendor has knock-outs without a verdict: record the verdicts, "
           "or write why the report is sealed anyway."),
    service.SEAL_REASON_TOO_LONG:
        _l("The reason can have at most %(count)d characters.", count=service.MAX_SEAL_REASON),
}
CHANGES_SHOWN = 20  # of a superseded report, the first changes since it was sealed


def user_error(error: ServiceError) -> ServiceError:
    """The service's refusal with its message in the reader's language. A ranking the
    method refuses comes translated already (`services.ranking`)."""
    message = error.message
    if not isinstance(message, str) or isinstance(error, NotFound):
        return error
    known = SERVICE_MESSAGES.get(message)
    if known is None:
        return error
    return ServiceError(known, error.field)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the report


def report_data(session: Session, selection: Selection) -> ReportData:
    """The report of the selection as it is now (a draft), in the selection's language:
    what `services.reports.selection_report` draws, without drawing it."""
    return service.selection_report_data(session, selection.id)[0]


def pdf_filename(name: str, *parts: str) -> str:
    """An ASCII file name from the selection's name: nothing a browser or a disk can
    misread (no quotes, slashes, control characters or non-ASCII letters)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()[:60].strip("-")
    return "-".join([slug or "selection", *parts]) + ".pdf"


def pdf_response(pdf: bytes, filename: str) -> Response:
    response = Response(pdf, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "no-store"
    return response


# --------------------------------------------------------------------------- page helpers


def chart_svg(chart: Any, width: float, id_prefix: str) -> Markup:
    """An accessible SVG chart; the renderer escapes every text it draws."""
    return Markup(render_svg(chart, width=width, id_prefix=id_prefix))  # noqa: S704


def chart_table(chart: Any) -> Markup:
    return Markup(text_equivalent_html(chart, css_class="table chart-table"))  # noqa: S704


def score(value: float | None) -> str:
    """An aggregated score as the PDF prints it: one decimal, or a dash."""
    return "–" if value is None else number(value, 1)


def share(value: float | None) -> str:
    return "–" if value is None else percent(value, 1)


def state_of(vendor: Any) -> str:
    if vendor.excluded:
        return "failed"
    return "unverified" if vendor.knockouts_unverified else "passed"


@blueprint.context_processor
def _helpers() -> dict[str, Any]:
    # The report's own words and number formats: they follow `report_language`, which
    # the views set around rendering (see `_render`).
    return {
        "t_": t_,
        "tn_": tn_,
        "number": number,
        "percent": percent,
        "share": share,
        "score": score,
        "money": money_text,
        "contract_years": contract_years_text,
        "difference": difference_text,
        "state_of": state_of,
        "chart_svg": chart_svg,
        "chart_table": chart_table,
        "STATE_MARK": {"passed": "✓", "failed": "✗", "unverified": "?"},
    }


@blueprint.app_template_global("current_final_report")
def current_final_report(selection: Selection) -> FinalReport | None:
    """For the selection overview: the current sealed report, without its PDF; None
    when there is none or the newest is superseded."""
    return service.current_final_report(db_session(), selection.id)


@blueprint.app_template_global("newest_final_report")
def newest_final_report(selection: Selection) -> FinalReport | None:
    """For the selection overview: the newest sealed report, current or superseded."""
    return service.newest_final_report(db_session(), selection.id)


def _reader_language() -> str:
    language = str(get_locale() or "en")[:2]
    return language if language in service.LANGUAGES else "en"


def _changes_in_words(entries: list[AuditEntry], names: dict[int, str]) -> list[dict[str, Any]]:
    """Audit entries as the reader reads them: when, what (the audit trail's labels, in
    the reader's language), who and why; never the stored values."""
    with report_language(_reader_language()):
        return [{
            "at": entry.at,
            "what": " ".join(part for part in (entity_label(entry.entity), entry.entity_key)
                             if part),
            "action": action_label(entry.action),
            "by": names.get(entry.account_id or 0) or entry.actor,
            "reason": entry.reason,
        } for entry in entries]


def _sealed(session: Session, selection: Selection) -> list[dict[str, Any]]:
    """The sealed reports, newest first, with who issued them, the vendor their ranking
    put first, and whether the selection has changed since (superseded: with what was
    done since). Only the newest, when not superseded, is current."""
    rows = service.final_reports(session, selection.id)
    changes = {row.id: service.changes_since(session, row) for row in rows}
    digest = (service.content_digest(session, selection.id)
              if any(changes.values()) else None)
    people = {r.issued_by_id for r in rows if r.issued_by_id is not None} | {
        entry.account_id for entries in changes.values() for entry in entries
        if entry.account_id is not None}
    names = dict(session.execute(
        select(Account.id, Account.name).where(Account.id.in_(people))
    ).all()) if people else {}
    sealed = []
    for index, row in enumerate(rows):
        try:
            vendors = json.loads(row.ranking).get("vendors", [])
        except (TypeError, ValueError):
            vendors = []
        first = next((v for v in vendors if not v.get("excluded")), None)
        superseded = bool(changes[row.id]) and service.is_superseded(session, row, digest)
        since = changes[row.id] if superseded else []
        sealed.append({
            "row": row,
            "current": index == 0 and not superseded,
            "superseded": superseded,
            "changes": _changes_in_words(since[:CHANGES_SHOWN], names),
            "more_changes": max(0, len(since) - CHANGES_SHOWN),
            "issued_by": names.get(row.issued_by_id, ""),
            "first": first.get("name") if first else None,
        })
    return sealed


def _render(access: MemberAccess, status: int = 200, form: IssueReportForm | None = None,
            notice: str | None = None):
    """The report page. `notice` replaces the preview with an explanation (a refused
    download)."""
    selection = access.selection
    session = db_session()
    visible = access.sees_scores
    report = figures = problem = None
    sealed: list[dict[str, Any]] = []
    if visible:
        sealed = _sealed(session, selection)
        if notice is None:
            try:
                report = report_data(session, selection)
            except ServiceError as error:
                problem = str(user_error(error).message)
            else:
                figures = report_figures(report)
    if form is None:
        form = IssueReportForm(formdata=None, language=selection.language)
    unverified: list[str] = []
    if visible and access.can("report.issue"):
        try:
            unverified = service.unverified_knockouts(session, selection)
        except ServiceError:  # the ranking cannot be computed: the page says why
            unverified = []
    language = report.language if report else selection.language
    with report_language(language if language in service.LANGUAGES else "en"):
        page = render_template(
            "reports/page.html",
            selection=selection,
            access=access,
            visible=visible,
            report=report,
            figures=figures,
            problem=problem,
            notice=notice,
            sealed=sealed,
            form=form,
            unverified=unverified,
        )
    return page, status


# --------------------------------------------------------------------------- routes


@blueprint.route("")
@requires("report.view")
def page(access: MemberAccess):
    return _render(access)


@blueprint.route("/draft.pdf")
@requires("report.download")
def download(access: MemberAccess):
    """The report as it is now, as a PDF in the selection's language."""
    selection = access.selection
    if not access.sees_scores:
        return _render(access, 409)
    try:
        rendered = service.selection_report(db_session(), selection.id)
    except ServiceError as error:
        return _render(access, 409, notice=str(user_error(error).message))
    today = utcnow().date().isoformat()
    return pdf_response(rendered.pdf, pdf_filename(selection.name, "draft", today))


@blueprint.route("/final/<int:report_id>.pdf")
@requires("report.download")
def final_pdf(access: MemberAccess, report_id: int):
    """A sealed final report, byte for byte as it was stored."""
    session = db_session()
    row = session.get(FinalReport, report_id)
    if row is None or row.selection_id != access.selection.id:
        abort(404)
    if not access.sees_scores:
        return _render(access, 409)
    issued: datetime = row.issued_at
    name = pdf_filename(access.selection.name, "final", issued.date().isoformat(), row.sha256[:12])
    return pdf_response(row.pdf, name)


@blueprint.route("/final", methods=["POST"])
@requires("report.issue")
def issue(access: MemberAccess):
    """Seal the final report: stored with its SHA-256, date and ranking; audited."""
    form = IssueReportForm()
    if form.validate_on_submit():
        try:
            sealed = service.issue_final_report(
                db_session(), access.selection.id, current_user.account, form.language.data,
                seal_reason=form.seal_reason.data or "",
            )
        except ServiceError as error:
            show_error(form, user_error(error))
        else:
            flash(_("The final report is issued and sealed. Its SHA-256 fingerprint is "
                    "%(sha256)s.", sha256=sealed.sha256), "success")
            return redirect(url_for("reports.page", selection_id=access.selection.id)
                            + "#final-reports")
    return _render(access, 422, form=form)
