"""Facet counts from bitsets: per value, a Python int whose bit n says "document n has it".

Counting a value for the current matches is one `&` and `bit_count()` on 100k-bit integers
(microseconds), where Whoosh's `groupedby` walks every matched document (LIBRARIES.md: facets
p95 491 ms at 100k). The bitsets are built once per searcher (a new commit means a new searcher).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable

from whoosh import query as wq

from search_index.schema import to_pence

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
VALUE_BUCKETS = {  # pounds, [low, high)
    "under_25k": (0, 25_000),
    "25k_100k": (25_000, 100_000),
    "100k_1m": (100_000, 1_000_000),
    "1m_10m": (1_000_000, 10_000_000),
    "over_10m": (10_000_000, None),
}
TOP_BUYERS = 10


def to_mask(docnums: Iterable[int], size: int) -> int:
    """Return the bitset of some document numbers."""
    bits = bytearray((size + 7) // 8)
    for docnum in docnums:
        bits[docnum >> 3] |= 1 << (docnum & 7)
    return int.from_bytes(bits, "little")


def from_mask(mask: int) -> list[int]:
    """Return the document numbers of a bitset, in order."""
    out = []
    data = mask.to_bytes((mask.bit_length() + 7) // 8, "little")
    for index, byte in enumerate(data):
        if byte:
            base = index << 3
            out.extend(base + bit for bit in range(8) if byte >> bit & 1)
    return out


class FacetCache:
    """Bitsets of facet values and cached term/filter masks for one searcher."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.size = searcher.doc_count_all()
        self.lock = threading.Lock()
        self._values: dict[str, dict[str, int]] = {}
        self._masks: dict[object, int] = {}
        self._columns: dict[str, list] = {}
        self._terms: dict[tuple, int] = {}
        reader = searcher.reader()
        self.live = to_mask(reader.all_doc_ids(), self.size) if reader.has_deletions() else (1 << self.size) - 1

    def mask_of(self, q: wq.Query) -> int:
        """Return the bitset of a query's documents, combining cached term bitsets where it can."""
        if isinstance(q, wq.Term):
            return self.term_mask(q.fieldname, q.text)
        if isinstance(q, wq.Every):
            return self.live
        if isinstance(q, wq.AndNot):
            return self.mask_of(q.a) & ~self.mask_of(q.b)
        if isinstance(q, wq.Or):
            mask = 0
            for sub in q.subqueries:
                mask |= self.mask_of(sub)
            return mask
        if isinstance(q, wq.And):
            mask = self.live
            for sub in sorted(q.subqueries, key=lambda sub: not isinstance(sub, wq.Term)):
                mask &= self.mask_of(sub)
                if not mask:
                    break
            return mask
        if isinstance(q, wq.Phrase):
            # Positions are read only where every word occurs (often nowhere).
            candidates = self.mask_of(wq.And([wq.Term(q.fieldname, word) for word in q.words]))
            return to_mask(self.searcher.docs_for_query(q), self.size) if candidates else 0
        return to_mask(self.searcher.docs_for_query(q), self.size)

    def term_mask(self, field: str, text) -> int:
        """Return the bitset of one term's postings (cached: popular words repeat)."""
        key = (field, text)
        mask = self._terms.get(key)
        if mask is None:
            reader = self.searcher.reader()
            btext = self.searcher.schema[field].to_bytes(text) if not isinstance(text, str) else text
            mask = to_mask(reader.postings(field, btext).all_ids(), self.size) if (field, btext) in reader else 0
            self._terms[key] = mask
            if len(self._terms) > 4096:
                self._terms.pop(next(iter(self._terms)))
        return mask

    def cached_mask(self, q: wq.Query) -> int:
        """Return the bitset of a query, cached (for filters, which repeat)."""
        key = repr(q)
        mask = self._masks.get(key)
        if mask is None:
            mask = self._masks[key] = self.mask_of(q)
            if len(self._masks) > 512:
                self._masks.pop(next(iter(self._masks)))
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
        field, length = TERM_FACETS[facet]
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
                reader = self.searcher.reader()
                found = self._columns[name] = list(reader.column_reader(name))
        return found

    def newest_order(self) -> list[int]:
        """Return every document number, newest published first (the tie-break of relevance)."""
        found = self._columns.get("_newest")
        if found is None:
            published = self.column("published")
            found = self._columns["_newest"] = sorted(range(len(published)), key=published.__getitem__, reverse=True)
        return found

    def counts(self, matched: int, matched_docs: list[int]) -> dict[str, dict[str, int]]:
        """Return {facet: {value: count}} of the matched documents."""
        out = {}
        for facet in (*TERM_FACETS, "value"):
            counts = {value: (matched & mask).bit_count() for value, mask in self.values(facet).items()}
            out[facet] = {value: n for value, n in sorted(counts.items()) if n}
        buyers = self.column("buyer_id")
        top = Counter(buyers[d] for d in matched_docs).most_common(TOP_BUYERS + 1)
        out["buyer"] = {value: n for value, n in top if value}
        return out
