"""Syntax tree → Whoosh query, with bilingual synonyms. Pure: needs the schema, not an index.

Each word of a search may stand for several terms at its position (`analysis.query_positions`): its own
term first, then other forms (in Welsh fields, its mutations and radicals; a long word in capitals, in
any case). The other forms match with OTHER_FORM_WEIGHT of the field's weight, so that the word as
typed, in any field, ranks above another form in the title; a phrase matches any combination of forms
at its positions, through the pairs of forms (at most MAX_PHRASE_FORMS combinations).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product
from math import prod

from whoosh import query as wq

from search_index.analysis import WORD_RE, acronym, english_analyzer, fold, query_positions, welsh_analyzer
from search_index.query import And, Node, Not, Or, ParsedQuery, Phrase, Word
from search_index.schema import BASE_FIELDS, PAIR_FIELDS, TEXT_FIELDS, WELSH_FIELDS
from search_index.synonyms import MAX_WORDS, alternatives
from search_index.welsh import STOP_WORDS as WELSH_STOP_WORDS

_ENGLISH, _WELSH = english_analyzer(), welsh_analyzer()
_ANY_STOP = _ENGLISH.stop_words | WELSH_STOP_WORDS
OTHER_FORM_WEIGHT = 0.25
MAX_PHRASE_FORMS = 64


@dataclass
class Compiled:
    query: wq.Query
    # field → terms and prefixes of the positive part: what "why this matched" looks for
    terms: dict[str, set[str]] = field(default_factory=dict)
    prefixes: dict[str, set[str]] = field(default_factory=dict)


def _analyzer(name: str):
    return _WELSH if name in WELSH_FIELDS else _ENGLISH


def _any(subqueries: list[wq.Query]) -> wq.Query | None:
    subqueries = [q for q in subqueries if q is not None]
    if not subqueries:
        return None
    return subqueries[0] if len(subqueries) == 1 else wq.Or(subqueries)


def _all(subqueries: list[wq.Query]) -> wq.Query | None:
    subqueries = [q for q in subqueries if q is not None]
    if not subqueries:
        return None
    return subqueries[0] if len(subqueries) == 1 else wq.And(subqueries)


def _forms(name: str, forms: tuple[str, ...], boost: float) -> wq.Query:
    """Return the query of one position's forms in a field: its own term at full weight, the others less."""
    terms = [wq.Term(name, term, boost=boost if n == 0 else boost * OTHER_FORM_WEIGHT) for n, term in enumerate(forms)]
    return terms[0] if len(terms) == 1 else wq.Or(terms)


def _phrase(name: str, positions: list[tuple[str, ...]], boost: float) -> wq.Query:
    """Return a phrase on a field's word pairs: one pair is a term; more must sit at consecutive positions.

    Each combination of the positions' forms is a phrase of its own; beyond MAX_PHRASE_FORMS of them,
    fewer forms of each word are searched.
    """
    for keep in (2, 1):  # else each word as typed and as a radical (of the text's mutated words); else as typed
        if prod(len(forms) for forms in positions) <= MAX_PHRASE_FORMS:
            break
        positions = [forms[:keep] for forms in positions]
    phrases = []
    for n, terms in enumerate(product(*positions)):
        weight = boost if n == 0 else boost * OTHER_FORM_WEIGHT  # the first combination is every word as typed
        pairs = [f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)]
        if len(pairs) == 1:
            phrases.append(wq.Term(PAIR_FIELDS[name], pairs[0], boost=weight))
        else:
            phrases.append(wq.Phrase(PAIR_FIELDS[name], pairs, boost=weight))
    return phrases[0] if len(phrases) == 1 else wq.Or(phrases)


