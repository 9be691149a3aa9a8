"""Retention of alert data (a daily clock job): what is kept, and for how long. See docs/design.md,
"Email alerts: sending", "Retention".

- A sent email's body (AlertEmail.message) is deleted 30 days after it was sent; the row stays (who was told
  what, when: the items that keep anything from being told twice).
- An address with nothing live and nothing it could still confirm is deleted with all its rows (subscriptions,
  follows, emails and items) 28 days after the last of these ended: a stop (Subscriber.inactive_since), or a
  pending row's confirmation link expiring (its asked_at + CONFIRM_MAX_AGE, 7 days; a link that can no longer
  be used makes the row as good as stopped). So an address that never confirmed is deleted 35 days after it
  last asked, as the privacy page says.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, func, or_, update
from sqlmodel import col, select

from portal.alerts.tokens import CONFIRM_MAX_AGE
from portal.db import session_scope
from portal.models.alerts import AlertEmail, AlertItem, Follow, Subscriber, Subscription
from portal.models.tables import utcnow

BODY_KEPT = timedelta(days=30)
ADDRESS_KEPT = timedelta(days=28)


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
        stale = list(session.exec(select(Subscriber.id).where(*_ended_before(now - ADDRESS_KEPT))))
        for subscriber_id in stale:
            _delete_address(session, subscriber_id)
        session.commit()
        return bodies or 0, len(stale)


def _ended_before(cutoff: datetime) -> tuple:
    """The conditions of an address whose alerts all ended before `cutoff`: none live, none pending whose link
    was still usable at `cutoff` (asked after cutoff - CONFIRM_MAX_AGE), and stopped before it (or, with no
    stop recorded, created before it: pending rows are made after their address)."""
    conditions = [func.coalesce(Subscriber.inactive_since, Subscriber.created_at) < cutoff]
    for model in (Subscription, Follow):
        asked = func.coalesce(model.asked_at, model.created_at)
        of_it = model.subscriber_id == Subscriber.id
        conditions.append(~exists().where(of_it, model.status == "live"))
        conditions.append(~exists().where(of_it, and_(model.status == "pending", asked >= cutoff - CONFIRM_MAX_AGE)))
    return tuple(conditions)


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
