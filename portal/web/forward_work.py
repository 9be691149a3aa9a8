"""Queries behind the home and pipeline pages: counts by stage, work expected by quarter, closing soon, renewals."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from portal.models.tables import Procurement
from portal.search.indexing import matching_procurement_ids
from portal.search.params import SearchParams
from scrapers.vocabulary import FORWARD_STAGES as FORWARD
from scrapers.vocabulary import LONDON, STAGES

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


def matching_ids(params: SearchParams, stages: tuple[str, ...]) -> set[int] | None:
    """Return the ids of procurements at these stages that the search's words and filters find, through the
    search index like every other page (None: nothing narrows them, so every procurement counts)."""
    if not params.text and not params.filtered:
        return None
    wanted = tuple(stage for stage in (params.filters.stages or stages) if stage in stages)
    if not wanted:
        return set()
    return matching_procurement_ids(params.text, replace(params.filters, stages=wanted))


def _within(query, ids: set[int] | None):
    """Return the query narrowed to some procurement ids (None: not narrowed)."""
    return query if ids is None else query.where(col(Procurement.id).in_(sorted(ids)))


def stage_counts(session: Session) -> dict[str, int]:
    """Return the number of procurements at each stage, every stage present."""
    found = dict(session.exec(select(Procurement.stage, func.count()).group_by(Procurement.stage)).all())
    return {stage: found.get(stage, 0) for stage in STAGES}


def expected_by_quarter(session: Session, quarters: list[Quarter], ids: set[int] | None = None) -> dict:
    """Return forward work counted by the quarter of its expected tender date, with the undated and out-of-range."""
    query = select(Procurement.expected_tender_date, Procurement.value_amount).where(
        col(Procurement.stage).in_(FORWARD)
    )
    query = _within(query, ids)
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
    session: Session, quarter: Quarter | None, ids: set[int] | None = None, limit: int = 10
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
    return list(session.exec(_within(query, ids).order_by(Procurement.id).limit(limit)))


def contract_ends():
    """Return the SQL expression for a contract's last possible day: its end, or its maximum extent when later."""
    return case(
        (Procurement.contract_max_extent > Procurement.contract_end, Procurement.contract_max_extent),
        else_=func.coalesce(Procurement.contract_end, Procurement.contract_max_extent),
    )


def renewals(session: Session, now: datetime, months: int = 18, ids: set[int] | None = None) -> dict:
    """Return awarded contracts whose (extended) end falls within `months`, counted by quarter, and the soonest,
    each as {procurement, ends (its last possible day), suppliers (the incumbents' names)}."""
    ends = contract_ends()
    until = now + timedelta(days=round(months * 30.44))
    query = select(Procurement, ends).where(Procurement.stage == "awarded", ends >= now, ends <= until)
    query = _within(query, ids)
    rows = list(session.exec(query.order_by(ends, Procurement.id)))
    quarters = [quarter for quarter in next_quarters(now, months // 3 + 1) if quarter_start(quarter) <= until]
    counts = {quarter: 0 for quarter in quarters}
    for _procurement, end in rows:
        end = end if end.tzinfo else end.replace(tzinfo=UTC)  # SQLite returns a CASE result naive
        counts[quarter_of(end)] = counts.get(quarter_of(end), 0) + 1
    soonest = [
        {"procurement": p, "ends": end if end.tzinfo else end.replace(tzinfo=UTC), "suppliers": incumbents(p)}
        for p, end in rows[:10]
    ]
    return {"counts": counts, "soonest": soonest, "total": len(rows)}


def incumbents(procurement: Procurement) -> list[str]:
    """Return the names of the suppliers a procurement was awarded to, each once, in order."""
    names: dict[str, None] = {}
    for award in procurement.awards or []:
        for supplier in award.get("suppliers") or []:
            if name := " ".join(str(supplier.get("name") or "").split()):
                names.setdefault(name, None)
    return list(names)
