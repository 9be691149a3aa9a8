"""Buyer accounts for tests: a member of an organisation, and a test client signed in as them.

`signed_in_client` uses Flask-Login's FlaskLoginClient (the session carries the person's user id, as a real
sign-in leaves it); tests/portal/accounts/ drives the real emailed-link flow.
"""

from __future__ import annotations

from flask_login import FlaskLoginClient
from sqlmodel import select

from portal.accounts.session import SignedIn
from portal.db import session_scope
from portal.models.accounts import Membership, Organisation, Person
from portal.models.tables import utcnow


def make_member(app, email: str, org_identifier: str, org_name: str = "Cyngor Prawf / Test Council") -> tuple[int, int]:
    """Create (or reuse) the person, the organisation and the membership; return (person id, organisation id)."""
    email = email.lower()
    with app.app_context(), session_scope() as session:
        person = session.exec(select(Person).where(Person.email == email)).first()
        if person is None:
            person = Person(email=email, created_at=utcnow())
            session.add(person)
        organisation = session.exec(select(Organisation).where(Organisation.identifier == org_identifier)).first()
        if organisation is None:
            organisation = Organisation(identifier=org_identifier, name=org_name, created_at=utcnow())
            session.add(organisation)
        session.flush()
        query = select(Membership).where(
            Membership.person_id == person.id, Membership.organisation_id == organisation.id
        )
        if session.exec(query).first() is None:
            session.add(Membership(person_id=person.id, organisation_id=organisation.id, created_at=utcnow()))
        session.commit()
        return person.id, organisation.id


def signed_in_client(app, email: str, org_identifier: str, org_name: str = "Cyngor Prawf / Test Council"):
    """A test client whose session is signed in as a member of the organisation (made if need be)."""
    person_id, _organisation_id = make_member(app, email, org_identifier, org_name)
    with app.app_context(), session_scope() as session:
        user = SignedIn.of(session.get(Person, person_id))
    app.test_client_class = FlaskLoginClient
    try:
        return app.test_client(user=user)
    finally:
        app.test_client_class = None
