"""A subscription's or follow's life: asked for (pending, with a nonce) → confirmed once (live) → stopped.

Database logic only, no pages and no mail: the views call these and send what they say to send. Concurrent
double submits meet the unique constraints (Subscriber.email, SavedSearch.query_hash, one subscription per
search and one follow per procurement for an address) and take the row the other request made, never a 500.
Confirmation is one conditional UPDATE on the nonce, so a link confirms once however many times it is posted.
See docs/design.md, "Email alerts: the pages".
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from portal.alerts.tokens import CONFIRM_MAX_AGE
from portal.db import lock_for_writing
from portal.models.alerts import Follow, SavedSearch, Subscriber, Subscription
from portal.models.tables import Procurement, utcnow

ACTIVE = ("pending", "live")
MODELS = {"subscription": Subscription, "follow": Follow}


class LinkUsed(Exception):
    """A genuine confirm link whose nonce no longer matches: used already, replaced by a newer one, or stopped."""


@dataclass(frozen=True)
class Requested:
    """What asking for emails did: `row` is the subscription or follow; `send` is False when it was live
    already (nothing new is sent, and the page says the same as ever)."""

    subscriber: Subscriber
    kind: str
    row: Subscription | Follow
    send: bool


def _get_or_create(session: Session, model, lookup: dict, defaults: dict):
    """Return the row matching `lookup`, inserting it (committed) when missing; a concurrent insert of the same
    row loses the unique-constraint race quietly and reads the winner's."""
    found = session.exec(select(model).filter_by(**lookup)).first()
    if found is not None:
        return found
    row = model(**lookup, **defaults, created_at=utcnow())
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return session.exec(select(model).filter_by(**lookup)).one()
    return row


def subscriber_for(session: Session, email: str, language: str) -> Subscriber:
    """Return the subscriber of a normalised address, made (in the page's language) when new. A known
    address's language changes only when its owner confirms from a page in another language (confirm), so
    nobody else can change it by typing the address in."""
    return _get_or_create(session, Subscriber, {"email": email}, {"language": language})


def saved_search_for(session: Session, query: str) -> SavedSearch:
    """Return the one SavedSearch of a canonical query string, stored once (unique on its sha256)."""
    digest = hashlib.sha256(query.encode("utf-8")).hexdigest()
    return _get_or_create(session, SavedSearch, {"query_hash": digest}, {"query": query})


def _ask(session: Session, subscriber: Subscriber, kind: str, lookup: dict, frequency: str) -> Requested:
    model = MODELS[kind]
    row = _get_or_create(session, model, {"subscriber_id": subscriber.id, **lookup}, {"frequency": frequency})
    if row.status == "live":
        return Requested(subscriber, kind, row, send=False)
    row.status, row.frequency, row.stopped_at = "pending", frequency, None
    row.confirm_nonce = secrets.token_urlsafe(24)  # a newer confirmation email replaces the older link
    row.asked_at = utcnow()  # its link works for CONFIRM_MAX_AGE; past that the row counts as stopped (retention)
    session.add(row)
    subscriber.inactive_since = None
    session.add(subscriber)
    session.commit()
    return Requested(subscriber, kind, row, send=True)


def request_subscription(session: Session, email: str, language: str, query: str, frequency: str) -> Requested:
    """Ask for emails about a saved query: pending until confirmed (or unchanged when live already)."""
    subscriber = subscriber_for(session, email, language)
    search = saved_search_for(session, query)
    return _ask(session, subscriber, "subscription", {"saved_search_id": search.id}, frequency)


def request_follow(session: Session, email: str, language: str, procurement: Procurement, frequency: str) -> Requested:
    """Ask for emails about changes to one procurement: pending until confirmed (unchanged when live)."""
    subscriber = subscriber_for(session, email, language)
    return _ask(session, subscriber, "follow", {"procurement_id": procurement.id}, frequency)


