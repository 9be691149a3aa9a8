"""Comparable snapshots of what the database holds."""

from sqlmodel import select

from portal.db import session_scope
from portal.models.tables import Buyer, CollectionState, Procurement, Quarantine, Release

_SKIP = {"id", "buyer_id", "changed_at", "procurement_id", "received_at", "run_id", "updated_at"}


def _row(obj) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in obj.model_dump().items() if k not in _SKIP))


def snapshot() -> dict:
    """Return every stored row (less surrogate ids and our own timestamps), as sorted tuples."""
    with session_scope() as session:
        return {
            model.__name__: sorted(_row(row) for row in session.exec(select(model)))
            for model in (Procurement, Release, Buyer, Quarantine)
        }


def watermark(source: str):
    """Return a source's watermark."""
    with session_scope() as session:
        state = session.get(CollectionState, source)
        return state.watermark if state else None
