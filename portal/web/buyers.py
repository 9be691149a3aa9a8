"""Blueprint: a buyer's page: its work at every stage, who it awarded contracts to, and how much went to SMEs."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from sqlalchemy import func, nulls_last
from sqlmodel import Session, col, select

from portal.collect.buyer_upsert import name_key, name_key_sql
from portal.db import get_session
from portal.i18n import LANG_PREFIX
from portal.models.tables import Buyer, Procurement
from portal.web.notices import award_rows
from scrapers.vocabulary import FORWARD_STAGES as FORWARD

bp = Blueprint("buyers", __name__, url_prefix=LANG_PREFIX)
LIST_LIMIT = 20
AWARD_ROWS = 40  # a framework may award dozens of suppliers at once
# The page's sections: (id, stages, how they are ordered), soonest or latest first.
SECTIONS = (
    ("forward", FORWARD, (nulls_last(col(Procurement.expected_tender_date).asc()),)),
    ("open", ("open",), (col(Procurement.deadline).asc(),)),
    ("closed", ("closed",), (nulls_last(col(Procurement.deadline).desc()),)),
    ("awarded", ("awarded",), (nulls_last(col(Procurement.updated_at).desc()),)),
    ("cancelled", ("cancelled",), (nulls_last(col(Procurement.updated_at).desc()),)),
)


def sme_share(awards_lists: list[list[dict]]) -> dict:
    """Return how many awards name suppliers whose size was published, and how many of those went to an SME."""
    known = to_sme = 0
    for awards in awards_lists:
        for award in awards or []:
            flags = [supplier.get("sme") for supplier in award.get("suppliers") or []]
            if not flags or any(flag is None for flag in flags):
                continue  # the register did not say for every supplier: not counted either way
            known += 1
            to_sme += any(flags)
    return {"known": known, "to_sme": to_sme, "percent": round(100 * to_sme / known) if known else None}


def stage_counts(session: Session, buyer_id: int) -> dict[str, int]:
    """Return how many of a buyer's procurements are at each stage."""
    query = select(Procurement.stage, func.count()).where(Procurement.buyer_id == buyer_id)
    return dict(session.exec(query.group_by(Procurement.stage)).all())


def merged_into(session: Session, found: Buyer) -> int | None:
    """Return the buyer a buyer with no procurements was merged into: the oldest of the same name that has some
    (a database filled before buyers were matched by name keeps the others' rows); None when there is none."""
    if session.exec(select(Procurement.id).where(Procurement.buyer_id == found.id).limit(1)).first():
        return None
    rows = session.exec(
        select(Buyer.id, Buyer.name)
        .join(Procurement, col(Procurement.buyer_id) == Buyer.id)
        .where(name_key_sql(Buyer.name) == name_key(found.name), Buyer.id != found.id)
        .distinct()
    )
    ids = [buyer_id for buyer_id, name in rows if name_key(name) == name_key(found.name)]
    return min(ids) if ids else None


@bp.route("/buyer/<int(max=2147483647):buyer_id>")  # beyond both databases' integer ids: a 404, not a 500
def buyer(buyer_id: int):
    """Show a buyer's work at every stage, its awards (supplier, value, date) and its share of awards to SMEs."""
    session = get_session()
    found = session.get(Buyer, buyer_id)
    if found is None:
        abort(404)
    if (target := merged_into(session, found)) is not None:
        return redirect(url_for("buyers.buyer", buyer_id=target), 301)
    counts = stage_counts(session, buyer_id)
    sections = {}
    for name, stages, order in SECTIONS:
        query = select(Procurement).where(Procurement.buyer_id == buyer_id, col(Procurement.stage).in_(stages))
        sections[name] = {
            "items": list(session.exec(query.order_by(*order, col(Procurement.id).desc()).limit(LIST_LIMIT))),
            "total": sum(counts.get(stage, 0) for stage in stages),
        }
    awards_lists = session.exec(
        select(Procurement.awards).where(Procurement.buyer_id == buyer_id, Procurement.stage == "awarded")
    ).all()
    awards = award_rows(sections["awarded"]["items"], bare=True)
    return render_template(
        "buyers/buyer.html",
        buyer=found,
        total=sum(counts.values()),
        sections=sections,
        awards=awards[:AWARD_ROWS],
        awards_cut=len(awards) > AWARD_ROWS,
        sme=sme_share(list(awards_lists)),
    )
