"""Helpers of the sending tests: subscribe and confirm through the alert pages' own logic, store releases,
read what arrived."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from sqlmodel import select

from portal.alerts import lifecycle
from portal.collect.ingest import ingest_page
from portal.db import session_scope
from portal.models.tables import Procurement


@pytest.fixture(autouse=True)
def in_app(app):
    """Run each test in the app's context (import this fixture into a test module)."""
    with app.app_context():
        yield


def subscribe(email: str, query: dict | str, frequency: str = "immediately", lang: str = "en") -> int:
    """A confirmed (live) subscription of `email` to a search; return its id."""
    query = query if isinstance(query, str) else urlencode(query)
    with session_scope() as session:
        asked = lifecycle.request_subscription(session, email, lang, query, frequency)
        return lifecycle.confirm(session, "subscription", asked.row.id, asked.row.confirm_nonce).id


def follow(email: str, ocid: str, frequency: str = "immediately", lang: str = "en") -> int:
    """A confirmed follow of one procurement; return its id."""
    with session_scope() as session:
        procurement = session.exec(select(Procurement).where(Procurement.ocid == ocid)).one()
        asked = lifecycle.request_follow(session, email, lang, procurement, frequency)
        return lifecycle.confirm(session, "follow", asked.row.id, asked.row.confirm_nonce).id


def store(releases: list[dict], source: str = "fts") -> None:
    """Store releases as a collection does (their procurements change now)."""
    with session_scope() as session:
        ingest_page(session, source, releases)
        session.commit()


def items_of(message) -> list[str]:
    """The notice links a received email lists (its plain-text part)."""
    text = message.get_body(("plain",)).get_content()
    return [line.strip() for line in text.splitlines() if "/notice/" in line]
