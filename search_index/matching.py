"""Match many saved searches against a small batch of new documents at once, as the site search would.

Pure: no index on disk, no Flask, no `portal`. A search is compiled ONCE (`compile_search`, cached by its
text and filters) through the site search's own query building (query.parse, query_plan.compile_query,
filters.filter_query), so analysis, synonyms, acronyms and Welsh mutations are the index's. Its Whoosh
query is then read into a small plan evaluated on bitsets over the batch only (`Batch`: the batch's
documents, analysed by the index's own schema fields, inverted into term → bitset). Each search:
  1. structured filters (stage, CPV, region, buyer, source, lens terms; value and date ranges) → a bitset,
     shared by every search with the same filters;
  2. candidates: the documents holding at least one term of each required term group (the terms any match
     must contain, per field);
  3. confirmation of the candidates only, with the query's full semantics (phrases on word pairs by
     position, prefixes, exclusions, every form and synonym the query building gave).
See docs/design.md, "Matching saved searches".
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from whoosh import query as wq
from whoosh.fields import NUMERIC

from search_index.filters import Filters, filter_query
from search_index.query import And, Node, Not, Or, Word, parse, to_text
from search_index.query_plan import compile_node, compile_query
from search_index.schema import PAIR_FIELDS, build_schema, fields_for
from search_index.synonyms import MAX_WORDS, alternatives

# Plan nodes (tuples; a term key is (field, term bytes)):
#   ("S", frozenset(keys))            any of some terms        ("A", (nodes…))  all of
#   ("O", (nodes…))                   any of                   ("N", a, b)      a and not b
#   ("E",)                            every document           ("P", field, b"prefix")
#   ("Q", field, (pair keys…))        a phrase: its word pairs at consecutive positions
#   ("R", field, low, high)           a number in [low, high] (None: open)
EVERY = ("E",)


class Unsupported(ValueError):
    """The query building gave a Whoosh query this evaluator does not know: match that search with Whoosh."""


@dataclass(frozen=True)
class CompiledSearch:
    """A saved search ready to match: its filters and text as plans, required term groups, its units."""

    filters: tuple
    text: tuple
    required: tuple[frozenset, ...]  # each group: a match holds at least one of its (field, term) keys
    units: tuple[tuple[str, tuple], ...]  # (words as typed, plan): what "matched words" reports


_SCHEMA = build_schema()
_INDEXED = {name: field for name, field in _SCHEMA.items() if field.indexed}
_PAIRS = frozenset(PAIR_FIELDS.values())
_NUMERIC = frozenset(name for name, field in _SCHEMA.items() if isinstance(field, NUMERIC))


def _key(field: str, text) -> tuple[str, bytes]:
    return field, text.encode("utf-8") if isinstance(text, str) else _SCHEMA[field].to_bytes(text)


def plan_of(q: wq.Query | None) -> tuple:
    """Return the plan of a Whoosh query built by query_plan or filters (None: every document)."""
    if q is None:
        return EVERY
    kind = type(q)
    if kind is wq.Term:
        return ("S", frozenset((_key(q.fieldname, q.text),)))
    if kind is wq.Every:
        return EVERY
    if kind is wq.Prefix:
        return ("P", q.fieldname, q.text.encode("utf-8"))
    if kind is wq.Phrase:
        return ("Q", q.fieldname, tuple(_key(q.fieldname, word) for word in q.words))
    if kind is wq.NumericRange and not (q.startexcl or q.endexcl):
        return ("R", q.fieldname, q.start, q.end)
    if kind is wq.AndNot:
        return ("N", plan_of(q.a), plan_of(q.b))
    if kind is wq.Or:
        terms, others = set(), []
        for sub in (plan_of(s) for s in q.subqueries):
            if sub[0] == "S":
                terms |= sub[1]
            elif sub[0] == "O":
                others.extend(sub[1])
            else:
                others.append(sub)
        nodes = ([("S", frozenset(terms))] if terms else []) + others
        return nodes[0] if len(nodes) == 1 else ("O", tuple(nodes))
    if kind is wq.And:
        nodes = [plan_of(s) for s in q.subqueries]
        nodes = [n for n in nodes if n != EVERY] or [EVERY]
        nodes.sort(key=lambda n: n[0] != "S")  # plain terms first: they empty the candidates soonest
        return nodes[0] if len(nodes) == 1 else ("A", tuple(nodes))
    raise Unsupported(f"{kind.__name__} is not evaluated over a batch: {q!r}")


def required_groups(plan: tuple) -> list[frozenset]:
    """Return the term groups any match of a plan must hold one term of each ([]: nothing required)."""
    kind = plan[0]
    if kind == "S":
        return [plan[1]]
    if kind == "Q":
        return [frozenset((key,)) for key in plan[2]]
    if kind == "N":
        return required_groups(plan[1])
    if kind == "A":
        return [group for sub in plan[1] for group in required_groups(sub)]
    if kind == "O":
        union: set = set()
        for sub in plan[1]:
            groups = required_groups(sub)
            if not groups:
                return []  # one alternative needs no term: the Or needs none
            union |= min(groups, key=len)
        return [frozenset(union)]
    return []


def units(node: Node | None) -> list[tuple[str, Node]]:
    """Return the positive parts of a search as typed, each with the node that is searched for it.

    Plain words next to each other are one part when the synonyms know them together ("Ynys Môn"), as
    query_plan compiles them; excluded words are never reported.
    """
    if node is None or isinstance(node, Not):
        return []
    if isinstance(node, Or):
        return [unit for child in node.children for unit in units(child)]
    if not isinstance(node, And):
        return [(to_text(node), node)]
    out: list[tuple[str, Node]] = []
    run: list[Word] = []
    for child in (*node.children, None):
        if isinstance(child, Word) and not child.prefix:
            run.append(child)
            continue
        out.extend(_run_units(run))
        run = []
        out.extend(units(child))
    return out


def _run_units(run: list[Word]) -> list[tuple[str, Node]]:
    out, at = [], 0
    while at < len(run):
        for size in range(min(MAX_WORDS, len(run) - at), 0, -1):
            words = tuple(part for word in run[at : at + size] for part in word.parts)
            if size == 1 or alternatives(words):
                group = run[at : at + size]
                out.append((" ".join(w.text for w in group), group[0] if size == 1 else And(tuple(group))))
                at += size
                break
    return out


@lru_cache(maxsize=4096)
def _filter_plan(filters: Filters | None) -> tuple:
    return plan_of(filter_query(filters))


@lru_cache(maxsize=100_000)
def compile_search(text: str, filters: Filters | None = None) -> CompiledSearch:
    """Compile a search once: its filters, its text, the terms a match must hold, its reportable units."""
    parsed = parse(text)
    plan = plan_of(compile_query(parsed).query)
    found = {}
    for label, node in units(parsed.node):
        unit_plan = plan_of(compile_node(node))
        if label not in found and unit_plan != EVERY:
            found[label] = unit_plan
    return CompiledSearch(_filter_plan(filters), plan, tuple(required_groups(plan)), tuple(found.items()))


class Batch:
    """The batch's documents analysed as the index analyses them, inverted into term → bitset of documents."""

    def __init__(self, docs: Sequence[dict]):
        self.ids = [str(doc["id"]) for doc in docs]
        self.all = (1 << len(self.ids)) - 1
        self.postings: dict[tuple[str, bytes], int] = {}
        self.positions: dict[tuple[tuple[str, bytes], int], list[int]] = {}  # (pair key, docnum) → positions
        numbers: dict[str, list[tuple[int, int]]] = {}
        for docnum, doc in enumerate(docs):
            bit = 1 << docnum
            for name, value in fields_for(doc).items():
                field = _INDEXED.get(name)
                if field is None:
                    continue  # stored text and columns
                if name in _NUMERIC:
                    numbers.setdefault(name, []).append((value, docnum))
                    continue
                if name in _PAIRS:
                    for pos, pair in field.analyzer.pairs(value):
                        key = (name, pair.encode("utf-8"))
                        self.positions.setdefault((key, docnum), []).append(pos)
                        self.postings[key] = self.postings.get(key, 0) | bit
                    continue
                for term, *_ in field.index(value):
                    key = (name, term)
                    self.postings[key] = self.postings.get(key, 0) | bit
        self.numbers = {}  # field → (sorted values, cumulative bitsets: the first n in value order)
        for name, pairs in numbers.items():
            pairs.sort()
            cumulative = [0]
            for _value, docnum in pairs:
                cumulative.append(cumulative[-1] | 1 << docnum)
            self.numbers[name] = ([value for value, _ in pairs], cumulative)
        self.lexicon: dict[str, list[bytes]] = {}
        for name, term in self.postings:
            self.lexicon.setdefault(name, []).append(term)
        for terms in self.lexicon.values():
            terms.sort()
        self.memo: dict = {}  # plans shared by many searches (a common word, the same filters): this batch only

    def evaluate(self, plan: tuple, within: int) -> int:
        """Return the documents of `within` that a plan matches."""
        kind = plan[0]
        if kind == "S":
            found = self.memo.get(plan[1])
            if found is None:
                get, found = self.postings.get, 0
                for key in plan[1]:
                    found |= get(key, 0)
                self.memo[plan[1]] = found
            return found & within
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
            return found
        if kind == "N":
            found = self.evaluate(plan[1], within)
            return found & ~self.evaluate(plan[2], found) if found else 0
        if kind == "E":
            return within
        if kind == "Q":
            return self._phrase(plan[1], plan[2], within)
        found = self.memo.get(plan)
        if found is None:
            found = self.memo[plan] = self._prefix(plan[1], plan[2]) if kind == "P" else self._range(*plan[1:])
        return found & within

    def _phrase(self, field: str, keys: tuple, within: int) -> int:
        get = self.postings.get
        for key in keys:
            within &= get(key, 0)
        found, docnum, mask = 0, 0, within
        while mask:  # only documents holding every pair are read by position
            if mask & 1:
                at = [set(self.positions[key, docnum]) for key in keys]
                if any(all(start + n in places for n, places in enumerate(at)) for start in at[0]):
                    found |= 1 << docnum
            mask >>= 1
            docnum += 1
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

    def match(self, search: CompiledSearch) -> dict[str, tuple[str, ...]]:
        """Return {document id: the search's words it matched} for the documents the search finds."""
        within = self.evaluate(search.filters, self.all)
        get = self.postings.get
        for group in search.required:
            if not within:
                return {}
            found = self.memo.get(group)
            if found is None:
                found = 0
                for key in group:
                    found |= get(key, 0)
                self.memo[group] = found
            within &= found
        matched = self.evaluate(search.text, within) if within else 0
        if not matched:
            return {}
        words = [(label, self.evaluate(plan, matched)) for label, plan in search.units]
        out, docnum, mask = {}, 0, matched
        while mask:
            if mask & 1:
                bit = 1 << docnum
                out[self.ids[docnum]] = tuple(label for label, found in words if found & bit)
            mask >>= 1
            docnum += 1
        return out


def match_batch(searches: dict, docs: Sequence[dict]) -> dict:
    """Return {search key: {document id: matched words}} for (text, Filters) searches; no match, no key."""
    batch = Batch(docs)
    out = {}
    for key, (text, filters) in searches.items():
        found = batch.match(compile_search(text, filters))
        if found:
            out[key] = found
    return out
