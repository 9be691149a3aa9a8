"""`flask buyers remove` ends a membership and the person's sessions; `flask buyers approve` gives a disabled person
access again. Both audited. See README "Buyers" and docs/design.md, "Buyer accounts: sign-in, organisations, audit".
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.db import session_scope
from portal.models.accounts import AuditEvent, Membership, Organisation, Person
from portal.models.tables import utcnow
from tests.accounts_helpers import signed_in_client
from tests.portal.publishing.helpers import good_form

EMAIL = "ceri@caerdydd.gov.wales"
ORG_A = "GB-PPON-ABCD-1234-EFGH"
ORG_B = "GB-COH-01234567"


def _person(app) -> Person:
    with app.app_context(), session_scope() as db:
        return db.exec(select(Person).where(Person.email == EMAIL)).one()


def _events(app, action: str) -> list[AuditEvent]:
    with app.app_context(), session_scope() as db:
        return list(db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _org_id(app, identifier: str) -> int:
    with app.app_context(), session_scope() as db:
        return db.exec(select(Organisation.id).where(Organisation.identifier == identifier)).one()


def _approve(runner, org: str, name: str):
    result = runner.invoke(args=["buyers", "approve", EMAIL, org, "--name", name])
    assert result.exit_code == 0, result.output
    return result


def test_remove_ends_the_membership_and_every_session_and_is_audited(app, runner):
    _approve(runner, ORG_A, "Cyngor Caerdydd")
    _approve(runner, ORG_B, "Cwmni Caffael")
    org_a, org_b = _org_id(app, ORG_A), _org_id(app, ORG_B)
    client = signed_in_client(app, EMAIL, ORG_A)
    assert client.post(f"/en/publish/{org_a}/new", data=good_form()).status_code == 302
    version = _person(app).session_version

    result = runner.invoke(args=["buyers", "remove", "Ceri@Caerdydd.gov.wales", ORG_A.lower()])
    assert result.exit_code == 0, result.output
    assert f"{EMAIL} is no longer a member of {ORG_A} 'Cyngor Caerdydd'" in result.output
    assert "still a member of 1 other organisation(s)" in result.output
    # the open session has ended: the next request is sent to sign in
    ended = client.get("/en/publish/")
    assert ended.status_code == 302 and "/en/publish/sign-in" in ended.headers["Location"]
    assert _person(app).session_version == version + 1
    with app.app_context(), session_scope() as db:
        assert [m.organisation_id for m in db.exec(select(Membership))] == [org_b]
    (event,) = _events(app, "remove")
    assert (event.actor, event.subject, event.organisation_id) == ("cli", EMAIL, org_a)
    assert event.detail == {"organisation": ORG_A, "memberships_left": 1}
    # signed in again, they reach their other organisation and A's pages are a 404 like anyone else's
    again = signed_in_client(app, EMAIL, ORG_B)
    assert again.get(f"/en/publish/{org_b}/new").status_code == 200
    assert again.get(f"/en/publish/{org_a}/new").status_code == 404
    # the work they published for A stays A's
    with app.app_context(), session_scope() as db:
        assert db.exec(select(Organisation).where(Organisation.id == org_a)).one().identifier == ORG_A

    last = runner.invoke(args=["buyers", "remove", EMAIL, ORG_B])
    assert last.exit_code == 0 and "no longer a member of any" in last.output
    listed = runner.invoke(args=["buyers", "list"]).output
    assert EMAIL not in listed


@pytest.mark.parametrize(
    ("email", "org_id", "says"),
    [
        ("not-an-address", ORG_A, "is not an email address"),
        (EMAIL, "GB-PPON-ABC", "is not a GB-PPON identifier"),
        (EMAIL, "GB-PPON-ZZZZ-9999-ZZZZ", "there is no organisation GB-PPON-ZZZZ-9999-ZZZZ"),
        ("rhys@caerdydd.gov.wales", ORG_A, "rhys@caerdydd.gov.wales is not a member of GB-PPON-ABCD-1234-EFGH"),
        (EMAIL, ORG_B, f"{EMAIL} is not a member of {ORG_B}"),
    ],
)
def test_remove_refuses_what_it_cannot_do_saying_why_and_changes_nothing(app, runner, email, org_id, says):
    _approve(runner, ORG_A, "Cyngor Caerdydd")
    runner.invoke(args=["buyers", "approve", "rhys@caerdydd.gov.wales", ORG_B, "--name", "Cwmni Caffael"])
    version = _person(app).session_version
    result = runner.invoke(args=["buyers", "remove", email, org_id])
    assert result.exit_code == 2 and says in result.output, result.output
    with app.app_context(), session_scope() as db:
        assert len(db.exec(select(Membership)).all()) == 2
    assert _person(app).session_version == version and _events(app, "remove") == []


def test_approve_re_enables_a_disabled_person_without_reviving_their_old_sessions(app, runner, client):
    _approve(runner, ORG_A, "Cyngor Caerdydd")
    old = signed_in_client(app, EMAIL, ORG_A)
    with app.app_context(), session_scope() as db:
        person = db.exec(select(Person).where(Person.email == EMAIL)).one()
        person.disabled_at = utcnow()
        db.add(person)
        db.commit()
    assert old.get("/en/publish/").status_code == 302  # disabled: the session no longer counts
    client.post("/en/publish/sign-in", data={"email": EMAIL})
    assert [e.detail["reason"] for e in _events(app, "sign-in.refused")] == ["not a member"]
    assert _events(app, "sign-in.link") == []

    result = runner.invoke(args=["buyers", "approve", EMAIL, ORG_A])
    assert result.exit_code == 0, result.output
    assert "was already a member of" in result.output and "re-enabled: they may sign in again" in result.output
    person = _person(app)
    assert person.disabled_at is None
    approvals = _events(app, "approve")
    assert [e.detail["re_enabled"] for e in approvals] == [False, True]
    # a cookie from before they were disabled stays ended; a new sign-in link is sent
    assert old.get("/en/publish/").status_code == 302
    client.post("/en/publish/sign-in", data={"email": EMAIL})
    assert len(_events(app, "sign-in.link")) == 1
    assert signed_in_client(app, EMAIL, ORG_A).get("/en/publish/").status_code == 200

    # approving someone who is not disabled says nothing about re-enabling
    plain = runner.invoke(args=["buyers", "approve", EMAIL, ORG_A])
    assert "re-enabled" not in plain.output and _events(app, "approve")[-1].detail["re_enabled"] is False
