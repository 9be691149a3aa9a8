"""Saved searches generated from a corpus's own text: what subscribers would type, as canonical query strings.

Words and phrases of real titles in English and Welsh, Welsh mutated forms, exclusions, prefixes, OR,
CPV/region/value/stage and other filters, combinations, and some broken input. Used by the equivalence
tests (tests/portal/alerts/test_matcher_real.py) and the benchmark (bench/alerts.py).
"""

from __future__ import annotations

import random
from urllib.parse import urlencode

from search_index.analysis import WORD_RE
from search_index.facets import VALUE_BUCKETS

# Soft and nasal mutations of a radical's first letters (search_index/welsh.py folds them back).
MUTATIONS = {
    "c": ("g", "ngh", "ch"),
    "p": ("b", "mh", "ph"),
    "t": ("d", "nh", "th"),
    "g": ("", "ng"),
    "b": ("f", "m"),
    "d": ("dd", "n"),
    "m": ("f",),
    "ll": ("l",),
    "rh": ("r",),
}
BROKEN = ('"unclosed phrase', "(cleaning OR", "NOT", "-", "***", "((((((((((a))))))))))", "a* b* c*", "OR OR", ")(")
REGIONS = ("UK", "UKL", "UKL2", "UKL22", "UKI", "UKM", "UKK", "UKD3", "TLL")
STAGES = ("pipeline", "engagement", "planned", "open", "closed", "awarded", "cancelled")
SOURCES = ("fts", "cf", "s2w")


def _words(text: str | None) -> list[str]:
    return [w for w in WORD_RE.findall(text or "") if w.isalpha() and len(w) >= 3]


def mutate(word: str, rng: random.Random) -> str:
    """Return a Welsh mutated form of a word (its first letters changed), or the word when none applies."""
    lower = word.lower()
    for radical in sorted(MUTATIONS, key=len, reverse=True):
        if lower.startswith(radical):
            return rng.choice(MUTATIONS[radical]) + lower[len(radical) :]
    return "h" + lower if lower[0] in "aeiouwy" else lower


def _text(doc: dict, rng: random.Random, broken: bool) -> str:
    english = _words(doc.get("title")) or _words(doc.get("description")) or ["services"]
    welsh = _words(doc.get("title_cy"))
    words = welsh if welsh and rng.random() < 0.5 else english
    word = rng.choice(words)
    at = rng.randrange(max(1, len(words) - 2))
    other = rng.choice(english + welsh)
    kind = rng.randrange(12)
    if kind == 0:
        return word
    if kind == 1:
        return " ".join(words[at : at + 2])
    if kind == 2:
        return '"' + " ".join(words[at : at + rng.choice((2, 3))]) + '"'
    if kind == 3:
        return mutate(rng.choice(welsh or english), rng)
    if kind == 4:
        return f"{word} -{other}"
    if kind == 5:
        return word[: rng.choice((3, 4, 5))] + "*"
    if kind == 6:
        return f"{word} OR {other}"
    if kind == 7:
        return word.upper() if len(word) <= 5 else word.lower()
    if kind == 8:
        return f'"{" ".join(words[at : at + 2])}" -{other}'
    if kind == 9:
        return f"({word} OR {mutate(other, rng)}) {rng.choice(english)[:4]}*"
    if kind == 10:
        return rng.choice(BROKEN) if broken else f"{word} {mutate(other, rng)}"
    return ""  # filters alone


def _filters(doc: dict, rng: random.Random) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    if rng.random() < 0.3:
        pairs += [("stage", s) for s in rng.sample(STAGES, rng.choice((1, 2, 3)))]
    if rng.random() < 0.3 and doc.get("cpv"):
        code = "".join(ch for ch in rng.choice(doc["cpv"]) if ch.isdigit())
        pairs.append(("cpv", code[: rng.choice((2, 3, 4, 5, 8))]))
    if rng.random() < 0.25:
        pairs.append(("region", rng.choice(REGIONS)))
    if rng.random() < 0.2:
        pairs.append(("value", rng.choice(list(VALUE_BUCKETS))))
    elif rng.random() < 0.15:
        low = rng.choice((0, 1000, 10_000, 50_000, 250_000))
        pairs += [("value_min", str(low)), ("value_max", str(rng.choice((low // 2, low * 10, 5_000_000))))]
        if rng.random() < 0.5:
            pairs.append(("no_value", "1"))
    if rng.random() < 0.08:
        pairs.append(("wales", rng.choice(("1", "0"))))
    if rng.random() < 0.08:
        pairs.append(("sme", "1"))
    if rng.random() < 0.08:
        pairs.append(("source", rng.choice(SOURCES)))
    if rng.random() < 0.06:
        pairs.append(("lens", "digital"))
    if rng.random() < 0.05 and doc.get("buyer_id"):
        pairs.append(("buyer", str(doc["buyer_id"])))
    if rng.random() < 0.05:
        pairs += [("deadline_from", "2025-01-01"), ("deadline_to", rng.choice(("2026-09-30", "2027-12-31")))]
    return pairs


def saved_searches(docs: list[dict], count: int, seed: int = 10, broken: bool = True) -> list[str]:
    """Return `count` query strings drawn from documents (portal.search.indexing.document_for dicts).

    With `broken`, some are hostile or unreadable input and some search for everything (for the tests);
    without, every search has words or at least one filter, as a subscriber's would (for the benchmark).
    """
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        doc = rng.choice(docs)
        text = _text(doc, rng, broken)
        pairs = ([("q", text)] if text else []) + _filters(doc, rng)
        while not pairs and not broken:
            pairs = _filters(doc, rng)
        out.append(urlencode(pairs))
    return out
