"""Saving, publishing and withdrawing planned work (the I/O half; releases are built by portal.publishing.ocds).

See docs/design.md, "Publishing planned work". Every change is one transaction: the entry, its edit row, the audit
event and, once the entry is published, its new release stored through ingest inside the writers' lock, so the
notice, the edit and the audit event are committed together or not at all. The search index is synced at once.

Concurrent writers (docs/design.md, "Publishing planned work: concurrent changes"): each change takes the writers'
lock and only then decides, from what is committed, whether a reference is new and what an entry holds, so two
requests never insert the same reference nor number two releases alike.
"""

from __future__ import annotations

import secrets

from flask import current_app
from flask_babel import force_locale
from sqlmodel import Session, select

from portal.accounts.audit import record
from portal.collect.ingest import ingest_page
from portal.db import lock_for_writing
from portal.mail.links import absolute_url
from portal.models.accounts import Organisation
from portal.models.publishing import PlannedWork, PlannedWorkEdit
from portal.models.tables import Procurement, utcnow
from portal.publishing.cpv import labels_for
from portal.publishing.fields import ROUTES, EntryData
from portal.publishing.ocds import Publisher, build_releases
from portal.search.indexing import sync_index_safely

# The fields an entry takes from the form or a CSV row (EntryData), in the order edits list them.
FIELDS = tuple(EntryData.model_fields)


class ReferenceTaken(ValueError):
    """A new entry's reference belongs to an entry of the organisation already (another request made it first)."""


def new_ocid() -> str:
    """Return a stable ocid for a new entry: the configured prefix and a random part."""
    return f"{current_app.config['OCID_PREFIX']}-{secrets.token_hex(6)}"


def _differences(entry: PlannedWork, data: EntryData, fields: tuple[str, ...]) -> dict[str, list]:
    return {
        name: [getattr(entry, name), getattr(data, name)]
        for name in fields
        if getattr(entry, name) != getattr(data, name)
    }


def save(
    session: Session,
    organisation: Organisation,
    entry: PlannedWork | None,
    data: EntryData,
    actor: str,
    action: str = "edit",
    fields: tuple[str, ...] = FIELDS,
) -> PlannedWork:
    """Create or change an entry (only `fields`; a CSV row has no lots or contact name) and, when it is published,
    publish the change; the caller commits. Returns the entry. Raises ReferenceTaken when `entry` is None and the
    organisation has an entry of that reference, as another writer may have committed since the caller looked."""
    lock_for_writing(session)
    now = utcnow()
    if entry is None:
        taken = session.exec(
            select(PlannedWork.id).where(
                PlannedWork.organisation_id == organisation.id, PlannedWork.reference == data.reference
            )
        ).first()
        if taken is not None:
            raise ReferenceTaken(data.reference)
        entry = PlannedWork(
            organisation_id=organisation.id, reference=data.reference, ocid=new_ocid(), created_at=now, updated_at=now
        )
        changes = {name: [None, getattr(data, name)] for name in fields if getattr(data, name) not in (None, [])}
        action = "create" if action == "edit" else action
    else:
        session.refresh(entry)  # what the last writer committed: the changes and the next revision follow from it
        changes = _differences(entry, data, fields)
        if not changes:
            return entry
    for name in fields:
        setattr(entry, name, getattr(data, name))
    entry.updated_at, entry.updated_by = now, actor
    session.add(entry)
    session.flush()
    _log(session, entry, organisation, actor, action, changes, now)
    if entry.status == "published":
        _store_release(session, entry, organisation, now)
    return entry


def _lock_in_status(session: Session, entry: PlannedWork, status: str, refusal: str) -> None:
    """Take the writers' lock and check the entry is still in `status` as the lock's holder sees it (checked
    before too, so a plainly wrong request never waits for the lock); raise ValueError otherwise."""
    for locked in (False, True):
        if locked:
            lock_for_writing(session)
            session.refresh(entry)
        if entry.status != status:
            raise ValueError(f"{refusal}, not a {entry.status} entry")


def publish(session: Session, organisation: Organisation, entry: PlannedWork, actor: str) -> None:
    """Publish a draft: its first release; the caller commits."""
    _lock_in_status(session, entry, "draft", "only a draft can be published")
    now = utcnow()
    entry.status, entry.published_at, entry.updated_at, entry.updated_by = "published", now, now, actor
    _log(session, entry, organisation, actor, "publish", {"status": ["draft", "published"]}, now)
    _store_release(session, entry, organisation, now)


def withdraw(session: Session, organisation: Organisation, entry: PlannedWork, actor: str, reason: str) -> None:
    """Withdraw a published entry, with the reason suppliers will read; the caller commits."""
    _lock_in_status(session, entry, "published", "only a published entry can be withdrawn")
    now = utcnow()
    entry.status, entry.withdrawn_reason, entry.updated_at, entry.updated_by = "withdrawn", reason, now, actor
    changes = {"status": ["published", "withdrawn"], "withdrawn_reason": [None, reason]}
    _log(session, entry, organisation, actor, "withdraw", changes, now)
    _store_release(session, entry, organisation, now, withdrawn=True)


def after_commit() -> None:
    """Bring the search index up to date at once (a failure is logged; the clock's next sync catches up)."""
    sync_index_safely()


def _log(session, entry, organisation, actor, action, changes, now) -> None:
    session.add(PlannedWorkEdit(entry_id=entry.id, at=now, actor=actor, action=action, changes=_jsonable(changes)))
    detail = {"reference": entry.reference, "fields": sorted(changes)}
    record(session, f"entry.{action}", actor, organisation.id, subject=entry.ocid, detail=detail)


def _jsonable(changes: dict) -> dict:
    return {name: [list(v) if isinstance(v, tuple) else v for v in pair] for name, pair in changes.items()}


def _store_release(session: Session, entry: PlannedWork, organisation: Organisation, now, withdrawn=False) -> None:
    entry.revision += 1
    session.add(entry)
    with force_locale("en"):  # releases carry English labels; the buyer's Welsh text is in the Welsh copy
        labels = labels_for(session, list(entry.cpv_codes or []))
        route_name = str(ROUTES[entry.route]) if entry.route else None
    url = absolute_url("notices.notice", lang_code="en", ocid=entry.ocid)
    publisher = Publisher(organisation.identifier, organisation.name)
    options = {"labels": labels, "withdrawn": withdrawn, "route_name": route_name}
    release, welsh = build_releases(entry, publisher, entry.revision, now, url, **options)
    counts = ingest_page(session, "portal", [release], welsh, now=now)
    if counts.quarantined or not counts.procurements:
        raise RuntimeError(f"the release of {entry.ocid} was not stored: {counts}")
    if organisation.buyer_id is None:  # link the organisation to the buyer its notices are filed under
        organisation.buyer_id = session.exec(select(Procurement.buyer_id).where(Procurement.ocid == entry.ocid)).one()
        session.add(organisation)


def entries_of(session: Session, organisation_id: int) -> list[PlannedWork]:
    """Return an organisation's entries, the latest changed first."""
    query = select(PlannedWork).where(PlannedWork.organisation_id == organisation_id)
    return list(session.exec(query.order_by(PlannedWork.updated_at.desc(), PlannedWork.id.desc())))
