"""The check every text a person writes passes before it is stored: one rule, one set of
messages, in every area (its rules may import it; `tests/test_service_shape.py`)."""

from __future__ import annotations

from typing import Any

from selector.i18n import _l
from selector.services.errors import ServiceError


def written_text(value: str | None, field: str, limit: int, *, required: Any = None) -> str:
    """What a person wrote in `field`, white space around it dropped. Refused, naming the
    field, when it is empty while `required` (the message that says what to write) is
    given, or longer than `limit`."""
    text = (value or "").strip()
    if required is not None and not text:
        raise ServiceError(required, field)
    if len(text) > limit:
        if field == "reason":
            message = _l("The reason can have at most %(count)d characters.", count=limit)
        elif field == "comment":
            message = _l("A comment can have at most %(count)d characters.", count=limit)
        elif field == "name":
            message = _l("The name can have at most %(count)d characters.", count=limit)
        else:
            message = _l("This can have at most %(count)d characters.", count=limit)
        raise ServiceError(message, field)
    return text
