"""compile_records: one procurement's current state from all its releases."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from scrapers.compiler import COLUMNS, compile_records, stage_now
from scrapers.ocds import parse_release
from tests.realdata import real_json
from tests.scrapers import samples

BEFORE_DEADLINE = datetime(2026, 8, 1, tzinfo=UTC)
AFTER_DEADLINE = datetime(2026, 9, 1, tzinfo=UTC)
EXPECTED_KEYS = [
    "ocid", "stage", "sources", "notice_types", "latest_notice_type", "title", "description", "title_cy",
    "description_cy", "buyer_scheme", "buyer_identifier", "buyer_name", "buyer_devolved", "value_amount",
    "value_gross", "currency", "value_kind", "value_min", "value_max", "main_cpv", "cpv", "regions", "published_at",
    "updated_at", "deadline", "expected_tender_date", "engagement_deadline", "contract_start", "contract_end",
    "contract_max_extent", "deadline_is_date", "expected_tender_date_is_date", "engagement_deadline_is_date",
    "contract_start_is_date", "contract_end_is_date", "contract_max_extent_is_date", "sme", "vcse",
    "above_threshold", "procurement_method", "procurement_method_details", "main_category", "in_wales", "links",
    "related_ids", "lots", "awards",
]  # fmt: skip


def fts(*releases: dict) -> list:
    return [parse_release(release, "fts") for release in releases]


def test_planned_procurement_becomes_open_when_its_tender_is_published():
    planned = compile_records(fts(samples.uk3_planned()), BEFORE_DEADLINE)
    assert (planned["stage"], planned["notice_types"]) == ("planned", ["UK3"])
    # Any order in: the UK4 comes 29 minutes after the UK3.
    procurement = compile_records(fts(samples.uk4_tender(), samples.uk3_planned()), BEFORE_DEADLINE)
    assert list(procurement) == EXPECTED_KEYS == list(COLUMNS)
    assert procurement["stage"] == "open"
    assert (procurement["notice_types"], procurement["latest_notice_type"]) == (["UK3", "UK4"], "UK4")
    assert procurement["title"] == "Grass cutting"
    assert procurement["deadline"] == datetime(2026, 8, 26, 13, 0, tzinfo=UTC)
    assert procurement["expected_tender_date"] == datetime(2026, 7, 22, 23, 0, tzinfo=UTC)  # only the UK3 had it
    assert procurement["expected_tender_date_is_date"] and not procurement["deadline_is_date"]
    assert procurement["published_at"] == datetime(2026, 7, 22, 14, 27, 49, tzinfo=UTC)
    assert procurement["updated_at"] == datetime(2026, 7, 22, 14, 56, 54, tzinfo=UTC)
    assert procurement["cpv"] == [
        {"code": "77314000", "label": "Grounds maintenance services"},
        {"code": "77310000", "label": "Planting"},
    ]
    assert [link["notice_id"] for link in procurement["links"]] == ["000201-2026", "000202-2026"]
    assert procurement["links"][1] == {
        "source": "fts",
        "notice_id": "000202-2026",
        "url": samples.FTS_URL + "000202-2026",
        "notice_type": "UK4",
        "date": "2026-07-22T14:56:54+00:00",
    }
    assert procurement["lots"][1]["contract_max_extent"] == "2029-03-31T22:59:59+00:00"
    json.dumps({key: procurement[key] for key in ("links", "lots", "awards", "cpv", "regions")})


def test_open_tender_closes_when_now_passes_the_deadline():
    procurement = compile_records(fts(samples.uk3_planned(), samples.uk4_tender()), AFTER_DEADLINE)
    assert procurement["stage"] == "closed"
    assert stage_now("open", procurement["deadline"], AFTER_DEADLINE) == "closed"
    assert stage_now("closed", procurement["deadline"], BEFORE_DEADLINE) == "open"  # deadline extended
    assert stage_now("tender", None, AFTER_DEADLINE) == "open"  # no deadline published
    assert stage_now("awarded", procurement["deadline"], BEFORE_DEADLINE) == "awarded"


def test_cancellation_stub_does_not_blank_what_the_tender_published():
    procurement = compile_records(fts(samples.uk4_tender(), samples.uk12_cancellation()), BEFORE_DEADLINE)
    assert procurement["stage"] == "cancelled"
    assert procurement["title"] == "Grass cutting"
    assert procurement["buyer_name"] == "Cyngor Enghraifft / Example Council"
    assert procurement["buyer_identifier"] == "AAAA-1111-BBBB"
    assert procurement["deadline"] == datetime(2026, 8, 26, 13, 0, tzinfo=UTC)
    assert procurement["value_amount"] == 110000.0 and procurement["regions"] == ["UKL22", "UKL18"]
    assert len(procurement["lots"]) == 2
    assert procurement["latest_notice_type"] == "UK12"


def test_award_after_tender_and_post_award_notices():
    tender = samples.uk4_tender()
    award = samples.uk6_award()
    award.update(ocid=tender["ocid"], date="2026-09-10T10:00:00+01:00")
    procurement = compile_records(fts(award, tender), AFTER_DEADLINE)
    assert procurement["stage"] == "awarded"
    assert procurement["awards"][0]["suppliers"][0] == {
        "name": "Mowers Ltd",
        "id": "GB-COH-00000001",
        "sme": True,
        "vcse": None,
    }
    assert procurement["awards"][0]["date"] == "2026-08-08T23:00:00+00:00"
    # Only a contract change notice seen (its award notice outside our window): awarded, not planned.
    assert compile_records(fts(samples.fts_release("UK10")), AFTER_DEADLINE)["stage"] == "awarded"


def test_no_stage_hint_at_all_compiles_as_planned():
    assert compile_records(fts(samples.legacy_tender("compiled")), AFTER_DEADLINE)["stage"] == "planned"


def test_stage_is_the_most_advanced_release_stage():
    records = fts(samples.uk1_pipeline(), samples.uk2_engagement())
    assert compile_records(records, AFTER_DEADLINE)["stage"] == "engagement"


def test_fts_ocid_is_preferred_and_sources_are_listed():
    s2w = parse_release(samples.s2w_release(), "s2w")
    tender = parse_release(samples.uk4_tender(ocid="ocds-h6vhtk-0b0002"), "fts")
    procurement = compile_records([s2w, tender], datetime(2025, 3, 1, tzinfo=UTC))
    assert procurement["ocid"] == "ocds-h6vhtk-0b0002"
    assert procurement["sources"] == ["fts", "s2w"]
    assert procurement["related_ids"] == ["2024/S 000-000001"]
    assert compile_records([s2w], AFTER_DEADLINE)["ocid"] == "ocds-kuma6s-148999"


def test_welsh_text_comes_from_whichever_release_has_it():
    english = parse_release(samples.s2w_release(), "s2w")
    welsh_release = samples.s2w_release("ocds-kuma6s-148999-release-148999-cy")
    welsh_release.update(language="cy", date="2025-02-20T00:00:00Z")
    welsh_release["tender"]["title"] = "Cynnal a chadw tiroedd"
    procurement = compile_records([english, parse_release(welsh_release, "s2w")], AFTER_DEADLINE)
    assert (procurement["title"], procurement["title_cy"]) == (
        "Cynnal a chadw tiroedd / Grounds maintenance",
        "Cynnal a chadw tiroedd",
    )


def _in_wales(release: dict, source: str = "fts") -> bool:
    return compile_records([parse_release(release, source)], AFTER_DEADLINE)["in_wales"]


def test_in_wales_rules():
    england_only = samples.uk4_tender()
    england_only["parties"] = [samples.fts_buyer_party(region="UKL22", devolved=None)]
    for item in england_only["tender"]["items"]:
        item["deliveryAddresses"] = [{"region": "UKD61"}]
    assert _in_wales(england_only) is False  # a Welsh buyer address alone does not make it Welsh
    assert _in_wales(samples.uk4_tender()) is True  # UKL22 delivery region
    devolved = samples.uk1_pipeline()  # no delivery regions, but the buyer is under Welsh devolved rules
    assert _in_wales(devolved) is True
    itl = samples.uk4_tender()
    itl["parties"] = [samples.fts_buyer_party(devolved=None)]
    itl["tender"]["items"] = [{"id": "1", "deliveryAddresses": [{"region": "TLL3"}]}]
    assert _in_wales(itl) is True
    assert _in_wales(samples.cf_tender(), "cf") is False
    wales_cf = samples.cf_tender()
    wales_cf["tender"]["items"] = [{"id": "1", "deliveryAddresses": [{"region": "Wales"}]}]
    assert _in_wales(wales_cf, "cf") is True
    s2w = samples.s2w_release()
    s2w["tender"]["items"] = []
    assert _in_wales(s2w, "s2w") is True


def test_links_are_deduplicated_by_url():
    first = parse_release(samples.cf_tender(), "cf")
    amended = samples.cf_tender()
    amended.update(id=amended["id"][:-1] + "2", date="2025-01-24T10:00:00Z", tag=["tenderAmendment"])
    procurement = compile_records([parse_release(amended, "cf"), first], AFTER_DEADLINE)
    assert procurement["links"] == [
        {
            "source": "cf",
            "notice_id": "aaaaaaaa-0000-0000-0000-000000000003",
            "url": samples.CF_URL + "aaaaaaaa-0000-0000-0000-000000000003",
            "notice_type": "legacy",
            "date": "2025-01-23T09:30:03+00:00",
        }
    ]
    assert (procurement["sme"], procurement["vcse"]) == (True, False)


def test_nothing_to_compile_is_an_error():
    with pytest.raises(ValueError, match="no releases"):
        compile_records([], AFTER_DEADLINE)


def test_real_uk3_then_uk4_compile_to_one_procurement_with_the_uk4_deadline():
    releases = real_json("find_a_tender/foretender/conversions/uk3-069311.json")["releases"]
    records = fts(*releases)
    uk4 = next(r for r in records if r.notice_type == "UK4")
    procurement = compile_records(records, uk4.date)
    assert (procurement["ocid"], procurement["notice_types"]) == ("ocds-h6vhtk-069311", ["UK3", "UK4"])
    assert procurement["deadline"] == uk4.deadline
    assert procurement["stage"] == "open"
    assert compile_records(records, uk4.deadline)["stage"] == "closed"
