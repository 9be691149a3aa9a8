"""Following one procurement from its page, and the links to the alert pages on the search, pipeline and notice
pages. docs/design.md, "Email alerts: the pages"."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from sqlmodel import select

from portal.db import session_scope
from portal.models.alerts import Follow, SavedSearch
from tests.portal.alerts.alert_pages import (
    CLEANING_OCID,
    closing_responses,  # noqa: F401 (an autouse fixture)
    link_path,
    seed,
)
from tests.portal.alerts.test_subscribe import main_text, rows


def test_follow_from_the_notice_page(app, client, smtp_server):
    seed(app)
    notice = client.get(f"/cy/notice/{CLEANING_OCID}").get_data(as_text=True)
    assert f'action="/cy/alerts/follow/{CLEANING_OCID}"' in notice and 'method="get"' in notice
    assert "Dilyn y caffael hwn" in notice

    page = client.get(f"/en/alerts/follow/{CLEANING_OCID}")
    assert page.status_code == 200 and "Cleaning services 1" in main_text(page)
    answer = client.post(
        f"/en/alerts/follow/{CLEANING_OCID}", data={"email": "follower@example.org", "frequency": "immediately"}
    )
    assert answer.status_code == 200 and "Check your email" in main_text(answer)
    (message,) = smtp_server.to("follower@example.org")
    assert message["Subject"] == "Confirm you want to follow this procurement on Piblinell"
    assert "Cleaning services 1" in message.get_body(("plain",)).get_content()
    path = link_path(message, "/alerts/confirm/")
    assert rows(app, Follow)[0].status == "pending"

    assert client.post(path).status_code == 200
    (follow,) = rows(app, Follow)
    assert (follow.status, follow.frequency) == ("live", "immediately")
    assert follow.baseline, "the procurement's material facts are kept at confirmation to compare with"


def test_follow_of_an_unknown_procurement_is_404_and_stores_nothing(app, client, smtp_server):
    seed(app)
    assert client.get("/en/alerts/follow/ocds-nothing-here").status_code == 404
    answer = client.post("/en/alerts/follow/ocds-nothing-here", data={"email": "x@example.org", "frequency": "daily"})
    assert answer.status_code == 404
    assert rows(app, Follow) == [] and smtp_server.messages == []


def test_search_page_links_to_its_alert(app, client):
    seed(app)
    page = client.get("/cy/search?q=cleaning&region=UKL&sort=newest&page=1").get_data(as_text=True)
    href = page.split('id="alert-link"', 1)[1].split('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert urlsplit(href).path == "/cy/alerts/new"
    assert parse_qs(urlsplit(href).query) == {"q": ["cleaning"], "region": ["UKL"]}  # no order or page
    assert "Cael negeseuon e-bost am y chwiliad hwn" in page


def test_pipeline_page_links_to_an_alert_for_forward_work(app, client):
    seed(app)
    page = client.get("/en/pipeline?region=UKL&sme=1").get_data(as_text=True)
    href = page.split('id="alert-link"', 1)[1].split('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    query = parse_qs(urlsplit(href).query)
    assert query == {"stage": ["pipeline", "engagement", "planned"], "region": ["UKL"], "sme": ["1"]}
    form = client.get(href)
    assert form.status_code == 200 and "Stage" in main_text(form) and "Planned" in main_text(form)


def test_every_notice_search_can_be_saved_and_is_stored_once(app, client, smtp_server):
    seed(app)
    page = client.get("/en/alerts/new")
    assert "Every notice (no search words or filters)" in main_text(page)
    for email in ("a@example.org", "b@example.org"):
        assert client.post("/en/alerts/new", data={"email": email, "frequency": "weekly"}).status_code == 200
    with app.app_context(), session_scope() as session:
        (search,) = session.exec(select(SavedSearch)).all()
        assert search.query == ""
