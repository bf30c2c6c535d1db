"""Forms of the scoring area: the conflict-of-interest declaration, the scoring sheet
(built from the requirements it shows), exclusions, knock-out verdicts and consensus.

The score anchors (0 absent ... 5 exceeds) are written in the selection's language, not
the reader's (decisions.md): `anchor_labels` takes the vocabulary's words for it.
"""

from __future__ import annotations

from functools import lru_cache

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from selector.domain.vocabulary import FAILED
from selector.domain.vocabulary import PASSED
from selector.domain.vocabulary import anchor_words
from selector.forms import choices
from selector.i18n import _l
from selector.services.scoring import MAX_COMMENT
from selector.services.scoring import MAX_REASON
from selector.services.verdicts import MAX_EVIDENCE


def anchor_labels(scale_max: int, language: str) -> list[str]:
    """The label of each score 0..scale_max in `language` ("" where none fits): the
    vocabulary's words, the same as the report's scale (method.md section 4)."""
    return list(anchor_words(scale_max, language))


class ConflictForm(FlaskForm):
    conflict = RadioField(
        _l("Do you have a conflict of interest with this vendor?"),
        choices=choices([
            ("none", _l("No: I have no ties with this vendor")),
            ("declared", _l("Yes: I declare a conflict of interest")),
        ]),
        validators=[InputRequired(_l("Say whether you have a conflict of interest."))],
    )
    explanation = TextAreaField(
        _l("Explanation"),
        validators=[Optional(), Length(max=MAX_COMMENT)],
        description=_l("For example a former employer, a relative or a financial interest. "
                       "The facilitator reads this and decides whether you score this vendor."),
    )


def score_field(item_id: int) -> str:
    return f"score_{item_id}"


def comment_field(item_id: int) -> str:
    return f"comment_{item_id}"


def version_field(item_id: int) -> str:
    return f"version_{item_id}"


class SheetFormBase(FlaskForm):
    reason = TextAreaField(
        _l("Why do you change your submitted scores?"),
        validators=[Optional(), Length(max=MAX_REASON)],
        description=_l("You submitted this sheet: every change is recorded with this "
                       "reason."),
    )


def sheet_form(requirement_ids: list[int], scale_max: int, labels: list[str],
               formdata=None, data: dict | None = None) -> SheetFormBase:
    """The scoring sheet as a form: per requirement a score, an argument and the version
    the member started from."""
    form_class = _sheet_form_class(tuple(requirement_ids), scale_max, tuple(labels))
    if formdata is None:
        return form_class(formdata=None, data=data or {})
    return form_class(formdata=formdata)


@lru_cache(maxsize=256)
def _sheet_form_class(requirement_ids: tuple[int, ...], scale_max: int,
                      labels: tuple[str, ...]) -> type[SheetFormBase]:
    """One form class per sheet shape, made once per worker: a committee opening the
    same sheets in the first minute of a meeting (issue 22, item 7) would otherwise make
    a class of three fields per requirement for every page. The class holds no member's
    data; the labels are lazy, so one class serves both languages."""

    class SheetForm(SheetFormBase):
        pass

    options = [(value, f"{value} {labels[value]}".strip()) for value in range(scale_max + 1)]
    for item_id in requirement_ids:
        setattr(SheetForm, score_field(item_id), RadioField(
            _l("Score"), choices=choices(options), coerce=int,
            validators=[Optional()], validate_choice=True))
        setattr(SheetForm, comment_field(item_id), TextAreaField(
            _l("Argument"), validators=[Optional(), Length(max=MAX_COMMENT)]))
        setattr(SheetForm, version_field(item_id), HiddenField())
    return SheetForm


class ExclusionForm(FlaskForm):
    excluded = HiddenField(default="1")
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(_l("Give the reason for this decision.")),
                                  Length(max=MAX_REASON)],
    )


class VerdictForm(FlaskForm):
    passed = RadioField(
        _l("Verdict"),
        choices=choices([(PASSED, _l("Passed")), (FAILED, _l("Failed"))]),
        validators=[InputRequired(_l("Choose passed or failed."))],
    )
    evidence = TextAreaField(
        _l("Evidence"),
        validators=[DataRequired(_l("Describe the evidence for this verdict.")),
                    Length(max=MAX_EVIDENCE)],
        description=_l("What was checked, how, and what it showed."),
    )
    document = FileField(
        _l("Document (optional)"),
        description=_l("A PDF, PNG or JPEG of at most 10 MB, for example a test report or "
                       "a contract annex."),
        render_kw={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"},
    )
    version = HiddenField()


class ConsensusForm(FlaskForm):
    score = RadioField(_l("Consensus score"), coerce=int, validators=[
        InputRequired(_l("Choose the score the committee agrees on."))])
    rationale = TextAreaField(
        _l("Rationale"),
        validators=[DataRequired(_l("Write down why the committee agrees on this score.")),
                    Length(max=MAX_COMMENT)],
    )
    version = HiddenField()


class RemoveConsensusForm(FlaskForm):
    version = HiddenField()
    reason = TextAreaField(
        _l("Why take this consensus score back?"),
        validators=[DataRequired(_l("Give the reason for this decision.")),
                    Length(max=MAX_REASON)],
    )


# How a requirement is checked (Requirement.verification), as the sheet names it.
VERIFICATION_LABELS = {
    "demo": _l("demonstration"),
    "test": _l("test"),
    "document": _l("documentation"),
    "reference": _l("reference"),
    "contract": _l("contract"),
    "other": _l("other"),
}


class VisibilityForm(FlaskForm):
    facilitator_sees_all = BooleanField(
        _l("The facilitator sees everyone's scores and the costs while scoring is open"),
        description=_l("Off by default: until scoring closes you see progress only, and no "
                       "costs."),
    )
