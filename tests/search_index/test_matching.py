"""matching_ids (every id a search matches, unpaged) and the changed_since/changed_until filter."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from search_index import Filters, IndexMissing, matching_ids, rebuild, search, sync
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
