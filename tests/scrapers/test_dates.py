"""Dates as the source gave them: a day without a time (or at midnight or 23:59 in its own offset) is a day."""

from __future__ import annotations

import glob
import re
from datetime import UTC, date, datetime

import pytest

from scrapers.compiler import compile_records
from scrapers.ocds import parse_release
from scrapers.ocds_dates import DateOnly, parse_when
from scrapers.ocds_fields import parse_datetime
from scrapers.vocabulary import LONDON
from tests.realdata import FIXTURES, FTS_DAY, real_json
from tests.scrapers import samples


@pytest.mark.parametrize(
    ("text", "end", "expected", "day"),
    [
        # A deadline given as a date is open until the end of that day in London (BST: 22:59:59Z).
        ("2026-08-25", True, datetime(2026, 8, 25, 22, 59, 59, tzinfo=UTC), date(2026, 8, 25)),
        ("2026-08-25", False, datetime(2026, 8, 24, 23, 0, tzinfo=UTC), date(2026, 8, 25)),
        # 23:59:59 in its own offset (Z in summer) is that day, not 00:59:59 the next morning in London.
        ("2027-07-31T23:59:59Z", True, datetime(2027, 7, 31, 22, 59, 59, tzinfo=UTC), date(2027, 7, 31)),
        ("2026-09-01T00:00:00Z", False, datetime(2026, 8, 31, 23, 0, tzinfo=UTC), date(2026, 9, 1)),
        ("2026-09-15T23:59:00+01:00", True, datetime(2026, 9, 15, 22, 59, 59, tzinfo=UTC), date(2026, 9, 15)),
        ("2026-11-27T23:59:00+00:00", True, datetime(2026, 11, 27, 23, 59, 59, tzinfo=UTC), date(2026, 11, 27)),
        # Midnight given as an end is still the day it names.
        ("2024-12-21T00:00:00Z", True, datetime(2024, 12, 21, 23, 59, 59, tzinfo=UTC), date(2024, 12, 21)),
        ("2026-09-10T00:00:00", False, datetime(2026, 9, 9, 23, 0, tzinfo=UTC), date(2026, 9, 10)),  # naive: London
        # The days the clocks change.
        ("2026-03-29", True, datetime(2026, 3, 29, 22, 59, 59, tzinfo=UTC), date(2026, 3, 29)),
        ("2026-10-25", False, datetime(2026, 10, 24, 23, 0, tzinfo=UTC), date(2026, 10, 25)),
    ],
)
def test_a_day_is_held_within_that_london_day(text, end, expected, day):
    parsed = parse_when(text, end=end)
    assert isinstance(parsed, DateOnly) and parsed == expected and parsed.tzinfo == UTC
    assert parsed.london_date() == day


@pytest.mark.parametrize(
    "text",
    ["2026-08-26T14:00:00+01:00", "2026-08-26T00:00:01+01:00", "2026-08-26T23:58:59Z", "2026-08-26T12:00:00"],
)
def test_a_time_of_day_stays_an_instant(text):
    parsed = parse_when(text, end=True)
    assert not isinstance(parsed, DateOnly) and parsed == parse_datetime(text)


@pytest.mark.parametrize("value", [None, "", "31/12/2026", 20260825, ["2026-08-25"]])
def test_unreadable_dates_are_none(value):
    assert parse_when(value) is None


def test_a_deadline_given_as_a_date_closes_at_the_end_of_that_day():
    records = [parse_release(samples.uk4_tender(deadline="2026-08-25"), "fts")]
    evening = datetime(2026, 8, 25, 21, 30, tzinfo=UTC)  # 22:30 in London on the 25th
    procurement = compile_records(records, evening)
    assert procurement["deadline"] == datetime(2026, 8, 25, 22, 59, 59, tzinfo=UTC)
    assert type(procurement["deadline"]) is datetime  # an ordinary datetime for the database, flagged beside it
    assert procurement["deadline_is_date"] is True and procurement["stage"] == "open"
    assert compile_records(records, datetime(2026, 8, 25, 23, 0, tzinfo=UTC))["stage"] == "closed"
    timed = compile_records([parse_release(samples.uk4_tender(), "fts")], evening)
    assert timed["deadline_is_date"] is False


def test_lot_and_award_dates_are_flagged_too():
    procurement = compile_records([parse_release(samples.uk4_tender(), "fts")], datetime(2026, 8, 1, tzinfo=UTC))
    assert procurement["lots"][1]["contract_end"] == "2027-03-31T22:59:59+00:00"
    assert procurement["lots"][1]["contract_end_is_date"] is True
    award = compile_records([parse_release(samples.uk6_award(), "fts")], datetime(2026, 9, 1, tzinfo=UTC))
    assert award["awards"][0]["date_is_date"] is True
    assert award["contract_start_is_date"] and award["contract_end_is_date"]
    assert award["contract_max_extent_is_date"] is False  # not stated


