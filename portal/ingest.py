"""Releases → database: idempotent upsert of releases, procurements and buyers, one page at a time."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field, fields
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from portal import linking
from portal.models import Buyer, Procurement, ProcurementKey, Quarantine, Release, RssItem, utcnow
from scrapers.compile import compile_records
from scrapers.ocds import parse_release
from scrapers.records import ReleaseRecord

log = logging.getLogger(__name__)

_BUYER_KEYS = ("buyer_scheme", "buyer_identifier", "buyer_devolved")
_PROCUREMENT_COLUMNS = set(Procurement.model_fields) - {"id", "buyer_id", "changed_at"}


@dataclass
class IngestCounts:
    """What one ingest did."""

    seen: int = 0
    new: int = 0
    updated: int = 0
    duplicates: int = 0
    quarantined: int = 0
    procurements: set[int] = field(default_factory=set)

    def add(self, other: IngestCounts) -> None:
        """Add another page's counts to these."""
        for f in fields(self):
            if f.name == "procurements":
                self.procurements |= other.procurements
            else:
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass
class _Incoming:
    record: ReleaseRecord
    raw: str
    raw_cy: str | None
    content_hash: str


def _dump(release) -> str:
    return json.dumps(release, ensure_ascii=False, separators=(",", ":"))


