"""The signed-in session: the idle timeout, sign-out (everywhere), member-only pages (404 for others'
organisations) and the cookie's flags in production. See docs/design.md, "Buyer accounts: sign-in,
organisations, audit"."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from flask_login import current_user
from sqlmodel import select

from portal import create_app
from portal.db import get_engine, session_scope
from portal.models.accounts import AuditEvent, Person
from portal.models.tables import utcnow
from tests.accounts_helpers import make_member, signed_in_client

ORG = "GB-PPON-ABCD-1234-EFGH"
OTHER = "GB-COH-01234567"


def is_signed_in(client) -> bool:
    with client:
        client.get("/en/about")
        return current_user.is_authenticated


def test_a_session_idle_past_the_timeout_is_signed_out_with_a_message(app):
    client = signed_in_client(app, "ceri@caerdydd.gov.wales", ORG)
    assert client.get("/en/publish/account").status_code == 200
    with time_machine.travel(time.time() + 2 * 60 * 60 - 60, tick=False):
        assert client.get("/en/publish/account").status_code == 200  # used within two hours: still in
    with time_machine.travel(time.time() + 4 * 60 * 60 - 90, tick=False):
        assert client.get("/en/publish/account").status_code == 200  # two hours after that last use
    with time_machine.travel(time.time() + 6 * 60 * 60 + 60, tick=False):
        gone = client.get("/cy/publish/account")
        assert gone.status_code == 302 and gone.location.startswith("/cy/publish/sign-in")
        page = client.get(gone.location).get_data(as_text=True)
        assert "Cawsoch eich allgofnodi am nad oeddech wedi defnyddio" in page
        assert not is_signed_in(client)


def test_sign_out_ends_the_session_and_every_copy_of_its_cookie(app):
    person_id, _ = make_member(app, "ceri@caerdydd.gov.wales", ORG)
    client = signed_in_client(app, "ceri@caerdydd.gov.wales", ORG)
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    assert is_signed_in(copy)
    assert client.get("/en/publish/sign-out").status_code == 405  # only a POST signs out
    out = client.post("/en/publish/sign-out")
    assert out.status_code == 302 and out.location == "/en/publish/sign-in"
    assert "You have signed out." in client.get(out.location).get_data(as_text=True)
    assert not is_signed_in(client) and not is_signed_in(copy)  # the copied cookie's session version is old
    with app.app_context(), session_scope() as db:
        assert db.get(Person, person_id).session_version == 1
        (event,) = db.exec(select(AuditEvent).where(AuditEvent.action == "sign-out")).all()
        assert event.actor == "ceri@caerdydd.gov.wales"


def test_member_pages_send_strangers_to_sign_in_and_hide_other_organisations(app):
    anonymous = app.test_client()
    to_sign_in = anonymous.get("/cy/publish/account")
    assert to_sign_in.status_code == 302
    assert to_sign_in.location == "/cy/publish/sign-in?next=/cy/publish/account"
    _, other_id = make_member(app, "rhys@powys.gov.uk", OTHER, "Cyngor Powys")
    client = signed_in_client(app, "ceri@caerdydd.gov.wales", ORG)
    assert client.get(f"/en/publish/organisation/{other_id}/invite").status_code == 404
    assert (
        client.post(f"/en/publish/organisation/{other_id}/invite", data={"email": "x@powys.gov.uk"}).status_code == 404
    )
    assert client.get("/en/publish/organisation/999999/invite").status_code == 404
    assert "Cyngor Powys" not in client.get("/en/publish/account").get_data(as_text=True)


def test_a_next_address_off_the_site_is_ignored(app, client, smtp_server):
    from tests.portal.accounts.test_sign_in import emailed_path

    make_member(app, "ceri@caerdydd.gov.wales", ORG)
    for bad in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        client.get("/en/publish/sign-in", query_string={"next": bad})
        client.post("/en/publish/sign-in", data={"email": "ceri@caerdydd.gov.wales", "next": bad})
        signed = client.post(emailed_path(smtp_server, "ceri@caerdydd.gov.wales"))
        assert signed.location == "/en/publish/"  # the publishing dashboard
        smtp_server.messages.clear()


@pytest.mark.parametrize("environment", ["production", "development"])
def test_cookie_flags(app, monkeypatch, environment):
    monkeypatch.setenv("PIBLINELL_ENV", environment)
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://piblinell.example.org")
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    configured = create_app()
    try:
        secure = environment == "production"
        assert configured.config["SESSION_COOKIE_SECURE"] is secure
        assert configured.config["REMEMBER_COOKIE_SECURE"] is secure
        # The sign-in form keeps where to go next in the session, so it sets the cookie.
        response = configured.test_client().get("/en/publish/sign-in?next=/en/publish/account")
        assert response.status_code == 200
        (cookie,) = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
        flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
        assert {"httponly", "path"} <= flags and "samesite=lax" in cookie.lower()
        assert ("secure" in flags) is secure
        assert "expires" not in flags  # a browser session, no remember-me cookie
    finally:
        with configured.app_context():
            get_engine().dispose()


def test_last_sign_in_time_is_kept(app, client, smtp_server):
    from tests.portal.accounts.test_sign_in import emailed_path

    person_id, _ = make_member(app, "ceri@caerdydd.gov.wales", ORG)
    client.post("/en/publish/sign-in", data={"email": "ceri@caerdydd.gov.wales"})
    before = utcnow()
    client.post(emailed_path(smtp_server, "ceri@caerdydd.gov.wales"))
    with app.app_context(), session_scope() as db:
        assert before - timedelta(seconds=5) <= db.get(Person, person_id).last_sign_in_at <= utcnow()
