"""Welsh/English place names and procurement terms, used as query-time synonyms both ways.

An acronym of up to STRICT_ACRONYM_LETTERS letters is looked up in capitals, as it is searched: "IT"
finds "TG" and "it" finds nothing. One of three or more letters is found in lower case too ("ict"),
since a lower-case word of that length is rarely an everyday word; two letters often are (it, da, ai).
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from search_index.analysis import STRICT_ACRONYM_LETTERS, WORD_RE, acronym, english_stem, fold
from search_index.welsh import STOP_WORDS as WELSH_STOP_WORDS
from search_index.welsh import radicals

DATA = Path(__file__).with_name("data")
FILES = ("places.csv", "glossary.csv", "equivalents.csv")  # two columns, a header, # comments
MAX_WORDS = 4
_STOPS = frozenset({"a", "an", "and", "of", "the", "for", "in", "on", "to"}) | WELSH_STOP_WORDS


def key_of(words: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Return the lookup key of words as written: folded, stop words dropped, stemmed; short acronyms as capitals."""
    key = []
    for word in words:
        capitals = acronym(word)
        if capitals and len(word) <= STRICT_ACRONYM_LETTERS:
            key.append(capitals)
        elif (folded := fold(word)) not in _STOPS:
            key.append(english_stem(folded))
    return tuple(key)


def _keys_of_entry(words: list[str]) -> set[tuple[str, ...]]:
    """Return the keys a table entry is found by: as written, and in lower case unless it has a two-letter acronym."""
    keys = {key_of(words)}
    if all(len(word) > 2 for word in words if acronym(word)):
        keys.add(key_of([word.lower() for word in words]))
    return keys


@lru_cache(maxsize=1)
def table() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Return {key: alternative texts} from the data files, in both directions."""
    pairs: dict[tuple[str, ...], set[str]] = {}
    for name in FILES:
        with (DATA / name).open(encoding="utf-8") as handle:
            rows = [row for row in csv.reader(handle) if row and not row[0].startswith("#")]
        for first, second in rows[1:]:
            for source, target in ((first, second), (second, first)):
                for key in _keys_of_entry(WORD_RE.findall(source)):
                    if key and len(key) <= MAX_WORDS:
                        pairs.setdefault(key, set()).add(target.strip())
    return {key: tuple(sorted(alternatives)) for key, alternatives in pairs.items()}


def alternatives(words: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Return the synonyms of some words ("Caerdydd" → "Cardiff"; "Nghaerdydd" too)."""
    found = table().get(key_of(words), ())
    if not found and len(words) == 1 and not acronym(words[0]):
        # A mutated place name ("yng Nghaerdydd") still names the place.
        for radical in radicals(fold(words[0])):
            found = table().get(key_of([radical]), ())
            if found:
                break
    return found
