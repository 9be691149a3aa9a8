"""Buyers: one per public body, upserted in bulk from compiled procurements.

The registers know one body by several identifiers and never link them: in the recorded data UK Research
and Innovation is GB-PPON PDQJ-7126-JDHG on Find a Tender and GB-SRS sid4gov.cabinetoffice.gov.uk/Zj5uFppq,
spelt "UK RESEARCH & INNOVATION", on Contracts Finder; the Ministry of Defence has six identifiers (PPON, FTS
and four Contracts Finder accounts), and a Sell2Wales buyer has none, only its name. So a procurement's buyer
is the buyer of its identifier or, before that, of its name compared without case, spaces or punctuation and
with "&" read as "and" (the oldest such buyer when there are several, so the choice never changes); a new buyer
is made only when neither is known. A buyer is shown under the name of its latest publication.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, insert, tuple_, update
from sqlmodel import Session, col, select

from portal.models.tables import Buyer, Procurement

BuyerKey = tuple[str, str]
CHUNK = 300
# Dropped when names are compared: "Bournemouth, Christchurch and Poole" is "Bournemouth Christchurch and Poole".
_IGNORED = " ,.-'’()/"
_EARLIEST = datetime.min.replace(tzinfo=UTC)


def buyer_key(compiled: dict) -> BuyerKey | None:
    """Return (scheme, identifier) of a compiled procurement's buyer; name-keyed when no id was published."""
    name, scheme = compiled.get("buyer_name"), compiled.get("buyer_scheme")
    identifier = compiled.get("buyer_identifier")
    if not identifier and not name:
        return None
    if not identifier:
        return "NAME", " ".join(name.casefold().split()).strip(" ,")[:300]
    return (scheme or "UNKNOWN")[:40], identifier[:300]


def name_key(name: str | None) -> str:
    """Return a buyer's name as buyers are matched: lower case, "&" as "and", no spaces or punctuation."""
    return (name or "").lower().replace("&", "and").translate({ord(c): None for c in _IGNORED})


def name_key_sql(column):
    """Return name_key as SQL (SQLite lowers ASCII letters only: a name with others may just not match)."""
    expression = func.replace(func.lower(column), "&", "and")
    for character in _IGNORED:
        expression = func.replace(expression, character, "")
    return expression


def upsert_buyers(session: Session, compiled_by_key: dict[BuyerKey, dict], now: datetime) -> dict[BuyerKey, int]:
    """Return each key's buyer id, making buyers for bodies not seen before and refreshing the others' names
    (the latest publication's) and devolved flags."""
    groups: dict[str, list[BuyerKey]] = {}
    for key, compiled in compiled_by_key.items():
        # a buyer named by no notice (only an identifier) is matched by its identifier alone
        groups.setdefault(name_key(compiled.get("buyer_name")) or f"\0{key}", []).append(key)
    by_identifier = _ids_by_identifier(session, list(compiled_by_key))
    by_name = _ids_by_name(session, [group for group in groups if not group.startswith("\0")])
    ids: dict[BuyerKey, int] = {}
    new_groups = []
    for group, keys in groups.items():
        found = [by_identifier[key] for key in keys if key in by_identifier]
        found += [by_name[group]] if group in by_name else []
        if found:
            ids.update(dict.fromkeys(keys, min(found)))
        else:
            new_groups.append(keys)
    if new_groups:
        # one row per body, under the identifier of its latest publication in this page
        firsts = [_latest(keys, compiled_by_key) for keys in new_groups]
        rows = [_values(key, compiled_by_key[key]) | _flags(keys, compiled_by_key) for key, keys in firsts]
        inserted = session.execute(
            insert(Buyer).returning(Buyer.scheme, Buyer.identifier, Buyer.id),
            [row | {"updated_at": now} for row in rows],
        )
        made = {(scheme, identifier): buyer_id for scheme, identifier, buyer_id in inserted}
        for key, keys in firsts:
            ids.update(dict.fromkeys(keys, made[key]))
    _refresh(session, {key: ids[key] for keys in groups.values() for key in keys}, compiled_by_key, new_groups, now)
    return ids


