"""parse_release on hand-written releases, then on every real recorded release we have."""

from __future__ import annotations

import glob
from collections import Counter
from datetime import UTC, datetime

import pytest

from scrapers.ocds import notice_type_of, parse_release, stage_of_release
from scrapers.ocds_fields import parse_datetime
from scrapers.regions import ENGLAND, region_codes
from scrapers.vocabulary import RELEASE_STAGES
from tests.realdata import FIXTURES, FTS_DAY, real_json
from tests.scrapers import samples


@pytest.mark.parametrize(
    ("notice_type", "stage"),
    [
        ("UK1", "pipeline"),
        ("UK2", "engagement"),
        ("UK3", "planned"),
        ("UK4", "tender"),
        ("UK13", "tender"),
        ("UK5", "awarded"),
        ("UK6", "awarded"),
        ("UK7", "awarded"),
        ("UK15", "awarded"),
        ("UK12", "cancelled"),
        ("UK9", None),
        ("UK10", None),
        ("UK11", None),
        ("UK14", None),
        ("UK16", None),
        ("UK17", None),
    ],
)
def test_notice_type_gives_stage(notice_type, stage):
    release = samples.fts_release(notice_type)
    record = parse_release(release, "fts")
    assert notice_type_of(release) == notice_type
    assert (record.notice_type, record.stage) == (notice_type, stage)
    assert record.notice_url == samples.FTS_URL + "000101-2026"


def test_uk1_pipeline_fields():
    record = parse_release(samples.uk1_pipeline(), "fts")
    assert record.legal_basis == "UKPGA"
    # "2026-06-29T23:59:59+01:00" is the day 29 June, held from its first moment in London.
    assert record.expected_tender_date == datetime(2026, 6, 28, 23, 0, tzinfo=UTC)
    assert (record.value_amount, record.value_gross, record.currency) == (3000000.0, 3600000.0, "GBP")
    # Lot-level contract periods: earliest start and latest end over the lots
    # (docs/registers.md, "Find a Tender: field paths").
    assert record.contract_start == datetime(2027, 3, 30, 23, 0, tzinfo=UTC)
    assert record.contract_end == datetime(2028, 3, 31, 22, 59, 59, tzinfo=UTC)
    assert (record.sme, record.vcse) == (None, None)  # FTS only ever says true
    assert record.buyer_scheme == "GB-PPON" and record.buyer_identifier == "AAAA-1111-BBBB"
    assert (record.buyer_devolved, record.buyer_region) == ("GB-WLS", "UKL22")


def test_uk2_engagement_deadline_from_milestone():
    record = parse_release(samples.uk2_engagement(), "fts")
    assert record.stage == "engagement"
    assert record.engagement_deadline == datetime(2026, 9, 1, 16, 0, tzinfo=UTC)


def test_uk4_lots_suitability_cpv_and_regions():
    record = parse_release(samples.uk4_tender(), "fts")
    assert record.deadline == datetime(2026, 8, 26, 13, 0, tzinfo=UTC)
    assert (record.sme, record.vcse, record.above_threshold) == (True, True, False)
    # CPV deduplicated by code, the first non-empty label kept, non-CPV schemes dropped.
    assert record.cpv == [("77314000", "Grounds maintenance services"), ("77310000", "Planting")]
    assert record.main_cpv == "77314000"
    assert record.regions == ["UKL22", "UKL18"]
    assert record.contract_start == datetime(2026, 8, 31, 23, 0, tzinfo=UTC)
    assert record.contract_max_extent == datetime(2029, 3, 31, 22, 59, 59, tzinfo=UTC)
    first, second = record.lots
    assert (first.id, first.title, first.description, first.value_amount, first.sme) == (
        "1",
        "North",
        None,
        60000,
        True,
    )
    assert (second.vcse, second.sme, second.contract_end) == (True, None, datetime(2027, 3, 31, 22, 59, 59, tzinfo=UTC))
    assert record.procurement_method_details == "Below threshold - open competition"


def test_deadline_falls_back_to_expression_of_interest_never_enquiry_period():
    record = parse_release(samples.uk4_competitive_flexible(), "fts")
    assert record.deadline == datetime(2026, 9, 15, 11, 0, tzinfo=UTC)


def test_uk6_award_suppliers_and_dates():
    record = parse_release(samples.uk6_award(), "fts")
    (award,) = record.awards
    assert (award.id, award.value_amount, award.value_gross, award.currency) == ("1", None, 120000, "GBP")
    assert award.date == datetime(2026, 8, 8, 23, 0, tzinfo=UTC)
    assert award.suppliers == [
        {"name": "Mowers Ltd", "id": "GB-COH-00000001", "sme": True, "vcse": None},
        {"name": "Green Trust", "id": "GB-CHC-0000002", "sme": False, "vcse": True},
    ]
    assert record.contract_start == datetime(2026, 8, 31, 23, 0, tzinfo=UTC)  # from the award's contractPeriod


