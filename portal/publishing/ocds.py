"""Planned work → OCDS releases (pure: no database, no Flask). See docs/design.md, "Publishing planned work".

A published entry is a Procurement Act pipeline notice, shaped as Find a Tender publishes UK1 notices (a planning
document of type `plannedProcurementNotice` with `noticeType` UK1), so the portal's own parser files it at stage
`pipeline` like any register's pipeline notice. The first release is tagged `planning`, each later one
`planningUpdate`; a withdrawal is tagged `tenderCancellation` too, with `tender.status` `withdrawn` and no UK1
document, so the procurement leaves the forward stages (docs/design.md, "From a notice to a stage"). The value is
`planning.budget.amount` (the top of a range), and `tender.value`/`tender.minValue` as Contracts Finder states a
range. Welsh text goes in a Welsh copy of the release with the same id, as Sell2Wales' Welsh copies are paired.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime

PIPELINE_NOTICE = "UK1"  # Procurement Act 2023 pipeline notice (docs/registers.md, "Find a Tender: notice types")
# OCDS procurementMethod of each route (portal.publishing.fields.ROUTES; the method codelist: open, selective,
# limited, direct).
ROUTE_METHODS = {
    "open": "open",
    "competitive-flexible": "selective",
    "direct-award": "direct",
    "framework-call-off": "limited",
}
_ORG_ID = re.compile(r"([A-Z]{2}-[A-Za-z0-9]+)-(.+)")  # GB-PPON-PJJX-1133-JRGV → GB-PPON, PJJX-1133-JRGV


@dataclass(frozen=True)
class Publisher:
    """The organisation a release is published for."""

    identifier: str  # as the registers write it: GB-PPON-…, GB-COH-…
    name: str


def release_id(ocid: str, revision: int) -> str:
    """Return the id of an entry's nth release (1 = the first publication)."""
    return f"{ocid}-{revision:03d}"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def start_of(value: str | None) -> str | None:
    """Return YYYY-MM or YYYY-MM-DD as the first moment of that month or day (an OCDS date-time meaning a day)."""
    if not value:
        return None
    return (value if len(value) == 10 else value + "-01") + "T00:00:00Z"


def end_of(value: str | None) -> str | None:
    """Return YYYY-MM or YYYY-MM-DD as the last second of that month or day."""
    if not value:
        return None
    if len(value) == 7:
        year, month = int(value[:4]), int(value[5:])
        value = f"{value}-{calendar.monthrange(year, month)[1]:02d}"
    return value + "T23:59:59Z"


def party(publisher: Publisher, contact_name: str | None, contact_email: str | None) -> dict:
    """Return the buyer's party: the identifier split into scheme and id as the registers publish it."""
    match = _ORG_ID.fullmatch(publisher.identifier)
    scheme, local = (match.group(1), match.group(2)) if match else ("XI-UNKNOWN", publisher.identifier)
    found = {
        "id": publisher.identifier,
        "name": publisher.name,
        "identifier": {"scheme": scheme, "id": local, "legalName": publisher.name},
        "roles": ["buyer"],
    }
    contact = {key: value for key, value in (("name", contact_name), ("email", contact_email)) if value}
    if contact:
        found["contactPoint"] = contact
    return found


def _items(entry, labels: dict[str, str]) -> list[dict]:
    regions = [{"region": code} for code in entry.regions or []]
    items = []
    for n, code in enumerate(entry.cpv_codes or [], 1):
        classification = {"scheme": "CPV", "id": code}
        if labels.get(code):
            classification["description"] = labels[code]
        item = {"id": str(n), "classification": classification}
        if regions:
            item["deliveryAddresses"] = regions
        items.append(item)
    return items


