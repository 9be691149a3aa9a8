"""Small hand-written OCDS releases shaped like the real registers'.

See docs/registers.md, "Contracts Finder: notice kinds", "Find a Tender: notice types" and
"Sell2Wales API: release shape".

Every name, e-mail and identifier here is made up: the real recordings carry officers' personal
data and stay in ../shared/fixtures. Each function returns a fresh dict, so tests may edit it.
"""

from __future__ import annotations

FTS_URL = "https://www.find-tender.service.gov.uk/Notice/"
CF_URL = "https://www.contractsfinder.service.gov.uk/Notice/"
S2W_URL = "https://www.sell2wales.gov.wales/search/show/search_view.aspx?ID="
UKPGA = {"id": "2023/54", "scheme": "UKPGA", "uri": "https://www.legislation.gov.uk/ukpga/2023/54/contents"}
CELEX = {"id": "32014L0024", "scheme": "CELEX"}

# (noticeType, tag, document section, documentType) as FTS publishes them
# (docs/registers.md, "Find a Tender: notice types").
FTS_SHAPES = {
    "UK1": (["planning"], "planning", "plannedProcurementNotice"),
    "UK2": (["planning"], "planning", "marketEngagementNotice"),
    "UK3": (["planning"], "planning", "plannedProcurementNotice"),
    "UK4": (["tender"], "tender", "tenderNotice"),
    "UK5": (["award", "contract"], "awards", "awardNotice"),
    "UK6": (["award", "contract"], "awards", "awardNotice"),
    "UK7": (["award", "contract"], "contracts", "contractNotice"),
    "UK9": (["implementation"], "contracts", "contractNotice"),
    "UK10": (["contractAmendment"], "contracts", "contractNotice"),
    "UK11": (["contractTermination"], "contracts", "contractTerminationNotice"),
    "UK12": (["tenderCancellation"], "tender", "tenderCancellationNotice"),
    "UK13": (["tender"], "tender", "tenderNotice"),
    "UK14": (["tender"], "tender", "tenderNotice"),
    "UK15": (["award", "contract"], "awards", "awardNotice"),
    "UK16": (["tenderUpdate"], "tender", "tenderNotice"),
    "UK17": (["implementation"], "contracts", "contractNotice"),
}


def fts_buyer_party(region: str = "UKL22", devolved: str | None = "GB-WLS") -> dict:
    """Return a synthetic FTS buyer party (bilingual name, PPON identifier)."""
    classifications = [{"scheme": "UK_CA_TYPE", "id": "publicAuthoritySubCentralGovernment"}]
    if devolved:
        classifications.append({"scheme": "UK_CA_DEVOLVED_REGULATIONS", "id": devolved})
    return {
        "id": "GB-PPON-AAAA-1111-BBBB",
        "name": "Cyngor Enghraifft / Example Council",
        "identifier": {"scheme": "GB-PPON", "id": "AAAA-1111-BBBB"},
        "address": {"locality": "Trefenghraifft", "postalCode": "SA0 0AA", "country": "GB", "region": region},
        "contactPoint": {"name": "Test Officer", "email": "procurement@example.org"},
        "roles": ["buyer"],
        "details": {"classifications": classifications},
    }


def fts_release(
    notice_type: str,
    *,
    release_id: str = "000101-2026",
    ocid: str = "ocds-h6vhtk-0a0001",
    date: str = "2026-08-10T11:41:20+01:00",
    tender: dict | None = None,
) -> dict:
    """Return a Procurement Act FTS release of `notice_type` with its notice document in the right section."""
    tag, section, document_type = FTS_SHAPES[notice_type]
    document = {
        "id": release_id,
        "documentType": document_type,
        "noticeType": notice_type,
        "description": f"{notice_type} notice on Find a Tender",
        "url": FTS_URL + release_id,
        "datePublished": date,
        "format": "text/html",
    }
    release = {
        "ocid": ocid,
        "buyerID": [],  # junk seen on 14.9% of real releases (docs/registers.md, "Find a Tender: quirks")
        "id": release_id,
        "tag": list(tag),
        "date": date,
        "initiationType": "tender",
        "parties": [fts_buyer_party()],
        "buyer": {"id": "GB-PPON-AAAA-1111-BBBB", "name": "Cyngor Enghraifft / Example Council"},
        "tender": {"id": "REF-1", "legalBasis": dict(UKPGA), "title": "Grass cutting", "status": "active"},
        "language": "en",
    }
    release["tender"].update(tender or {})
    if section == "planning":
        release["planning"] = {"documents": [document]}
    elif section == "tender":
        release["tender"]["documents"] = [document]
    else:
        release[section] = [{"id": "1", "documents": [document]}]
    return release


