"""CPV codes from every item (tender, lots, awards, contracts) and contract periods of the awarded work."""

from __future__ import annotations

import glob
from collections import defaultdict
from datetime import UTC, datetime

from scrapers.compiler import compile_records
from scrapers.ocds import parse_release
from tests.realdata import FIXTURES, FTS_DAY, real_json
from tests.scrapers import samples

NOW = datetime(2026, 8, 11, tzinfo=UTC)


def _cpv_anywhere(value) -> set[str]:
    """Every CPV code anywhere in a release, found without the parser's paths."""
    if isinstance(value, dict):
        found = {value["id"]} if str(value.get("scheme", "")).upper() == "CPV" and value.get("id") else set()
        return found.union(*(_cpv_anywhere(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_cpv_anywhere(v) for v in value))
    return set()


def _compiled(releases: list[dict], source: str) -> dict[str, dict]:
    by_ocid = defaultdict(list)
    for release in releases:
        record = parse_release(release, source)
        by_ocid[record.ocid].append(record)
    return {ocid: compile_records(records, NOW) for ocid, records in by_ocid.items()}


def test_award_and_contract_items_give_cpv_codes():
    release = samples.uk6_award()
    release["awards"][0]["items"] = [
        {"id": "1", "additionalClassifications": [{"scheme": "CPV", "id": "77314000", "description": "Grounds"}]},
        {"id": "2", "additionalClassifications": [{"scheme": "CPV", "id": "77314000"}, {"scheme": "X", "id": "1"}]},
    ]
    release["contracts"] = [{"id": "1", "items": [{"id": "1", "classification": {"scheme": "cpv", "id": "77310000"}}]}]
    record = parse_release(release, "fts")
    assert record.cpv == [("77314000", "Grounds"), ("77310000", None)]
    assert record.main_cpv == "77314000"


def test_every_cpv_code_of_a_real_fts_day_is_kept():
    releases = [r for n in range(1, 6) for r in real_json(f"{FTS_DAY}/page-00{n}.json")["releases"]]
    for release in releases:
        record = parse_release(release, "fts")
        assert {code for code, _ in record.cpv} == _cpv_anywhere(release), release["id"]
        assert len(record.cpv) == len({code for code, _ in record.cpv})
    procurements = _compiled(releases, "fts")
    with_cpv = {ocid for ocid, p in procurements.items() if p["cpv"]}
    assert with_cpv == {r["ocid"] for r in releases if _cpv_anywhere(r)}
    assert len(with_cpv) == 427  # 197 before award and contract items were read


def test_every_cpv_code_of_the_real_contracts_finder_pages_is_kept():
    paths = sorted(glob.glob(str(FIXTURES / "contracts_finder" / "*.json")))
    if not paths:
        real_json("contracts_finder")  # skips
    for release in (r for p in paths for r in real_json(p)["releases"]):
        record = parse_release(release, "cf")
        assert {code for code, _ in record.cpv} == _cpv_anywhere(release), release["id"]
        assert record.main_cpv == release["tender"]["classification"]["id"]


def test_awarded_contract_dates_win_over_the_planned_ones_in_any_order():
    tender = samples.uk4_tender()  # lots plan 1 September 2026 to 30 September 2027
    award = samples.uk6_award()  # the award says 1 September 2026 to 31 August 2027
    award.update(ocid=tender["ocid"], date="2026-09-10T10:00:00+01:00")
    later_tender = samples.uk4_tender()
    later_tender.update(id="000203-2026", date="2026-09-11T10:00:00+01:00")
    for releases in ((tender, award), (award, later_tender)):
        procurement = compile_records([parse_release(r, "fts") for r in releases], NOW)
        assert procurement["contract_end"] == datetime(2027, 8, 31, 22, 59, 59, tzinfo=UTC)
        assert procurement["contract_max_extent"] is None  # the award states none; the plan's is not mixed in


def test_signed_contracts_of_several_notices_are_spanned():
    first, second = (samples.fts_release("UK7", release_id=f"00030{n}-2026") for n in (1, 2))
    first["contracts"][0].update(
        period={"startDate": "2026-09-01T09:00:00+01:00", "endDate": "2027-08-31T17:00:00+01:00"}
    )
    second["contracts"][0].update(
        id="2", period={"startDate": "2026-10-01T09:00:00+01:00", "endDate": "2028-08-31T17:00:00+01:00"}
    )
    procurement = compile_records([parse_release(first, "fts"), parse_release(second, "fts")], NOW)
    assert procurement["contract_start"] == datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
    assert procurement["contract_end"] == datetime(2028, 8, 31, 16, 0, tzinfo=UTC)


def test_real_contracts_finder_award_gives_the_awarded_period_not_the_planned_one():
    paths = sorted(glob.glob(str(FIXTURES / "contracts_finder" / "*.json")))
    if not paths:
        real_json("contracts_finder")  # skips
    procurements = _compiled([r for p in paths for r in real_json(p)["releases"]], "cf")
    # Planned 30 March 2022 to 31 March 2023; awarded 10 June to 31 October 2022.
    procurement = procurements["ocds-b5fd17-8f10f4b0-5455-4778-875b-2fc6bb7441f4"]
    assert procurement["contract_start"] == datetime(2022, 6, 9, 23, 0, tzinfo=UTC)
    assert procurement["contract_end"] == datetime(2022, 10, 31, 23, 59, 59, tzinfo=UTC)
    # Planned 6 January 2025 to 5 January 2026; awarded 23 January to 23 April 2025.
    procurement = procurements["ocds-b5fd17-e3b5f385-5989-4cf1-8849-01c247fc9c30"]
    assert procurement["contract_start"] == datetime(2025, 1, 23, tzinfo=UTC)
    assert procurement["contract_end"] == datetime(2025, 4, 23, 22, 59, 59, tzinfo=UTC)


def test_real_fts_contract_details_notice_gives_its_contract_period():
    releases = [r for n in range(1, 6) for r in real_json(f"{FTS_DAY}/page-00{n}.json")["releases"]]
    procurements = _compiled([r for r in releases if r["id"] == "075960-2026"], "fts")
    (procurement,) = procurements.values()
    assert procurement["latest_notice_type"] == "UK7"
    assert procurement["contract_start"] == datetime(2026, 8, 31, 23, 0, tzinfo=UTC)  # "2026-09-01T00:00:00Z"
    assert procurement["contract_end"] == datetime(2027, 7, 31, 22, 59, 59, tzinfo=UTC)  # "2027-07-31T23:59:59Z"


def _regions_anywhere(value) -> set[str]:
    """Every delivery region anywhere in a release, found without the parser's paths."""
    if isinstance(value, dict):
        found = {a["region"] for a in value.get("deliveryAddresses") or [] if a.get("region")}
        return found.union(*(_regions_anywhere(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_regions_anywhere(v) for v in value))
    return set()


def test_award_items_give_delivery_regions_so_welsh_awards_are_welsh():
    releases = [r for n in range(1, 6) for r in real_json(f"{FTS_DAY}/page-00{n}.json")["releases"]]
    for release in releases:
        assert set(parse_release(release, "fts").regions) == _regions_anywhere(release), release["id"]
    procurements = _compiled(releases, "fts")
    welsh_delivery = {r["ocid"] for r in releases if any(c.startswith("UKL") for c in _regions_anywhere(r))}
    assert welsh_delivery <= {ocid for ocid, p in procurements.items() if p["in_wales"]}
    assert sum(bool(p["regions"]) for p in procurements.values()) == 316  # 164 from tender items alone
    assert sum(p["in_wales"] for p in procurements.values()) == 26  # 22 from tender items alone
