"""Analysers: English (stemming, stop words, accent folding) and Welsh (mutation folding); acronyms in both.

A word written in capitals (IT, ICT, TGCh) is also indexed as an acronym term, in capitals, at the
same position, even when its lower-case form is a stop word: every other term is lower case, so a
search typed in capitals finds "IT" and never "it" (`acronym`).

Each analyser is one fused tokenizer rather than a chain of Whoosh filters: a chain is a stack
of generators per token and indexing speed is what the rebuild target is made of. The index
schema pickles these classes, so they must stay importable here (docs/libraries.md, "Whoosh: pickled analysers").
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
# An acronym: 2 to 6 letters, the first and at least one other a capital (IT, ICT, AI, TGCh, PhD, DEFRA).
ACRONYM_LETTERS = (2, 6)
# Typed in a search, an acronym of up to this many letters matches only the same capitals in the text;
# a longer word in capitals ("CLOUD", typed with caps lock) also matches the word in any case.
STRICT_ACRONYM_LETTERS = 4
# Marks a radical indexed beside a Welsh word ("nghyngor" is indexed as nghyngor and ~cyngor); no word has it.
RADICAL = "~"


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lower-case a word and strip its accents (dŵr → dwr, Môn → mon)."""
    return word.lower().translate(_ACCENTS)


@lru_cache(maxsize=200_000)
def acronym(word: str) -> str:
    """Return the acronym term of a word as written (IT → "IT", TGCh → "TGCH"), or "" when it is not one."""
    low, high = ACRONYM_LETTERS
    if not low <= len(word) <= high or not word[0].isupper() or not word.isalpha():
        return ""
    if sum(1 for ch in word if ch.isupper()) < 2:
        return ""
    return fold(word).upper()


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

    def word_terms(self, raw: str, mode: str) -> tuple[str, ...]:
        """Return the terms of one word as written (none for a stop word that is not an acronym)."""
        return _word_terms(self, raw, mode)

    def positions(self, value: str, mode: str = "index") -> list[tuple[str, ...]]:
        """Return the terms at each position of a text (stop words take no position, as in `__call__`)."""
        word_terms = self.word_terms
        return [terms for terms in (word_terms(raw, mode) for raw in WORD_RE.findall(value)) if terms]

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
        for match in WORD_RE.finditer(value):
            terms = self.word_terms(match.group(), mode)
            if not terms and not removestops:
                terms = self.terms(fold(match.group()), mode)
            if not terms:
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
            for term in terms:
                token.text = term
                yield token
            pos += 1


@lru_cache(maxsize=400_000)
def _word_terms(tokenizer: _FusedTokenizer, raw: str, mode: str) -> tuple[str, ...]:
    word = fold(raw)
    own = () if word in tokenizer.stop_words else tokenizer.terms(word, mode)
    capitals = acronym(raw)
    if not capitals:
        return own
    if mode == "index":
        return (*own, capitals)
    # Typed in a search: the capitals first (the word's own term), then, for a long word, any case.
    return (capitals,) if len(raw) <= STRICT_ACRONYM_LETTERS else (capitals, *own)


class EnglishTokenizer(_FusedTokenizer):
    """English: fold, drop English stop words, Porter-stem."""

    stop_words = frozenset(ENGLISH_STOP_WORDS)

    def terms(self, word: str, mode: str) -> tuple[str, ...]:
        return (english_stem(word),)


class WelshTokenizer(_FusedTokenizer):
    """Welsh: fold, drop Welsh stop words, and add every candidate radical, in the text and in a search.

    Folding both sides means two forms of one word meet at a radical they share, whichever of them is
    typed and whichever is written: "gyngor" finds "Cyngor" (its radical) and "Nghyngor" (→ ~cyngor),
    as "cyngor" does. The text's radicals are marked (RADICAL), so a search tells the word as written
    from a word it may be a mutation of ("bay" from "May" → ~bay) and ranks the first higher. A phrase
    still lines up: it is matched as any combination of its words' forms (query_plan._phrase).
    """

    stop_words = WELSH_STOP_WORDS

    def terms(self, word: str, mode: str) -> tuple[str, ...]:
        found = radicals(word)
        if mode == "index":
            return (word, *(RADICAL + radical for radical in found))
        # As written; as the radical of a mutated word; its radicals, as written or as radicals.
        return (word, RADICAL + word, *found, *(RADICAL + radical for radical in found))


def english_analyzer() -> EnglishTokenizer:
    """Return the analyser of English text fields."""
    return EnglishTokenizer()


def welsh_analyzer() -> WelshTokenizer:
    """Return the analyser of Welsh text fields."""
    return WelshTokenizer()


def query_terms(analyzer: _FusedTokenizer, text: str) -> list[str]:
    """Return the query-side terms of a text for one analyser (stop words removed)."""
    return [token.text for token in analyzer(text, mode="query")]


def query_positions(analyzer: _FusedTokenizer, text: str) -> list[tuple[str, ...]]:
    """Return the query-side terms at each position of a text: the word's own term first, then its other forms."""
    return analyzer.positions(text, mode="query")
