"""Buyers: one row per identifier scheme + id, upserted in bulk from compiled procurements."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, tuple_, update
from sqlmodel import Session, select

from portal.models.tables import Buyer

BuyerKey = tuple[str, str]


def buyer_key(compiled: dict) -> BuyerKey | None:
    """Return (scheme, identifier) of a compiled procurement's buyer; name-keyed when no id was published."""
    name, scheme = compiled.get("buyer_name"), compiled.get("buyer_scheme")
    identifier = compiled.get("buyer_identifier")
    if not identifier and not name:
        return None
    if not identifier:
        return "NAME", " ".join(name.casefold().split()).strip(" ,")[:300]
    return (scheme or "UNKNOWN")[:40], identifier[:300]


def upsert_buyers(session: Session, compiled_by_key: dict[BuyerKey, dict], now: datetime) -> dict[BuyerKey, int]:
    """Insert new buyers and refresh known ones (name as last published, devolved flag); return their ids."""
    keys = list(compiled_by_key)
    ids: dict[BuyerKey, int] = {}
    for start in range(0, len(keys), 300):
        chunk = keys[start : start + 300]
        rows = session.exec(
            select(Buyer.scheme, Buyer.identifier, Buyer.id).where(tuple_(Buyer.scheme, Buyer.identifier).in_(chunk))
        )
        ids.update({(scheme, identifier): pid for scheme, identifier, pid in rows})
    values = {key: _values(key, compiled) for key, compiled in compiled_by_key.items()}
    new_keys = [key for key in keys if key not in ids]
    if new_keys:
        rows = session.execute(
            insert(Buyer).returning(Buyer.scheme, Buyer.identifier, Buyer.id),
            [values[key] | {"updated_at": now} for key in new_keys],
        )
        ids.update({(scheme, identifier): pid for scheme, identifier, pid in rows})
    fresh = set(new_keys)
    refresh = [key for key in keys if key not in fresh]
    # Two batches: a procurement that does not say whether its buyer is devolved must not blank the flag.
    for with_flag in (True, False):
        rows = [
            {"id": ids[key], "name": values[key]["name"], "updated_at": now}
            | ({"devolved": values[key]["devolved"], "is_welsh": values[key]["is_welsh"]} if with_flag else {})
            for key in refresh
            if bool(values[key]["devolved"]) == with_flag
        ]
        if rows:
            session.execute(update(Buyer), rows)
    return ids


def _values(key: BuyerKey, compiled: dict) -> dict:
    devolved = compiled.get("buyer_devolved")
    return {
        "scheme": key[0],
        "identifier": key[1],
        "name": (compiled.get("buyer_name") or key[1])[:500],
        "devolved": devolved,
        "is_welsh": devolved == "GB-WLS",
        "region": None,
    }
