"""Rate limits on the forms that send email (Flask-Limiter): per address across subscribe, follow and the
manage-link form, and per client; a refused request gets the portal's 429 page in its language and sends
nothing. docs/design.md, "Email alerts: the pages"."""

from __future__ import annotations

import pytest

from portal import create_app
from portal.alerts.blueprint import ADDRESS_LIMIT, CLIENT_LIMIT
from portal.security import limiter
from tests.portal.alerts.alert_pages import CLEANING_OCID, closing_client, seed
from tests.portal.alerts.test_subscribe import main_text

PER_ADDRESS = int(ADDRESS_LIMIT.split("/")[0])
PER_CLIENT = int(CLIENT_LIMIT.split("/")[0])


@pytest.fixture
def limited_app(app):
    """The test app with rate limits on (memory storage, emptied before and after)."""
    limited = create_app({**app.config, "RATELIMIT_ENABLED": True})
    limiter.reset()
    yield limited
    limiter.reset()


def test_per_address_limit_spans_the_forms_and_answers_429_in_both_languages(app, limited_app, smtp_server):
    seed(app)
    client = closing_client(limited_app)
    data = {"email": "flood@example.org", "frequency": "daily"}
    posts = [
        lambda: client.post("/en/alerts/new?q=cleaning", data=data),
        lambda: client.post(f"/en/alerts/follow/{CLEANING_OCID}", data=data),
        lambda: client.post("/en/alerts/manage", data={"email": "FLOOD@example.org"}),
    ]
    # an address that is no address gets the form's error (the per-address limit cannot key it: only the
    # per-client one counts it)
    for bad in ("not an address", "a@b.example\r\nBcc: c@d.example", ""):
        assert client.post("/en/alerts/new?q=cleaning", data={**data, "email": bad}).status_code == 400
    answers = [posts[n % 3]().status_code for n in range(PER_ADDRESS)]
    assert answers == [200] * PER_ADDRESS
    sent = len(smtp_server.messages)
    refused = client.post("/en/alerts/new?q=roads", data=data)
    assert refused.status_code == 429 and "Too many requests" in main_text(refused)
    welsh = client.post("/cy/alerts/manage", data={"email": "flood@example.org"})
    assert welsh.status_code == 429 and "Gormod o geisiadau" in main_text(welsh)
    assert len(smtp_server.messages) == sent
    # another address from the same client is still served, and reading the form is never limited
    assert client.post("/en/alerts/new?q=cleaning", data={**data, "email": "calm@example.org"}).status_code == 200
    assert client.get("/en/alerts/new?q=cleaning").status_code == 200


def test_per_client_limit(app, limited_app, smtp_server):
    seed(app)
    client = closing_client(limited_app)
    for n in range(PER_CLIENT):
        answer = client.post("/en/alerts/manage", data={"email": f"person{n}@example.org"})
        assert answer.status_code == 200, n
    refused = client.post("/en/alerts/manage", data={"email": "one-more@example.org"})
    assert refused.status_code == 429
    # invalid addresses count against the client too
    assert client.post("/en/alerts/manage", data={"email": "nonsense"}).status_code == 429
