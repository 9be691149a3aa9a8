"""Index I/O: sync, atomic rebuilds while searching, recovery, one writer at a time."""

import shutil
import threading
from datetime import UTC, datetime

import pytest

from search_index import (
    SORTS,
    Filters,
    IndexMissing,
    WriterBusy,
    doc_count,
    get_watermark,
    index_age,
    rebuild,
    search,
    sync,
)
from search_index.index import writer_lock
from tests.search_index.small_corpus import CORPUS, NOW, notice


def ids(index, text="", **kwargs):
    return {hit.id for hit in search(index, text, per_page=100, **kwargs).hits}


def test_sync_replaces_changed_and_removes_deleted(fresh_index):
    changed = notice("ocds-t-19", "Bicycles for postal workers", description="Cargo bikes.")
    sync(fresh_index, [changed], deletes=["ocds-t-27"], watermark=NOW)
    assert ids(fresh_index, "bicycles") == {"ocds-t-19"}
    assert "ocds-t-19" not in ids(fresh_index, "furniture")
    assert "ocds-t-27" not in ids(fresh_index, "catering")
    assert doc_count(fresh_index) == len(CORPUS) - 1
    assert get_watermark(fresh_index) == NOW
    assert index_age(fresh_index) < 60


def test_a_searcher_open_before_a_sync_sees_its_deletions(fresh_index):
    # Whoosh's Searcher.refresh() reused a seen segment's reader with its old deletions: the replaced
    # document was then found twice, and a deleted one still counted.
    before = search(fresh_index, "furniture", per_page=100).total
    changed = notice("ocds-t-19", "Bicycles for postal workers", description="Cargo bikes.")
    sync(fresh_index, [changed], deletes=["ocds-t-27"], watermark=NOW)
    results = search(fresh_index, "bicycles", per_page=100)
    assert [hit.id for hit in results.hits] == ["ocds-t-19"] and results.total == 1
    assert search(fresh_index, "furniture", per_page=100).total == before - 1
    assert search(fresh_index, "", per_page=1).total == len(CORPUS) - 1


def test_sync_adds_new_documents(fresh_index):
    sync(fresh_index, [notice("ocds-t-31", "Gwasanaethau cyfieithu")], watermark="2026-08-10T10:00:00Z")
    assert ids(fresh_index, "cyfieithu") == {"ocds-t-31"}
    assert get_watermark(fresh_index) == "2026-08-10T10:00:00Z"


def test_sync_without_index_says_rebuild(tmp_path):
    with pytest.raises(IndexMissing):
        sync(tmp_path, [CORPUS[0]])


def test_rebuild_while_searching_never_errors(fresh_index):
    errors, stop = [], threading.Event()

    def searching():
        while not stop.is_set():
            try:
                assert search(fresh_index, "council").total > 0
            except Exception as error:  # noqa: BLE001 - every error is a failure here
                errors.append(error)

    threads = [threading.Thread(target=searching) for _ in range(3)]
    for thread in threads:
        thread.start()
    for _ in range(3):
        rebuild(fresh_index, CORPUS, procs=1)
    stop.set()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(list(fresh_index.glob("gen-*"))) <= 2  # old generations are cleaned up


def test_deleted_index_dir_is_restored_by_rebuild(fresh_index):
    before = [(h.id, h.score) for h in search(fresh_index, "council", per_page=50).hits]
    shutil.rmtree(fresh_index)
    assert search(fresh_index, "council").messages[0].code == "index_unavailable"
    rebuild(fresh_index, CORPUS, procs=1)
    assert [(h.id, h.score) for h in search(fresh_index, "council", per_page=50).hits] == before


def test_failed_rebuild_leaves_the_old_index(fresh_index):
    def broken():
        yield from CORPUS[:5]
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        rebuild(fresh_index, broken(), procs=1)
    assert search(fresh_index, "").total == len(CORPUS)
    assert len(list(fresh_index.glob("gen-*"))) == 1


def test_failed_multiprocess_rebuild_ends_its_workers(fresh_index):
    def broken():
        yield from CORPUS
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        rebuild(fresh_index, broken(), procs=2)
    assert search(fresh_index, "").total == len(CORPUS)


