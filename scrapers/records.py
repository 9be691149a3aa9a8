"""Plain records that the parsers return and the portal stores.

A `ReleaseRecord` is one notice (one OCDS release) as Piblinell understands it. The portal
compiles the records of one procurement into its current state (`scrapers.compiler`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Lot:
    id: str
    title: str | None = None
    description: str | None = None
    value_amount: float | None = None
    value_gross: float | None = None
    sme: bool | None = None
    vcse: bool | None = None
    contract_start: datetime | None = None
    contract_end: datetime | None = None
    contract_max_extent: datetime | None = None
    currency: str | None = None  # a lot's own currency, which may differ from the tender's


@dataclass
class Award:
    id: str
    date: datetime | None = None
    value_amount: float | None = None
    value_gross: float | None = None
    currency: str | None = None
    # each supplier: {"name": str, "id": str | None, "sme": bool | None, "vcse": bool | None}
    suppliers: list[dict] = field(default_factory=list)
    related_lots: list[str] = field(default_factory=list)  # the tender lots it awards
    award_id: str | None = None  # on a contract (`contracts[]` read as an Award): the award it signs
    contract_start: datetime | None = None  # awards[].contractPeriod, contracts[].period
    contract_end: datetime | None = None
    contract_max_extent: datetime | None = None


@dataclass
class ReleaseRecord:
    """One notice, parsed. Every datetime is timezone-aware UTC."""

    source: str  # a release source in scrapers.registry
    release_id: str
    ocid: str
    date: datetime  # the release's `date` (latest edit)
    tags: list[str] = field(default_factory=list)
    notice_type: str | None = None  # "UK1".."UK17"; None for legacy / CF / S2W notices
    stage: str | None = None  # one of vocabulary.RELEASE_STAGES; None when the notice does not move the stage
    legal_basis: str | None = None  # "UKPGA", "CELEX", ...
    title: str | None = None
    description: str | None = None
    title_cy: str | None = None  # Welsh text where the register published it (S2W locale=1106)
    description_cy: str | None = None
    buyer_scheme: str | None = None  # e.g. "GB-PPON", "GB-CFS", "S2W" (name-keyed, S2W ids are local)
    buyer_identifier: str | None = None
    buyer_name: str | None = None
    buyer_devolved: str | None = None  # UK_CA_DEVOLVED_REGULATIONS: "GB-WLS", "GB-SCT", "GB-NIR"
    buyer_region: str | None = None
    value_amount: float | None = None  # net (`amount`)
    value_gross: float | None = None  # gross (`amountGross`)
    currency: str | None = None
    value_min: float | None = None
    value_max: float | None = None
    main_cpv: str | None = None
    cpv: list[tuple[str, str | None]] = field(default_factory=list)  # (code, label), deduplicated
    regions: list[str] = field(default_factory=list)  # NUTS/ITL codes as published
    published: datetime | None = None  # first publication of this notice
    deadline: datetime | None = None
    expected_tender_date: datetime | None = None
    engagement_deadline: datetime | None = None
    contract_start: datetime | None = None
    contract_end: datetime | None = None
    contract_max_extent: datetime | None = None
    sme: bool | None = None
    vcse: bool | None = None
    above_threshold: bool | None = None
    procurement_method: str | None = None
    procurement_method_details: str | None = None
    main_category: str | None = None
    tender_status: str | None = None
    notice_url: str | None = None  # the notice's page on its register
    related_ids: list[str] = field(default_factory=list)  # relatedProcesses identifiers
    lots: list[Lot] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    contracts: list[Award] = field(default_factory=list)  # `contracts[]`: id, award_id, value, dateSigned as date
    framework: bool | None = None  # tender.techniques.hasFrameworkAgreement