def test_uk12_stub_without_buyer_is_cancelled():
    record = parse_release(samples.uk12_cancellation(), "fts")
    assert (record.stage, record.title, record.buyer_name, record.tender_status) == (
        "cancelled",
        None,
        None,
        "complete",
    )


@pytest.mark.parametrize(
    ("tag", "status", "stage"),
    [
        ("tender", "active", "tender"),
        ("tenderUpdate", None, "tender"),
        ("planning", "planned", "planned"),
        ("planning", "planning", "engagement"),
        ("award", "cancelled", "awarded"),  # status contradicts; only a cancellation tag cancels
        ("contractTermination", None, "awarded"),
        ("tenderCancellation", "active", "cancelled"),
        ("awardCancellation", None, "cancelled"),
        ("compiled", "withdrawn", None),
    ],
)
def test_legacy_celex_stage_from_tag(tag, status, stage):
    release = samples.legacy_tender(tag, status)
    record = parse_release(release, "fts")
    assert (record.notice_type, record.stage, record.legal_basis) == (None, stage, "CELEX")
    assert stage_of_release(release) == stage


def test_legacy_celex_fields():
    record = parse_release(samples.legacy_tender(), "fts")
    assert record.notice_url == samples.FTS_URL + "000401-2026"  # built from the id: no notice document
    assert record.cpv == [("98310000", "Washing and dry-cleaning"), ("98311000", None)]
    assert record.main_cpv == "98310000"
    assert record.deadline == datetime(2026, 9, 10, 11, 0, tzinfo=UTC)  # naive = London (BST)
    assert (record.buyer_scheme, record.buyer_identifier, record.buyer_region) == ("GB-FTS", "12345", "UKK")


def test_cf_early_engagement():
    record = parse_release(samples.cf_early_engagement(), "cf")
    assert (record.stage, record.notice_type, record.title) == ("engagement", None, "Library refurbishment")
    assert record.engagement_deadline == datetime(2025, 2, 28, 23, 59, 59, tzinfo=UTC)
    assert record.notice_url == samples.CF_URL + "aaaaaaaa-0000-0000-0000-000000000001"
    assert (record.buyer_scheme, record.buyer_identifier) == ("GB-CFS", "4242")


def test_cf_future_opportunity_range():
    record = parse_release(samples.cf_future_opportunity(), "cf")
    assert record.stage == "planned"
    assert record.expected_tender_date == datetime(2025, 5, 31, 23, 0, tzinfo=UTC)
    assert (record.value_min, record.value_max, record.value_amount, record.currency) == (100000, 250000, 250000, "GBP")


def test_cf_tender_fields_and_region_mapping():
    record = parse_release(samples.cf_tender(), "cf")
    assert (record.stage, record.deadline) == ("tender", datetime(2025, 2, 14, 12, 0, tzinfo=UTC))
    assert (record.sme, record.vcse) == (True, False)  # CF always states both; False means False
    assert record.regions == ["UKD", *[code for code in ENGLAND if code != "UKD"]]
    assert record.notice_url == samples.CF_URL + "aaaaaaaa-0000-0000-0000-000000000003"
    assert record.published == datetime(2025, 1, 23, 9, 30, 3, tzinfo=UTC)
    assert record.contract_start == datetime(2025, 3, 31, 23, 0, tzinfo=UTC)
    assert record.description == "Refurbish the library.\r\nPhase 1."


def test_cf_award_with_planned_status_is_awarded():
    record = parse_release(samples.cf_award("planned"), "cf")
    assert record.stage == "awarded"
    assert record.notice_url == samples.CF_URL + "aaaaaaaa-0000-0000-0000-000000000004"
    assert parse_release(samples.cf_award("InvalidStatus"), "cf").stage == "awarded"


def test_region_codes():
    assert region_codes("Yorkshire and the Humber") == ("UKE",)
    assert region_codes("Yorkshire and The Humber") == ("UKE",)
    assert region_codes("Wales") == ("UKL",)
    assert region_codes("England") == ENGLAND
    assert region_codes("Channel Islands") == ("Channel Islands",)


def test_s2w_release():
    record = parse_release(samples.s2w_release(), "s2w")
    assert (record.stage, record.notice_type, record.legal_basis) == ("tender", None, "CELEX")
    assert (record.buyer_scheme, record.buyer_identifier) == ("S2W-NAME", "cyngor sir enghraifft county council")
    assert record.buyer_name == "Cyngor Sir Enghraifft County Council,"
    assert (record.value_amount, record.regions, record.cpv) == (0.01, ["UKL18"], [("77310000", None)])
    assert record.notice_url == samples.S2W_URL + "FEB499999"
    assert record.related_ids == ["2024/S 000-000001"]
    assert record.date == record.published == datetime(2025, 2, 21, tzinfo=UTC)


