"""Retention: sent bodies deleted after 30 days; an address inactive for more than 28 days deleted with its rows."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func
from sqlmodel import select

from portal.alerts import deliver, lifecycle
from portal.alerts.retention import apply_retention
from portal.db import session_scope
from portal.models.alerts import AlertEmail, AlertItem, Subscriber, Subscription
from portal.models.tables import utcnow
from tests.factories import fts_release
from tests.portal.alerts.sending import in_app, store, subscribe  # noqa: F401 (in_app: a fixture)


def _count(model) -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_sent_bodies_are_deleted_after_thirty_days(app, smtp_server):
    subscribe("a@example.org", {"q": "cleaning"})
    store([fts_release(title="Cleaning")])
    deliver.run("immediately")
    with time_machine.travel(utcnow() + timedelta(days=29)):
        assert apply_retention() == (0, 0)
    with time_machine.travel(utcnow() + timedelta(days=31)):
        assert apply_retention() == (1, 0)
    with session_scope() as session:
        email = session.exec(select(AlertEmail)).one()
        assert email.message is None and email.status == "sent" and email.subject  # who was told what stays
    assert _count(AlertItem) == 1


def test_an_address_inactive_for_more_than_28_days_is_deleted_with_its_rows(app, smtp_server):
    subscription_id = subscribe("gone@example.org", {"q": "cleaning"})
    subscribe("kept@example.org", {"q": "cleaning"})
    store([fts_release(title="Cleaning")])
    deliver.run("immediately")
    with session_scope() as session:
        lifecycle.stop(session, session.get(Subscription, subscription_id))
        session.commit()
    with time_machine.travel(utcnow() + timedelta(days=27)):
        assert apply_retention() == (0, 0)
    with time_machine.travel(utcnow() + timedelta(days=29)):
        assert apply_retention() == (0, 1)
    with session_scope() as session:
        assert [s.email for s in session.exec(select(Subscriber))] == ["kept@example.org"]
    assert (_count(Subscription), _count(AlertEmail), _count(AlertItem)) == (1, 1, 1)


def test_an_address_that_subscribed_again_is_kept(app):
    subscribe("back@example.org", {"q": "cleaning"})
    with session_scope() as session:  # an out-of-date mark: something of it is live
        subscriber = session.exec(select(Subscriber)).one()
        subscriber.inactive_since = utcnow() - timedelta(days=60)
        session.add(subscriber)
        session.commit()
    assert apply_retention() == (0, 0)
    assert _count(Subscriber) == 1
