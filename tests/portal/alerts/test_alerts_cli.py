"""`flask alerts send` and `flask alerts stats`."""

from __future__ import annotations

import json

from tests.factories import fts_release
from tests.portal.alerts.sending import follow, in_app, store, subscribe  # noqa: F401 (in_app: a fixture)


def _stats(runner) -> dict:
    result = runner.invoke(args=["alerts", "stats", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_send_and_stats(app, runner, smtp_server):
    assert _stats(runner) == {
        "subscribers": 0,
        "confirmed": 0,
        "subscriptions": {"immediately": 0, "daily": 0, "weekly": 0},
        "follows": 0,
        "emails_sent": 0,
        "emails_pending": 0,
        "items_sent": 0,
    }
    subscribe("a@example.org", {"q": "cleaning"})
    subscribe("a@example.org", {"q": "services"}, frequency="weekly")
    subscribe("b@example.org", {"q": "cleaning"})
    store([fts_release(title="Cleaning services")])
    follow("b@example.org", "ocds-h6vhtk-0a0001")
    dry = runner.invoke(args=["alerts", "send", "--dry-run"])
    assert dry.exit_code == 0 and "immediately: would compose 2 emails with 2 items" in dry.output
    assert _stats(runner)["emails_pending"] == 0 and smtp_server.messages == []
    sent = runner.invoke(args=["alerts", "send"])
    assert sent.exit_code == 0, sent.output
    assert "immediately: composed 2 emails with 2 items" in sent.output and "sent 2, deferred 0" in sent.output
    assert _stats(runner) == {
        "subscribers": 2,
        "confirmed": 2,
        "subscriptions": {"immediately": 2, "daily": 0, "weekly": 1},
        "follows": 1,
        "emails_sent": 2,
        "emails_pending": 0,
        "items_sent": 2,
    }
    weekly = runner.invoke(args=["alerts", "send", "--frequency", "weekly"])
    assert "weekly: composed 1 emails with 1 items" in weekly.output
    text = runner.invoke(args=["alerts", "stats"]).output
    assert "subscriptions: immediately 2, daily 0, weekly 1" in text and "items sent: 3" in text


def test_send_with_smtp_down_says_so_and_keeps_the_email(app, runner, smtp_server):
    subscribe("a@example.org", {"q": "cleaning"})
    store([fts_release(title="Cleaning services")])
    smtp_server.defer_all = True
    result = runner.invoke(args=["alerts", "send"])
    assert result.exit_code == 0 and "sent 0, deferred 1 (SMTP unavailable: retried later)" in result.output
    assert _stats(runner)["emails_pending"] == 1


def test_an_unknown_frequency_is_refused_with_the_choices(app, runner):
    result = runner.invoke(args=["alerts", "send", "--frequency", "hourly"])
    assert result.exit_code == 2
    assert "'hourly' is not one of 'immediately', 'daily', 'weekly'" in result.output
