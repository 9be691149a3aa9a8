"""The cache of recent results (search_index/results.py): a repeat is answered from it, and never across a commit,
a change of any parameter, or a minute of "closing soonest"."""

from __future__ import annotations

from datetime import timedelta

from search_index import Filters, matching_count, matching_ids, search, sync
from tests.search_index.small_corpus import NOW, days, notice


def test_a_repeat_is_the_same_answer_and_any_other_parameter_is_searched(built_index):
    first = search(built_index, "cleaning", now=NOW)
    assert first.total >= 1
    assert search(built_index, "cleaning", now=NOW) is first
    assert search(built_index, "cleaning", page=2, now=NOW) is not first
    assert search(built_index, "cleaning", facets=False, now=NOW) is not first
    assert search(built_index, "cleaning", Filters(stages=("open",)), now=NOW) is not first
    assert search(built_index, "cleaning", sort="newest", now=NOW) is not first


def test_a_commit_empties_the_cache(fresh_index):
    before = search(fresh_index, "lighthouse", now=NOW)
    assert before.total == 0
    sync(fresh_index, [notice("ocds-t-90", "Lighthouse maintenance", deadline=days(5))])
    after = search(fresh_index, "lighthouse", now=NOW)
    assert after.total == 1
    assert [hit.id for hit in after.hits] == ["ocds-t-90"]


def test_closing_soonest_is_asked_again_each_minute(fresh_index):
    sync(fresh_index, [notice("ocds-t-91", "Harbour dredging", deadline=NOW + timedelta(seconds=90))])
    now = search(fresh_index, "harbour", sort="closing_soonest", now=NOW)
    later = search(fresh_index, "harbour", sort="closing_soonest", now=NOW + timedelta(minutes=2))
    assert (now.total, now.closed_left_out) == (1, 0)
    assert (later.total, later.closed_left_out) == (0, 1)


def test_matching_count_is_the_number_of_matching_ids(built_index):
    for text, filters in (("", None), ("cleaning", None), ("council", Filters(stages=("open",))), ("nothing", None)):
        assert matching_count(built_index, text, filters) == len(matching_ids(built_index, text, filters))


def test_filters_given_as_lists_are_searched_not_kept(built_index):
    listed = search(built_index, "council", Filters(stages=["open"]), now=NOW)  # type: ignore[arg-type]
    assert listed.total == search(built_index, "council", Filters(stages=("open",)), now=NOW).total
    assert search(built_index, "council", Filters(stages=["open"]), now=NOW) is not listed  # type: ignore[arg-type]
    assert matching_count(built_index, "council", Filters(stages=["open"])) == listed.total  # type: ignore[arg-type]
