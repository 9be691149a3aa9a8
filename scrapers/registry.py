"""The collectors the portal's job runner can run, by source name."""

from __future__ import annotations

import time
from collections.abc import Callable

from scrapers.contracts_finder import ContractsFinder
from scrapers.find_a_tender import FindATender
from scrapers.http import USER_AGENT, PoliteClient
from scrapers.sell2wales import Sell2Wales

COLLECTORS = {"fts": FindATender, "cf": ContractsFinder, "s2w": Sell2Wales}

Collector = FindATender | ContractsFinder | Sell2Wales


def make_collector(
    name: str,
    base_url: str | None = None,
    min_interval: float | None = None,
    user_agent: str = USER_AGENT,
    sleep: Callable[[float], None] = time.sleep,
    max_retries: int = 4,
) -> Collector:
    """Build the named collector with its own PoliteClient (one client, hence one pace, per source)."""
    try:
        cls = COLLECTORS[name]
    except KeyError:
        raise ValueError(f"unknown collector {name!r}; known: {', '.join(sorted(COLLECTORS))}") from None
    interval = cls.min_interval if min_interval is None else min_interval
    client = PoliteClient(user_agent, min_interval=interval, max_retries=max_retries, sleep=sleep)
    return cls(client, base_url or cls.default_base_url)