def _ids_by_identifier(session: Session, keys: list[BuyerKey]) -> dict[BuyerKey, int]:
    ids = {}
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        rows = session.exec(
            select(Buyer.scheme, Buyer.identifier, Buyer.id).where(tuple_(Buyer.scheme, Buyer.identifier).in_(chunk))
        )
        ids.update({(scheme, identifier): buyer_id for scheme, identifier, buyer_id in rows})
    return ids


def _ids_by_name(session: Session, names: list[str]) -> dict[str, int]:
    """Return the oldest buyer of each name key."""
    ids: dict[str, int] = {}
    for start in range(0, len(names), CHUNK):
        chunk = names[start : start + CHUNK]
        rows = session.exec(select(Buyer.id, Buyer.name).where(name_key_sql(Buyer.name).in_(chunk)))
        wanted = set(chunk)
        for buyer_id, name in rows:
            key = name_key(name)  # checked again in Python: SQL's lower() may fold more letters than ours
            if key in wanted and buyer_id < ids.get(key, buyer_id + 1):
                ids[key] = buyer_id
    return ids


def _published(compiled: dict) -> datetime:
    return compiled.get("updated_at") or compiled.get("published_at") or _EARLIEST


def _latest(keys: list[BuyerKey], compiled_by_key: dict[BuyerKey, dict]) -> tuple[BuyerKey, list[BuyerKey]]:
    return max(keys, key=lambda key: (_published(compiled_by_key[key]), key)), keys


def _flags(keys: list[BuyerKey], compiled_by_key: dict[BuyerKey, dict]) -> dict:
    """Return the devolved flags of the latest publication that states them ({} when none does)."""
    stating = [key for key in keys if compiled_by_key[key].get("buyer_devolved")]
    if not stating:
        return {}
    devolved = compiled_by_key[_latest(stating, compiled_by_key)[0]]["buyer_devolved"]
    return {"devolved": devolved, "is_welsh": devolved == "GB-WLS"}


def _refresh(session: Session, ids: dict, compiled_by_key: dict, new_groups: list, now: datetime) -> None:
    """Give each known buyer the name of its latest publication, here or stored, and any devolved flags stated."""
    made = {ids[key] for keys in new_groups for key in keys}
    by_buyer: dict[int, list[BuyerKey]] = {}
    for key, buyer_id in ids.items():
        if buyer_id not in made:
            by_buyer.setdefault(buyer_id, []).append(key)
    stored = _stored_names(session, list(by_buyer))
    rows = []
    for buyer_id, keys in by_buyer.items():
        key = _latest(keys, compiled_by_key)[0]
        name = _values(key, compiled_by_key[key])["name"]
        when, stored_name = stored.get(buyer_id, (_EARLIEST, None))
        if stored_name and when > _published(compiled_by_key[key]):
            name = stored_name[:500]
        rows.append({"id": buyer_id, "name": name, "updated_at": now} | _flags(keys, compiled_by_key))
    # Two batches: a procurement that does not say whether its buyer is devolved must not blank the flag.
    for with_flag in (True, False):
        if batch := [row for row in rows if ("devolved" in row) == with_flag]:
            session.execute(update(Buyer), batch)


def _stored_names(session: Session, buyer_ids: list[int]) -> dict[int, tuple[datetime, str | None]]:
    """Return the latest stored publication of each buyer: (its time, the buyer's name as it gave it)."""
    latest: dict[int, tuple[datetime, str | None]] = {}
    for start in range(0, len(buyer_ids), CHUNK):
        chunk = buyer_ids[start : start + CHUNK]
        newest = (
            select(Procurement.buyer_id, func.max(Procurement.updated_at).label("at"))
            .where(col(Procurement.buyer_id).in_(chunk))
            .group_by(Procurement.buyer_id)
            .subquery()
        )
        rows = session.exec(
            select(Procurement.buyer_id, Procurement.updated_at, Procurement.buyer_name)
            .join(newest, (newest.c.buyer_id == Procurement.buyer_id) & (newest.c.at == Procurement.updated_at))
            .order_by(Procurement.id)
        )
        for buyer_id, when, name in rows:
            if name:
                latest[buyer_id] = (when or _EARLIEST, name)
    return latest


def _values(key: BuyerKey, compiled: dict) -> dict:
    return {
        "scheme": key[0],
        "identifier": key[1],
        "name": (compiled.get("buyer_name") or key[1])[:500],
        "devolved": None,
        "is_welsh": False,
        "region": None,
    }
