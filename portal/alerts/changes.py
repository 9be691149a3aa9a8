"""The material facts of a procurement, and what changed between two sets of them (pure).

A follower is told when one of these changes, old and new (docs/design.md, "Email alerts: sending"): the
deadline, the value, the lots, the documents, an award, a cancellation or withdrawal. Anything else a
re-publication carries (a corrected typo, the same notice on a second register) is not material: no email.

Facts are JSON (Follow.baseline keeps the last told ones). Documents are read from a release's own JSON
(`documents_of`) because the procurement row does not keep them; facts made without them (`baseline_of` at a
follow's confirmation) leave documents out, and a comparison only reports a fact both sides know.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from scrapers.ocds import notice_documents

# The kinds of change, in the order an email lists them.
KINDS = ("deadline", "value", "lots", "documents", "awarded", "cancelled")
ENDED_STAGES = ("cancelled",)  # withdrawn notices are compiled to "cancelled" (scrapers.ocds)


@dataclass(frozen=True)
class Change:
    """One material change: its kind and the old and new facts (JSON values, None when absent)."""

    kind: str
    old: object
    new: object

    def as_json(self) -> list:
        return [self.kind, self.old, self.new]

    @classmethod
    def from_json(cls, data: list) -> Change:
        kind, old, new = data
        return cls(kind, old, new)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def documents_of(release: dict | None) -> list[str] | None:
    """The documents a release attaches (tender papers, clarifications), by address or id, sorted; the notice's
    own document (it has a noticeType) is the notice, not an attachment. None when there is no release."""
    if release is None:
        return None
    found = set()
    for _section, document in notice_documents(release):
        if document.get("noticeType"):
            continue
        key = document.get("url") or document.get("id")
        if isinstance(key, str | int) and str(key).strip():
            found.add(str(key).strip())
    return sorted(found)


def baseline_of(procurement, release: dict | None = None) -> dict:
    """The material facts of a procurement now, as JSON: what a follow starts from at its confirmation."""
    lots = sorted(
        [str(lot.get("id") or ""), lot.get("title") or "", lot.get("value_amount")] for lot in procurement.lots or []
    )
    suppliers = sorted(
        {
            str(supplier.get("name") or "")
            for award in procurement.awards or []
            for supplier in award.get("suppliers") or []
            if supplier.get("name")
        }
    )
    facts = {
        "stage": procurement.stage,
        "deadline": _iso(procurement.deadline),
        "deadline_is_date": bool(procurement.deadline_is_date),
        "value": [procurement.value_amount, procurement.currency] if procurement.value_amount is not None else None,
        "lots": lots,
        "suppliers": suppliers,
    }
    documents = documents_of(release)
    if documents is not None:
        facts["documents"] = documents
    return facts


def differences(old: dict, new: dict) -> list[Change]:
    """What changed materially from `old` facts to `new` ones, in KINDS order; [] when nothing did."""
    if not old:
        return []
    changes = []
    if old.get("deadline") != new.get("deadline"):
        changes.append(Change("deadline", old.get("deadline"), new.get("deadline")))
    if old.get("value") != new.get("value"):
        changes.append(Change("value", old.get("value"), new.get("value")))
    if old.get("lots") != new.get("lots"):
        changes.append(Change("lots", len(old.get("lots") or []), len(new.get("lots") or [])))
    if "documents" in old and "documents" in new and old["documents"] != new["documents"]:
        changes.append(Change("documents", len(old["documents"]), len(new["documents"])))
    awarded_now = new.get("stage") == "awarded" and old.get("stage") != "awarded"
    if awarded_now or (new.get("suppliers") and old.get("suppliers") != new.get("suppliers")):
        changes.append(Change("awarded", old.get("suppliers") or [], new.get("suppliers") or []))
    if new.get("stage") in ENDED_STAGES and old.get("stage") not in ENDED_STAGES:
        changes.append(Change("cancelled", old.get("stage"), new.get("stage")))
    return changes


def updated_baseline(old: dict, new: dict) -> dict:
    """The baseline to keep after telling `new`: documents stay known once seen, even when `new` lacks them."""
    if "documents" not in new and "documents" in old:
        return {**new, "documents": old["documents"]}
    return new
