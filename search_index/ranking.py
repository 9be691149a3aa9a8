"""Relevance ranking from bitsets, so a common word at 100k documents costs no per-document scoring.

Each positive word (or phrase, or synonym group) contributes its query's boost (the field's weight,
less for a word's other forms) × idf for the best field it occurs in; documents fall into a few score
classes, ordered best first and newest first within a class. This drops term frequency and length
normalisation (Whoosh's BM25F walks every posting in Python: 250 ms for one common word at 10k
documents), and keeps what matters in notices: which words matched, how rare they are and whether
they are in the title.

Relevance also puts work a supplier can still bid for first (`top`). Good matches, whose every word
is in a title, buyer or CPV label (a field weighing at least STRONG_WEIGHT), as written, are one tier,
the rest another; within each tier the documents given as `first` (forward and open work) come before
the others, and then by score. A tier rather than a boost: a boost's effect depends on each word's
rarity and field, so it would lift a planned notice that mentions "software" once in its description
above an awarded one titled "Software" for one word and not for the next; the tier says plainly that
among good matches open work comes first, and that a passing mention stays below them.
"""

from __future__ import annotations

import math

from whoosh import query as wq

from search_index.facets import from_mask

MAX_CLASSES = 256
STRONG_WEIGHT = 1.5  # title 3, buyer 2, CPV label 1.5, description 1; another form of a word weighs less


def _fields(q: wq.Query) -> set[str | None]:
    if hasattr(q, "subqueries"):
        return {name for sub in q.subqueries for name in _fields(sub)}
    return {getattr(q, "fieldname", None)}


def _by_field(q: wq.Query, out: dict[tuple[str, float], list[wq.Query]]) -> None:
    """Group a leaf's queries by (field, weight): a query's boost is its field's weight, less for other forms."""
    if isinstance(q, (wq.Term, wq.Phrase, wq.Prefix)):
        out.setdefault((q.fieldname, q.boost), []).append(q)
    elif isinstance(q, wq.Or):
        for sub in q.subqueries:
            _by_field(sub, out)
    elif isinstance(q, wq.And) and q.subqueries:
        fields = _fields(q)
        if len(fields) == 1 and None not in fields:
            out.setdefault((fields.pop(), q.boost), []).append(q)  # e.g. two label words in one field


def leaves(q: wq.Query) -> list[wq.Query]:
    """Return the positive parts of a query whose matches add to a document's score."""
    if isinstance(q, wq.AndNot):
        return leaves(q.a)
    if isinstance(q, wq.And):
        return [leaf for sub in q.subqueries for leaf in leaves(sub)]
    if isinstance(q, wq.Every):
        return []
    return [q]


def score_classes(cache, q: wq.Query, matched: int) -> tuple[list[tuple[float, int]], int]:
    """Return [(score, bitset)] covering the matched documents, best score first, and the good matches' bitset."""
    classes = [(0.0, matched)]
    strong = matched
    for leaf in leaves(q):
        per_field = {}
        _by_field(leaf, per_field)
        weighted = []
        strong_leaf = 0
        for (_field, boost), queries in per_field.items():
            mask = cache.mask_of(wq.Or(queries) if len(queries) > 1 else queries[0]) & matched
            if mask:
                idf = math.log(1 + cache.size / (1 + mask.bit_count()))
                weighted.append((boost * idf, mask))
                if boost >= STRONG_WEIGHT:
                    strong_leaf |= mask
        strong &= strong_leaf
        weighted.sort(key=lambda pair: -pair[0])
        split = []
        for score, mask in classes:
            remaining = mask
            for weight, field_mask in weighted:
                part = remaining & field_mask
                if part:
                    split.append((score + weight, part))
                    remaining &= ~field_mask
            if remaining:
                split.append((score, remaining))
        classes = _merge(split)
    return sorted(classes, key=lambda pair: -pair[0]), strong


def _merge(classes: list[tuple[float, int]]) -> list[tuple[float, int]]:
    merged: dict[float, int] = {}
    for score, mask in classes:
        key = round(score, 6)
        merged[key] = merged.get(key, 0) | mask
    if len(merged) > MAX_CLASSES:
        # Keep the best classes apart; fold the long tail into its best score.
        ordered = sorted(merged.items(), key=lambda pair: -pair[0])
        tail_mask = 0
        for _, mask in ordered[MAX_CLASSES - 1 :]:
            tail_mask |= mask
        return [*ordered[: MAX_CLASSES - 1], (ordered[MAX_CLASSES - 1][0], tail_mask)]
    return list(merged.items())


def first_in_order(order: tuple[list[int], list[int]], mask: int, count: int) -> list[int]:
    """Return the first `count` documents of an order (documents, their places) that are in the bitset.

    A dense bitset is met early walking the order; a sparse one is cheaper to list and sort by place.
    """
    if count <= 0 or not mask:
        return []
    docs, places = order
    size = mask.bit_count()
    if size * size <= 4 * count * len(docs):  # listing `size` documents beats walking ~count*N/size
        return sorted(from_mask(mask), key=places.__getitem__)[:count]
    bits = mask.to_bytes((mask.bit_length() + 7) // 8, "little")
    limit = len(bits) << 3
    out = []
    for docnum in docs:
        if docnum < limit and bits[docnum >> 3] >> (docnum & 7) & 1:
            out.append(docnum)
            if len(out) >= count:
                break
    return out


def top(cache, q: wq.Query, matched: int, count: int, first: int = 0) -> list[tuple[int, float]]:
    """Return the `count` best (docnum, score) of the matched documents, newest first within a score.

    Good matches come before the rest, and within each, the documents of the bitset `first` come first.
    """
    order = cache.newest_order()
    classes, strong = score_classes(cache, q, matched)
    out: list[tuple[int, float]] = []
    for tier in (strong, ~strong):
        for group in (first & tier, ~first & tier) if first else (tier,):
            for score, mask in classes:
                out.extend((docnum, score) for docnum in first_in_order(order, mask & group, count - len(out)))
                if len(out) >= count:
                    return out
    return out
