"""Retention of buyer-account data: an hourly clock job ("buyers-retention" in portal.config CLOCK_SCHEDULE), so
what the privacy page promises happens within the hour.

See docs/design.md, "Buyer accounts: sign-in, organisations, audit" (Retention), and the privacy page.

- A refused sign-in (audit action `sign-in.refused`: an address off the public-sector domains, not a member, or a
  link expired, used or unknown) keeps the address that asked for REFUSED_KEPT (30 days), to see and stop misuse of
  the sign-in page and to answer who asked for access; then the event's actor and subject keep only the address's
  domain ("@example.com"), with the time, reason and step. Members' own events (sign-ins, changes) are kept.
- Sign-in links (SignInToken, which carry the address) expired over a day ago are deleted, as they are whenever
  the next link is issued.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, or_, select

from portal.accounts import signin
from portal.db import session_scope
from portal.models.accounts import AuditEvent
from portal.models.tables import utcnow

REFUSED_KEPT = timedelta(days=30)
REFUSED = "sign-in.refused"
_AN_ADDRESS = "_%@%"  # something before an "@": a whole address, not the "@domain" it is cut to


def domain_only(text: str | None) -> str | None:
    """Return an address cut to its domain ("@example.com"); anything without an "@" is returned as it is."""
    if not text or "@" not in text:
        return text
    return "@" + text.rpartition("@")[2]


def apply_retention(now: datetime | None = None) -> tuple[int, int]:
    """Cut refused sign-ins older than 30 days to their domain and delete links expired over a day ago; return
    (events cut, links deleted)."""
    now = now or utcnow()
    with session_scope() as session:
        query = select(AuditEvent).where(
            AuditEvent.action == REFUSED,
            col(AuditEvent.at) < now - REFUSED_KEPT,
            or_(col(AuditEvent.actor).like(_AN_ADDRESS), col(AuditEvent.subject).like(_AN_ADDRESS)),
        )
        events = list(session.exec(query))
        for event in events:
            event.actor, event.subject = domain_only(event.actor), domain_only(event.subject)
            session.add(event)
        links = signin.forget_old(session, now)
        session.commit()
        return len(events), links or 0
