"""Compose one alert email (pure: what to say in, the message's parts out; no database, no sending).

One digest per address per frequency per run (portal.alerts.plan): every procurement once, in sections, saying
which of the address's searches matched it and with which words, or what changed in one it follows (old and
new). Its one-click unsubscribe ends everything the email is about; the body also has a "stop" link per search
and per followed procurement, and the manage link. In the subscriber's language throughout (subject, body,
dates, plurals, Content-Language). See docs/design.md, "Email alerts: sending".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

from flask import render_template
from flask_babel import force_locale, lazy_gettext, ngettext
from flask_babel import gettext as _

from portal.alerts.changes import Change
from portal.alerts.describe import summary
from portal.labels.formatting import day_or_time, long_date, money, procurement_stage_label, stage_label
from portal.mail.links import absolute_url, base_url
from scrapers.vocabulary import FORWARD_STAGES

# The sections of an email, in order, with their headings.
SECTIONS = ("forward", "open", "closing", "other", "changes")
SECTION_HEADINGS = {
    "forward": lazy_gettext("New pipeline and planned work"),
    "open": lazy_gettext("New open tenders"),
    "closing": lazy_gettext("Closing within 7 days"),
    "other": lazy_gettext("Awards and other updates"),
    "changes": lazy_gettext("Changes to what you follow"),
}
CLOSING_WITHIN = timedelta(days=7)
DEFAULT_MAX_ITEMS = 50


def section_of(procurement, now: datetime) -> str | None:
    """The section a new procurement goes in, or None when it is not news to a search (a deadline passed)."""
    if procurement.stage in FORWARD_STAGES:
        return "forward"
    if procurement.stage == "open":
        deadline = procurement.deadline
        return "closing" if deadline is not None and now <= deadline <= now + CLOSING_WITHIN else "open"
    if procurement.stage in ("awarded", "cancelled"):
        return "other"
    return None


@dataclass(frozen=True)
class Match:
    """One of the address's searches that found a procurement, and the words it matched."""

    query: str
    words: tuple[str, ...] = ()


@dataclass
class Item:
    """One procurement in an email: its section, and the searches that matched it or the changes followed."""

    procurement: object  # a Procurement row (read only)
    section: str
    matches: list[Match] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)


@dataclass
class Email:
    """What one email says, to one address in one language."""

    to: str
    language: str
    items: list[Item]
    queries: list[str]  # the saved searches this email is about (for "see them all")
    unsubscribe_url: str  # one click ends every search and follow the email is about
    manage_url: str
    max_items: int = DEFAULT_MAX_ITEMS
    stop_searches: dict[str, str] = field(default_factory=dict)  # query -> its own unsubscribe URL
    stop_follows: dict[int, str] = field(default_factory=dict)  # followed procurement id -> its unsubscribe URL


@dataclass(frozen=True)
class Parts:
    """A composed email: subject, plain text, HTML and the extra headers."""

    subject: str
    text: str
    html: str
    headers: dict
    shown: tuple[int, ...] = ()  # the procurements the email lists (the rest are behind the search links)


def _search_name(query: str) -> str:
    """A search's words in quotes when it is only words, else each of its parameters (describe.summary)."""
    pairs = parse_qsl(query)
    if len(pairs) == 1 and pairs[0][0] == "q":
        return f"“{pairs[0][1]}”"
    return summary(query)


def subject_of(email: Email) -> str:
    """What the email is and how many: "5 new notices for your search “cleaning”", "12 new notices for your 3
    searches", "2 changes to work you follow" (a followed procurement that changed counts as a change, even when
    a search found it too: it is listed once, under the changes)."""
    found = sum(1 for item in email.items if item.section != "changes")
    changed = len(email.items) - found
    if found and len(email.queries) == 1:
        return ngettext(
            "%(num)d new notice for your search %(search)s",
            "%(num)d new notices for your search %(search)s",
            found,
            search=_search_name(email.queries[0]),
        )
    if found:  # several searches (never one: a digest with news from one search names it)
        return ngettext(
            "%(num)d new notice for your %(searches)d searches",
            "%(num)d new notices for your %(searches)d searches",
            found,
            searches=len(email.queries),
        )
    return ngettext(
        "%(num)d change to work you follow on Piblinell",
        "%(num)d changes to work you follow on Piblinell",
        changed,
    )


