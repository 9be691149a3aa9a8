"""Work a supplier can still bid for comes first: relevance puts forward and open work above closed and awarded
among good matches, and "closing soonest" lists only deadlines still ahead and says how many it left out."""

from datetime import timedelta

import pytest

from search_index import Filters, rebuild, search
from tests.search_index.small_corpus import CORPUS, NOW, days, notice

CLOUD = [  # newest first: the awarded and closed ones are the newest
    notice("ocds-c-01", "Cloud hosting", stage="awarded", notice_types=["UK6"]),
    notice("ocds-c-02", "Cloud migration", stage="closed", deadline=days(-2)),
    notice("ocds-c-03", "Cloud backup", stage="cancelled"),
    notice("ocds-c-04", "Cloud email", stage="open", deadline=days(10)),
    notice("ocds-c-05", "Cloud telephony", stage="planned", expected_tender_date=days(40)),
    notice("ocds-c-06", "Cloud storage", stage="pipeline"),
    notice("ocds-c-07", "Cloud desktops", stage="engagement"),
    notice("ocds-c-08", "Desktop support", stage="open", description="Support for desktops, some in the cloud."),
    notice("ocds-c-09", "Old cloud contract", stage="closed", deadline=days(-900)),  # a deadline from years ago
]
FORWARD = {"ocds-c-04", "ocds-c-05", "ocds-c-06", "ocds-c-07"}


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    path = tmp_path_factory.mktemp("forward")
    rebuild(path, [*CORPUS, *CLOUD], procs=1)
    return path


def order(index, text="", **kwargs):
    return [hit.id for hit in search(index, text, per_page=100, **kwargs).hits]


def test_at_equal_relevance_forward_and_open_work_ranks_first(index):
    found = order(index, "cloud")
    assert set(found[:4]) == FORWARD  # all titled "Cloud …"; newest first within each group
    assert found[:4] == ["ocds-c-04", "ocds-c-05", "ocds-c-06", "ocds-c-07"]
    assert set(found[4:7]) == {"ocds-c-01", "ocds-c-02", "ocds-c-03"}


def test_a_passing_mention_in_open_work_stays_below_good_matches(index):
    found = order(index, "cloud")
    assert found[-1] == "ocds-c-08"  # open, but only its description mentions the cloud


def test_browsing_with_no_words_stays_newest_first(index):
    newest = sorted([*CORPUS, *CLOUD], key=lambda doc: doc["published"], reverse=True)
    assert order(index)[:10] == [doc["id"] for doc in newest[:10]]


def test_closing_soonest_lists_only_deadlines_ahead_and_says_how_many_it_left_out(index):
    results = search(index, "", sort="closing_soonest", per_page=100, now=NOW)
    passed = {doc["id"] for doc in [*CORPUS, *CLOUD] if doc["deadline"] and doc["deadline"] < NOW}
    assert passed == {"ocds-t-11", "ocds-t-28", "ocds-c-02", "ocds-c-09"}
    found = [hit.id for hit in results.hits]
    assert not passed & set(found) and results.total == len(CORPUS) + len(CLOUD) - len(passed) == len(found)
    assert found[0] == "ocds-t-17"  # closing tomorrow
    deadlines = {doc["id"]: doc["deadline"] for doc in [*CORPUS, *CLOUD]}
    dated = [deadlines[i] for i in found if deadlines[i]]
    assert dated == sorted(dated) and all(d >= NOW for d in dated)
    assert all(deadlines[i] is None for i in found[len(dated) :])  # no deadline: listed last, as before
    assert results.closed_left_out == 4
    message = next(m for m in results.messages if m.code == "closed_left_out")
    assert message.data == {"count": 4} and message.text.startswith("4 notices whose deadline has passed")
    assert sum(results.facets["stage"].values()) == results.total


def test_closing_soonest_uses_the_clock_when_not_told_the_time(index):
    later = search(index, "cloud", sort="closing_soonest", now=NOW + timedelta(days=365))
    undated = {doc["id"] for doc in CLOUD if doc["deadline"] is None}
    assert later.closed_left_out == 3 and {hit.id for hit in later.hits} == undated
    assert search(index, "cloud", sort="closing_soonest").closed_left_out == 3  # the clock is past days(10)


@pytest.mark.parametrize(
    "filters",
    [
        Filters(stages=("open", "closed")),
        Filters(stages=("awarded",)),
        Filters(deadline_to=NOW - timedelta(days=1)),
        Filters(deadline_from=NOW - timedelta(days=1000)),
    ],
)
def test_closing_soonest_keeps_closed_work_the_filters_ask_for(index, filters):
    results = search(index, "", filters, sort="closing_soonest", per_page=100, now=NOW)
    assert results.closed_left_out == 0 and not [m for m in results.messages if m.code == "closed_left_out"]
    assert results.total == len(order(index, filters=filters))


def test_other_sorts_leave_nothing_out(index):
    for sort in ("relevance", "newest", "expected_soonest", "value"):
        results = search(index, "cloud", sort=sort, now=NOW)
        assert results.total == 9 and results.closed_left_out == 0
