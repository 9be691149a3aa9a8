"""The search index kept in step with the database: documents, rebuild, sync, and search that returns rows.

The database is the truth; the Whoosh index (search_index/) is a cache. Indexing never fails a
database write: a failed sync is logged and the next one picks the changes up from the watermark.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func
from sqlmodel import Session, col, select

import search_index
from portal.db import session_scope
from portal.models.tables import Procurement, ProcurementTombstone

log = logging.getLogger(__name__)
# A row is stamped (changed_at) when its page is stored and committed a moment later, so a row of another
# process's page may be committed after a sync has read past its stamp: each sync reads again from SLACK
# before its watermark. What it indexed within SLACK of the watermark is kept with it (the Cursor), so
# a row read again is skipped, and a sync with nothing new commits nothing.
SLACK = timedelta(seconds=5)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Cursor:
    """How far the index is: the newest change indexed, and what is indexed of the SLACK before it.

    A procurement is in `indexed` as (id, changed_at), so one changed again, or another changed in the
    same instant, is still new; a merged one's tombstone is in `deleted` by its own id.
    """

    at: datetime
    indexed: frozenset[tuple[int, datetime]] = frozenset()
    deleted: frozenset[int] = frozenset()

    def encode(self) -> str:
        """Return the cursor as the text of the index's watermark."""
        by_instant: dict[str, list[int]] = {}
        for pid, when in self.indexed:
            by_instant.setdefault(when.isoformat(), []).append(pid)
        indexed = {when: sorted(ids) for when, ids in sorted(by_instant.items())}
        return json.dumps({"at": self.at.isoformat(), "indexed": indexed, "deleted": sorted(self.deleted)})

    @classmethod
    def decode(cls, watermark) -> Cursor | None:
        """Read a watermark; None for one this database did not write (or none), which calls for a rebuild."""
        if isinstance(watermark, datetime):  # written before the cursor was kept: reads the SLACK once more
            return cls(watermark)
        try:
            data = json.loads(watermark)
            indexed = {(pid, datetime.fromisoformat(when)) for when, ids in data["indexed"].items() for pid in ids}
            return cls(datetime.fromisoformat(data["at"]), frozenset(indexed), frozenset(data["deleted"]))
        except (TypeError, ValueError, KeyError, AttributeError):
            return None

    def after(self, read: list[tuple[int, datetime]], tombstones: list[tuple[int, datetime]]) -> Cursor:
        """Return the cursor once every row read and every tombstone seen is in the index."""
        at = max([self.at, *(when for _pid, when in read)])
        floor = at - SLACK
        return Cursor(
            at,
            frozenset((pid, when) for pid, when in read if when >= floor),
            frozenset(tid for tid, deleted_at in tombstones if deleted_at >= floor),
        )


def document_for(procurement: Procurement) -> dict:
    """Return the search document of a procurement."""
    return {
        # The row id, not the ocid: a procurement's ocid changes when an FTS notice joins a Sell2Wales one.
        "id": str(procurement.id),
        "stage": procurement.stage,
        "notice_types": list(procurement.notice_types or []),
        "sources": list(procurement.sources or []),
        "buyer_id": str(procurement.buyer_id) if procurement.buyer_id else None,
        "buyer_name": procurement.buyer_name,
        "title": procurement.title,
        "description": procurement.description,
        "title_cy": procurement.title_cy,
        "description_cy": procurement.description_cy,
        "cpv": [c.get("code") for c in procurement.cpv or [] if c.get("code")],
        "cpv_labels": [c.get("label") for c in procurement.cpv or [] if c.get("label")],
        "regions": list(procurement.regions or []),
        "value_amount": procurement.value_amount,
        "value_gross": procurement.value_gross,
        "published": procurement.published_at,
        "updated": procurement.updated_at,  # what Filters.changed_since and changed_until match, to the second
        "deadline": procurement.deadline,
        "expected_tender_date": procurement.expected_tender_date,
        "sme": procurement.sme,
        "vcse": procurement.vcse,
        "in_wales": procurement.in_wales,
    }


