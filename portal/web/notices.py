"""Blueprint: one procurement's page: what a supplier needs first (stage, buyer, value, dates, where, the link to
respond), then its text, details, awards and every notice published about it."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import lazy_gettext
from sqlmodel import col, select

from portal.collect.history import history
from portal.db import get_session
from portal.i18n import LANG_PREFIX, current_language
from portal.labels.cpv_divisions import division_label
from portal.models.tables import Buyer, Procurement, Release, utcnow
from scrapers.registry import SOURCES, source_of_ocid

bp = Blueprint("notices", __name__, url_prefix=LANG_PREFIX)
# CPV codes shown before the rest are folded away: a Sell2Wales notice may list over a hundred.
CPV_SHOWN = 5
# What a procurement's value is (scrapers.ocds_values): the register's estimate, the awards' or the contracts' sum.
VALUE_LABELS = {
    "estimated": lazy_gettext("Estimated value excluding VAT"),
    "awarded": lazy_gettext("Awarded value excluding VAT"),
    "contract": lazy_gettext("Contract value excluding VAT"),
}
# The dates the page lists, in order, and whether each is a moment (shown with its time unless given as a day).
KEY_DATES = (
    ("published_at", lazy_gettext("Published"), False),
    ("updated_at", lazy_gettext("Last updated"), False),
    ("deadline", lazy_gettext("Deadline for tenders"), True),
    ("expected_tender_date", lazy_gettext("Expected tender date"), False),
    ("engagement_deadline", lazy_gettext("Market engagement deadline"), True),
    ("contract_start", lazy_gettext("Contract start"), False),
    ("contract_end", lazy_gettext("Contract end"), False),
    ("contract_max_extent", lazy_gettext("Contract end with all extensions"), False),
)
# The stages at which a supplier can act on the register's notice; at the others the button only reads it.
RESPONDING_STAGES = ("open", "engagement")


@bp.route("/notice/<path:ocid>")  # an ocid may hold any character, "/" too
def notice(ocid: str):
    """Show one procurement: its summary and the link to respond first, then its text, details and history."""
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
    respond = respond_link(procurement)
    codes = cpv_items(procurement)
    own = respond["source"] if respond else source_of_ocid(procurement.ocid)
    return render_template(
        "notices/notice.html",
        p=procurement,
        buyer=buyer,
        entries=history(session, procurement.id),
        related=related,
        texts=texts_in_order(procurement, current_language()),
        respond=respond,
        responding=can_respond(procurement, utcnow()),
        elsewhere=[link for link in procurement.links or [] if link.get("source") != own],
        value_label=value_label(procurement),
        amount=stated(procurement.value_amount),
        cpv=[cpv_groups(part) for part in _split(codes, CPV_SHOWN)],  # the codes shown, then those folded away
        cpv_more=len(codes) - CPV_SHOWN,
        awards=award_rows([procurement]),
        dates=key_dates(procurement),
        register_url=register_url,
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


def key_dates(procurement: Procurement) -> list[tuple[str, datetime, bool]]:
    """Return (label, date, with its time) for each date the procurement states."""
    return [
        (str(label), getattr(procurement, name), moment and not getattr(procurement, f"{name}_is_date", False))
        for name, label, moment in KEY_DATES
        if getattr(procurement, name)
    ]


def can_respond(procurement: Procurement, now: datetime) -> bool:
    """Return whether a supplier can still act on the notice: an open tender, or market engagement whose
    deadline (when one was given) has not passed."""
    if procurement.stage not in RESPONDING_STAGES:
        return False
    return procurement.stage == "open" or not procurement.engagement_deadline or procurement.engagement_deadline > now


def register_url(source: str | None, url: str | None) -> str | None:
    """Return a notice's URL when it is on one of its register's own hosts (scrapers.registry), else None:
    a button that says "Respond on Find a Tender" must not take a supplier anywhere else."""
    registered = SOURCES.get(source or "")
    if not registered or not registered.hosts or not isinstance(url, str):
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or (parts.hostname or "") not in registered.hosts:
        return None
    return url.strip()


def respond_link(procurement: Procurement) -> dict | None:
    """Return {source, url} of the latest notice on the procurement's own register (the one its ocid names),
    else on any register, whose URL is on that register's hosts; None when no notice has such a URL."""
    own = source_of_ocid(procurement.ocid)
    links = [link for link in procurement.links or [] if register_url(link.get("source"), link.get("url"))]
    if not links:
        return None
    best = max(links, key=lambda link: (link.get("source") == own, str(link.get("date") or "")))
    return {"source": best["source"], "url": register_url(best["source"], best["url"])}