def _values(entry) -> tuple[dict | None, dict]:
    """Return (planning.budget, the tender's value fields) for an amount or a low–high range."""
    low, high = entry.value_low, entry.value_high
    if low is None and high is None:
        return None, {}
    if low is not None and high is not None and low != high:
        budget = {"amount": {"amount": high, "currency": "GBP"}, "description": "Estimated value range, net of VAT"}
        return budget, {"minValue": {"amount": low, "currency": "GBP"}, "value": {"amount": high, "currency": "GBP"}}
    amount = high if high is not None else low
    budget = {"amount": {"amount": amount, "currency": "GBP"}, "description": "Estimated value, net of VAT"}
    return budget, {"value": {"amount": amount, "currency": "GBP"}}


def _texts(entry, welsh: bool) -> tuple[str | None, str | None]:
    if welsh:
        return entry.title_cy, entry.description_cy
    return entry.title_en or entry.title_cy, entry.description_en or (None if entry.title_en else entry.description_cy)


def build_release(
    entry,
    publisher: Publisher,
    revision: int,
    now: datetime,
    notice_url: str,
    labels: dict[str, str] | None = None,
    withdrawn: bool = False,
    welsh: bool = False,
    route_name: str | None = None,
) -> dict:
    """Return the OCDS release of an entry's nth publication (the Welsh copy when `welsh`).

    `entry` has PlannedWork's attributes; `labels` gives CPV codes' descriptions; `notice_url` is its public page;
    `route_name` the route's name in English.
    """
    only_welsh = not entry.title_en
    title, description = _texts(entry, welsh)
    language = "cy" if welsh or only_welsh else "en"
    document = {
        "id": release_id(entry.ocid, revision),
        "documentType": "plannedProcurementNotice",
        "title": title,
        "url": notice_url,
        "datePublished": _iso(now),
        "format": "text/html",
        "language": language,
    }
    if not withdrawn:
        document["noticeType"] = PIPELINE_NOTICE
    budget, values = _values(entry)
    planning = {"documents": [document]}
    if budget:
        planning["budget"] = budget
    tender = {
        "id": entry.ocid,
        "title": title,
        "status": "withdrawn" if withdrawn else "planned",
        "items": _items(entry, labels or {}),
        **values,
    }
    if description:
        tender["description"] = description
    if entry.route:
        tender["procurementMethod"] = ROUTE_METHODS[entry.route]
        tender["procurementMethodDetails"] = route_name or entry.route
    period = {
        k: v for k, v in (("startDate", start_of(entry.contract_start)), ("endDate", end_of(entry.contract_end))) if v
    }
    if period:
        tender["contractPeriod"] = period
    if entry.to_market:
        tender["communication"] = {"futureNoticeDate": start_of(entry.to_market)}
    suitability = {k: v for k, v in (("sme", entry.sme_suitable), ("vcse", entry.vcse_suitable)) if v is not None}
    if suitability:
        tender["suitability"] = suitability
    if entry.lots:
        tender["lots"] = [{"id": str(n), "title": lot, "status": "planned"} for n, lot in enumerate(entry.lots, 1)]
    tags = ["planning"] if revision == 1 else ["planningUpdate"]
    if withdrawn:
        tags.append("tenderCancellation")
        if entry.withdrawn_reason:
            tender["statusDetails"] = entry.withdrawn_reason
    buyer = party(publisher, entry.contact_name, entry.contact_email)
    return {
        "ocid": entry.ocid,
        "id": release_id(entry.ocid, revision),
        "date": _iso(now),
        "tag": tags,
        "initiationType": "tender",
        "language": language,
        "planning": planning,
        "parties": [buyer],
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
        "tender": tender,
    }


def build_releases(entry, publisher: Publisher, revision: int, now: datetime, notice_url: str, **options):
    """Return (release, Welsh copies): the Welsh copy only when the entry has Welsh and English text."""
    release = build_release(entry, publisher, revision, now, notice_url, **options)
    if entry.title_en and entry.title_cy:
        return release, [build_release(entry, publisher, revision, now, notice_url, welsh=True, **options)]
    return release, []
