"""Alert matching equals the site search, on the real recorded notices, for a few hundred generated searches.

The site's answer is the portal's own index of the same procurements (matching_procurement_ids, the
same bitsets as the search page). See docs/design.md, "Matching saved searches".
"""

from urllib.parse import urlencode

import pytest
from sqlmodel import select

from portal.alerts.matcher import match_batch, match_batch_naive, search_of
from portal.collect.importer import import_paths
from portal.db import session_scope
from portal.models.tables import Procurement
from portal.search.indexing import document_for, matching_procurement_ids, rebuild_index
from search_index.matching import units
from search_index.query import parse
from tests.portal.alerts.saved_searches import saved_searches
from tests.realdata import recorded_files

# Written by hand: Welsh and English place names both ways, mutations, the glossary, acronyms, phrases.
HAND_WRITTEN = [
    "Cardiff",
    "Caerdydd",
    "Nghaerdydd",
    "Cardiff OR Wrexham",
    "Abertawe",
    "cyngor",
    "gyngor",
    "nghyngor",
    "council",
    "Cymru",
    "Gymru",
    "meddalwedd",
    "software -maintenance",
    '"district heating"',
    "heating district",
    "IT",
    "ICT",
    "digi*",
    "Ynys Môn",
    "Sir Ddinbych",
    "(cleaning OR catering) -school",
    "NOT services",
    "the",
    "",
]


@pytest.fixture
def real_rows(app):
    """Import the real FTS day, the Contracts Finder pages and the Sell2Wales releases, then index them."""
    with app.app_context():
        import_paths(recorded_files())
        rebuild_index()
        with session_scope() as session:
            yield session.exec(select(Procurement).order_by(Procurement.id)).all()


def generated(rows, count: int, seed: int) -> dict[int, str]:
    queries = [urlencode({"q": text}) if text else "" for text in HAND_WRITTEN]
    queries += saved_searches([document_for(row) for row in rows], count, seed)
    return dict(enumerate(queries, start=1))


def site(query: str, within: set[int]) -> set[int]:
    return matching_procurement_ids(*search_of(query)) & within


def test_every_generated_search_matches_what_the_site_search_finds(app, real_rows):
    searches = generated(real_rows, 400, seed=20)
    ids = {row.id for row in real_rows}
    with app.app_context():
        fast = match_batch(searches, real_rows)
        for search_id, query in searches.items():
            assert set(fast.get(search_id, {})) == site(query, ids), query
        assert fast == match_batch_naive(searches, real_rows)  # the matched words too
    matched = [search_id for search_id in searches if search_id in fast]
    assert len(matched) > len(searches) // 2  # the searches come from the notices: most find something
    assert any(0 < len(fast[search_id]) < len(ids) // 2 for search_id in matched)


def test_a_batch_is_matched_alone_as_the_site_search_would_find_within_it(app, real_rows):
    batch = real_rows[::3]
    searches = generated(real_rows, 150, seed=21)
    within = {row.id for row in batch}
    with app.app_context():
        fast = match_batch(searches, batch)
        for search_id, query in searches.items():
            assert set(fast.get(search_id, {})) == site(query, within), query


def test_each_match_says_which_of_the_searchs_words_it_matched(app, real_rows):
    searches = generated(real_rows, 200, seed=22)
    with app.app_context():
        fast = match_batch(searches, real_rows)
    for search_id, found in fast.items():
        text, _filters = search_of(searches[search_id])
        typed = [label for label, _node in units(parse(text).node)]
        for words in found.values():
            assert set(words) <= set(typed) and all(word in text for word in words)
    by_text = {search_of(query)[0]: fast.get(search_id, {}) for search_id, query in searches.items()}
    cardiff = {row.id for row in real_rows if "cardiff" in f"{row.title} {row.description}".lower()}
    assert cardiff and all(by_text["Caerdydd"][pid] == ("Caerdydd",) for pid in cardiff)  # as typed, found in English
    either = by_text["Cardiff OR Wrexham"]
    assert {words for words in either.values()} >= {("Cardiff",), ("Wrexham",)}
    assert all(words == () for words in by_text[""].values())  # every notice, on no words


def test_broken_and_hostile_query_strings_match_what_the_site_finds_and_never_raise(app, real_rows):
    broken = [
        "q=%22unclosed",
        "q=((((((((((a))))))))))",
        "q=" + "cyngor+" * 400,
        "stage=nonsense&cpv=abc&region=Wales&value_min=-5&value_max=lots",
        "value_min=5000000&value_max=100",
        "q=%00%01%E2%80%AE",
        "%%%&&==",
        "lens=unknown&q=OR",
    ]
    searches = dict(enumerate(broken, start=1))
    ids = {row.id for row in real_rows}
    with app.app_context():
        fast = match_batch(searches, real_rows)
        for search_id, query in searches.items():
            assert set(fast.get(search_id, {})) == site(query, ids), query
