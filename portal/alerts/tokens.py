"""Signed links for alerts (itsdangerous), a salt per purpose so a token made for one never works for another.

- confirm: a subscription or follow and its single-use nonce; 7 days (`CONFIRM_MAX_AGE`).
- manage: a subscriber and its token version ("stop all" bumps the version, ending older links); 90 days.
- unsubscribe: one subscription or follow; no expiry (RFC 8058 links live as long as the emails).
- digest: one email's one-click unsubscribe: the email's id and every subscription and follow it is about; no
  expiry. An address's digest covers several, so its RFC 8058 link must end them all, and only them.

Reading a token never changes anything: the views decide, on POST only. See docs/design.md, "Email alerts".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

CONFIRM_MAX_AGE = timedelta(days=7)
MANAGE_MAX_AGE = timedelta(days=90)
KINDS = ("subscription", "follow")
_SALTS = {
    "confirm": "piblinell-alert-confirm",
    "manage": "piblinell-alert-manage",
    "unsub": "piblinell-alert-unsub",
    "digest": "piblinell-alert-digest",
}


class TokenInvalid(Exception):
    """A token that was tampered with, made for another purpose, or malformed."""


class TokenExpired(TokenInvalid):
    """A genuine token that is too old."""


@dataclass(frozen=True)
class Target:
    """What a confirm or unsubscribe token points at."""

    kind: str  # "subscription" or "follow"
    id: int
    nonce: str = ""  # confirm tokens only


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALTS[purpose])


def _load(purpose: str, token: str, max_age: timedelta | None):
    try:
        return _serializer(purpose).loads(token, max_age=None if max_age is None else max_age.total_seconds())
    except SignatureExpired as error:  # genuine, but too old
        raise TokenExpired(str(error)) from error
    except BadSignature as error:
        raise TokenInvalid(str(error)) from error


def _target(data, with_nonce: bool) -> Target:
    if not (isinstance(data, list) and len(data) == 3 and data[0] in KINDS and isinstance(data[1], int)):
        raise TokenInvalid("malformed token")
    if not isinstance(data[2], str) or (with_nonce and not data[2]):
        raise TokenInvalid("malformed token")
    return Target(data[0], data[1], data[2] if with_nonce else "")


def confirm_token(kind: str, row_id: int, nonce: str) -> str:
    """A link's token confirming one subscription or follow, once."""
    return _serializer("confirm").dumps([kind, row_id, nonce])


def read_confirm_token(token: str) -> Target:
    """Return what a confirm token points at, or raise TokenInvalid / TokenExpired."""
    return _target(_load("confirm", token, CONFIRM_MAX_AGE), with_nonce=True)


def unsubscribe_token(kind: str, row_id: int) -> str:
    """The RFC 8058 one-click unsubscribe token of one subscription or follow."""
    return _serializer("unsub").dumps([kind, row_id, ""])


def read_unsubscribe_token(token: str) -> Target:
    return _target(_load("unsub", token, None), with_nonce=False)


@dataclass(frozen=True)
class Covered:
    """What one email is about, as its one-click unsubscribe token says: the email and its rows."""

    email_id: int
    subscriptions: tuple[int, ...]
    follows: tuple[int, ...]


def _ids(value) -> bool:
    return isinstance(value, list) and all(isinstance(part, int) and not isinstance(part, bool) for part in value)


def digest_token(email_id: int, subscription_ids, follow_ids) -> str:
    """The RFC 8058 one-click token of one email: it ends every subscription and follow the email is about."""
    return _serializer("digest").dumps([email_id, sorted(subscription_ids), sorted(follow_ids)])


def read_digest_token(token: str) -> Covered:
    """Return what a digest token covers, or raise TokenInvalid."""
    data = _load("digest", token, None)
    if not (isinstance(data, list) and len(data) == 3 and isinstance(data[0], int) and _ids(data[1])):
        raise TokenInvalid("malformed token")
    if not _ids(data[2]) or not (data[1] or data[2]):
        raise TokenInvalid("malformed token")
    return Covered(data[0], tuple(data[1]), tuple(data[2]))


def manage_token(subscriber_id: int, token_version: int) -> str:
    """The token of a subscriber's manage page."""
    return _serializer("manage").dumps([subscriber_id, token_version])


def read_manage_token(token: str) -> tuple[int, int]:
    """Return (subscriber id, token version), or raise TokenInvalid / TokenExpired; the caller compares the
    version with the subscriber's current one."""
    data = _load("manage", token, MANAGE_MAX_AGE)
    if not (isinstance(data, list) and len(data) == 2 and all(isinstance(part, int) for part in data)):
        raise TokenInvalid("malformed token")
    return data[0], data[1]
