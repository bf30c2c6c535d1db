"""E-mail, only when an SMTP server is configured (SELECTOR_SMTP_HOST and friends).

Selector works without a mail server: whoever creates an account copies the
set-password link by hand. With SMTP configured the link is also sent.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from flask import current_app
from flask import render_template
from flask_babel import force_locale

log = logging.getLogger(__name__)


def configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def send(to: str, subject: str, body: str) -> bool:
    """Send one plain-text message; False (and logged) when it could not be sent."""
    config = current_app.config
    if not configured():
        return False
    message = EmailMessage()
    message["From"] = config.get("SMTP_FROM") or f"selector@{config['SMTP_HOST']}"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        if config.get("SMTP_SECURITY") == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                config["SMTP_HOST"], config["SMTP_PORT"], timeout=10,
                context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=10)
        with client:
            if config.get("SMTP_SECURITY") == "starttls":
                client.starttls(context=ssl.create_default_context())
            if config.get("SMTP_USER"):
                client.login(config["SMTP_USER"], config.get("SMTP_PASSWORD", ""))
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("could not send mail to %s: %s", to, error)
        return False
    return True


def send_password_link(to: str, name: str, link: str, language: str,
                       selection_name: str | None = None) -> bool:
    """The set-password link, in `language` (the selection's, or the inviter's)."""
    if not configured():
        return False
    with force_locale(language):
        subject = render_template("mail/password_link_subject.txt",
                                  selection_name=selection_name).strip()
        body = render_template("mail/password_link.txt", name=name, link=link,
                               selection_name=selection_name)
    return send(to, subject, body)


def send_invitation(to: str, link: str, language: str, selection_name: str,
                    inviter_name: str) -> bool:
    """An invitation to a selection, in the selection's language."""
    if not configured():
        return False
    with force_locale(language):
        subject = render_template("mail/invitation_subject.txt",
                                  selection_name=selection_name).strip()
        body = render_template("mail/invitation.txt", link=link,
                               selection_name=selection_name, inviter_name=inviter_name)
    return send(to, subject, body)
