"""Welsh/English place names and procurement terms, used as query-time synonyms both ways."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from search_index.analysis import WORD_RE, english_stem, fold
from search_index.welsh import STOP_WORDS as WELSH_STOP_WORDS
from search_index.welsh import radicals

DATA = Path(__file__).with_name("data")
FILES = ("places.csv", "glossary.csv")
MAX_WORDS = 4
_STOPS = frozenset({"a", "an", "and", "of", "the", "for", "in", "on", "to"}) | WELSH_STOP_WORDS


def key_of(words: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Return the lookup key of some words: folded, stop words dropped, stemmed."""
    return tuple(english_stem(w) for w in (fold(word) for word in words) if w not in _STOPS)


@lru_cache(maxsize=1)
def table() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Return {key: alternative texts} from the data files, in both directions."""
    pairs: dict[tuple[str, ...], set[str]] = {}
    for name in FILES:
        with (DATA / name).open(encoding="utf-8") as handle:
            rows = [row for row in csv.reader(handle) if row and not row[0].startswith("#")]
        for cy, en in rows[1:]:
            for source, target in ((cy, en), (en, cy)):
                key = key_of(WORD_RE.findall(source))
                if key and len(key) <= MAX_WORDS:
                    pairs.setdefault(key, set()).add(target.strip())
    return {key: tuple(sorted(alternatives)) for key, alternatives in pairs.items()}


def alternatives(words: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Return the synonyms of some words ("Caerdydd" → "Cardiff"; "Nghaerdydd" too)."""
    found = table().get(key_of(words), ())
    if not found and len(words) == 1:
        # A mutated place name ("yng Nghaerdydd") still names the place.
        for radical in radicals(fold(words[0])):
            found = table().get(key_of([radical]), ())
            if found:
                break
    return found
