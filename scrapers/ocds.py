"""Pure OCDS release → ReleaseRecord: notice type, release stage and the portal's fields.

No I/O and no state: each collector hands over releases exactly as the register returned them.
Field paths and quirks are in docs/registers.md, "Contracts Finder: field paths", "Contracts Finder: quirks",
"Find a Tender: field paths", "Find a Tender: quirks", "Sell2Wales API: release shape" and
"Sell2Wales API: Welsh text".
"""

from __future__ import annotations

import re
from datetime import datetime

from scrapers.ocds_dates import contract_dates, parse_when
from scrapers.ocds_fields import (
    buyer_fields,
    cpv_codes,
    delivery_regions,
    flag,
    number,
    obj,
    objs,
    parse_datetime,
    strings,
    suitability,
    text,
)
from scrapers.ocds_parts import parse_award, parse_contract, parse_lot
from scrapers.ocds_values import read_value
from scrapers.records import ReleaseRecord
from scrapers.registry import RELEASE_SOURCES
from scrapers.vocabulary import RELEASE_STAGES

# FTS Procurement Act notice types (docs/registers.md, "Find a Tender: notice types").
# None = the notice does not move the stage:
# UK9 performance, UK10 change, UK11 termination, UK14/UK16 dynamic market, UK17 payments.
NOTICE_TYPE_STAGES: dict[str, str | None] = {
    "UK1": "pipeline",
    "UK2": "engagement",
    "UK3": "planned",
    "UK4": "tender",
    "UK13": "tender",
    "UK5": "awarded",
    "UK6": "awarded",
    "UK7": "awarded",
    "UK15": "awarded",
    "UK12": "cancelled",
}

# Legacy FTS, CF and Sell2Wales notices carry no noticeType; their notice document's type says it.
DOCUMENT_TYPE_STAGES = {
    "marketEngagementNotice": "engagement",
    "plannedProcurementNotice": "planned",
    "tenderNotice": "tender",
    # Sell2Wales/PCS contract notice = call for tenders (docs/registers.md, "Sell2Wales API: release shape")
    "contractNotice": "tender",
    "awardNotice": "awarded",
    "contractAwardNotice": "awarded",
    "tenderCancellationNotice": "cancelled",
}

TAG_STAGES = {
    "planning": "planned",
    "planningUpdate": "planned",
    "tender": "tender",
    "tenderAmendment": "tender",
    "tenderUpdate": "tender",
    "award": "awarded",
    "awardUpdate": "awarded",
    "contract": "awarded",
    "contractUpdate": "awarded",
    "contractAmendment": "awarded",
    "implementation": "awarded",
    "implementationUpdate": "awarded",
    "contractTermination": "awarded",
}
CANCELLATION_TAGS = {"tenderCancellation", "awardCancellation"}
_RANK = {stage: rank for rank, stage in enumerate(RELEASE_STAGES)}
_FTS_NOTICE_ID = re.compile(r"\d{6}-\d{4}")
FTS_NOTICE_URL = "https://www.find-tender.service.gov.uk/Notice/"


def notice_documents(release: dict) -> list[tuple[str, dict]]:
    """Return (section, document) for every document in planning, tender, awards[] and contracts[]."""
    found = [("planning", d) for d in objs(obj(release.get("planning")).get("documents"))]
    found += [("tender", d) for d in objs(obj(release.get("tender")).get("documents"))]
    for section in ("awards", "contracts"):
        for part in objs(release.get(section)):
            found += [(section, d) for d in objs(part.get("documents"))]
    return found


def notice_type_of(release: dict, documents: list[tuple[str, dict]] | None = None) -> str | None:
    """Return the FTS notice type (UK1…UK17) of a release, None for legacy, CF and S2W notices."""
    for _, document in notice_documents(release) if documents is None else documents:
        notice_type = text(document.get("noticeType"))
        if notice_type:
            return notice_type
    return None


def _document_stage(section: str, document: dict) -> str | None:
    document_type = document.get("documentType")
    stage = DOCUMENT_TYPE_STAGES.get(document_type) if isinstance(document_type, str) else None
    # A notice document inside awards[]/contracts[] belongs to an award release, whatever its type:
    # CF award releases also list the buyer's original "tenderNotice" link there
    # (docs/registers.md, "Contracts Finder: notice kinds").
    if stage is not None and section in ("awards", "contracts") and stage != "cancelled":
        return "awarded"
    return stage


