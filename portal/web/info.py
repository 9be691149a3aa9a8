"""Blueprint: the information pages: about, accessibility, privacy, cookies and the registers' health."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Blueprint, current_app, render_template
from sqlalchemy import func
from sqlmodel import Session, select

from portal.collect.stats import source_health
from portal.db import get_session
from portal.i18n import LANG_PREFIX
from portal.models.tables import Release, utcnow
from scrapers.registry import REGISTERS
from scrapers.vocabulary import LONDON

bp = Blueprint("info", __name__, url_prefix=LANG_PREFIX)


@bp.route("/about")
def about():
    """Show what Piblinell is, where its data comes from and who it is for."""
    return render_template("info/about.html")


@bp.route("/accessibility")
def accessibility():
    """Show the accessibility statement and how to report a problem."""
    return render_template("info/accessibility.html", contact=current_app.config.get("CONTACT_EMAIL"))


@bp.route("/privacy")
def privacy():
    """Show what personal data the portal handles and why."""
    return render_template("info/privacy.html", contact=current_app.config.get("CONTACT_EMAIL"))


@bp.route("/cookies")
def cookies():
    """Show the strictly necessary cookies the portal sets."""
    return render_template("info/cookies.html", session_cookie=current_app.config.get("SESSION_COOKIE_NAME"))


def daily_counts(session: Session, now: datetime, days: int = 30) -> dict[str, list[tuple[date, int]]]:
    """Return, per register, the notices published on each of the last `days` days (London dates)."""
    since = now - timedelta(days=days)
    when = func.coalesce(Release.date, Release.received_at)
    counts: dict[str, dict[date, int]] = {source: {} for source in REGISTERS}
    for source, moment in session.exec(select(Release.source, when).where(when >= since)):
        if source in counts and moment is not None:
            day = moment.astimezone(LONDON).date() if moment.tzinfo else moment.date()
            counts[source][day] = counts[source].get(day, 0) + 1
    today = now.astimezone(LONDON).date()
    span = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    return {source: [(day, counts[source].get(day, 0)) for day in span] for source in REGISTERS}


@bp.route("/sources")
def sources():
    """Show each register's health: last successful collection, last error and notices per day."""
    session = get_session()
    daily = daily_counts(session, utcnow())
    health = source_health(session, list(REGISTERS))
    for row in health:
        row["daily"] = daily[row["source"]]
        row["total"] = sum(count for _day, count in row["daily"])
    # Newest day first, one column per register, in the order of `health`.
    days = [(day, [daily[source][i][1] for source in REGISTERS]) for i, (day, _n) in enumerate(daily[REGISTERS[0]])]
    return render_template("info/sources.html", health=health, days=days[::-1])
