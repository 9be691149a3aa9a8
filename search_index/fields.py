"""Whoosh field types of the text: words without positions, and word pairs with them.

Ranking comes from bitsets (ranking.py), so a word field needs neither frequencies, positions
nor field lengths: one posting per distinct term per document, computed without Whoosh's token
objects. Phrases run on pair fields: "digital services" is one term lookup ("digit servic");
a longer phrase is a positional match of consecutive pairs, read only for documents holding
every pair. The index schema pickles these classes: keep them importable at this path.

Whoosh 2.7 looks up a field's length column for every posting it writes; for a field without
lengths (ID, KEYWORD, NUMERIC and these) that is an `os.stat` per posting, most of a rebuild's
time once the text fields have no lengths. `whoosh_compat.remember_missing_columns` caches the miss.
"""

from __future__ import annotations

from collections import defaultdict

from whoosh import formats
from whoosh.fields import TEXT

from search_index.whoosh_compat import remember_missing_columns

remember_missing_columns()  # here, because every process that unpickles the schema imports this module


class WordField(TEXT):
    """Text searched by words: existence postings only."""

    def __init__(self, analyzer, stored: bool = False):
        super().__init__(analyzer=analyzer, phrase=False, stored=stored)
        self.format = formats.Existence()
        self.scorable = False  # no per-document lengths: nothing scores with them

    def index(self, value, **kwargs):
        return [(term.encode("utf-8"), 1, 1.0, b"") for term in self.analyzer.term_set(value)]


class PairField(TEXT):
    """Consecutive word pairs of a text, with positions (a phrase of n words is n-1 consecutive pairs)."""

    def __init__(self, analyzer):
        super().__init__(analyzer=analyzer, phrase=True, stored=False)
        self.scorable = False

    def index(self, value, **kwargs):
        found: dict[str, list[int]] = defaultdict(list)
        for pos, pair in self.analyzer.pairs(value):
            found[pair].append(pos)
        encode = self.format.encode
        return [(pair.encode("utf-8"), len(at), float(len(at)), encode(at)) for pair, at in found.items()]
