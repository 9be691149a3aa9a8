"""What the alert page tests share: a few notices in the index, the confirmation link from a received email,
and forms filled as a visitor does. See docs/design.md, "Email alerts: the pages"."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from portal.collect.ingest import ingest_page
from portal.db import session_scope
from portal.models.tables import utcnow
from portal.search.indexing import sync_index
from tests.factories import fts_release

CLEANING_OCID = "ocds-h6vhtk-0c1001"


class ClosingClient(FlaskClient):
    """A test client that closes each response as a server does, so what runs after the response (the alert
    pages send their emails then: portal.alerts.confirm_mail.after_response) has run when a request returns."""

    def open(self, *args, buffered: bool = True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


def closing_client(app, **options) -> ClosingClient:
    """A ClosingClient of an app."""
    app.test_client_class = ClosingClient
    return app.test_client(**options)


@pytest.fixture(autouse=True)
def closing_responses(app):
    """Make the `client` fixture a ClosingClient (import this autouse fixture into a test module)."""
    app.test_client_class = ClosingClient


LINK = re.compile(r"https?://[^\s<>\"]+")


def iso(moment) -> str:
    return moment.isoformat(timespec="seconds")


def seed(app, cleaning: int = 2) -> None:
    """Store `cleaning` open cleaning tenders in Wales published in the last days and one older roads tender,
    and index them."""
    now = utcnow()
    releases = [
        fts_release(
            ocid=CLEANING_OCID[:-4] + f"{1001 + n}",
            notice_id=f"09{1001 + n}-2026",
            title=f"Cleaning services {n + 1}",
            description="Cleaning of council buildings.",
            date=iso(now - timedelta(days=1 + n % 20)),
            deadline=iso(now + timedelta(days=30)),
        )
        for n in range(cleaning)
    ]
    releases.append(
        fts_release(ocid="ocds-h6vhtk-0c2001", notice_id="092001-2026", title="Road resurfacing", cpv="45000000")
    )
    with app.app_context(), session_scope() as session:
        ingest_page(session, "fts", releases)
        session.commit()
    with app.app_context():
        sync_index()


def links_in(message, part: str = "plain") -> list[str]:
    """Return the links in a message's plain-text (or HTML) part."""
    body = message.get_body(preferencelist=(part,))
    return LINK.findall(body.get_content())


def link_path(message, marker: str) -> str:
    """Return the path of the one link in a message whose path contains `marker` (e.g. "/alerts/confirm/")."""
    found = {urlsplit(link).path for link in links_in(message) if marker in link}
    assert len(found) == 1, f"{marker}: {found}"
    return found.pop()


def subscribe(client, email: str, *, lang: str = "en", query: str = "q=cleaning", frequency: str = "daily"):
    """POST the subscribe form of a search."""
    # buffered: the response is closed, so its confirmation email has been sent (whatever the client's class)
    return client.post(f"/{lang}/alerts/new?{query}", data={"email": email, "frequency": frequency}, buffered=True)
