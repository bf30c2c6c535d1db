"""The form of issuing (sealing) a final report."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from selector.forms import choices
from selector.i18n import _l
from selector.services.reports import MAX_SEAL_REASON


class IssueReportForm(FlaskForm):
    language = SelectField(
        _l("Language of the report"),
        choices=choices([("nl", _l("Dutch")), ("en", _l("English"))]),
        validators=[DataRequired(_l("Choose Dutch or English."))],
        description=_l("The report is written in the selection's language unless you "
                       "choose the other one."),
    )
    seal_reason = TextAreaField(
        _l("Why seal it now"),
        validators=[Optional(), Length(max=MAX_SEAL_REASON)],
        description=_l("The recommended vendor has knock-outs without a verdict. Record "
                       "the verdicts first, or write why the report is sealed anyway: it is "
                       "kept with the report and in the audit trail."),
    )
