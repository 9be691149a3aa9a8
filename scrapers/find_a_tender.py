"""Find a Tender (FTS): the whole OCDS release stream, the primary source (docs/registers.md, "Find a Tender")."""

from __future__ import annotations

from scrapers.paging import LinkedPagesCollector


class FindATender(LinkedPagesCollector):
    """Walk `ocdsReleasePackages` by `updatedFrom`/`updatedTo` windows and their `links.next` chains."""

    name = "fts"
    # FTS-doc GET-ocdsReleasePackages; never send `stages=`, it drops every Procurement Act notice
    # (docs/registers.md, "Find a Tender: stages filter").
    path = "/api/1.0/ocdsReleasePackages"
    # Times are London local, 19 chars, a trailing Z is ignored (docs/registers.md, "Find a Tender: times").
    from_param, to_param = "updatedFrom", "updatedTo"
    page_limit = 100  # FTS-doc: limit 1-100
