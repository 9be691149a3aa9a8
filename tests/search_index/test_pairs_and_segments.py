"""Phrases on word pairs stay exact; syncs keep segments bounded; searchers see other writers' commits."""

import subprocess
import sys
from pathlib import Path

from search_index import IndexMissing, doc_count, rebuild, search, sync
from search_index.generations import VERSION, current_generation
from search_index.index import MAX_SEGMENTS, segment_count
from tests.search_index.small_corpus import CORPUS, notice

ROOT = Path(__file__).resolve().parents[2]
PAIRS = [
    notice("ocds-p-40", "Digital services framework"),
    notice("ocds-p-41", "Services for digital inclusion", description="Services, digital and otherwise."),
    notice("ocds-p-42", "Digital services; managed services framework"),
    notice(
        "ocds-p-43",
        "Glanhau swyddfeydd",
        title_cy="Glanhau swyddfeydd",
        description_cy="Glanhau swyddfeydd ei gyngor sir bob wythnos.",
        sources=["s2w"],
        in_wales=True,
    ),
]


def ids(index, text="", **kwargs):
    return {hit.id for hit in search(index, text, per_page=100, **kwargs).hits}


def test_phrase_order_and_adjacency_are_exact(fresh_index):
    sync(fresh_index, PAIRS)
    found = ids(fresh_index, '"digital services"')
    assert {"ocds-p-40", "ocds-p-42", "ocds-t-05"} <= found and "ocds-p-41" not in found  # "services … digital"
    assert "ocds-p-41" in ids(fresh_index, '"services digital"')  # punctuation is not a word
    # Both pairs of "digital services framework" are in ocds-p-42, but not one after the other.
    assert ids(fresh_index, '"digital services framework"') == {"ocds-p-40"}
    assert ids(fresh_index, '"managed services framework"') == {"ocds-p-42"}


def test_phrase_highlights_its_words(fresh_index):
    sync(fresh_index, PAIRS)
    hit = search(fresh_index, '"digital services framework"').hits[0]
    assert hit.highlights["title"] == "<mark>Digital</mark> <mark>services</mark> <mark>framework</mark>"


def test_welsh_mutated_phrase(fresh_index):
    sync(fresh_index, PAIRS)
    assert "ocds-p-43" in ids(fresh_index, '"cyngor sir"')  # radical of "gyngor"
    assert "ocds-p-43" in ids(fresh_index, '"gyngor sir"')  # as written
    assert "ocds-p-43" not in ids(fresh_index, '"sir cyngor"')


def test_syncs_keep_segments_bounded(fresh_index):
    for n in range(MAX_SEGMENTS * 2):
        sync(fresh_index, [notice(f"ocds-s-{n:02d}", f"Segment test number{n}")], deletes=["ocds-t-27"])
        assert segment_count(fresh_index) <= MAX_SEGMENTS
    assert len(ids(fresh_index, "segment")) == MAX_SEGMENTS * 2
    assert doc_count(fresh_index) == len(CORPUS) - 1 + MAX_SEGMENTS * 2
    assert "ocds-t-27" not in ids(fresh_index, "catering")


def _in_another_process(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


def test_searcher_sees_another_process_sync_and_rebuild(fresh_index):
    assert ids(fresh_index, "bicycles") == set()  # this thread's searcher is open now
    _in_another_process(
        "from search_index import sync; from tests.search_index.small_corpus import notice; "
        f"sync({str(fresh_index)!r}, [notice('ocds-x-01', 'Bicycles for couriers')])"
    )
    assert ids(fresh_index, "bicycles") == {"ocds-x-01"}
    _in_another_process(
        "from search_index import rebuild; from tests.search_index.small_corpus import CORPUS; "
        f"rebuild({str(fresh_index)!r}, CORPUS[:3], procs=1)"
    )
    assert ids(fresh_index, "bicycles") == set() and search(fresh_index, "").total == 3


def test_browse_lists_everything_newest_first(built_index):
    hits = search(built_index, "", per_page=10, page=2).hits
    newest = sorted(CORPUS, key=lambda doc: doc["published"], reverse=True)
    assert [h.id for h in hits] == [doc["id"] for doc in newest[10:20]]


def test_index_of_an_older_schema_is_not_read(fresh_index):
    (current_generation(fresh_index) / VERSION).write_text("1", encoding="utf-8")
    assert search(fresh_index, "council").messages[0].code == "index_unavailable"
    try:
        sync(fresh_index, [CORPUS[0]])
    except IndexMissing:
        pass
    else:
        raise AssertionError("sync into an index of another schema version")
    rebuild(fresh_index, CORPUS, procs=1)
    assert search(fresh_index, "council").total > 0


def test_an_or_of_phrases_finds_what_each_finds_though_it_reads_positions_once(fresh_index):
    from whoosh import query as wq

    from search_index.facets import FacetCache
    from search_index.live import live_searcher

    sync(fresh_index, PAIRS)
    cache = FacetCache(live_searcher(fresh_index))
    phrases = [
        wq.Phrase("title_pairs", ["digit servic", "servic framework"]),
        wq.Phrase("title_cy_pairs", ["digital services", "services framework"]),
        wq.Phrase("title_pairs", ["manag servic", "servic framework"]),
    ]
    union = 0
    for phrase in phrases:
        union |= cache.mask_of(phrase)
    assert union and cache.mask_of(wq.Or(phrases)) == union
    assert cache.mask_of(wq.Or([wq.Term("title", "digit"), wq.Or(phrases)])) == cache.mask_of(wq.Term("title", "digit"))
