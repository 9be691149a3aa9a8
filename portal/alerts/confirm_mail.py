"""The emails the alert pages send themselves: "confirm your alert" (double opt-in) and "your manage link".

Composed in the address's language (Flask-Babel's force_locale, so it works outside a request too), plain text
and HTML, links absolute (portal.alerts.links); sent at once through portal.mail.delivery, the one sender. A
5xx refusal marks the address (Subscriber.refused_at), a temporary failure is logged: either way the page says
the same "check your email", so it never tells a visitor more than it should. Recorded as AlertEmail rows (kind
"confirm" or "manage") without their bodies: the links in them are secrets. See docs/design.md, "Email alerts:
the pages".
"""

from __future__ import annotations

import logging

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.alerts import links
from portal.alerts.describe import procurement_title, summary
from portal.alerts.forms import FREQUENCY_LABELS
from portal.mail import delivery
from portal.models.alerts import AlertEmail, Subscriber
from portal.models.tables import utcnow

log = logging.getLogger(__name__)


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


def send_confirmation(session, subscriber: Subscriber, kind: str, row, what: dict) -> bool:
    """Send the link confirming one pending subscription or follow; `what` is {"query": …} for a search or
    {"procurement": …} for a follow. Return True when the mail server took it."""
    lang = subscriber.language
    with force_locale(lang):
        values = {
            "lang": lang,
            "kind": kind,
            "frequency": row.frequency,
            "search": summary(what["query"], what.get("buyers")) if kind == "subscription" else "",
            "title": procurement_title(what["procurement"], lang) if kind == "follow" else "",
            "frequency_label": str(FREQUENCY_LABELS[row.frequency]),
            "confirm_url": links.confirm_url(kind, row.id, row.confirm_nonce, lang),
        }
        subject = (
            _("Confirm your email alert from Piblinell")
            if kind == "subscription"
            else _("Confirm you want to follow this procurement on Piblinell")
        )
        return _send(session, subscriber, "confirm", subject, "confirm", values)


def send_manage_link(session, subscriber: Subscriber, lang: str) -> bool:
    """Send an address the link to its manage page, in `lang` (the page it was asked from)."""
    with force_locale(lang):
        values = {"lang": lang, "manage_url": links.manage_url(subscriber, lang)}
        return _send(session, subscriber, "manage", _("Your Piblinell email alerts"), "manage_link", values)
