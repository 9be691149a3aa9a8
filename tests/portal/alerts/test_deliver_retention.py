"""Retention: sent bodies deleted after 30 days; an address with nothing live or confirmable for more than 28
days (stopped, or pending past its 7-day confirmation link) deleted with its rows."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func
from sqlmodel import select

from portal.alerts import deliver, lifecycle
from portal.alerts.retention import apply_retention
from portal.db import session_scope
from portal.models.alerts import AlertEmail, AlertItem, Follow, Subscriber, Subscription
from portal.models.tables import Procurement, utcnow
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


def _ask(email: str, query: str) -> None:
    with session_scope() as session:
        lifecycle.request_subscription(session, email, "en", query, "daily")


def test_an_address_that_never_confirmed_is_deleted_28_days_after_its_link_expired(app):
    store([fts_release(ocid="ocds-h6vhtk-0t0001", title="Cleaning")])
    start = utcnow()
    _ask("never@example.org", "q=cleaning")  # pending: its link works for 7 days (tokens.CONFIRM_MAX_AGE)
    with session_scope() as session:
        procurement = session.exec(select(Procurement)).one()
        lifecycle.request_follow(session, "never@example.org", "en", procurement, "daily")  # pending too
    subscribe("kept@example.org", {"q": "cleaning"})
    with time_machine.travel(start + timedelta(days=6)):
        assert apply_retention() == (0, 0)  # still confirmable
    with time_machine.travel(start + timedelta(days=7 + 27)):
        assert apply_retention() == (0, 0)  # its links died 27 days ago
    with time_machine.travel(start + timedelta(days=7 + 29)):
        assert apply_retention() == (0, 1)  # 29 days ago: deleted with its rows
    with session_scope() as session:
        assert [s.email for s in session.exec(select(Subscriber))] == ["kept@example.org"]
    assert (_count(Subscription), _count(Follow)) == (1, 0)


def test_asking_again_gives_a_pending_address_a_new_link_and_a_new_term(app):
    start = utcnow()
    _ask("late@example.org", "q=cleaning")
    with time_machine.travel(start + timedelta(days=20)):
        _ask("late@example.org", "q=cleaning")  # a new confirmation email, usable for 7 days from now
    with time_machine.travel(start + timedelta(days=7 + 29)):
        assert apply_retention() == (0, 0)
    with time_machine.travel(start + timedelta(days=20 + 7 + 29)):
        assert apply_retention() == (0, 1)
    assert _count(Subscriber) == 0


def test_a_stop_after_a_pending_link_expired_counts_from_the_stop(app):
    start = utcnow()
    _ask("both@example.org", "q=roads")  # never confirmed: its link ends on day 7
    live = subscribe("both@example.org", {"q": "cleaning"})
    with time_machine.travel(start + timedelta(days=10)), session_scope() as session:
        lifecycle.stop(session, session.get(Subscription, live))  # nothing live or confirmable from now
        assert session.exec(select(Subscriber)).one().inactive_since is not None
    with time_machine.travel(start + timedelta(days=7 + 29)):
        assert apply_retention() == (0, 0)  # 29 days after the link's end, but only 26 after the stop
    with time_machine.travel(start + timedelta(days=10 + 29)):
        assert apply_retention() == (0, 1)
