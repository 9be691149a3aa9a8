"""Who is signed in (Flask-Login): a person, by id and session version, and the organisations they belong to.

The session's user id is "<person id>.<session version>": bumping Person.session_version (sign out everywhere,
a disabled person) ends every session of that person at its next request.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, redirect, request, url_for
from flask_login import LoginManager, UserMixin, current_user
from sqlmodel import select

from portal.db import get_session
from portal.models.accounts import Membership, Organisation, Person

login_manager = LoginManager()


@dataclass(frozen=True)
class SignedIn(UserMixin):
    """The signed-in person as the session knows them."""

    person_id: int
    email: str
    session_version: int

    def get_id(self) -> str:
        return f"{self.person_id}.{self.session_version}"

    @classmethod
    def of(cls, person: Person) -> SignedIn:
        return cls(person.id, person.email, person.session_version)


@login_manager.user_loader
def _load(user_id: str) -> SignedIn | None:
    person_id, _, version = user_id.partition(".")
    if not person_id.isdigit() or not version.isdigit():
        return None
    person = get_session().get(Person, int(person_id))
    if person is None or person.disabled_at is not None or person.session_version != int(version):
        return None
    return SignedIn.of(person)


@login_manager.unauthorized_handler
def _to_sign_in():
    lang = (request.view_args or {}).get("lang_code") or "en"
    return redirect(url_for("accounts.sign_in", lang_code=lang, next=request.full_path.rstrip("?")))


def organisations(person_id: int | None = None) -> list[Organisation]:
    """The organisations of a person (by default the signed-in one), by name."""
    if person_id is None:
        if not current_user.is_authenticated:
            return []
        person_id = current_user.person_id
    query = (
        select(Organisation)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.person_id == person_id)
        .order_by(Organisation.name)
    )
    return list(get_session().exec(query))


def organisation_ids(person_id: int | None = None) -> set[int]:
    """The ids of a person's organisations: what they may read and edit."""
    return {organisation.id for organisation in organisations(person_id)}


def init_app(app: Flask) -> None:
    """Set up Flask-Login (sessions are cookies signed with SECRET_KEY)."""
    login_manager.init_app(app)
