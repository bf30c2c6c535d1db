"""The audit trail of a selection (issue 22, item 3): every audited change in words,
filtered by person, kind and date, newest first, a page at a time, and the same lines as
.xlsx and CSV. Facilitator, sponsor and observer (`access.AUDITORS`).

The words are the report's, in the reader's language (`selector.report.audit_words`);
blind scoring and the price vault hide values here as everywhere
(`selector.services.audit_trail`).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint
from flask import Response
from flask import render_template
from flask import request
from flask_babel import get_locale
from flask_babel import get_timezone
from flask_babel import gettext as _

from selector.forms.audit import AuditFilterForm
from selector.services import audit_trail
from selector.services.audit_trail import TrailSummary
from selector.services.audit_trail import Visibility
from selector.web.database import db_session
from selector.web.guard import MemberAccess
from selector.web.guard import requires
from selector.web.reports import pdf_filename

blueprint = Blueprint("audit", __name__, url_prefix="/selections/<int:selection_id>/audit")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LANGUAGES = ("en", "nl")  # the report's catalogues, in which the entries are worded
FILTERS = ("person", "kind", "since", "until")


def _reading(access: MemberAccess) -> dict[str, Any]:
    """How this reader reads the trail: their language, time zone and what they may see."""
    language = str(get_locale() or "en")[:2]
    return {
        "visibility": Visibility(scores=access.sees_scores, costs=access.sees_costs),
        "zone": ZoneInfo(str(get_timezone())),
        "language": language if language in LANGUAGES else "en",
        "withheld": _("hidden until scoring is closed"),
    }


def _filters(access: MemberAccess) -> tuple[AuditFilterForm, bool, TrailSummary]:
    """The filters from the query string, with the people and kinds this trail holds."""
    form = AuditFilterForm(request.args)
    summary = audit_trail.trail_summary(db_session(), access.selection.id,
                                        language=_reading(access)["language"])
    form.set_choices(summary.people, summary.kinds)
    return form, form.validate(), summary


def _page(access: MemberAccess, form: AuditFilterForm, valid: bool, summary: TrailSummary):
    trail = None
    if valid:
        trail = audit_trail.trail_page(
            db_session(), access.selection.id, form.to_filter(), form.page.data or 1,
            **_reading(access))
    # The filters as given, for the pager's and the exports' links.
    query = {name: request.args[name] for name in FILTERS if request.args.get(name)}
    page = render_template("audit/page.html", selection=access.selection, access=access,
                           filters=form, trail=trail, summary=summary, query=query)
    return page, 200 if valid else 422


@blueprint.route("")
@requires("audit.view")
def page(access: MemberAccess):
    return _page(access, *_filters(access))


def _headings() -> list[str]:
    return [_("Date and time"), _("Person"), _("E-mail address"), _("Kind"), _("Action"),
            _("What"), _("Change"), _("Reason")]


def _export(access: MemberAccess, kind: str):
    form, valid, summary = _filters(access)
    if not valid:
        return _page(access, form, valid, summary)
    lines = audit_trail.trail_lines(db_session(), access.selection.id, form.to_filter(),
                                    **_reading(access))
    name = pdf_filename(access.selection.name, "audit-trail").removesuffix(".pdf")
    if kind == "csv":
        body = audit_trail.trail_csv(lines, _headings())
        response = Response(body, mimetype="text/csv")
    else:
        body = audit_trail.trail_xlsx(lines, _headings(), _("Audit trail"))
        response = Response(body, mimetype=XLSX)
    response.headers.set("Content-Disposition", "attachment", filename=f"{name}.{kind}")
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/export.xlsx")
@requires("audit.view")
def export_xlsx(access: MemberAccess):
    """The filtered trail as a workbook, every entry (not only one page)."""
    return _export(access, "xlsx")


@blueprint.route("/export.csv")
@requires("audit.view")
def export_csv(access: MemberAccess):
    """The filtered trail as CSV, every entry."""
    return _export(access, "csv")
