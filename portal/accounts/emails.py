"""The accounts' emails (a sign-in link, an invitation), in the page's language, plain text with an HTML
alternative, through the one sender (portal.mail.delivery). See docs/design.md, "Email"."""

from __future__ import annotations

import logging

from flask import render_template
from flask_babel import force_locale, gettext

from portal.accounts.signin import LINK_LIFETIME
from portal.mail import delivery
from portal.mail.links import absolute_url

log = logging.getLogger(__name__)


def _send(to: str, subject: str, template: str, language: str, **values) -> bool:
    """Build and deliver one message; a failure is logged and reported as False, never shown to the visitor
    (the sign-in form answers the same whatever happened, docs/design.md "Buyer accounts")."""
    with force_locale(language):
        minutes = int(LINK_LIFETIME.total_seconds() // 60)
        text = render_template(f"accounts/email/{template}.txt", minutes=minutes, **values)
        html = render_template(f"accounts/email/{template}.html", minutes=minutes, **values)
        message = delivery.new_message(to, subject, text, html, language)
    try:
        delivery.send(message)
    except delivery.DeliveryError as error:
        log.warning("could not send the %s email: %s", template, error)
        return False
    return True


def send_sign_in_link(to: str, token: str, language: str) -> bool:
    """Email a sign-in link (to the page that asks to confirm it)."""
    link = absolute_url("accounts.confirm", lang_code=language, token=token)
    with force_locale(language):
        subject = gettext("Your link to sign in to Piblinell")
    return _send(to, subject, "sign_in", language, link=link)


def send_invitation(to: str, token: str, language: str, inviter: str, organisation: str) -> bool:
    """Email an invitation from a member, with a sign-in link."""
    link = absolute_url("accounts.confirm", lang_code=language, token=token)
    with force_locale(language):
        subject = gettext("You have been invited to publish on Piblinell")
    return _send(
        to,
        subject,
        "invitation",
        language,
        link=link,
        inviter=inviter,
        organisation=organisation,
    )
