"""Lenses: named views of the notices that a supplier of one kind of work opens with one click.

A lens is a set of CPV code prefixes or words (in English and Welsh, read by the same query language and
analysers as a search, so acronyms, the glossary and Welsh mutations apply): a notice is in the lens when it
has one of the codes or one of the words. Kept as data here; the portal names them in both languages.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from whoosh import query as wq

from search_index.query import parse
from search_index.query_plan import compile_query
from search_index.schema import normalise_cpv


@dataclass(frozen=True)
class Lens:
    cpv: tuple[str, ...]  # prefixes at any level, as the cpv filter reads them
    words: str  # a search in the query language, its words joined by OR


LENSES = {
    # Digital, data and technology: software packages (48), IT services (72), computer equipment (302),
    # network equipment (324), radio and telecoms apparatus (3223, 3252), telecoms services (642).
    "digital": Lens(
        cpv=("48", "72", "302", "324", "3223", "3252", "642"),
        words=(
            'software OR digital OR IT OR ICT OR cloud OR website OR cyber OR broadband OR "data platform" OR '
            "meddalwedd OR digidol OR TG OR TGCh OR cwmwl OR gwefan OR seiberddiogelwch"
        ),
    ),
}


@lru_cache
def lens_query(name: str) -> wq.Query | None:
    """Return the Whoosh query of a lens (its codes or its words), or None for a name that is not a lens."""
    lens = LENSES.get(name)
    if lens is None:
        return None
    codes = [wq.Term("cpv", normalise_cpv(code)) for code in lens.cpv]
    return wq.Or([*codes, compile_query(parse(lens.words)).query])
