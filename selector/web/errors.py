"""Error pages in the app's style: never a stack trace, always a way back.

An unexpected error is logged with its traceback on the server; the user reads a short
page. The database transaction of the request is rolled back (`selector.web.database`).
"""

from __future__ import annotations

import logging

from flask import Flask
from flask import g
from flask import render_template
from flask import request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError

from selector.i18n import _l
from selector.services.errors import NotFound

log = logging.getLogger(__name__)

TITLES = {
    400: _l("The request could not be handled"),
    403: _l("You may not do this"),
    404: _l("Page not found"),
    405: _l("This is not how this page is used"),
    413: _l("Too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
}
EXPLANATIONS = {
    400: _l("Something in the request was missing or wrong. Go back and try again."),
    403: _l("Your role does not allow this. If you think it should, ask the facilitator of "
            "the selection or your administrator."),
    404: _l("There is nothing here, or it is not shared with you."),
    405: _l("This address does not accept this kind of request."),
    413: _l("What you sent is larger than Selector accepts."),
    429: _l("Wait a few minutes before you try again."),
    500: _l("Selector could not finish this. Nothing was changed. Try again; if it keeps "
            "happening, tell your administrator the time it happened."),
}
CSRF_EXPLANATION = _l(
    "The form has expired or was not sent from this site. Go back, reload the page and "
    "try again."
)


def render_error(code: int, explanation: str | None = None):
    session = g.get("session")
    if session is not None:
        session.rollback()
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=TITLES.get(code, TITLES[400]),
            explanation=explanation or EXPLANATIONS.get(code, EXPLANATIONS[400]),
        ),
        code,
    )


def handle_http(error: HTTPException):
    if isinstance(error, CSRFError):
        return render_error(400, str(CSRF_EXPLANATION))
    body, status = render_error(error.code or 500)
    allowed = getattr(error, "valid_methods", None)
    return body, status, ({"Allow": ", ".join(allowed)} if allowed else {})


def handle_not_found(_error: NotFound):
    return render_error(404)


def handle_unexpected(error: Exception):
    original = getattr(error, "original_exception", None) or error
    if not isinstance(original, InternalServerError):
        log.error("unexpected error on %s %s", request.method, request.path, exc_info=original)
    try:
        return render_error(500)
    except Exception:  # the error page itself failed: a plain page, still no traceback
        log.exception("the error page failed")
        return "Selector: something went wrong.", 500, {"Content-Type": "text/plain"}


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(NotFound, handle_not_found)
    app.register_error_handler(InternalServerError, handle_unexpected)