# --- the recorded register data ---

# A day by the rule, written independently of the parser: no time, or 00:00(:00) or 23:59 on the clock.
_DAY = re.compile(r"^(\d{4}-\d\d-\d\d)(?:T(?:00:00(?::00(?:\.0+)?)?|23:59(?::\d\d(?:\.\d+)?)?)(?:Z|[+-]\d\d:\d\d)?)?$")
_PATHS = {
    ("tender", "tenderPeriod", "endDate"): True,
    ("tender", "expressionOfInterestDeadline"): True,
    ("tender", "communication", "futureNoticeDate"): False,
    ("tender", "contractPeriod", "startDate"): False,
    ("tender", "contractPeriod", "endDate"): True,
}


def _dates(release: dict) -> list[tuple[str, bool]]:
    """(text, is an end) of every date the parser reads as a possible day."""
    found = []
    for path, end in _PATHS.items():
        node = release
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        found.append((node, end))
    tender = release.get("tender") or {}
    periods = [lot.get("contractPeriod") for lot in tender.get("lots") or []]
    periods += [award.get("contractPeriod") for award in release.get("awards") or []]
    periods += [contract.get("period") for contract in release.get("contracts") or []]
    for period in periods:
        for key in ("startDate", "endDate", "maxExtentDate"):
            found.append(((period or {}).get(key), key != "startDate"))
    for milestone in (release.get("planning") or {}).get("milestones") or []:
        found.append((milestone.get("dueDate"), True))
    found += [(award.get("date"), False) for award in release.get("awards") or []]
    found += [(contract.get("dateSigned"), False) for contract in release.get("contracts") or []]
    return [(text, end) for text, end in found if isinstance(text, str)]


def _all_recorded_releases() -> list[dict]:
    releases = [r for n in range(1, 6) for r in real_json(f"{FTS_DAY}/page-00{n}.json")["releases"]]
    for path in sorted(glob.glob(str(FIXTURES / "contracts_finder" / "*.json"))):
        releases += real_json(path)["releases"]
    return releases + real_json("sell2wales/s2w_releases_2025-02_contract_notices_89.json")


def test_every_recorded_day_keeps_its_date_and_every_time_its_instant():
    days = moments = 0
    for release in _all_recorded_releases():
        for text, end in _dates(release):
            parsed = parse_when(text, end=end)
            match = _DAY.match(text)
            if match:
                days += 1
                assert isinstance(parsed, DateOnly) and parsed.london_date() == date.fromisoformat(match[1]), text
            else:
                moments += 1
                assert not isinstance(parsed, DateOnly) and parsed == parse_datetime(text), text
    assert (days, moments) == (3048, 265)


def test_real_dates_given_as_days():
    releases = {r["id"]: r for r in _all_recorded_releases() if r.get("id")}
    # Contracts Finder: "2024-12-21T00:00:00Z" closed at midnight, a day before the day it names.
    cf = parse_release(releases["261bb701-17a2-40a7-ae8c-6e1594139f2d-819603"], "cf")
    assert cf.deadline == datetime(2024, 12, 21, 23, 59, 59, tzinfo=UTC) and isinstance(cf.deadline, DateOnly)
    # Find a Tender: "2026-09-15T23:59:00+01:00".
    fts = parse_release(releases["075945-2026"], "fts")
    assert fts.deadline == datetime(2026, 9, 15, 22, 59, 59, tzinfo=UTC) and isinstance(fts.deadline, DateOnly)
    # UK7 contract "2026-09-01T00:00:00Z" to "2027-07-31T23:59:59Z": 1 September 2026 to 31 July 2027.
    uk7 = compile_records([parse_release(releases["075960-2026"], "fts")], datetime(2026, 8, 11, tzinfo=UTC))
    assert (uk7["contract_start_is_date"], uk7["contract_end_is_date"]) == (True, True)
    london = [uk7[name].astimezone(LONDON).date() for name in ("contract_start", "contract_end")]
    assert london == [date(2026, 9, 1), date(2027, 7, 31)]
    # A deadline with a time of day stays that moment: "2026-08-24T12:00:00+01:00".
    timed = parse_release(releases["075962-2026"], "fts")
    assert timed.deadline == datetime(2026, 8, 24, 11, 0, tzinfo=UTC) and not isinstance(timed.deadline, DateOnly)
