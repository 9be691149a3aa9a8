"""What every collector yields, and the errors a collector may raise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Window:
    """One unit of collection; the watermark moves to `end` once all its pages are committed."""

    start: datetime  # aware UTC
    end: datetime  # aware UTC
    partition: str = ""  # e.g. Sell2Wales notice type; "" for sources walked by time only


@dataclass
class Page:
    """One page of releases exactly as the register returned them (dicts from the JSON)."""

    url: str
    releases: list[dict]
    # Sell2Wales: the Welsh-language (locale=1106) releases of the same page, when fetched
    welsh_releases: list[dict] = field(default_factory=list)


class FeedError(Exception):
    """A page could not be fetched or parsed at all: the run fails with this message."""


class PartitionFailed(FeedError):
    """One partition (e.g. a Sell2Wales month × type) failed; record it and go on."""
