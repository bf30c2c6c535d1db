"""The scoring sheet's form class is made once per sheet shape (issue 22, item 7): a
committee opening its sheets in the same minute shares the class, never a member's
answers or errors."""

from __future__ import annotations

from flask import Flask
from werkzeug.datastructures import MultiDict

from selector.forms.scoring import sheet_form

LABELS = ["absent", "poor", "partial", "adequate", "good", "exceeds"]


def test_one_class_per_shape_and_no_answers_shared():
    app = Flask(__name__)
    app.config.update(SECRET_KEY="x", WTF_CSRF_ENABLED=False)
    with app.test_request_context():
        first = sheet_form([11, 12], 5, LABELS, data={"score_11": 4, "comment_11": "mine"})
        second = sheet_form([11, 12], 5, LABELS)
        assert type(first) is type(second)
        assert first.score_11.data == 4 and first.comment_11.data == "mine"
        assert second.score_11.data is None and second.comment_11.data in ("", None)
        refused = sheet_form([11, 12], 5, LABELS, formdata=MultiDict({"score_11": "9"}))
        assert not refused.validate()
        assert refused.score_11.errors and not sheet_form([11, 12], 5, LABELS).score_11.errors
        other = sheet_form([11, 13], 5, LABELS)
        assert type(other) is not type(first) and "score_13" in other._fields
        assert "score_13" not in first._fields
        assert [c.label for c in first.score_11.choices][0] == "0 absent"
        assert [c.label for c in sheet_form([11], 5, ["", *LABELS[1:]]).score_11.choices][0] == "0"
