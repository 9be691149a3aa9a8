"""Sign-in by emailed link, end to end through the test client with a real loopback SMTP server: the link is
captured from the email, its GET signs no one in, its POST does once, with a new session. See docs/design.md,
"Buyer accounts: sign-in, organisations, audit"."""

from __future__ import annotations

import re

import pytest
from flask_login import current_user
from sqlmodel import select

from portal.db import session_scope
from portal.models.accounts import AuditEvent, Person, SignInToken
from tests.accounts_helpers import make_member

ORG = "GB-PPON-ABCD-1234-EFGH"
LINK = re.compile(r"https?://[^\s\"<>]+/publish/sign-in/[A-Za-z0-9_-]+")


def ask_for_link(client, email: str, lang: str = "en"):
    return client.post(f"/{lang}/publish/sign-in", data={"email": email})


def emailed_link(smtp_server, email: str) -> str:
    (message,) = smtp_server.to(email)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    (link,) = set(LINK.findall(text))
    assert link in html
    return link.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def path_of(link: str) -> str:
    return link


def actions(app) -> list[tuple[str, str | None, dict]]:
    with app.app_context(), session_scope() as session:
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id))
        return [(event.action, event.subject, event.detail) for event in events]


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_link_by_email_then_button_signs_in_with_a_new_session(app, client, smtp_server, lang):
    person_id, _ = make_member(app, "Ceri@Caerdydd.Gov.Wales", ORG)
    with client:
        client.get(f"/{lang}/publish/sign-in")
        from flask import session

        session_before = dict(session)
    page = ask_for_link(client, "ceri@caerdydd.gov.wales", lang)
    assert page.status_code == 200
    (message,) = smtp_server.to("ceri@caerdydd.gov.wales")
    assert message["Content-Language"] == lang
    assert (
        message["Subject"]
        == {"en": "Your link to sign in to Piblinell", "cy": "Eich dolen i fewngofnodi i Piblinell"}[lang]
    )
    path = emailed_link(smtp_server, "ceri@caerdydd.gov.wales")
    assert path.startswith(f"/{lang}/publish/sign-in/")
    # Only the hash is stored.
    token = path.rsplit("/", 1)[1]
    with app.app_context(), session_scope() as db:
        stored = db.exec(select(SignInToken)).one()
        assert token not in stored.token_hash and len(stored.token_hash) == 64

    with client:
        shown = client.get(path)
        assert shown.status_code == 200
        assert 'id="confirm-sign-in"' in shown.get_data(as_text=True)
        assert not current_user.is_authenticated  # the GET signed no one in
    with client:
        client.set_cookie("piblinell-probe", "1")
        signed = client.post(path)
        assert signed.status_code == 302
        assert current_user.is_authenticated and current_user.person_id == person_id
        from flask import session

        assert session.get("_user_id") == f"{person_id}.0"
        assert "sign_in_next" not in session and session_before.get("_user_id") is None
    account = client.get(f"/{lang}/publish/account")
    assert account.status_code == 200
    assert "ceri@caerdydd.gov.wales" in account.get_data(as_text=True)
    assert [a for a, _s, _d in actions(app)] == ["sign-in.link", "sign-in"]
    with app.app_context(), session_scope() as db:
        assert db.get(Person, person_id).last_sign_in_at is not None
