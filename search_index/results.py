"""Search: query + filters → total, a page of ranked ids, facet counts and "why this matched"."""

from __future__ import annotations

import os
import weakref
from dataclasses import dataclass, field

from whoosh import query as wq

from search_index import ranking
from search_index.facets import FacetCache, from_mask
from search_index.filters import Filters, filter_query
from search_index.generations import IndexMissing
from search_index.highlight import Explainer
from search_index.live import live_searcher
from search_index.query import Message, parse
from search_index.query_plan import Compiled, compile_query
from search_index.schema import MISSING

SORTS = ("relevance", "closing_soonest", "expected_soonest", "newest", "value")
MAX_PER_PAGE = 100
MAX_PAGE = 500  # deep pages cost a ranked walk of everything before them

EXTRA_MESSAGES = {
    "index_unavailable": "Search is being rebuilt; please try again in a few minutes.",
    "stop_words_only": "Your search only had very common words, so every notice is shown.",
    "unknown_sort": "That sort order is not known; results are sorted by relevance.",
}


@dataclass
class Hit:
    id: str
    score: float
    matched_fields: list[str] = field(default_factory=list)
    highlights: dict[str, str] = field(default_factory=dict)  # field → HTML-safe fragment


@dataclass
class SearchResults:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    messages: list[Message]
    page: int = 1
    per_page: int = 20


_caches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _cache(searcher) -> FacetCache:
    cache = _caches.get(searcher)
    if cache is None:
        cache = _caches[searcher] = FacetCache(searcher)
    return cache


# sort → (column, descending); a missing value (MISSING) sorts last either way
SORT_ORDERS = {
    "relevance": ("published", True),  # with no words: newest first
    "newest": ("published", True),
    "closing_soonest": ("deadline", False),
    "expected_soonest": ("expected", False),
    "value": ("value", True),
}


def _order(cache: FacetCache, sort: str):
    column, descending = SORT_ORDERS[sort]
    return cache.order(column, descending, MISSING[column] if descending else None)


def search(
    index_dir: str | os.PathLike,
    text: str | None = "",
    filters: Filters | None = None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
    facets: bool = True,
) -> SearchResults:
    """Search the live index; never raise for bad input (messages say what was done)."""
    parsed = parse(text)
    messages = list(parsed.messages)
    if sort not in SORTS:
        messages.append(Message("unknown_sort", EXTRA_MESSAGES["unknown_sort"]))
        sort = "relevance"
    per_page = max(1, min(int(per_page or 20), MAX_PER_PAGE))
    page = max(1, min(int(page or 1), MAX_PAGE))
    try:
        searcher = live_searcher(index_dir)
    except IndexMissing:
        messages.append(Message("index_unavailable", EXTRA_MESSAGES["index_unavailable"]))
        return SearchResults(0, [], {}, messages, page, per_page)
    compiled = compile_query(parsed)
    if parsed.node is not None and isinstance(compiled.query, wq.Every):
        messages.append(Message("stop_words_only", EXTRA_MESSAGES["stop_words_only"]))
    cache = _cache(searcher)
    matched = _matched(cache, compiled, filters)
    total = matched.bit_count()
    wanted = page * per_page
    if sort == "relevance" and not isinstance(compiled.query, wq.Every):
        scored = ranking.top(cache, compiled.query, matched, wanted)[wanted - per_page :]
    else:  # a column order, or browsing with no words: newest first
        top = ranking.first_in_order(_order(cache, sort), matched, wanted)
        scored = [(d, 0.0) for d in top[wanted - per_page :]]
    explainer = Explainer(compiled)  # only the page's hits are explained
    hits = [_hit(searcher, explainer, docnum, score) for docnum, score in scored]
    counts = cache.counts(matched) if facets else {}
    return SearchResults(total, hits, counts, messages, page, per_page)


def _matched(cache: FacetCache, compiled: Compiled, filters: Filters | None) -> int:
    """Return the bitset of the live documents matching a compiled query and some filters."""
    matched = cache.live
    if not isinstance(compiled.query, wq.Every):
        matched &= cache.mask_of(compiled.query)
    fq = filter_query(filters)
    if fq is not None:
        matched &= cache.cached_mask(fq)
    return matched


def matching_ids(index_dir: str | os.PathLike, text: str = "", filters: Filters | None = None) -> set[str]:
    """Return the id of every document matching a search's text and filters: no ranking, paging or facets.

    The same bitsets as `search`, read through the id column. Raises IndexMissing when there is no
    index (where `search` answers with a message), so a caller never mistakes it for "nothing matched".
    """
    cache = _cache(live_searcher(index_dir))
    matched = _matched(cache, compile_query(parse(text)), filters)
    ids = cache.column("id")
    return {ids[docnum] for docnum in from_mask(matched)}


def _hit(searcher, explainer: Explainer, docnum: int, score: float) -> Hit:
    stored = searcher.stored_fields(docnum)
    matched, marks = explainer.explain(stored)
    return Hit(id=stored["id"], score=round(float(score), 4), matched_fields=matched, highlights=marks)
