"""The emails the alert pages send themselves: "confirm your alert" (double opt-in) and "your manage link".

Composed in the asking page's language (Flask-Babel's force_locale, so it works outside a request), plain text
and HTML, links absolute (portal.alerts.links); sent through portal.mail.delivery, the one sender, as soon as
the page has answered (after_response). A
5xx refusal marks the address (Subscriber.refused_at), a temporary failure is logged: either way the page says
the same "check your email", so it never tells a visitor more than it should. Recorded as AlertEmail rows (kind
"confirm" or "manage") without their bodies: the links in them are secrets. See docs/design.md, "Email alerts:
the pages".
"""

from __future__ import annotations

import logging

from flask import after_this_request, current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.alerts import links
from portal.alerts.describe import buyer_ids, procurement_title, summary
from portal.alerts.forms import FREQUENCY_LABELS
from portal.db import session_scope
from portal.mail import delivery
from portal.models.alerts import AlertEmail, Follow, SavedSearch, Subscriber, Subscription
from portal.models.tables import Procurement, utcnow
from portal.web.search_page import buyer_names

log = logging.getLogger(__name__)
MODELS = {"subscription": Subscription, "follow": Follow}


def _send(session, subscriber: Subscriber, kind: str, subject: str, template: str, values: dict) -> bool:
    """Render, send and record one email in values["lang"]; return True when the mail server took it."""
    text = render_template(f"alerts/email/{template}.txt", **values)
    html = render_template(f"alerts/email/{template}.html", **values)
    message = delivery.new_message(subscriber.email, subject, text, html, values["lang"])
    record = AlertEmail(
        subscriber_id=subscriber.id, kind=kind, message_id=str(message["Message-ID"]), subject=subject,
        created_at=utcnow(), attempts=1,
    )  # fmt: skip
    try:
        delivery.send(message)
    except delivery.PermanentRefusal as error:
        subscriber.refused_at, subscriber.refused_reason = utcnow(), str(error)[:500]
        record.status, record.last_error = "refused", str(error)[:500]
        session.add(subscriber)
    except delivery.TemporaryFailure as error:
        log.warning("%s email to subscriber %s not sent: %s", kind, subscriber.id, error)
        return False  # nothing recorded: asking again sends a new one
    else:
        record.status, record.sent_at = "sent", utcnow()
    session.add(record)
    session.commit()
    return record.status == "sent"


def send_confirmation(session, kind: str, row_id: int, lang: str) -> bool:
    """Send the link confirming one pending subscription or follow, in `lang` (the asking page's; confirming
    from it makes it the address's language). Return True when the mail server took it (False, sending
    nothing, when it is no longer pending)."""
    row = session.get(MODELS[kind], row_id)
    if row is None or row.status != "pending" or not row.confirm_nonce:
        return False
    subscriber = session.get(Subscriber, row.subscriber_id)
    with force_locale(lang):
        values = {"lang": lang, "kind": kind, "search": "", "title": ""}
        if kind == "subscription":
            query = session.get(SavedSearch, row.saved_search_id).query
            values["search"] = summary(query, buyer_names(buyer_ids(query)))
        else:
            values["title"] = procurement_title(session.get(Procurement, row.procurement_id), lang)
        values["frequency_label"] = str(FREQUENCY_LABELS[row.frequency])
        values["confirm_url"] = links.confirm_url(kind, row.id, row.confirm_nonce, lang)
        subject = (
            _("Confirm your email alert from Piblinell")
            if kind == "subscription"
            else _("Confirm you want to follow this procurement on Piblinell")
        )
        return _send(session, subscriber, "confirm", subject, "confirm", values)


def send_manage_link(session, subscriber_id: int, lang: str) -> bool:
    """Send an address the link to its manage page, in `lang` (the page it was asked from)."""
    subscriber = session.get(Subscriber, subscriber_id)
    if subscriber is None:
        return False
    with force_locale(lang):
        values = {"lang": lang, "manage_url": links.manage_url(subscriber, lang)}
        return _send(session, subscriber, "manage", _("Your Piblinell email alerts"), "manage_link", values)


def after_response(job, **values) -> None:
    """Run `job(session, **values)` once this request's response has been sent, in its own app context and
    session: how long a page takes then says nothing about whether an email was sent (so nothing about whether
    an address is known or already subscribed). A failure is logged; the page has already answered the same."""
    app = current_app._get_current_object()

    def run() -> None:
        with app.app_context(), session_scope() as session:
            try:
                job(session, **values)
            except Exception:
                log.exception("alert email %s %s not sent", job.__name__, values)

    @after_this_request
    def attach(response):
        response.call_on_close(run)
        return response