def test_multiprocess_rebuild_gives_the_same_results(fresh_index, tmp_path_factory):
    other = tmp_path_factory.mktemp("multi")
    progress = []
    rebuild(other, CORPUS, len(CORPUS), progress=lambda done, total: progress.append((done, total)), procs=2)
    assert progress[-1] == (len(CORPUS), len(CORPUS))
    assert ids(other, "council") == ids(fresh_index, "council")


def test_one_writer_at_a_time(fresh_index):
    with writer_lock(fresh_index), pytest.raises(WriterBusy):
        sync(fresh_index, [CORPUS[0]], lock_timeout=0.2)
    sync(fresh_index, [CORPUS[0]], lock_timeout=0.2)


FULL_FILTERS = Filters(
    stages=("open",), cpv=("72",), regions=("UKL",), value_min=1, value_max=10, include_no_value=True,
    deadline_from=NOW, expected_to=NOW, buyer_ids=("1",), sme=True, vcse=False, in_wales=True, sources=("fts",),
)  # fmt: skip
QUERIES = ("", "software", '"digital services"', "soft*", "-software", "software OR cleaning", "the")
NO_FACETS = {"stage", "sources", "notice_types", "cpv", "region", "sme", "vcse", "in_wales", "value", "buyer"}


def _assert_empty_everywhere(index_dir) -> None:
    for sort in SORTS:
        for text in QUERIES:
            for filters in (None, FULL_FILTERS):
                results = search(index_dir, text, filters, sort, page=2, per_page=100)
                assert results.total == 0 and results.hits == [], (sort, text, filters)
                assert set(results.facets) == NO_FACETS and not any(results.facets.values())
                assert "index_unavailable" not in [m.code for m in results.messages]
    assert doc_count(index_dir) == 0


def test_an_index_of_no_documents_answers_every_search_with_nothing(tmp_path):
    # No segments at all: Whoosh reads it with an EmptyReader, which has no columns to sort by.
    assert rebuild(tmp_path, [], 0, procs=1) == 0
    _assert_empty_everywhere(tmp_path)


def test_a_multiprocess_rebuild_of_no_documents_too(tmp_path):
    assert rebuild(tmp_path, [], 0, procs=2) == 0
    _assert_empty_everywhere(tmp_path)


def test_an_index_whose_documents_were_all_deleted_answers_with_nothing(tmp_path):
    rebuild(tmp_path, CORPUS[:2], procs=1)
    sync(tmp_path, [], deletes=[doc["id"] for doc in CORPUS[:2]])
    _assert_empty_everywhere(tmp_path)
    sync(tmp_path, [notice("ocds-n-01", "Software licences")])
    assert [hit.id for hit in search(tmp_path, "software").hits] == ["ocds-n-01"]


def test_numbers_beyond_a_field_are_indexed_at_its_limit_not_fatal_to_the_rebuild(tmp_path):
    far = datetime(9999, 12, 30, tzinfo=UTC)  # "no end date" in some registers
    docs = [
        notice("ocds-w-01", "Far", deadline=far, expected_tender_date=far, value_amount=1e17, value_gross=1e300),
        notice("ocds-w-02", "Near", deadline=NOW, expected_tender_date=NOW, value_amount=100.0),
        notice("ocds-w-03", "None"),
    ]
    assert rebuild(tmp_path, docs, procs=1) == 3
    assert sync(tmp_path, docs[:1]) == (1, 0)

    def ids(**kwargs):
        return [hit.id for hit in search(tmp_path, "", per_page=10, **kwargs).hits]

    soonest = ["ocds-w-02", "ocds-w-01", "ocds-w-03"]
    assert ids(sort="closing_soonest", now=NOW) == ids(sort="expected_soonest") == soonest
    assert ids(sort="value") == ["ocds-w-01", "ocds-w-02", "ocds-w-03"]
    assert ids(filters=Filters(deadline_from=datetime(9000, 1, 1, tzinfo=UTC))) == ["ocds-w-01"]
    assert set(ids(filters=Filters(deadline_to=far, expected_from=datetime(1, 1, 2, tzinfo=UTC)))) == {
        "ocds-w-01",
        "ocds-w-02",
    }
    assert ids(filters=Filters(value_min=1e16, value_max=1e20)) == ["ocds-w-01"]
