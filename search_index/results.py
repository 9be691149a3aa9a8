"""Search: query + filters → total, a page of ranked ids, facet counts and "why this matched".

Made for a supplier looking for work: relevance puts forward and open work first among good matches
(ranking.top), and "closing soonest" lists only deadlines still ahead, saying how many it left out.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from whoosh import query as wq

from search_index import ranking
from search_index.alone import words_alone
from search_index.facets import FacetCache, from_mask
from search_index.filters import Filters, filter_query
from search_index.generations import IndexMissing
from search_index.highlight import Explainer
from search_index.live import live_searcher, searcher_identity
from search_index.query import Message, parse
from search_index.query_plan import Compiled, compile_query
from search_index.schema import MISSING, to_minutes

SORTS = ("relevance", "closing_soonest", "expected_soonest", "newest", "value")
# Work a supplier can still bid for or prepare for (scrapers/vocabulary.py: FORWARD_STAGES, and open).
FIRST_STAGES = ("pipeline", "engagement", "planned", "open")
# Filters that ask for closed work, which "closing soonest" then keeps.
CLOSED_STAGES = frozenset({"closed", "awarded", "cancelled"})
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
    closed_left_out: int = 0  # "closing soonest": matches whose deadline had passed, not listed (nor in total)
    # Nothing found for two or more words: each word as typed and what it finds alone (alone.py)
    words_alone: list[tuple[str, int]] = field(default_factory=list)


_caches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# Recent results of this process, keyed by the commit searched (live.searcher_identity: every thread's searcher of
# one commit shares them, and a new commit is another key) and everything else a search's answer depends on
# (docs/design.md, "Speed at scale").
RESULTS_CACHED = 256
_results: OrderedDict = OrderedDict()
_results_lock = threading.Lock()


# commit (live.searcher_identity) → its bitsets, shared by every thread's searcher of that commit; the newest few
_shared: OrderedDict = OrderedDict()
SHARED_COMMITS = 2  # the live commit and the one before, which a thread may still be searching


def _cache(searcher) -> FacetCache:
    """Return the bitsets of the commit a searcher reads, bound to that searcher for this thread."""
    identity = searcher_identity(searcher)
    if identity is None:  # not a live searcher: its own cache
        cache = _caches.get(searcher)
        if cache is None:
            cache = _caches[searcher] = FacetCache(searcher)
        return cache
    with _results_lock:
        cache = _shared.get(identity)
        if cache is None:
            cache = _shared[identity] = FacetCache(searcher)
            while len(_shared) > SHARED_COMMITS:
                _shared.popitem(last=False)
    return cache.bind(searcher)


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
    now: datetime | None = None,
    explain: bool = True,
) -> SearchResults:
    """Search the live index; never raise for bad input (messages say what was done). `now`: the clock's.

    `explain=False` leaves out "why this matched" (each hit's matched fields and fragments): what a caller that
    never shows them (the API, the exports) would otherwise pay for on every hit."""
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
    # "closing soonest" depends on the minute it is asked in; every other answer only on the index.
    minute = to_minutes(now or datetime.now(UTC)) if sort == "closing_soonest" else None
    identity = searcher_identity(searcher)
    key = (identity, text or "", filters, sort, page, per_page, facets, explain, minute, tuple(messages))
    if identity is None or not _hashable(key):  # not a live searcher, or filters given as lists: not kept
        return _search(searcher, parsed, messages, filters, sort, page, per_page, facets, now, explain)
    with _results_lock:
        found = _results.get(key)
        if found is not None:
            _results.move_to_end(key)
            return found
    results = _search(searcher, parsed, messages, filters, sort, page, per_page, facets, now, explain)
    with _results_lock:
        _results[key] = results
        while len(_results) > RESULTS_CACHED:
            _results.popitem(last=False)
    return results


def _hashable(key) -> bool:
    try:
        hash(key)
    except TypeError:
        return False
    return True


def _search(searcher, parsed, messages, filters, sort, page, per_page, facets, now, explain) -> SearchResults:
    """Run one search on a searcher (what `search` caches)."""
    compiled = compile_query(parsed)
    if parsed.node is not None and isinstance(compiled.query, wq.Every):
        messages.append(Message("stop_words_only", EXTRA_MESSAGES["stop_words_only"]))
    cache = _cache(searcher)
    within = _within(cache, filters)
    matched = within if isinstance(compiled.query, wq.Every) else within & cache.mask_of(compiled.query)
    closed = 0
    if sort == "closing_soonest" and not _asks_for_closed(filters, now or datetime.now(UTC)):
        passed = _passed(cache, now or datetime.now(UTC))
        closed = (matched & passed).bit_count()
        matched, within = matched & ~passed, within & ~passed
        if closed:
            messages.append(_closed_left_out(closed))
    total = matched.bit_count()
    alone = words_alone(cache, parsed.node, within) if not total else None
    if alone:
        messages.append(alone[1])
    wanted = page * per_page
    if sort == "relevance" and not isinstance(compiled.query, wq.Every):
        scored = ranking.top(cache, compiled.query, matched, wanted, _first(cache))[wanted - per_page :]
    else:  # a column order, or browsing with no words: newest first
        top = ranking.first_in_order(_order(cache, sort), matched, wanted)
        scored = [(d, 0.0) for d in top[wanted - per_page :]]
    if explain:
        explainer = Explainer(compiled)  # only the page's hits are explained
        hits = [_hit(searcher, explainer, docnum, score) for docnum, score in scored]
    else:
        ids = cache.column("id")
        hits = [Hit(id=ids[docnum], score=round(float(score), 4)) for docnum, score in scored]
    counts = cache.counts(matched) if facets else {}
    return SearchResults(
        total, hits, counts, messages, page, per_page, closed_left_out=closed, words_alone=alone[0] if alone else []
    )


def _first(cache: FacetCache) -> int:
    """Return the bitset of forward and open work, which relevance lists first among equally good matches."""
    stages = cache.values("stage")
    mask = 0
    for stage in FIRST_STAGES:
        mask |= stages.get(stage, 0)
    return mask


def _asks_for_closed(filters: Filters | None, now: datetime) -> bool:
    """Tell whether the filters ask for closed work: a closed stage, or a deadline range reaching into the past."""
    if filters is None:
        return False
    before = to_minutes(now)
    bounds = (to_minutes(filters.deadline_from), to_minutes(filters.deadline_to))
    return bool(CLOSED_STAGES & set(filters.stages)) or any(b is not None and b < before for b in bounds)


def _passed(cache: FacetCache, now: datetime) -> int:
    """Return the bitset of notices whose deadline has passed (those without one have not closed: pipeline, planned)."""
    return cache.cached_mask(wq.NumericRange("deadline", None, to_minutes(now) - 1))


def _closed_left_out(count: int) -> Message:
    notices = "notice whose deadline has passed was" if count == 1 else "notices whose deadline has passed were"
    text = f"{count} {notices} left out; only deadlines still ahead are listed, soonest first."
    return Message("closed_left_out", text, {"count": count})


def _within(cache: FacetCache, filters: Filters | None) -> int:
    """Return the bitset of the live documents that pass some filters (cached by the filters themselves: a
    lens's query is long, and its text as a key cost more than the bitsets)."""
    if filters is None:
        return cache.live
    if not _hashable(filters):  # lists where tuples belong: worked out, not kept
        fq = filter_query(filters)
        return cache.live if fq is None else cache.live & cache.cached_mask(fq)
    found = cache.filter_masks.get(filters)
    if found is None:
        fq = filter_query(filters)
        found = cache.live if fq is None else cache.live & cache.cached_mask(fq)
        cache.filter_masks[filters] = found
        if len(cache.filter_masks) > 512:
            cache.filter_masks.pop(next(iter(cache.filter_masks)), None)
    return found


def _matched(cache: FacetCache, compiled: Compiled, filters: Filters | None) -> int:
    """Return the bitset of the live documents matching a compiled query and some filters."""
    matched = _within(cache, filters)
    if not isinstance(compiled.query, wq.Every):
        matched &= cache.mask_of(compiled.query)
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


def matching_count(index_dir: str | os.PathLike, text: str = "", filters: Filters | None = None) -> int:
    """Return how many documents `matching_ids` would return, from the same bitsets without listing them."""
    cache = _cache(live_searcher(index_dir))
    return _matched(cache, compile_query(parse(text)), filters).bit_count()


def _hit(searcher, explainer: Explainer, docnum: int, score: float) -> Hit:
    stored = searcher.stored_fields(docnum)
    matched, marks = explainer.explain(stored)
    return Hit(id=stored["id"], score=round(float(score), 4), matched_fields=matched, highlights=marks)
