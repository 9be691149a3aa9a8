"""Composing and sending over real SMTP on loopback: one digest per address per frequency per run, each
procurement once, in its sections, with both unsubscribe headers; a 550 ends mail to the address; SMTP down
loses nothing."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlmodel import select

from portal.alerts import deliver
from portal.db import session_scope
from portal.models.alerts import AlertEmail, AlertItem, Subscriber, Subscription
from tests.factories import fts_release
from tests.portal.alerts.sending import in_app, items_of, store, subscribe  # noqa: F401 (in_app: a fixture)


def _cleaning(n: int, **values) -> dict:
    return fts_release(
        ocid=f"ocds-h6vhtk-0c{n:04d}", notice_id=f"07{n:04d}-2026", title=f"Cleaning services {n}", **values
    )


def test_a_digest_lists_each_procurement_once_with_what_matched(app, smtp_server):
    subscribe("a@example.org", {"q": "cleaning"})
    subscribe("a@example.org", {"q": "services"})
    store(
        [
            _cleaning(1),
            _cleaning(2, notice_type="UK3", deadline=None),
            fts_release(notice_id="079999-2026", ocid="ocds-h6vhtk-0r0001", title="Road repairs"),
        ]
    )
    composed, sent = deliver.run("immediately")
    assert (composed.emails, sent.sent) == (1, 1)
    [message] = smtp_server.to("a@example.org")
    assert message["Subject"] == "2 new notices for your 2 searches"
    assert message["Content-Language"] == "en"
    assert message["List-Unsubscribe"].startswith("<http")
    assert "/en/alerts/unsubscribe/email/" in message["List-Unsubscribe"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"] == "Piblinell alerts <alerts.127.0.0.1>"
    text = message.get_body(("plain",)).get_content()
    links = items_of(message)
    assert len(links) == 2 and len(set(links)) == 2  # matched by both searches, listed once each
    assert text.index("New pipeline and planned work") < text.index("Cleaning services 2")
    assert text.index("New open tenders") < text.index("Cleaning services 1")
    assert "Your search “cleaning” matched: cleaning" in text and "Your search “services” matched: services" in text
    assert "Road repairs" not in text
    html = message.get_body(("html",)).get_content()
    assert '<html lang="en">' in html and "Cleaning services 1</a>" in html and "/alerts/manage/" in html
    with session_scope() as session:
        assert len(session.exec(select(AlertItem)).all()) == 4  # two searches x two procurements


def test_sending_twice_sends_nothing_new(app, smtp_server):
    subscribe("a@example.org", {"q": "cleaning"})
    store([_cleaning(1)])
    deliver.run("immediately")
    again, resent = deliver.run("immediately")
    assert (again.emails, resent.sent) == (0, 0)
    store([_cleaning(1) | {"id": "070001-2026-republished"}])  # a re-publication of a procurement told already
    assert deliver.run("immediately")[0].emails == 0
    assert len(smtp_server.to("a@example.org")) == 1


def test_a_subscription_of_another_frequency_waits_for_its_own_run(app, smtp_server):
    subscribe("d@example.org", {"q": "cleaning"}, frequency="daily")
    store([_cleaning(1)])
    assert deliver.run("immediately")[0].emails == 0
    assert deliver.run("daily")[0].emails == 1 and len(smtp_server.to("d@example.org")) == 1


def test_the_cap_lists_the_first_items_and_links_to_the_search(app, smtp_server):
    app.config["ALERTS_MAX_ITEMS"] = 3
    subscribe("a@example.org", {"q": "cleaning"})
    store([_cleaning(n) for n in range(1, 6)])
    deliver.run("immediately")
    [message] = smtp_server.to("a@example.org")
    assert message["Subject"] == "5 new notices for your search “cleaning”"
    text = message.get_body(("plain",)).get_content()
    assert len(items_of(message)) == 3
    assert "2 more notices are not shown here" in text and "/en/search?q=cleaning" in text


def test_smtp_down_loses_nothing_and_backs_off(app, smtp_server):
    subscribe("a@example.org", {"q": "cleaning"})
    store([_cleaning(1)])
    smtp_server.defer_all = True
    composed, sent = deliver.run("immediately")
    assert (composed.emails, sent.sent, sent.deferred) == (1, 0, 1)
    with session_scope() as session:
        email = session.exec(select(AlertEmail)).one()
        assert (email.status, email.attempts) == ("pending", 1)
        assert email.next_attempt_at - email.created_at >= timedelta(minutes=5)
    smtp_server.defer_all = False
    assert deliver.send_pending().sent == 0  # not before its next attempt
    with time_machine.travel(email.next_attempt_at + timedelta(seconds=1)):
        assert deliver.send_pending().sent == 1
    [message] = smtp_server.to("a@example.org")
    assert items_of(message)[0].endswith("/en/notice/ocds-h6vhtk-0c0001")


def test_smtp_unreachable_is_a_temporary_failure(app, smtp_server):
    subscribe("a@example.org", {"q": "cleaning"})
    store([_cleaning(1)])
    app.config["MAIL_PORT"] = 1  # nothing listens
    assert deliver.run("immediately")[1].deferred == 1
    app.config["MAIL_PORT"] = smtp_server.port
    with time_machine.travel(deliver.utcnow() + timedelta(minutes=6)):
        assert deliver.send_pending().sent == 1


def test_a_permanent_refusal_stops_mail_to_the_address(app, smtp_server):
    subscribe("gone@example.org", {"q": "cleaning"})
    subscribe("ok@example.org", {"q": "cleaning"})
    smtp_server.refuse["gone@example.org"] = "550 5.1.1 No such user"
    store([_cleaning(1)])
    _composed, sent = deliver.run("immediately")
    assert (sent.sent, sent.refused) == (1, 1)
    with session_scope() as session:
        gone = session.exec(select(Subscriber).where(Subscriber.email == "gone@example.org")).one()
        assert gone.refused_at is not None and "550" in gone.refused_reason
    del smtp_server.refuse["gone@example.org"]
    store([_cleaning(2)])
    composed, _sent = deliver.run("immediately")
    assert composed.emails == 1  # nothing composed for the refused address
    assert smtp_server.to("gone@example.org") == [] and len(smtp_server.to("ok@example.org")) == 2


def test_a_dry_run_composes_and_keeps_nothing(app, smtp_server):
    subscribe("a@example.org", {"q": "cleaning"})
    store([_cleaning(1)])
    composed, sent = deliver.run("immediately", dry_run=True)
    assert (composed.emails, composed.items, sent.sent) == (1, 1, 0)
    assert deliver.run("immediately")[1].sent == 1  # the dry run moved no watermark


def test_a_search_the_matcher_cannot_handle_delays_only_its_own_subscribers(app, smtp_server, monkeypatch):
    from portal.alerts import matcher

    real = matcher.match_batch

    def fussy(searches, procurements):
        if "q=roads" in searches.values():
            raise ValueError("cannot match this one")
        return real(searches, procurements)

    monkeypatch.setattr(matcher, "match_batch", fussy)
    subscribe("a@example.org", {"q": "cleaning"})
    roads = subscribe("b@example.org", {"q": "roads"})
    store([_cleaning(1), fts_release(notice_id="079998-2026", ocid="ocds-h6vhtk-0r0002", title="Roads")])
    assert deliver.run("immediately")[1].sent == 1 and len(smtp_server.to("a@example.org")) == 1
    with session_scope() as session:
        assert session.get(Subscription, roads).delivered_until < session.get(Subscription, roads - 1).delivered_until
    monkeypatch.setattr(matcher, "match_batch", real)
    assert deliver.run("immediately")[1].sent == 1  # its watermark stayed: the next run tells it
    assert items_of(smtp_server.to("b@example.org")[0])[0].endswith("/en/notice/ocds-h6vhtk-0r0002")


def test_a_search_with_filters_is_named_by_each_of_them(app, smtp_server):
    subscribe("a@example.org", {"q": "cleaning", "region": "UKL"})
    store([_cleaning(1)])
    deliver.run("immediately")
    [message] = smtp_server.to("a@example.org")
    assert message["Subject"] == "1 new notice for your search Search words: “cleaning”; Region: Wales"


def test_without_a_mail_server_emails_are_written_to_the_outbox(app):
    import email
    import email.policy
    from pathlib import Path

    subscribe("a@example.org", {"q": "cleaning"}, lang="cy")
    store([_cleaning(1)])
    assert deliver.run("immediately")[1].sent == 1
    [path] = Path(app.config["MAIL_OUTBOX"]).glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["To"] == "a@example.org" and message["Content-Language"] == "cy"
    assert message["Subject"] == "1 hysbysiad newydd ar gyfer eich chwiliad “cleaning”"
    assert "/cy/notice/ocds-h6vhtk-0c0001" in message.get_body(("plain",)).get_content()


def test_an_open_tender_closing_within_seven_days_is_told_to_a_later_subscriber_once(app, smtp_server):
    from portal.models.tables import utcnow

    soon = (utcnow() + timedelta(days=5)).isoformat(timespec="seconds")
    later = (utcnow() + timedelta(days=9)).isoformat(timespec="seconds")
    subscribe("early@example.org", {"q": "cleaning"}, frequency="daily")
    store([_cleaning(1, deadline=soon), _cleaning(2, deadline=later)])
    subscribe("late@example.org", {"q": "cleaning"}, frequency="daily")  # after both were published
    assert deliver.run("daily")[0].emails == 2
    [early] = smtp_server.to("early@example.org")
    text = early.get_body(("plain",)).get_content()
    order = ("New open tenders", "Cleaning services 2", "Closing within 7 days", "Cleaning services 1")
    assert [text.index(part) for part in order] == sorted(text.index(part) for part in order)
    [late] = smtp_server.to("late@example.org")
    text = late.get_body(("plain",)).get_content()
    assert "Closing within 7 days" in text and "Cleaning services 1" in text
    assert "Cleaning services 2" not in text  # not closing soon, and not new to it
    assert deliver.run("daily")[0].emails == 0  # told once
    with time_machine.travel(utcnow() + timedelta(days=3)):  # the other one now closes within 7 days too
        assert deliver.run("daily")[0].emails == 1  # to the late subscriber only: the early one was told
    assert "Cleaning services 2" in smtp_server.to("late@example.org")[1].get_body(("plain",)).get_content()


def test_an_unsubscribe_while_the_mail_server_was_down_stops_the_waiting_email(app, smtp_server):
    from portal.alerts import lifecycle

    stopped = subscribe("a@example.org", {"q": "cleaning"})
    subscribe("b@example.org", {"q": "cleaning"})
    store([_cleaning(1)])
    smtp_server.defer_all = True
    assert deliver.run("immediately")[1].deferred == 2
    with session_scope() as session:
        lifecycle.stop(session, session.get(Subscription, stopped))
    smtp_server.defer_all = False
    with time_machine.travel(deliver.utcnow() + timedelta(minutes=6)):
        assert deliver.send_pending().sent == 1
    assert smtp_server.to("a@example.org") == [] and len(smtp_server.to("b@example.org")) == 1
    with session_scope() as session:
        assert sorted(session.exec(select(AlertEmail.status)).all()) == ["sent", "stopped"]
