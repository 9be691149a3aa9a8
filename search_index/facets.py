"""Facet counts from bitsets: per value, a Python int whose bit n says "document n has it".

Counting a value for the current matches is one `&` and `bit_count()` on 100k-bit integers
(microseconds), where Whoosh's `groupedby` walks every matched document (docs/libraries.md, "Whoosh: speed": facets
p95 491 ms at 100k). The bitsets are built once per searcher (a new commit means a new searcher).
"""

from __future__ import annotations

import heapq
import re
import threading
from collections import Counter
from collections.abc import Iterable

from whoosh import query as wq

from search_index.schema import to_pence
from search_index.whoosh_compat import column_values, deleted_docnums, posting_docnums

# name → (field, term length or None for any): a facet counts the terms of one field.
TERM_FACETS = {
    "stage": ("stage", None),
    "sources": ("sources", None),
    "notice_types": ("notice_types", None),
    "cpv": ("cpv", 2),  # CPV divisions
    "region": ("region", 3),  # ITL1 regions (UKL Wales, UKI London …)
    "sme": ("sme", None),
    "vcse": ("vcse", None),
    "in_wales": ("in_wales", None),
}
LAZY_FACETS = {"buyer": ("buyer_id", None)}  # bitsets built only when many documents match
VALUE_BUCKETS = {  # pounds, [low, high)
    "under_25k": (0, 25_000),
    "25k_100k": (25_000, 100_000),
    "100k_1m": (100_000, 1_000_000),
    "1m_10m": (1_000_000, 10_000_000),
    "over_10m": (10_000_000, None),
}
TOP_BUYERS = 10


_BIT = tuple(1 << n for n in range(8))
_BITS_OF = tuple(tuple(n for n in range(8) if byte >> n & 1) for byte in range(256))
_NONZERO = re.compile(rb"[^\x00]+")  # runs of bytes with a document: the zero bytes are skipped in C
BUYER_BITSETS_ABOVE = 20_000  # matches above which the buyer facet counts bitsets, not documents
CACHED_BITSET_BYTES = 32 * 2**20  # term bitsets kept per commit (a quarter as much again for filters)


