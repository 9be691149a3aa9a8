"""Every source of notices, once: the registers we collect and the portal's own buyer-published work.

Adding a register means one collector module and one `Source` here; the configuration, the clock, the
importer, the CLI, the search filters, the API and the pages all read this table (their labels in English
and Welsh live in `portal.labels.formatting`, and a test checks each source has both). The facts behind
each number are in docs/registers.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from scrapers.client import USER_AGENT, PoliteClient
from scrapers.contracts_finder import ContractsFinder
from scrapers.find_a_tender import FindATender
from scrapers.sell2wales import Sell2Wales
from scrapers.sell2wales_rss import Sell2WalesRss

Collector = FindATender | ContractsFinder | Sell2Wales | Sell2WalesRss


@dataclass(frozen=True)
class Source:
    """One source of notices and how to collect it."""

    name: str  # the code stored with each release and used in URLs: ?source=fts
    collector: type | None = None  # None: nothing to collect (the portal's own notices)
    ocid_prefix: str | None = None  # the OCDS prefix of the register's ocids, which tells an imported file's source
    base_url: str | None = None  # the register's address; {ENV}_BASE_URL overrides it
    min_interval: float = 0.0  # seconds between two requests (the register's rate limit); {ENV}_MIN_INTERVAL
    window: timedelta | None = None  # the span of one search; None: the collector cuts its own (S2W: months)
    window_overlap: timedelta = timedelta(0)  # consecutive windows overlap by this much
    lookback: timedelta = timedelta(0)  # each run starts this far before the watermark, for late publications
    collected_by_default: bool = False  # in COLLECT_SOURCES unless configured otherwise
    publishes_releases: bool = True  # False: an auxiliary feed (RSS) whose items are not stored as releases
    hosts: tuple[str, ...] = field(default_factory=tuple)  # where its notices' own pages may live

    @property
    def env(self) -> str:
        """Return the prefix of this source's environment settings: FTS, CF, S2W, S2W_RSS."""
        return self.name.upper().replace("-", "_")


_ALL = (
    Source(
        "fts",
        FindATender,
        ocid_prefix="ocds-h6vhtk",
        base_url="https://www.find-tender.service.gov.uk",
        # 12 requests per 120 s, then a 429 asking for 120 s (docs/registers.md, "Find a Tender: limits")
        min_interval=10.0,
        window=timedelta(days=1),  # long windows page deeply
        window_overlap=timedelta(hours=1),  # London-local bounds are ambiguous the hour the clocks go back
        lookback=timedelta(hours=1),
        collected_by_default=True,
        hosts=("www.find-tender.service.gov.uk", "find-tender.service.gov.uk"),
    ),
    Source(
        "cf",
        ContractsFinder,
        ocid_prefix="ocds-b5fd17",
        base_url="https://www.contractsfinder.service.gov.uk",
        min_interval=5.0,  # throttled after about a dozen quick pages (docs/registers.md, "Contracts Finder")
        window=timedelta(days=15),  # deep paging is unreliable
        window_overlap=timedelta(hours=1),
        lookback=timedelta(days=1),  # publishedFrom is the latest edit's date
        collected_by_default=True,
        hosts=("www.contractsfinder.service.gov.uk", "contractsfinder.service.gov.uk"),
    ),
    Source(
        "s2w",
        Sell2Wales,
        ocid_prefix="ocds-kuma6s",
        base_url="https://api.sell2wales.gov.wales",
        min_interval=2.0,  # no documented limit: one request at a time
        collected_by_default=True,
        hosts=("www.sell2wales.gov.wales", "sell2wales.gov.wales"),
    ),
    Source(
        "s2w-rss",
        Sell2WalesRss,
        base_url="https://www.sell2wales.gov.wales",
        min_interval=2.0,
        publishes_releases=False,
    ),
    Source("portal"),  # planned work published on Piblinell by buyers themselves
)

SOURCES: dict[str, Source] = {source.name: source for source in _ALL}
# The sources a stored release may come from, in display order.
RELEASE_SOURCES = tuple(name for name, source in SOURCES.items() if source.publishes_releases)
# The sources a collector can fetch (`flask collect NAME`).
COLLECTABLE = tuple(name for name, source in SOURCES.items() if source.collector)
# The registers whose releases are collected: the ones shown on the sources page and in /_status.
REGISTERS = tuple(name for name in COLLECTABLE if SOURCES[name].publishes_releases)
DEFAULT_COLLECT = tuple(name for name, source in SOURCES.items() if source.collected_by_default)


def source_of_ocid(ocid: str | None) -> str | None:
    """Return the register whose ocid prefix an ocid carries, or None."""
    for name, source in SOURCES.items():
        if source.ocid_prefix and str(ocid or "").startswith(source.ocid_prefix + "-"):
            return name
    return None


def make_collector(
    name: str,
    base_url: str | None = None,
    min_interval: float | None = None,
    user_agent: str = USER_AGENT,
    sleep: Callable[[float], None] = time.sleep,
    max_retries: int = 4,
) -> Collector:
    """Build the named collector with its own PoliteClient (one client, hence one pace, per source)."""
    source = SOURCES.get(name)
    if source is None or source.collector is None:
        raise ValueError(f"unknown collector {name!r}; known: {', '.join(COLLECTABLE)}")
    interval = source.min_interval if min_interval is None else min_interval
    client = PoliteClient(user_agent, min_interval=interval, max_retries=max_retries, sleep=sleep)
    if source.window is None:
        return source.collector(client, base_url or source.base_url)
    return source.collector(client, base_url or source.base_url, source.window, source.window_overlap)