def uk1_pipeline() -> dict:
    """Return a UK1 pipeline notice with an expected tender date and lot contract periods."""
    return fts_release(
        "UK1",
        release_id="000101-2026",
        tender={
            "status": "planned",
            "value": {"amountGross": 3600000.0, "amount": 3000000.0, "currency": "GBP"},
            "communication": {"futureNoticeDate": "2026-06-29T23:59:59+01:00"},
            "lots": [
                {"id": "1", "contractPeriod": {"startDate": "2027-03-31T00:00:00+01:00"}, "status": "planned"},
                {"id": "2", "contractPeriod": {"endDate": "2028-03-31T23:59:59+01:00"}, "status": "planned"},
            ],
        },
    )


def uk2_engagement() -> dict:
    """Return a UK2 preliminary market engagement notice with its engagement milestone."""
    release = fts_release("UK2", release_id="000102-2026", tender={"status": "planning"})
    release["planning"]["milestones"] = [
        {"id": "engagement", "type": "engagement", "description": "Engagement", "dueDate": "2026-09-01T17:00:00+01:00"}
    ]
    return release


def uk3_planned(ocid: str = "ocds-h6vhtk-0a0001") -> dict:
    """Return a UK3 planned procurement notice with its expected deadline, value and CPVs."""
    return fts_release(
        "UK3",
        release_id="000201-2026",
        ocid=ocid,
        date="2026-07-22T15:27:49+01:00",
        tender={
            "status": "planned",
            "title": "Grass cutting (planned)",
            "tenderPeriod": {"endDate": "2026-08-20T14:00:00+01:00"},
            "communication": {"futureNoticeDate": "2026-07-23T23:59:59+01:00"},
            "value": {"amountGross": 120000.0, "amount": 100000.0, "currency": "GBP"},
            "items": [{"id": "1", "additionalClassifications": [{"scheme": "CPV", "id": "77314000"}]}],
        },
    )


def uk4_tender(ocid: str = "ocds-h6vhtk-0a0001", deadline: str = "2026-08-26T14:00:00+01:00") -> dict:
    """Return a UK4 tender notice: deadline, lot suitability and lot-level contract dates, duplicated CPVs."""
    return fts_release(
        "UK4",
        release_id="000202-2026",
        ocid=ocid,
        date="2026-07-22T15:56:54+01:00",
        tender={
            "title": "Grass cutting",
            "description": "Cutting grass in parks.\nTwo lots.",
            "tenderPeriod": {"endDate": deadline},
            "enquiryPeriod": {"endDate": "2026-08-10T12:00:00+01:00"},
            "value": {"amountGross": 132000.0, "amount": 110000.0, "currency": "GBP"},
            "aboveThreshold": False,
            "procurementMethod": "open",
            "procurementMethodDetails": "Below threshold - open competition",
            "mainProcurementCategory": "services",
            "items": [
                {
                    "id": "1",
                    "relatedLot": "1",
                    "additionalClassifications": [
                        {"scheme": "CPV", "id": "77314000"},
                        {"scheme": "CPV", "id": "77314000", "description": "Grounds maintenance services"},
                        {"scheme": "OTHER", "id": "X1"},
                    ],
                    "deliveryAddresses": [{"region": "UKL22", "country": "GB"}, {"region": "UKL22"}],
                },
                {
                    "id": "2",
                    "relatedLot": "2",
                    "additionalClassifications": [{"scheme": "CPV", "id": "77310000", "description": "Planting"}],
                    "deliveryAddresses": [{"region": "UKL18"}],
                },
            ],
            "lots": [
                {
                    "id": "1",
                    "title": "North",
                    "description": None,
                    "value": {"amount": 60000, "amountGross": 72000, "currency": "GBP"},
                    "suitability": {"sme": True},
                    "contractPeriod": {
                        "startDate": "2026-10-01T00:00:00+01:00",
                        "endDate": "2027-09-30T23:59:59+01:00",
                    },
                },
                {
                    "id": "2",
                    "suitability": {"vcse": True},
                    "contractPeriod": {
                        "startDate": "2026-09-01T00:00:00+01:00",
                        "endDate": "2027-03-31T23:59:59+01:00",
                        "maxExtentDate": "2029-03-31T23:59:59+01:00",
                    },
                },
            ],
        },
    )


