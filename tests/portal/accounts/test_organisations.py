"""Organisations: `flask buyers approve/list/audit` and a member inviting a colleague. See README "Buyers" and
docs/design.md, "Buyer accounts: sign-in, organisations, audit"."""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import select

from portal.accounts.organisations import OrganisationError, parse_identifier
from portal.db import session_scope
from portal.models.accounts import AuditEvent, Membership, Organisation, Person
from portal.models.tables import Buyer, utcnow
from tests.accounts_helpers import make_member, signed_in_client
from tests.portal.accounts.test_sign_in import emailed_path

ORG = "GB-PPON-ABCD-1234-EFGH"


def organisation(app, identifier: str) -> Organisation | None:
    with app.app_context(), session_scope() as db:
        return db.exec(select(Organisation).where(Organisation.identifier == identifier)).first()


def test_approve_creates_the_organisation_links_the_register_buyer_and_is_audited(app, runner):
    with app.app_context(), session_scope() as db:
        db.add(Buyer(scheme="GB-PPON", identifier="ABCD-1234-EFGH", name="CARDIFF COUNCIL", updated_at=utcnow()))
        db.commit()
        buyer_id = db.exec(select(Buyer.id)).one()
    result = runner.invoke(args=["buyers", "approve", "Ceri@Caerdydd.Gov.Wales", "gb-ppon-abcd-1234-efgh"])
    assert result.exit_code == 0, result.output
    assert "ceri@caerdydd.gov.wales is now a member of GB-PPON-ABCD-1234-EFGH 'CARDIFF COUNCIL'" in result.output
    made = organisation(app, ORG)
    assert made.buyer_id == buyer_id and made.name == "CARDIFF COUNCIL"  # the register's name when none given

    again = runner.invoke(args=["buyers", "approve", "ceri@caerdydd.gov.wales", ORG, "--name", "Cyngor Caerdydd"])
    assert again.exit_code == 0 and "was already a member" in again.output
    assert organisation(app, ORG).name == "Cyngor Caerdydd"
    second = runner.invoke(args=["buyers", "approve", "rhys@caerdydd.gov.wales", ORG])
    assert second.exit_code == 0
    with app.app_context(), session_scope() as db:
        assert len(db.exec(select(Membership)).all()) == 2
        events = db.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor, e.subject) for e in events] == [
        ("approve", "cli", "ceri@caerdydd.gov.wales"),
        ("approve", "cli", "ceri@caerdydd.gov.wales"),
        ("approve", "cli", "rhys@caerdydd.gov.wales"),
    ]
    assert events[0].detail["organisation_created"] is True and events[2].detail["person_created"] is True

    listed = runner.invoke(args=["buyers", "list"])
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert lines[0].startswith(f"{ORG}  Cyngor Caerdydd  (buyer {buyer_id}")
    assert lines[1].strip().startswith("ceri@caerdydd.gov.wales") and "never" in lines[1]
    assert lines[2].strip().startswith("rhys@caerdydd.gov.wales")


def test_a_new_organisation_without_a_register_buyer_needs_a_name(app, runner):
    nameless = runner.invoke(args=["buyers", "approve", "ceri@caerdydd.gov.wales", "GB-COH-01234567"])
    assert nameless.exit_code == 2 and "give --name" in nameless.output
    named = runner.invoke(args=["buyers", "approve", "ceri@caerdydd.gov.wales", "GB-COH-01234567", "--name", "Cwmni"])
    assert named.exit_code == 0 and "no register buyer yet" in named.output
    assert organisation(app, "GB-COH-01234567").buyer_id is None


@pytest.mark.parametrize(
    ("email", "org_id", "says"),
    [
        ("ceri@gmail.com", ORG, "is not on BUYER_EMAIL_DOMAINS"),
        ("not-an-address", ORG, "is not an email address"),
        ("ceri@caerdydd.gov.wales", "GB-PPON-ABC", "is not a GB-PPON identifier; expected e.g. GB-PPON-ABCD-1234-EFGH"),
        ("ceri@caerdydd.gov.wales", "GB-COH-123", "is not a GB-COH identifier"),
        ("ceri@caerdydd.gov.wales", "Cardiff Council", "is not an organisation identifier"),
    ],
)
def test_approve_refuses_bad_input_saying_why_and_stores_nothing(app, runner, email, org_id, says):
    result = runner.invoke(args=["buyers", "approve", email, org_id, "--name", "X"])
    assert result.exit_code == 2 and says in result.output
    with app.app_context(), session_scope() as db:
        assert db.exec(select(Person)).all() == [] and db.exec(select(Organisation)).all() == []


