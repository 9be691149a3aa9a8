"""Welsh initial mutations, folded back to the radical, and a Welsh stop list.

Welsh changes the first letter of a word after certain words (cyngor → "ei gyngor", "fy
nghyngor", "ei chyngor") and adds h- before vowels ("ei henw"). Which radical a mutated form
came from is often ambiguous (f- is soft b- or m-; "ff", "dd", "ng" also start real words), so
we never guess: we return every candidate, and the Welsh analyser adds them beside the word, at its
position, both in the text (marked as radicals) and in a search, so two forms of a word meet at a
radical they share (analysis.WelshTokenizer; docs/libraries.md, "Whoosh: Welsh mutations", measured
recall 73% → 100% with the text side alone).
"""

from __future__ import annotations

from functools import lru_cache

VOWELS = frozenset("aeiouwy")

_G = "+g"  # "put the deleted g- back in front of the whole token"

# (mutated prefix, radical prefixes), longest prefix first: the first match wins, so "ngh"
# is read as nasal c- and never also as nasal g- + h.
_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ngh", ("c",)),  # nasal c: nghyngor → cyngor, Nghymru → Cymru
    ("mh", ("p",)),  # nasal p: mhen → pen
    ("nh", ("t", "d")),  # nasal t: nhref → tref; also read as nasal d, so the misspelt Nhinbych finds Dinbych
    ("ng", ("g",)),  # nasal g: ngwasanaeth → gwasanaeth
    ("ph", ("p",)),  # aspirate p: phlant → plant
    ("th", ("t",)),  # aspirate t: thref → tref
    ("ch", ("c",)),  # aspirate c: chyngor → cyngor
    ("dd", ("d",)),  # soft d: ddinas → dinas
    ("ff", ()),  # ff is its own letter, never a mutation
    ("ll", ()),  # ll is a radical; its soft form is l-
    ("rh", ()),  # rh is a radical; its soft form is r-
    ("f", ("b", "m")),  # soft b or m: fwrdd → bwrdd, fenter → menter
    ("l", ("ll", _G)),  # soft ll (lyfr → llyfr) or g-deletion (lan → glan)
    ("r", ("rh", _G)),  # soft rh (raglen → rhaglen) or g-deletion (radd → gradd)
    ("b", ("p",)),  # soft p: bwyllgor → pwyllgor
    ("d", ("t",)),  # soft t: dref → tref
    ("g", ("c",)),  # soft c: gyngor → cyngor, Gymru → Cymru
    ("m", ("b",)),  # nasal b: Mangor → Bangor
    ("n", ("d",)),  # nasal d: Ninbych → Dinbych
)

# Minimum lengths keep two-letter function words from spawning candidates.
_MIN_TOKEN = 3
_MIN_RADICAL = 3


@lru_cache(maxsize=65536)
def radicals(token: str) -> tuple[str, ...]:
    """Return the possible radical forms of a lower-case, accent-folded token (not itself)."""
    if len(token) < _MIN_TOKEN or not token.isalpha():
        return ()
    first = token[0]
    if first in VOWELS:
        # Soft mutation deletes g- (gwaith → waith, gofal → ofal).
        return ("g" + token,)
    if first == "h" and token[1] in VOWELS:
        # h-prothesis before a vowel (ei henw → enw); "h" also starts real words, kept as original.
        return (token[1:],) if len(token) - 1 >= _MIN_RADICAL else ()
    for prefix, replacements in _RULES:
        if token.startswith(prefix):
            rest = token[len(prefix) :]
            out = []
            for radical in replacements:
                candidate = "g" + token if radical == _G else radical + rest
                if len(candidate) >= _MIN_RADICAL and candidate != token:
                    out.append(candidate)
            return tuple(out)
    return ()


# Function words that carry no meaning for search; mutation triggers included ("ei", "fy", "yn").
# fmt: off
STOP_WORDS = frozenset((
    "a", "ac", "ag", "am", "ar", "at", "ble", "bod", "beth", "dan", "dros", "drwy", "dy", "ei",
    "eich", "ein", "eu", "fe", "fy", "gan", "gyda", "hefyd", "heb", "hi", "hon", "hwn", "hwy", "hyn",
    "hynny", "i", "mae", "na", "nac", "nad", "neu", "ni", "nid", "o", "os", "pa", "pan", "pe",
    "sef", "sut", "sy", "sydd", "tra", "trwy", "tua", "wedi", "wrth", "y", "ydy", "ydi", "yw", "yn",
    "yng", "ym", "yr",
))
# fmt: on
