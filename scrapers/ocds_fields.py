"""Tolerant readers for the parts of an OCDS release: a wrong type gives None, never an exception.

Real register data breaks its schemas (docs/registers.md, "Find a Tender: quirks":
`"durationInDays": "1e9999"` as a string,
`lots[].description: null`, `details: null` in Sell2Wales parties), so every reader checks types.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

from scrapers.regions import region_codes
from scrapers.vocabulary import LONDON

# FTS and CF publish UK local times; a value without an offset is read as London time
# (docs/registers.md, "Times and time zones").

_ORG_ID = re.compile(r"([A-Z]{2}-[A-Za-z0-9]+)-(.+)")  # org-id.guide style: "GB-PPON-PJJX-1133-JRGV"
_LOCAL_ORG_ID = re.compile(r"org-\d+")  # S2W/PCS per-release ids (docs/registers.md, "Sell2Wales API: release shape")
DEVOLVED_SCHEME = "UK_CA_DEVOLVED_REGULATIONS"


def obj(value: object) -> dict:
    """Return `value` if it is a JSON object, else an empty dict."""
    return value if isinstance(value, dict) else {}


def objs(value: object) -> list[dict]:
    """Return the JSON objects of a list (anything else in it, or a non-list, is ignored)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def text(value: object) -> str | None:
    """Return a string stripped of surrounding whitespace, None for empty or non-strings; never unescape."""
    if isinstance(value, str):
        return value.strip() or None
    return None


def number(value: object) -> float | None:
    """Return a finite JSON number as float (bools, strings, `1e9999` → None)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def flag(value: object) -> bool | None:
    """Return a JSON boolean, None for anything else."""
    return value if isinstance(value, bool) else None


def read_iso(value: object) -> datetime | None:
    """Read an ISO 8601 date or datetime as written (its own offset, or none), or None."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def to_utc(parsed: datetime) -> datetime:
    """Return a datetime as aware UTC, reading a naive one as London time."""
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=LONDON)
    return parsed.astimezone(UTC)


def parse_datetime(value: object) -> datetime | None:
    """Parse an ISO 8601 date or datetime into aware UTC (naive and date-only values are London time)."""
    parsed = read_iso(value)
    return None if parsed is None else to_utc(parsed)


def strings(value: object) -> list[str]:
    """Return the non-empty strings of a list."""
    if not isinstance(value, list):
        return []
    return [item.strip() for item in value if isinstance(item, str) and item.strip()]


def release_items(release: dict) -> list[dict]:
    """Return the items of the tender, its lots, its awards and its contracts, in that order.

    FTS award notices (UK5 to UK7) describe what was bought only in `awards[].items` and their tender has
    no items at all (seen: 237 of 459 releases of a recorded day), so CPV codes and delivery regions are
    read from all of them.
    """
    tender = obj(release.get("tender"))
    items = objs(tender.get("items"))
    for lot in objs(tender.get("lots")):
        items += objs(lot.get("items"))
    for section in ("awards", "contracts"):
        for part in objs(release.get(section)):
            items += objs(part.get("items"))
    return items


def cpv_codes(release: dict) -> list[tuple[str, str | None]]:
    """Collect CPV (code, label) pairs of the tender, its lots and every item, deduplicated, first label kept."""
    found: dict[str, str | None] = {}

    def add(classification: dict) -> None:
        scheme = classification.get("scheme")
        code = text(classification.get("id"))
        if code is None or not isinstance(scheme, str) or scheme.strip().upper() != "CPV":
            return
        label = text(classification.get("description"))
        if found.get(code) is None:  # new code, or a later copy that finally carries a label
            found[code] = label

    tender = obj(release.get("tender"))
    for node in [tender, *objs(tender.get("lots")), *release_items(release)]:
        add(obj(node.get("classification")))
        for classification in objs(node.get("additionalClassifications")):
            add(classification)
    return list(found.items())


def delivery_regions(release: dict, source: str) -> list[str]:
    """Collect every item's delivery regions in published order, mapping CF region names to NUTS codes."""
    found: dict[str, None] = {}
    for item in release_items(release):
        for address in objs(item.get("deliveryAddresses")):
            region = text(address.get("region"))
            if region is None:
                continue
            for code in region_codes(region) if source == "cf" else (region,):
                found[code] = None
    return list(found)


def normalise_name(name: str) -> str:
    """Return a buyer name as a grouping key: casefolded, single-spaced, trailing commas dropped."""
    return " ".join(name.split()).rstrip(", ").casefold()


def buyer_fields(release: dict, parties: dict[str, dict], source: str) -> dict:
    """Return the buyer_* fields from `buyer` and its `parties[]` entry."""
    buyer = obj(release.get("buyer"))
    buyer_id = text(buyer.get("id"))
    party = parties.get(buyer_id, {}) if buyer_id else {}
    if not buyer:  # some FTS releases (e.g. UK11) only name the buyer in parties[] (roles ∋ buyer)
        party = next((p for p in parties.values() if "buyer" in strings(p.get("roles"))), {})
        buyer_id = text(party.get("id"))
    name = text(buyer.get("name")) or text(party.get("name"))
    details = obj(party.get("details"))
    devolved = next(
        (text(c.get("id")) for c in objs(details.get("classifications")) if c.get("scheme") == DEVOLVED_SCHEME), None
    )
    scheme = identifier = None
    if source == "s2w" or (buyer_id and _LOCAL_ORG_ID.fullmatch(buyer_id)):
        # Proactis ids are local to one release ("org-3"), so key the buyer by its name
        # (docs/registers.md, "Sell2Wales API: release shape").
        scheme, identifier = "S2W-NAME", normalise_name(name) if name else None
    elif buyer_id:
        party_identifier = obj(party.get("identifier"))
        scheme, identifier = text(party_identifier.get("scheme")), text(party_identifier.get("id"))
        if not (scheme and identifier):
            match = _ORG_ID.fullmatch(buyer_id)
            scheme, identifier = (match.group(1), match.group(2)) if match else (None, buyer_id)
    return {
        "buyer_scheme": scheme,
        "buyer_identifier": identifier,
        "buyer_name": name,
        "buyer_devolved": devolved,
        "buyer_region": text(obj(party.get("address")).get("region")),
    }


def suitability(tender: dict, lots: list[dict], key: str) -> bool | None:
    """Return True if the tender or any lot is suitable for `key` (sme/vcse), False only if stated."""
    values = [flag(obj(tender.get("suitability")).get(key))]
    values += [flag(obj(lot.get("suitability")).get(key)) for lot in lots]
    if True in values:
        return True
    return False if False in values else None