def uk4_competitive_flexible() -> dict:
    """Return a two-stage UK4 with only an expression-of-interest deadline (and a clarification deadline)."""
    return fts_release(
        "UK4",
        release_id="000203-2026",
        tender={
            "expressionOfInterestDeadline": "2026-09-15T12:00:00+01:00",
            "enquiryPeriod": {"endDate": "2026-09-01T12:00:00+01:00"},
            "procurementMethodDetails": "Competitive flexible procedure",
        },
    )


def uk12_cancellation(ocid: str = "ocds-h6vhtk-0a0001") -> dict:
    """Return a sparse UK12 termination stub with a contradictory tender.status.

    See docs/registers.md, "Find a Tender: quirks".
    """
    release = fts_release(
        "UK12", release_id="000204-2026", ocid=ocid, date="2026-08-01T09:00:00+01:00", tender={"status": "complete"}
    )
    release["tender"].pop("title")
    del release["parties"], release["buyer"]
    return release


def uk6_award() -> dict:
    """Return a UK6 award with one SME supplier and one VCSE supplier described in parties[]."""
    release = fts_release("UK6", release_id="000301-2026", tender={"status": "complete"})
    release["parties"] += [
        {"id": "GB-COH-00000001", "name": "Mowers Ltd", "roles": ["supplier"], "details": {"scale": "sme"}},
        {
            "id": "GB-CHC-0000002",
            "name": "Green Trust",
            "roles": ["supplier"],
            "details": {"scale": "large", "vcse": True},
        },
    ]
    release["awards"][0].update(
        date="2026-08-09T00:00:00+01:00",
        value={"amountGross": 120000, "currency": "GBP"},
        suppliers=[{"id": "GB-COH-00000001", "name": "Mowers Ltd"}, {"id": "GB-CHC-0000002", "name": "Green Trust"}],
        contractPeriod={"startDate": "2026-09-01T00:00:00+01:00", "endDate": "2027-08-31T23:59:59+01:00"},
    )
    return release


def legacy_tender(tag: str = "tender", status: str | None = "active") -> dict:
    """Return a legacy PCR 2015 (CELEX) FTS release (docs/registers.md, "Find a Tender: legacy releases")."""
    return {
        "ocid": "ocds-h6vhtk-0a0009",
        "id": "000401-2026",
        "tag": [tag],
        "date": "2026-08-10T10:00:00+01:00",
        "buyer": {"id": "GB-FTS-12345", "name": "Example NHS Trust"},
        "parties": [
            {"id": "GB-FTS-12345", "name": "Example NHS Trust", "roles": ["buyer"], "address": {"region": "UKK"}}
        ],
        "tender": {
            "id": "T-9",
            "legalBasis": dict(CELEX),
            "title": "Linen services",
            "status": status,
            "classification": {"scheme": "CPV", "id": "98310000", "description": "Washing and dry-cleaning"},
            "items": [{"id": "1", "additionalClassifications": [{"scheme": "CPV", "id": "98311000"}]}],
            "tenderPeriod": {"endDate": "2026-09-10T12:00:00"},  # no offset: London time
            "documents": [{"id": "economic", "documentType": "economicSelectionCriteria"}],
        },
    }


def _cf_release(tag: str, status: str, section: str, document_type: str, guid: str) -> dict:
    document = {
        "id": f"{guid}-doc",
        "documentType": document_type,
        "description": "Notice on Contracts Finder",
        "url": CF_URL + guid,
        "datePublished": "2025-01-23T09:30:03Z",
        "format": "text/html",
        "language": "en",
    }
    release = {
        "ocid": "ocds-b5fd17-11111111-2222-3333-4444-555555555555",
        "id": f"{guid}-700001",
        "date": "2025-01-23T10:00:00Z",
        "tag": [tag],
        "initiationType": "tender",
        "parties": [{"id": "GB-CFS-4242", "name": "Example Borough Council", "roles": ["buyer"]}],
        "buyer": {"id": "GB-CFS-4242", "name": "Example Borough Council"},
        "tender": {
            "id": "CF-1",
            "title": "Library refurbishment",
            "description": "Refurbish the library.\r\nPhase 1.",
            "status": status,
            "classification": {"scheme": "CPV", "id": "45000000", "description": "Construction work"},
            "items": [
                {"id": "1", "deliveryAddresses": [{"region": "North West", "countryName": "England"}]},
                {"id": "2", "deliveryAddresses": [{"region": "England"}, {"countryName": "Rest of the World"}]},
            ],
            "suitability": {"sme": True, "vcse": False},
            "contractPeriod": {"startDate": "2025-04-01T00:00:00+01:00", "endDate": "2026-03-31T00:00:00+01:00"},
        },
        "language": "en",
    }
    if section == "planning":
        release["planning"] = {"documents": [document]}
    elif section == "tender":
        release["tender"]["documents"] = [document]
    else:
        release["awards"] = [{"id": "A1", "documents": [document]}]
    return release


