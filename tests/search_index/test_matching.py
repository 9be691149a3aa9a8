"""matching_ids (every id a search matches, unpaged), the changed_since/changed_until filter, and the
matching of saved searches against a batch of documents (search_index.matching), which must find the same."""

import gc
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from whoosh import query as wq

from search_index import Filters, IndexMissing, matching_ids, rebuild, search, sync
from search_index.matching import (
    EVERY,
    Batch,
    Unsupported,
    collector_paused,
    compile_search,
    match_batch,
    plan_of,
    units,
)
from search_index.query import parse
from search_index.schema import BASE_FIELDS, PAIR_FIELDS
from tests.search_index.small_corpus import CORPUS, NOW, notice

SEARCHES = [
    ("", None),
    ("cleaning", None),
    ("cleaning OR catering", Filters(stages=("open",))),
    ('"digital services"', None),
    ("-cleaning", Filters(cpv=("72",))),
    ("soft*", None),
    ("", Filters(regions=("UKL",), value_min=10_000)),
    ("", Filters(in_wales=True, sources=("s2w",))),
    ("nothing-matches-this", None),
    ("the", None),  # stop words only: everything, as in search
]


def all_hit_ids(index_dir, text, filters) -> set[str]:
    results = search(index_dir, text, filters, per_page=100, facets=False)
    assert results.total <= 100
    return {hit.id for hit in results.hits}


@pytest.mark.parametrize("text, filters", SEARCHES)
def test_matching_ids_are_the_ids_search_pages_through(built_index, text, filters):
    assert matching_ids(built_index, text, filters) == all_hit_ids(built_index, text, filters)


def test_matching_ids_without_text_or_filters_is_every_document(built_index):
    assert matching_ids(built_index) == {doc["id"] for doc in CORPUS}


def test_matching_ids_follow_syncs_and_leave_deleted_documents_out(fresh_index):
    assert "ocds-t-02" in matching_ids(fresh_index, "cleaning")
    sync(fresh_index, [notice("ocds-n-01", "Window cleaning")], deletes=["ocds-t-02"])
    found = matching_ids(fresh_index, "cleaning")
    assert "ocds-n-01" in found and "ocds-t-02" not in found
    assert found == all_hit_ids(fresh_index, "cleaning", None)


def test_matching_ids_of_an_empty_index_and_of_no_index(tmp_path):
    rebuild(tmp_path / "empty", [], procs=1)
    assert matching_ids(tmp_path / "empty", "software", Filters(stages=("open",))) == set()
    with pytest.raises(IndexMissing):
        matching_ids(tmp_path / "missing", "software")


# Procurements updated around NOW, to the second and below it.
UPDATES = {
    "ocds-u-01": NOW - timedelta(days=3),
    "ocds-u-02": NOW - timedelta(seconds=1),
    "ocds-u-03": NOW,
    "ocds-u-04": NOW + timedelta(milliseconds=400),  # the same second as NOW
    "ocds-u-05": NOW + timedelta(seconds=1),
    "ocds-u-06": NOW + timedelta(days=2),
}


@pytest.fixture(scope="module")
def updated_index(tmp_path_factory):
    path = tmp_path_factory.mktemp("updated")
    docs = [notice(doc_id, f"Road gritting {doc_id[-2:]}", updated=when) for doc_id, when in UPDATES.items()]
    docs.append(notice("ocds-u-07", "Road gritting without an update time", updated=None))
    rebuild(path, docs, procs=1)
    return path


def changed(index_dir, text="", **window) -> set[str]:
    found = matching_ids(index_dir, text, Filters(**window))
    assert found == all_hit_ids(index_dir, text, Filters(**window))
    return found


def test_changed_since_is_at_or_after_the_moment_to_the_second(updated_index):
    assert changed(updated_index, changed_since=NOW) == {"ocds-u-03", "ocds-u-04", "ocds-u-05", "ocds-u-06"}
    assert changed(updated_index, changed_since=NOW + timedelta(milliseconds=999)) == changed(
        updated_index, changed_since=NOW
    )
    assert changed(updated_index, changed_since=NOW + timedelta(seconds=1)) == {"ocds-u-05", "ocds-u-06"}
    assert changed(updated_index, changed_since=NOW - timedelta(days=10)) == set(UPDATES)  # never ocds-u-07


def test_changed_until_is_before_the_moment_so_windows_neither_overlap_nor_leave_gaps(updated_index):
    assert changed(updated_index, changed_until=NOW) == {"ocds-u-01", "ocds-u-02"}
    cuts = [
        NOW - timedelta(days=5),
        NOW - timedelta(seconds=1),
        NOW,
        NOW + timedelta(seconds=1),
        NOW + timedelta(days=5),
    ]
    windows = [changed(updated_index, changed_since=a, changed_until=b) for a, b in zip(cuts, cuts[1:], strict=False)]
    assert sum(len(window) for window in windows) == len(UPDATES) and set().union(*windows) == set(UPDATES)
    assert windows[2] == {"ocds-u-03", "ocds-u-04"}
    assert changed(updated_index, changed_since=NOW, changed_until=NOW) == set()
    assert changed(updated_index, changed_since=NOW + timedelta(days=1), changed_until=NOW) == set()


def test_changed_since_takes_any_time_zone_and_naive_as_utc(updated_index):
    london = NOW.astimezone(ZoneInfo("Europe/London"))  # 10:00 BST is 09:00 UTC
    assert changed(updated_index, changed_since=london) == changed(updated_index, changed_since=NOW)
    naive = NOW.replace(tzinfo=None)
    assert changed(updated_index, changed_since=naive) == changed(updated_index, changed_since=NOW)


