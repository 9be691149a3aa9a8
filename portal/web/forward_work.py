"""Queries behind the home and pipeline pages: counts by stage, work expected by quarter, closing soon, renewals."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import String, case, cast, func, or_
from sqlmodel import Session, col, select

from portal.models.tables import Procurement
from scrapers.vocabulary import FORWARD_STAGES as FORWARD
from scrapers.vocabulary import LONDON, STAGES

_REGION = re.compile(r"^(UK|TL)[A-N][0-9A-Z]{0,3}$")
_CPV_DIVISION = re.compile(r"^\d{2}$")
_YES = ("1", "y", "on", "true")

Quarter = tuple[int, int]


def quarter_of(moment: datetime | date) -> Quarter:
    """Return the (year, quarter) a moment falls in, reckoned in London time."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(LONDON).date()
    return moment.year, (moment.month - 1) // 3 + 1


def next_quarters(now: datetime, count: int) -> list[Quarter]:
    """Return this quarter and the ones after it, `count` in all."""
    year, number = quarter_of(now)
    quarters = []
    for _ in range(count):
        quarters.append((year, number))
        year, number = (year + 1, 1) if number == 4 else (year, number + 1)
    return quarters


def quarter_start(quarter: Quarter) -> datetime:
    """Return the first moment of a quarter (London midnight) as UTC."""
    year, number = quarter
    return datetime(year, 3 * number - 2, 1, tzinfo=LONDON).astimezone(UTC)


@dataclass
class Filters:
    """The pipeline page's filters, read from the query string; unusable values are dropped and reported."""

    region: str | None = None
    cpv: str | None = None
    in_wales: bool = False
    sme: bool = False
    rejected: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> Filters:
        """Read the filters from request args, keeping only values of the expected shape."""
        filters = cls(in_wales=args.get("wales") in _YES, sme=args.get("sme") in _YES)
        region = (args.get("region") or "").strip().upper()
        if region and _REGION.match(region):
            filters.region = region
        elif region:
            filters.rejected.append("region")
        cpv = (args.get("cpv") or "").strip()
        if cpv and _CPV_DIVISION.match(cpv):
            filters.cpv = cpv
        elif cpv:
            filters.rejected.append("cpv")
        return filters

    @property
    def active(self) -> bool:
        """Return True when any filter narrows the results."""
        return bool(self.region or self.cpv or self.in_wales or self.sme)

    def apply(self, query):
        """Return the query narrowed by these filters, in SQL."""
        if self.in_wales:
            query = query.where(Procurement.in_wales == True)  # noqa: E712 (SQL expression)
        if self.sme:
            query = query.where(Procurement.sme == True)  # noqa: E712
        if self.region:
            # JSON lists are stored as text on both databases; the pattern is from a validated code only.
            query = query.where(cast(Procurement.regions, String).like(f'%"{self.region}%'))
        if self.cpv:
            codes = cast(Procurement.cpv, String)
            query = query.where(
                or_(
                    col(Procurement.main_cpv).like(f"{self.cpv}%"),
                    codes.like(f'%"code": "{self.cpv}%'),
                    codes.like(f'%"code":"{self.cpv}%'),
                )
            )
        return query


def stage_counts(session: Session) -> dict[str, int]:
    """Return the number of procurements at each stage, every stage present."""
    found = dict(session.exec(select(Procurement.stage, func.count()).group_by(Procurement.stage)).all())
    return {stage: found.get(stage, 0) for stage in STAGES}


def expected_by_quarter(session: Session, quarters: list[Quarter], filters: Filters | None = None) -> dict:
    """Return forward work counted by the quarter of its expected tender date, with the undated and out-of-range."""
    query = select(Procurement.expected_tender_date, Procurement.value_amount).where(
        col(Procurement.stage).in_(FORWARD)
    )
    if filters:
        query = filters.apply(query)
    counts = {quarter: 0 for quarter in quarters}
    values = {quarter: 0.0 for quarter in quarters}
    extra = {"earlier": 0, "later": 0, "undated": 0}
    for expected, value in session.exec(query):
        if expected is None:
            extra["undated"] += 1
            continue
        quarter = quarter_of(expected)
        if quarter in counts:
            counts[quarter] += 1
            values[quarter] += value or 0.0
        else:
            extra["earlier" if quarter < quarters[0] else "later"] += 1
    return {"counts": counts, "values": values, **extra}


def newest_forward(session: Session, limit: int = 5) -> list[Procurement]:
    """Return the latest published pipeline, engagement and planned procurements."""
    query = (
        select(Procurement)
        .where(col(Procurement.stage).in_(FORWARD))
        .order_by(col(Procurement.published_at).desc(), col(Procurement.id).desc())
        .limit(limit)
    )
    return list(session.exec(query))


def closing_soon(session: Session, now: datetime, days: int = 7, limit: int = 20) -> list[Procurement]:
    """Return open tenders whose deadline falls within `days`, soonest first."""
    query = (
        select(Procurement)
        .where(Procurement.stage == "open", Procurement.deadline >= now, Procurement.deadline <= now + timedelta(days))
        .order_by(Procurement.deadline, Procurement.id)
        .limit(limit)
    )
    return list(session.exec(query))


def forward_in_quarter(
    session: Session, quarter: Quarter | None, filters: Filters | None = None, limit: int = 10
) -> list[Procurement]:
    """Return forward work expected in a quarter (None: with no expected date), soonest first."""
    query = select(Procurement).where(col(Procurement.stage).in_(FORWARD))
    if quarter is None:
        query = query.where(col(Procurement.expected_tender_date).is_(None)).order_by(
            col(Procurement.published_at).desc()
        )
    else:
        year, number = quarter
        end = (year + 1, 1) if number == 4 else (year, number + 1)
        query = query.where(
            Procurement.expected_tender_date >= quarter_start(quarter),
            Procurement.expected_tender_date < quarter_start(end),
        ).order_by(Procurement.expected_tender_date)
    if filters:
        query = filters.apply(query)
    return list(session.exec(query.order_by(Procurement.id).limit(limit)))


def contract_ends():
    """Return the SQL expression for a contract's last possible day: its end, or its maximum extent when later."""
    return case(
        (Procurement.contract_max_extent > Procurement.contract_end, Procurement.contract_max_extent),
        else_=func.coalesce(Procurement.contract_end, Procurement.contract_max_extent),
    )


def renewals(session: Session, now: datetime, months: int = 18, filters: Filters | None = None) -> dict:
    """Return awarded contracts whose (extended) end falls within `months`, counted by quarter, and the soonest."""
    ends = contract_ends()
    until = now + timedelta(days=round(months * 30.44))
    query = select(Procurement, ends).where(Procurement.stage == "awarded", ends >= now, ends <= until)
    if filters:
        query = filters.apply(query)
    rows = list(session.exec(query.order_by(ends, Procurement.id)))
    quarters = [quarter for quarter in next_quarters(now, months // 3 + 1) if quarter_start(quarter) <= until]
    counts = {quarter: 0 for quarter in quarters}
    for _procurement, end in rows:
        end = end if end.tzinfo else end.replace(tzinfo=UTC)  # SQLite returns a CASE result naive
        counts[quarter_of(end)] = counts.get(quarter_of(end), 0) + 1
    return {"counts": counts, "soonest": [procurement for procurement, _end in rows[:10]], "total": len(rows)}
