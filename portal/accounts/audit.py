"""The audit log: who did what, when (sign-ins and refusals, sign-outs, approvals, invitations, and every change
buyers make to their published work). See docs/design.md, "Buyer accounts: sign-in, organisations, audit".

`record` only adds the event to the caller's session: it is committed with the change it describes, so a change
is never stored without its event, nor an event without its change.
"""

from __future__ import annotations

from sqlmodel import Session, select

from portal.models.accounts import AuditEvent
from portal.models.tables import utcnow

CLI_ACTOR = "cli"  # the actor of what an operator does with `flask buyers`
MAX_ACTION = 40  # AuditEvent.action's length


def record(
    session: Session,
    action: str,
    actor: str | None,
    organisation_id: int | None = None,
    subject: str | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """Add an event to the session (the caller commits): `action` a short verb such as "sign-in" or
    "entry.publish", `actor` an email address or "cli", `subject` what it acted on (an address, an ocid)."""
    if not action or len(action) > MAX_ACTION:
        raise ValueError(f"an audit action is a short name, got {action!r}")
    event = AuditEvent(
        at=utcnow(), action=action, actor=actor, organisation_id=organisation_id, subject=subject, detail=detail or {}
    )
    session.add(event)
    return event


def recent(session: Session, limit: int = 50, organisation_id: int | None = None) -> list[AuditEvent]:
    """The latest events first (of one organisation when given)."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if organisation_id is not None:
        query = query.where(AuditEvent.organisation_id == organisation_id)
    return list(session.exec(query))
