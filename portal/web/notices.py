"""Blueprint: one procurement's page, with everything known about it and its history."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from sqlmodel import col, select

from portal.collect.history import history
from portal.db import get_session
from portal.i18n import LANG_PREFIX, current_language
from portal.models.tables import Buyer, Procurement, Release

bp = Blueprint("notices", __name__, url_prefix=LANG_PREFIX)


@bp.route("/notice/<ocid>")
def notice(ocid: str):
    """Show one procurement: its text, buyer, values, dates, lots, awards and every notice published about it."""
    session = get_session()
    procurement = session.exec(select(Procurement).where(Procurement.ocid == ocid)).first()
    if procurement is None:
        # A Sell2Wales ocid of a notice also on Find a Tender lives under the FTS procurement's ocid.
        release = session.exec(select(Release).where(Release.ocid == ocid).limit(1)).first()
        if release is None:
            abort(404)
        canonical = session.get(Procurement, release.procurement_id)
        return redirect(url_for("notices.notice", ocid=canonical.ocid))
    buyer = session.get(Buyer, procurement.buyer_id) if procurement.buyer_id else None
    related = []
    if procurement.buyer_id:
        related = list(
            session.exec(
                select(Procurement)
                .where(Procurement.buyer_id == procurement.buyer_id, Procurement.id != procurement.id)
                .order_by(col(Procurement.published_at).desc(), col(Procurement.id).desc())
                .limit(5)
            )
        )
    return render_template(
        "notices/notice.html",
        p=procurement,
        buyer=buyer,
        entries=history(session, procurement.id),
        related=related,
        texts=texts_in_order(procurement, current_language()),
    )


def texts_in_order(procurement: Procurement, lang: str) -> list[tuple[str, str | None, str | None]]:
    """Return (language, title, description) for each language the notice was published in, the page's first."""
    texts = [
        ("cy", procurement.title_cy, procurement.description_cy),
        ("en", procurement.title, procurement.description),
    ]
    if lang != "cy":
        texts.reverse()
    return [text for text in texts if text[1] or text[2]]
