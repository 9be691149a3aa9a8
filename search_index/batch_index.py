"""The batch of new documents a saved search is matched against: analysed as the index analyses them.

An in-memory inverted index over the batch only: (field, term) → bitset of its documents (a Python int,
bit n for document n), the numbers of the range-filtered fields in order, and the text of the fields with
word pairs, read by position only for a document that holds every word of a phrase searched for. It
evaluates the plans search_index/matching.py compiles. Pure: no Flask, no `portal`, no index on disk.
See docs/design.md, "Matching saved searches".
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from itertools import compress
from typing import TYPE_CHECKING

from whoosh.fields import NUMERIC

from search_index.analysis import WORD_RE
from search_index.fields import WordField
from search_index.schema import BASE_FIELDS, PAIR_FIELDS, build_schema, fields_for

if TYPE_CHECKING:
    from search_index.matching import CompiledSearch

SCHEMA = build_schema()
INDEXED = {name: field for name, field in SCHEMA.items() if field.indexed}
PAIRS = frozenset(PAIR_FIELDS.values())  # pair fields: what a phrase reads
WORDS = frozenset(name for name, field in SCHEMA.items() if isinstance(field, WordField))
NUMERIC_FIELDS = frozenset(name for name, field in SCHEMA.items() if isinstance(field, NUMERIC))


class Batch:
    """The batch's documents analysed as the index analyses them, inverted into term → bitset of documents.

    Word pairs (phrases) are analysed only for a document that holds every word of a phrase searched for.
    """

    def __init__(self, docs: Sequence[dict], keys: Sequence | None = None):
        self.keys = list(keys) if keys is not None else [str(doc["id"]) for doc in docs]
        self.all = (1 << len(self.keys)) - 1
        self.postings: dict[tuple[str, bytes], int] = {}
        self.texts: list[dict[str, str]] = []  # per document: the text of each field with word pairs
        self.pairs: dict[tuple[int, str], tuple] = {}  # (docnum, pair field) → (its pairs, pair → positions)
        numbers: dict[str, list[tuple[int, int]]] = {}
        postings, words_of = self.postings, defaultdict(dict)
        for docnum, doc in enumerate(docs):
            bit, texts = 1 << docnum, {}
            for name, value in fields_for(doc).items():
                field = INDEXED.get(name)
                if field is None or name in PAIRS:
                    continue  # stored text and columns; pairs are read from the text when a phrase asks
                if name in NUMERIC_FIELDS:
                    numbers.setdefault(name, []).append((value, docnum))
                    continue
                if name in WORDS:  # the analyser's terms of each distinct word (WordField.index: its term_set)
                    known, terms = words_of[type(field.analyzer)], set()
                    for raw in set(WORD_RE.findall(value)):
                        found = known.get(raw)
                        if found is None:
                            found = known[raw] = [t.encode("utf-8") for t in field.analyzer.word_terms(raw, "index")]
                        terms.update(found)
                    texts[name] = value
                else:
                    terms = {term for term, *_ in field.index(value)}
                for term in terms:
                    postings[name, term] = postings.get((name, term), 0) | bit
            self.texts.append(texts)
        self.present = frozenset(postings)
        self.numbers = {}  # field → (sorted values, cumulative bitsets: the first n in value order)
        for name, pairs in numbers.items():
            pairs.sort()
            cumulative = [0]
            for _value, docnum in pairs:
                cumulative.append(cumulative[-1] | 1 << docnum)
            self.numbers[name] = ([value for value, _ in pairs], cumulative)
        self.lexicon: dict[str, list[bytes]] = {}
        for name, term in postings:
            self.lexicon.setdefault(name, []).append(term)
        for terms in self.lexicon.values():
            terms.sort()
        self.memo: dict = {}  # plans shared by many searches (a common word, the same filters): this batch only

    def any_of(self, keys: frozenset) -> int:
        """Return the documents holding any of some terms."""
        found = self.memo.get(keys)
        if found is None:
            found = 0
            for key in keys & self.present:
                found |= self.postings[key]
            self.memo[keys] = found
        return found

    def evaluate(self, plan: tuple, within: int) -> int:
        """Return the documents of `within` that a plan matches."""
        kind = plan[0]
        if kind == "S":
            return self.any_of(plan[1]) & within
        if kind == "A":
            for sub in plan[1]:
                within = self.evaluate(sub, within)
                if not within:
                    break
            return within
        if kind == "O":
            found = 0
            for sub in plan[1]:
                found |= self.evaluate(sub, within & ~found)
                if found == within:
                    break
            return found
        if kind == "N":
            found = self.evaluate(plan[1], within)
            return found & ~self.evaluate(plan[2], found) if found else 0
        if kind == "E":
            return within
        if kind == "Q":
            return self._phrase(plan[1], plan[2], plan[3], within)
        found = self.memo.get(plan)
        if found is None:
            found = self.memo[plan] = self._prefix(plan[1], plan[2]) if kind == "P" else self._range(*plan[1:])
        return found & within

    def _phrase(self, field: str, sequences: dict, forms: tuple, within: int) -> int:
        for position in forms:  # a document with a pair holds both its words in the pair field's text field
            within &= self.any_of(position)
            if not within:
                return 0
        found, starts = 0, frozenset(sequences)
        for docnum in _members(range(len(self.keys)), within):
            found_pairs = self.pairs.get((docnum, field))
            if found_pairs is None:
                at_pairs: dict[str, set[int]] = defaultdict(set)
                for pos, pair in INDEXED[field].analyzer.pairs(self.texts[docnum].get(BASE_FIELDS[field], "")):
                    at_pairs[pair].add(pos)
                found_pairs = self.pairs[docnum, field] = (frozenset(at_pairs), at_pairs)
            present, at_pairs = found_pairs
            if any(
                all(pair in present for pair in pairs)
                and any(
                    all(start + n in at_pairs[pair] for n, pair in enumerate(pairs)) for start in at_pairs[pairs[0]]
                )
                for first in starts & present
                for pairs in sequences[first]
            ):
                found |= 1 << docnum
        return found

    def _prefix(self, field: str, prefix: bytes) -> int:
        terms, found = self.lexicon.get(field, []), 0
        for term in terms[bisect_left(terms, prefix) :]:
            if not term.startswith(prefix):
                break
            found |= self.postings[field, term]
        return found

    def _range(self, field: str, low, high) -> int:
        values, cumulative = self.numbers.get(field, ([], [0]))
        start = 0 if low is None else bisect_left(values, low)
        end = len(values) if high is None else bisect_right(values, high)
        return cumulative[end] & ~cumulative[start] if end > start else 0

    def match(self, search: CompiledSearch) -> dict:
        """Return {document key: the search's words it matched} for the documents the search finds."""
        within = self.evaluate(search.filters, self.all)
        for group in search.required:
            if not within:
                return {}
            within &= self.any_of(group)
        matched = self.evaluate(search.text, within) if within else 0
        if not matched:
            return {}
        regions = [(matched, ())]  # the matches split by which of the search's words they hold
        for label, plan in search.units:
            found = self.evaluate(plan, matched)
            regions = [
                (part, words)
                for region, words in regions
                for part, words in ((region & found, (*words, label)), (region & ~found, words))
                if part
            ]
        out: dict = {}
        for region, words in regions:
            out.update(dict.fromkeys(_members(self.keys, region), words))
        return out


def _in_a_row(pairs: tuple[str, ...], present: frozenset, at: dict[str, set[int]]) -> bool:
    """Tell whether a document has some pairs at consecutive positions (Whoosh's Phrase, slop 1)."""
    if not all(pair in present for pair in pairs):
        return False
    return any(all(start + n in at[pair] for n, pair in enumerate(pairs)) for start in at[pairs[0]])


_BITS = bytes.maketrans(b"01", b"\x00\x01")


def _members(items: Sequence, mask: int) -> list:
    """Return the items whose bit is set in a bitset (item n ↔ bit n), without a Python step per item."""
    return list(compress(items, bin(mask)[:1:-1].encode("ascii").translate(_BITS)))
