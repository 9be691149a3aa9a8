"""Pure half of ingest: raw releases → parsed records with their raw JSON and digest (no database).

Kept apart from the database half (portal.collect.ingest) so a large import can parse in another process.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from scrapers.compiler import compile_records
from scrapers.json_text import strict_and_clean
from scrapers.ocds import parse_release
from scrapers.records import ReleaseRecord

_PARSE_ERRORS = (ValueError, TypeError, KeyError, AttributeError)


@dataclass
class Incoming:
    """One parsed release with its raw JSON (and Welsh copy) as received, and their digest."""

    record: ReleaseRecord
    raw: str
    raw_cy: str | None
    content_hash: str


def dump(release) -> str:
    """Serialise a release compactly and strictly, as it is stored (see strict_and_clean)."""
    return strict_and_clean(release)[1]


def digest(*texts: str | None) -> str:
    """Return the SHA-256 of some texts, telling a changed release from a repeated one."""
    sha = hashlib.sha256()
    for text in texts:
        sha.update((text or "").encode("utf-8"))
        sha.update(b"\0")
    return sha.hexdigest()


def parse_pair(release: dict, welsh: dict | None, source: str) -> ReleaseRecord:
    """Parse a release, taking Welsh text from its Welsh-language copy where there is one."""
    record = parse_release(release, source)
    if welsh is not None:
        cy = parse_release(welsh, source)
        if cy.title and cy.title != record.title:
            record.title_cy = cy.title
        if cy.description and cy.description != record.description:
            record.description_cy = cy.description
    return record


def parse_with_welsh(raw: str, raw_cy: str | None, source: str) -> ReleaseRecord:
    """Parse a stored release and its stored Welsh copy."""
    return parse_pair(json.loads(raw), json.loads(raw_cy) if raw_cy else None, source)


def compile_stored(releases: list[tuple[str, str, str | None]], now: datetime) -> dict | None:
    """Compile a procurement from its stored (source, raw, raw_cy) releases as ingest does; None if none parse.

    A stored release that no longer parses is left out, as it could not have been stored otherwise.
    """
    records = []
    for source, raw, raw_cy in releases:
        try:
            records.append(parse_with_welsh(raw, raw_cy, source))
        except _PARSE_ERRORS:
            continue
    return compile_records(records, now) if records else None


def supersedes(incoming: datetime | None, stored: datetime | None) -> bool:
    """Tell whether a release arriving with `incoming` as its date replaces a stored edition of the same release
    id with other content: the later date wins, and on a tie (or no dates) the later arrival."""
    if incoming is None or stored is None:
        return True
    return incoming >= stored


@dataclass
class PreparedPage:
    """A page parsed and checked, ready to store; pure data, so it can be made in another process."""

    source: str
    incoming: list[Incoming]
    rejected: list[tuple[str, str]]  # (raw JSON, reason): stored in quarantine
    seen: int
    duplicates: int


def prepare_page(source: str, releases: list, welsh_releases: list | None = None) -> PreparedPage:
    """Parse a page of raw releases; malformed ones are set aside with their reason, never dropped."""
    welsh_by_id = {r.get("id"): r for r in welsh_releases or [] if isinstance(r, dict) and r.get("id")}
    incoming: dict[str, Incoming] = {}
    rejected, duplicates = [], 0
    for original in releases:
        # cleaned before parsing: a NUL or lone surrogate in a title must not reach a database column either
        release, raw = strict_and_clean(original)
        welsh = welsh_by_id.get(release.get("id")) if isinstance(release, dict) else None
        welsh, raw_cy = strict_and_clean(welsh) if welsh is not None else (None, None)
        try:
            record = parse_pair(release, welsh, source)
        except _PARSE_ERRORS as error:
            rejected.append((raw, f"{type(error).__name__}: {error}"))
            continue
        earlier = incoming.get(record.release_id)
        # a server-side duplicate on the same page (docs/registers.md, "Find a Tender: duplicates"), or another edition
        if earlier is not None:
            duplicates += 1
            if not supersedes(record.date, earlier.record.date):
                continue  # the later date wins, and on a tie the later arrival, as across pages and files
        incoming[record.release_id] = Incoming(record, raw, raw_cy, digest(raw, raw_cy))
    return PreparedPage(source, list(incoming.values()), rejected, len(releases), duplicates)