def text_query(words: tuple[str, ...] | list[str]) -> wq.Query | None:
    """Return the query of plain words in every text field: one word as terms, several as phrases."""
    parts = [part for word in words for part in WORD_RE.findall(word)]
    if not parts:
        return None
    if len(parts) == 1 and fold(parts[0]) in _ANY_STOP and not acronym(parts[0]):
        return None  # a stop word in either language would make the other language's fields required
    per_field = []
    for name, boost in TEXT_FIELDS.items():
        positions = query_positions(_analyzer(name), " ".join(parts))
        if len(positions) == 1:
            per_field.append(_forms(name, positions[0], boost))
        elif positions and name in PAIR_FIELDS:
            per_field.append(_phrase(name, positions, boost))
        elif positions:
            per_field.append(wq.And([_forms(name, forms, 1.0) for forms in positions], boost=boost))
    return _any(per_field)


def _prefix_query(word: Word) -> wq.Query | None:
    stem = fold(word.text)
    return _any([wq.Prefix(name, stem, boost=boost) for name, boost in TEXT_FIELDS.items()])


def _with_synonyms(words: tuple[str, ...], exact: wq.Query | None) -> wq.Query | None:
    found = alternatives(words)
    if not found:
        return exact
    return _any([exact, *(text_query((alt,)) for alt in found)])


def _compile_run(run: list[Word]) -> list[wq.Query | None]:
    """Compile consecutive plain words, replacing the longest synonym matches (Ynys Môn → Anglesey)."""
    out: list[wq.Query | None] = []
    at = 0
    while at < len(run):
        for size in range(min(MAX_WORDS, len(run) - at), 0, -1):
            words = tuple(part for word in run[at : at + size] for part in word.parts)
            if size == 1 or alternatives(words):
                exact = _all([text_query((w.text,)) for w in run[at : at + size]])
                out.append(_with_synonyms(words, exact))
                at += size
                break
    return out


def _compile(node: Node) -> wq.Query | None:
    if isinstance(node, Word):
        return _prefix_query(node) if node.prefix else _compile_run([node])[0]
    if isinstance(node, Phrase):
        return _with_synonyms(node.words, text_query(node.words))
    if isinstance(node, Or):
        return _any([_compile(child) for child in node.children])
    if isinstance(node, Not):
        positive = _compile(node.child)
        return wq.AndNot(wq.Every(), positive) if positive is not None else None
    return _compile_and(node)


def _compile_and(node: And) -> wq.Query | None:
    positives: list[wq.Query | None] = []
    negatives: list[wq.Query | None] = []
    run: list[Word] = []
    for child in node.children:
        if isinstance(child, Word) and not child.prefix:
            run.append(child)
            continue
        positives.extend(_compile_run(run))
        run = []
        if isinstance(child, Not):
            negatives.append(_compile(child.child))
        else:
            positives.append(_compile(child))
    positives.extend(_compile_run(run))
    positive, negative = _all(positives), _any(negatives)
    if negative is None:
        return positive
    return wq.AndNot(positive if positive is not None else wq.Every(), negative)


def _positive_terms(q: wq.Query, compiled: Compiled) -> None:
    if isinstance(q, wq.AndNot):
        _positive_terms(q.a, compiled)
    elif isinstance(q, wq.Prefix):
        compiled.prefixes.setdefault(q.fieldname, set()).add(q.text)
    elif isinstance(q, wq.Term) and q.fieldname in BASE_FIELDS:
        compiled.terms.setdefault(BASE_FIELDS[q.fieldname], set()).update(q.text.split(" "))
    elif isinstance(q, wq.Term):
        compiled.terms.setdefault(q.fieldname, set()).add(q.text)
    elif isinstance(q, wq.Phrase):
        words = {word for pair in q.words for word in pair.split(" ")}
        compiled.terms.setdefault(BASE_FIELDS.get(q.fieldname, q.fieldname), set()).update(words)
    elif hasattr(q, "subqueries"):
        for sub in q.subqueries:
            _positive_terms(sub, compiled)


def compile_node(node: Node) -> wq.Query | None:
    """Return the Whoosh query of one part of a search, as if searched alone (None for stop words only)."""
    return _compile(node)


def compile_query(parsed: ParsedQuery) -> Compiled:
    """Return the Whoosh query of a parsed search (Every when it has no words) and its terms."""
    q = _compile(parsed.node) if parsed.node is not None else None
    compiled = Compiled(q if q is not None else wq.Every())
    _positive_terms(compiled.query, compiled)
    return compiled