def _latest(stages: list[str | None]) -> str | None:
    return max((s for s in stages if s), key=_RANK.__getitem__, default=None)


def stage_of_release(release: dict, documents: list[tuple[str, dict]] | None = None) -> str | None:
    """Return the release-level stage hint (one of RELEASE_STAGES) or None when it does not move the stage."""
    documents = notice_documents(release) if documents is None else documents
    notice_type = notice_type_of(release, documents)
    if notice_type:
        return NOTICE_TYPE_STAGES.get(notice_type)
    tags = strings(release.get("tag"))
    # Only a cancellation-tagged release is a cancellation: FTS stubs and CF awards carry contradictory
    # tender.status values (docs/registers.md, "Contracts Finder: quirks" and "Find a Tender: quirks").
    if CANCELLATION_TAGS.intersection(tags):
        return "cancelled"
    by_document = _latest([_document_stage(section, d) for section, d in documents])
    if by_document:
        return by_document
    by_tag = _latest([TAG_STAGES.get(tag) for tag in tags])
    if by_tag == "planned" and obj(release.get("tender")).get("status") == "planning":
        return "engagement"  # OCDS tenderStatus "planning" = early engagement (docs/registers.md, "OCDS codelists")
    return by_tag


def _notice_document(documents: list[tuple[str, dict]], notice_type: str | None, stage: str | None) -> dict:
    """Pick the document that is the notice itself (its url is the register's notice page)."""
    if notice_type:
        candidates = [d for _, d in documents if text(d.get("noticeType")) == notice_type]
    else:
        candidates = [d for s, d in documents if _document_stage(s, d) == stage]
    # CF lists attachments with the same documentType; the notice itself is the one with datePublished.
    return next((d for d in candidates if d.get("datePublished")), candidates[0] if candidates else {})


def _release_id(release: dict, ocid: str) -> str:
    if release.get("id") is None:
        # Public Contracts Scotland releases have no id: derive one from the notice reference
        # (docs/registers.md, "Public Contracts Scotland").
        documents = objs(obj(release.get("tender")).get("documents"))
        reference = text(documents[0].get("id")) if documents else None
        if reference is None:
            raise ValueError(f"release {ocid} has no id and no tender.documents[0].id to derive one from")
        return f"{ocid}-{reference}"
    release_id = release["id"]
    if not isinstance(release_id, str) or not release_id.strip():
        raise ValueError(f"release {ocid} has an invalid id {release_id!r} (expected a non-empty string)")
    return release_id.strip()


def _identity(release: object) -> tuple[str, str, datetime]:
    if not isinstance(release, dict):
        raise ValueError(f"release is not a JSON object (got {type(release).__name__})")
    ocid = release.get("ocid")
    if not isinstance(ocid, str) or not ocid.strip():
        raise ValueError(f"release has no ocid or an invalid one ({ocid!r}); expected a non-empty string")
    ocid = ocid.strip()
    release_id = _release_id(release, ocid)
    date = parse_datetime(release.get("date"))
    if date is None:
        raise ValueError(f"release {release_id} has an unparseable date {release.get('date')!r}")
    return ocid, release_id, date


def _notice_url(release: dict, source: str, release_id: str, document: dict) -> str | None:
    url = text(document.get("url"))
    if url:
        return url
    if source == "fts" and _FTS_NOTICE_ID.fullmatch(release_id):
        return FTS_NOTICE_URL + release_id  # no notice document (docs/registers.md, "Find a Tender: legacy releases")
    if source == "s2w":
        documents = objs(obj(release.get("tender")).get("documents"))
        return text(documents[0].get("url")) if documents else None
    return None


