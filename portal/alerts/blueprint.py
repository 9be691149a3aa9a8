"""The alert pages' blueprint and what its views share: rate limits, the masked address, bad-link answers.

See docs/design.md, "Email alerts: the pages".
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext

from portal.alerts.forms import normalise_email
from portal.i18n import LANG_PREFIX
from portal.security import limiter

bp = Blueprint("alerts", __name__, url_prefix=LANG_PREFIX + "/alerts")

# Forms that send email: per client address and, across all of them, per email address (memory storage by
# default; RATELIMIT_STORAGE_URI=redis://… shares the counts between web processes). A refused request gets
# the portal's bilingual 429 page (portal.web.frontend).
CLIENT_LIMIT = "20/hour"
ADDRESS_LIMIT = "5/hour"


def _address_key() -> str:
    return "alert-address:" + normalise_email(request.form.get("email", ""))


def _no_valid_address() -> bool:
    try:
        normalise_email(request.form.get("email", ""))
    except ValueError:
        return True  # the form refuses it anyway; only the per-client limit counts it
    return False


def limited(view):
    """Rate-limit a view's POSTs that send email, per client and per address."""
    view = limiter.shared_limit(
        ADDRESS_LIMIT, scope="alert-address", key_func=_address_key, methods=["POST"], exempt_when=_no_valid_address
    )(view)
    return limiter.shared_limit(CLIENT_LIMIT, scope="alert-client", methods=["POST"])(view)


def mask(email: str) -> str:
    """Return an address as pages may show it: its first character and its domain ("j…@example.org")."""
    local, _at, domain = email.rpartition("@")
    return f"{local[:1]}…@{domain}"


# A link that cannot be used: (status, title, explanation), each in the page's language.
LINK_PROBLEMS = {
    "invalid": (
        400,
        lazy_gettext("This link is not valid"),
        lazy_gettext("Check that you copied the whole link from the email, or ask for a new one."),
    ),
    "expired": (
        410,
        lazy_gettext("This link has expired"),
        lazy_gettext("Links to confirm an email alert work for 7 days. Ask for the alert again to get a new link."),
    ),
    "used": (
        410,
        lazy_gettext("This link has already been used"),
        lazy_gettext(
            "Each link to confirm an email alert works once, and a newer email replaces it. "
            "If you confirmed already, your emails are on their way."
        ),
    ),
    "old": (
        410,
        lazy_gettext("This link no longer works"),
        lazy_gettext("It was replaced when all emails to this address were stopped, or it is too old."),
    ),
}


def link_problem(problem: str):
    """Answer a link that cannot be used with a clear page; nothing is changed."""
    status, title, explanation = LINK_PROBLEMS[problem]
    return render_template("alerts/link_problem.html", title=title, explanation=explanation, problem=problem), status