def to_mask(docnums: Iterable[int], size: int) -> int:
    """Return the bitset of some document numbers.

    Many of them (a common word's postings) are marked as "1" digits in a text of `size` "0"s read as a binary
    number, which C does: twice as fast per document as setting bits in bytes, but with a cost per index size,
    so fewer are set in bytes (docs/design.md, "Speed at scale").
    """
    docnums = docnums if isinstance(docnums, list) else list(docnums)
    if len(docnums) * 50 > size:
        digits = bytearray(b"0") * size
        for docnum in docnums:
            digits[docnum] = 49  # "1"
        digits.reverse()  # the last document is the highest bit, written first
        return int(digits, 2)
    bits = bytearray((size + 7) // 8)
    bit = _BIT
    for docnum in docnums:
        bits[docnum >> 3] |= bit[docnum & 7]
    return int.from_bytes(bits, "little")


def from_mask(mask: int) -> list[int]:
    """Return the document numbers of a bitset, in order."""
    out: list[int] = []
    if mask <= 0:
        return out
    data, bits_of = mask.to_bytes((mask.bit_length() + 7) // 8, "little"), _BITS_OF
    for run in _NONZERO.finditer(data):
        for index, byte in enumerate(run.group(), run.start()):
            base = index << 3
            out.extend([base + bit for bit in bits_of[byte]])
    return out


def _evict(cache: dict, limit: int) -> None:
    """Drop the oldest entries of a cache beyond `limit` (another thread may be evicting too)."""
    while len(cache) > limit:
        try:
            cache.pop(next(iter(cache)), None)
        except (RuntimeError, StopIteration):  # changed by another thread meanwhile: try again
            continue


class FacetCache:
    """Bitsets of facet values and cached term/filter masks for one commit of an index.

    Shared by the threads searching that commit (results._cache): each thread `bind`s its own searcher, which is
    what reads the index for it (Whoosh searchers are not shared between threads), and every bitset worked out
    serves them all (docs/design.md, "Speed at scale").
    """

    def __init__(self, searcher):
        self._bound = threading.local()
        self._bound.searcher = searcher
        self.size = searcher.doc_count_all()
        # As many bitsets as fit in CACHED_BITSET_BYTES (a bitset is size/8 bytes: 12.5 kB at 100k documents)
        bitset_bytes = max(1, self.size // 8)
        self.term_masks_kept = max(256, min(4096, CACHED_BITSET_BYTES // bitset_bytes))
        self.masks_kept = max(64, min(512, CACHED_BITSET_BYTES // 4 // bitset_bytes))
        self.lock = threading.Lock()
        self._values: dict[str, dict[str, int]] = {}
        self._masks: dict[object, int] = {}
        self._columns: dict[str, list] = {}
        self._term_masks: dict[tuple, int] = {}
        self._orders: dict[str, tuple[list[int], list[int]]] = {}
        self.filter_masks: dict[object, int] = {}  # Filters → bitset (results._within)
        self.live = ((1 << self.size) - 1) & ~to_mask(deleted_docnums(searcher.reader()), self.size)

    @property
    def searcher(self):
        """Return the searcher this thread bound (the one that made the cache, in the thread that made it)."""
        return self._bound.searcher

    def bind(self, searcher) -> FacetCache:
        """Read the index through this thread's searcher of the same commit; return the cache."""
        self._bound.searcher = searcher
        return self

    def mask_of(self, q: wq.Query) -> int:
        """Return the bitset of a query's documents, combining cached term bitsets where it can."""
        if isinstance(q, wq.Term):
            return self.term_mask(q.fieldname, q.text)
        if isinstance(q, wq.Every):
            return self.live
        if isinstance(q, wq.AndNot):
            return self.mask_of(q.a) & ~self.mask_of(q.b)
        if isinstance(q, wq.Or):
            return self._or_mask(q, 0)
        if isinstance(q, wq.And):
            mask = self.live
            for sub in sorted(q.subqueries, key=lambda sub: not isinstance(sub, wq.Term)):
                mask &= self.mask_of(sub)
                if not mask:
                    break
            return mask
        if isinstance(q, wq.Phrase):
            return self._phrase_mask(q, 0)
        return to_mask(self.searcher.docs_for_query(q), self.size)

    def _or_mask(self, q: wq.Or, found: int) -> int:
        """Return the bitset of an Or's documents that are not in `found` (and maybe some that are)."""
        mask = 0
        for sub in q.subqueries:
            if isinstance(sub, wq.Phrase):
                mask |= self._phrase_mask(sub, found | mask)
            elif isinstance(sub, wq.Or):
                mask |= self._or_mask(sub, found | mask)
            else:
                mask |= self.mask_of(sub)
        return mask

    def _phrase_mask(self, q: wq.Phrase, found: int) -> int:
        """Return the bitset of a phrase, reading positions only when a document not in `found` has every pair.

        The forms of a phrase's words (query_plan._phrase), and its English and Welsh fields, often match
        the same documents: one already found need not be read again.
        """
        candidates = self.mask_of(wq.And([wq.Term(q.fieldname, word) for word in q.words]))
        return to_mask(self.searcher.docs_for_query(q), self.size) if candidates & ~found else 0

    def term_mask(self, field: str, text) -> int:
        """Return the bitset of one term's postings (cached: popular words repeat)."""
        key = (field, text)
        mask = self._term_masks.get(key)
        if mask is None:
            reader = self.searcher.reader()
            btext = self.searcher.schema[field].to_bytes(text) if not isinstance(text, str) else text.encode("utf-8")
            mask = to_mask(posting_docnums(reader, field, btext), self.size)
            self._term_masks[key] = mask
            _evict(self._term_masks, self.term_masks_kept)
        return mask

    def cached_mask(self, q: wq.Query) -> int:
        """Return the bitset of a query, cached (for filters, which repeat)."""
        key = repr(q)
        mask = self._masks.get(key)
        if mask is None:
            mask = self._masks[key] = self.mask_of(q)
            _evict(self._masks, self.masks_kept)
        return mask

    def values(self, facet: str) -> dict[str, int]:
        """Return {value: bitset} of one facet, built on first use."""
        found = self._values.get(facet)
        if found is None:
            with self.lock:
                found = self._values[facet] = self._build(facet)
        return found

    def _build(self, facet: str) -> dict[str, int]:
        if facet == "value":
            return {
                name: self.mask_of(
                    wq.NumericRange("value", to_pence(low), None if high is None else to_pence(high) - 1)
                )
                for name, (low, high) in VALUE_BUCKETS.items()
            } | {"none": self.mask_of(wq.Term("has_value", False))}
        field, length = TERM_FACETS.get(facet) or LAZY_FACETS[facet]
        reader = self.searcher.reader()
        out = {}
        for term in reader.lexicon(field):
            text = term.decode("utf-8")
            if length is None or len(text) == length:
                if field in ("sme", "vcse", "in_wales"):
                    text = "true" if text == "t" else "false"
                out[text] = self.mask_of(
                    wq.Term(field, term.decode("utf-8") if field not in ("sme", "vcse", "in_wales") else text == "true")
                )
        return out

    def column(self, name: str) -> list:
        """Return a sortable column as a list indexed by document number."""
        found = self._columns.get(name)
        if found is None:
            with self.lock:
                found = self._columns[name] = column_values(self.searcher.reader(), name)
        return found

    def order(self, column: str, descending: bool, missing=None) -> tuple[list[int], list[int]]:
        """Return (document numbers sorted by a column, each document's place in that order), built once.

        Ties keep document order; a `missing` value sorts last in a descending order.
        """
        key = f"{column}:{descending}"
        found = self._orders.get(key)
        if found is None:
            values = self.column(column)
            if missing is not None:
                values = [-1 if value == missing else value for value in values]
            order = sorted(range(len(values)), key=values.__getitem__, reverse=descending)
            rank = [0] * len(order)
            for place, docnum in enumerate(order):
                rank[docnum] = place
            found = self._orders[key] = (order, rank)
        return found

    def newest_order(self) -> tuple[list[int], list[int]]:
        """Return every document number newest published first, and their places (the tie-break of relevance)."""
        return self.order("published", True)

    def counts(self, matched: int) -> dict[str, dict[str, int]]:
        """Return {facet: {value: count}} of the matched documents."""
        out = {}
        for facet in (*TERM_FACETS, "value"):
            counts = {value: (matched & mask).bit_count() for value, mask in self.values(facet).items()}
            out[facet] = {value: n for value, n in sorted(counts.items()) if n}
        if matched.bit_count() > BUYER_BITSETS_ABOVE:
            counts = {value: (matched & mask).bit_count() for value, mask in self.values("buyer").items()}
        else:
            buyers = self.column("buyer_id")
            counts = Counter(buyers[d] for d in from_mask(matched))
        # the most frequent first, ties by id: the same buyers whatever the segments' document order
        top = heapq.nsmallest(TOP_BUYERS + 1, ((v, n) for v, n in counts.items() if n), key=lambda vn: (-vn[1], vn[0]))
        out["buyer"] = {value: n for value, n in top if value}
        return out
