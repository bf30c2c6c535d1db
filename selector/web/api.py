"""The JSON API, version 1: the ranking document for other tools.

`GET /api/v1/selections/<id>/ranking` answers the ranking document of formats.md
(`selector/ranking` version 1) to a member of the selection, signed in with the
browser's session or with a personal API token (`Authorization: Bearer sel_...`,
created on the account page, stored as its SHA-256).

Security assumptions, written down where the code relies on them:

* A bearer token counts for this request only, and for this blueprint only (no other
  code reads the Authorization header): the account is put in Flask-Login's
  per-request slot, the session cookie is neither read for it nor written. With
  REQUIRE_TOTP_FOR_FACILITATORS on, a facilitator's token without a second factor gets
  403, as the cookie's requests do.
* An unknown or revoked token gets 404, like a selection that is not shared with the
  caller, so the API does not tell which tokens once existed. No credentials at all
  get 401.
* Before scoring closes the document is withheld (409, "available when scoring is
  closed"), except for a facilitator with "see everything" on (decisions.md).
* Errors are JSON, never an HTML page.
"""

from __future__ import annotations

import json

from flask import Blueprint
from flask import Response
from flask import g
from flask import jsonify
from flask import request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from selector.services import analysis as service
from selector.services.api_tokens import account_for_token
from selector.services.errors import ServiceError
from selector.web import errors
from selector.web.auth import second_factor_missing
from selector.web.database import db_session
from selector.web.guard import MemberAccess
from selector.web.guard import requires
from selector.web.security import SignedIn

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

CLOSED_MESSAGE = "available when scoring is closed"
SECOND_FACTOR_MESSAGE = "as a facilitator you need a second factor: set it up on your account page"
MESSAGES = {
    400: "bad request",
    401: "sign in or send a personal API token: Authorization: Bearer <token>",
    403: "your role in this selection does not allow this",
    404: "not found",
    405: "method not allowed",
    409: CLOSED_MESSAGE,
    422: "the ranking cannot be computed",
    429: "too many requests",
    500: "something went wrong",
}


def error_response(status: int, message: str | None = None):
    response = jsonify(error=message or MESSAGES.get(status, "error"), status=status)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="selector"'
    return response


@blueprint.before_request
def _authenticate():
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return error_response(401)
        account = account_for_token(db_session(), secret.strip())
        if account is None:
            return error_response(404)
        if "selection_id" in (request.view_args or {}) and second_factor_missing(account):
            # A token made in a session without the second factor does not get around
            # the instance's requirement (the cookie's requests are checked in auth).
            return error_response(403, SECOND_FACTOR_MESSAGE)
        g._login_user = SignedIn(account, "")  # this request only; no cookie involved
        return None
    if not current_user.is_authenticated:
        return error_response(401)
    return None


@blueprint.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    return error_response(error.code or 500)


@blueprint.app_errorhandler(404)
@blueprint.app_errorhandler(405)
def _routing_error(error: HTTPException):
    """An unknown API address or method fails before any blueprint is chosen: answer
    JSON under /api/, and leave every other page to the app's own error pages."""
    if request.path.startswith(blueprint.url_prefix + "/"):
        response = error_response(error.code or 404)
        allowed = getattr(error, "valid_methods", None)
        if allowed:
            response.headers["Allow"] = ", ".join(allowed)
        return response
    return errors.handle_http(error)


@blueprint.errorhandler(Exception)
def _unexpected(error: Exception):
    from flask import current_app

    current_app.logger.error("API error on %s", request.path, exc_info=error)
    return error_response(500)


@blueprint.route("/selections/<int:selection_id>/ranking")
@requires("analysis.api")
def ranking(access: MemberAccess):
    if not access.sees_scores:
        return error_response(409, CLOSED_MESSAGE)
    try:
        result = service.analyse(db_session(), access.selection)
    except ServiceError as error:
        return error_response(422, str(error.message))
    # The document as `selector rank --json` writes it: keys in the engine's order.
    return Response(json.dumps(result.ranking, ensure_ascii=False), mimetype="application/json")
