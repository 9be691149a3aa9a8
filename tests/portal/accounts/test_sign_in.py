"""Sign-in by emailed link, end to end through the test client with a real loopback SMTP server: the link is
captured from the email, its GET signs no one in, its POST does once, with a new session. Refused links, the
same answer for every address, rate limits. See docs/design.md, "Buyer accounts: sign-in, organisations, audit"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from flask import session as flask_session
from flask_login import current_user
from sqlmodel import select

from portal import create_app
from portal.db import get_engine, session_scope
from portal.models.accounts import AuditEvent, Person, SignInToken
from portal.models.tables import utcnow
from portal.security import limiter
from tests.accounts_helpers import make_member

ORG = "GB-PPON-ABCD-1234-EFGH"
MEMBER = "ceri@caerdydd.gov.wales"
LINK = re.compile(r"https?://[^\s\"<>]+?(/(?:en|cy)/publish/sign-in/[A-Za-z0-9_-]+)")
SUBJECTS = {"en": "Your link to sign in to Piblinell", "cy": "Eich dolen i fewngofnodi i Piblinell"}
REFUSALS = {
    ("expired", "en"): "This sign-in link has expired",
    ("expired", "cy"): "Mae'r ddolen fewngofnodi hon wedi dod i ben",
    ("used", "en"): "This sign-in link has already been used",
    ("used", "cy"): "Mae'r ddolen fewngofnodi hon eisoes wedi'i defnyddio",
    ("unknown", "en"): "This sign-in link does not work",
    ("unknown", "cy"): "Nid yw'r ddolen fewngofnodi hon yn gweithio",
}


def ask_for_link(client, email: str, lang: str = "en"):
    return client.post(f"/{lang}/publish/sign-in", data={"email": email})


def emailed_path(smtp_server, email: str) -> str:
    """The path of the one sign-in link emailed to the address (the same in the text and HTML parts)."""
    (message,) = smtp_server.to(email)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    (path,) = set(LINK.findall(text))
    assert path in html and f'<html lang="{message["Content-Language"]}">' in html
    return path


def text_of(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'")


def actions(app) -> list[tuple[str, str | None, dict]]:
    with app.app_context(), session_scope() as db:
        return [(e.action, e.subject, e.detail) for e in db.exec(select(AuditEvent).order_by(AuditEvent.id))]


def signed_in_as(client, lang: str = "en") -> int | None:
    with client:
        client.get(f"/{lang}/about")
        return current_user.person_id if current_user.is_authenticated else None


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_link_by_email_then_button_signs_in_with_a_new_session(app, client, smtp_server, lang):
    person_id, _ = make_member(app, "Ceri@Caerdydd.Gov.Wales", ORG)
    with client:
        client.get(f"/{lang}/publish/sign-in?next=/{lang}/publish/account")
        before = dict(flask_session)
    assert before.get("sign_in_next") == f"/{lang}/publish/account"
    page = ask_for_link(client, "  CERI@caerdydd.GOV.wales ", lang)
    assert page.status_code == 200
    (message,) = smtp_server.to(MEMBER)
    assert message["Content-Language"] == lang and message["Subject"] == SUBJECTS[lang]
    path = emailed_path(smtp_server, MEMBER)
    assert path.startswith(f"/{lang}/publish/sign-in/")
    token = path.rsplit("/", 1)[1]
    assert len(token) == 43  # 32 random bytes, base64url
    with app.app_context(), session_scope() as db:
        stored = db.exec(select(SignInToken)).one()
        assert stored.token_hash != token and len(stored.token_hash) == 64 and stored.email == MEMBER
        assert timedelta(minutes=14) < stored.expires_at - stored.created_at <= timedelta(minutes=15)

    for _ in range(2):  # a mail scanner's GET, then the person's: neither signs in nor uses the link up
        shown = client.get(path)
        assert shown.status_code == 200 and 'id="confirm-sign-in"' in text_of(shown)
        assert signed_in_as(client, lang) is None
    with client:
        signed = client.post(path)
        assert signed.status_code == 302 and signed.location == f"/{lang}/publish/account"
        assert current_user.is_authenticated and current_user.person_id == person_id
        after = dict(flask_session)
    # A new session: what the old one held is gone, and it now carries the person's id and session version.
    assert "sign_in_next" not in after and after["_user_id"] == f"{person_id}.0" and before.get("_user_id") is None
    account = client.get(f"/{lang}/publish/account")
    assert account.status_code == 200 and MEMBER in text_of(account)
    assert [a for a, _s, _d in actions(app)] == ["sign-in.link", "sign-in"]
    with app.app_context(), session_scope() as db:
        assert db.get(Person, person_id).last_sign_in_at is not None


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_expired_reused_and_tampered_links_are_refused_clearly(app, client, smtp_server, lang):
    make_member(app, MEMBER, ORG)
    ask_for_link(client, MEMBER, lang)
    path = emailed_path(smtp_server, MEMBER)

    # Tampered (a character changed), cut short by a mail program, or never issued: not found, not signed in.
    last = "A" if path[-1] != "A" else "B"
    for bad in (path[:-1] + last, path[:-5], f"/{lang}/publish/sign-in/" + "x" * 43):
        for method in (client.get, client.post):
            refused = method(bad)
            assert refused.status_code == 404
            assert REFUSALS["unknown", lang] in text_of(refused)
    assert signed_in_as(client, lang) is None

    # Expired: 15 minutes and a second later, the GET and the POST both refuse it.
    with time_machine.travel(utcnow() + timedelta(minutes=15, seconds=1)):
        for method in (client.get, client.post):
            refused = method(path)
            assert refused.status_code == 410 and REFUSALS["expired", lang] in text_of(refused)
        assert signed_in_as(client, lang) is None

    # A fresh link works once; the second POST (another browser, or a replay) is refused as used.
    smtp_server.messages.clear()
    ask_for_link(client, MEMBER, lang)
    fresh = emailed_path(smtp_server, MEMBER)
    assert client.post(fresh).status_code == 302
    other = client.application.test_client()
    for method in (other.get, other.post):
        refused = method(fresh)
        assert refused.status_code == 410 and REFUSALS["used", lang] in text_of(refused)
    assert signed_in_as(other, lang) is None
    refusals = [d["reason"] for a, _s, d in actions(app) if a == "sign-in.refused"]
    assert refusals == ["unknown", "unknown", "unknown", "expired", "used"]


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_address_gets_the_same_answer_and_only_a_member_gets_an_email(app, client, smtp_server, lang):
    make_member(app, MEMBER, ORG)
    make_member(app, "gone@caerdydd.gov.wales", ORG)
    with app.app_context(), session_scope() as db:
        gone = db.exec(select(Person).where(Person.email == "gone@caerdydd.gov.wales")).one()
        gone.disabled_at = utcnow()
        db.commit()
        db.add(Person(email="lonely@powys.gov.uk", created_at=utcnow()))  # known, but of no organisation
        db.commit()

    def answer(email: str) -> str:
        response = ask_for_link(client, email, lang)
        assert response.status_code == 200
        page = re.sub(r'nonce="[^"]+"', "", text_of(response))  # the script nonce differs by request
        return page.replace(email.strip().lower(), "ADDRESS")

    member = answer(MEMBER)
    for other in (
        "stranger@gmail.com",  # not a public-sector domain
        "someone@evilgov.wales",  # ends in gov.wales, but is not gov.wales or under it
        "unknown@newport.gov.wales",  # allowed domain, no such person
        "lonely@powys.gov.uk",  # known, allowed, no membership
        "gone@caerdydd.gov.wales",  # a disabled member
    ):
        assert answer(other) == member, other
    assert [str(m["To"]) for m in smtp_server.messages] == [MEMBER]
    reasons = [d["reason"] for a, _s, d in actions(app) if a == "sign-in.refused"]
    assert reasons == ["not a domain", "not a domain", "not a member", "not a member", "not a member"]


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_an_address_that_is_not_one_gets_the_error_summary(client, smtp_server, lang):
    for bad, message in (
        ("", {"en": "Enter your work email address", "cy": "Rhowch eich cyfeiriad e-bost gwaith"}),
        (
            "not an address",
            {"en": "Enter an email address in the correct format", "cy": "Rhowch gyfeiriad e-bost yn y fformat cywir"},
        ),
        ("a@" + "b" * 320 + ".gov.wales", {"en": "320 characters or fewer", "cy": "320 nod neu lai"}),
    ):
        page = ask_for_link(client, bad, lang)
        assert page.status_code == 400
        body = text_of(page)
        assert "govuk-error-summary" in body and message[lang] in body
        assert 'href="#email"' in body
    assert smtp_server.messages == []


def test_a_mail_server_that_is_down_changes_nothing_the_visitor_sees(app, client, smtp_server):
    make_member(app, MEMBER, ORG)
    smtp_server.defer_all = True
    deferred = ask_for_link(client, MEMBER)
    smtp_server.defer_all = False
    assert deferred.status_code == 200 and "Check your email" in text_of(deferred)
    assert smtp_server.messages == []


def test_address_domains_match_suffixes_without_case_and_in_idna_form():
    from portal.accounts.signin import domain_allowed, normalise_email

    domains = ["gov.wales", "nhs.uk", "bücher.example"]
    assert domain_allowed(normalise_email("A@GOV.WALES"), domains)
    assert domain_allowed(normalise_email("a@Cyngor.Caerdydd.Gov.Wales"), domains)
    assert not domain_allowed(normalise_email("a@evilgov.wales"), domains)
    assert not domain_allowed(normalise_email("a@gov.wales.evil.com"), domains)
    assert domain_allowed(normalise_email("a@tîm.bücher.example"), domains)  # IDN: compared as xn--
    assert normalise_email("a@Bücher.Example") == "a@xn--bcher-kva.example"


def test_the_sign_in_form_is_rate_limited_per_address_and_per_client(app, smtp_server):
    make_member(app, MEMBER, ORG)
    keys = ("DATABASE_URL", "INDEX_DIR", "LOCK_DIR", "SECRET_KEY", "SERVER_NAME", "MAIL_OUTBOX", "WTF_CSRF_ENABLED")
    keys += ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_TIMEOUT")
    limited = create_app({"TESTING": True, **{key: app.config[key] for key in keys}, "RATELIMIT_ENABLED": True})
    client = limited.test_client()
    try:
        codes = [ask_for_link(client, MEMBER).status_code for _ in range(6)]
        assert codes == [200] * 5 + [429]  # five an hour for one address
        assert len(smtp_server.to(MEMBER)) == 5
        # Other addresses from the same client still get answers, up to the client's twenty an hour (the
        # request the address's limit refused was not counted).
        codes = [ask_for_link(client, f"person{n}@newport.gov.wales").status_code for n in range(16)]
        assert codes == [200] * 15 + [429]
        assert client.get("/en/publish/sign-in").status_code == 200  # reading the form is not limited
        limited_page = ask_for_link(client, "person99@newport.gov.wales", "cy")
        assert limited_page.status_code == 429 and "Gormod o geisiadau" in text_of(limited_page)
    finally:
        with limited.app_context():
            limiter.reset()
            get_engine().dispose()


def test_links_expired_over_a_day_are_deleted_when_the_next_is_issued(app, client, smtp_server):
    make_member(app, MEMBER, ORG)
    ask_for_link(client, MEMBER)
    with time_machine.travel(utcnow() + timedelta(days=1, minutes=16)):
        ask_for_link(client, MEMBER)
    with app.app_context(), session_scope() as db:
        assert len(db.exec(select(SignInToken)).all()) == 1


def test_with_csrf_on_a_post_without_the_token_neither_sends_nor_signs_in(app, client, smtp_server):
    make_member(app, MEMBER, ORG)
    ask_for_link(client, MEMBER)
    path = emailed_path(smtp_server, MEMBER)
    app.config["WTF_CSRF_ENABLED"] = True
    assert ask_for_link(client, MEMBER).status_code == 400
    assert client.post(path).status_code == 400
    assert len(smtp_server.messages) == 1 and signed_in_as(client) is None
    page = client.get(path)  # the link is still good: the forged POST did not use it up
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text_of(page)).group(1)
    assert client.post(path, data={"csrf_token": token}).status_code == 302
    assert signed_in_as(client) is not None
