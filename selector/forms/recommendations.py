"""Forms of the recommendation page: the facilitator's recommendation and the sponsor's
decision on it. The vendors to choose from are set by the view (the selection's own)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from selector.domain.vocabulary import APPROVED
from selector.domain.vocabulary import DECLINED
from selector.domain.vocabulary import MORE_INFORMATION
from selector.forms import choices
from selector.forms import row_id
from selector.i18n import _l
from selector.services.reports import MAX_DECISION_REASON
from selector.services.reports import MAX_RECOMMENDATION
from selector.services.reports import MAX_RECOMMENDATION_REASON

VERDICT_LABELS = {
    APPROVED: _l("Approve the recommendation"),
    DECLINED: _l("Reject the recommendation"),
    MORE_INFORMATION: _l("More information needed"),
}


class RecommendationForm(FlaskForm):
    text = TextAreaField(
        _l("Recommendation"),
        validators=[DataRequired(_l("Write the recommendation.")), Length(max=MAX_RECOMMENDATION)],
        description=_l("Plain text for the sponsor; leave an empty line between paragraphs. "
                       "The report prints it word for word, with your name."),
    )
    vendor = SelectField(
        _l("Recommended vendor"), coerce=row_id, validate_choice=False,
        validators=[InputRequired(_l("Choose the vendor you recommend."))],
    )
    reason = TextAreaField(
        _l("Why this vendor"),
        validators=[Optional(), Length(max=MAX_RECOMMENDATION_REASON)],
        description=_l("Needed when you recommend another vendor than the first-ranked one, "
                       "or one that is withdrawn or excluded. The report prints it."),
    )


class DecisionDateField(DateField):
    """A date as YYYY-MM-DD, with the refusal in the reader's language."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_l("Enter the date as YYYY-MM-DD."))) from None


class DecisionForm(FlaskForm):
    verdict = RadioField(
        _l("Your decision"),
        choices=choices(VERDICT_LABELS.items()),
        validators=[InputRequired(_l("Choose approve, reject or more information needed."))],
    )
    vendor = SelectField(
        _l("Vendor approved"), coerce=row_id, validate_choice=False,
        validators=[Optional()],
        description=_l("Only for an approval: the recommended vendor unless you choose "
                       "another."),
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Give the reason for your decision.")),
                    Length(max=MAX_DECISION_REASON)],
        description=_l("Your reasons or conditions. A rejection or a request for more "
                       "information goes back to the facilitator with this text."),
    )
    decided_on = DecisionDateField(
        _l("Date of the decision"), validators=[Optional()], default=None,
        description=_l("Today when left empty; not a date in the future."),
    )
