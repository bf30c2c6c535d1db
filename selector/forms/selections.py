"""Forms of creating a selection and moving it through its phases."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from selector.domain.limits import max_length
from selector.forms import choices
from selector.i18n import _l
from selector.services.selections import MAX_REASON


class SelectionForm(FlaskForm):
    name = StringField(
        _l("Name of the selection"),
        validators=[DataRequired(_l("Give the selection a name.")),
                    Length(max=max_length("selection", "name"))],
        description=_l("For example: CRM for customer service 2026."),
    )
    organisation = StringField(
        _l("Organisation"),
        validators=[Optional(), Length(max=max_length("selection", "organisation"))],
    )
    language = SelectField(
        _l("Language of the selection"),
        choices=choices([("nl", _l("Dutch")), ("en", _l("English"))]),
        description=_l("Category names, the requirement library and the report use this "
                       "language; everyone's screens follow their own choice."),
    )
    scale_max = SelectField(
        _l("Scoring scale"),
        coerce=int,
        default=5,
        description=_l("Members score every wish from 0 (absent) to this maximum."),
        choices=choices([(5, _l("0 to 5 (recommended)")), (4, _l("0 to 4")),
                         (3, _l("0 to 3")), (10, _l("0 to 10"))]),
    )
    business_share = IntegerField(
        _l("Weight of the business side (%)"),
        default=50,
        validators=[
            InputRequired(_l("Enter a percentage from 0 to 100.")),
            NumberRange(0, 100, _l("Enter a percentage from 0 to 100.")),
        ],
        description=_l("IT management gets the rest. 50% makes both sides equal partners, "
                       "whatever the number of members on each side."),
        render_kw={"min": 0, "max": 100, "step": 1, "inputmode": "numeric"},
    )


class PhaseForm(FlaskForm):
    direction = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(
        _l("Why go back?"),
        validators=[Optional(), Length(max=MAX_REASON)],
        description=_l("Everyone can read this in the audit trail."),
    )
