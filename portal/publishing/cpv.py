"""CPV codes for the entry form: a search that works without JavaScript, and each code's label.

See docs/design.md, "Publishing planned work". The portal has no copy of the whole CPV 2008 list: it knows the 45
divisions in English and Welsh (portal.labels.cpv_divisions) and every code the registers have published with its
label (Procurement.cpv). A search looks in both; a code nobody published yet is labelled by its division.
"""

from __future__ import annotations

import re

from sqlalchemy import Text, cast, func
from sqlmodel import Session, select

from portal.labels.cpv_divisions import DIVISIONS, division_label
from portal.models.tables import Procurement

MAX_RESULTS = 40
SCANNED = 400  # matching procurements read for one search, at most
RECENT = 20_000  # only the latest procurements are looked in, so a search costs the same on any database


def _published(session: Session, needle: str) -> list[dict]:
    """Return the CPV entries of stored procurements whose codes or labels hold `needle` (case-insensitive)."""
    pattern = "%" + needle.replace("\\", "").replace("%", "").replace("_", "") + "%"
    newest = select(func.max(Procurement.id)).scalar_subquery()
    query = select(Procurement.cpv).where(Procurement.id > newest - RECENT, cast(Procurement.cpv, Text).ilike(pattern))
    rows = session.exec(query.limit(SCANNED))
    return [item for cpv in rows for item in cpv or [] if isinstance(item, dict) and item.get("code")]


def search_codes(session: Session, query: str) -> list[tuple[str, str]]:
    """Return (8-digit code, label) pairs matching a code prefix or words of a label, divisions first."""
    query = " ".join(query.split())[:100]
    if len(query) < 2:
        return []
    digits = re.sub(r"\D", "", query)
    numeric = bool(digits) and not re.search(r"[^\d\s-]", query)
    folded = query.casefold()
    found: dict[str, str] = {}
    for code, label in DIVISIONS.items():
        if (numeric and code.startswith(digits[:2])) or (not numeric and folded in str(label).casefold()):
            found[code + "000000"] = str(label)
    for item in _published(session, digits if numeric else query):
        code = str(item["code"])[:8]
        label = str(item.get("label") or "")
        if not (len(code) == 8 and code.isdigit() and code[:2] in DIVISIONS):
            continue
        if (numeric and code.startswith(digits)) or (not numeric and folded in label.casefold()):
            found.setdefault(code, label or division_label(code))
    return sorted(found.items())[:MAX_RESULTS]


def labels_for(session: Session, codes: list[str]) -> dict[str, str]:
    """Return each code's label: as the registers published it, else its division's name."""
    labels = {}
    for code in codes:
        known = next((item.get("label") for item in _published(session, code) if str(item["code"])[:8] == code), None)
        labels[code] = known or division_label(code)
    return labels
