"""Alert emails, exactly once: compose what is due into pending email rows, then claim, send and mark each.

The only I/O of alerts (docs/design.md, "Email alerts: sending"):

1. `prepare(frequency)`: under the notice writers' lock, read the due subscriptions and follows and the batch
   of procurements new or changed since their oldest watermark; match every saved search once
   (portal.alerts.matcher.match_batch); write the emails: their items (AlertItem, unique per
   subscription or follow, procurement and release) and the email rows (pending, the whole message) are
   written in ONE transaction with the watermarks, so a crash leaves either all of it or none of it. An
   address gets one digest per frequency per run, each procurement once, whose one-click unsubscribe ends
   every subscription and follow it is about (links.digest_unsubscribe_url).
2. `send_pending()`: claim each pending email (pending → sending, one conditional UPDATE: two senders never
   both win), send it through portal.mail.delivery, mark it sent. A temporary failure puts it back to
   pending with a backoff; a permanent refusal marks the address refused and ends all mail to it.
   A row left 'sending' by a crashed sender goes back to pending after STALE_AFTER and is sent again as the
   same message (same Message-ID: receivers drop the repeat); its items were never recomposed.
"""

from __future__ import annotations

import email
import email.policy
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import insert, text, update
from sqlmodel import Session, col, select

from portal.alerts import batch
from portal.alerts.compose import CLOSING_WITHIN, DEFAULT_MAX_ITEMS, Email, compose
from portal.alerts.links import digest_unsubscribe_url, manage_url, unsubscribe_url
from portal.alerts.merge import repair_merged
from portal.alerts.plan import Plan, plan_follows, plan_subscriptions
from portal.db import lock_for_writing, session_scope
from portal.mail import delivery
from portal.models.alerts import AlertEmail, AlertItem, Follow, Subscriber, Subscription
from portal.models.tables import utcnow

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=15)  # far longer than one SMTP conversation (MAIL_TIMEOUT, 30 s)
BACKOFF_FIRST = timedelta(minutes=5)
BACKOFF_MOST = timedelta(hours=6)
COMPOSE_LOCK = 7_262_838  # PostgreSQL advisory lock key of the alert composers (beside portal.db.WRITE_LOCK)


@dataclass
class Report:
    """What a run did."""

    emails: int = 0
    items: int = 0
    sent: int = 0
    deferred: int = 0
    refused: int = 0
    stale: int = 0


def _write_email(session, plan: Plan, run: tuple) -> list:
    """Compose the one email of an address in this run and store it pending; return its items (for every row
    of the address that found a procurement it lists), for the caller to insert with the run's others. `run`
    is (frequency, the batch's end, the run's compose cache)."""
    frequency, now, cache = run
    subscriber, lang = plan.subscriber, plan.subscriber.language if plan.subscriber.language == "cy" else "en"
    subscription_ids, follow_ids = plan.covered()
    row = AlertEmail(
        subscriber_id=subscriber.id,
        kind="digest" if subscription_ids else "follow",
        frequency=frequency,
        message_id="",
        created_at=now,
    )
    session.add(row)
    session.flush()  # its id goes in its one-click token
    follows = {row_id: procurement_id for kind, row_id, procurement_id, *_ in plan.rows if kind == "follow"}
    parts = compose(
        Email(
            to=subscriber.email,
            language=lang,
            items=list(plan.items.values()),
            queries=[plan.queries[subscription_id] for subscription_id in subscription_ids],
            unsubscribe_url=digest_unsubscribe_url(row.id, subscription_ids, follow_ids, lang),
            manage_url=manage_url(subscriber, lang),
            max_items=int(current_app.config.get("ALERTS_MAX_ITEMS", DEFAULT_MAX_ITEMS)),
            stop_searches={
                plan.queries[row_id]: unsubscribe_url("subscription", row_id, lang) for row_id in subscription_ids
            },
            stop_follows={
                procurement_id: unsubscribe_url("follow", row_id, lang) for row_id, procurement_id in follows.items()
            },
        ),
        cache,
    )
    message = delivery.new_message(subscriber.email, parts.subject, parts.text, parts.html, lang)
    for name, value in parts.headers.items():
        message[name] = value
    row.message_id, row.subject, row.message = message["Message-ID"], parts.subject, message.as_string()
    session.add(row)
    shown = set(parts.shown)
    items = [
        {
            "email_id": row.id,
            "subscription_id": row_id if row_kind == "subscription" else None,
            "follow_id": row_id if row_kind == "follow" else None,
            "procurement_id": procurement_id,
            "release_id": release_id,
            "section": section,
            "matched": matched,
            "created_at": now,
        }
        for row_kind, row_id, procurement_id, release_id, section, matched in plan.rows
        if procurement_id in shown
    ]
    return items


