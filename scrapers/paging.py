"""What the OCDS search APIs of FTS and Contracts Finder share: time windows and `links.next` chains."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import ClassVar
from urllib.parse import urlsplit, urlunsplit

from scrapers.base import FeedError, Page, Window
from scrapers.client import PoliteClient, build_url
from scrapers.vocabulary import LONDON

log = logging.getLogger(__name__)


def london_local(moment: datetime) -> str:
    """Format an aware datetime as the 19-char London-local time the UK registers expect."""
    # FTS reads updatedFrom/updatedTo as Europe/London and ignores a trailing Z
    # (docs/registers.md, "Find a Tender: times");
    # CF: "All times are local UK times" (CF API help page; docs/registers.md, "Contracts Finder: times").
    return moment.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M:%S")


def rebase_url(url: str, base_url: str) -> str:
    """Return `url` with its scheme and host replaced by those of `base_url` (path and query kept)."""
    # `links.next` is a full URL on the register's public host. Pointing it at the configured base
    # lets tests (and a caching proxy) serve the whole chain, and we never follow a link elsewhere.
    link, base = urlsplit(url), urlsplit(base_url)
    return urlunsplit((base.scheme, base.netloc, link.path, link.query, link.fragment))


def time_windows(since: datetime, until: datetime, size: timedelta, overlap: timedelta) -> list[Window]:
    """Cut [since, until) into windows of at most `size`, each starting `overlap` before the last ended."""
    if since.tzinfo is None or until.tzinfo is None:
        raise ValueError("since and until must be timezone-aware")
    start, until = since.astimezone(UTC), until.astimezone(UTC)
    windows: list[Window] = []
    while start < until:
        end = min(start + size, until)
        windows.append(Window(start=start, end=end))
        if end == until:
            break
        start = end - overlap
    return windows


class LinkedPagesCollector:
    """A register searched by a time window whose result pages are chained by `links.next`."""

    name: ClassVar[str]
    path: ClassVar[str]
    from_param: ClassVar[str]
    to_param: ClassVar[str]
    page_limit: ClassVar[int] = 100
    retry_forbidden: ClassVar[bool] = False

    def __init__(
        self, client: PoliteClient, base_url: str, window_size: timedelta, window_overlap: timedelta = timedelta(0)
    ) -> None:
        """Walk `base_url` in windows of `window_size` overlapping by `window_overlap` (scrapers.registry)."""
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.window_size = window_size
        self.window_overlap = window_overlap

    def windows(self, since: datetime, until: datetime) -> list[Window]:
        """Cut [since, until) into this register's search windows (true UTC bounds)."""
        return time_windows(since, until, self.window_size, self.window_overlap)

    def params(self, window: Window) -> dict[str, str]:
        """Return the query of a window's first page; `stages` is never sent.

        See docs/registers.md, "Find a Tender: stages filter".
        """
        return {
            self.from_param: london_local(window.start),
            self.to_param: london_local(window.end),
            "limit": str(self.page_limit),
        }

    def pages(self, window: Window) -> Iterator[Page]:
        """Yield one Page per response, following `links.next` until the `links` key is absent."""
        url = build_url(f"{self.base_url}{self.path}", self.params(window))
        seen_ids: dict[str, dict] = {}
        visited = {url}
        while True:
            package = self.client.get_json(url, retry_forbidden=self.retry_forbidden)
            releases = package.get("releases") or []
            if not isinstance(releases, list):
                raise FeedError(f"`releases` is not a list in the page from {url}")
            yield Page(url=url, releases=_new(releases, seen_ids))
            # The last FTS page has no `links` key at all; an empty `releases` is not the end
            # (docs/registers.md, "Find a Tender: paging").
            next_link = (package.get("links") or {}).get("next")
            if not next_link:
                return
            url = rebase_url(next_link, self.base_url)
            if url in visited:
                raise FeedError(f"`links.next` loops back to {url}")
            visited.add(url)


def _new(releases: list, seen_ids: dict[str, dict]) -> list[dict]:
    """Drop releases already seen whole in this window (FTS repeats some: docs/registers.md, "Find a Tender:
    duplicates"); another edition under the same `id` is kept, for ingest's rule (the later date wins) to choose."""
    fresh = []
    for release in releases:
        release_id = release.get("id") if isinstance(release, dict) else None
        if isinstance(release_id, str):
            if seen_ids.get(release_id) == release:
                log.info("dropping duplicate release %s", release_id)
                continue
            seen_ids[release_id] = release
        fresh.append(release)  # a release without an id is kept and left for the parser to report
    return fresh
