"""Buyer accounts: people who sign in by emailed link, their organisations, sign-in tokens, the audit log.

See docs/design.md, "Buyer accounts". A person belongs to one or more organisations; an organisation carries
the identifier the registers use (GB-PPON-…, GB-COH-…) and, once linked, the Buyer its notices are filed under.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.tables import _json, _text, _when


class Person(SQLModel, table=True):
    """Someone who publishes for a buyer; known by email address alone (no password)."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)  # normalised: lower-case
    name: str | None = Field(default=None, max_length=200)
    created_at: datetime | None = _when(nullable=False)
    last_sign_in_at: datetime | None = _when()
    # Part of the session's user id: bumping it ends every session of this person (sign out everywhere).
    session_version: int = Field(default=0)
    disabled_at: datetime | None = _when()


class Organisation(SQLModel, table=True):
    """A buying organisation, by the identifier the registers publish (scheme-prefixed, e.g. GB-PPON-…)."""

    id: int | None = Field(default=None, primary_key=True)
    identifier: str = Field(max_length=300, unique=True)
    name: str = Field(max_length=500)
    buyer_id: int | None = Field(default=None, foreign_key="buyer.id", index=True)
    created_at: datetime | None = _when(nullable=False)


class Membership(SQLModel, table=True):
    """A person's membership of an organisation."""

    __table_args__ = (UniqueConstraint("person_id", "organisation_id", name="uq_membership"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    invited_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime | None = _when(nullable=False)


class SignInToken(SQLModel, table=True):
    """An emailed sign-in link: 32 random bytes, stored only as their SHA-256, single use, short-lived."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    email: str = Field(max_length=320, index=True)
    created_at: datetime | None = _when(nullable=False)
    expires_at: datetime | None = _when(nullable=False)
    used_at: datetime | None = _when()


class AuditEvent(SQLModel, table=True):
    """Who did what, when: sign-ins, approvals, invitations and every change to published work."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime | None = _when(nullable=False, index=True)
    actor: str | None = Field(default=None, max_length=320)  # an email address, or "cli"
    action: str = Field(max_length=40, index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    subject: str | None = _text()
    detail: dict = _json(dict)