def cf_early_engagement() -> dict:
    """Return a CF "Early engagement" notice: release-level title, engagement milestone."""
    release = _cf_release(
        "planning", "planning", "planning", "marketEngagementNotice", "aaaaaaaa-0000-0000-0000-000000000001"
    )
    release["title"] = release["tender"].pop("title")
    release["planning"]["milestones"] = [
        {"id": "1", "title": "Engagement end date", "type": "engagement", "dueDate": "2025-02-28T23:59:59Z"}
    ]
    return release


def cf_future_opportunity() -> dict:
    """Return a CF "Future opportunity" notice with its approach-to-market date and value range."""
    release = _cf_release(
        "planning", "planned", "planning", "plannedProcurementNotice", "aaaaaaaa-0000-0000-0000-000000000002"
    )
    release["tender"].update(
        communication={"futureNoticeDate": "2025-06-01T00:00:00+01:00"},
        minValue={"amount": 100000, "currency": "GBP"},
        value={"amount": 250000, "currency": "GBP"},
    )
    return release


def cf_tender() -> dict:
    """Return a CF "Opportunity" notice with a deadline and both suitability flags."""
    release = _cf_release("tender", "active", "tender", "tenderNotice", "aaaaaaaa-0000-0000-0000-000000000003")
    release["tender"].update(tenderPeriod={"endDate": "2025-02-14T12:00:00Z"}, datePublished="2025-01-23T09:30:03Z")
    release["tender"]["documents"].append(
        {"id": "x", "documentType": "tenderNotice", "url": "https://esourcing.example.org/notice/1"}
    )
    return release


def cf_award(status: str = "planned") -> dict:
    """Return a CF award whose tender.status is "planned" (a real CF quirk).

    See docs/registers.md, "Contracts Finder: quirks".
    """
    release = _cf_release("awardUpdate", status, "awards", "awardNotice", "aaaaaaaa-0000-0000-0000-000000000004")
    release["awards"][0]["documents"].append(
        {"id": "y", "documentType": "tenderNotice", "url": "https://esourcing.example.org/notice/2"}
    )
    release["awards"][0].update(
        value={"amount": 240000, "currency": "GBP"}, suppliers=[{"id": "s1", "name": "Builders"}]
    )
    return release


def s2w_release(release_id: str | None = "ocds-kuma6s-148999-release-148999") -> dict:
    """Return a Sell2Wales contract notice: local buyer ids, name with a trailing comma, placeholder value."""
    release = {
        "ocid": "ocds-kuma6s-148999",
        "date": "2025-02-21T00:00:00Z",
        "tag": ["tender"],
        "initiationType": "tender",
        "parties": [
            {"id": "org-3", "name": "Cyngor Sir Enghraifft County Council,  ", "roles": ["buyer"], "details": None},
            {"id": "org-2", "name": "High Court", "roles": ["reviewBody"], "details": None},
        ],
        "buyer": {"name": "Cyngor Sir Enghraifft County Council,  ", "id": "org-3"},
        "tender": {
            "id": "ocds-kuma6s-148999-tender-148999-REF/25/1",
            "title": "Cynnal a chadw tiroedd / Grounds maintenance",
            "status": "active",
            "classification": {"id": "77310000", "scheme": "CPV"},
            "items": [{"id": "1", "deliveryAddresses": [{"region": "UKL18"}]}],
            "value": {"amount": 0.01, "currency": "GBP"},
            "tenderPeriod": {"endDate": "2025-03-24T12:00:00Z"},
            "legalBasis": dict(CELEX),
            "documents": [
                {
                    "id": "FEB499999",
                    "documentType": "contractNotice",
                    "url": S2W_URL + "FEB499999",
                    "format": "text/html",
                },
                {"id": "economic", "documentType": "economicSelectionCriteria"},
            ],
        },
        "language": "EN",
        "links": [
            {"rel": "canonical", "href": "https://api.sell2wales.gov.wales/v1?lang=cy/Notice?id=ocds-kuma6s-148999"}
        ],
        "relatedProcesses": [
            {"id": "1", "relationship": ["planning"], "scheme": "EU-OJ", "identifier": "2024/S 000-000001"}
        ],
    }
    if release_id is not None:
        release["id"] = release_id
    return release


HOSTILE_TITLE = '  <script>alert("x")</script> <b>Bold</b> & "quotes"  '
