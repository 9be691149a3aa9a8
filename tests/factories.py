"""Keyword-only builders of small synthetic releases shaped like the real registers' (no personal data)."""

from __future__ import annotations

_DOC = {
    "UK1": ("planning", "plannedProcurementNotice", "Pipeline notice on Find a Tender"),
    "UK2": ("planning", "marketEngagementNotice", "Preliminary market engagement notice on Find a Tender"),
    "UK3": ("planning", "plannedProcurementNotice", "Planned procurement notice on Find a Tender"),
    "UK4": ("tender", "tenderNotice", "Tender notice on Find a Tender"),
    "UK6": ("awards", "awardNotice", "Contract award notice on Find a Tender"),
    "UK12": ("tender", "procurementTerminationNotice", "Procurement termination notice on Find a Tender"),
}
_TAG = {
    "UK1": "planning",
    "UK2": "planning",
    "UK3": "planning",
    "UK4": "tender",
    "UK6": "award",
    "UK12": "tenderCancellation",
}


def fts_release(
    *,
    ocid: str = "ocds-h6vhtk-0a0001",
    notice_id: str = "070001-2026",
    notice_type: str = "UK4",
    date: str = "2026-08-10T10:00:00+01:00",
    title: str | None = "Digital services for schools",
    description: str | None = "Provision of software and support.",
    deadline: str | None = "2099-09-01T12:00:00+01:00",
    amount: float | None = 100000,
    buyer_id: str = "GB-PPON-ABCD-1234-EFGH",
    buyer_name: str = "Cyngor Sir Enghraifft County Council",
    devolved: str | None = None,
    region: str = "UKL22",
    cpv: str = "72000000",
    related: list[str] | None = None,
) -> dict:
    """Return an FTS (Procurement Act) release of the given notice type."""
    section, document_type, description_text = _DOC[notice_type]
    document = {
        "id": notice_id,
        "documentType": document_type,
        "noticeType": notice_type,
        "description": description_text,
        "url": f"https://www.find-tender.service.gov.uk/Notice/{notice_id}",
        "datePublished": date,
    }
    party = {
        "id": buyer_id,
        "name": buyer_name,
        "roles": ["buyer"],
        "identifier": {"scheme": "GB-PPON", "id": buyer_id.removeprefix("GB-PPON-")},
    }
    if devolved:
        party["details"] = {"classifications": [{"scheme": "UK_CA_DEVOLVED_REGULATIONS", "id": devolved}]}
    tender = {"id": ocid, "legalBasis": {"id": "2023/54", "scheme": "UKPGA"}, "status": "active"}
    if notice_type != "UK12":
        tender |= {
            "title": title,
            "description": description,
            "items": [
                {
                    "id": "1",
                    "additionalClassifications": [{"scheme": "CPV", "id": cpv, "description": "IT"}],
                    "deliveryAddresses": [{"region": region, "country": "GB"}],
                }
            ],
        }
        if amount is not None:
            tender["value"] = {"amount": amount, "amountGross": amount * 1.2, "currency": "GBP"}
        if deadline:
            tender["tenderPeriod"] = {"endDate": deadline}
    release = {
        "ocid": ocid,
        "id": notice_id,
        "date": date,
        "tag": [_TAG[notice_type]],
        "parties": [party],
        "buyer": {"id": buyer_id, "name": buyer_name},
        "tender": tender,
        "language": "en",
    }
    if section == "awards":
        release["awards"] = [{"id": "1", "status": "active", "documents": [document]}]
    elif section == "planning":
        release["planning"] = {"documents": [document]}
        tender["status"] = "planned"
    else:
        tender["documents"] = [document]
    if related:
        release["relatedProcesses"] = [{"id": str(i), "identifier": ref} for i, ref in enumerate(related)]
    return release


def s2w_release(
    *,
    number: int = 148001,
    ref: str = "FEB400001",
    title: str = "Cleaning services",
    description: str = "Cleaning of council buildings.",
    buyer_name: str = "Cyngor Enghraifft",
    related: list[str] | None = None,
    date: str = "2025-02-21T00:00:00Z",
) -> dict:
    """Return a Sell2Wales release shaped like the real ones (docs/registers.md, "Sell2Wales API: release shape")."""
    release = {
        "id": f"ocds-kuma6s-{number}-release-{number}",
        "ocid": f"ocds-kuma6s-{number}",
        "date": date,
        "tag": ["tender"],
        "parties": [
            {
                "name": buyer_name,
                "id": "org-3",
                "identifier": {"legalName": buyer_name},
                "roles": ["buyer"],
                "address": {"region": "UKL18"},
            }
        ],
        "buyer": {"name": buyer_name, "id": "org-3"},
        "tender": {
            "id": f"ocds-kuma6s-{number}-tender-{number}",
            "title": title,
            "description": description,
            "status": "active",
            "classification": {"scheme": "CPV", "id": "90910000", "description": "Cleaning services"},
            "items": [{"id": "1", "deliveryAddresses": [{"region": "UKL18"}]}],
            "tenderPeriod": {"endDate": "2099-03-24T12:00:00Z"},
            "legalBasis": {"id": "32014L0024", "scheme": "CELEX"},
            "documents": [
                {
                    "id": ref,
                    "documentType": "contractNotice",
                    "url": f"https://www.sell2wales.gov.wales/search/show/search_view.aspx?ID={ref}",
                }
            ],
        },
        "language": "EN",
    }
    if related:
        release["relatedProcesses"] = [
            {"id": "1", "relationship": ["planning"], "scheme": "EU-OJ", "identifier": r} for r in related
        ]
    return release


def package(releases: list[dict], next_url: str | None = None) -> dict:
    """Wrap releases in a release package, with a next link when given."""
    body = {
        "uri": "https://example.invalid/package",
        "version": "1.1",
        "publishedDate": "2026-08-10T00:00:00Z",
        "releases": releases,
    }
    if next_url:
        body["links"] = {"next": next_url}
    return body
