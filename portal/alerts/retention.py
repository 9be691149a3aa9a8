"""Retention of alert data (a daily clock job): what is kept, and for how long. See docs/design.md,
"Email alerts: sending", "Retention".

- A sent email's body (AlertEmail.message) is deleted 30 days after it was sent; the row stays (who was told
  what, when: the items that keep anything from being told twice).
- An address with nothing pending or live (Subscriber.inactive_since) for more than 28 days is deleted with all
  its rows: subscriptions, follows, emails and items.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlmodel import col, select

from portal.db import session_scope
from portal.models.alerts import AlertEmail, AlertItem, Follow, Subscriber, Subscription
from portal.models.tables import utcnow

BODY_KEPT = timedelta(days=30)
ADDRESS_KEPT = timedelta(days=28)
ACTIVE = ("pending", "live")


def apply_retention(now: datetime | None = None) -> tuple[int, int]:
    """Delete sent bodies older than 30 days and addresses inactive for more than 28; return (bodies, addresses)."""
    now = now or utcnow()
    with session_scope() as session:
        bodies = session.execute(
            update(AlertEmail)
            .where(
                AlertEmail.status == "sent",
                col(AlertEmail.sent_at) < now - BODY_KEPT,
                col(AlertEmail.message).is_not(None),
            )
            .values(message=None)
        ).rowcount
        stale = [
            subscriber_id
            for subscriber_id in session.exec(
                select(Subscriber.id).where(col(Subscriber.inactive_since) < now - ADDRESS_KEPT)
            )
            if not _active(session, subscriber_id)
        ]
        for subscriber_id in stale:
            _delete_address(session, subscriber_id)
        session.commit()
        return bodies or 0, len(stale)


def _active(session, subscriber_id: int) -> bool:
    """Whether the address still has something pending or live (then inactive_since is out of date: keep it)."""
    for model in (Subscription, Follow):
        found = session.exec(
            select(model.id).where(model.subscriber_id == subscriber_id, col(model.status).in_(ACTIVE))
        ).first()
        if found is not None:
            return True
    return False


def _delete_address(session, subscriber_id: int) -> None:
    subscriptions = select(Subscription.id).where(Subscription.subscriber_id == subscriber_id)
    follows = select(Follow.id).where(Follow.subscriber_id == subscriber_id)
    emails = select(AlertEmail.id).where(AlertEmail.subscriber_id == subscriber_id)
    session.execute(
        delete(AlertItem).where(
            or_(
                col(AlertItem.email_id).in_(emails),
                col(AlertItem.subscription_id).in_(subscriptions),
                col(AlertItem.follow_id).in_(follows),
            )
        )
    )
    for model in (AlertEmail, Subscription, Follow):
        session.execute(delete(model).where(model.subscriber_id == subscriber_id))
    session.execute(delete(Subscriber).where(Subscriber.id == subscriber_id))
