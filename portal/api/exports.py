"""Blueprint: a search as an Atom feed and an iCal calendar (and, in portal.api.spreadsheet, CSV), in the page's
language."""

from __future__ import annotations

from datetime import datetime, timedelta

from feedgen.feed import FeedGenerator
from flask import Blueprint, Flask, Response, current_app, request, url_for
from flask_babel import gettext as _
from icalendar import Calendar, Event

from portal.db import get_session
from portal.i18n import LANG_PREFIX, current_language
from portal.labels.formatting import money, plain_text, procurement_stage_label
from portal.models.tables import Procurement, utcnow
from portal.search.indexing import search_procurements
from portal.search.params import SearchParams, parse_search_args
from scrapers.vocabulary import FORWARD_STAGES, LONDON
from search_index.results import MAX_PAGE, MAX_PER_PAGE

bp = Blueprint("exports", __name__, url_prefix=LANG_PREFIX)
FEED_LIMIT = 100
CALENDAR_LIMIT = 1000
TITLE_LIMIT = 300  # characters of a title in a feed or calendar entry


def _index_dir() -> str:
    return current_app.config["INDEX_DIR"]


def search_all(params: SearchParams, limit: int) -> list[Procurement]:
    """Return up to `limit` procurements of a search, in its order, from its first page on."""
    text, filters, sort, _page, _per_page, _problems = params
    found: list[Procurement] = []
    page = 1
    while len(found) < limit:
        rows, results = search_procurements(
            text, filters, sort, page, MAX_PER_PAGE, facets=False, session=get_session(), explain=False
        )
        found.extend(rows)
        if page * MAX_PER_PAGE >= results.total or not results.hits or page >= MAX_PAGE:
            break
        page += 1
    return found[:limit]


def shorten(text: str, limit: int = TITLE_LIMIT) -> str:
    """Return text cut at a word before `limit` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:.-–") + "…"


def xml_text(value: str | None) -> str:
    """Return text without the control characters XML cannot carry (nor bidirectional overrides)."""
    return plain_text(value)


def _when(moment: datetime | None) -> str:
    return moment.astimezone(LONDON).replace(tzinfo=None).isoformat(sep=" ", timespec="minutes") if moment else ""


def title_of(p: Procurement) -> str:
    """Return the title in the page's language first, as published."""
    if current_language() == "cy" and p.title_cy:
        return p.title_cy
    return p.title or p.title_cy or _("Untitled notice")


def page_url(p: Procurement, lang: str | None = None) -> str:
    """Return the notice's page on this portal, in full."""
    return url_for("notices.notice", ocid=p.ocid, lang_code=lang or current_language(), _external=True)


def _summary(p: Procurement) -> str:
    parts = [procurement_stage_label(p)]
    if p.buyer_name:
        parts.append(p.buyer_name)
    if p.value_amount is not None:
        parts.append(_("%(amount)s excluding VAT", amount=money(p.value_amount, p.currency)))
    if p.deadline:
        parts.append(_("Deadline: %(date)s", date=_when(p.deadline)))
    elif p.expected_tender_date:
        parts.append(_("Expected tender date: %(date)s", date=_when(p.expected_tender_date)[:10]))
    return xml_text(" – ".join(parts))


def search_page_url(params: SearchParams) -> str:
    """Return the HTML search page of the same search."""
    query = params.query_string(page=None, per_page=None)
    return url_for("search.search", _external=True) + (f"?{query}" if query else "")


def feed_title(params: SearchParams) -> str:
    """Return the feed's title: the search words, when there are some."""
    if params.text:
        return xml_text(_("Piblinell: notices matching “%(query)s”", query=params.text))
    return _("Piblinell: notices")


@bp.route("/search.atom")
def atom():
    """Return the search as an Atom feed of its first notices."""
    params = parse_search_args(request.args)
    feed = FeedGenerator()
    feed.id(search_page_url(params))
    feed.title(feed_title(params))
    feed.author({"name": "Piblinell"})
    feed.link(href=search_page_url(params), rel="alternate")
    query = params.query_string(page=None, per_page=None)
    feed.link(href=url_for("exports.atom", _external=True) + (f"?{query}" if query else ""), rel="self")
    feed.language(current_language())
    feed.updated(utcnow())
    for p in reversed(search_all(params, FEED_LIMIT)):  # feedgen puts each new entry first
        entry = feed.add_entry()
        entry.id(page_url(p, "en"))
        entry.title(xml_text(shorten(title_of(p))))
        entry.link(href=page_url(p))
        entry.updated(p.updated_at or p.published_at or p.changed_at or utcnow())
        if p.published_at:
            entry.published(p.published_at)
        entry.summary(_summary(p))
    return Response(feed.atom_str(pretty=True), mimetype="application/atom+xml")


def calendar_events(p: Procurement) -> list[Event]:
    """Return a procurement's events: its tender deadline while open, its expected tender date while planned."""
    events = []
    stamp = p.changed_at or utcnow()
    if p.deadline and p.stage == "open":
        event = Event()
        event.add("uid", f"{p.ocid}-deadline@piblinell")
        event.add("dtstamp", stamp)
        event.add("dtstart", p.deadline)
        event.add("summary", xml_text(_("Tender deadline: %(title)s", title=shorten(title_of(p)))))
        event.add("description", _summary(p))
        event.add("url", page_url(p))
        events.append(event)
    if p.expected_tender_date and p.stage in FORWARD_STAGES:
        day = p.expected_tender_date.astimezone(LONDON).date()
        event = Event()
        event.add("uid", f"{p.ocid}-expected@piblinell")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", xml_text(_("Expected tender: %(title)s", title=shorten(title_of(p)))))
        event.add("description", _summary(p))
        event.add("url", page_url(p))
        events.append(event)
    return events


@bp.route("/search.ics")
def ics():
    """Return the search's tender deadlines and expected tender dates as an iCal calendar."""
    params = parse_search_args(request.args)
    calendar = Calendar()
    calendar.add("prodid", "-//Piblinell//Piblinell//" + current_language().upper())
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", feed_title(params))
    for p in search_all(params, CALENDAR_LIMIT):
        for event in calendar_events(p):
            calendar.add_component(event)
    return Response(calendar.to_ical(), mimetype="text/calendar")


def init_app(app: Flask) -> None:
    """Register the exports (the CSV's routes are in portal.api.spreadsheet)."""
    from portal.api import spreadsheet  # noqa: F401 (adds the CSV routes to bp)

    app.register_blueprint(bp)