def _change_line(change: Change) -> str:
    if change.kind == "deadline":
        old = day_or_time(datetime.fromisoformat(change.old)) if change.old else _("none")
        new = day_or_time(datetime.fromisoformat(change.new)) if change.new else _("none")
        return _("Deadline moved from %(old)s to %(new)s", old=old, new=new)
    if change.kind == "value":
        old = money(*change.old) if change.old else _("not stated")
        new = money(*change.new) if change.new else _("not stated")
        return _("Value changed from %(old)s to %(new)s", old=old, new=new)
    if change.kind == "lots":
        return ngettext("Lots changed: now %(num)d lot", "Lots changed: now %(num)d lots", change.new)
    if change.kind == "documents":
        return ngettext(
            "Documents changed: now %(num)d document", "Documents changed: now %(num)d documents", change.new
        )
    if change.kind == "awarded":
        names = ", ".join(change.new)
        return _("Awarded to %(suppliers)s", suppliers=names) if names else _("Awarded")
    return _("Cancelled or withdrawn (previous stage: %(stage)s)", stage=stage_label(change.old))


def _procurement_view(procurement, lang: str) -> dict:
    """What an email says of a procurement, whoever it is for (the same for every email in one language)."""
    title = (procurement.title_cy if lang == "cy" and procurement.title_cy else procurement.title) or procurement.ocid
    facts = [procurement_stage_label(procurement)]
    if procurement.deadline is not None and procurement.stage == "open":
        facts.append(_("Deadline: %(when)s", when=day_or_time(procurement.deadline)))
    elif procurement.expected_tender_date is not None and procurement.stage in FORWARD_STAGES:
        facts.append(_("Expected to come to market: %(when)s", when=long_date(procurement.expected_tender_date)))
    if procurement.value_amount is not None:
        facts.append(money(procurement.value_amount, procurement.currency))
    return {
        "title": title,
        "buyer": procurement.buyer_name or "",
        "url": absolute_url("notices.notice", ocid=procurement.ocid, lang_code=lang),
        "facts": facts,
    }


def _matched_line(match: Match, lang: str, cache: dict) -> str:
    key = ("match", lang, match)
    if key not in cache:
        search = _search_name(match.query)
        cache[key] = (
            _("Your search %(search)s matched: %(words)s", search=search, words=", ".join(match.words))
            if match.words
            else _("Your search %(search)s matched", search=search)
        )
    return cache[key]


def _view(item: Item, lang: str, cache: dict, stop_follows: dict) -> dict:
    key = ("procurement", lang, item.procurement.id)
    if key not in cache:
        cache[key] = _procurement_view(item.procurement, lang)
    return {
        **cache[key],
        "matched": [_matched_line(match, lang, cache) for match in item.matches],
        "changes": [_change_line(change) for change in item.changes],
        "stop_url": stop_follows.get(item.procurement.id) if item.changes else None,
    }


def _order(items: list[Item]) -> list[Item]:
    def key(item: Item):
        procurement = item.procurement
        when = procurement.deadline if item.section == "closing" else procurement.published_at
        stamp = when.timestamp() if when else 0.0
        return (SECTIONS.index(item.section), stamp if item.section == "closing" else -stamp, procurement.id)

    return sorted(items, key=key)


def list_id() -> str:
    """`Piblinell alerts <alerts.<host>>` (RFC 2919), from PUBLIC_BASE_URL's host."""
    host = urlsplit(base_url()).hostname or "localhost"
    return f"Piblinell alerts <alerts.{host}>"


def compose(email: Email, cache: dict | None = None) -> Parts:
    """Render the email in its subscriber's language; at most `max_items` procurements, then a link to the
    full searches. Must run in an app context (templates, PUBLIC_BASE_URL). `cache` (a dict kept for one run
    over procurements that do not change meanwhile) keeps what is said of a procurement or a match in a
    language, for every email of the run that lists it."""
    lang, cache = email.language, {} if cache is None else cache
    with force_locale(lang):
        ordered = _order(email.items)
        shown, left_out = ordered[: email.max_items], len(ordered) - min(len(ordered), email.max_items)
        sections = []
        for name in SECTIONS:
            views = [_view(item, lang, cache, email.stop_follows) for item in shown if item.section == name]
            if views:
                sections.append({"heading": str(SECTION_HEADINGS[name]), "items": views, "name": name})
        searches = [
            {
                "name": _search_name(query),
                "url": absolute_url("search.search", lang_code=lang) + "?" + query,
                "stop_url": email.stop_searches.get(query),
            }
            for query in email.queries
        ]
        context = {
            "lang": lang,
            "subject": subject_of(email),
            "sections": sections,
            "left_out": left_out,
            "searches": searches,
            "unsubscribe_url": email.unsubscribe_url,
            "manage_url": email.manage_url,
            # one link per search or follow, beside the email's own, when the email is about more than one
            "each": len(email.stop_searches) + len(email.stop_follows) > 1,
        }
        text = render_template("alerts/email/digest.txt", **context)
        html = render_template("alerts/email/digest.html", **context)
    headers = {
        "List-Unsubscribe": f"<{email.unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": list_id(),
    }
    return Parts(context["subject"], text, html, headers, tuple(item.procurement.id for item in shown))
