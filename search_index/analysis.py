"""Analysers: English (stemming, stop words, accent folding) and Welsh (mutation folding).

Each analyser is one fused tokenizer rather than a chain of Whoosh filters: a chain is a stack
of generators per token and indexing speed is what the rebuild target is made of. The index
schema pickles these classes, so they must stay importable at this path (LIBRARIES.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from whoosh.analysis import STOP_WORDS as ENGLISH_STOP_WORDS
from whoosh.analysis import Token, Tokenizer
from whoosh.lang.porter import stem as porter_stem
from whoosh.support.charset import accent_map

from search_index.welsh import STOP_WORDS as WELSH_STOP_WORDS
from search_index.welsh import radicals

# Letters and digits; "_" and apostrophes split words ("i'r" → "i", "r"; both stop words).
WORD_RE = re.compile(r"[^\W_]+")
_ACCENTS = {code: value for code, value in accent_map.items()}


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lower-case a word and strip its accents (dŵr → dwr, Môn → mon)."""
    return word.lower().translate(_ACCENTS)


@lru_cache(maxsize=100_000)
def english_stem(word: str) -> str:
    """Return the Porter stem of a folded word (services → servic)."""
    return porter_stem(word)


class _FusedTokenizer(Tokenizer):
    """Tokenize, fold and filter in one pass; subclasses say how a folded word becomes terms."""

    stop_words: frozenset[str] = frozenset()

    def __eq__(self, other: object) -> bool:
        return self.__class__ is other.__class__

    def __hash__(self) -> int:
        return hash(self.__class__.__name__)

    def terms(self, word: str, mode: str) -> tuple[str, ...]:
        """Return the terms for one folded word; the first one is the word's own term."""
        raise NotImplementedError

    def positions(self, value: str, mode: str = "index") -> list[tuple[str, ...]]:
        """Return the terms at each position of a text (stop words take no position, as in `__call__`)."""
        stops, terms = self.stop_words, self.terms
        return [terms(word, mode) for word in map(fold, WORD_RE.findall(value)) if word not in stops]

    def term_set(self, value: str) -> set[str]:
        """Return the distinct index terms of a text (what a word field indexes)."""
        return {term for terms in self.positions(value) for term in terms}

    def pairs(self, value: str) -> list[tuple[int, str]]:
        """Return (position, "first second") for each two consecutive positions' index terms (every combination)."""
        at = self.positions(value)
        return [(pos, f"{a} {b}") for pos in range(len(at) - 1) for a in at[pos] for b in at[pos + 1]]

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        """Yield one token per term; expansions share their word's position and characters."""
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        stops = self.stop_words if removestops else frozenset()
        for match in WORD_RE.finditer(value):
            word = fold(match.group())
            if word in stops:
                continue
            if keeporiginal:
                token.original = match.group()
            token.stopped = False
            token.boost = 1.0
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            for term in self.terms(word, mode):
                token.text = term
                yield token
            pos += 1


class EnglishTokenizer(_FusedTokenizer):
    """English: fold, drop English stop words, Porter-stem."""

    stop_words = frozenset(ENGLISH_STOP_WORDS)

    def terms(self, word: str, mode: str) -> tuple[str, ...]:
        return (english_stem(word),)


class WelshTokenizer(_FusedTokenizer):
    """Welsh: fold, drop Welsh stop words; when indexing, add every candidate radical."""

    stop_words = WELSH_STOP_WORDS

    def terms(self, word: str, mode: str) -> tuple[str, ...]:
        # Query-side expansion stays off: phrases of mutated words must still line up (LIBRARIES.md).
        if mode == "index":
            return (word, *radicals(word))
        return (word,)


def english_analyzer() -> EnglishTokenizer:
    """Return the analyser of English text fields."""
    return EnglishTokenizer()


def welsh_analyzer() -> WelshTokenizer:
    """Return the analyser of Welsh text fields."""
    return WelshTokenizer()


def query_terms(analyzer: _FusedTokenizer, text: str) -> list[str]:
    """Return the query-side terms of a text for one analyser (stop words removed)."""
    return [token.text for token in analyzer(text, mode="query")]
