"""Keep alerts pointing at a procurement when linking merges it into another (the same notice found on two
registers: portal.collect.ingest._merge moves its releases and keys, then deletes it).

`move_alerts` belongs in the merge's transaction, so alerts never point at a deleted procurement; until
ingest calls it, the composer's `repair_merged` finds alerts of merged procurements (their tombstones) and
moves them, each run. Items move to the target (their releases moved with it, so (subscription or follow,
procurement, release) stays unique and nothing is told twice); a follow moves too, unless the address already
follows the target: then the two are one, the livelier kept. See docs/design.md, "Email alerts: sending",
"Linking".
"""

from __future__ import annotations

from sqlalchemy import delete, exists, or_, update
from sqlmodel import Session, col, select

from portal.models.alerts import AlertItem, Follow
from portal.models.tables import Procurement, ProcurementKey, ProcurementTombstone

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


def repair_merged(session: Session) -> int:
    """Move the alerts still pointing at procurements that linking merged away to where their ocid now lives
    (a chain of merges followed through the keys, which move with each merge); return how many were moved."""
    tomb = ProcurementTombstone
    gone = session.exec(
        select(tomb.procurement_id, tomb.ocid).where(
            or_(
                exists().where(Follow.procurement_id == tomb.procurement_id),
                exists().where(AlertItem.procurement_id == tomb.procurement_id),
            ),
            col(tomb.procurement_id).not_in(select(Procurement.id)),
        )
    ).all()
    moved = 0
    for source_id, ocid in dict(gone).items():
        target_id = session.exec(
            select(ProcurementKey.procurement_id).where(ProcurementKey.kind == "ocid", ProcurementKey.key == ocid)
        ).first()
        if target_id is not None and target_id != source_id:
            move_alerts(session, source_id, target_id)
            moved += 1
    return moved
