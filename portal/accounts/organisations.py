"""Organisations and their members: the identifier's shape, approval by an operator, invitation by a member.

An organisation carries the identifier the registers publish for a buyer (org-id.guide style, "GB-PPON-…",
"GB-COH-…"), so once it is linked to that Buyer its published work and its register notices share one buyer
page. See docs/design.md, "Buyer accounts: sign-in, organisations, audit".
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import Session, select

from portal.models.accounts import Membership, Organisation, Person
from portal.models.tables import Buyer

# Scheme, then the identifier within it; the schemes buyers most often carry are checked more closely.
_ORG_ID = re.compile(r"(?P<scheme>[A-Z]{2}-[A-Z0-9]{2,12})-(?P<id>[A-Za-z0-9][A-Za-z0-9./-]{0,280})")
_SCHEME_SHAPES = {
    "GB-PPON": (re.compile(r"[A-Z]{4}-\d{4}-[A-Z]{4}"), "GB-PPON-ABCD-1234-EFGH"),
    "GB-COH": (re.compile(r"(\d{8}|[A-Z]{2}\d{6})"), "GB-COH-01234567 or GB-COH-SC123456"),
    "GB-CHC": (re.compile(r"\d{6,8}"), "GB-CHC-1234567"),
}


class OrganisationError(ValueError):
    """An identifier, address or membership that cannot be accepted, with a reason to show."""


def parse_identifier(text: str) -> tuple[str, str]:
    """Return (scheme, identifier) of an organisation identifier such as GB-PPON-ABCD-1234-EFGH, upper-casing
    the scheme-specific shapes, or raise OrganisationError saying what shape was expected."""
    candidate = text.strip()
    upper = candidate.upper()
    for scheme, (shape, example) in _SCHEME_SHAPES.items():
        if upper.startswith(scheme + "-"):
            identifier = upper[len(scheme) + 1 :]
            if not shape.fullmatch(identifier):
                raise OrganisationError(f"{candidate!r} is not a {scheme} identifier; expected e.g. {example}")
            return scheme, identifier
    match = _ORG_ID.fullmatch(candidate)
    if not match:
        raise OrganisationError(
            f"{candidate!r} is not an organisation identifier; expected the registers' form, "
            "e.g. GB-PPON-ABCD-1234-EFGH or GB-COH-01234567"
        )
    return match["scheme"], match["id"]


def find_buyer(session: Session, scheme: str, identifier: str) -> Buyer | None:
    """The register buyer filed under this scheme and identifier (portal.collect.buyer_upsert keys them so)."""
    return session.exec(select(Buyer).where(Buyer.scheme == scheme, Buyer.identifier == identifier)).first()


def person_by_email(session: Session, email: str, now: datetime) -> tuple[Person, bool]:
    """The person with this (normalised) address, made when new; and whether they were made."""
    person = session.exec(select(Person).where(Person.email == email)).first()
    if person is not None:
        return person, False
    person = Person(email=email, created_at=now)
    session.add(person)
    session.flush()
    return person, True


def add_member(session: Session, person: Person, organisation: Organisation, now: datetime, by: int | None = None):
    """Make the person a member (nothing when they already are); return the membership and whether it is new."""
    query = select(Membership).where(Membership.person_id == person.id, Membership.organisation_id == organisation.id)
    membership = session.exec(query).first()
    if membership is not None:
        return membership, False
    membership = Membership(person_id=person.id, organisation_id=organisation.id, invited_by_id=by, created_at=now)
    session.add(membership)
    session.flush()
    return membership, True


def approve(session: Session, email: str, org_id: str, name: str | None, now: datetime) -> dict:
    """Make the person a member of the organisation with this identifier, creating either when new (a new
    organisation needs a name) and linking a new organisation to the register buyer of that identifier.
    The caller commits; returns what was done, for the audit and the operator."""
    scheme, identifier = parse_identifier(org_id)
    full = f"{scheme}-{identifier}"
    organisation = session.exec(select(Organisation).where(Organisation.identifier == full)).first()
    created = organisation is None
    buyer = find_buyer(session, scheme, identifier)
    if created:
        name = (name or "").strip() or (buyer.name if buyer else "")
        if not name:
            raise OrganisationError(f"{full} is a new organisation and no register buyer has it: give --name")
        organisation = Organisation(identifier=full, name=name, buyer_id=buyer.id if buyer else None, created_at=now)
        session.add(organisation)
        session.flush()
    renamed = not created and bool(name and name.strip()) and name.strip() != organisation.name
    if renamed:
        organisation.name = name.strip()
    if organisation.buyer_id is None and buyer is not None:
        organisation.buyer_id = buyer.id
    person, new_person = person_by_email(session, email, now)
    re_enabled = person.disabled_at is not None
    if re_enabled:  # approving a disabled person gives them access again, with a new session version so that
        person.disabled_at = None  # cookies from before they were disabled stay ended
        person.session_version += 1
    _membership, new_member = add_member(session, person, organisation, now)
    return {
        "organisation": organisation,
        "person": person,
        "organisation_created": created,
        "renamed": renamed,
        "person_created": new_person,
        "membership_created": new_member,
        "re_enabled": re_enabled,
        "buyer_id": organisation.buyer_id,
    }


def remove_member(session: Session, email: str, org_id: str) -> tuple[Person, Organisation, int]:
    """End the person's membership of the organisation with this identifier and bump their session version, so
    every session they have ends at its next request (they may sign in again for their other organisations).
    The caller commits; returns the person, the organisation and how many memberships the person has left.
    Raises OrganisationError when the organisation, the person or the membership does not exist."""
    scheme, identifier = parse_identifier(org_id)
    full = f"{scheme}-{identifier}"
    organisation = session.exec(select(Organisation).where(Organisation.identifier == full)).first()
    if organisation is None:
        raise OrganisationError(f"there is no organisation {full}")
    person = session.exec(select(Person).where(Person.email == email)).first()
    query = select(Membership).where(Membership.organisation_id == organisation.id)
    membership = session.exec(query.where(Membership.person_id == person.id)).first() if person else None
    if membership is None:
        raise OrganisationError(f"{email} is not a member of {full}")
    session.delete(membership)
    person.session_version += 1
    session.add(person)
    session.flush()
    left = session.exec(select(Membership.id).where(Membership.person_id == person.id)).all()
    return person, organisation, len(left)


def members(session: Session, organisation_id: int) -> list[Person]:
    """The organisation's members, by address."""
    query = (
        select(Person)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.organisation_id == organisation_id)
        .order_by(Person.email)
    )
    return list(session.exec(query))


def all_organisations(session: Session) -> list[tuple[Organisation, list[Person]]]:
    """Every organisation with its members, by identifier."""
    organisations = session.exec(select(Organisation).order_by(Organisation.identifier))
    return [(organisation, members(session, organisation.id)) for organisation in organisations]
