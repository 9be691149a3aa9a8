"""Blueprint: a buyer's page: its pipeline, open tenders, recent awards and how much of its work went to SMEs."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import func, nulls_last
from sqlmodel import Session, col, select

from portal.db import get_session
from portal.i18n import LANG_PREFIX
from portal.models.tables import Buyer, Procurement
from scrapers.vocabulary import FORWARD_STAGES as FORWARD

bp = Blueprint("buyers", __name__, url_prefix=LANG_PREFIX)
LIST_LIMIT = 20


def _count(session: Session, buyer_id: int, stages: tuple[str, ...]) -> int:
    query = select(func.count()).select_from(Procurement)
    return session.exec(query.where(Procurement.buyer_id == buyer_id, col(Procurement.stage).in_(stages))).one()


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


@bp.route("/buyer/<int:buyer_id>")
def buyer(buyer_id: int):
    """Show a buyer's planned work, open tenders, recent awards and its share of awards to SMEs."""
    session = get_session()
    found = session.get(Buyer, buyer_id)
    if found is None:
        abort(404)
    mine = select(Procurement).where(Procurement.buyer_id == buyer_id)
    forward = mine.where(col(Procurement.stage).in_(FORWARD)).order_by(
        nulls_last(col(Procurement.expected_tender_date).asc()), col(Procurement.id)
    )
    open_now = mine.where(Procurement.stage == "open").order_by(Procurement.deadline, Procurement.id)
    awarded = mine.where(Procurement.stage == "awarded").order_by(
        nulls_last(col(Procurement.updated_at).desc()), col(Procurement.id).desc()
    )
    awards_lists = session.exec(
        select(Procurement.awards).where(Procurement.buyer_id == buyer_id, Procurement.stage == "awarded")
    ).all()
    return render_template(
        "buyers/buyer.html",
        buyer=found,
        forward=list(session.exec(forward.limit(LIST_LIMIT))),
        forward_total=_count(session, buyer_id, FORWARD),
        open_now=list(session.exec(open_now.limit(LIST_LIMIT))),
        open_total=_count(session, buyer_id, ("open",)),
        awarded=list(session.exec(awarded.limit(10))),
        awarded_total=_count(session, buyer_id, ("awarded",)),
        sme=sme_share(list(awards_lists)),
    )
