"""Contracts Finder (CF): legacy PCR 2015 procurements in England (FEEDS.md §1)."""

from __future__ import annotations

from datetime import timedelta

from scrapers.paging import LinkedPagesCollector


class ContractsFinder(LinkedPagesCollector):
    """Walk the OCDS search by `publishedFrom`/`publishedTo` windows and their `links.next` chains."""

    name = "cf"
    # No documented request rate; throttling was seen "after about 12 [pages] at one every 1.5 seconds"
    # (FEEDS.md §1.2, reported), so stay well under that (inferred).
    min_interval = 5.0
    default_base_url = "https://www.contractsfinder.service.gov.uk"
    # CF-doc Notices/1/GET-Published-Notice-OCDS-Search; `stages` is untested there, so never sent.
    path = "/Published/Notices/OCDS/Search"
    # "All times are local UK times" (CF API help page); London-local 19 chars as for FTS (inferred).
    from_param, to_param = "publishedFrom", "publishedTo"
    # Deep paging is unreliable: kingfisher-collect walks 15-day windows (commit f81811d0, FEEDS.md §1.2).
    window_size = timedelta(days=15)
    page_limit = 100  # CF-doc: limit 1-100
    # A 403 means "too many requests": wait 5 minutes, then retry (CF-doc GET-Published-OCDS-Release;
    # kingfisher-collect retry_http_codes = [403]). The wait is the client's `forbidden_wait`.
    retry_forbidden = True