def test_welsh_locale_release_fills_welsh_fields():
    release = samples.s2w_release()
    release["language"] = "cy"
    record = parse_release(release, "s2w")
    assert record.title == record.title_cy == "Cynnal a chadw tiroedd / Grounds maintenance"
    assert parse_release(samples.s2w_release(), "s2w").title_cy is None  # S2W's usual "EN"


def test_release_without_id_gets_a_stable_id_from_its_notice_reference():
    record = parse_release(samples.s2w_release(release_id=None), "s2w")
    assert record.release_id == "ocds-kuma6s-148999-FEB499999"


@pytest.mark.parametrize(
    ("release", "message"),
    [
        (["not", "a", "dict"], "release is not a JSON object (got list)"),
        ({"id": "1", "date": "2026-01-01"}, "release has no ocid or an invalid one (None)"),
        ({"ocid": 7, "id": "1", "date": "2026-01-01"}, "release has no ocid or an invalid one (7)"),
        ({"ocid": "ocds-x-1", "id": 5, "date": "2026-01-01"}, "release ocds-x-1 has an invalid id 5"),
        ({"ocid": "ocds-x-1", "id": "  ", "date": "2026-01-01"}, "release ocds-x-1 has an invalid id '  '"),
        ({"ocid": "ocds-x-1", "date": "2026-01-01"}, "release ocds-x-1 has no id and no tender.documents[0].id"),
        ({"ocid": "ocds-x-1", "id": "1", "date": "yesterday"}, "release 1 has an unparseable date 'yesterday'"),
        ({"ocid": "ocds-x-1", "id": "1"}, "release 1 has an unparseable date None"),
    ],
)
def test_unparseable_release_raises_value_error_with_reason(release, message):
    with pytest.raises(ValueError) as error:
        parse_release(release, "fts")
    assert str(error.value).startswith(message)


def test_unknown_source_is_refused():
    with pytest.raises(ValueError, match="unknown source 'ted'"):
        parse_release(samples.uk1_pipeline(), "ted")


def test_wrong_types_in_optional_fields_become_none():
    release = samples.uk4_tender()
    release["tender"].update(
        value={"amount": "lots", "amountGross": True, "currency": 3},
        tenderPeriod={"endDate": "not a date"},
        lots=[{"id": 7, "suitability": "yes", "contractPeriod": []}, "junk", {"value": [1]}],
        items="junk",
        aboveThreshold="no",
        documents={"not": "a list"},
        title=["x"],
    )
    release.update(parties=[None, {"id": 3}], buyer="nobody", relatedProcesses=[{"identifier": 12}], tag="tender")
    release["planning"] = {"milestones": [{"type": ["engagement"]}], "documents": [{"documentType": ["odd"]}]}
    record = parse_release(release, "fts")
    assert (record.value_amount, record.value_gross, record.currency, record.deadline) == (None, None, None, None)
    assert [lot.id for lot in record.lots] == ["7", "2"]  # a lot without id: its position among the lots
    assert (record.title, record.above_threshold, record.tags, record.related_ids) == (None, None, [], [])
    assert (record.notice_type, record.stage, record.buyer_name, record.cpv) == (None, None, None, [])


def test_hostile_text_is_kept_verbatim_only_trimmed():
    release = samples.uk4_tender()
    release["tender"]["title"] = samples.HOSTILE_TITLE
    release["tender"]["description"] = "   "
    record = parse_release(release, "fts")
    assert record.title == '<script>alert("x")</script> <b>Bold</b> & "quotes"'
    assert record.description is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-08-10T11:41:20+01:00", datetime(2026, 8, 10, 10, 41, 20, tzinfo=UTC)),
        ("2026-01-10T11:41:20Z", datetime(2026, 1, 10, 11, 41, 20, tzinfo=UTC)),
        ("2026-08-10T11:41:20", datetime(2026, 8, 10, 10, 41, 20, tzinfo=UTC)),  # naive → London (BST)
        ("2026-01-10T11:41:20", datetime(2026, 1, 10, 11, 41, 20, tzinfo=UTC)),  # naive → London (GMT)
        ("2026-07-01", datetime(2026, 6, 30, 23, 0, tzinfo=UTC)),  # date-only → London midnight
        ("2026-07-01T00:00:00.123-05:00", datetime(2026, 7, 1, 5, 0, 0, 123000, tzinfo=UTC)),
        ("", None),
        ("31/12/2026", None),
        (20260701, None),
        (None, None),
    ],
)
def test_parse_datetime(text, expected):
    assert parse_datetime(text) == expected


