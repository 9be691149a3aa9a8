"""Alert emails, exactly once: compose what is due into pending email rows, then claim, send and mark each.

The only I/O of alerts (docs/design.md, "Email alerts: sending"):

1. `prepare(frequency)`: under the notice writers' lock, read the due subscriptions and follows and the batch
   of procurements new or changed since their oldest watermark; match every saved search once
   (portal.alerts.matcher.match_batch); for each address, one email: its items (AlertItem, unique per
   subscription or follow, procurement and release) and the email row (pending, the whole message) are
   written in ONE transaction with the watermarks, so a crash leaves either all of it or none of it.
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
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import update
from sqlmodel import Session, col, select

from portal.alerts import batch
from portal.alerts.changes import baseline_of, differences, updated_baseline
from portal.alerts.compose import DEFAULT_MAX_ITEMS, Email, Item, Match, compose, section_of
from portal.alerts.links import manage_url, unsubscribe_url
from portal.db import lock_for_writing, session_scope
from portal.mail import delivery
from portal.models.alerts import AlertEmail, AlertItem, Follow, Subscriber, Subscription
from portal.models.tables import utcnow

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=15)  # far longer than one SMTP conversation (MAIL_TIMEOUT, 30 s)
BACKOFF_FIRST = timedelta(minutes=5)
BACKOFF_MOST = timedelta(hours=6)


@dataclass
class Plan:
    """One address's email in the making: its items by procurement and the rows each came from."""

    subscriber: Subscriber
    items: dict[int, Item] = field(default_factory=dict)
    queries: list[str] = field(default_factory=list)
    # (kind, row id, procurement id, release id, section, matched JSON)
    rows: list[tuple] = field(default_factory=list)

    def targets(self) -> list[tuple[str, int]]:
        return sorted({(kind, row_id) for kind, row_id, *_ in self.rows})


@dataclass
class Report:
    """What a run did."""

    emails: int = 0
    items: int = 0
    sent: int = 0
    deferred: int = 0
    refused: int = 0
    stale: int = 0


def one_click_url(plan: Plan, lang: str) -> str:
    """The RFC 8058 one-click address of an email. Emails are composed per address and frequency, so one
    usually covers one subscription or follow, whose own link it carries; an email covering several carries
    the link of the row that gave it most items (docs/design.md, "Email alerts: sending", "One-click")."""
    counts: dict[tuple[str, int], int] = {}
    for kind, row_id, *_ in plan.rows:
        counts[(kind, row_id)] = counts.get((kind, row_id), 0) + 1
    kind, row_id = max(counts, key=lambda key: (counts[key], -key[1]))
    return unsubscribe_url(kind, row_id, lang)


def _plan_for(plans: dict[int, Plan], subscriber: Subscriber) -> Plan:
    return plans.setdefault(subscriber.id, Plan(subscriber))


def _plan_subscriptions(session, work, procurements, latest, end, plans) -> None:
    from portal.alerts.matcher import match_batch  # alertsmatch's module: one matching per saved search

    by_id = {procurement.id: procurement for procurement in procurements}
    candidates = [procurement for procurement in procurements if section_of(procurement, end)]
    found = match_batch(work.queries, candidates) if work.queries and candidates else {}
    already = batch.told(session, [row.id for row in work.subscriptions], list(by_id))
    for subscription in work.subscriptions:
        mark = batch.since(subscription)
        plan = None
        for procurement_id, words in sorted(found.get(subscription.saved_search_id, {}).items()):
            procurement, release_id = by_id[procurement_id], latest.get(procurement_id)
            section = section_of(procurement, end)
            if procurement.changed_at <= mark or release_id is None:
                continue
            if (subscription.id, procurement_id, section) in already:
                continue
            if (subscription.id, procurement_id, release_id) in already:
                continue
            plan = plan or _plan_for(plans, work.subscribers[subscription.subscriber_id])
            query = work.queries[subscription.saved_search_id]
            item = plan.items.setdefault(procurement_id, Item(procurement, section))
            item.matches.append(Match(query, tuple(words)))
            plan.rows.append(("subscription", subscription.id, procurement_id, release_id, section, list(words)))
        if plan is not None:
            plan.queries.append(work.queries[subscription.saved_search_id])
        subscription.delivered_until = end
        session.add(subscription)


