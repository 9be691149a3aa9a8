"""When alerts go out: 'immediately' after each collection (collect → index sync → match → send, a failure in
alerts never stopping collection), daily at 07:30 and weekly on Mondays at 07:30 London time, with a controlled
clock (time-machine)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import time_machine
from apscheduler.triggers.cron import CronTrigger

from portal.alerts import deliver
from portal.collect import jobs
from portal.collect.clock import build_scheduler
from tests.factories import fts_release
from tests.portal.alerts.sending import in_app, items_of, store, subscribe  # noqa: F401 (in_app: a fixture)


def _notice(n: int) -> dict:
    return fts_release(ocid=f"ocds-h6vhtk-0d{n:04d}", notice_id=f"06{n:04d}-2026", title=f"Cleaning {n}")


def _next_fire(app, job_id: str, after: datetime) -> datetime:
    trigger = build_scheduler(app).get_job(job_id).trigger
    assert isinstance(trigger, CronTrigger)
    return trigger.get_next_fire_time(None, after).astimezone(UTC)


def test_digests_are_scheduled_at_half_past_seven_london_time(app):
    winter = datetime(2026, 12, 2, 12, tzinfo=UTC)  # a Wednesday, GMT
    assert _next_fire(app, "alerts-daily", winter) == datetime(2026, 12, 3, 7, 30, tzinfo=UTC)
    assert _next_fire(app, "alerts-weekly", winter) == datetime(2026, 12, 7, 7, 30, tzinfo=UTC)  # Monday
    summer = datetime(2027, 7, 1, 12, tzinfo=UTC)  # a Thursday, BST
    assert _next_fire(app, "alerts-daily", summer) == datetime(2027, 7, 2, 6, 30, tzinfo=UTC)
    assert _next_fire(app, "alerts-weekly", summer) == datetime(2027, 7, 5, 6, 30, tzinfo=UTC)
    assert _next_fire(app, "alerts-retention", winter).date() == datetime(2026, 12, 3).date()


def test_the_collection_chain_sends_immediate_alerts(app, smtp_server):
    app.config["COLLECT_SOURCES"] = []  # nothing to fetch: the notices come from an import
    subscribe("now@example.org", {"q": "cleaning"})
    subscribe("daily@example.org", {"q": "cleaning"}, frequency="daily")
    store([_notice(1)])
    jobs.scheduled_collect()
    assert len(smtp_server.to("now@example.org")) == 1
    assert smtp_server.to("daily@example.org") == []


def test_a_failure_in_alerts_never_stops_the_collection(app, monkeypatch, caplog):
    app.config["COLLECT_SOURCES"] = []
    synced = []
    monkeypatch.setattr("portal.search.indexing.sync_index_safely", lambda: synced.append(True))

    def broken():
        raise RuntimeError("mail exploded")

    monkeypatch.setattr(deliver, "send_immediately", broken)
    with caplog.at_level(logging.ERROR):
        jobs.scheduled_collect()  # does not raise
    assert synced == [True]
    assert "email alerts after the collection failed" in caplog.text


def test_a_daily_digest_covers_the_day_and_a_weekly_one_the_week(app, smtp_server):
    with time_machine.travel(datetime(2026, 11, 30, 9, tzinfo=UTC), tick=True):  # Monday
        subscribe("daily@example.org", {"q": "cleaning"}, frequency="daily")
        subscribe("weekly@example.org", {"q": "cleaning"}, frequency="weekly")
    days = [datetime(2026, 11, 30, 12, tzinfo=UTC) + timedelta(days=day) for day in range(7)]
    for n, noon in enumerate(days, start=1):  # one notice a day, Monday to Sunday
        with time_machine.travel(noon, tick=True):
            store([_notice(n)])
        with time_machine.travel(noon.replace(hour=7, minute=30) + timedelta(days=1)):
            deliver.send_daily()  # the next morning's digest
    daily = smtp_server.to("daily@example.org")
    assert [len(items_of(message)) for message in daily] == [1] * 7
    assert smtp_server.to("weekly@example.org") == []
    with time_machine.travel(datetime(2026, 12, 7, 7, 30, tzinfo=UTC), tick=True):  # the next Monday
        deliver.send_weekly()
        deliver.send_weekly()  # a second run that morning finds nothing new
    [weekly] = smtp_server.to("weekly@example.org")
    assert len(items_of(weekly)) == 7
