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
from search_index.schema import PAIR_FIELDS, build_schema, fields_for

if TYPE_CHECKING:
    from search_index.matching import CompiledSearch

SCHEMA = build_schema()
INDEXED = {name: field for name, field in SCHEMA.items() if field.indexed}
PAIRS = frozenset(PAIR_FIELDS.values())  # pair fields: what a phrase reads
WORDS = frozenset(name for name, field in SCHEMA.items() if isinstance(field, WordField))
NUMERIC_FIELDS = frozenset(name for name, field in SCHEMA.items() if isinstance(field, NUMERIC))


class Batch:
    """The batch's documents analysed as the index analyses them, inverted into term → bitset of documents.

    Word positions (phrases) are read only for a document that holds every word of a phrase searched for.
    """

    def __init__(self, docs: Sequence[dict], keys: Sequence | None = None):
        self.keys = list(keys) if keys is not None else [str(doc["id"]) for doc in docs]
        self.all = (1 << len(self.keys)) - 1
        self.postings: dict[tuple[str, bytes], int] = {}
        self.texts: list[dict[str, str]] = []  # per document: the text of each field with word pairs
        self.places: dict[tuple[int, str], tuple] = {}  # (docnum, text field) → _places
        self.known: dict[type, dict[str, list[bytes]]] = defaultdict(dict)  # analyser → word → its terms
        numbers: dict[str, list[tuple[int, int]]] = {}
        postings = self.postings
        for docnum, doc in enumerate(docs):
            bit, texts = 1 << docnum, {}
            for name, value in fields_for(doc).items():
                field = INDEXED.get(name)
                if field is None or name in PAIRS:
                    continue  # stored text and columns; a phrase reads its words' positions from the text
                if name in NUMERIC_FIELDS:
                    numbers.setdefault(name, []).append((value, docnum))
                    continue
                if name in WORDS:  # the analyser's terms of each distinct word (WordField.index: its term_set)
                    known, terms = self.known[type(field.analyzer)], set()
                    for raw in set(WORD_RE.findall(value)):
                        found = known.get(raw)
                        terms.update(self._terms(field.analyzer, raw) if found is None else found)
                    texts[name] = value
                else:
                    terms = {term for term, *_ in field.index(value)}
                for key in [(name, term) for term in terms]:
                    postings[key] = postings.get(key, 0) | bit
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
        for position in forms:  # a document with the phrase holds one form of each of its words in the field
            within &= self.any_of(position)
            if not within:
                return 0
        found = 0
        for docnum in _members(range(len(self.keys)), within):
            where = self._places(docnum, field)
            if any(_in_a_row(words, where) for first in sequences if first in where for words in sequences[first]):
                found |= 1 << docnum
        return found

    def _places(self, docnum: int, field: str) -> dict[bytes, set[int]]:
        """Return each term of a text field and its positions (the pairs the index has of it, unpaired)."""
        found = self.places.get((docnum, field))
        if found is None:
            found, at = defaultdict(set), 0
            for raw in WORD_RE.findall(self.texts[docnum].get(field, "")):
                terms = self._terms(INDEXED[field].analyzer, raw)
                if terms:  # a stop word takes no position (analysis._FusedTokenizer.positions)
                    for term in terms:
                        found[term].add(at)
                    at += 1
            self.places[docnum, field] = found
        return found

    def _terms(self, analyzer, raw: str) -> list[bytes]:
        known = self.known[type(analyzer)]
        found = known.get(raw)
        if found is None:
            found = known[raw] = [term.encode("utf-8") for term in analyzer.word_terms(raw, "index")]
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


def _in_a_row(words: tuple[bytes, ...], where: dict[bytes, set[int]]) -> bool:
    """Tell whether words stand at consecutive positions, as their pairs must for Whoosh's Phrase (slop 1)."""
    starts = where.get(words[0], set())
    for n in range(1, len(words)):
        starts = starts.intersection([place - n for place in where.get(words[n], ())])
        if not starts:
            return False
    return bool(starts)


_BITS = bytes.maketrans(b"01", b"\x00\x01")


def _members(items: Sequence, mask: int) -> list:
    """Return the items whose bit is set in a bitset (item n ↔ bit n), without a Python step per item."""
    return list(compress(items, bin(mask)[:1:-1].encode("ascii").translate(_BITS)))