def _index_dir() -> str:
    return current_app.config["INDEX_DIR"]


def _documents(session: Session):
    for procurement in session.exec(select(Procurement).order_by(Procurement.id).execution_options(yield_per=500)):
        yield document_for(procurement)


def _tombstones(session: Session, since: datetime) -> list:
    columns = (ProcurementTombstone.id, ProcurementTombstone.procurement_id, ProcurementTombstone.deleted_at)
    return session.exec(select(*columns).where(ProcurementTombstone.deleted_at >= since)).all()


def rebuild_index(progress=None) -> int:
    """Build a fresh index from every procurement and swap it in; return the document count."""
    with session_scope() as session:
        # Read before the documents, so all of it is in them, and whatever changes during the rebuild
        # is picked up by the next sync.
        newest = session.exec(select(func.max(Procurement.changed_at))).one() or _EPOCH
        window = select(Procurement.id, Procurement.changed_at).where(Procurement.changed_at >= newest - SLACK)
        read = [tuple(row) for row in session.exec(window)]
        tombstones = [(tid, deleted_at) for tid, _pid, deleted_at in _tombstones(session, newest - SLACK)]
        cursor = Cursor(newest).after(read, tombstones)
        total = session.exec(select(func.count()).select_from(Procurement)).one()
        return search_index.rebuild(_index_dir(), _documents(session), total, progress, watermark=cursor.encode())


def sync_index() -> tuple[int, int]:
    """Index procurements changed since the index's cursor and drop merged ones; rebuild when absent.

    Returns (upserted, deleted); (0, 0) when nothing changed, and then the index is not written at all:
    a commit would make every searcher drop its caches.
    """
    index_dir = _index_dir()
    watermark = search_index.get_watermark(index_dir) if search_index.index_age(index_dir) is not None else None
    cursor = Cursor.decode(watermark)
    if cursor is None:  # no index yet, or one this database did not build
        return rebuild_index(), 0
    since = cursor.at - SLACK
    with session_scope() as session:
        # Which rows changed, by id and time only: after a large import most of the SLACK's rows are indexed
        # already, and loading them whole cost more than indexing the rest (docs/design.md, "Speed at scale").
        window = select(Procurement.id, Procurement.changed_at).where(Procurement.changed_at >= since)
        read = [tuple(row) for row in session.exec(window.order_by(Procurement.id))]
        fresh = [pid for pid, when in read if (pid, when) not in cursor.indexed]
        docs, loaded = [], {}
        for start in range(0, len(fresh), 500):
            batch = select(Procurement).where(col(Procurement.id).in_(fresh[start : start + 500]))
            for procurement in session.exec(batch.order_by(Procurement.id)):
                loaded[procurement.id] = procurement.changed_at  # as indexed, should it have changed meanwhile
                docs.append(document_for(procurement))
        read = [(pid, loaded.get(pid, when)) for pid, when in read]
        tombstones = _tombstones(session, since)
        gone = [pid for tid, pid, _deleted_at in tombstones if tid not in cursor.deleted]
        if not docs and not gone:
            return 0, 0
        after = cursor.after(read, [(tid, deleted_at) for tid, _pid, deleted_at in tombstones])
        return search_index.sync(index_dir, docs, [str(pid) for pid in gone], watermark=after.encode())


def sync_index_safely() -> None:
    """Sync the index for the clock; a failure is logged and left to the next sync."""
    try:
        upserted, deleted = sync_index()
        log.info("search index synced: %d upserted, %d deleted", upserted, deleted)
    except Exception:
        log.exception("search index sync failed; the next sync will pick the changes up")


