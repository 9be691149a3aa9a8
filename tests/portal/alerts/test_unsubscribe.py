"""One-click unsubscribe (RFC 8058): a mail client's POST of `List-Unsubscribe=One-Click`, with no cookie and
no CSRF token, stops that subscription or follow and answers 200 without a redirect; a GET only shows a page
with a button. docs/design.md, "Email alerts: the pages"."""

from __future__ import annotations

from urllib.parse import urlsplit

from portal import create_app
from portal.alerts import links
from portal.models.alerts import Follow, Subscriber, Subscription
from tests.portal.alerts.alert_pages import (
    closing_client,
    closing_responses,  # noqa: F401 (an autouse fixture)
)
from tests.portal.alerts.test_manage import live_alerts
from tests.portal.alerts.test_subscribe import main_text, rows


def unsubscribe_path(app, kind: str, row_id: int, lang: str = "en") -> str:
    with app.app_context():
        return urlsplit(links.unsubscribe_url(kind, row_id, lang)).path


def test_one_click_post_without_cookies_or_csrf_stops_it(app, client, smtp_server):
    live_alerts(app, client, smtp_server)
    (subscription,) = rows(app, Subscription)
    path = unsubscribe_path(app, "subscription", subscription.id)
    guarded = create_app({**app.config, "WTF_CSRF_ENABLED": True})  # CSRF on, as in production
    mail_client = closing_client(guarded, use_cookies=False)

    shown = mail_client.get(path)  # a scanner's GET changes nothing
    assert shown.status_code == 200 and 'id="unsubscribe-button"' in shown.get_data(as_text=True)
    assert "m…@example.org" in main_text(shown) and "maria@" not in shown.get_data(as_text=True)
    assert rows(app, Subscription)[0].status == "live"

    answer = mail_client.post(path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200 and "Location" not in answer.headers
    assert "These emails have stopped" in main_text(answer)
    assert rows(app, Subscription)[0].status == "stopped"
    assert rows(app, Follow)[0].status == "live" and rows(app, Subscriber)[0].inactive_since is None

    again = mail_client.post(path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert again.status_code == 200  # a repeat is harmless
    assert "already stopped" in main_text(mail_client.get(path))


def test_the_pages_button_stops_a_follow_in_welsh(app, client, smtp_server):
    live_alerts(app, client, smtp_server)
    (follow,) = rows(app, Follow)
    path = unsubscribe_path(app, "follow", follow.id, "cy")
    assert path.startswith("/cy/alerts/unsubscribe/")
    page = client.get(path)
    assert "Atal y negeseuon e-bost hyn" in main_text(page)
    answer = client.post(path, data={})
    assert answer.status_code == 200 and "Mae'r negeseuon e-bost hyn wedi dod i ben" in main_text(answer)
    assert rows(app, Follow)[0].status == "stopped"


def test_forged_unsubscribe_tokens_change_nothing(app, client, smtp_server):
    live_alerts(app, client, smtp_server)
    (subscription,) = rows(app, Subscription)
    path = unsubscribe_path(app, "subscription", subscription.id)
    with app.app_context():
        from portal.alerts import tokens

        confirm_token = tokens.confirm_token("subscription", subscription.id, "nonce")  # another purpose
    for bad in (path[:-3] + ("xyz" if not path.endswith("xyz") else "abc"), f"/en/alerts/unsubscribe/{confirm_token}"):
        answer = client.post(bad, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
        assert answer.status_code == 400 and "This link is not valid" in main_text(answer)
    assert rows(app, Subscription)[0].status == "live"


def test_links_are_absolute_from_the_public_address(app):
    app.config["PUBLIC_BASE_URL"] = "https://piblinell.example.org"
    with app.app_context():
        url = links.unsubscribe_url("follow", 7, "cy")
        manage = links.manage_url(Subscriber(id=3, email="x@example.org", token_version=2), "en")
    assert url.startswith("https://piblinell.example.org/cy/alerts/unsubscribe/")
    assert manage.startswith("https://piblinell.example.org/en/alerts/manage/")