def _lock_composing(session: Session) -> datetime:
    """Make this transaction the only composer, and return the batch's end: a moment no ingest can commit a
    `changed_at` before once we read (ingest stamps its time under the notice writers' lock, which we take to
    read the clock). PostgreSQL: a composers' advisory lock for the transaction, and the writers' lock only for
    that moment, so collections and imports go on while emails are composed. SQLite has one writer at a time:
    the writers' lock for the whole transaction (docs/design.md, "Email alerts: sending")."""
    if session.get_bind().dialect.name != "postgresql":
        lock_for_writing(session)
        return utcnow()
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": COMPOSE_LOCK})
    with session_scope() as clock:
        lock_for_writing(clock)
        end = utcnow()
        clock.rollback()
    return end


def prepare(frequency: str, dry_run: bool = False) -> Report:
    """Compose every email due at `frequency` into pending rows (nothing is sent here)."""
    report = Report()
    with session_scope() as session:
        end = _lock_composing(session)
        repair_merged(session)  # alerts of procurements linking merged away follow them (portal.alerts.merge)
        work = batch.due(session, frequency)
        start = work.oldest()
        if start is None:
            session.rollback()
            return report
        procurements = batch.changed_between(session, start, end, closing_within=CLOSING_WITHIN)
        latest = batch.latest_releases(session, [procurement.id for procurement in procurements])
        plans: dict[int, Plan] = {}
        plan_subscriptions(session, work, procurements, latest, end, plans)
        plan_follows(session, work, procurements, latest, end, plans)
        run, items = (frequency, end, {}), []
        for plan in plans.values():  # one email per address
            items += _write_email(session, plan, run)
            report.emails += 1
        if items:
            session.execute(insert(AlertItem), items)  # in the same transaction as the emails and watermarks
        report.items = len(items)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    return report


def release_stale(now: datetime | None = None) -> int:
    """Put emails a crashed sender left 'sending' for longer than STALE_AFTER back to pending; return how many."""
    now = now or utcnow()
    with session_scope() as session:
        result = session.execute(
            update(AlertEmail)
            .where(AlertEmail.status == "sending", col(AlertEmail.claimed_at) < now - STALE_AFTER)
            .values(status="pending", claimed_at=None)
        )
        session.commit()
        return result.rowcount or 0


