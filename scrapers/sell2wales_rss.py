"""Sell2Wales RSS: a fallback list of new notices while the S2W API fails (docs/registers.md, "Sell2Wales RSS").

UNVERIFIED: no official documentation or sample of this feed was found. The URL comes from
third-party code, which assumes plain RSS 2.0 (`<item><title><link><description><pubDate>`);
the tests use small feeds written here in that shape, not recordings.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlsplit

import feedparser

from scrapers.base import FeedError
from scrapers.client import PoliteClient

_BST = re.compile(r"\s+BST\s*$", re.IGNORECASE)


def _parse_bst_date(value: str) -> time.struct_time | None:
    """Read an RFC 822 date in British Summer Time as UTC+1 (feedparser alone reads BST as UTC)."""
    if not _BST.search(value):
        return None  # let feedparser's own handlers deal with every other zone
    try:
        moment = parsedate_to_datetime(_BST.sub(" +0100", value))
    except (TypeError, ValueError):
        return None
    return moment.astimezone(UTC).timetuple()


# docs/libraries.md, "feedparser: BST dates" (6.0.14): a pubDate ending in BST is read as UTC, one hour wrong.
# Handlers registered later are tried first; this one answers only for "… BST".
feedparser.registerDateHandler(_parse_bst_date)


@dataclass(frozen=True)
class RssItem:
    """One RSS item: enough to find the notice page and to tell whether it is new."""

    guid: str
    title: str
    link: str
    published: datetime | None  # aware UTC
    summary: str
    notice_ref: str | None  # e.g. "FEB497921", the ID= of the notice page link


def notice_ref_of(link: str) -> str | None:
    """Return the `ID=` value of a Sell2Wales notice link, or None."""
    for key, value in parse_qsl(urlsplit(link).query, keep_blank_values=True):
        if key.lower() == "id" and value:
            return value
    return None


def parse_rss(data: bytes, headers: Mapping[str, str] | None = None) -> list[RssItem]:
    """Parse an RSS body into items, keeping what a malformed feed still yields."""
    feed = feedparser.parse(data, response_headers=dict(headers or {}))
    # docs/libraries.md, "feedparser: broken feeds": an HTML error page gives version ''
    # and no entries; malformed XML sets bozo=1
    # yet usually keeps its entries, which are worth more than nothing.
    if not feed.version and not feed.entries:
        problem = feed.get("bozo_exception") or "not an RSS or Atom document"
        raise FeedError(f"Sell2Wales RSS is not a feed ({problem}): {data[:120]!r}")
    return [_item(entry) for entry in feed.entries]


def _item(entry: feedparser.FeedParserDict) -> RssItem:
    link = entry.get("link", "")
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return RssItem(
        guid=entry.get("id") or link,  # a <guid> without isPermaLink="false" also becomes the link
        title=entry.get("title", ""),
        link=link,
        published=datetime(*parsed[:6], tzinfo=UTC) if parsed else None,
        summary=entry.get("summary", ""),
        notice_ref=notice_ref_of(link),
    )


class Sell2WalesRss:
    """Fetch the Sell2Wales RSS feed of current notices."""

    name = "s2w-rss"
    # Type=2 contract notices, all statuses (third-party code; docs/registers.md, "Sell2Wales RSS", unverified)
    default_path = "/rss/rss_switch.aspx?Type=2&ID=&Status=0"

    def __init__(self, client: PoliteClient, base_url: str, path: str = default_path) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.path = path

    def fetch(self) -> list[RssItem]:
        """Fetch and parse the feed."""
        url = f"{self.base_url}{self.path}"
        data, headers = self.client.get_bytes(url)
        try:
            return parse_rss(data, headers)
        except FeedError as exc:
            raise FeedError(f"{exc} (from {url})") from exc