def matching_procurement_ids(text: str = "", filters=None) -> set[int]:
    """Return the ids of every procurement a search finds, unpaged; none while the index is being built."""
    try:
        return {int(found) for found in search_index.matching_ids(_index_dir(), text, filters)}
    except search_index.IndexMissing:
        return set()


def matching_procurement_count(text: str = "", filters=None) -> int:
    """Return how many procurements a search finds (what `matching_procurement_ids` would list); 0 while the
    index is being built."""
    try:
        return search_index.matching_count(_index_dir(), text, filters)
    except search_index.IndexMissing:
        return 0


def search_procurements(
    text: str = "",
    filters=None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
    facets: bool = True,
    session: Session | None = None,
    explain: bool = True,
):
    """Search, then load the matching procurements from the database in rank order; return (rows, results).
    `explain=False`: without "why this matched", for callers that do not show it (search_index.search)."""
    results = search_index.search(_index_dir(), text, filters, sort, page, per_page, facets, explain=explain)
    ids = [int(hit.id) for hit in results.hits if hit.id.isdigit()]
    if not ids:
        return [], results
    if session is None:
        with session_scope() as own:
            rows = own.exec(select(Procurement).where(col(Procurement.id).in_(ids))).all()
    else:
        rows = session.exec(select(Procurement).where(col(Procurement.id).in_(ids))).all()
    by_id = {row.id: row for row in rows}
    # An id the index still has but the database no longer does is skipped, never an error.
    return [by_id[i] for i in ids if i in by_id], results


@click.group("index")
def index_cli():
    """Build or update the search index from the database."""


@index_cli.command("rebuild")
@with_appcontext
def rebuild_command():
    """Rebuild the whole search index beside the live one and swap it in."""
    with click.progressbar(length=1, label="indexing", show_pos=True) as bar:

        def progress(done: int, total: int | None) -> None:
            bar.length = max(total or done, 1)
            bar.update(done - bar.pos)

        count = rebuild_index(progress)
    click.echo(f"indexed {count} procurements")


@index_cli.command("sync")
@with_appcontext
def sync_command():
    """Index what changed since the last sync."""
    upserted, deleted = sync_index()
    click.echo(f"indexed {upserted} changed procurements, removed {deleted}")


@click.command("search")
@click.argument("query", default="")
@click.option("--stage", multiple=True, help="pipeline, engagement, planned, open, closed, awarded, cancelled")
@click.option("--cpv", multiple=True, help="CPV code or prefix, e.g. 72 or 7221")
@click.option("--region", multiple=True, help="NUTS/ITL code or prefix, e.g. UKL")
@click.option("--sort", default="relevance", type=click.Choice(search_index.SORTS))
@click.option("--limit", default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
@with_appcontext
def search_command(query, stage, cpv, region, sort, limit, as_json):
    """Search the index and print the total and the top results."""
    filters = search_index.Filters(stages=stage, cpv=cpv, regions=region)
    rows, results = search_procurements(query, filters, sort, 1, limit, facets=False)
    hits = {hit.id: hit for hit in results.hits}
    found = [
        {
            "ocid": row.ocid,
            "stage": row.stage,
            "title": row.title,
            "score": round(hits[str(row.id)].score, 3),
            "matched": hits[str(row.id)].matched_fields,
        }
        for row in rows
    ]
    messages = [{"code": m.code, "text": m.text} for m in results.messages]
    if as_json:
        click.echo(json.dumps({"total": results.total, "results": found, "messages": messages}, ensure_ascii=False))
        return
    for message in messages:
        click.echo(f"note: {message['text']}")
    click.echo(f"{results.total} found")
    for hit in found:
        matched = ", ".join(hit["matched"])
        click.echo(f"{hit['score']:7.2f}  {hit['stage']:10} {hit['ocid']:28} {hit['title']}  [{matched}]")


def init_app(app: Flask) -> None:
    """Register `flask index` and `flask search`."""
    app.cli.add_command(index_cli)
    app.cli.add_command(search_command)
