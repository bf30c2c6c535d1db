"""Signing in and out, the language switch, set-password links, and one's own account
(name, language, password, personal API tokens)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select

from selector.access import requires
from selector.forms import show_error
from selector.forms.auth import (
    ChangePasswordForm,
    LanguageForm,
    LoginForm,
    ProfileForm,
    SetPasswordForm,
    TokenForm,
)
from selector.i18n import LANGUAGES
from selector.models import Account
from selector.services import accounts, api_tokens, logins
from selector.services.errors import ServiceError
from selector.web.database import database, db_session, keep_changes
from selector.web.security import safe_next

blueprint = Blueprint("auth", __name__)


def _throttle() -> logins.Throttle:
    config = current_app.config
    return logins.Throttle(
        window=timedelta(minutes=float(config["LOGIN_THROTTLE_MINUTES"])),
        per_account=int(config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
        per_address=int(config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
    )


def _dummy_hash() -> str:
    """A hash to verify against for unknown addresses, so they take as long as known ones."""
    cached = current_app.extensions.get("selector.dummy_hash")
    if cached is None:
        cached = accounts.hash_password("not-a-password-of-anyone")
        current_app.extensions["selector.dummy_hash"] = cached
    return cached


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
        email = form.email.data or ""
        address = request.remote_addr or "unknown"
        # Checked in a read transaction: on SQLite the request's write transaction holds
        # the database's write lock, and Argon2 takes a while on purpose.
        with database().transaction(write=False) as reading:
            throttled = logins.is_throttled(reading, email, address, _throttle())
            account_id = None
            if not throttled:
                account = accounts.find_account(reading, email)
                if account is None:
                    accounts.verify_password(Account(password_hash=_dummy_hash()),
                                             form.password.data)
                elif accounts.verify_password(account, form.password.data) and account.is_active:
                    account_id = account.id
        if throttled:
            minutes = int(current_app.config["LOGIN_THROTTLE_MINUTES"])
            form.form_errors.append(
                _("Too many failed attempts. Wait %(minutes)d minutes and try again.",
                  minutes=minutes))
            status = 429
            headers["Retry-After"] = str(minutes * 60)
        else:
            logins.record_attempt(db_session(), email, address, succeeded=account_id is not None)
            if account_id is not None:
                if secrets.randbelow(50) == 0:  # now and then: the table stays small
                    logins.forget_old_attempts(db_session())
                _sign_in(db_session().get(Account, account_id))
                return redirect(safe_next(form.next.data) or url_for("selections.home"))
            keep_changes()  # the failure counts although the answer is an error
            form.form_errors.append(_("This e-mail address and password do not match."))
            status = 422
    elif request.method == "POST":
        status = 422
    no_accounts = db_session().scalar(select(func.count()).select_from(Account)) == 0
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
    return redirect(url_for("auth.login"))


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
    if form.validate_on_submit():
        account = current_user.account
        address = request.remote_addr or "unknown"
        if logins.is_throttled(db_session(), account.email, address, _throttle()):
            form.current_password.errors = [
                _("Too many failed attempts. Wait %(minutes)d minutes and try again.",
                  minutes=int(current_app.config["LOGIN_THROTTLE_MINUTES"]))]
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
    status = 422 if request.method == "POST" else 200
    return render_template("auth/change_password.html", form=form), status


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
