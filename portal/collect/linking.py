"""Which procurement a release belongs to: one per ocid, and one for a notice on two registers."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlmodel import Session, col, select

from portal.models.tables import ProcurementKey
from scrapers.records import ReleaseRecord
from scrapers.sell2wales_rss import notice_ref_of

# Sell2Wales cites FTS notices as "2024/S 000-035618" (docs/registers.md, "Sell2Wales API: links to Find a Tender"),
# which is FTS notice 035618-2024.
_OJ_REF = re.compile(r"^\s*(\d{4})/S\s*\d{3}-(\d{6})\s*$")
_FTS_NOTICE = re.compile(r"^\s*(\d{6})-(\d{4})\s*$")


def fts_notice_id(identifier: str) -> str | None:
    """Return the FTS notice id an identifier names ("2024/S 000-035618" → "035618-2024"), else None."""
    if match := _OJ_REF.match(identifier or ""):
        return f"{match.group(2)}-{match.group(1)}"
    if match := _FTS_NOTICE.match(identifier or ""):
        return f"{match.group(1)}-{match.group(2)}"
    return None


def s2w_reference(url: str | None) -> str | None:
    """Return a Sell2Wales notice reference (the `ID=` of its page URL, e.g. FEB497921), else None."""
    return notice_ref_of(url) if url else None


def keys_of(record: ReleaseRecord) -> list[tuple[str, str]]:
    """Return the keys this release makes known about its procurement."""
    keys = [("ocid", record.ocid)]
    if record.source == "fts":
        keys.append(("notice", record.release_id))
    if record.source == "s2w":
        keys.extend(("related", ref) for ref in filter(None, map(fts_notice_id, record.related_ids)))
        if ref := s2w_reference(record.notice_url):
            keys.append(("s2w-ref", ref))
    return keys


def lookup_keys(record: ReleaseRecord) -> list[tuple[str, str]]:
    """Return the keys to look for, most certain first, to find a procurement this release joins."""
    keys = [("ocid", record.ocid)]
    if record.source == "s2w":
        # A Sell2Wales notice that cites an FTS notice is the same procurement.
        keys.extend(("notice", ref) for ref in filter(None, map(fts_notice_id, record.related_ids)))
    if record.source == "fts":
        # A Sell2Wales notice already here may have cited this FTS notice.
        keys.append(("related", record.release_id))
    return keys


def load_keys(session: Session, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Return {(kind, key): procurement id} for the keys that are known."""
    by_kind: dict[str, set[str]] = {}
    for kind, key in keys:
        by_kind.setdefault(kind, set()).add(key)
    found: dict[tuple[str, str], int] = {}
    for kind, values in by_kind.items():
        values = list(values)
        for start in range(0, len(values), 500):
            rows = session.exec(
                select(ProcurementKey.key, ProcurementKey.procurement_id).where(
                    ProcurementKey.kind == kind, col(ProcurementKey.key).in_(values[start : start + 500])
                )
            )
            found.update({(kind, key): pid for key, pid in rows})
    return found
