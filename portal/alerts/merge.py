"""Keep alerts pointing at a procurement when linking merges it into another (the same notice found on two
registers: portal.collect.ingest._merge moves its releases and keys, then deletes it).

Run in the merge's transaction, before the source procurement is deleted: its follows and told items would
otherwise hold foreign keys to a deleted row (the merge fails) or, without them, point at nothing. Items move
to the target (their releases move with it, so (subscription or follow, procurement, release) stays unique and
nothing is told twice); a follow moves too, unless the address already follows the target: then the two are
one, the livelier kept. See docs/design.md, "Email alerts: sending", "Linking".
"""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlmodel import Session, select

from portal.models.alerts import AlertItem, Follow

LIVELINESS = {"live": 2, "pending": 1, "stopped": 0}
_CARRIED = ("status", "frequency", "confirmed_at", "stopped_at", "delivered_until", "confirm_nonce", "baseline")


def move_alerts(session: Session, source_id: int, target_id: int) -> None:
    """Point the alerts of procurement `source_id` at `target_id` (the caller commits)."""
    session.execute(update(AlertItem).where(AlertItem.procurement_id == source_id).values(procurement_id=target_id))
    for follow in session.exec(select(Follow).where(Follow.procurement_id == source_id)).all():
        kept = session.exec(
            select(Follow).where(Follow.subscriber_id == follow.subscriber_id, Follow.procurement_id == target_id)
        ).first()
        if kept is None:
            follow.procurement_id = target_id
            session.add(follow)
            continue
        if LIVELINESS.get(follow.status, 0) > LIVELINESS.get(kept.status, 0):
            for name in _CARRIED:
                setattr(kept, name, getattr(follow, name))
            session.add(kept)
        session.execute(update(AlertItem).where(AlertItem.follow_id == follow.id).values(follow_id=kept.id))
        session.flush()
        session.execute(delete(Follow).where(Follow.id == follow.id))
    session.flush()