def _plan_follows(session, work, procurements, latest, end, plans) -> None:
    by_id = {procurement.id: procurement for procurement in procurements}
    for follow in work.follows:
        procurement = by_id.get(follow.procurement_id)
        if procurement is not None and procurement.changed_at > batch.since(follow):
            release_id = latest.get(procurement.id)
            facts = baseline_of(procurement, batch.release_json(session, release_id))
            changes = differences(follow.baseline, facts)
            if changes and release_id is not None:
                plan = _plan_for(plans, work.subscribers[follow.subscriber_id])
                item = plan.items.setdefault(procurement.id, Item(procurement, "changes"))
                item.section, item.changes = "changes", changes
                matched = [change.as_json() for change in changes]
                plan.rows.append(("follow", follow.id, procurement.id, release_id, "changes", matched))
            follow.baseline = updated_baseline(follow.baseline, facts) if follow.baseline else facts
        follow.delivered_until = end
        session.add(follow)


def _write_email(session: Session, plan: Plan, frequency: str, now: datetime) -> int:
    """Compose one address's email and store it pending with its items; return how many items."""
    subscriber, lang = plan.subscriber, plan.subscriber.language if plan.subscriber.language == "cy" else "en"
    kind = "digest" if any(row[0] == "subscription" for row in plan.rows) else "follow"
    row = AlertEmail(subscriber_id=subscriber.id, kind=kind, frequency=frequency, message_id="", created_at=now)
    session.add(row)
    session.flush()
    max_items = int(current_app.config.get("ALERTS_MAX_ITEMS", DEFAULT_MAX_ITEMS))
    parts = compose(
        Email(
            to=subscriber.email,
            language=lang,
            items=list(plan.items.values()),
            queries=list(dict.fromkeys(plan.queries)),
            unsubscribe_url=one_click_url(plan, lang),
            manage_url=manage_url(subscriber, lang),
            max_items=max_items,
        )
    )
    message = delivery.new_message(subscriber.email, parts.subject, parts.text, parts.html, lang)
    for name, value in parts.headers.items():
        message[name] = value
    row.message_id, row.subject, row.message = message["Message-ID"], parts.subject, message.as_string()
    session.add(row)
    shown = set(parts.shown)
    items = [
        AlertItem(
            email_id=row.id,
            subscription_id=row_id if kind_ == "subscription" else None,
            follow_id=row_id if kind_ == "follow" else None,
            procurement_id=procurement_id,
            release_id=release_id,
            section=section,
            matched=matched,
            created_at=now,
        )
        for kind_, row_id, procurement_id, release_id, section, matched in plan.rows
        if procurement_id in shown
    ]
    session.add_all(items)
    return len(items)


def prepare(frequency: str, dry_run: bool = False) -> Report:
    """Compose every email due at `frequency` into pending rows (nothing is sent here)."""
    report = Report()
    with session_scope() as session:
        lock_for_writing(session)  # no ingest commits behind the batch's end; one composer at a time
        end = utcnow()
        work = batch.due(session, frequency)
        start = work.oldest()
        if start is None:
            session.rollback()
            return report
        procurements = batch.changed_between(session, start, end)
        latest = batch.latest_releases(session, [procurement.id for procurement in procurements])
        plans: dict[int, Plan] = {}
        _plan_subscriptions(session, work, procurements, latest, end, plans)
        _plan_follows(session, work, procurements, latest, end, plans)
        for plan in plans.values():
            if plan.rows:
                report.items += _write_email(session, plan, frequency, end)
                report.emails += 1
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


def targets_of_email(session: Session, email_id: int) -> tuple[list[Subscription], list[Follow]]:
    """The subscriptions and follows whose items an email carries: what that email is about."""
    items = session.exec(select(AlertItem).where(AlertItem.email_id == email_id)).all()
    subscription_ids = sorted({item.subscription_id for item in items if item.subscription_id})
    follow_ids = sorted({item.follow_id for item in items if item.follow_id})
    return (
        [session.get(Subscription, row_id) for row_id in subscription_ids],
        [session.get(Follow, row_id) for row_id in follow_ids],
    )


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
