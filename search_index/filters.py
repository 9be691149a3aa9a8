"""Search filters as data (never concatenated into the query text), compiled to Whoosh queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from whoosh import query as wq

from search_index.schema import clamp, normalise_cpv, region_prefixes, to_minutes, to_pence, to_seconds


@dataclass(frozen=True)
class Filters:
    stages: tuple[str, ...] = ()
    cpv: tuple[str, ...] = ()  # any level: "72" finds 72xxxxxx, "72210000" or "7221" finds 7221xxxx
    regions: tuple[str, ...] = ()  # any level: "UKL" finds UKL22
    value_min: float | None = None  # pounds, net value
    value_max: float | None = None
    include_no_value: bool = False  # with a value range: keep notices that publish no value
    deadline_from: datetime | None = None
    deadline_to: datetime | None = None
    expected_from: datetime | None = None
    expected_to: datetime | None = None
    buyer_ids: tuple[str, ...] = ()
    sme: bool | None = None
    vcse: bool | None = None
    in_wales: bool | None = None
    sources: tuple[str, ...] = ()
    notice_types: tuple[str, ...] = ()
    # The procurement's `updated` time (its latest release's date), to the second: changed_since <= updated
    # < changed_until, so consecutive windows neither overlap nor leave a gap. Without one it never matches.
    changed_since: datetime | None = None
    changed_until: datetime | None = None
    lens: str | None = None  # a named view (search_index.lenses): its codes or its words


def _one_of(field: str, values: list[str]) -> wq.Query | None:
    values = [v for v in dict.fromkeys(values) if v]
    if not values:
        return None
    return wq.Term(field, values[0]) if len(values) == 1 else wq.Or([wq.Term(field, v) for v in values])


def _range(field: str, low: int | None, high: int | None) -> wq.Query | None:
    if low is None and high is None:
        return None
    return wq.NumericRange(field, clamp(field, low), clamp(field, high))


def _before(seconds: int | None) -> int | None:
    return None if seconds is None else seconds - 1  # NumericRange's ends are inclusive


def filter_query(filters: Filters | None) -> wq.Query | None:
    """Return the Whoosh query of some filters, or None when nothing is filtered."""
    if filters is None:
        return None
    parts = [
        _one_of("stage", list(filters.stages)),
        _one_of("cpv", [normalise_cpv(code) for code in filters.cpv]),
        _one_of("region", [region_prefixes(code)[-1] for code in filters.regions if region_prefixes(code)]),
        _one_of("buyer_id", [str(b) for b in filters.buyer_ids]),
        _one_of("sources", list(filters.sources)),
        _one_of("notice_types", list(filters.notice_types)),
        _range("deadline", to_minutes(filters.deadline_from), to_minutes(filters.deadline_to)),
        _range("expected", to_minutes(filters.expected_from), to_minutes(filters.expected_to)),
        _range("updated", to_seconds(filters.changed_since), _before(to_seconds(filters.changed_until))),
    ]
    value = _range("value", to_pence(filters.value_min), to_pence(filters.value_max))
    if value is not None and filters.include_no_value:
        value = wq.Or([value, wq.Term("has_value", False)])
    parts.append(value)
    for flag in ("sme", "vcse", "in_wales"):
        if getattr(filters, flag) is not None:
            parts.append(wq.Term(flag, getattr(filters, flag)))
    if filters.lens:
        from search_index.lenses import lens_query  # the lens compiles words: query_plan, which needs no filters

        parts.append(lens_query(filters.lens))
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)