# --- real recorded register data (skipped when ../shared/fixtures is absent) ---


def _raw_notice_types(value) -> list[str]:
    """Find every noticeType anywhere in a release: an independent count of what the parser looks for."""
    if isinstance(value, dict):
        found = [value["noticeType"]] if "noticeType" in value else []
        return found + [t for v in value.values() for t in _raw_notice_types(v)]
    if isinstance(value, list):
        return [t for v in value for t in _raw_notice_types(v)]
    return []


def test_every_fts_release_of_a_real_day_parses_with_the_right_notice_type():
    releases = [r for n in range(1, 6) for r in real_json(f"{FTS_DAY}/page-00{n}.json")["releases"]]
    records = [parse_release(release, "fts") for release in releases]
    independent = Counter((sorted(set(_raw_notice_types(r))) or ["legacy"])[0] for r in releases)
    parsed = Counter(record.notice_type or "legacy" for record in records)
    assert parsed == independent
    assert parsed == {
        "UK7": 181, "UK4": 79, "UK6": 49, "legacy": 73, "UK2": 35, "UK1": 15,
        "UK3": 6, "UK12": 4, "UK11": 7, "UK5": 7, "UK13": 2, "UK10": 1,
    }  # fmt: skip
    assert len(records) == 459
    assert all(r.stage in RELEASE_STAGES or r.notice_type in ("UK10", "UK11") for r in records)
    assert all(r.date.tzinfo is UTC and r.notice_url for r in records)
    legacy = [r for r in records if r.notice_type is None]
    assert {r.legal_basis for r in legacy} == {"CELEX"}


def test_every_real_contracts_finder_page_parses():
    paths = sorted(glob.glob(str(FIXTURES / "contracts_finder" / "*.json")))
    if not paths:
        real_json("contracts_finder")  # skips
    records = [parse_release(r, "cf") for p in paths for r in real_json(p)["releases"]]
    assert len(records) == 306
    assert Counter(r.stage for r in records) == {"tender": 153, "awarded": 142, "engagement": 9, "planned": 2}
    assert all(r.notice_url.startswith(samples.CF_URL) and r.sme is not None for r in records)
    assert {code for r in records for code in r.regions} <= {"UKC", "UKD", "UKE", "UKF", "UKG", "UKH", "UKI",
                                                              "UKJ", "UKK", "UKL", "UKM", "UKN"}  # fmt: skip


def test_every_real_sell2wales_release_parses_and_pcs_ids_are_derived():
    records = [parse_release(r, "s2w") for r in real_json("sell2wales/s2w_releases_2025-02_contract_notices_89.json")]
    assert len(records) == 89 and {r.stage for r in records} == {"tender"}
    assert all(r.buyer_scheme == "S2W-NAME" and r.notice_url.startswith(samples.S2W_URL) for r in records)
    scotland = real_json("scotland/pcs_releases_2019-04_contract_notices_90.json")
    ids = [parse_release(r, "s2w").release_id for r in scotland]
    assert len(set(ids)) == 90 and ids[0] == "ocds-r6ebe6-0000581860-APR352786"


EXPECTED_STAGE_BY_LABEL = {
    "UK1": "pipeline",
    "UK2": "engagement",
    "UK3": "planned",
    "UK4": "tender",
    "UK13": "tender",
    "UK12": "cancelled",
    "UK6": "awarded",
    "UK7": "awarded",
    "CELEX (PCR 2015) planning": "planned",
    "CELEX tender": "tender",
    "CELEX (PCR 2015) contract notice": "tender",
}


def test_derived_fts_selection_gives_the_labelled_stages():
    releases = real_json("find_a_tender/fts_DERIVED_selected_releases_by_notice_type.json")["releases"]
    index = real_json("find_a_tender/fts_DERIVED_selected_releases_by_notice_type.index.json")
    records = {r.release_id: r for r in (parse_release(release, "fts") for release in releases)}
    assert len(records) == len(index) == 23
    for entry in index:
        prefix = next(p for p in EXPECTED_STAGE_BY_LABEL if f"{entry['label']} ".startswith(p + " "))
        record = records[entry["release_id"]]
        assert (record.ocid, record.stage) == (entry["ocid"], EXPECTED_STAGE_BY_LABEL[prefix]), entry["label"]
        assert record.notice_type == (entry["noticeType"] or [None])[0]
        if "expressionOfInterestDeadline" in entry["label"]:
            assert record.deadline is not None
        if "GB-WLS" in entry["label"]:
            assert record.buyer_devolved == "GB-WLS"
        if "lot suitability" in entry["label"]:
            assert record.sme or record.vcse
