"""The one check every written text passes (`selector.services.written`)."""

import pytest

from selector.services.errors import ServiceError
from selector.services.written import written_text


def test_white_space_around_the_text_is_dropped_and_empty_is_allowed_unless_required():
    assert written_text("  Two demos agreed.\n", "rationale", 40) == "Two demos agreed."
    assert written_text(None, "rationale", 40) == ""
    with pytest.raises(ServiceError) as refused:
        written_text("   ", "rationale", 40, required="Say why.")
    assert (refused.value.message, refused.value.field) == ("Say why.", "rationale")


@pytest.mark.parametrize(("field", "message"), [
    ("reason", "The reason can have at most 5 characters."),
    ("comment", "A comment can have at most 5 characters."),
    ("name", "The name can have at most 5 characters."),
    ("evidence", "This can have at most 5 characters."),
])
def test_a_text_over_its_limit_is_refused_naming_its_field(field, message):
    assert written_text("12345", field, 5) == "12345"
    with pytest.raises(ServiceError) as refused:
        written_text("123456", field, 5)
    assert (str(refused.value.message), refused.value.field) == (message, field)
