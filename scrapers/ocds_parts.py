"""The parts of a release that repeat: tender lots, awards and contracts, each with its own value and dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from scrapers.ocds_dates import contract_dates, parse_when, period_dates, span
from scrapers.ocds_fields import flag, obj, objs, strings, text
from scrapers.ocds_values import read_value
from scrapers.records import Award, Lot, ReleaseRecord


def identifier(value: object) -> str | None:
    """Return an id given as a string or a whole number, None for anything else or empty."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


def part_id(value: object, position: int) -> str:
    """Return a part's id as a string; a part without one is known by its position (1-based)."""
    return identifier(value) or str(position)


def parse_lot(lot: dict, position: int) -> Lot:
    """Return one tender lot as a Lot; its value is an estimate, in the lot's own currency."""
    net, gross, currency = read_value(lot)
    start, end, extent = contract_dates(lot, [], {})
    suitable = obj(lot.get("suitability"))
    return Lot(
        id=part_id(lot.get("id"), position),
        title=text(lot.get("title")),
        description=text(lot.get("description")),
        value_amount=net,
        value_gross=gross,
        currency=currency,
        sme=flag(suitable.get("sme")),
        vcse=flag(suitable.get("vcse")),
        contract_start=start,
        contract_end=end,
        contract_max_extent=extent,
    )


def parse_award(award: dict, position: int, parties: dict[str, dict]) -> Award:
    """Return one award with its suppliers' SME/VCSE flags from their parties[] entries."""
    suppliers = []
    for supplier in objs(award.get("suppliers")):
        supplier_id = text(supplier.get("id"))
        details = obj(parties.get(supplier_id, {}).get("details")) if supplier_id else {}
        scale = text(details.get("scale"))
        suppliers.append(
            {
                "name": text(supplier.get("name")) or text(parties.get(supplier_id or "", {}).get("name")),
                "id": supplier_id,
                "sme": None if scale is None else scale.casefold() == "sme",
                "vcse": flag(details.get("vcse")),
            }
        )
    net, gross, currency = read_value(award)
    start, end, extent = period_dates(award.get("contractPeriod"))
    return Award(
        id=part_id(award.get("id"), position),
        date=parse_when(award.get("date")),
        value_amount=net,
        value_gross=gross,
        currency=currency,
        suppliers=suppliers,
        related_lots=strings(award.get("relatedLots")),
        contract_start=start,
        contract_end=end,
        contract_max_extent=extent,
    )


def parse_contract(contract: dict, position: int) -> Award:
    """Return one `contracts[]` entry as an Award: its value, the award it signs and when it was signed."""
    net, gross, currency = read_value(contract)
    start, end, extent = period_dates(contract.get("period"))
    return Award(
        id=part_id(contract.get("id"), position),
        date=parse_when(contract.get("dateSigned")),
        value_amount=net,
        value_gross=gross,
        currency=currency,
        award_id=identifier(contract.get("awardID")),
        related_lots=strings(contract.get("relatedLots")),
        contract_start=start,
        contract_end=end,
        contract_max_extent=extent,
    )


def merged_parts(ordered: list[ReleaseRecord], name: str) -> list[Award]:
    """Merge the awards (or contracts) of all releases by id: the latest copy wins, what it leaves out is kept.

    Notices restate awards (UK6 then UK7, CF awardUpdate) and the restatement can be bare: a UK7 lists its
    awards without their values, a UK12 cancellation stub its contracts without theirs.
    """
    merged: dict[str, Award] = {}
    for record in ordered:
        for part in getattr(record, name):
            earlier = merged.get(part.id)
            if earlier is not None:
                part = _restated(earlier, part)
            merged[part.id] = part
    return list(merged.values())


def _restated(earlier: Award, later: Award) -> Award:
    """Return the later copy of an award or contract, with what it leaves out taken from the earlier one."""
    if later.value_amount is None and later.value_gross is None:
        later = replace(
            later, value_amount=earlier.value_amount, value_gross=earlier.value_gross, currency=earlier.currency
        )
    return replace(
        later,
        date=later.date or earlier.date,
        suppliers=later.suppliers or earlier.suppliers,
        related_lots=later.related_lots or earlier.related_lots,
        award_id=later.award_id or earlier.award_id,
    )


def contract_period(
    ordered: list[ReleaseRecord], awards: list[Award], contracts: list[Award]
) -> tuple[datetime | None, datetime | None, datetime | None]:
    """Return a procurement's contract (start, end, max extent): the awarded work's once known, else the plan.

    The signed contracts of all its notices spanned (FTS may publish one UK7 per contract), else its awards'
    contract periods, else the latest release that planned one (tender or lots). The renewals forecast
    reads the end, so the awarded dates must win over the tender's estimate whatever order notices came in.
    """
    for parts in (contracts, awards):
        dates = span([(p.contract_start, p.contract_end, p.contract_max_extent) for p in parts])
        if any(dates):
            return dates
    for record in reversed(ordered):
        dates = (record.contract_start, record.contract_end, record.contract_max_extent)
        if any(dates):
            return dates
    return None, None, None
