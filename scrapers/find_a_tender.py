"""Find a Tender (FTS): the whole OCDS release stream, the primary source (FEEDS.md §2)."""

from __future__ import annotations

from datetime import timedelta

from scrapers.paging import LinkedPagesCollector


class FindATender(LinkedPagesCollector):
    """Walk `ocdsReleasePackages` by `updatedFrom`/`updatedTo` windows and their `links.next` chains."""

    name = "fts"
    # 12 requests per ~120 s, then 429 with Retry-After: 120 (FEEDS.md §0.4); kingfisher-collect's
    # DOWNLOAD_DELAY = 10. FEEDS.md suggests 12-15 s when other jobs share the allowance.
    min_interval = 10.0
    default_base_url = "https://www.find-tender.service.gov.uk"
    # FTS-doc GET-ocdsReleasePackages; never send `stages=`, it drops every Procurement Act notice (FEEDS.md §2.3).
    path = "/api/1.0/ocdsReleasePackages"
    # Times are London local, 19 chars, a trailing Z is ignored (FEEDS.md §0.5, JJ ADR 0018).
    from_param, to_param = "updatedFrom", "updatedTo"
    # At most one day per window: long windows page deeply (FEEDS.md §6.1; kingfisher-collect uses 6 h).
    window_size = timedelta(days=1)
    page_limit = 100  # FTS-doc: limit 1-100
