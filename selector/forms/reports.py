"""The form of issuing (sealing) a final report."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import DataRequired

from selector.forms import choices
from selector.i18n import _l


class IssueReportForm(FlaskForm):
    language = SelectField(
        _l("Language of the report"),
        choices=choices([("nl", _l("Dutch")), ("en", _l("English"))]),
        validators=[DataRequired(_l("Choose Dutch or English."))],
        description=_l("The report is written in the selection's language unless you "
                       "choose the other one."),
    )
