""" "Why this matched": which fields matched and HTML-safe fragments with the matched words marked.

Notice text is untrusted (it can hold `<script>`): every character of it is escaped and the
only markup in a fragment is our own `<mark>`…`</mark>`. Built only for the hits of the page
shown; each distinct word of a text is tested once (a description repeats its words).
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

from search_index.analysis import RADICAL, WORD_RE, acronym, english_stem, fold
from search_index.welsh import radicals

MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"
CONTEXT_WORDS = 10  # words either side of a match in a description fragment
MAX_FRAGMENTS = 2
MAX_TITLE_CHARS = 400

# user-facing field → (stored fields, English index field, Welsh index field)
GROUPS = {
    "title": (("title", "title_cy"), "title", "title_cy"),
    "description": (("description", "description_cy"), "description", "description_cy"),
}
# Fields stored whole and not highlighted: user-facing name → (stored field, English index field, Welsh index field)
UNMARKED = {"buyer": ("buyer", "buyer", "buyer_cy"), "cpv": ("cpv_labels", "cpv_labels", "cpv_labels")}


@lru_cache(maxsize=200_000)
def _forms(word: str) -> tuple[str, str, frozenset[str], str]:
    """Return (folded, English stem, Welsh radicals as indexed, acronym term or "") of a word as written."""
    folded = fold(word)
    return folded, english_stem(folded), frozenset(RADICAL + r for r in radicals(folded)), acronym(word)


class _Matcher:
    """Tells which words of a text are query words of an English and a Welsh field ("IT" and not "it" for IT)."""

    def __init__(self, compiled, english_field: str, welsh_field: str):
        self.english = compiled.terms.get(english_field, set())
        self.welsh = compiled.terms.get(welsh_field, set())
        self.prefixes = tuple(compiled.prefixes.get(english_field, set()) | compiled.prefixes.get(welsh_field, set()))
        self.empty = not (self.english or self.welsh or self.prefixes)
        self.known: dict[str, bool] = {}  # word as written → is a query word

    def _test(self, word: str) -> bool:
        folded, stem, mutated, capitals = _forms(word)
        if stem in self.english or folded in self.welsh:
            return True
        if capitals and (capitals in self.english or capitals in self.welsh):
            return True
        if self.prefixes and folded.startswith(self.prefixes):
            return True
        return bool(self.welsh) and not self.welsh.isdisjoint(mutated)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Return the character spans of the query words in a text."""
        if self.empty or not text:
            return []
        known, test = self.known, self._test
        hits = set()
        for word in set(WORD_RE.findall(text)):
            found = known.get(word)
            if found is None:
                found = known[word] = test(word)
            if found:
                hits.add(word)
        if not hits:
            return []
        return [m.span() for m in WORD_RE.finditer(text) if m.group() in hits]


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out, at = [], start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        out.append(escape(text[at:span_start]))
        out.append(MARK_OPEN + escape(text[span_start:span_end]) + MARK_CLOSE)
        at = span_end
    out.append(escape(text[at:end]))
    return "".join(out)


def _fragments(text: str, spans: list[tuple[int, int]]) -> str:
    words = [m.span() for m in WORD_RE.finditer(text)]
    index_of = {start: n for n, (start, _) in enumerate(words)}
    pieces, last_end = [], -1
    for span in spans:
        if span[0] < last_end:
            continue
        index = index_of.get(span[0], 0)
        first, last = max(0, index - CONTEXT_WORDS), min(len(words) - 1, index + CONTEXT_WORDS)
        start, end = words[first][0], words[last][1]
        fragment = _marked(text, spans, start, end)
        pieces.append(("… " if first > 0 else "") + fragment + (" …" if last < len(words) - 1 else ""))
        last_end = end
        if len(pieces) >= MAX_FRAGMENTS:
            break
    return " ".join(pieces)


class Explainer:
    """Builds "why this matched" for the hits of one search, sharing its word tests between hits."""

    def __init__(self, compiled):
        self.compiled = compiled
        self.groups = {group: _Matcher(compiled, en, cy) for group, (_, en, cy) in GROUPS.items()}
        self.unmarked = {group: _Matcher(compiled, en, cy) for group, (_, en, cy) in UNMARKED.items()}

    def explain(self, stored: dict) -> tuple[list[str], dict[str, str]]:
        """Return (matched user-facing fields, {"title"|"description": HTML-safe fragment}) of one hit."""
        matched, marks = [], {}
        for group, (stored_fields, _, _) in GROUPS.items():
            matcher = self.groups[group]
            for name in stored_fields:
                text = stored.get(name) or ""
                spans = matcher.spans(text)
                if not spans:
                    continue
                matched.append(group)
                if group == "title":
                    marks[group] = _marked(text[:MAX_TITLE_CHARS], spans, 0, min(len(text), MAX_TITLE_CHARS))
                else:
                    marks[group] = _fragments(text, spans)
                break
        for group, (stored_field, _, _) in UNMARKED.items():
            if self.unmarked[group].spans(stored.get(stored_field) or ""):
                matched.append(group)
        # Only the first characters of a description are stored: a hit that matched nowhere we can
        # see matched in the rest of its description.
        if not matched and (self.compiled.terms or self.compiled.prefixes):
            matched = ["description"]
        return matched, marks