def parse_release(release: dict, source: str) -> ReleaseRecord:
    """Parse one OCDS release into a ReleaseRecord; raise ValueError if it has no usable ocid, id or date."""
    if source not in RELEASE_SOURCES:
        raise ValueError(f"unknown source {source!r}; expected one of {', '.join(RELEASE_SOURCES)}")
    ocid, release_id, date = _identity(release)
    tender = obj(release.get("tender"))
    lots = objs(tender.get("lots"))
    parties = {p["id"]: p for p in objs(release.get("parties")) if isinstance(p.get("id"), str)}
    documents = notice_documents(release)
    notice_type = notice_type_of(release, documents)
    stage = stage_of_release(release, documents)
    document = _notice_document(documents, notice_type, stage)
    value = obj(tender.get("value"))
    value_amount, value_gross, _ = read_value(tender)
    min_value = obj(tender.get("minValue"))
    max_value = obj(tender.get("maxValue"))
    value_min = number(min_value.get("amount"))
    # CF publishes a value range as minValue (low) + value (high) (docs/registers.md, "Contracts Finder: field paths").
    value_max = number(max_value.get("amount"))
    if value_max is None and value_min is not None:
        value_max = number(value.get("amount"))
    title = text(tender.get("title")) or text(release.get("title"))  # CF early engagement: release-level title
    description = text(tender.get("description"))
    # A release that says it is Welsh also fills *_cy; title stays filled so a Welsh-only notice is never
    # untitled. S2W says "EN" even on Welsh text (docs/registers.md, "Sell2Wales API: Welsh text"):
    # ingest pairs the locale=1106 copy itself.
    welsh = str(release.get("language", "")).casefold() == "cy"
    cpv = cpv_codes(release)
    classification = obj(tender.get("classification"))
    main_cpv = text(classification.get("id")) if str(classification.get("scheme", "")).upper() == "CPV" else None
    engagement = next(
        (m for m in objs(obj(release.get("planning")).get("milestones")) if m.get("type") == "engagement"), {}
    )
    start, end, extent = contract_dates(tender, lots, release)
    tender_period = obj(tender.get("tenderPeriod"))
    related = dict.fromkeys(text(p.get("identifier")) for p in objs(release.get("relatedProcesses")))
    related.pop(None, None)
    return ReleaseRecord(
        source=source,
        release_id=release_id,
        ocid=ocid,
        date=date,
        tags=strings(release.get("tag")),
        notice_type=notice_type,
        stage=stage,
        legal_basis=text(obj(tender.get("legalBasis")).get("scheme")),
        title=title,
        description=description,
        title_cy=title if welsh else None,
        description_cy=description if welsh else None,
        **buyer_fields(release, parties, source),
        value_amount=value_amount,
        value_gross=value_gross,
        currency=text(value.get("currency")) or text(min_value.get("currency")),
        value_min=value_min,
        value_max=value_max,
        main_cpv=main_cpv or (cpv[0][0] if cpv else None),
        cpv=cpv,
        regions=delivery_regions(release, source),
        published=(
            parse_datetime(document.get("datePublished")) or parse_datetime(tender.get("datePublished")) or date
        ),
        # The clarification deadline (enquiryPeriod) is not the tender deadline
        # (docs/registers.md, "Find a Tender: field paths").
        deadline=parse_when(tender_period.get("endDate"), end=True)
        or parse_when(tender.get("expressionOfInterestDeadline"), end=True),
        expected_tender_date=parse_when(obj(tender.get("communication")).get("futureNoticeDate")),
        engagement_deadline=parse_when(engagement.get("dueDate"), end=True),
        contract_start=start,
        contract_end=end,
        contract_max_extent=extent,
        sme=suitability(tender, lots, "sme"),
        vcse=suitability(tender, lots, "vcse"),
        above_threshold=flag(tender.get("aboveThreshold")),
        procurement_method=text(tender.get("procurementMethod")),
        procurement_method_details=text(tender.get("procurementMethodDetails")),
        main_category=text(tender.get("mainProcurementCategory")),
        tender_status=text(tender.get("status")),
        notice_url=_notice_url(release, source, release_id, document),
        related_ids=list(related),
        lots=[parse_lot(lot, n) for n, lot in enumerate(lots, 1)],
        awards=[parse_award(award, n, parties) for n, award in enumerate(objs(release.get("awards")), 1)],
        contracts=[parse_contract(contract, n) for n, contract in enumerate(objs(release.get("contracts")), 1)],
        framework=flag(obj(tender.get("techniques")).get("hasFrameworkAgreement")),
    )
