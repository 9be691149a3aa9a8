"""Who may sign in, and the emailed sign-in links: pure rules and the token table, no Flask views.

A link carries 32 random bytes (secrets.token_urlsafe(32)); only their SHA-256 is stored, so the table alone
signs no one in. A link is good once, for LINK_LIFETIME. See docs/design.md, "Buyer accounts: sign-in,
organisations, audit".
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

import idna
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, update
from sqlmodel import Session, select

from portal.models.accounts import Membership, Person, SignInToken

LINK_LIFETIME = timedelta(minutes=15)
TOKEN_BYTES = 32
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")  # what token_urlsafe(32) gives


class LinkState(StrEnum):
    """What a sign-in link is worth when opened."""

    GOOD = "good"
    EXPIRED = "expired"
    USED = "used"
    UNKNOWN = "unknown"  # never issued, tampered with, or cut short by a mail program


def normalise_email(text: str) -> str:
    """Return the address as people are stored (lower case, the domain in its ASCII form), or raise
    EmailNotValidError. No DNS lookups: a sign-in form must answer the same for every address."""
    result = validate_email(text.strip(), check_deliverability=False)
    return f"{result.local_part}@{result.ascii_domain}".lower()


def _ascii_suffix(suffix: str) -> str:
    suffix = suffix.strip().strip(".").lower()
    try:
        return idna.encode(suffix, uts46=True).decode("ascii")
    except idna.IDNAError:
        return suffix


def domain_allowed(email: str, suffixes: list[str]) -> bool:
    """Whether a normalised address's domain is one of the suffixes or under one (gov.wales admits
    caerdydd.gov.wales, not evilgov.wales), compared in ASCII (IDNA) form, without case."""
    domain = email.rpartition("@")[2].lower()
    for suffix in filter(None, map(_ascii_suffix, suffixes)):
        if domain == suffix or domain.endswith("." + suffix):
            return True
    return False


def may_sign_in(session: Session, email: str) -> Person | None:
    """The person a link may be sent to: known, not disabled, and a member of at least one organisation."""
    person = session.exec(select(Person).where(Person.email == email)).first()
    if person is None or person.disabled_at is not None:
        return None
    member = session.exec(select(Membership.id).where(Membership.person_id == person.id)).first()
    return person if member is not None else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def issue(session: Session, email: str, now: datetime) -> str:
    """Store a new link's hash for the address and return the token itself (to be emailed, never stored)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(SignInToken(token_hash=_digest(token), email=email, created_at=now, expires_at=now + LINK_LIFETIME))
    return token


def _find(session: Session, token: str) -> SignInToken | None:
    if not _TOKEN_SHAPE.fullmatch(token):
        return None
    return session.exec(select(SignInToken).where(SignInToken.token_hash == _digest(token))).first()


def _state(row: SignInToken | None, now: datetime) -> LinkState:
    if row is None:
        return LinkState.UNKNOWN
    if row.used_at is not None:
        return LinkState.USED
    if row.expires_at <= now:
        return LinkState.EXPIRED
    return LinkState.GOOD


def inspect(session: Session, token: str, now: datetime) -> LinkState:
    """What the link is worth, changing nothing (a GET, which mail scanners make)."""
    return _state(_find(session, token), now)


def redeem(session: Session, token: str, now: datetime) -> tuple[LinkState, str | None]:
    """Use the link up: (GOOD, its address) once, then (USED, address). The update is conditional on the link
    being unused, so two requests racing with one link cannot both sign in. The caller commits."""
    row = _find(session, token)
    state = _state(row, now)
    if state is not LinkState.GOOD:
        return state, row.email if row else None
    used = session.execute(
        update(SignInToken)
        .where(SignInToken.id == row.id, SignInToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        return LinkState.USED, row.email
    return LinkState.GOOD, row.email


def forget_old(session: Session, now: datetime) -> int:
    """Delete links that expired over a day ago (the caller commits); return how many."""
    gone = session.execute(delete(SignInToken).where(SignInToken.expires_at < now - timedelta(days=1)))
    return gone.rowcount


__all__ = ["EmailNotValidError", "LinkState", "domain_allowed", "inspect", "issue", "may_sign_in", "redeem"]
