"""Which saved searches find which procurements of a batch, and the words each matched (for the email).

The adapter between the portal's rows and query strings and the pure matcher (search_index/matching.py):
a saved search is its canonical query string (portal.search.params), a procurement its index document
(portal.search.indexing.document_for), so matching reads them exactly as the site search does.
`match_batch_naive` runs each search through Whoosh over an in-memory index of the batch: the reference
the fast path must equal (tests, bench/alerts.py). See docs/design.md, "Matching saved searches".
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from functools import lru_cache
from urllib.parse import parse_qsl

from werkzeug.datastructures import MultiDict
from whoosh import query as wq
from whoosh.filedb.filestore import RamStorage

from portal.models.tables import Procurement
from portal.search.indexing import document_for
from portal.search.params import parse_search_args
from search_index import Filters
from search_index.facets import FacetCache, from_mask
from search_index.filters import filter_query
from search_index.matching import Batch, Unsupported, collector_paused, compile_search, units
from search_index.query import parse
from search_index.query_plan import compile_node, compile_query
from search_index.schema import build_schema, fields_for

log = logging.getLogger(__name__)
Matches = dict[int, dict[int, tuple[str, ...]]]


@lru_cache(maxsize=100_000)
def search_of(query: str) -> tuple[str, Filters]:
    """Return the text and filters of a saved search's query string (read once per query string)."""
    params = parse_search_args(MultiDict(parse_qsl(query or "", keep_blank_values=False)))
    return params.text, params.filters


def match_batch(searches: Mapping[int, str], procurements: Sequence[Procurement]) -> Matches:
    """Return saved_search_id → {procurement_id: matched words} for the searches that find any of the batch.

    Matched words are the search's words as typed (a phrase in quotes, a prefix with its *), those of its
    positive part that the procurement holds in any of their forms; () for a search of filters alone.
    """
    docs = [document_for(procurement) for procurement in procurements]
    out: Matches = {}
    slow: dict[int, str] = {}
    with collector_paused():
        batch = Batch(docs, keys=[procurement.id for procurement in procurements])
        for search_id, query in searches.items():
            try:
                compiled = compile_search(*search_of(query))
            except Unsupported:
                log.warning("saved search %s is matched the slow way: %s", search_id, query)
                slow[search_id] = query
                continue
            found = batch.match(compiled)
            if found:
                out[search_id] = found
    if slow:
        out.update(_naive(slow, docs))
    return out


def match_batch_naive(searches: Mapping[int, str], procurements: Sequence[Procurement]) -> Matches:
    """Return what match_batch returns, by running every search with Whoosh over an in-memory index of the batch."""
    return _naive(searches, [document_for(procurement) for procurement in procurements])


def _naive(searches: Mapping[int, str], docs: Sequence[dict]) -> Matches:
    storage = RamStorage()
    # A name of its own: Whoosh writes a RAM index's temporary files under /tmp/<index name>.tmp, which two
    # processes with the default name "MAIN" share, and the first to finish deletes under the other.
    index = storage.create_index(build_schema(), indexname=f"alerts-{uuid.uuid4().hex}")
    writer = index.writer()
    for doc in docs:
        writer.add_document(**fields_for(doc))
    writer.commit()
    out: Matches = {}
    with index.searcher() as searcher:
        cache = FacetCache(searcher)
        ids = cache.column("id")
        for search_id, query in searches.items():
            text, filters = search_of(query)
            # As search_index.results does: the live documents within the filters, and the query's.
            fq = filter_query(filters)
            matched = cache.live if fq is None else cache.live & cache.mask_of(fq)
            parsed = parse(text)
            compiled = compile_query(parsed)
            if not isinstance(compiled.query, wq.Every):
                matched &= cache.mask_of(compiled.query)
            if not matched:
                continue
            words: dict[str, int] = {}
            for label, node in units(parsed.node):
                unit = compile_node(node)
                if label not in words and unit is not None and not isinstance(unit, wq.Every):
                    words[label] = cache.mask_of(unit) & matched
            out[search_id] = {
                int(ids[docnum]): tuple(label for label, mask in words.items() if mask >> docnum & 1)
                for docnum in from_mask(matched)
            }
    return out
