"""Values: estimated (tender, lots), awarded (awards) and contract (contracts), and the one a procurement sorts by."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime
from functools import cache

import pytest

from scrapers.compiler import compile_records
from scrapers.ocds import parse_release
from scrapers.ocds_values import Money, total
from tests.realdata import FTS_DAY, real_json
from tests.scrapers import samples

NOW = datetime(2026, 8, 11, tzinfo=UTC)


def compiled(*releases: dict) -> dict:
    return compile_records([parse_release(release, "fts") for release in releases], NOW)


def test_zero_is_not_a_value():
    release = samples.uk4_tender()
    release["tender"]["value"] = {"amount": 0, "amountGross": 0.0, "currency": "GBP"}
    for lot in release["tender"]["lots"]:
        lot.pop("value", None)
    record = parse_release(release, "fts")
    assert (record.value_amount, record.value_gross) == (None, None)
    procurement = compile_records([record], NOW)
    assert (procurement["value_amount"], procurement["value_gross"], procurement["value_kind"]) == (None, None, None)


def test_estimate_falls_back_to_the_lots_when_the_tender_states_none():
    release = samples.uk4_tender()
    del release["tender"]["value"]
    release["tender"]["lots"][1]["value"] = {"amount": 40000, "amountGross": 48000, "currency": "GBP"}
    procurement = compiled(release)
    assert (procurement["value_amount"], procurement["value_gross"], procurement["currency"]) == (100000, 120000, "GBP")
    assert procurement["value_kind"] == "estimated"


def test_award_value_replaces_the_estimate_and_a_contract_replaces_its_award():
    tender = samples.uk4_tender()
    award = samples.uk6_award()
    award.update(ocid=tender["ocid"], date="2026-09-10T10:00:00+01:00")
    procurement = compiled(tender, award)
    assert (procurement["value_amount"], procurement["value_gross"], procurement["value_kind"]) == (
        None,
        120000,
        "awarded",
    )
    contract = samples.fts_release("UK7", release_id="000302-2026", date="2026-09-20T10:00:00+01:00")
    contract["awards"] = [{"id": "1", "status": "active"}]  # UK7 restates the award without its value
    contract["contracts"][0].update(awardID="1", value={"amount": 95000, "amountGross": 114000, "currency": "GBP"})
    procurement = compiled(tender, award, contract)
    assert (procurement["value_amount"], procurement["value_gross"], procurement["value_kind"]) == (
        95000,
        114000,
        "contract",
    )
    assert procurement["awards"][0]["value_gross"] == 120000  # the bare restatement keeps the award's value


def test_sums_only_share_a_currency():
    gbp = Money(100.0, 120.0, "GBP", "awarded")
    assert total([gbp, Money(50.0, 60.0, "GBP", "awarded")]) == Money(150.0, 180.0, "GBP", "awarded")
    assert total([gbp, Money(5000.0, None, "USD", "contract")]) == gbp  # never a dollar in a pound sum
    assert total([Money(5000.0, None, "USD", "contract")]) == Money(5000.0, None, "USD", "contract")
    # A net sum only when every part states a net amount.
    assert total([gbp, Money(None, 60.0, "GBP", "awarded")]) == Money(None, 180.0, "GBP", "awarded")
    assert total([Money(100.0, None, "GBP"), Money(None, 60.0, "GBP")]) is None
    assert total([Money(None, None, "GBP")]) is None


def test_framework_awards_restating_one_ceiling_are_not_summed():
    lots_1_2 = frozenset({"1", "2"})
    same = [Money(5.0, 6.0, "GBP", "awarded", lots_1_2), Money(5.0, 6.0, "GBP", "awarded", frozenset({"2"}))]
    assert total(same, framework=True) == Money(5.0, 6.0, "GBP", "awarded")
    assert total(same) == Money(10.0, 12.0, "GBP", "awarded")
    disjoint = [Money(5.0, 6.0, "GBP", "awarded", frozenset({"1"})), Money(3.0, 4.0, "GBP", "awarded", frozenset("2"))]
    assert total(disjoint, framework=True) == Money(8.0, 10.0, "GBP", "awarded")


# --- the recorded Find a Tender day ---


@cache
def _fts_day() -> tuple[list[dict], dict[str, dict]]:
    releases = [r for n in range(1, 6) for r in real_json(f"{FTS_DAY}/page-00{n}.json")["releases"]]
    by_ocid = defaultdict(list)
    for release in releases:
        record = parse_release(release, "fts")
        by_ocid[record.ocid].append(record)
    return releases, {ocid: compile_records(records, NOW) for ocid, records in by_ocid.items()}


def _stated(node: dict) -> bool:
    value = node.get("value") or {}
    return any(
        isinstance(value.get(key), int | float) and not isinstance(value.get(key), bool) and value[key] > 0
        for key in ("amount", "amountGross")
    )


def test_every_procurement_of_a_real_day_with_a_stated_value_has_one():
    releases, procurements = _fts_day()
    # Independently of the parser: any positive amount in tender, lots, awards or contracts.
    expected = set()
    for release in releases:
        tender = release.get("tender") or {}
        nodes = [tender, *(tender.get("lots") or []), *(release.get("awards") or []), *(release.get("contracts") or [])]
        if any(_stated(node) for node in nodes):
            expected.add(release["ocid"])
    valued = {o for o, p in procurements.items() if p["value_amount"] is not None or p["value_gross"] is not None}
    assert len(procurements) == 438
    assert valued == expected and len(valued) == 383  # 110 before contract and award values were read
    contracted = {r["ocid"] for r in releases if any(_stated(c) for c in r.get("contracts") or [])}
    assert contracted <= {o for o, p in procurements.items() if p["value_kind"] in ("contract", "awarded")}
    assert Counter(p["value_kind"] for p in procurements.values()) == {
        "contract": 234,
        "estimated": 100,
        "awarded": 49,
        None: 55,
    }


@pytest.mark.parametrize(
    ("ocid", "amount", "gross", "currency", "kind"),
    [
        # UK6 then UK7 restating the same award as a contract: counted once.
        ("ocds-h6vhtk-06e08b", 76359.2, 91631.04, "GBP", "contract"),
        # Two contracts of one UK7, for two lots: summed.
        ("ocds-h6vhtk-06030b", 8132981.28 + 8542433.9, 9759577.53 + 10250920.68, "GBP", "contract"),
        # A framework of 62 suppliers, each award restating the agreement's 5,000,000: not 310 million.
        ("ocds-h6vhtk-06972b", 5000000, 5000000, "GBP", "awarded"),
        # A framework's awards for three separate lots: summed.
        ("ocds-h6vhtk-060348", 28353016 + 40504308 + 12151292, 34023619 + 48605170 + 14581551, "GBP", "awarded"),
        # A contract in dollars stays in dollars.
        ("ocds-h6vhtk-06e08e", 221291, None, "USD", "contract"),
        # A UK12 cancellation restating the award and contract bare does not erase the award's value.
        ("ocds-h6vhtk-06dfd9", 250000, 300000, "GBP", "awarded"),
        # A UK1 stating 0 states no value.
        ("ocds-h6vhtk-06e01a", None, None, None, None),
    ],
)
def test_real_procurement_values(ocid, amount, gross, currency, kind):
    procurement = _fts_day()[1][ocid]
    found = (procurement["value_amount"], procurement["value_gross"], procurement["currency"])
    assert found == pytest.approx((amount, gross, currency)) and procurement["value_kind"] == kind
