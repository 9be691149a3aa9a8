"""What is due: the live subscriptions and follows of one frequency, and the procurements new or changed since
their oldest watermark (reads only). See docs/design.md, "Email alerts: sending".

"New" is Piblinell's own time, not the notice's: a procurement is in the batch when it was stored or changed
(Procurement.changed_at, set by every collection and import) after a subscription's delivered_until, so a
notice imported today from last year's file is new to its subscribers. The composer holds the notice writers'
lock (portal.db.lock_for_writing) while it reads, so no ingest commits a changed_at earlier than the batch's
end after the batch was read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from portal.models.alerts import AlertItem, Follow, SavedSearch, Subscriber, Subscription
from portal.models.tables import Procurement, Release


@dataclass
class Due:
    """The live rows of one frequency whose address may still be mailed, with their watermarks."""

    subscriptions: list[Subscription]
    follows: list[Follow]
    subscribers: dict[int, Subscriber]
    queries: dict[int, str]  # saved_search_id -> canonical query string

    def oldest(self) -> datetime | None:
        marks = [row.delivered_until or row.confirmed_at for row in (*self.subscriptions, *self.follows)]
        marks = [mark for mark in marks if mark is not None]
        return min(marks) if marks else None


def since(row) -> datetime | None:
    """A subscription's or follow's watermark: its last delivery's batch end, else its confirmation."""
    return row.delivered_until or row.confirmed_at


def due(session: Session, frequency: str) -> Due:
    """The live subscriptions and follows of `frequency` whose address has not been refused."""
    live = (
        col(Subscriber.refused_at).is_(None),
        col(Subscriber.confirmed_at).is_not(None),
    )
    subscriptions = list(
        session.exec(
            select(Subscription)
            .join(Subscriber, col(Subscriber.id) == Subscription.subscriber_id)
            .where(Subscription.status == "live", Subscription.frequency == frequency, *live)
            .order_by(Subscription.id)
        )
    )
    follows = list(
        session.exec(
            select(Follow)
            .join(Subscriber, col(Subscriber.id) == Follow.subscriber_id)
            .where(Follow.status == "live", Follow.frequency == frequency, *live)
            .order_by(Follow.id)
        )
    )
    ids = {row.subscriber_id for row in (*subscriptions, *follows)}
    subscribers = {s.id: s for s in session.exec(select(Subscriber).where(col(Subscriber.id).in_(ids)))} if ids else {}
    search_ids = {row.saved_search_id for row in subscriptions}
    queries = (
        {s.id: s.query for s in session.exec(select(SavedSearch).where(col(SavedSearch.id).in_(search_ids)))}
        if search_ids
        else {}
    )
    return Due(subscriptions, follows, subscribers, queries)


def changed_between(session: Session, start: datetime, end: datetime, closing_within=None) -> list[Procurement]:
    """Procurements stored or changed after `start` and at or before `end` (Piblinell's time); with
    `closing_within`, also the open tenders whose deadline falls within it after `end` (a reminder)."""
    changed = and_(Procurement.changed_at > start, Procurement.changed_at <= end)
    if closing_within is not None:
        closing = and_(
            Procurement.stage == "open", Procurement.deadline > end, Procurement.deadline <= end + closing_within
        )
        changed = or_(changed, closing)
    return list(session.exec(select(Procurement).where(changed).order_by(Procurement.id)))


def latest_releases(session: Session, procurement_ids: list[int]) -> dict[int, int]:
    """The id of each procurement's latest stored release (what an item records it told)."""
    if not procurement_ids:
        return {}
    rows = session.exec(
        select(Release.procurement_id, func.max(Release.id))
        .where(col(Release.procurement_id).in_(procurement_ids))
        .group_by(Release.procurement_id)
    )
    return dict(rows.all())


def release_json(session: Session, release_id: int | None) -> dict | None:
    """A stored release's own JSON (to read its documents), or None."""
    if release_id is None:
        return None
    raw = session.exec(select(Release.raw).where(Release.id == release_id)).first()
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def told(session: Session, subscription_ids: list[int], procurement_ids: list[int]) -> set[tuple]:
    """What was already told to these subscriptions: (subscription, procurement, section) and
    (subscription, procurement, release) keys, so nothing is told twice."""
    if not subscription_ids or not procurement_ids:
        return set()
    rows = session.exec(
        select(AlertItem.subscription_id, AlertItem.procurement_id, AlertItem.section, AlertItem.release_id).where(
            col(AlertItem.subscription_id).in_(subscription_ids), col(AlertItem.procurement_id).in_(procurement_ids)
        )
    )
    keys = set()
    for subscription_id, procurement_id, section, release_id in rows:
        keys.add((subscription_id, procurement_id, section))
        keys.add((subscription_id, procurement_id, release_id))
    return keys


def told_follow(session: Session, follow_id: int, release_id: int) -> bool:
    """Whether a follow was already told about this release (an item is unique per follow, procurement and
    release: a change compiled later from the same release is folded into the baseline, not told again)."""
    found = session.exec(
        select(AlertItem.id).where(AlertItem.follow_id == follow_id, AlertItem.release_id == release_id)
    ).first()
    return found is not None
