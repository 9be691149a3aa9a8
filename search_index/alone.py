"""When all the words of a search together find nothing: how many each finds alone, and the search for any.

Counted from the same bitsets as the search (cheap: the words' term bitsets are cached already), within
the same filters and exclusions, so "cloud TG" that finds nothing says "cloud finds 3, TG finds 0" and
offers "cloud OR TG".
"""

from __future__ import annotations

from search_index.query import And, Message, Node, Not, to_text
from search_index.query_plan import compile_node

CODE = "words_alone"


def words_alone(cache, node: Node | None, within: int) -> tuple[list[tuple[str, int]], Message] | None:
    """Return [(word as typed, matches alone)] and their message, for a search of two or more words; else None.

    `within`: the bitset the search was made in (its filters). A word that is only a stop word is left out.
    """
    if not isinstance(node, And):
        return None
    negatives = [child.child for child in node.children if isinstance(child, Not)]
    for negative in negatives:
        query = compile_node(negative)
        if query is not None:
            within &= ~cache.mask_of(query)
    counts = []
    for child in node.children:
        if isinstance(child, Not):
            continue
        query = compile_node(child)
        if query is not None:
            counts.append((to_text(child), (cache.mask_of(query) & within).bit_count()))
    if len(counts) < 2:
        return None
    any_of = " OR ".join(text for text, _ in counts)
    if negatives:
        any_of = f"({any_of}) " + " ".join(to_text(Not(negative)) for negative in negatives)
    alone = ", ".join(f"{text} finds {count}" for text, count in counts)
    text = f"No notice has all of your words. Alone, {alone}. To find notices with any of them, search for {any_of}"
    data = {"words": [{"word": word, "count": count} for word, count in counts], "any_of": any_of}
    return counts, Message(CODE, text, data)
