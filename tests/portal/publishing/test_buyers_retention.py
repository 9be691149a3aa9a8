"""What buyer accounts keep and for how long: the privacy page says it in both languages, and the hourly job
(portal/accounts/retention.py, "buyers-retention" in the clock) cuts refused sign-ins to their domain after 30 days
and deletes old sign-in links. See docs/design.md, "Buyer accounts: sign-in, organisations, audit" (Retention)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlmodel import select

from portal.accounts.retention import apply_retention, domain_only
from portal.collect.clock import build_scheduler
from portal.db import session_scope
from portal.models.accounts import AuditEvent, SignInToken
from portal.models.tables import utcnow
from tests.accounts_helpers import make_member

MEMBER = "ceri@caerdydd.gov.wales"
ORG = "GB-PPON-ABCD-1234-EFGH"


def _events(app) -> list[tuple[str, str | None, str | None, dict]]:
    with app.app_context(), session_scope() as db:
        rows = db.exec(select(AuditEvent).order_by(AuditEvent.id))
        return [(e.action, e.actor, e.subject, e.detail) for e in rows]


def _retain(app, now: datetime | None = None) -> tuple[int, int]:
    with app.app_context():
        return apply_retention(now)


def _age_events(app, days: int) -> None:
    """Move every audit event `days` into the past (as if they were recorded then)."""
    with app.app_context(), session_scope() as db:
        for event in db.exec(select(AuditEvent)):
            event.at = event.at - timedelta(days=days)
            db.add(event)
        db.commit()


def test_the_privacy_page_says_what_buyer_accounts_keep_how_long_and_why(client):
    english = client.get("/en/privacy").text
    assert "Buyer accounts" in english
    assert "we record the email address they entered and when, whether or not we send a link" in english
    assert "we keep the whole address for 30 days. After that we keep only its domain" in english
    assert "to protect the sign-in page from misuse" in english
    welsh = client.get("/cy/privacy").text
    assert "Cyfrifon prynwyr" in welsh
    assert "rydym yn cadw'r cyfeiriad cyfan am 30 diwrnod" in welsh and "rydym yn cadw ei barth yn unig" in welsh
    assert "Buyer accounts" not in welsh


def test_refused_sign_ins_keep_only_their_domain_after_30_days_and_members_events_are_kept(app, client, runner):
    make_member(app, MEMBER, ORG)
    for email in ("someone@gmail.com", "rhys@caerdydd.gov.wales", MEMBER):  # off-domain, not a member, a member
        assert client.post("/en/publish/sign-in", data={"email": email}).status_code == 200
    assert client.post("/en/publish/sign-in/" + "x" * 43).status_code == 404  # an unknown link: no address
    before = _events(app)
    assert [(action, subject) for action, _actor, subject, _detail in before] == [
        ("sign-in.refused", "someone@gmail.com"),
        ("sign-in.refused", "rhys@caerdydd.gov.wales"),
        ("sign-in.link", MEMBER),
        ("sign-in.refused", None),
    ]

    # within 30 days nothing is cut
    _age_events(app, 29)
    assert _retain(app) == (0, 0)
    assert _events(app) == before

    # after 30 days the refusals keep their domain, reason and step; the member's own event is kept whole
    _age_events(app, 2)
    assert _retain(app) == (2, 0)
    assert _events(app) == [
        ("sign-in.refused", "@gmail.com", "@gmail.com", {"reason": "not a domain", "step": "ask"}),
        ("sign-in.refused", "@caerdydd.gov.wales", "@caerdydd.gov.wales", {"reason": "not a member", "step": "ask"}),
        ("sign-in.link", MEMBER, MEMBER, {}),
        ("sign-in.refused", None, None, {"reason": "unknown", "step": "link"}),
    ]
    assert _retain(app) == (0, 0)  # once cut, never again
    shown = runner.invoke(args=["buyers", "audit"]).output
    assert "someone@gmail.com" not in shown and "sign-in.refused by @gmail.com" in shown


def test_sign_in_links_expired_over_a_day_ago_are_deleted_by_the_hourly_job(app, client):
    make_member(app, MEMBER, ORG)
    client.post("/en/publish/sign-in", data={"email": MEMBER})
    now = utcnow()
    assert _retain(app, now + timedelta(hours=12)) == (0, 0)  # expired, but not over a day ago
    assert _retain(app, now + timedelta(days=1, minutes=20)) == (0, 1)
    with app.app_context(), session_scope() as db:
        assert db.exec(select(SignInToken)).all() == []


def test_domain_only_keeps_what_is_not_an_address():
    assert domain_only("a.b@Example.com") == "@Example.com"
    assert domain_only(None) is None and domain_only("-") == "-" and domain_only("@gmail.com") == "@gmail.com"


def test_the_job_runs_every_hour_so_the_promises_hold_within_the_hour(app):
    trigger = build_scheduler(app).get_job("buyers-retention").trigger
    assert isinstance(trigger, CronTrigger)
    fire = trigger.get_next_fire_time(None, datetime(2026, 12, 2, 12, 51, tzinfo=UTC))
    assert fire.astimezone(UTC) == datetime(2026, 12, 2, 13, 50, tzinfo=UTC)
    assert trigger.get_next_fire_time(None, fire + timedelta(seconds=1)) - fire == timedelta(hours=1)
