"""Forms of the committee's side of the vendor portal (issue 20): a vendor's link, the
deadline, reopening, publishing an answer, a returned questionnaire, and deciding on a
proposed knock-out verdict."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import get_timezone
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import BooleanField
from wtforms import DateTimeLocalField
from wtforms import IntegerField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from selector.domain.limits import REASON_LENGTH
from selector.i18n import _l
from selector.services.vendors import DEFAULT_LINK_DAYS
from selector.services.vendors import MAX_ANSWER
from selector.services.vendors import MAX_LINK_DAYS
from selector.services.vendors import MAX_OVERRIDE_REASON
from selector.services.vendors import MAX_QUESTION


class DaysField(IntegerField):
    """A whole number of days, with the refusal in the reader's language."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_l("Enter a whole number of days."))) from None


class LinkForm(FlaskForm):
    days = DaysField(
        _l("Valid for (days)"), default=DEFAULT_LINK_DAYS,
        validators=[InputRequired(_l("Enter a whole number of days.")),
                    NumberRange(1, MAX_LINK_DAYS, _l("A link is valid for 1 to %(max)d days.",
                                                max=MAX_LINK_DAYS))],
        render_kw={"inputmode": "numeric", "min": 1, "max": MAX_LINK_DAYS},
    )


class DeadlineField(DateTimeLocalField):
    """A date and time on the reader's clock, stored in UTC."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_l("Enter the date and time as YYYY-MM-DD HH:MM."))) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return self.data.strftime("%Y-%m-%dT%H:%M")

    def in_utc(self) -> datetime | None:
        if self.data is None:
            return None
        return self.data.replace(tzinfo=ZoneInfo(str(get_timezone()))).astimezone(UTC)


class ScheduleForm(FlaskForm):
    deadline = DeadlineField(
        _l("Deadline for the answers"), validators=[Optional()],
        description=_l("After it the vendors' answers are locked. Empty: no deadline."),
    )
    hidden = BooleanField(
        _l("Hidden until the deadline"),
        description=_l("Nobody on the committee, the facilitator included, reads the answers "
                       "or the verdicts they propose before the deadline has passed; the "
                       "progress stays visible."),
    )


class ReopenForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Say why the vendor's answers are reopened.")),
                    Length(max=REASON_LENGTH)],
    )


class PublishForm(FlaskForm):
    question = TextAreaField(
        _l("Question as published"),
        validators=[DataRequired(_l("Write the question.")), Length(max=MAX_QUESTION)],
        description=_l("Reword it to take out anything that names the vendor who asked."),
    )
    answer = TextAreaField(
        _l("Answer"),
        validators=[DataRequired(_l("Write the answer.")), Length(max=MAX_ANSWER)],
    )


class ReturnedForm(FlaskForm):
    file = FileField(_l("Returned questionnaire (.xlsx)"),
                     validators=[FileRequired(_l("Choose a file to upload."))],
                     render_kw={"accept": ".xlsx"})


class OverrideForm(FlaskForm):
    reason = TextAreaField(
        _l("Why the answer does not fail the knock-out"),
        validators=[DataRequired(_l("Say why the answer does not make the vendor fail this "
                                    "knock-out.")),
                    Length(max=MAX_OVERRIDE_REASON)],
    )