def _hash(*texts: str | None) -> str:
    digest = hashlib.sha256()
    for text in texts:
        digest.update((text or "").encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def parse_with_welsh(raw: str, raw_cy: str | None, source: str) -> ReleaseRecord:
    """Parse a stored release, taking Welsh text from its Welsh-language copy where there is one."""
    record = parse_release(json.loads(raw), source)
    if raw_cy:
        welsh = parse_release(json.loads(raw_cy), source)
        if welsh.title and welsh.title != record.title:
            record.title_cy = welsh.title
        if welsh.description and welsh.description != record.description:
            record.description_cy = welsh.description
    return record


def _quarantine(session: Session, source: str, release, reason: str, run_id: int | None, counts: IngestCounts):
    raw = _dump(release)
    content_hash = _hash(source, raw)
    counts.quarantined += 1
    exists = session.exec(select(Quarantine.id).where(Quarantine.content_hash == content_hash)).first()
    if exists is None:
        ident = release if isinstance(release, dict) else {}
        session.add(
            Quarantine(
                source=source,
                release_id=str(ident.get("id"))[:200] if ident.get("id") is not None else None,
                ocid=str(ident.get("ocid"))[:120] if ident.get("ocid") is not None else None,
                reason=reason,
                raw=raw,
                content_hash=content_hash,
                run_id=run_id,
                received_at=utcnow(),
            )
        )
    log.warning("quarantined a %s release: %s", source, reason)


def _parse_page(session, source, releases, welsh_releases, run_id, counts) -> list[_Incoming]:
    welsh_by_id = {r.get("id"): r for r in welsh_releases if isinstance(r, dict) and r.get("id")}
    incoming: dict[str, _Incoming] = {}
    for release in releases:
        counts.seen += 1
        raw = _dump(release)
        welsh = welsh_by_id.get(release.get("id")) if isinstance(release, dict) else None
        raw_cy = _dump(welsh) if welsh is not None else None
        try:
            record = parse_with_welsh(raw, raw_cy, source)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            _quarantine(session, source, release, f"{type(error).__name__}: {error}", run_id, counts)
            continue
        if record.release_id in incoming:  # a server-side duplicate on the same page (FEEDS.md §2.2)
            counts.duplicates += 1
            continue
        incoming[record.release_id] = _Incoming(record, raw, raw_cy, _hash(raw, raw_cy))
    return list(incoming.values())


def ingest_page(
    session: Session,
    source: str,
    releases: list,
    welsh_releases: list | None = None,
    run_id: int | None = None,
    now: datetime | None = None,
) -> IngestCounts:
    """Store one page of raw releases; the caller commits. Duplicates change nothing."""
    now = now or utcnow()
    counts = IngestCounts()
    incoming = _parse_page(session, source, releases, welsh_releases or [], run_id, counts)
    existing = _existing_releases(session, source, [item.record.release_id for item in incoming])
    fresh, changed = [], []
    for item in incoming:
        known = existing.get(item.record.release_id)
        if known is None:
            fresh.append(item)
        elif known.content_hash == item.content_hash:
            counts.duplicates += 1
        else:
            changed.append((known, item))
    if not fresh and not changed:
        return counts
    assigned = _assign_procurements(session, fresh, now)
    for item in fresh:
        session.add(_release_row(item, assigned[item.record.release_id], now))
    for known, item in changed:
        known.raw, known.raw_cy, known.content_hash = item.raw, item.raw_cy, item.content_hash
        known.notice_type, known.stage, known.date = item.record.notice_type, item.record.stage, item.record.date
        session.add(known)
        assigned[item.record.release_id] = known.procurement_id
    counts.new, counts.updated = len(fresh), len(changed)
    session.flush()
    parsed = {(source, item.record.release_id): item.record for item in incoming}
    counts.procurements = set(assigned.values())
    recompile(session, counts.procurements, now, parsed)
    _link_rss(session, [item.record for item in fresh])
    return counts


def _existing_releases(session: Session, source: str, release_ids: list[str]) -> dict[str, Release]:
    found: dict[str, Release] = {}
    for start in range(0, len(release_ids), 500):
        chunk = release_ids[start : start + 500]
        rows = session.exec(select(Release).where(Release.source == source, col(Release.release_id).in_(chunk)))
        found.update({row.release_id: row for row in rows})
    return found


def _release_row(item: _Incoming, procurement_id: int, now: datetime) -> Release:
    record = item.record
    return Release(
        source=record.source,
        release_id=record.release_id,
        ocid=record.ocid,
        procurement_id=procurement_id,
        notice_type=record.notice_type,
        stage=record.stage,
        date=record.date,
        raw=item.raw,
        raw_cy=item.raw_cy,
        content_hash=item.content_hash,
        received_at=now,
    )


def _assign_procurements(session: Session, fresh: list[_Incoming], now: datetime) -> dict[str, int]:
    """Return {release id: procurement id}, creating procurements and their keys as needed."""
    wanted = {key for item in fresh for key in linking.lookup_keys(item.record) + linking.keys_of(item.record)}
    known = linking.load_keys(session, wanted)
    assigned: dict[str, int] = {}
    for item in fresh:
        matches = [known[key] for key in linking.lookup_keys(item.record) if key in known]
        if matches:
            target = matches[0]
            for other in dict.fromkeys(matches[1:]):
                if other != target:
                    _merge(session, other, target, known)
        else:
            procurement = Procurement(ocid=item.record.ocid, stage="planned", changed_at=now)
            session.add(procurement)
            session.flush()
            target = procurement.id
        assigned[item.record.release_id] = target
        for key in linking.keys_of(item.record):
            if key not in known:
                session.add(ProcurementKey(kind=key[0], key=key[1], procurement_id=target))
                known[key] = target
    return assigned


def _merge(session: Session, source_id: int, target_id: int, known: dict) -> None:
    """Move every release and key of one procurement into another (a notice found on two registers)."""
    log.info("linking procurement %s into %s (same notice on two registers)", source_id, target_id)
    session.flush()
    for table in (Release, ProcurementKey):
        session.execute(update(table).where(table.procurement_id == source_id).values(procurement_id=target_id))
    session.execute(update(RssItem).where(RssItem.procurement_id == source_id).values(procurement_id=target_id))
    session.execute(delete(Procurement).where(Procurement.id == source_id))
    for key, pid in known.items():
        if pid == source_id:
            known[key] = target_id


def recompile(session: Session, procurement_ids, now: datetime, parsed: dict | None = None) -> None:
    """Compile the current state of these procurements from all their releases."""
    parsed = parsed or {}
    session.info["buyers"] = {}  # per call: a rolled-back buyer must never be reused
    ids = sorted(procurement_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        records: dict[int, list[ReleaseRecord]] = {pid: [] for pid in chunk}
        rows = session.exec(
            select(Release.procurement_id, Release.source, Release.release_id, Release.raw, Release.raw_cy).where(
                col(Release.procurement_id).in_(chunk)
            )
        )
        for pid, source, release_id, raw, raw_cy in rows:
            record = parsed.get((source, release_id))
            if record is None:
                record = parse_with_welsh(raw, raw_cy, source)
            records[pid].append(record)
        procurements = session.exec(select(Procurement).where(col(Procurement.id).in_(chunk)))
        for procurement in procurements:
            if records[procurement.id]:
                _apply(session, procurement, compile_records(records[procurement.id], now), now)


def _apply(session: Session, procurement: Procurement, compiled: dict, now: datetime) -> None:
    for key, value in compiled.items():
        if key in _PROCUREMENT_COLUMNS:
            setattr(procurement, key, value)
    procurement.buyer_id = _buyer_id(session, compiled, now)
    procurement.changed_at = now
    session.add(procurement)


def _buyer_id(session: Session, compiled: dict, now: datetime) -> int | None:
    name = compiled.get("buyer_name")
    scheme, identifier, devolved = (compiled.get(key) for key in _BUYER_KEYS)
    if not identifier and not name:
        return None
    if not identifier:
        scheme, identifier = "NAME", " ".join(name.casefold().split()).strip(" ,")
    scheme = scheme or "UNKNOWN"
    cache = session.info["buyers"]
    buyer = cache.get((scheme, identifier))
    if buyer is None:
        buyer = session.exec(select(Buyer).where(Buyer.scheme == scheme, Buyer.identifier == identifier)).first()
    if buyer is None:
        buyer = Buyer(scheme=scheme, identifier=identifier[:300], name=(name or identifier)[:500])
    if name:
        buyer.name = name[:500]
    if devolved:
        buyer.devolved = devolved
        buyer.is_welsh = devolved == "GB-WLS"
    buyer.updated_at = now
    session.add(buyer)
    session.flush()
    cache[(scheme, identifier)] = buyer
    return buyer.id


def _link_rss(session: Session, records: list[ReleaseRecord]) -> None:
    """Point RSS items at the full Sell2Wales notice now that it has arrived."""
    refs = {linking.s2w_reference(r.notice_url) for r in records if r.source == "s2w"} - {None}
    if not refs:
        return
    known = linking.load_keys(session, [("s2w-ref", ref) for ref in refs])
    for (_kind, ref), pid in known.items():
        session.execute(
            update(RssItem).where(RssItem.notice_ref == ref, col(RssItem.procurement_id).is_(None)).values(
                procurement_id=pid
            )
        )