def test_identifier_shapes():
    assert parse_identifier(" gb-ppon-pdqj-7126-jdhg ") == ("GB-PPON", "PDQJ-7126-JDHG")
    assert parse_identifier("GB-COH-SC123456") == ("GB-COH", "SC123456")
    assert parse_identifier("GB-NHS-7A4") == ("GB-NHS", "7A4")
    for bad in ("", "GB-PPON-", "GB-PPON-ABCD-12345-EFGH", "GB", "GB-COH-0123456X", "org-3"):
        with pytest.raises(OrganisationError):
            parse_identifier(bad)


def test_audit_command_prints_the_latest_first_as_text_or_json(app, runner):
    runner.invoke(args=["buyers", "approve", "ceri@caerdydd.gov.wales", ORG, "--name", "Cyngor Caerdydd"])
    runner.invoke(args=["buyers", "approve", "rhys@caerdydd.gov.wales", ORG])
    text = runner.invoke(args=["buyers", "audit"])
    assert text.exit_code == 0
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d approve by cli org \d+: rhys@caerdydd.gov.wales ", text.output)
    as_json = runner.invoke(args=["buyers", "audit", "--json", "--limit", "1"])
    (line,) = as_json.output.splitlines()
    event = json.loads(line)
    assert event["action"] == "approve" and event["subject"] == "rhys@caerdydd.gov.wales"
    assert runner.invoke(args=["buyers", "audit", "--limit", "0"]).exit_code == 2


def test_audit_record_refuses_an_unnamed_or_overlong_action(app):
    from portal.accounts import audit

    with app.app_context(), session_scope() as db:
        for bad in ("", "x" * 41):
            with pytest.raises(ValueError):
                audit.record(db, bad, "cli")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_a_member_invites_a_colleague_who_can_then_sign_in(app, smtp_server, lang):
    _, organisation_id = make_member(app, "ceri@caerdydd.gov.wales", ORG, "Cyngor Caerdydd")
    client = signed_in_client(app, "ceri@caerdydd.gov.wales", ORG)
    form = client.get(f"/{lang}/publish/organisation/{organisation_id}/invite")
    assert form.status_code == 200 and "Cyngor Caerdydd" in form.get_data(as_text=True)

    refused = client.post(f"/{lang}/publish/organisation/{organisation_id}/invite", data={"email": "x@gmail.com"})
    assert refused.status_code == 400 and "govuk-error-summary" in refused.get_data(as_text=True)
    assert smtp_server.messages == []

    sent = client.post(
        f"/{lang}/publish/organisation/{organisation_id}/invite", data={"email": "Rhys@Caerdydd.gov.wales"}
    )
    assert sent.status_code == 302 and sent.location == f"/{lang}/publish/account"
    (message,) = smtp_server.to("rhys@caerdydd.gov.wales")
    assert message["Content-Language"] == lang
    assert "ceri@caerdydd.gov.wales" in message.get_body(("plain",)).get_content()
    assert "Cyngor Caerdydd" in message.get_body(("html",)).get_content()
    account = client.get(sent.location).get_data(as_text=True)
    assert "rhys@caerdydd.gov.wales" in account
    assert "already" not in account

    twice = client.post(
        f"/{lang}/publish/organisation/{organisation_id}/invite", data={"email": "rhys@caerdydd.gov.wales"}
    )
    assert twice.status_code == 400 and len(smtp_server.messages) == 1

    colleague = app.test_client()
    assert colleague.post(emailed_path(smtp_server, "rhys@caerdydd.gov.wales")).status_code == 302
    assert "Cyngor Caerdydd" in colleague.get(f"/{lang}/publish/account").get_data(as_text=True)
    with app.app_context(), session_scope() as db:
        (event,) = db.exec(select(AuditEvent).where(AuditEvent.action == "invite")).all()
        assert (event.actor, event.subject, event.organisation_id) == (
            "ceri@caerdydd.gov.wales",
            "rhys@caerdydd.gov.wales",
            organisation_id,
        )
        rhys = db.exec(select(Person).where(Person.email == "rhys@caerdydd.gov.wales")).one()
        membership = db.exec(select(Membership).where(Membership.person_id == rhys.id)).one()
        assert membership.invited_by_id is not None


def test_an_invitation_the_mail_server_refuses_still_makes_the_member_and_says_so(app, smtp_server):
    _, organisation_id = make_member(app, "ceri@caerdydd.gov.wales", ORG, "Cyngor Caerdydd")
    client = signed_in_client(app, "ceri@caerdydd.gov.wales", ORG)
    smtp_server.refuse["rhys@caerdydd.gov.wales"] = "550 5.1.1 No such user"
    sent = client.post(f"/cy/publish/organisation/{organisation_id}/invite", data={"email": "rhys@caerdydd.gov.wales"})
    page = client.get(sent.location).get_data(as_text=True)
    assert "ond ni ellid anfon yr e-bost" in page and smtp_server.messages == []
    with app.app_context(), session_scope() as db:
        assert db.exec(select(Person).where(Person.email == "rhys@caerdydd.gov.wales")).one()
