"""A procurement's history: every release in date order, and what changed from one to the next."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from portal.collect.prepare import parse_with_welsh
from portal.models.tables import Release
from scrapers.records import ReleaseRecord

log = logging.getLogger(__name__)


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
    record: ReleaseRecord | None
    changes: list[Change] = field(default_factory=list)

    @property
    def url(self) -> str | None:
        """Return the notice's page on its register."""
        return self.record.notice_url if self.record else None


def _parse(release: Release) -> ReleaseRecord | None:
    try:
        return parse_with_welsh(release.raw, release.raw_cy, release.source)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        # Stored releases parsed once already; a parser change must not break the page.
        log.warning("release %s no longer parses: %s", release.id, error)
        return None


def changes_between(before: ReleaseRecord, after: ReleaseRecord) -> list[Change]:
    """Return what a later release changed: deadline, value and title (only where both published one)."""
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
    """Return the procurement's releases oldest first, each with its changes from the previous one."""
    releases = sorted(session.exec(select(Release).where(Release.procurement_id == procurement_id)), key=_order)
    entries: list[HistoryEntry] = []
    previous: ReleaseRecord | None = None
    for release in releases:
        record = _parse(release)
        entry = HistoryEntry(release, record)
        if record is not None and previous is not None:
            entry.changes = changes_between(previous, record)
        if record is not None:
            previous = record
        entries.append(entry)
    return entries
