"""A procurement's history: every release in date order, and what changed from one to the next.

What the history shows of a release beyond its columns (its ReleaseSummary) is derived once, when ingest
stores it (migration 0003 backfilled older rows), so a page view reads stored rows and never parses raw JSON.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import defer
from sqlmodel import Session, select

from portal.collect.prepare import parse_with_welsh
from portal.models.tables import Release, ReleaseSummary
from scrapers.records import ReleaseRecord

log = logging.getLogger(__name__)

_PARSE_ERRORS = (ValueError, TypeError, KeyError, AttributeError)


@dataclass
class Change:
    """One difference between a release and the one before it: kind is "deadline", "value" or "title"."""

    kind: str
    old: object = None
    new: object = None
    currency: str | None = None


@dataclass
class HistoryEntry:
    """One release as the notice page shows it."""

    release: Release
    summary: ReleaseSummary | None
    changes: list[Change] = field(default_factory=list)

    @property
    def url(self) -> str | None:
        """Return the notice's page on its register."""
        return self.summary.notice_url if self.summary else None


def summarise(record: ReleaseRecord) -> ReleaseSummary:
    """Return what the history shows of a parsed release: ingest stores it with the release."""
    return ReleaseSummary(
        title=record.title,
        deadline=record.deadline,
        value_amount=record.value_amount,
        currency=record.currency,
        notice_url=record.notice_url,
    )


def summarise_stored(release_id: object, raw: str, raw_cy: str | None, source: str) -> ReleaseSummary | None:
    """Parse a stored release once and summarise it; None (logged) if it no longer parses."""
    try:
        return summarise(parse_with_welsh(raw, raw_cy, source))
    except _PARSE_ERRORS as error:
        # Stored releases parsed once already; a parser change must not break the page or the migration.
        log.warning("release %s no longer parses: %s", release_id, error)
        return None


def changes_between(before: ReleaseSummary, after: ReleaseSummary) -> list[Change]:
    """Return what a later release changed: deadline, value and title (only where both published one).

    Reads only the ReleaseSummary fields, so two ReleaseRecords compare the same way.
    """
    changes = []
    if before.deadline and after.deadline and before.deadline != after.deadline:
        changes.append(Change("deadline", before.deadline, after.deadline))
    if before.value_amount is not None and after.value_amount is not None and before.value_amount != after.value_amount:
        changes.append(Change("value", before.value_amount, after.value_amount, after.currency or before.currency))
    if before.title and after.title and before.title.strip() != after.title.strip():
        changes.append(Change("title", before.title, after.title))
    return changes


def _order(release: Release) -> tuple[datetime, int]:
    return (release.date or release.received_at, release.id or 0)


def history(session: Session, procurement_id: int) -> list[HistoryEntry]:
    """Return the procurement's releases oldest first, each with its changes from the previous one.

    Reads the stored summaries only: the raw JSON is not even loaded.
    """
    query = (
        select(Release)
        .where(Release.procurement_id == procurement_id)
        .options(defer(Release.raw), defer(Release.raw_cy))
    )
    entries: list[HistoryEntry] = []
    previous: ReleaseSummary | None = None
    for release in sorted(session.exec(query), key=_order):
        entry = HistoryEntry(release, release.summary)
        if release.summary is not None and previous is not None:
            entry.changes = changes_between(previous, release.summary)
        if release.summary is not None:
            previous = release.summary
        entries.append(entry)
    return entries
