"""Compile the releases of one procurement into its current state (one row of the portal's table).

Releases arrive in any order and may be sparse: an FTS `tenderCancellation` (UK12) is a stub
with contradictory `tender.status` (docs/registers.md, "Find a Tender: quirks"), so each field
takes the latest value that
some release actually published instead of the latest release wholesale.
"""

from __future__ import annotations

from datetime import datetime

from scrapers.ocds_dates import DateOnly, plain
from scrapers.ocds_parts import contract_period, merged_parts
from scrapers.ocds_values import procurement_value
from scrapers.records import Award, Lot, ReleaseRecord
from scrapers.registry import SOURCES
from scrapers.vocabulary import RELEASE_STAGES

# Stages in the order a procurement moves through them; "open"/"closed" are the clocked forms of "tender".
_RANK = {stage: rank for rank, stage in enumerate(RELEASE_STAGES)}

# Notices that only exist after a contract was awarded: performance, change, termination
# (docs/registers.md, "Find a Tender: notice types").
POST_AWARD_NOTICE_TYPES = {"UK9", "UK10", "UK11"}
FTS_OCID_PREFIX = SOURCES["fts"].ocid_prefix + "-"

# Dates a register may give as a day rather than a moment; each gets a `<name>_is_date` flag.
DATE_FIELDS = (
    "deadline",
    "expected_tender_date",
    "engagement_deadline",
    "contract_start",
    "contract_end",
    "contract_max_extent",
)

# The compiled procurement's keys, in the order of the portal's table columns.
COLUMNS = (
    "ocid",
    "stage",
    "sources",
    "notice_types",
    "latest_notice_type",
    "title",
    "description",
    "title_cy",
    "description_cy",
    "buyer_scheme",
    "buyer_identifier",
    "buyer_name",
    "buyer_devolved",
    "value_amount",
    "value_gross",
    "currency",
    "value_kind",
    "value_min",
    "value_max",
    "main_cpv",
    "cpv",
    "regions",
    "published_at",
    "updated_at",
    "deadline",
    "expected_tender_date",
    "engagement_deadline",
    "contract_start",
    "contract_end",
    "contract_max_extent",
    *(f"{name}_is_date" for name in DATE_FIELDS),
    "sme",
    "vcse",
    "above_threshold",
    "procurement_method",
    "procurement_method_details",
    "main_category",
    "in_wales",
    "links",
    "related_ids",
    "lots",
    "awards",
)


# Fields where the latest release that published a value wins.
SCALAR_FIELDS = (
    "title",
    "description",
    "title_cy",
    "description_cy",
    "buyer_devolved",
    "value_min",
    "value_max",
    "main_cpv",
    "deadline",
    "expected_tender_date",
    "engagement_deadline",
    "sme",
    "vcse",
    "above_threshold",
    "procurement_method",
    "procurement_method_details",
    "main_category",
)


def stage_now(stage: str, deadline: datetime | None, now: datetime) -> str:
    """Return the stage as of `now`: a tender is open until its deadline passes, then closed."""
    if stage not in ("tender", "open", "closed"):
        return stage
    # A closed tender whose deadline was extended (a later tenderUpdate) opens again.
    return "open" if deadline is None or deadline > now else "closed"


def release_stage(records: list[ReleaseRecord]) -> str:
    """Return the most advanced release stage; with no hint at all, awarded after post-award notices else planned."""
    stages = [r.stage for r in records if r.stage in _RANK]
    if stages:
        return max(stages, key=_RANK.__getitem__)
    # Only UK9/UK10/UK11-style notices (or unknown ones): an award notice can only be missing from our window.
    if any(r.awards or r.notice_type in POST_AWARD_NOTICE_TYPES for r in records):
        return "awarded"
    return "planned"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def dates_with_flags(values: dict, names: tuple[str, ...]) -> dict:
    """Return each date of `names` as a plain aware datetime beside a `<name>_is_date` flag (see ocds_dates)."""
    found = {}
    for name in names:
        found[name] = plain(values[name])
        found[f"{name}_is_date"] = isinstance(values[name], DateOnly)
    return found


LOT_DATES = ("contract_start", "contract_end", "contract_max_extent")


def lot_dict(lot: Lot) -> dict:
    """Return a lot as a JSON-serialisable dict."""
    return {
        "id": lot.id,
        "title": lot.title,
        "description": lot.description,
        "value_amount": lot.value_amount,
        "value_gross": lot.value_gross,
        "currency": lot.currency,
        "sme": lot.sme,
        "vcse": lot.vcse,
        "contract_start": _iso(lot.contract_start),
        "contract_end": _iso(lot.contract_end),
        "contract_max_extent": _iso(lot.contract_max_extent),
        **{f"{name}_is_date": isinstance(getattr(lot, name), DateOnly) for name in LOT_DATES},
    }