def stated(amount: float | None) -> float | None:
    """Return an amount a register stated, or None for none or zero: a notice's 0 means "not said", not £0."""
    return amount if amount else None


def value_label(procurement: Procurement) -> str:
    """Return the label of a procurement's value: estimated, awarded or contract when known, else plain."""
    label = VALUE_LABELS.get(getattr(procurement, "value_kind", None) or "")
    return str(label) if label else str(lazy_gettext("Value excluding VAT"))


def cpv_items(procurement: Procurement) -> list[dict]:
    """Return each CPV code once, the main one first, with the notice's own label (registers publish them in
    English; Sell2Wales publishes none) and its division's name in the page's language."""
    items: dict[str, dict] = {}
    main = [{"code": procurement.main_cpv}] if procurement.main_cpv else []
    for item in main + list(procurement.cpv or []):
        code = str(item.get("code") or "").strip()
        if code and code not in items:
            items[code] = {"code": code, "label": None, "division": division_label(code)}
        if code and item.get("label"):
            items[code]["label"] = str(item["label"])
    return list(items.values())


def cpv_groups(items: list[dict]) -> list[dict]:
    """Return codes grouped by division in the order first seen, so a division's name is shown once:
    {division, labelled: codes with a label of their own, bare: the others' codes}."""
    groups: dict[str, dict] = {}
    for item in items:
        group = groups.setdefault(item["division"], {"division": item["division"], "labelled": [], "bare": []})
        if item["label"]:
            group["labelled"].append(item)
        else:
            group["bare"].append(item["code"])
    return list(groups.values())


def award_rows(procurements: list[Procurement], bare: bool = False) -> list[dict]:
    """Return one row per award naming a supplier or a value: the procurement, its suppliers, value (the
    procurement's when it has one award that states none) and date (the award's, else the latest notice's);
    identical rows once. `bare`: a procurement with no such award has a row of its own (its value, no supplier)."""
    rows, seen = [], set()
    for procurement in procurements:
        awards = [a for a in procurement.awards or [] if a.get("suppliers") or stated(a.get("value_amount"))]
        if not awards and bare:
            awards = [{}]
        for award in awards:
            amount, currency = stated(award.get("value_amount")), award.get("currency")
            if amount is None and len(awards) == 1:
                amount, currency = stated(procurement.value_amount), procurement.currency
            suppliers = [
                {"name": supplier.get("name"), "sme": supplier.get("sme")} for supplier in award.get("suppliers") or []
            ]
            date = _moment(award.get("date")) or procurement.updated_at
            row = {
                "procurement": procurement,
                "suppliers": suppliers,
                "amount": amount,
                "currency": currency or procurement.currency,
                "date": date,
            }
            identity = (
                procurement.title,
                tuple((s["name"], s["sme"]) for s in suppliers),
                amount,
                row["currency"],
                date.date() if date else None,
            )
            if identity not in seen:
                seen.add(identity)
                rows.append(row)
    return rows


def _split(items: list, first: int) -> list[list]:
    """Return the first `first` items and the rest (shown folded away), leaving out an empty rest."""
    return [part for part in (items[:first], items[first:]) if part]


def _moment(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None