def test_changed_since_combines_with_text_and_other_filters(updated_index):
    found = matching_ids(
        updated_index, "gritting -02", Filters(stages=("open",), changed_since=NOW - timedelta(days=5))
    )
    assert found == set(UPDATES) - {"ocds-u-02"}  # ocds-u-07 has no update time
    assert changed(updated_index, "06", changed_since=NOW) == {"ocds-u-06"}
    assert changed(updated_index, "06", changed_until=NOW) == set()


# Matching saved searches against a batch (search_index/matching.py; docs/design.md, "Matching saved searches").

BATCH_SEARCHES = [
    *SEARCHES,
    ("gyngor", None),
    ("Ynys Môn", None),
    ('"digital services" -cleaning', Filters(stages=("open", "planned"))),
    ("(cleaning OR software) -council", Filters(value_min=1000, value_max=10_000_000, include_no_value=True)),
    ("", Filters(value_min=750_000, value_max=750_000)),  # a range's ends are inclusive
    ("", Filters(value_min=5_000_000, value_max=100)),  # an empty range
    ("", Filters(lens="digital")),
    ('"unclosed (', None),
]


def batch_found(text, filters, docs=CORPUS) -> set[str]:
    return set(Batch(docs).match(compile_search(text, filters)))


@pytest.mark.parametrize("text, filters", BATCH_SEARCHES)
def test_a_batch_finds_what_the_index_finds(built_index, text, filters):
    assert batch_found(text, filters) == matching_ids(built_index, text, filters)


def test_a_batch_finds_only_its_own_documents():
    batch = [doc for doc in CORPUS if doc["id"] != "ocds-t-02"]
    assert "ocds-t-02" in batch_found("cleaning", None)
    assert batch_found("cleaning", None, batch) == batch_found("cleaning", None) - {"ocds-t-02"}
    assert Batch([]).match(compile_search("cleaning")) == {}


def test_required_term_groups_are_what_every_match_must_hold():
    both = compile_search("cleaning services").required
    assert len(both) == 2 and ("title", b"clean") in both[0] and ("title", b"servic") in both[1]
    assert ("title_cy", b"glanhau") in both[0]  # the glossary's Welsh word is an alternative of the same group
    either = compile_search("cleaning OR catering").required
    assert len(either) == 1 and {("title", b"clean"), ("title", b"cater")} <= either[0]
    assert compile_search("-cleaning").required == ()  # an exclusion requires nothing
    assert compile_search("clean*").required == ()  # a prefix is confirmed on the batch's own terms
    phrase = compile_search('"district heating"').required
    # A phrase's words, in any field its pairs are in: its pairs are read only for documents holding both.
    assert len(phrase) == 1 and {field for field, _term in phrase[0]} >= set(PAIR_FIELDS) - set(BASE_FIELDS)
    assert phrase[0] & {("title", b"district"), ("title", b"heat")}


def test_structured_filters_are_plans_of_their_own():
    compiled = compile_search("", Filters(stages=("open",), cpv=("72210000",), regions=("UKL",), value_min=10))
    assert compiled.text == EVERY and compiled.required == ()
    kinds = {node[0] for node in compiled.filters[1]}
    assert compiled.filters[0] == "A" and kinds == {"S", "R"}
    assert ("cpv", b"7221") in {key for node in compiled.filters[1] if node[0] == "S" for key in node[1]}


def test_a_search_is_compiled_once_and_its_units_are_its_words_as_typed():
    assert compile_search("cleaning") is compile_search("cleaning")
    labels = [label for label, _plan in compile_search('Ynys Môn (gofal OR "digital services") soft* -x').units]
    assert labels == ["Ynys Môn", "gofal", '"digital services"', "soft*"]
    assert [label for label, _node in units(parse("the gritting").node)] == ["the", "gritting"]
    assert [label for label, _plan in compile_search("the gritting").units] == ["gritting"]  # a stop word: all
    # The glossary knows "cleaning" with or without "the", so the two are compiled, and reported, together.
    assert [label for label, _plan in compile_search("the cleaning").units] == ["the cleaning"]


def test_matched_words_are_the_searchs_words_each_document_holds():
    found = Batch(CORPUS).match(compile_search("gyngor OR cleaning"))
    assert found and all(set(words) <= {"gyngor", "cleaning"} and words for words in found.values())
    assert found["ocds-t-12"] == ("gyngor",)  # "Cyngor Tref Wrecsam": a mutated form finds the radical
    assert found["ocds-t-02"] == ("gyngor", "cleaning")  # "Cleaning services for council": cyngor is council
    assert Batch(CORPUS).match(compile_search("gritting OR digi* -cleaning")) == {"ocds-t-05": ("digi*",)}


def test_a_query_the_evaluator_does_not_know_is_refused_not_guessed():
    with pytest.raises(Unsupported):
        plan_of(wq.FuzzyTerm("title", "clean"))
    assert plan_of(None) == EVERY


def test_broken_searches_compile_without_an_error(built_index):
    for text in ('"', "((((((((((a))))))))))", "NOT", "-", "***", "a" * 600, "\x00\u202e"):
        assert batch_found(text, None) == matching_ids(built_index, text, None)


def test_matching_pauses_the_cycle_collector_and_restores_it_as_it_was():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        match_batch({"a": ("cleaning", None)}, CORPUS)
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
    with pytest.raises(KeyError), collector_paused():
        match_batch({"a": ("cleaning", None)}, [{"title": "a document without an id"}])
    assert gc.isenabled()  # even after an error
