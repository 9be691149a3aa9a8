"""One digest per address per frequency per run (issue 10: "Each procurement once per email, even when several
of the address's searches match it"): each procurement once, naming every search that found it and its words,
the follows' changes of that frequency in the same email; its RFC 8058 one-click link ends every search and
follow the email is about, and nothing else; the body has a stop link per search and per follow, and the
manage link. docs/design.md, "Email alerts: sending", "One digest per address"."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlmodel import col, select

from portal import create_app
from portal.alerts import deliver
from portal.alerts.tokens import read_digest_token, read_unsubscribe_token
from portal.db import session_scope
from portal.models.alerts import AlertEmail, AlertItem, Follow, Subscriber, Subscription
from tests.factories import fts_release
from tests.portal.alerts.sending import follow, in_app, items_of, store, subscribe  # noqa: F401 (in_app: a fixture)

FOLLOWED = "ocds-h6vhtk-0g0001"


def _news() -> dict[str, int]:
    """An address with three immediate searches (one finds nothing), a daily one, an immediate follow and a
    daily follow; then news for all but one. Return the rows' ids by name."""
    store(
        [
            fts_release(
                ocid=FOLLOWED, notice_id="060001-2026", title="Grounds cleaning", deadline="2027-09-01T12:00:00+01:00"
            ),
            fts_release(ocid="ocds-h6vhtk-0g0002", notice_id="060002-2026", title="Library heating"),
        ]
    )
    ids = {
        "cleaning": subscribe("a@example.org", {"q": "cleaning"}),
        "roads": subscribe("a@example.org", {"q": "roads"}),
        "catering": subscribe("a@example.org", {"q": "catering"}),  # nothing new for it
        "parks": subscribe("a@example.org", {"q": "parks"}, frequency="daily"),
        "follow": follow("a@example.org", FOLLOWED),
        "daily follow": follow("a@example.org", "ocds-h6vhtk-0g0002", frequency="daily"),
        "other": subscribe("b@example.org", {"q": "cleaning"}),
    }
    store(
        [
            fts_release(ocid="ocds-h6vhtk-0g0011", notice_id="060011-2026", title="Office cleaning"),
            fts_release(ocid="ocds-h6vhtk-0g0012", notice_id="060012-2026", title="Roads and cleaning"),
            fts_release(ocid="ocds-h6vhtk-0g0013", notice_id="060013-2026", title="Roads resurfacing"),
            fts_release(ocid="ocds-h6vhtk-0g0014", notice_id="060014-2026", title="Parks maintenance"),
            fts_release(  # the followed one: its deadline moved (and "cleaning" finds it too)
                ocid=FOLLOWED,
                notice_id="060003-2026",
                title="Grounds cleaning",
                deadline="2027-09-15T12:00:00+01:00",
                date="2026-08-12T10:00:00+01:00",
            ),
        ]
    )
    return ids


def _token(url: str) -> str:
    return urlsplit(url.strip("<>")).path.rsplit("/", 1)[1]


def test_an_address_gets_one_digest_per_frequency_with_each_procurement_once(app, smtp_server):
    ids = _news()
    composed, sent = deliver.run("immediately")
    assert (composed.emails, sent.sent) == (2, 2)  # a@ and b@: one each, however many searches a@ has
    [message] = smtp_server.to("a@example.org")
    assert message["Subject"] == "3 new notices for your 2 searches"  # and the followed one, as a change
    links = items_of(message)
    assert len(links) == len(set(links)) == 4
    text = message.get_body(("plain",)).get_content()
    assert text.count("Roads and cleaning") == 1
    both = text[text.index("Roads and cleaning") :].split("\n\n")[0]
    assert "Your search “cleaning” matched: cleaning" in both and "Your search “roads” matched: roads" in both
    changes = text[text.index("Changes to what you follow") :]
    assert (
        "Grounds cleaning" in changes and "Deadline moved from 1 September 2027, 12:00 to 15 September 2027" in changes
    )
    assert text.count("/notice/" + FOLLOWED) == 1  # followed and found: once, under the changes
    assert "Parks maintenance" not in text and "Library heating" not in text  # daily: not in this run's email
    # its one click ends exactly what it is about: the two searches with news and the follow
    covered = read_digest_token(_token(message["List-Unsubscribe"]))
    assert (covered.subscriptions, covered.follows) == ((ids["cleaning"], ids["roads"]), (ids["follow"],))
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # the body: a stop link for each search and the follow, the email's own, and the manage link
    for line, kind, row_id in (
        ("Stop emails about your search “cleaning”: ", "subscription", ids["cleaning"]),
        ("Stop emails about your search “roads”: ", "subscription", ids["roads"]),
        ("Stop following this procurement: ", "follow", ids["follow"]),
    ):
        url = text.split(line, 1)[1].split()[0]
        target = read_unsubscribe_token(_token(url))
        assert (target.kind, target.id) == (kind, row_id)
    assert "Stop every alert in this email: " + message["List-Unsubscribe"].strip("<>") in text
    assert "/en/alerts/manage/" in text
    with session_scope() as session:  # what a@ was told, each (row, procurement) once, all in its one email
        subscriber = session.exec(select(Subscriber).where(Subscriber.email == "a@example.org")).one()
        emails = session.exec(select(AlertEmail.id).where(AlertEmail.subscriber_id == subscriber.id)).all()
        told = session.exec(
            select(AlertItem.subscription_id, AlertItem.follow_id, AlertItem.procurement_id).where(
                col(AlertItem.email_id).in_(emails)
            )
        ).all()
    assert len(emails) == 1 and len(told) == len(set(told)) == 3 + 2 + 1  # cleaning 3, roads 2, the follow 1

    assert deliver.run("daily")[0].emails == 1  # the daily search and follow: their own digest
    daily = smtp_server.to("a@example.org")[1]
    assert daily["Subject"] == "1 new notice for your search “parks”"
    covered = read_digest_token(_token(daily["List-Unsubscribe"]))
    assert (covered.subscriptions, covered.follows) == ((ids["parks"],), ())  # its follow had no change
    assert deliver.run("immediately")[0].emails == 0  # nothing twice


