"""Email alerts: subscribers, saved searches, subscriptions, follows, and what was sent (exactly once).

See docs/design.md, "Email alerts: the pages" and "Email alerts: sending". An address is a Subscriber; a saved
search is stored once per canonical query string and shared by every subscription to it; AlertItem rows record
which procurement release reached which subscription or follow, unique, so a rerun or a second sender never
sends an item twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.tables import _json, _text, _when

FREQUENCIES = ("immediately", "daily", "weekly")
# pending: waiting for the confirmation link; live: confirmed; stopped: unsubscribed or stopped.
SUBSCRIPTION_STATUSES = ("pending", "live", "stopped")
# pending: composed, not yet sent; sending: a sender has claimed it; sent; refused: 5xx for the address;
# stopped: what it was about stopped before it could be sent (portal.alerts.deliver).
EMAIL_STATUSES = ("pending", "sending", "sent", "refused", "stopped")


class Subscriber(SQLModel, table=True):
    """One email address, in the language of the page it last subscribed from."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)  # normalised (portal.alerts: lower-case)
    language: str = Field(default="en", max_length=2)
    created_at: datetime | None = _when(nullable=False)
    confirmed_at: datetime | None = _when()  # the address was proven by a confirmation link
    refused_at: datetime | None = _when()  # a mail server refused it for good (5xx): nothing more is sent
    refused_reason: str | None = _text()
    # Bumped by "stop all": manage and unsubscribe tokens carry it, so older links stop working.
    token_version: int = Field(default=0)
    # When its last live or pending subscription or follow ended; the address is deleted 28 days later.
    inactive_since: datetime | None = _when(index=True)


class SavedSearch(SQLModel, table=True):
    """A search as its canonical query string (portal.search.params.SearchParams.args), stored once."""

    id: int | None = Field(default=None, primary_key=True)
    query: str = Field(sa_column=Column(Text, nullable=False))
    query_hash: str = Field(max_length=64, unique=True)  # sha256 of query
    created_at: datetime | None = _when(nullable=False)


class Subscription(SQLModel, table=True):
    """A subscriber's emails about one saved search."""

    __table_args__ = (UniqueConstraint("subscriber_id", "saved_search_id", name="uq_subscription_search"),)

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True)
    saved_search_id: int = Field(foreign_key="savedsearch.id", index=True)
    frequency: str = Field(default="daily", max_length=12)
    status: str = Field(default="pending", max_length=10, index=True)
    created_at: datetime | None = _when(nullable=False)
    confirmed_at: datetime | None = _when()
    stopped_at: datetime | None = _when()
    # Procurements that arrived or changed materially after this are new to it (its confirmation, then each
    # delivery's batch end).
    delivered_until: datetime | None = _when()
    # A confirmation token carries this; it is cleared when used, so each link confirms once.
    confirm_nonce: str | None = Field(default=None, max_length=64)
    # When its latest confirmation link was made: pending past its 7-day life, it counts as stopped (retention).
    asked_at: datetime | None = _when()


class Follow(SQLModel, table=True):
    """A subscriber's emails about material changes to one procurement."""

    __table_args__ = (UniqueConstraint("subscriber_id", "procurement_id", name="uq_follow_procurement"),)

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True)
    # No foreign key: linking merges a procurement into another and deletes it, as for ProcurementTombstone;
    # portal.alerts.merge moves its alerts to the merged one.
    procurement_id: int = Field(index=True)
    frequency: str = Field(default="immediately", max_length=12)
    status: str = Field(default="pending", max_length=10, index=True)
    created_at: datetime | None = _when(nullable=False)
    confirmed_at: datetime | None = _when()
    stopped_at: datetime | None = _when()
    delivered_until: datetime | None = _when()
    confirm_nonce: str | None = Field(default=None, max_length=64)
    asked_at: datetime | None = _when()  # as Subscription.asked_at
    # The material facts last told (or seen at confirmation), to say what changed, old and new.
    baseline: dict = _json(dict)


class AlertEmail(SQLModel, table=True):
    """One email to one subscriber: composed, then sent; its body is deleted 30 days after sending."""

    __table_args__ = (Index("ix_alertemail_status_next", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True)
    kind: str = Field(max_length=12)  # confirm, digest, follow, manage
    frequency: str | None = Field(default=None, max_length=12)
    status: str = Field(default="pending", max_length=10)
    message_id: str = Field(max_length=250)
    subject: str | None = _text()
    message: str | None = _text()  # the whole message as composed (RFC 5322); None once retention removed it
    created_at: datetime | None = _when(nullable=False)
    claimed_at: datetime | None = _when()
    sent_at: datetime | None = _when(index=True)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = _when()
    last_error: str | None = _text()


class AlertItem(SQLModel, table=True):
    """One procurement release told to one subscription or follow, in one email: never twice."""

    __table_args__ = (
        UniqueConstraint("subscription_id", "procurement_id", "release_id", name="uq_alertitem_subscription"),
        UniqueConstraint("follow_id", "procurement_id", "release_id", name="uq_alertitem_follow"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email_id: int = Field(foreign_key="alertemail.id", index=True)
    subscription_id: int | None = Field(default=None, foreign_key="subscription.id", index=True)
    follow_id: int | None = Field(default=None, foreign_key="follow.id", index=True)
    # No foreign key: linking merges a procurement into another and deletes it, as for ProcurementTombstone;
    # portal.alerts.merge moves its alerts to the merged one.
    procurement_id: int = Field(index=True)
    release_id: int = Field(foreign_key="release.id")
    section: str = Field(max_length=12)  # forward, open, closing, changes
    matched: list = _json()  # the matched words, or the changes (field, old, new) for a follow
    created_at: datetime | None = _when(nullable=False)
