"""The OCDS releases of published, edited and withdrawn entries: valid against the OCDS 1.1 release schema the portal
ships, and read by the portal's own parser as a pipeline notice (then a cancellation) of the organisation."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from portal.collect.prepare import parse_pair
from portal.publishing.ocds import Publisher, build_releases, end_of, start_of
from scrapers.compiler import compile_records
from tests.portal.test_ocds_packages import assert_valid

NOW = datetime(2026, 12, 2, 10, 30, tzinfo=UTC)
PUBLISHER = Publisher("GB-PPON-PAAA-1111-AAAA", "Cyngor Prawf")


def entry(**changes):
    values = dict(
        ocid="ocds-piblinell-0a1b2c3d4e5f",
        reference="PW-1",
        title_en="Grounds maintenance",
        title_cy="Cynnal a chadw tiroedd",
        description_en="Mowing in twelve parks.",
        description_cy="Torri gwair mewn deuddeg parc.",
        cpv_codes=["77310000", "77311000"],
        value_low=200000.0,
        value_high=350000.0,
        to_market="2027-03",
        contract_start="2027-06-01",
        contract_end="2030-05",
        regions=["UKL14"],
        route="competitive-flexible",
        lots=["North", "South"],
        sme_suitable=True,
        vcse_suitable=False,
        contact_name="Siân Jones",
        contact_email="caffael@llyw.cymru",
        withdrawn_reason=None,
    )
    return SimpleNamespace(**(values | changes))


def package(releases):
    return {
        "uri": "https://piblinell.example/api/v1/ocds/releases",
        "version": "1.1",
        "publishedDate": "2026-12-02T10:30:00Z",
        "publisher": {"name": "Piblinell"},
        "releases": releases,
    }


def publish(item, revision, withdrawn=False):
    labels = {"77310000": "Planting and maintenance services of green areas"}
    return build_releases(
        item, PUBLISHER, revision, NOW, "https://p.example/en/notice/x", labels=labels, withdrawn=withdrawn
    )


@pytest.mark.parametrize(
    "item",
    [
        entry(),
        entry(value_high=None),
        entry(title_en=None, description_en=None),
        entry(route=None, lots=[], regions=[]),
    ],
    ids=["range", "amount", "welsh-only", "sparse"],
)
def test_published_edited_and_withdrawn_releases_validate(item):
    first, first_cy = publish(item, 1)
    edited, edited_cy = publish(item, 2)
    item.withdrawn_reason = "Budget cut"
    withdrawn, withdrawn_cy = publish(item, 3, withdrawn=True)
    assert_valid(
        package([first, edited, withdrawn, *first_cy, *edited_cy, *withdrawn_cy]), "release-package-schema.json"
    )
    assert first["tag"] == ["planning"] and edited["tag"] == ["planningUpdate"]
    assert withdrawn["tag"] == ["planningUpdate", "tenderCancellation"]
    assert first["tender"]["status"] == "planned" and withdrawn["tender"]["status"] == "withdrawn"
    document = first["planning"]["documents"][0]
    assert document["documentType"] == "plannedProcurementNotice" and document["noticeType"] == "UK1"
    assert first["buyer"]["id"] == PUBLISHER.identifier
    assert first["parties"][0]["identifier"] == {
        "scheme": "GB-PPON",
        "id": "PAAA-1111-AAAA",
        "legalName": "Cyngor Prawf",
    }
    assert len({first["id"], edited["id"], withdrawn["id"]}) == 3


def test_the_portal_reads_them_as_the_organisations_pipeline_notice():
    item = entry()
    records = []
    for revision in (1, 2):
        release, welsh = publish(item, revision)
        records.append(parse_pair(release, welsh[0], "portal"))
    compiled = compile_records(records, NOW)
    assert compiled["stage"] == "pipeline"
    assert (compiled["title"], compiled["title_cy"]) == ("Grounds maintenance", "Cynnal a chadw tiroedd")
    assert compiled["description_cy"] == "Torri gwair mewn deuddeg parc."
    assert (compiled["value_min"], compiled["value_max"], compiled["value_amount"]) == (200000, 350000, 350000)
    assert (compiled["buyer_scheme"], compiled["buyer_identifier"]) == ("GB-PPON", "PAAA-1111-AAAA")
    assert compiled["regions"] == ["UKL14"] and compiled["sme"] is True and compiled["in_wales"] is True
    assert compiled["expected_tender_date"].date().isoformat() == "2027-03-01"
    assert compiled["contract_end"].date().isoformat() == "2030-05-31"
    item.withdrawn_reason = "Budget cut"
    release, welsh = publish(item, 3, withdrawn=True)
    records.append(parse_pair(release, welsh[0], "portal"))
    assert compile_records(records, NOW)["stage"] == "cancelled"


def test_a_welsh_only_entry_is_one_release_in_welsh():
    release, welsh = publish(entry(title_en=None, description_en=None), 1)
    assert welsh == [] and release["language"] == "cy"
    record = parse_pair(release, None, "portal")
    assert record.title_cy == record.title == "Cynnal a chadw tiroedd"


def test_months_and_days_become_whole_days():
    assert start_of("2027-03") == "2027-03-01T00:00:00Z" and start_of("2027-03-09") == "2027-03-09T00:00:00Z"
    assert end_of("2028-02") == "2028-02-29T23:59:59Z" and end_of("2027-03-09") == "2027-03-09T23:59:59Z"
