"""Signing in and out, the language switch, set-password links, and one's own account
(name, language, password, personal API tokens)."""

from __future__ import annotations

import os
import time

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user

from selector.forms import show_error
from selector.forms.auth import ChangePasswordForm
from selector.forms.auth import LanguageForm
from selector.forms.auth import LoginForm
from selector.forms.auth import ProfileForm
from selector.forms.auth import SetPasswordForm
from selector.forms.auth import TokenForm
from selector.forms.auth import TotpDisableForm
from selector.forms.auth import TotpEnableForm
from selector.forms.auth import TotpLoginForm
from selector.i18n import LANGUAGES
from selector.models import Account
from selector.services import accounts
from selector.services import api_tokens
from selector.services import logins
from selector.services import sign_in
from selector.services import totp
from selector.services.errors import ServiceError
from selector.web.database import database
from selector.web.database import db_session
from selector.web.database import keep_changes
from selector.web.guard import requires
from selector.web.security import safe_next

blueprint = Blueprint("auth", __name__)


def _throttle() -> logins.Throttle:
    return current_app.config.get("LOGIN_THROTTLE") or logins.Throttle()


def _address() -> str:
    """The network address the throttle counts (see `selector.services.logins`)."""
    return request.remote_addr or "unknown"


def _wait_message(seconds: int) -> str:
    """The answer to an attempt that came too soon after failed ones (issue 17, item 12)."""
    if seconds < 120:
        return ngettext("Too many failed attempts. Wait %(num)d second and try again.",
                        "Too many failed attempts. Wait %(num)d seconds and try again.",
                        max(seconds, 1))
    return ngettext("Too many failed attempts. Wait %(num)d minute and try again.",
                    "Too many failed attempts. Wait %(num)d minutes and try again.",
                    -(-seconds // 60))


def _retry_after(seconds: int) -> dict[str, str]:
    return {"Retry-After": str(max(seconds, 1))}


def _sign_in(account: Account) -> None:
    """Start a fresh server-side session (and a fresh cookie: no session fixation)."""
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    token = logins.start_session(db_session(), account)
    from selector.web.security import SignedIn

    login_user(SignedIn(account, token))


@blueprint.route("/login", methods=["GET", "POST"])
@requires("auth.login")
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("selections.home"))
    form = LoginForm(next=request.args.get("next", ""))
    status = 200
    headers: dict[str, str] = {}
    if form.validate_on_submit():
        attempt = sign_in.with_password(database(), db_session(), form.email.data or "",
                                        form.password.data, _address(), _throttle())
        if attempt.step is sign_in.Step.WAIT:
            form.form_errors.append(_wait_message(attempt.wait))
            status = 429
            headers.update(_retry_after(attempt.wait))
        elif attempt.step is sign_in.Step.SECOND_FACTOR:
            _begin_code_step(attempt.account.id, form.next.data)
            return redirect(url_for("auth.login_code"))
        elif attempt.step is sign_in.Step.SIGNED_IN:
            _sign_in(attempt.account)
            return redirect(safe_next(form.next.data) or url_for("selections.home"))
        else:
            keep_changes()  # the failure counts although the answer is an error
            form.form_errors.append(_("This e-mail address and password do not match."))
            status = 422
    elif request.method == "POST":
        status = 422
    no_accounts = sign_in.no_accounts_yet(db_session())
    return render_template("auth/login.html", form=form, no_accounts=no_accounts), status, headers


@blueprint.route("/logout", methods=["POST"])
@requires("auth.logout")
def logout():
    logins.end_session(db_session(), current_user.token)
    language = session.get("language")
    logout_user()
    session.clear()
    if language:
        session["language"] = language
    flash(_("You are logged out."), "success")
    response = redirect(url_for("auth.login"))
    # A shared computer (issue 17, item 4): answers the scoring sheet kept in this
    # browser for a retry go with the login, never to the next person's account.
    response.headers["Clear-Site-Data"] = '"storage"'
    return response


@blueprint.route("/language", methods=["POST"])
@requires("auth.language")
def language():
    form = LanguageForm()
    target = safe_next(form.next.data) or url_for("selections.home")
    if form.validate_on_submit() and form.language.data in LANGUAGES:
        session["language"] = form.language.data
        if current_user.is_authenticated:
            current_user.account.language = form.language.data
    return redirect(target)


@blueprint.route("/set-password/<token>", methods=["GET", "POST"])
@requires("auth.set_password")
def set_password(token: str):
    found = logins.valid_link(db_session(), token)
    if found is None:
        return render_template("auth/link_invalid.html"), 404
    link, account = found
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            logins.use_link(db_session(), link, account, form.new_password.data)
        except ServiceError as error:
            show_error(form, error, {"password": "new_password"})
        else:
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            flash(_("Your password is set. Log in with it."), "success")
            return redirect(url_for("auth.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/set_password.html", form=form, account=account), status


# -- one's own account --------------------------------------------------------------------


def _account_page(status: int = 200, *, profile=None, token_form=None, new_token=None):
    account = current_user.account
    if profile is None:
        profile = ProfileForm(formdata=None, name=account.name, language=account.language or "")
    return render_template(
        "auth/account.html",
        profile=profile,
        token_form=token_form or TokenForm(formdata=None, prefix="token"),
        tokens=api_tokens.tokens_of(db_session(), account),
        new_token=new_token,
    ), status


@blueprint.route("/account")
@requires("account.view")
def account():
    return _account_page()


@blueprint.route("/account", methods=["POST"])
@requires("account.edit")
def update_account():
    form = ProfileForm()
    if not form.validate_on_submit():
        return _account_page(422, profile=form)
    account = current_user.account
    account.name = form.name.data.strip()
    account.language = form.language.data or None
    if account.language:
        session["language"] = account.language
    else:
        session.pop("language", None)
    flash(_("Your settings are saved."), "success")
    return redirect(url_for("auth.account"))


@blueprint.route("/account/password", methods=["GET", "POST"])
@requires("account.edit")
def change_password():
    form = ChangePasswordForm()
    status = 200
    headers: dict[str, str] = {}
    if form.validate_on_submit():
        account = current_user.account
        address = _address()
        wait = logins.seconds_to_wait(db_session(), account.email, address, _throttle())
        if wait:
            form.current_password.errors = [_wait_message(wait)]
            status = 429
            headers.update(_retry_after(wait))
        elif not accounts.verify_password(account, form.current_password.data):
            # Guessing the password here counts like guessing it at the login.
            logins.record_attempt(db_session(), account.email, address, succeeded=False)
            keep_changes()
            form.current_password.errors = [_("This is not your current password.")]
        else:
            try:
                accounts.set_password(db_session(), account, form.new_password.data)
            except ServiceError as error:
                show_error(form, error, {"password": "new_password"})
            else:
                # Every session ended, this one too: start a new one for this browser.
                _sign_in(account)
                flash(_("Your password is changed. You were logged out everywhere else."),
                      "success")
                return redirect(url_for("auth.account"))
    if request.method == "POST" and status == 200:
        status = 422
    return render_template("auth/change_password.html", form=form), status, headers


@blueprint.route("/account/tokens", methods=["POST"])
@requires("account.edit")
def create_token():
    form = TokenForm(prefix="token")
    if not form.validate_on_submit():
        return _account_page(422, token_form=form)
    try:
        created = api_tokens.create_token(db_session(), current_user.account, form.name.data)
    except ServiceError as error:
        show_error(form, error)
        return _account_page(422, token_form=form)
    # Shown in this response only: the token is stored hashed and never shown again.
    return _account_page(new_token=created)


@blueprint.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@requires("account.edit")
def revoke_token(token_id: int):
    token = api_tokens.revoke_token(db_session(), current_user.account, token_id)
    flash(_("The token “%(name)s” is revoked.", name=token.name), "success")
    return redirect(url_for("auth.account"))


# -- the second factor (TOTP) -------------------------------------------------------------
#
# Logging in with the second factor on: the password step leaves only a note in the
# (signed) session cookie: which account, since when, where to go next. No login
# session exists until the code is right. Wrong codes count as failed logins of the
# account, so the login throttle limits guessing; the note expires after five minutes.

CODE_STEP = "second_factor"  # session key of the pending login
CODE_STEP_SECONDS = 300
ENROLMENT = "second_factor_setup"  # session key of a secret being set up


@blueprint.record_once
def _second_factor_setting(state) -> None:
    state.app.config.setdefault(
        "REQUIRE_TOTP_FOR_FACILITATORS",
        os.environ.get("SELECTOR_REQUIRE_TOTP_FOR_FACILITATORS") == "1")


def _begin_code_step(account_id: int, next_target: str | None) -> None:
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    session[CODE_STEP] = {"account": account_id, "since": int(time.time()),
                          "next": safe_next(next_target) or ""}


def _pending_login() -> tuple[int, str] | None:
    pending = session.get(CODE_STEP)
    if not isinstance(pending, dict):
        return None
    account_id, since = pending.get("account"), pending.get("since")
    if not isinstance(account_id, int) or not isinstance(since, int):
        return None
    if not 0 <= time.time() - since <= CODE_STEP_SECONDS:
        return None
    return account_id, str(pending.get("next") or "")


def _wrong_code() -> str:
    return _("This code is not right. Check the time on your phone and enter the code "
             "that is shown now.")


@blueprint.route("/login/code", methods=["GET", "POST"])
@requires("auth.login")
def login_code():
    if current_user.is_authenticated:
        return redirect(url_for("selections.home"))
    pending = _pending_login()
    account = sign_in.pending_account(db_session(), pending[0]) if pending else None
    if account is None:
        session.pop(CODE_STEP, None)
        flash(_("Log in again: the time to enter the code has run out."), "info")
        return redirect(url_for("auth.login"))
    form = TotpLoginForm()
    status = 200
    headers: dict[str, str] = {}
    if form.validate_on_submit():
        attempt = sign_in.with_code(db_session(), account, form.code.data, _address(),
                                    _throttle())
        if attempt.step is sign_in.Step.WAIT:
            form.code.errors = [_wait_message(attempt.wait)]
            status = 429
            headers.update(_retry_after(attempt.wait))
        elif attempt.step is sign_in.Step.UNUSABLE:  # SECRET_KEY changed
            form.code.errors = [attempt.message]
            status = 409
        elif attempt.step is sign_in.Step.SIGNED_IN:
            _sign_in(account)
            return redirect(safe_next(pending[1]) or url_for("selections.home"))
        else:
            keep_changes()  # the failure counts although the answer is an error
            form.code.errors = [_wrong_code()]
            status = 422
    elif request.method == "POST":
        status = 422
    return render_template("auth/totp_login.html", form=form), status, headers


def _second_factor_required(account: Account) -> bool:
    return bool(current_app.config.get("REQUIRE_TOTP_FOR_FACILITATORS")) and \
        totp.is_facilitator(db_session(), account.id)


def second_factor_missing(account: Account) -> bool:
    """Does the instance require a second factor of this account, which has none?"""
    return not totp.is_enabled(account) and _second_factor_required(account)


def _totp_page(status: int = 200, *, enable_form=None, disable_form=None, headers=None):
    account = current_user.account
    target = safe_next(request.values.get("next")) or ""
    setup = None
    if not totp.is_enabled(account):
        secret = session.get(ENROLMENT)
        if not totp.valid_secret(secret):
            secret = totp.new_secret()
            session[ENROLMENT] = secret
        uri = totp.provisioning_uri(account, secret)
        setup = {"secret": totp.grouped(secret), "uri": uri, "qr": totp.qr_code_data_uri(uri)}
    return render_template(
        "auth/totp.html",
        enabled=totp.is_enabled(account),
        required=_second_factor_required(account),
        setup=setup,
        enable_form=enable_form or TotpEnableForm(formdata=None),
        disable_form=disable_form or TotpDisableForm(formdata=None),
        next_target=target,
    ), status, headers or {}


@blueprint.route("/account/two-factor")
@requires("account.view")
def totp_page():
    return _totp_page()


@blueprint.route("/account/two-factor/enable", methods=["POST"])
@requires("account.edit")
def totp_enable():
    form = TotpEnableForm()
    if totp.is_enabled(current_user.account):  # the page shows no set-up form now
        flash(_("The second factor is already on."), "error")
        return _totp_page(409)
    if not form.validate_on_submit():
        return _totp_page(422, enable_form=form)
    account = current_user.account
    try:
        totp.enable(db_session(), account, session.get(ENROLMENT) or "", form.code.data)
    except ServiceError as error:
        show_error(form, error)
        return _totp_page(422, enable_form=form)
    target = safe_next(request.values.get("next"))
    # Sessions started before with the password alone end; this browser gets a new one.
    logins.end_all_sessions(db_session(), account.id)
    _sign_in(account)
    flash(_("The second factor is on. From now on you log in with your password and a "
            "code from your app."), "success")
    return redirect(target or url_for("auth.totp_page"))


@blueprint.route("/account/two-factor/disable", methods=["POST"])
@requires("account.edit")
def totp_disable():
    form = TotpDisableForm()
    if not totp.is_enabled(current_user.account):  # the page shows no form to turn it off
        flash(_("The second factor is not on."), "error")
        return _totp_page(409)
    if not form.validate_on_submit():
        return _totp_page(422, disable_form=form)
    account = current_user.account
    address = _address()
    wait = logins.seconds_to_wait(db_session(), account.email, address, _throttle())
    if wait:
        form.code.errors = [_wait_message(wait)]
        return _totp_page(429, disable_form=form, headers=_retry_after(wait))
    try:
        totp.disable(db_session(), account, form.password.data or "", form.code.data)
    except ServiceError as error:
        # Guessing the password or a code here counts like guessing it at the login.
        logins.record_attempt(db_session(), account.email, address, succeeded=False)
        keep_changes()
        show_error(form, error)
        return _totp_page(422, disable_form=form)
    flash(_("The second factor is off. You log in with your password alone."), "success")
    return redirect(url_for("auth.totp_page"))


@blueprint.before_app_request
def _second_factor_for_facilitators():
    """With REQUIRE_TOTP_FOR_FACILITATORS on, a facilitator (of any selection) without
    the second factor is sent to set it up before any page of a selection opens.

    Every request signed in by the session cookie is checked, whatever its headers: only
    the API reads an Authorization header (a personal token, for its own routes alone),
    and it applies this same rule to the token's account (`api._authenticate`)."""
    if not current_app.config.get("REQUIRE_TOTP_FOR_FACILITATORS"):
        return None
    if "selection_id" not in (request.view_args or {}):
        return None
    if request.blueprint == "api" and request.headers.get("Authorization"):
        return None  # the token, not the cookie, signs this request in: the API checks it
    if not current_user.is_authenticated or not second_factor_missing(current_user.account):
        return None
    message = _("As a facilitator you need a second factor. Set it up first.")
    if request.blueprint == "api":
        response = jsonify(error=message, status=403)
        response.status_code = 403
        return response
    flash(message, "warning")
    target = request.path + (f"?{request.query_string.decode('latin-1')}"
                             if request.query_string else "")
    return redirect(url_for("auth.totp_page",
                            next=target if request.method == "GET" else None), 303)
