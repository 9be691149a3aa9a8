"""Releases → database: idempotent upsert of releases, procurements and buyers, one page at a time.

Rows are written in bulk (SQLAlchemy Core and ORM bulk statements, not one object per row): building
SQLModel objects one by one was 20 times slower than the target of 2,000 releases/s (bench/ingest.py).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, fields
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, update
from sqlmodel import Session, col, select

from portal.collect import linking
from portal.collect.buyer_upsert import buyer_key, upsert_buyers
from portal.collect.history import summarise
from portal.collect.prepare import Incoming, PreparedPage, digest, parse_with_welsh, prepare_page, supersedes
from portal.db import lock_for_writing
from portal.models.tables import Procurement, ProcurementKey, ProcurementTombstone, Quarantine, Release, RssItem, utcnow
from scrapers.compiler import compile_records
from scrapers.records import ReleaseRecord

log = logging.getLogger(__name__)

_PROCUREMENT_COLUMNS = set(Procurement.model_fields) - {"id", "buyer_id", "changed_at"}
_TABLE = Procurement.__table__
# Core statements: the ORM's bulk paths cost a third more per row (measured with bench/ingest.py).
_UPDATE_PROCUREMENT = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("_id"))
    .values({name: bindparam(name) for name in sorted(_PROCUREMENT_COLUMNS | {"buyer_id", "changed_at"})})
)


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


def _quarantine(session: Session, source: str, raw: str, reason: str, run_id: int | None) -> None:
    content_hash = digest(source, raw)
    if session.exec(select(Quarantine.id).where(Quarantine.content_hash == content_hash)).first() is None:
        try:
            ident = json.loads(raw)
        except ValueError:
            ident = None
        ident = ident if isinstance(ident, dict) else {}
        session.execute(
            insert(Quarantine).values(
                source=source,
                release_id=str(ident["id"])[:200] if ident.get("id") is not None else None,
                ocid=str(ident["ocid"])[:120] if ident.get("ocid") is not None else None,
                reason=reason,
                raw=raw,
                content_hash=content_hash,
                run_id=run_id,
                received_at=utcnow(),
            )
        )
    log.warning("quarantined a %s release: %s", source, reason)


def ingest_page(
    session: Session,
    source: str,
    releases: list,
    welsh_releases: list | None = None,
    run_id: int | None = None,
    now: datetime | None = None,
) -> IngestCounts:
    """Store one page of raw releases; the caller commits. Duplicates change nothing."""
    return store_page(session, prepare_page(source, releases, welsh_releases), run_id, now)


def store_page(session: Session, page: PreparedPage, run_id: int | None = None, now: datetime | None = None):
    """Store a prepared page; the caller commits (which ends this writer's turn). Returns the counts."""
    lock_for_writing(session)
    now = now or utcnow()
    source, incoming = page.source, page.incoming
    counts = IngestCounts(seen=page.seen, duplicates=page.duplicates, quarantined=len(page.rejected))
    for raw, reason in page.rejected:
        _quarantine(session, source, raw, reason, run_id)
    existing = _existing_releases(session, source, [item.record.release_id for item in incoming])
    fresh, changed = [], []
    for item in incoming:
        known = existing.get(item.record.release_id)
        if known is None:
            fresh.append(item)
        elif known[1] == item.content_hash or not supersedes(item.record.date, known[3]):
            counts.duplicates += 1  # the same, or an older edition than the one stored: the stored one stays
        else:
            changed.append((known, item))
    if not fresh and not changed:
        return counts
    assigned, new_keys = _assign_procurements(session, fresh)
    assigned.update({item.record.release_id: known[2] for known, item in changed})
    by_target: dict[int, list[ReleaseRecord]] = {}
    for item in fresh + [item for _known, item in changed]:
        by_target.setdefault(assigned[item.record.release_id], []).append(item.record)
    created = _write_procurements(session, by_target, now)

    def resolve(pid: int) -> int:
        return created.get(pid, pid)

    if fresh:
        rows = [_release_row(item, resolve(assigned[item.record.release_id]), now) for item in fresh]
        session.execute(insert(Release.__table__), rows)
    if changed:
        rows = [_release_row(item, known[2], now) | {"id": known[0]} for known, item in changed]
        session.execute(update(Release), rows)
    if new_keys:
        session.execute(
            insert(ProcurementKey.__table__), [k | {"procurement_id": resolve(k["procurement_id"])} for k in new_keys]
        )
    counts.new, counts.updated = len(fresh), len(changed)
    counts.procurements = {resolve(pid) for pid in by_target}
    _link_rss(session, [item.record for item in fresh])
    return counts


def _existing_releases(session: Session, source: str, release_ids: list[str]) -> dict[str, tuple]:
    """Return {release id: (row id, content hash, procurement id, date)} of those already stored."""
    found: dict[str, tuple] = {}
    for start in range(0, len(release_ids), 500):
        rows = session.exec(
            select(Release.release_id, Release.id, Release.content_hash, Release.procurement_id, Release.date).where(
                Release.source == source, col(Release.release_id).in_(release_ids[start : start + 500])
            )
        )
        found.update({row[0]: tuple(row[1:]) for row in rows})
    return found


def _release_row(item: Incoming, procurement_id: int, now: datetime) -> dict:
    record = item.record
    return {
        "source": record.source,
        "release_id": record.release_id,
        "ocid": record.ocid,
        "procurement_id": procurement_id,
        "notice_type": record.notice_type,
        "stage": record.stage,
        "date": record.date,
        "raw": item.raw,
        "raw_cy": item.raw_cy,
        "content_hash": item.content_hash,
        "received_at": now,
        "summary": summarise(record),  # what the history shows, so a page view never parses raw
    }


def _assign_procurements(session: Session, fresh: list[Incoming]) -> tuple[dict[str, int], list[dict]]:
    """Return {release id: procurement id} (negative placeholders for new ones) and the new key rows."""
    wanted = {key for item in fresh for key in linking.lookup_keys(item.record) + linking.keys_of(item.record)}
    known = linking.load_keys(session, wanted)
    loaded = set(known)
    assigned: dict[str, int] = {}
    placeholders = 0
    for item in fresh:
        matches = list(dict.fromkeys(known[key] for key in linking.lookup_keys(item.record) if key in known))
        if matches:
            target = matches[0]
            for other in matches[1:]:
                if other > 0 and target > 0:
                    _merge(session, other, target, known)
        else:
            placeholders += 1
            target = -placeholders
        assigned[item.record.release_id] = target
        for key in linking.keys_of(item.record):
            known.setdefault(key, target)
    new_keys = [
        {"kind": kind, "key": key, "procurement_id": pid}
        for (kind, key), pid in known.items()
        if (kind, key) not in loaded
    ]
    return assigned, new_keys


def _merge(session: Session, source_id: int, target_id: int, known: dict) -> None:
    """Move every release and key of one procurement into another (a notice found on two registers)."""
    from portal.alerts.merge import move_alerts  # docs/design.md, "Email alerts: sending", "Linking"

    log.info("linking procurement %s into %s (same notice on two registers)", source_id, target_id)
    move_alerts(session, source_id, target_id)  # follows and told items go with it, in this transaction
    for table in (Release, ProcurementKey, RssItem):
        session.execute(update(table).where(table.procurement_id == source_id).values(procurement_id=target_id))
    ocid = session.exec(select(Procurement.ocid).where(Procurement.id == source_id)).one()
    session.execute(insert(ProcurementTombstone).values(procurement_id=source_id, ocid=ocid, deleted_at=utcnow()))
    session.execute(delete(Procurement).where(Procurement.id == source_id))
    for key, pid in known.items():
        if pid == source_id:
            known[key] = target_id


def _write_procurements(session: Session, by_target: dict[int, list[ReleaseRecord]], now: datetime) -> dict[int, int]:
    """Compile each procurement from its stored releases plus these new records, writing each row once.

    Negative keys are procurements to create; returns {placeholder: new id}.
    """
    records = {target: list(found) for target, found in by_target.items()}
    _add_stored_records(session, records)
    compiled = {target: compile_records(found, now) for target, found in records.items() if found}
    by_buyer: dict = {}
    for values in compiled.values():
        if (key := buyer_key(values)) and (key not in by_buyer or values.get("buyer_devolved")):
            by_buyer[key] = values  # a procurement that names the buyer's devolved status wins
    buyer_ids = upsert_buyers(session, by_buyer, now)
    rows = {target: _procurement_row(values, buyer_ids, now) for target, values in compiled.items()}
    if updates := [row | {"_id": target} for target, row in rows.items() if target > 0]:
        session.execute(_UPDATE_PROCUREMENT, updates)
    new = [target for target in rows if target < 0]
    if not new:
        return {}
    # one new procurement per ocid is made on a page (_assign_procurements), and ocids are unique
    inserted = session.execute(insert(_TABLE).returning(_TABLE.c.id, _TABLE.c.ocid), [rows[t] for t in new])
    by_ocid = {ocid: pid for pid, ocid in inserted}
    return {target: by_ocid[rows[target]["ocid"]] for target in new}


def _add_stored_records(session: Session, records: dict[int, list[ReleaseRecord]]) -> None:
    """Add the stored releases of existing procurements (a changed release keeps its new text)."""
    stored = [target for target in records if target > 0]
    for start in range(0, len(stored), 500):
        rows = session.exec(
            select(Release.procurement_id, Release.source, Release.release_id, Release.raw, Release.raw_cy).where(
                col(Release.procurement_id).in_(stored[start : start + 500])
            )
        )
        for pid, source, release_id, raw, raw_cy in rows:
            if all((r.source, r.release_id) != (source, release_id) for r in records[pid]):
                records[pid].append(parse_with_welsh(raw, raw_cy, source))


def _procurement_row(values: dict, buyer_ids: dict, now: datetime) -> dict:
    row = {key: value for key, value in values.items() if key in _PROCUREMENT_COLUMNS}
    key = buyer_key(values)
    return row | {"buyer_id": buyer_ids.get(key) if key else None, "changed_at": now}


def _link_rss(session: Session, records: list[ReleaseRecord]) -> None:
    """Point RSS items at the full Sell2Wales notice now that it has arrived."""
    refs = {linking.s2w_reference(r.notice_url) for r in records if r.source == "s2w"} - {None}
    if not refs:
        return
    for (_kind, ref), pid in linking.load_keys(session, [("s2w-ref", ref) for ref in refs]).items():
        session.execute(
            update(RssItem)
            .where(RssItem.notice_ref == ref, col(RssItem.procurement_id).is_(None))
            .values(procurement_id=pid)
        )
