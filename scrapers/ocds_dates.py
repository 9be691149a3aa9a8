"""Dates as the registers gave them: a day without a time stays that day, in London, wherever it is stored.

Registers often mean a whole day: a deadline of "2026-08-25", a contract ending "2027-07-31T23:59:59Z" or
starting "2026-09-01T00:00:00Z". Read as instants and shown in London time, the first looks like
"25 August, 00:00" (closing a day early) and the second like 1 August 2027 (BST is an hour ahead of Z).

So a value the source gives without a time, or at midnight or at 23:59 (any seconds) in its own offset,
is a date. It is held as a `DateOnly`: an aware UTC instant inside that London day, its first moment for a
start (00:00) and its last second for an end or deadline (23:59:59), so it compares, sorts and closes as
the buyer meant. Everything else is an instant, as `parse_datetime` reads it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from scrapers.ocds_fields import obj, objs, read_iso, to_utc
from scrapers.vocabulary import LONDON

START_OF_DAY = time(0, 0)
END_OF_DAY = time(23, 59, 59)


class DateOnly(datetime):
    """A day the register gave as a date, held as an aware UTC instant within that day in London.

    It compares and sorts as the instant; `isinstance(value, DateOnly)` is what says "show only the date".
    """

    __slots__ = ()

    def london_date(self) -> date:
        """Return the day the register gave."""
        return self.astimezone(LONDON).date()


def as_date(day: date, end: bool = False) -> DateOnly:
    """Return a London day as a DateOnly at its first moment, or at its last second when `end`."""
    moment = datetime.combine(day, END_OF_DAY if end else START_OF_DAY, tzinfo=LONDON).astimezone(UTC)
    return DateOnly.combine(moment.date(), moment.timetz())


def is_date(moment: datetime) -> bool:
    """Return True for a wall-clock time that means a whole day: midnight, or 23:59 (any seconds)."""
    clock = (moment.hour, moment.minute)
    return (clock == (0, 0) and moment.second == 0 and moment.microsecond == 0) or clock == (23, 59)


def parse_when(value: object, end: bool = False) -> datetime | None:
    """Parse an OCDS date: a DateOnly when it means a day (see the module), else an aware UTC instant.

    `end`: the value ends something (a deadline, a contract end), so a day lasts until its last second.
    """
    parsed = read_iso(value)
    if parsed is None:
        return None
    # The wall clock in the value's own offset (London when it has none) says whether it is a day.
    if is_date(parsed):
        return as_date(parsed.date(), end)
    return to_utc(parsed)


def plain(moment: datetime | None) -> datetime | None:
    """Return a DateOnly as an ordinary aware datetime (what the database and JSON are given)."""
    return None if moment is None else datetime.combine(moment.date(), moment.timetz())


PERIOD_KEYS = ("startDate", "endDate", "maxExtentDate")


def period_dates(period: object) -> tuple[datetime | None, datetime | None, datetime | None]:
    """Return (start, end, max extent) of an OCDS period."""
    period = obj(period)
    start, end, extent = (parse_when(period.get(key), end=key != "startDate") for key in PERIOD_KEYS)
    return start, end, extent


def span(periods: list[tuple[datetime | None, ...]]) -> tuple[datetime | None, datetime | None, datetime | None]:
    """Return the earliest start, the latest end and the latest max extent of some periods."""
    starts = [p[0] for p in periods if p[0]]
    ends = [p[1] for p in periods if p[1]]
    extents = [p[2] for p in periods if p[2]]
    return min(starts, default=None), max(ends, default=None), max(extents, default=None)


def contract_dates(tender: dict, lots: list[dict], release: dict) -> tuple[datetime | None, ...]:
    """Return (start, end, max extent): the awarded work's when the release has awards, else the planned ones.

    Signed contracts' `period` first, then the awards' `contractPeriod`, then the tender's `contractPeriod`,
    then the lots' spanned. CF award releases keep the tender's planned period beside the award's real one
    (seen: planned 30 March 2022 to 31 March 2023, awarded 10 June to 31 October 2022).
    """
    for periods in (
        [period_dates(c.get("period")) for c in objs(release.get("contracts"))],
        [period_dates(a.get("contractPeriod")) for a in objs(release.get("awards"))],
        [period_dates(tender.get("contractPeriod"))],
        # FTS puts planned contract periods on lots only (docs/registers.md, "Find a Tender: field paths").
        [period_dates(lot.get("contractPeriod")) for lot in lots],
    ):
        dates = span(periods)
        if any(dates):
            return dates
    return None, None, None