def award_dict(award: Award) -> dict:
    """Return an award as a JSON-serialisable dict."""
    return {
        "id": award.id,
        "date": _iso(award.date),
        "date_is_date": isinstance(award.date, DateOnly),
        "value_amount": award.value_amount,
        "value_gross": award.value_gross,
        "currency": award.currency,
        "suppliers": [dict(supplier) for supplier in award.suppliers],
    }


def _notice_id(record: ReleaseRecord, url: str) -> str:
    # The register's own notice reference: FTS /Notice/<id>, CF /Notice/<guid>, S2W ...?ID=FEB497921.
    if "ID=" in url:
        return url.rsplit("ID=", 1)[1]
    if "/Notice/" in url:
        return url.rstrip("/").rsplit("/", 1)[1]
    return record.release_id


def _links(ordered: list[ReleaseRecord]) -> list[dict]:
    links: dict[str, dict] = {}
    for record in ordered:
        url = record.notice_url
        if url and url not in links:
            links[url] = {
                "source": record.source,
                "notice_id": _notice_id(record, url),
                "url": url,
                "notice_type": record.notice_type or "legacy",
                "date": _iso(record.published or record.date),
            }
    return list(links.values())


def _latest(ordered: list[ReleaseRecord], name: str) -> object:
    for record in reversed(ordered):
        value = getattr(record, name)
        if value is not None:
            return value
    return None


def _latest_list(ordered: list[ReleaseRecord], name: str) -> list:
    return next((list(getattr(r, name)) for r in reversed(ordered) if getattr(r, name)), [])


def in_wales(regions: list[str], buyer_devolved: str | None, sources: list[str]) -> bool:
    """Return True for a Welsh procurement: Welsh NUTS/ITL region, devolved Welsh buyer or a Sell2Wales notice."""
    return (
        any(region.upper().startswith(("UKL", "TLL")) for region in regions)
        or buyer_devolved == "GB-WLS"
        or "s2w" in sources
    )


def compile_records(records: list[ReleaseRecord], now: datetime) -> dict:
    """Compile all the releases of one procurement into its current state as a dict of table columns."""
    if not records:
        raise ValueError("cannot compile a procurement from no releases")
    ordered = sorted(records, key=lambda r: (r.date, r.release_id))
    fts = [r.ocid for r in ordered if r.ocid.startswith(FTS_OCID_PREFIX)]
    sources = sorted({r.source for r in ordered})
    result: dict = {name: _latest(ordered, name) for name in SCALAR_FIELDS}
    # The buyer's key fields must come from one release, never mixed from two publishers' ids.
    buyer = next((r for r in reversed(ordered) if r.buyer_identifier or r.buyer_name), ordered[-1])
    regions = _latest_list(ordered, "regions")
    notice_types = [r.notice_type or "legacy" for r in ordered]
    related = dict.fromkeys(i for r in ordered for i in r.related_ids)
    all_regions = {region for r in ordered for region in r.regions}
    awards, contracts = merged_parts(ordered, "awards"), merged_parts(ordered, "contracts")
    result.update(procurement_value(ordered, awards, contracts))
    result["contract_start"], result["contract_end"], result["contract_max_extent"] = contract_period(
        ordered, awards, contracts
    )
    result.update(
        ocid=fts[0] if fts else ordered[0].ocid,
        stage=stage_now(release_stage(ordered), result["deadline"], now),
        sources=sources,
        notice_types=notice_types,
        latest_notice_type=notice_types[-1],
        buyer_scheme=buyer.buyer_scheme,
        buyer_identifier=buyer.buyer_identifier,
        buyer_name=buyer.buyer_name,
        cpv=[{"code": code, "label": label} for code, label in _latest_list(ordered, "cpv")],
        regions=regions,
        published_at=min(r.published or r.date for r in ordered),
        updated_at=ordered[-1].date,
        in_wales=in_wales(sorted(all_regions), result["buyer_devolved"], sources),
        links=_links(ordered),
        related_ids=list(related),
        lots=[lot_dict(lot) for lot in _latest_list(ordered, "lots")],
        awards=[award_dict(award) for award in awards],
    )
    result.update(dates_with_flags(result, DATE_FIELDS))
    return {column: result[column] for column in COLUMNS}