def _claim(session: Session, email_id: int, now: datetime) -> bool:
    result = session.execute(
        update(AlertEmail)
        .where(AlertEmail.id == email_id, AlertEmail.status == "pending")
        .values(status="sending", claimed_at=now)
    )
    session.commit()
    return result.rowcount == 1


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th temporary failure: 5 min, 10, 20 … at most 6 hours."""
    return min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MOST)


def _refuse(session: Session, row: AlertEmail, reason: str, now: datetime) -> None:
    """The address was refused for good: no more mail to it, and nothing more composed for it."""
    subscriber = session.get(Subscriber, row.subscriber_id)
    subscriber.refused_at, subscriber.refused_reason = now, reason[:1000]
    subscriber.inactive_since = subscriber.inactive_since or now
    session.add(subscriber)
    session.execute(
        update(AlertEmail)
        .where(AlertEmail.subscriber_id == subscriber.id, col(AlertEmail.status).in_(("pending", "sending")))
        .values(status="refused", last_error=reason[:1000])
    )


def _still_wanted(session: Session, email_id: int) -> bool:
    """Whether a subscription or follow whose items the email carries is still live: an unsubscribe between
    composing and sending (while the mail server was down, say) stops the email, unless it also carries news
    for another live subscription or follow of the address (their items are in it: it goes)."""
    for model, column in ((Subscription, AlertItem.subscription_id), (Follow, AlertItem.follow_id)):
        live = session.exec(
            select(AlertItem.id)
            .join(model, col(model.id) == column)
            .where(AlertItem.email_id == email_id, model.status == "live")
        ).first()
        if live is not None:
            return True
    return False


def send_one(email_id: int, now: datetime | None = None) -> str:
    """Claim, send and mark one pending email; return its status afterwards ("" when another sender has it)."""
    now = now or utcnow()
    with session_scope() as session:
        if not _claim(session, email_id, now):
            return ""
        row = session.get(AlertEmail, email_id)
        subscriber = session.get(Subscriber, row.subscriber_id)
        if subscriber.refused_at is not None:
            row.status, row.last_error = "refused", subscriber.refused_reason
        elif not _still_wanted(session, email_id):
            row.status, row.last_error = "stopped", "its subscription or follow stopped before it was sent"
        else:
            message = email.message_from_string(row.message, policy=email.policy.default)
            try:
                delivery.send(message)
            except delivery.TemporaryFailure as error:
                row.status, row.claimed_at, row.attempts = "pending", None, row.attempts + 1
                row.next_attempt_at, row.last_error = now + backoff(row.attempts), str(error)[:1000]
                log.warning("alert email %s deferred (attempt %d): %s", row.id, row.attempts, error)
            except delivery.PermanentRefusal as error:
                _refuse(session, row, str(error), now)
                row.status, row.last_error = "refused", str(error)[:1000]
                log.warning("alert email %s refused for good: %s", row.id, error)
            else:
                row.status, row.sent_at, row.attempts = "sent", utcnow(), row.attempts + 1
        session.add(row)
        session.commit()
        return row.status


def send_pending(now: datetime | None = None) -> Report:
    """Send every pending email whose next attempt is due (oldest first); stale claims are released first."""
    now = now or utcnow()
    report = Report(stale=release_stale(now))
    with session_scope() as session:
        ids = list(
            session.exec(
                select(AlertEmail.id)
                .where(
                    AlertEmail.status == "pending",
                    (col(AlertEmail.next_attempt_at).is_(None)) | (col(AlertEmail.next_attempt_at) <= now),
                )
                .order_by(AlertEmail.id)
            )
        )
    for email_id in ids:
        status = send_one(email_id)
        report.sent += status == "sent"
        report.deferred += status == "pending"
        report.refused += status == "refused"
    return report


def run(frequency: str, dry_run: bool = False) -> tuple[Report, Report]:
    """Compose what is due at `frequency`, then send every pending email (nothing is sent on a dry run)."""
    composed = prepare(frequency, dry_run=dry_run)
    return composed, (Report() if dry_run else send_pending())


def send_immediately() -> None:
    """The clock's step after each collection and index sync: the 'immediately' emails, and any retries due."""
    composed, sent = run("immediately")
    log.info("alerts immediately: %d emails composed, %d sent, %d deferred", composed.emails, sent.sent, sent.deferred)


def send_daily() -> None:
    """The clock's daily digests (07:30 Europe/London, portal.config CLOCK_SCHEDULE)."""
    composed, sent = run("daily")
    log.info("alerts daily: %d emails composed, %d sent, %d deferred", composed.emails, sent.sent, sent.deferred)


def send_weekly() -> None:
    """The clock's weekly digests (Mondays 07:30 Europe/London)."""
    composed, sent = run("weekly")
    log.info("alerts weekly: %d emails composed, %d sent, %d deferred", composed.emails, sent.sent, sent.deferred)