def test_the_digests_one_click_ends_everything_it_is_about_and_nothing_else(app, smtp_server):
    ids = _news()
    deliver.run("immediately")
    [message] = smtp_server.to("a@example.org")
    path = urlsplit(message["List-Unsubscribe"].strip("<>")).path
    mail_client = create_app({**app.config, "WTF_CSRF_ENABLED": True}).test_client(use_cookies=False)

    shown = mail_client.get(path)  # a scanner's GET changes nothing; the page says what the button stops
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and 'id="unsubscribe-button"' in page
    assert "a…@example.org" in page and "a@example.org" not in page
    assert "about these searches" in page and "“cleaning”" in page and "“roads”" in page
    assert "Grounds cleaning" in page and "catering" not in page

    def statuses() -> dict:
        with session_scope() as session:
            rows = [*session.exec(select(Subscription)).all(), *session.exec(select(Follow)).all()]
        return {(type(row).__name__, row.id): row.status for row in rows}

    before = statuses()
    assert set(before.values()) == {"live"}
    answer = mail_client.post(path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200 and "Location" not in answer.headers
    assert "These emails have stopped" in answer.get_data(as_text=True)
    stopped = {key for key, status in statuses().items() if status == "stopped"}
    assert stopped == {
        ("Subscription", ids["cleaning"]),
        ("Subscription", ids["roads"]),
        ("Follow", ids["follow"]),
    }  # catering, the daily ones and b@'s search go on
    with session_scope() as session:
        assert session.exec(select(Subscriber).where(Subscriber.email == "a@example.org")).one().inactive_since is None
    again = mail_client.post(path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert again.status_code == 200 and "already stopped" in mail_client.get(path).get_data(as_text=True)


def test_a_per_search_stop_link_ends_only_that_search(app, client, smtp_server):
    ids = _news()
    deliver.run("immediately")
    text = smtp_server.to("a@example.org")[0].get_body(("plain",)).get_content()
    url = text.split("Stop emails about your search “roads”: ", 1)[1].split()[0]
    assert client.post(urlsplit(url).path, data={}).status_code == 200
    with session_scope() as session:
        assert session.get(Subscription, ids["roads"]).status == "stopped"
        assert session.get(Subscription, ids["cleaning"]).status == "live"
        assert session.get(Follow, ids["follow"]).status == "live"


def test_a_forged_or_foreign_digest_token_changes_nothing(app, client, smtp_server):
    from portal.alerts import tokens

    ids = _news()
    deliver.run("immediately")
    path = urlsplit(smtp_server.to("a@example.org")[0]["List-Unsubscribe"].strip("<>")).path
    with app.app_context():
        single = tokens.unsubscribe_token("subscription", ids["cleaning"])  # genuine, another purpose
    for bad in (path[:-4] + "abcd", f"/en/alerts/unsubscribe/email/{single}"):
        answer = client.post(bad, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
        assert answer.status_code == 400 and "This link is not valid" in answer.get_data(as_text=True)
    with session_scope() as session:
        assert {row.status for row in session.exec(select(Subscription))} == {"live"}
