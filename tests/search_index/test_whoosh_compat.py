"""Whoosh's private parts that search_index relies on, each checked on a tiny index of the pinned Whoosh."""

from importlib.metadata import version

import pytest
from whoosh import index as whoosh_index
from whoosh.codec import whoosh3

from search_index import rebuild, sync, whoosh_compat
from search_index.generations import current_generation
from search_index.schema import fields_for
from tests.search_index.small_corpus import notice

# Enough documents for a term's postings to span several blocks (Whoosh writes 128 postings a block).
FIRST = [notice(f"ocds-c-{n:03d}", f"Road gritting lot {n}") for n in range(300)]
SECOND = [notice(f"ocds-d-{n:03d}", f"Winter gritting lot {n}", stage="planned") for n in range(20)]
GONE = ["ocds-c-005", "ocds-c-200", "ocds-d-003"]


def test_the_installed_whoosh_is_the_one_whoosh_compat_was_written_for():
    installed = version(whoosh_compat.DISTRIBUTION)
    assert installed == whoosh_compat.WRITTEN_FOR, (
        f"{whoosh_compat.DISTRIBUTION} {installed} is installed but search_index/whoosh_compat.py was "
        f"written for {whoosh_compat.WRITTEN_FOR}: read each of its functions against the new Whoosh, "
        "then change WRITTEN_FOR (and the pin in setup.cfg)"
    )
    assert whoosh_compat.check_version() == installed


def test_check_version_names_both_versions_when_they_differ(monkeypatch):
    monkeypatch.setattr(whoosh_compat, "installed_version", lambda: "2.7.9")
    with pytest.raises(whoosh_compat.WhooshVersionMismatch, match=r"whoosh-reloaded==2\.7\.5 .*2\.7\.9 is installed"):
        whoosh_compat.check_version()


@pytest.fixture(scope="module")
def two_segments(tmp_path_factory):
    """An index of two segments whose first and second segments each have a deleted document."""
    path = tmp_path_factory.mktemp("compat")
    rebuild(path, FIRST, procs=1)
    sync(path, SECOND)
    sync(path, [], deletes=GONE)  # deleting adds no segment
    return path


@pytest.fixture
def reader(two_segments):
    ix = whoosh_index.open_dir(current_generation(two_segments))
    with ix.reader() as reader:
        yield reader
    ix.close()


def _deleted_by_public_api(reader) -> set[int]:
    return {docnum for docnum in range(reader.doc_count_all()) if reader.is_deleted(docnum)}


def test_segment_count(two_segments):
    ix = whoosh_index.open_dir(current_generation(two_segments))
    try:
        assert whoosh_compat.segment_count(ix) == 2
    finally:
        ix.close()


def test_deleted_docnums_are_numbered_across_segments(reader):
    deleted = list(whoosh_compat.deleted_docnums(reader))
    assert len(deleted) == len(GONE) and set(deleted) == _deleted_by_public_api(reader)
    assert max(deleted) >= len(FIRST)  # one in the second segment, past the first one's documents


def test_posting_docnums_reads_every_block_of_every_segment_deleted_documents_included(reader):
    assert len(reader.leaf_readers()) == 2
    found = list(whoosh_compat.posting_docnums(reader, "title", b"gritt"))
    assert found == sorted(found) and len(found) == len(set(found)) == len(FIRST) + len(SECOND)
    live = set(reader.postings("title", b"gritt").all_ids())
    assert set(found) - live == _deleted_by_public_api(reader)
    planned = set(whoosh_compat.posting_docnums(reader, "stage", b"planned"))
    assert planned == set(range(len(FIRST), len(FIRST) + len(SECOND)))
    assert list(whoosh_compat.posting_docnums(reader, "title", b"nowhere")) == []


def test_remember_missing_columns_caches_an_absent_column_once_patched(reader):
    whoosh_compat.remember_missing_columns()
    patched = whoosh3.W3PerDocReader._cached_reader
    whoosh_compat.remember_missing_columns()  # idempotent: never wraps the wrapper
    assert whoosh3.W3PerDocReader._cached_reader is patched
    perdoc = reader.leaf_readers()[0][0]._perdoc
    assert perdoc._cached_reader("no_such_column", None) is None
    assert perdoc._readers["no_such_column"] is None  # remembered: no second os.stat


def test_uncompressed_codec_writes_a_readable_index(tmp_path):
    codec = whoosh_compat.uncompressed_codec()
    assert isinstance(codec, whoosh3.W3Codec)
    rebuild(tmp_path, FIRST[:3], procs=1)
    ix = whoosh_index.open_dir(current_generation(tmp_path))
    writer = ix.writer(codec=codec)
    writer.add_document(**fields_for(notice("ocds-e-001", "Gritting salt")))
    writer.commit()
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 4 and searcher.document_number(id="ocds-e-001") is not None
    ix.close()


def test_add_segments_merges_live_documents_only(tmp_path):
    rebuild(tmp_path, FIRST[:10], procs=1)
    sync(tmp_path, SECOND[:5], deletes=["ocds-c-001"])
    ix = whoosh_index.open_dir(current_generation(tmp_path))
    assert whoosh_compat.segment_count(ix) == 2

    def merge_all(writer, segments):
        whoosh_compat.add_segments(writer, segments)
        return []

    ix.writer().commit(mergetype=merge_all)
    ix = whoosh_index.open_dir(current_generation(tmp_path))
    assert whoosh_compat.segment_count(ix) == 1
    with ix.searcher() as searcher:
        assert searcher.doc_count_all() == searcher.doc_count() == 14
        assert searcher.document_number(id="ocds-c-001") is None
    ix.close()


def test_cancel_writer_ends_the_sub_writer_processes(tmp_path):
    rebuild(tmp_path, [], procs=1)
    ix = whoosh_index.open_dir(current_generation(tmp_path))
    writer = ix.writer(procs=2, multisegment=True, batchsize=10)
    for doc in FIRST[:40]:
        writer.add_document(**fields_for(doc))
    assert writer.tasks and all(task.is_alive() for task in writer.tasks)
    whoosh_compat.cancel_writer(writer)
    assert not any(task.is_alive() for task in writer.tasks)
    ix.writer().cancel()  # the lock was released
    ix.close()


def test_column_values_of_a_segmentless_index_are_empty(tmp_path, reader):
    rebuild(tmp_path, [], procs=1)
    ix = whoosh_index.open_dir(current_generation(tmp_path))
    with ix.reader() as empty:
        with pytest.raises(NotImplementedError):
            empty.column_reader("published")  # what column_values is there for
        assert whoosh_compat.column_values(empty, "published") == []
    ix.close()
    published = whoosh_compat.column_values(reader, "published")
    assert len(published) == reader.doc_count_all() == len(FIRST) + len(SECOND)
    assert published == list(reader.column_reader("published"))
