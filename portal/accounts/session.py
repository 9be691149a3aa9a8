"""Who is signed in (Flask-Login): a person, by id and session version, and the organisations they belong to.

The session's user id is "<person id>.<session version>": bumping Person.session_version (sign out everywhere,
a disabled person) ends every session of that person at its next request. A session unused for the setting
ACCOUNTS_IDLE_TIMEOUT (seconds) ends too (`_idle_check`). See docs/design.md, "Buyer accounts: sign-in,
organisations, audit".
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import wraps

from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext
from flask_login import LoginManager, UserMixin, current_user, login_required, logout_user
from sqlmodel import select

from portal.db import get_session
from portal.i18n import current_language
from portal.models.accounts import Membership, Organisation, Person

login_manager = LoginManager()

LAST_SEEN = "last_seen"  # the session key of the time of the last request, in whole seconds since the epoch


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
    lang = current_language()  # the URL's language (portal.i18n moves it from view_args to g)
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


def member_required(view):
    """Flask-Login's login_required, and the signed-in person must belong to an organisation; when the view
    takes an `organisation_id`, to that one. Anything else is a 404 (never a 403: whether another organisation
    or its work exists is not ours to say)."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        mine = organisation_ids()
        if not mine or ("organisation_id" in kwargs and kwargs["organisation_id"] not in mine):
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def mark_seen() -> None:
    """Stamp the session with the time of this request (sign-in does too)."""
    session[LAST_SEEN] = int(time.time())


def _idle_check() -> None:
    """End a signed-in session unused for longer than the idle timeout, saying so on the next page.

    A signed-in session without a stamp (one made by a test client's FlaskLoginClient) is taken as fresh and
    stamped. Static files and the status page do not count as use."""
    if "_user_id" not in session or request.endpoint in ("static", None):
        return
    last = session.get(LAST_SEEN)
    limit = current_app.config["ACCOUNTS_IDLE_TIMEOUT"]
    if isinstance(last, int) and time.time() - last > limit:
        logout_user()
        session.clear()
        flash(lazy_gettext("You were signed out because you had not used the service for a while."), "info")
        return
    mark_seen()


def init_app(app: Flask) -> None:
    """Set up Flask-Login (sessions are cookies signed with SECRET_KEY) and the idle timeout."""
    login_manager.init_app(app)
    app.before_request(_idle_check)
