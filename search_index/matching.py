"""Match many saved searches against a small batch of new documents at once, as the site search would.

Pure: no index on disk, no Flask, no `portal`. A search is compiled ONCE (`compile_search`, cached by its
text and filters) through the site search's own query building: query.parse, then query_plan.compile_node
for each part (a word, a phrase, a prefix, words the synonyms know together; each part compiled once for
every search that has it) put together as query_plan.compile_query puts them, and filters.filter_query. So
analysis, synonyms, acronyms and Welsh mutations are the index's. The Whoosh queries are read into small
plans, evaluated on bitsets over the batch only (search_index/batch_index.py). Each search:
  1. structured filters (stage, CPV, region, buyer, source, lens terms; value and date ranges) → a bitset,
     shared by every search with the same filters;
  2. candidates: the documents holding at least one term of each required term group (the terms any match
     must contain, per field);
  3. confirmation of the candidates only, with the query's full semantics (phrases on word pairs by
     position, prefixes, exclusions, every form and synonym the query building gave).
See docs/design.md, "Matching saved searches".
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from whoosh import query as wq

from search_index.batch_index import PAIRS, SCHEMA, WORDS, Batch
from search_index.filters import Filters, filter_query
from search_index.query import And, Node, Not, Or, Word, parse, to_text
from search_index.query_plan import compile_node
from search_index.schema import BASE_FIELDS, PAIR_FIELDS
from search_index.synonyms import MAX_WORDS, alternatives

# Plan nodes (tuples; a term key is (field, term bytes)):
#   ("S", frozenset(keys))            any of some terms        ("A", (nodes…))  all of
#   ("O", (nodes…))                   any of                   ("N", a, b)      a and not b
#   ("E",)                            every document           ("P", field, b"prefix")
#   ("Q", field, {first pair: [(pairs…)…]}, (keys…)) phrases of one length: any one's pairs at consecutive places;
#                                     keys: per word position, the forms (base-field terms) any of them has there
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


@lru_cache(maxsize=200_000)
def _key(field: str, text) -> tuple[str, bytes]:
    return field, text.encode("utf-8") if isinstance(text, str) else SCHEMA[field].to_bytes(text)


def _phrases(field: str, sequences: list[tuple[str, ...]]) -> tuple:
    """Return the plan of some phrases of one pair field and one length (the forms of one phrase's words)."""
    base, forms = BASE_FIELDS[field], [set() for _ in range(len(sequences[0]) + 1)]
    by_first: dict[bytes, list[tuple[bytes, ...]]] = {}
    for pairs in sequences:
        words = tuple(
            word.encode("utf-8") for word in [pair.split(" ")[0] for pair in pairs] + [pairs[-1].split(" ")[1]]
        )
        for position, word in zip(forms, words, strict=True):
            position.add((base, word))
        by_first.setdefault(words[0], []).append(words)
    return ("Q", base, by_first, tuple(frozenset(position) for position in forms), tuple(sequences))


def _or_plan(plans: list[tuple]) -> tuple:
    terms, phrases, others = set(), {}, []
    for plan in plans:
        for node in plan[1] if plan[0] == "O" else (plan,):
            if node[0] == "S":
                terms |= node[1]
            elif node[0] == "q":  # one phrase's forms, field by field: candidates once per field
                phrases.setdefault((node[1], len(node[2])), []).append(node[2])
            elif node[0] == "Q":
                phrases.setdefault((PAIR_FIELDS[node[1]], len(node[4][0])), []).extend(node[4])
            else:
                others.append(node)
    merged = [_phrases(field, list(dict.fromkeys(sequences))) for (field, _n), sequences in phrases.items()]
    nodes = ([("S", frozenset(terms))] if terms else []) + merged + others
    return nodes[0] if len(nodes) == 1 else ("O", tuple(nodes))


def _and_plan(plans: list[tuple]) -> tuple:
    nodes = [_done(n) for plan in plans for n in (plan[1] if plan[0] == "A" else (plan,)) if n != EVERY] or [EVERY]
    nodes.sort(key=lambda n: n[0] != "S")  # plain terms first: they empty the candidates soonest
    return nodes[0] if len(nodes) == 1 else ("A", tuple(nodes))


def _done(node: tuple) -> tuple:
    """Return a plan node, one phrase left as its pairs (("q", field, pairs), for an Or to merge) made whole."""
    return _phrases(node[1], [node[2]]) if node[0] == "q" else node


def plan_of(q: wq.Query | None) -> tuple:
    """Return the plan of a Whoosh query built by query_plan or filters (None: every document)."""
    return EVERY if q is None else _done(_plan(q))


def _plan(q: wq.Query) -> tuple:
    kind = type(q)
    if kind is wq.Term and q.fieldname in PAIRS:
        return ("q", q.fieldname, (q.text,))
    if kind is wq.Term:
        return ("S", frozenset((_key(q.fieldname, q.text),)))
    if kind is wq.Every:
        return EVERY
    if kind is wq.Prefix and q.fieldname in WORDS:
        return ("P", q.fieldname, q.text.encode("utf-8"))
    if kind is wq.Phrase and q.fieldname in PAIRS and q.slop == 1:
        return ("q", q.fieldname, tuple(q.words))
    if kind is wq.NumericRange and not (q.startexcl or q.endexcl):
        return ("R", q.fieldname, q.start, q.end)
    if kind is wq.AndNot:
        return ("N", plan_of(q.a), plan_of(q.b))
    if kind is wq.Or:
        return _or_plan([_plan(sub) for sub in q.subqueries])
    if kind is wq.And:
        return _and_plan([_plan(sub) for sub in q.subqueries])
    raise Unsupported(f"{kind.__name__} is not evaluated over a batch: {q!r}")


def required_groups(plan: tuple) -> list[frozenset]:
    """Return the term groups any match of a plan must hold one term of each ([]: nothing required)."""
    kind = plan[0]
    if kind == "S":
        return [plan[1]]
    if kind == "Q":
        return list(plan[3])
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
    return [unit for label, child in _and_parts(node) for unit in ([(label, child)] if label else units(child))]


def _and_parts(node: And) -> list[tuple[str | None, Node]]:
    """Return an And's children, its runs of plain words grouped as query_plan groups them (with their label)."""
    out: list[tuple[str | None, Node]] = []
    run: list[Word] = []
    for child in (*node.children, None):
        if isinstance(child, Word) and not child.prefix:
            run.append(child)
            continue
        at = 0
        while at < len(run):  # the longest group the synonyms know, else one word (query_plan._compile_run)
            for size in range(min(MAX_WORDS, len(run) - at), 0, -1):
                if size == 1 or alternatives(tuple(part for word in run[at : at + size] for part in word.parts)):
                    group = run[at : at + size]
                    out.append((" ".join(w.text for w in group), group[0] if size == 1 else And(tuple(group))))
                    at += size
                    break
        run = []
        if child is not None:
            out.append((None, child))
    return out


@lru_cache(maxsize=100_000)
def _unit_plan(node: Node) -> tuple | None:
    """Return the plan of one part of a search, compiled by query_plan once for every search that has it."""
    q = compile_node(node)
    return None if q is None else plan_of(q)


def _any(plans) -> tuple | None:
    plans = [plan for plan in plans if plan is not None]
    return None if not plans else plans[0] if len(plans) == 1 else _or_plan(plans)


def _text_plan(node: Node) -> tuple | None:
    """Return the plan of a search's syntax tree, its parts put together as query_plan.compile_query does."""
    if isinstance(node, Or):
        return _any(_text_plan(child) for child in node.children)
    if isinstance(node, Not):
        positive = _text_plan(node.child)
        return None if positive is None else ("N", EVERY, positive)
    if not isinstance(node, And):
        return _unit_plan(node)
    positives, negatives = [], []
    for label, child in _and_parts(node):
        if label is not None:
            positives.append(_unit_plan(child))
        elif isinstance(child, Not):
            negatives.append(_text_plan(child.child))
        else:
            positives.append(_text_plan(child))
    positives = [plan for plan in positives if plan is not None]
    positive = None if not positives else _and_plan(positives)
    negative = _any(negatives)
    return positive if negative is None else ("N", EVERY if positive is None else positive, negative)


@lru_cache(maxsize=4096)
def _filter_plan(filters: Filters | None) -> tuple:
    return plan_of(filter_query(filters))


@lru_cache(maxsize=100_000)
def compile_search(text: str, filters: Filters | None = None) -> CompiledSearch:
    """Compile a search once: its filters, its text, the terms a match must hold, its reportable units."""
    parsed = parse(text)
    plan = (_text_plan(parsed.node) if parsed.node is not None else None) or EVERY
    found = {}
    for label, node in units(parsed.node):
        unit_plan = _unit_plan(node)
        if label not in found and unit_plan not in (None, EVERY):
            found[label] = unit_plan
    return CompiledSearch(_filter_plan(filters), plan, tuple(required_groups(plan)), tuple(found.items()))


def forget_compiled() -> None:
    """Forget every compiled search and part (a benchmark's cold start; the clock keeps them between batches)."""
    for cached in (compile_search, _unit_plan, _filter_plan, _key):
        cached.cache_clear()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a batch is matched, and restore it after.

    Matching allocates hundreds of thousands of tuples, sets and dicts, none in a reference cycle (refcounting
    frees them); each allocation burst would otherwise start a full collection that walks every compiled
    search kept in the caches: a third of the matching time (docs/design.md, "Matching saved searches").
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def match_batch(searches: dict, docs: Sequence[dict]) -> dict:
    """Return {search key: {document id: matched words}} for (text, Filters) searches; no match, no key."""
    out = {}
    with collector_paused():
        batch = Batch(docs)
        for key, (text, filters) in searches.items():
            found = batch.match(compile_search(text, filters))
            if found:
                out[key] = found
    return out
