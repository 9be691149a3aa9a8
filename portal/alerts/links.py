"""Absolute links into the alert pages, for emails (RFC 8058 headers, visible unsubscribe and manage links).

Built from PUBLIC_BASE_URL through portal.mail.links, so they work in the clock, outside any request. Each
link's token is made here (portal.alerts.tokens); following one only shows a page: the page's button acts (POST).
See docs/design.md, "Email alerts: the pages".
"""

from __future__ import annotations

from portal.alerts import tokens
from portal.mail.links import absolute_url


def unsubscribe_url(kind: str, row_id: int, lang: str) -> str:
    """The one-click unsubscribe address of one subscription or follow (`kind` "subscription" or "follow")."""
    if kind not in tokens.KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    return absolute_url("alerts.unsubscribe", lang_code=lang, token=tokens.unsubscribe_token(kind, row_id))


def manage_url(subscriber, lang: str) -> str:
    """The address of a subscriber's manage page (older links die when "stop all" bumps its token_version)."""
    return absolute_url(
        "alerts.manage", lang_code=lang, token=tokens.manage_token(subscriber.id, subscriber.token_version)
    )


def confirm_url(kind: str, row_id: int, nonce: str, lang: str) -> str:
    """The address of the page confirming one pending subscription or follow."""
    return absolute_url("alerts.confirm", lang_code=lang, token=tokens.confirm_token(kind, row_id, nonce))


def digest_unsubscribe_url(email_id: int, subscription_ids, follow_ids, lang: str) -> str:
    """The one-click unsubscribe address of one email: it ends every subscription and follow the email is
    about (RFC 8058: the mail client's unsubscribe ends what the email is about)."""
    token = tokens.digest_token(email_id, subscription_ids, follow_ids)
    return absolute_url("alerts.unsubscribe_email", lang_code=lang, token=token)