def confirm(session: Session, kind: str, row_id: int, nonce: str, language: str | None = None):
    """Make a pending subscription or follow live, once: clear its nonce, start its deliveries now (what arrives
    after is new to it), mark the address proven and, given the confirming page's `language`, make it the
    address's. Raise LinkUsed when the nonce no longer matches.

    The watermark is read under the notice writers' lock, as the sender reads a batch's end
    (portal.alerts.deliver._lock_composing): an ingest stamps its changed_at under that lock, so a page being
    stored meanwhile either commits before this moment (it had arrived: not new) or stamps a later time (new to
    this row). Never stamped before the confirmation and committed after it, which no run would tell
    (docs/design.md, "Email alerts: the pages", "Double opt-in")."""
    model = MODELS[kind]
    lock_for_writing(session)  # held until this short transaction commits; waits for a page being stored
    now = utcnow()
    values = {"status": "live", "confirmed_at": now, "delivered_until": now, "confirm_nonce": None}
    if kind == "follow":
        values["baseline"] = _baseline(session, row_id)
    done = session.execute(
        update(model)
        .where(col(model.id) == row_id, col(model.confirm_nonce) == nonce, col(model.status) == "pending")
        .values(**values)
    )
    if done.rowcount != 1:
        session.rollback()
        raise LinkUsed(f"{kind} {row_id}")
    row = session.get(model, row_id)
    subscriber = session.get(Subscriber, row.subscriber_id)
    subscriber.confirmed_at = subscriber.confirmed_at or now
    subscriber.language = language or subscriber.language
    subscriber.inactive_since = None
    subscriber.refused_at = subscriber.refused_reason = None  # it just received our email
    session.add(subscriber)
    session.commit()
    session.refresh(row)
    return row


def _baseline(session: Session, follow_id: int) -> dict:
    """The procurement's material facts now, which its first follow email compares with (portal.alerts.changes)."""
    from portal.alerts.changes import baseline_of

    follow = session.get(Follow, follow_id)
    procurement = session.get(Procurement, follow.procurement_id) if follow else None
    return baseline_of(procurement) if procurement else {}


def refresh_inactive(session: Session, subscriber: Subscriber) -> None:
    """Set the address's inactive_since when nothing of it is live or still confirmable (retention deletes it
    28 days later; a pending row whose link expired counts as stopped: portal.alerts.retention); clear it when
    something is. The caller commits."""
    usable = utcnow() - CONFIRM_MAX_AGE
    active = sum(
        session.exec(
            select(func.count())
            .select_from(model)
            .where(
                model.subscriber_id == subscriber.id,
                (col(model.status) == "live")
                | ((col(model.status) == "pending") & (func.coalesce(model.asked_at, model.created_at) >= usable)),
            )
        ).one()
        for model in MODELS.values()
    )
    if active:
        subscriber.inactive_since = None
    elif subscriber.inactive_since is None:
        subscriber.inactive_since = utcnow()
    session.add(subscriber)


def stop(session: Session, row) -> None:
    """Stop one subscription or follow (idempotent) and commit."""
    stop_rows(session, [row])


def stop_rows(session: Session, rows: list) -> None:
    """Stop subscriptions and follows of one address (an email's one-click unsubscribe: everything it is
    about) in one transaction; idempotent; commit."""
    now = utcnow()
    for row in rows:
        if row.status != "stopped":
            row.status, row.stopped_at, row.confirm_nonce = "stopped", now, None
            session.add(row)
    session.flush()
    for subscriber_id in {row.subscriber_id for row in rows}:
        refresh_inactive(session, session.get(Subscriber, subscriber_id))
    session.commit()


def stop_all(session: Session, subscriber: Subscriber) -> None:
    """Stop everything of an address and end its older manage links (token_version + 1); commit."""
    now = utcnow()
    for model in MODELS.values():
        session.execute(
            update(model)
            .where(col(model.subscriber_id) == subscriber.id, col(model.status).in_(ACTIVE))
            .values(status="stopped", stopped_at=now, confirm_nonce=None)
        )
    subscriber.token_version += 1
    session.add(subscriber)
    session.flush()
    refresh_inactive(session, subscriber)
    session.commit()


def set_frequency(session: Session, row, frequency: str) -> None:
    """Change how often a subscription or follow is sent; commit."""
    row.frequency = frequency
    session.add(row)
    session.commit()


def rows_of(session: Session, subscriber: Subscriber) -> dict[str, list]:
    """Return an address's pending and live subscriptions (with their saved searches) and follows (with their
    procurements), oldest first."""
    subscriptions = session.exec(
        select(Subscription, SavedSearch)
        .join(SavedSearch, col(SavedSearch.id) == col(Subscription.saved_search_id))
        .where(Subscription.subscriber_id == subscriber.id, col(Subscription.status).in_(ACTIVE))
        .order_by(col(Subscription.id))
    ).all()
    follows = session.exec(
        select(Follow, Procurement)
        .join(Procurement, col(Procurement.id) == col(Follow.procurement_id))
        .where(Follow.subscriber_id == subscriber.id, col(Follow.status).in_(ACTIVE))
        .order_by(col(Follow.id))
    ).all()
    return {"subscriptions": list(subscriptions), "follows": list(follows)}


def owned(session: Session, subscriber: Subscriber, kind: str, row_id: int):
    """Return one subscription or follow of this address, or None (another address's id finds nothing)."""
    if kind not in MODELS:
        return None
    row = session.get(MODELS[kind], row_id)
    return row if row is not None and row.subscriber_id == subscriber.id else None
