"""Money in OCDS releases: reading a value, and choosing the one value a procurement is filtered and sorted by.

A release can state a value in four places, and each means something else (docs/registers.md,
"Find a Tender: field paths"):

- `tender.value` and `tender.lots[].value`: what the buyer expects to spend (`estimated`);
- `awards[].value`: what was awarded to a supplier (`awarded`), UK5/UK6 notices' value;
- `contracts[].value`: what the signed contract is worth (`contract`), the only value of UK7 contract
  details notices and of legacy award notices.
"""

from __future__ import annotations

from dataclasses import dataclass

from scrapers.ocds_fields import number, obj, text
from scrapers.records import Award, ReleaseRecord

VALUE_KINDS = ("estimated", "awarded", "contract")


@dataclass(frozen=True)
class Money:
    """One stated value: net and gross amounts (either may be missing), currency, kind and the lots it covers."""

    amount: float | None
    gross: float | None
    currency: str | None
    kind: str = "estimated"  # one of VALUE_KINDS
    lots: frozenset[str] = frozenset()


def amount(value: object) -> float | None:
    """Return a stated amount: a finite positive number; 0 is how registers leave a value blank, so it is None."""
    result = number(value)
    return result if result is not None and result > 0 else None


def read_value(node: dict) -> tuple[float | None, float | None, str | None]:
    """Return (net, gross, currency) of `node["value"]`; zero amounts are not values."""
    value = obj(node.get("value"))
    return amount(value.get("amount")), amount(value.get("amountGross")), text(value.get("currency"))


def _stated(part: Money | Award) -> bool:
    if isinstance(part, Award):
        return part.value_amount is not None or part.value_gross is not None
    return part.amount is not None or part.gross is not None


def _size(part: Money) -> float:
    return part.gross if part.gross is not None else part.amount or 0.0


def _framework_ceilings(parts: list[Money]) -> list[Money]:
    """Keep the largest value of each group of overlapping lots: a framework's awards restate its ceiling.

    Each supplier on a framework agreement is awarded the same agreement, and registers give each award the
    agreement's (or lot's) whole value (seen: 62 awards of one care framework, each "5,000,000"), so summing
    them counts the same money once per supplier. Awards of disjoint lots are different money and are summed.
    """
    groups: list[tuple[set[str], list[Money]]] = []
    for part in parts:
        lots = set(part.lots) or {""}  # awards naming no lot all cover the whole agreement
        touching = [group for group in groups if group[0] & lots]
        merged = (lots.union(*(g[0] for g in touching)), [part] + [p for g in touching for p in g[1]])
        groups = [group for group in groups if not any(group is t for t in touching)] + [merged]
    return [max(members, key=_size) for _, members in groups]


def total(parts: list[Money], framework: bool = False) -> Money | None:
    """Return the sum of values in one currency, or None when nothing is stated.

    Amounts in different currencies are never added: pounds are summed when any part is in pounds, else the
    currency most parts use, and the result keeps that currency. A net (or gross) sum is given only when every
    summed part states it, so a sum never silently leaves a part out.
    """
    parts = [part for part in parts if _stated(part)]
    if not parts:
        return None
    by_currency: dict[str | None, list[Money]] = {}
    for part in parts:
        by_currency.setdefault(part.currency, []).append(part)
    currency = "GBP" if "GBP" in by_currency else max(by_currency, key=lambda c: len(by_currency[c]))
    chosen = _framework_ceilings(by_currency[currency]) if framework else by_currency[currency]
    net = sum(p.amount for p in chosen) if all(p.amount is not None for p in chosen) else None
    gross = sum(p.gross for p in chosen) if all(p.gross is not None for p in chosen) else None
    if net is None and gross is None:
        return None
    kinds = {part.kind for part in chosen}
    kind = kinds.pop() if len(kinds) == 1 else "awarded"  # awards and contracts together: awarded work
    return Money(net, gross, currency, kind)


def awarded_value(awards: list[Award], contracts: list[Award], framework: bool = False) -> Money | None:
    """Return what the awarded work is worth: each award's signed contracts where stated, else the award.

    A UK7 notice restates its awards without values and puts the value on `contracts[]` (`awardID` says
    which award each contract signs), so a contract's value stands for its award's, never beside it.
    """
    lots_of = {award.id: award.related_lots for award in awards}
    valued = [contract for contract in contracts if _stated(contract)]
    signed = {contract.award_id or contract.id for contract in valued}
    parts = [
        Money(
            c.value_amount,
            c.value_gross,
            c.currency,
            "contract",
            frozenset(c.related_lots or lots_of.get(c.award_id or c.id, [])),
        )
        for c in valued
    ]
    parts += [
        Money(a.value_amount, a.value_gross, a.currency, "awarded", frozenset(a.related_lots))
        for a in awards
        if a.id not in signed and _stated(a)
    ]
    return total(parts, framework)


def _estimate(ordered: list[ReleaseRecord]) -> Money | None:
    """Return the latest estimate some release stated: its tender value, else its lots' values summed."""
    for record in reversed(ordered):
        if record.value_amount is not None or record.value_gross is not None:
            return Money(record.value_amount, record.value_gross, record.currency)
        lots = total([Money(lot.value_amount, lot.value_gross, lot.currency or record.currency) for lot in record.lots])
        if lots is not None:
            return lots
    return None


def procurement_value(ordered: list[ReleaseRecord], awards: list[Award], contracts: list[Award]) -> dict:
    """Return the value to filter and sort by: what was awarded or contracted when known, else the estimate."""
    framework = any(record.framework for record in ordered)
    value = awarded_value(awards, contracts, framework) or _estimate(ordered)
    if value is None:
        return {"value_amount": None, "value_gross": None, "currency": None, "value_kind": None}
    return {
        "value_amount": value.amount,
        "value_gross": value.gross,
        "currency": value.currency,
        "value_kind": value.kind,
    }
