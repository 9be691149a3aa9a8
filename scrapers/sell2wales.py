"""Sell2Wales (S2W): Wales-only notices and Welsh text, best effort (docs/registers.md, "Sell2Wales API")."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

from scrapers.base import FeedError, Page, PartitionFailed, Window
from scrapers.client import HttpStatusError, PoliteClient, TransportError, build_url

log = logging.getLogger(__name__)

# S2W-doc: locale en = 2057, cy = 1106 (docs/registers.md, "Sell2Wales API: Welsh text")
ENGLISH, WELSH = "2057", "1106"

# F1 PIN, F2 contract notice, F3 award, F4/F5 utilities PIN/contract notice, and the Sell2Wales site
# notices 51 invitation to tender, 52 prior information, 53 award (docs/registers.md, "Sell2Wales API: notice types").
DEFAULT_NOTICE_TYPES = (1, 2, 3, 4, 5, 51, 52, 53)


def _month_start(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def _next_month(start: datetime) -> datetime:
    return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)


class Sell2Wales:
    """Fetch one month × one notice type per call, in English and in Welsh."""

    name = "s2w"
    path = "/v1/Notices"

    def __init__(
        self, client: PoliteClient, base_url: str, notice_types: tuple[int, ...] = DEFAULT_NOTICE_TYPES
    ) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.notice_types = notice_types
        # (window, message) for each partition whose English page was kept but whose Welsh call failed
        self.welsh_failures: list[tuple[Window, str]] = []

    def windows(self, since: datetime, until: datetime) -> list[Window]:
        """Return one window per calendar month touching [since, until) and per notice type."""
        # `dateFrom` is a month, mm-yyyy, and there is no pagination (S2W-doc; kingfisher-collect proactis_base.py).
        windows = []
        start = _month_start(since)
        until = until.astimezone(UTC)
        while start < until:
            end = min(_next_month(start), until)
            windows.extend(Window(start=start, end=end, partition=str(kind)) for kind in self.notice_types)
            start = _next_month(start)
        return windows

    def url(self, window: Window, locale: str) -> str:
        """Return the Notices URL of one partition in one language."""
        params = {
            "dateFrom": window.start.strftime("%m-%Y"),
            "noticeType": window.partition,
            "outputType": "0",  # 0 = OCDS
            "locale": locale,
        }
        return build_url(f"{self.base_url}{self.path}", params)

    def pages(self, window: Window) -> Iterator[Page]:
        """Yield the partition's single page: English releases, with the Welsh ones when they came."""
        english_url = self.url(window, ENGLISH)
        english = self._releases(english_url)
        try:
            welsh = self._releases(self.url(window, WELSH))
        except FeedError as exc:
            # The English text is still worth having; the Welsh gap is reported, not fatal.
            log.warning("Sell2Wales Welsh page missing for %s type %s: %s", window.start.date(), window.partition, exc)
            self.welsh_failures.append((window, str(exc)))
            welsh = []
        yield Page(url=english_url, releases=english, welsh_releases=welsh)

    def _releases(self, url: str) -> list[dict]:
        """Fetch one partition page; an HTTP error or a garbled body fails only this partition."""
        try:
            package = self.client.get_json(url)
        except HttpStatusError as exc:
            # Most 2026 queries answer 500 "Error converting data type nvarchar to float"
            # (docs/registers.md, "Sell2Wales API: errors in 2026").
            raise PartitionFailed(f"Sell2Wales HTTP {exc.status} for {url}: {exc.excerpt!r}") from exc
        except TransportError:
            raise  # the host is unreachable: every partition would fail the same way, so stop the run
        except FeedError as exc:
            raise PartitionFailed(f"Sell2Wales page unusable for {url}: {exc}") from exc
        # "Some responses are a release package with no releases array" (kingfisher-collect proactis_base.py).
        releases = package.get("releases") or []
        if not isinstance(releases, list):
            raise PartitionFailed(f"Sell2Wales `releases` is not a list for {url}")
        return releases
