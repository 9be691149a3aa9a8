"""`flask alerts send` and `flask alerts stats`: the operator's view of email alerts. See docs/design.md,
"Email alerts: sending"."""

from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import func
from sqlmodel import col, select

from portal.alerts import deliver
from portal.db import session_scope
from portal.models.alerts import FREQUENCIES, AlertEmail, AlertItem, Follow, Subscriber, Subscription


@click.group("alerts", cls=AppGroup)
def alerts_cli():
    """Email alerts: compose and send, and counts."""


@alerts_cli.command("send")
@click.option("--frequency", type=click.Choice(FREQUENCIES), default="immediately", show_default=True)
@click.option("--dry-run", is_flag=True, help="Compose and count what is due; store and send nothing.")
def send_command(frequency, dry_run):
    """Compose the emails due at a frequency, then send every pending email (retries included)."""
    composed, sent = deliver.run(frequency, dry_run=dry_run)
    verb = "would compose" if dry_run else "composed"
    click.echo(f"{frequency}: {verb} {composed.emails} emails with {composed.items} items")
    if not dry_run:
        click.echo(
            f"sent {sent.sent}, deferred {sent.deferred} (SMTP unavailable: retried later), "
            f"refused {sent.refused}, released {sent.stale} stale claims"
        )


def _count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def stats() -> dict:
    """The alert counts `flask alerts stats` prints."""
    with session_scope() as session:
        by_frequency = dict(
            session.exec(
                select(Subscription.frequency, func.count())
                .where(Subscription.status == "live")
                .group_by(Subscription.frequency)
            ).all()
        )
        return {
            "subscribers": _count(session, Subscriber),
            "confirmed": _count(session, Subscriber, col(Subscriber.confirmed_at).is_not(None)),
            "subscriptions": {frequency: by_frequency.get(frequency, 0) for frequency in FREQUENCIES},
            "follows": _count(session, Follow, Follow.status == "live"),
            "emails_sent": _count(session, AlertEmail, AlertEmail.status == "sent"),
            "emails_pending": _count(session, AlertEmail, col(AlertEmail.status).in_(("pending", "sending"))),
            "items_sent": session.exec(
                select(func.count())
                .select_from(AlertItem)
                .join(AlertEmail, col(AlertEmail.id) == AlertItem.email_id)
                .where(AlertEmail.status == "sent")
            ).one(),
        }


@alerts_cli.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def stats_command(as_json):
    """Count subscribers, live subscriptions (by frequency) and follows, and emails and items sent."""
    counts = stats()
    if as_json:
        click.echo(json.dumps(counts, indent=2, sort_keys=True))
        return
    for key, value in counts.items():
        if isinstance(value, dict):
            value = ", ".join(f"{name} {number}" for name, number in value.items())
        click.echo(f"{key.replace('_', ' ')}: {value}")


def init_app(app: Flask) -> None:
    """Register `flask alerts`."""
    app.cli.add_command(alerts_cli)
