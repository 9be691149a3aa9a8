"""Contracts Finder (CF): legacy PCR 2015 procurements in England (docs/registers.md, "Contracts Finder")."""

from __future__ import annotations

from scrapers.paging import LinkedPagesCollector


class ContractsFinder(LinkedPagesCollector):
    """Walk the OCDS search by `publishedFrom`/`publishedTo` windows and their `links.next` chains."""

    name = "cf"
    # CF-doc Notices/1/GET-Published-Notice-OCDS-Search; `stages` is untested there, so never sent.
    path = "/Published/Notices/OCDS/Search"
    # "All times are local UK times" (CF API help page); London-local 19 chars as for FTS (inferred).
    from_param, to_param = "publishedFrom", "publishedTo"
    page_limit = 100  # CF-doc: limit 1-100
    # A 403 means "too many requests": wait 5 minutes, then retry (CF-doc GET-Published-OCDS-Release;
    # kingfisher-collect retry_http_codes = [403]). The wait is the client's `forbidden_wait`.
    retry_forbidden = True
