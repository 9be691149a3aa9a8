"""The manage page reached from an address's own email, and the form asking for that link: change how often,
stop one, stop all (older links die), and the same answer whether or not an address is known.
docs/design.md, "Email alerts: the pages"."""

from __future__ import annotations

from urllib.parse import urlsplit

from portal.alerts import links
from portal.models.alerts import AlertEmail, Follow, Subscriber, Subscription
from tests.portal.alerts.alert_pages import (
    CLEANING_OCID,
    closing_responses,  # noqa: F401 (an autouse fixture)
    link_path,
    seed,
    subscribe,
)
from tests.portal.alerts.test_subscribe import main_text, rows


def live_alerts(app, client, smtp_server, email: str = "maria@example.org") -> str:
    """A confirmed subscription and a confirmed follow of `email`; return its manage page's path."""
    seed(app)
    subscribe(client, email, query="q=cleaning&region=UKL")
    client.post(f"/en/alerts/follow/{CLEANING_OCID}", data={"email": email, "frequency": "daily"})
    for message in smtp_server.to(email):
        assert client.post(link_path(message, "/alerts/confirm/")).status_code == 200
    with app.app_context():
        (subscriber,) = [s for s in rows(app, Subscriber) if s.email == email]
        return urlsplit(links.manage_url(subscriber, "en")).path


def test_manage_page_lists_searches_and_follows(app, client, smtp_server):
    path = live_alerts(app, client, smtp_server)
    page = client.get(path)
    assert page.status_code == 200
    text = main_text(page)
    assert "maria@example.org" in text  # the address's own page, reached through its own email
    assert "Search words “cleaning”" in text and "Region Wales" in text
    assert "Cleaning services 1" in text
    html = page.get_data(as_text=True)
    assert 'href="/en/search?q=cleaning&amp;region=UKL"' in html
    assert f'href="/en/notice/{CLEANING_OCID}"' in html
    assert client.get(path.replace("/en/", "/cy/")).status_code == 200


def test_change_frequency_and_stop_one(app, client, smtp_server):
    path = live_alerts(app, client, smtp_server)
    (subscription,) = rows(app, Subscription)
    (follow,) = rows(app, Follow)
    changed = client.post(
        f"{path}/subscription/{subscription.id}/frequency", data={f"subscription-{subscription.id}-frequency": "weekly"}
    )
    assert changed.status_code == 303 and urlsplit(changed.location).path == path
    assert "has been changed" in main_text(client.get(path))
    assert rows(app, Subscription)[0].frequency == "weekly"

    bad = client.post(
        f"{path}/subscription/{subscription.id}/frequency", data={f"subscription-{subscription.id}-frequency": "hourly"}
    )
    assert bad.status_code == 303 and rows(app, Subscription)[0].frequency == "weekly"

    assert client.post(f"{path}/subscription/{subscription.id}/stop").status_code == 303
    assert rows(app, Subscription)[0].status == "stopped"
    assert rows(app, Subscriber)[0].inactive_since is None  # the follow is still live
    assert client.post(f"{path}/follow/{follow.id}/stop").status_code == 303
    assert rows(app, Follow)[0].status == "stopped"
    assert rows(app, Subscriber)[0].inactive_since is not None  # nothing left: retention counts from now
    assert "You do not get emails about any search." in main_text(client.get(path))

    subscribe(client, "maria@example.org")  # asking again starts something: the address is active again
    assert rows(app, Subscriber)[0].inactive_since is None


def test_stop_all_ends_everything_and_older_links(app, client, smtp_server):
    path = live_alerts(app, client, smtp_server)
    done = client.post(f"{path}/stop-all")
    assert done.status_code == 200 and "All your emails have stopped" in main_text(done)
    assert {row.status for row in rows(app, Subscription) + rows(app, Follow)} == {"stopped"}
    subscriber = rows(app, Subscriber)[0]
    assert subscriber.token_version == 1 and subscriber.inactive_since is not None
    old = client.get(path)
    assert old.status_code == 410 and "This link no longer works" in main_text(old)
    (subscription,) = rows(app, Subscription)
    assert client.post(f"{path}/subscription/{subscription.id}/frequency", data={}).status_code == 410


def test_another_addresss_rows_cannot_be_touched(app, client, smtp_server):
    path = live_alerts(app, client, smtp_server)
    subscribe(client, "other@example.org", query="q=roads")
    other = next(row for row in rows(app, Subscription) if row.frequency == "daily" and row.status == "pending")
    assert client.post(f"{path}/subscription/{other.id}/stop").status_code == 400
    assert client.post(f"{path}/subscription/{other.id}/frequency", data={}).status_code == 400
    assert next(row for row in rows(app, Subscription) if row.id == other.id).status == "pending"


def test_forged_manage_token_is_refused(app, client, smtp_server):
    path = live_alerts(app, client, smtp_server)
    forged = path[:-4] + ("abcd" if not path.endswith("abcd") else "efgh")
    assert client.get(forged).status_code == 400
    assert client.post(f"{forged}/stop-all").status_code == 400
    assert rows(app, Subscriber)[0].token_version == 0


def test_manage_link_form_answers_the_same_for_known_and_unknown(app, client, smtp_server):
    live_alerts(app, client, smtp_server, email="known@example.org")
    before = len(smtp_server.messages)
    known = client.post("/cy/alerts/manage", data={"email": "Known@example.org"})
    unknown = client.post("/cy/alerts/manage", data={"email": "kate@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert main_text(known) == main_text(unknown)
    assert len(smtp_server.messages) == before + 1 and smtp_server.to("kate@example.org") == []
    message = smtp_server.to("known@example.org")[-1]
    assert message["Content-Language"] == "cy" and message["Subject"] == "Eich rhybuddion e-bost Piblinell"
    manage = link_path(message, "/alerts/manage/")
    assert manage.startswith("/cy/alerts/manage/") and client.get(manage).status_code == 200
    assert [e.kind for e in rows(app, AlertEmail)].count("manage") == 1


def test_manage_link_form_refuses_bad_addresses(app, client, smtp_server):
    for email in ("", "nope", "a@b.example\r\nBcc: c@d.example"):
        answer = client.post("/en/alerts/manage", data={"email": email})
        assert answer.status_code == 400 and "There is a problem" in main_text(answer)
    assert smtp_server.messages == []


def test_privacy_page_says_what_alerts_keep_and_for_how_long(client):
    english = main_text(client.get("/en/privacy"))
    assert "Email alerts" in english and "30 days after sending" in english and "28 days later" in english
    welsh = main_text(client.get("/cy/privacy"))
    assert (
        "Rhybuddion e-bost" in welsh and "30 diwrnod ar ôl ei anfon" in welsh and "28 diwrnod yn ddiweddarach" in welsh
    )
