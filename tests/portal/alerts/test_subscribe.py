"""Subscribing to a search through the pages, over a real loopback SMTP server: the confirmation email (its
language, Content-Language and link), double opt-in (GET changes nothing, POST confirms once), expired, reused
and forged links, the same answer for a live subscription, and hostile input. docs/design.md, "Email alerts:
the pages"."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import time_machine
from sqlmodel import select

from portal import create_app
from portal.alerts import views
from portal.db import session_scope
from portal.models.alerts import AlertEmail, SavedSearch, Subscriber, Subscription
from tests.portal.alerts.alert_pages import (
    closing_client,
    closing_responses,  # noqa: F401 (an autouse fixture)
    link_path,
    seed,
    subscribe,
)


def main_text(response) -> str:
    """The words of a page's main content, without its markup."""
    main = response.get_data(as_text=True).split('id="main-content"', 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def rows(app, model):
    with app.app_context(), session_scope() as session:
        return list(session.exec(select(model)).all())


def confirm_path(smtp_server, address: str) -> str:
    (message,) = smtp_server.to(address)
    return link_path(message, "/alerts/confirm/")


def test_subscribe_confirm_by_post_once(app, client, smtp_server):
    seed(app)
    page = client.get("/en/alerts/new?q=cleaning&region=UKL&sort=newest&page=2")
    assert page.status_code == 200
    text = main_text(page)
    assert "Search words “cleaning”" in text and "Region Wales" in text
    assert "It found 2 notices in the last 30 days." in text and "more than 10 a day" not in text

    answer = subscribe(client, "Jo.Bloggs@Example.org", query="q=cleaning&region=UKL&sort=newest&page=2")
    assert answer.status_code == 200
    assert "Check your email" in main_text(answer) and "j…@example.org" in main_text(answer)
    assert "jo.bloggs" not in answer.get_data(as_text=True)

    (message,) = smtp_server.to("jo.bloggs@example.org")
    assert message["Content-Language"] == "en"
    assert message["Subject"] == "Confirm your email alert from Piblinell"
    assert message.get_body(("html",)) is not None
    path = confirm_path(smtp_server, "jo.bloggs@example.org")
    assert path.startswith("/en/alerts/confirm/")
    # the search is stored once, canonical, without its order or page
    (search,) = rows(app, SavedSearch)
    assert search.query == "q=cleaning&region=UKL"
    (pending,) = rows(app, Subscription)
    assert (pending.status, pending.frequency, pending.confirmed_at) == ("pending", "daily", None)

    shown = client.get(path)  # a mail scanner's GET: a page with a button, nothing changes
    assert shown.status_code == 200 and 'id="confirm-button"' in shown.get_data(as_text=True)
    (still,) = rows(app, Subscription)
    assert (still.status, still.confirm_nonce) == ("pending", pending.confirm_nonce)

    confirmed = client.post(path)
    assert confirmed.status_code == 200 and 'id="confirmed"' in confirmed.get_data(as_text=True)
    (live,) = rows(app, Subscription)
    assert live.status == "live" and live.confirm_nonce is None
    assert live.confirmed_at is not None and live.delivered_until == live.confirmed_at
    (subscriber,) = rows(app, Subscriber)
    assert subscriber.confirmed_at is not None and subscriber.inactive_since is None
    assert subscriber.language == "en"

    again = client.post(path)  # single use
    assert again.status_code == 410 and "already been used" in main_text(again)
    assert client.get(path).status_code == 410
    (unchanged,) = rows(app, Subscription)
    assert unchanged.confirmed_at == live.confirmed_at
    assert [email.kind for email in rows(app, AlertEmail)] == ["confirm"]


def test_welsh_page_gives_a_welsh_confirmation(app, client, smtp_server):
    seed(app)
    assert "Cael negeseuon e-bost am y chwiliad hwn" in client.get("/cy/alerts/new?q=glanhau").get_data(as_text=True)
    assert subscribe(client, "cymro@example.cymru", lang="cy", query="q=glanhau").status_code == 200
    (message,) = smtp_server.to("cymro@example.cymru")
    assert message["Content-Language"] == "cy"
    assert message["Subject"] == "Cadarnhewch eich rhybudd e-bost gan Piblinell"
    body = message.get_body(("plain",)).get_content()
    assert "Geiriau chwilio: “glanhau”" in body and "Unwaith y dydd" in body
    assert 'lang="cy"' in message.get_body(("html",)).get_content()
    path = link_path(message, "/alerts/confirm/")
    assert path.startswith("/cy/alerts/confirm/")
    page = client.get(path)
    assert page.status_code == 200 and 'lang="cy"' in page.get_data(as_text=True)
    assert rows(app, Subscriber)[0].language == "cy"


def test_expired_link_confirms_nothing(app, client, smtp_server):
    seed(app)
    subscribe(client, "late@example.org")
    path = confirm_path(smtp_server, "late@example.org")
    with time_machine.travel(timedelta(days=7, minutes=1)):
        for answer in (client.get(path), client.post(path)):
            assert answer.status_code == 410 and "This link has expired" in main_text(answer)
    (row,) = rows(app, Subscription)
    assert row.status == "pending" and row.confirmed_at is None


def test_tampered_and_foreign_tokens_are_refused(app, client, smtp_server):
    seed(app)
    subscribe(client, "forge@example.org")
    path = confirm_path(smtp_server, "forge@example.org")
    token = path.rsplit("/", 1)[1]
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    from portal.alerts import tokens

    with app.app_context():
        other_purpose = tokens.unsubscribe_token("subscription", 1)  # genuine, but made for unsubscribing
    for bad in (tampered, other_purpose, "not-a-token"):
        for answer in (client.get(f"/en/alerts/confirm/{bad}"), client.post(f"/en/alerts/confirm/{bad}")):
            assert answer.status_code == 400 and "This link is not valid" in main_text(answer)
    welsh = client.post(f"/cy/alerts/confirm/{tampered}")
    assert welsh.status_code == 400 and "Nid yw'r ddolen hon yn ddilys" in main_text(welsh)
    assert rows(app, Subscription)[0].status == "pending"


def test_a_live_subscription_gets_the_same_answer_and_no_new_email(app, client, smtp_server):
    seed(app)
    subscribe(client, "kim@example.org")
    client.post(confirm_path(smtp_server, "kim@example.org"))
    again = subscribe(client, "KIM@example.org")
    unknown = subscribe(client, "kat@example.org")
    assert again.status_code == unknown.status_code == 200
    assert main_text(again) == main_text(unknown)  # never tells whether an address is subscribed
    assert len(smtp_server.to("kim@example.org")) == 1 and len(smtp_server.to("kat@example.org")) == 1
    assert [s.status for s in rows(app, Subscription)] == ["live", "pending"]
    assert len(rows(app, SavedSearch)) == 1  # one saved search shared by both subscriptions


def test_asking_again_while_pending_replaces_the_link(app, client, smtp_server):
    seed(app)
    subscribe(client, "twice@example.org")
    subscribe(client, "twice@example.org", frequency="weekly")
    first, second = (link_path(m, "/alerts/confirm/") for m in smtp_server.to("twice@example.org"))
    assert client.post(first).status_code == 410  # the newer email replaced it
    assert client.post(second).status_code == 200
    (row,) = rows(app, Subscription)
    assert (row.status, row.frequency) == ("live", "weekly")


def test_concurrent_double_submits_make_one_subscription(app, smtp_server):
    seed(app)
    barrier, answers = threading.Barrier(4), []

    def submit():
        with closing_client(app) as own:
            barrier.wait()
            answers.append(subscribe(own, "double@example.org").status_code)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 4
    assert len(rows(app, Subscriber)) == 1 and len(rows(app, SavedSearch)) == 1
    assert len(rows(app, Subscription)) == 1


def test_noisy_search_is_warned(app, client, monkeypatch):
    seed(app, cleaning=3)
    monkeypatch.setattr(views, "NOISY_PER_DAY", 0.05)  # 1.5 in 30 days: the 3 seeded notices are "too many"
    text = main_text(client.get("/en/alerts/new?q=cleaning"))
    assert "It found 3 notices in the last 30 days." in text and "more than 10 a day" in text
    welsh = main_text(client.get("/cy/alerts/new?q=cleaning"))
    assert "fwy na 10 y dydd" in welsh


def test_hostile_input_gets_a_clear_error_and_changes_nothing(app, client, smtp_server):
    seed(app)
    bad = {
        "": "Enter your email address",
        "not-an-address": "Enter an email address in the correct format",
        "a@b.example\r\nBcc: victim@example.org": "Enter an email address in the correct format",
        "x@example.org\nBcc: victim@example.org": "Enter an email address in the correct format",
        ("a" * 250) + "@example.org": "Enter an email address in the correct format",
        "someone@localhost": "Enter an email address in the correct format",
    }
    for email, error in bad.items():
        answer = client.post("/en/alerts/new?q=cleaning", data={"email": email, "frequency": "daily"})
        assert answer.status_code == 400, email
        assert "There is a problem" in main_text(answer) and error in main_text(answer), email
    wrong_frequency = client.post("/en/alerts/new?q=cleaning", data={"email": "ok@example.org", "frequency": "hourly"})
    assert wrong_frequency.status_code == 400 and "There is a problem" in main_text(wrong_frequency)
    assert rows(app, Subscriber) == [] and rows(app, Subscription) == [] and smtp_server.messages == []


def test_forged_post_without_csrf_token_changes_nothing(app, database_url, tmp_path, smtp_server):
    guarded = create_app({**app.config, "WTF_CSRF_ENABLED": True})
    with closing_client(guarded) as client:
        answer = client.post("/en/alerts/new?q=cleaning", data={"email": "csrf@example.org", "frequency": "daily"})
        assert answer.status_code == 400 and "The form could not be sent" in main_text(answer)
        welsh = client.post("/cy/alerts/manage", data={"email": "csrf@example.org"})
        assert welsh.status_code == 400 and "Nid oedd modd anfon y ffurflen" in main_text(welsh)
    assert rows(app, Subscriber) == [] and smtp_server.messages == []


def test_refused_address_is_marked_and_the_page_says_the_same(app, client, smtp_server):
    seed(app)
    smtp_server.refuse["gone@example.org"] = "550 5.1.1 No such user"
    answer = subscribe(client, "gone@example.org")
    assert answer.status_code == 200 and "Check your email" in main_text(answer)
    (subscriber,) = rows(app, Subscriber)
    assert subscriber.refused_at is not None
    assert [(e.kind, e.status) for e in rows(app, AlertEmail)] == [("confirm", "refused")]


def test_mail_server_down_loses_nothing_and_asking_again_sends(app, client, smtp_server):
    seed(app)
    smtp_server.defer_all = True
    assert subscribe(client, "later@example.org").status_code == 200
    assert smtp_server.messages == [] and rows(app, Subscription)[0].status == "pending"
    smtp_server.defer_all = False
    subscribe(client, "later@example.org")
    assert client.post(confirm_path(smtp_server, "later@example.org")).status_code == 200


def test_the_email_is_sent_after_the_page_has_answered(app, smtp_server):
    # so how long the page took says nothing about whether an email was sent for the address
    seed(app)
    app.test_client_class = None  # Flask's own client: a response is closed only when the caller closes it
    client = app.test_client()
    answer = client.post("/en/alerts/new?q=cleaning", data={"email": "timing@example.org", "frequency": "daily"})
    assert answer.status_code == 200 and smtp_server.messages == []
    answer.close()  # what a server does once the response is written
    assert len(smtp_server.to("timing@example.org")) == 1


def test_only_the_address_owner_changes_its_language_by_confirming(app, client, smtp_server):
    seed(app)
    subscribe(client, "owner@example.org", lang="en", query="q=cleaning")
    client.post(confirm_path(smtp_server, "owner@example.org"))
    subscribe(client, "owner@example.org", lang="cy", query="q=glanhau")  # anyone can type the address in
    assert rows(app, Subscriber)[0].language == "en"
    welsh = smtp_server.to("owner@example.org")[-1]
    assert welsh["Content-Language"] == "cy"  # the confirmation speaks the asking page's language
    assert client.post(link_path(welsh, "/cy/alerts/confirm/")).status_code == 200
    assert rows(app, Subscriber)[0].language == "cy"
