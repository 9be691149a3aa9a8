""" "Why this matched": which fields matched and HTML-safe fragments with the matched words marked.

Notice text is untrusted (it can hold `<script>`): every character of it is escaped and the
only markup in a fragment is our own `<mark>`…`</mark>`.
"""

from __future__ import annotations

from html import escape

from search_index.analysis import WORD_RE, english_stem, fold
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
# English-only fields, stored whole: user-facing name → field
ENGLISH_ONLY = {"buyer": "buyer", "cpv": "cpv_labels"}


def _matcher(compiled, english_field: str, welsh_field: str):
    english = compiled.terms.get(english_field, set())
    welsh = compiled.terms.get(welsh_field, set())
    prefixes = tuple(compiled.prefixes.get(english_field, set()) | compiled.prefixes.get(welsh_field, set()))

    def matches(word: str) -> bool:
        folded = fold(word)
        if english_stem(folded) in english or folded in welsh:
            return True
        if prefixes and folded.startswith(prefixes):
            return True
        return bool(welsh) and any(radical in welsh for radical in radicals(folded))

    return matches


def _spans(text: str, matches) -> list[tuple[int, int]]:
    return [m.span() for m in WORD_RE.finditer(text) if matches(m.group())]


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
    starts = [w[0] for w in words]
    pieces, last_end = [], -1
    for span in spans:
        if span[0] < last_end:
            continue
        index = starts.index(span[0]) if span[0] in starts else 0
        first, last = max(0, index - CONTEXT_WORDS), min(len(words) - 1, index + CONTEXT_WORDS)
        start, end = words[first][0], words[last][1]
        fragment = _marked(text, spans, start, end)
        pieces.append(("… " if first > 0 else "") + fragment + (" …" if last < len(words) - 1 else ""))
        last_end = end
        if len(pieces) >= MAX_FRAGMENTS:
            break
    return " ".join(pieces)


def highlights(stored: dict, compiled) -> dict[str, str]:
    """Return {"title"|"description": HTML-safe fragment} for the fields where query words occur."""
    out = {}
    for group, (stored_fields, english_field, welsh_field) in GROUPS.items():
        matches = _matcher(compiled, english_field, welsh_field)
        for name in stored_fields:
            text = stored.get(name) or ""
            spans = _spans(text, matches)
            if not spans:
                continue
            if group == "title":
                out[group] = _marked(text[:MAX_TITLE_CHARS], spans, 0, min(len(text), MAX_TITLE_CHARS))
            else:
                out[group] = _fragments(text, spans)
            break
    return out


def matched_fields(stored: dict, compiled) -> list[str]:
    """Return the user-facing fields (title, description, buyer, cpv) whose stored text has a query word."""
    out = []
    for group, (stored_fields, english_field, welsh_field) in GROUPS.items():
        matches = _matcher(compiled, english_field, welsh_field)
        if any(_spans(stored.get(name) or "", matches) for name in stored_fields):
            out.append(group)
    for group, field in ENGLISH_ONLY.items():
        if _spans(stored.get(field) or "", _matcher(compiled, field, field)):
            out.append(group)
    # Only the first characters of a description are stored: a hit that matched nowhere we can
    # see matched in the rest of its description.
    return out or (["description"] if compiled.terms or compiled.prefixes else [])
