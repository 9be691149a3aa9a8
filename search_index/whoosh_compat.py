"""Every use of Whoosh's private parts, in one place. Written for the distribution whoosh-reloaded 2.7.5.

Whoosh-Reloaded 2.7.5 (`importlib.metadata.version("whoosh-reloaded") == "2.7.5"`, pinned in setup.cfg)
is what each function below was written against and tested on (tests/search_index/test_whoosh_compat.py).
They reach into underscore attributes and codec classes that Whoosh does not promise to keep, so after
any upgrade of Whoosh read each one against the new source before changing WRITTEN_FOR. The rest of
search_index uses Whoosh's public API only (queries, fields, schemas, readers, searchers, writers).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from importlib.metadata import PackageNotFoundError, version

from whoosh.codec import whoosh3
from whoosh.reading import SegmentReader

DISTRIBUTION = "whoosh-reloaded"
WRITTEN_FOR = "2.7.5"


class WhooshVersionMismatch(RuntimeError):
    """The installed Whoosh is not the one this module was written for."""


def installed_version() -> str | None:
    """Return the installed version of the Whoosh distribution (None when it is not installed)."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return None


def check_version() -> str:
    """Return the installed Whoosh version; raise WhooshVersionMismatch unless it is WRITTEN_FOR."""
    found = installed_version()
    if found != WRITTEN_FOR:
        raise WhooshVersionMismatch(
            f"search_index/whoosh_compat.py was written for {DISTRIBUTION}=={WRITTEN_FOR} but "
            f"{DISTRIBUTION} {found or 'is not installed'}{'' if found is None else ' is installed'}: "
            "check each function there against the installed Whoosh, then update WRITTEN_FOR"
        )
    return found


def remember_missing_columns() -> None:
    """Make each segment's per-document reader remember that a column is absent, not just present.

    Whoosh 2.7 looks up a field's length column for every posting it writes; for a field without
    lengths (ID, KEYWORD, NUMERIC and the word fields) `W3PerDocReader._cached_reader` caches
    nothing and pays an `os.stat` per posting, most of a rebuild's time. Idempotent.
    """
    reader_class = whoosh3.W3PerDocReader
    if getattr(reader_class, "_piblinell_patched", False):
        return
    original = reader_class._cached_reader

    def _cached_reader(self, fieldname, column):
        readers = self._readers
        if fieldname in readers:
            return readers[fieldname]
        reader = original(self, fieldname, column)
        readers[fieldname] = reader  # None too: a segment's columns do not appear once it is written
        return reader

    reader_class._cached_reader = _cached_reader
    reader_class._piblinell_patched = True


def posting_docnums(reader, fieldname: str, btext: bytes) -> Iterator[int]:
    """Yield the document numbers of a term's postings in a reader, a block at a time where possible.

    Deleted documents are included (AND the result with the live documents). Reading the blocks of
    a `W3LeafMatcher` directly (`_read_ids`, `_ids`, `_next_block`) is ~5x faster than `all_ids()`.
    """
    fmt = reader.schema[fieldname].format
    for leaf, offset in reader.leaf_readers():
        if (fieldname, btext) not in leaf:
            continue
        matcher = leaf._terms.matcher(fieldname, btext, fmt)  # unlike postings(), keeps deleted documents
        if not isinstance(matcher, whoosh3.W3LeafMatcher):
            yield from (docnum + offset for docnum in matcher.all_ids())
            continue
        while matcher.is_active():
            matcher._read_ids()
            yield from (docnum + offset for docnum in matcher._ids) if offset else matcher._ids
            matcher._next_block()


def deleted_docnums(reader) -> Iterator[int]:
    """Yield the document numbers (across all segments) of a reader's deleted documents."""
    for leaf, offset in reader.leaf_readers():
        if leaf.has_deletions():
            # SegmentReader's cached set; IndexReader has no public "all deleted documents"
            yield from (docnum + offset for docnum in leaf.deleted_docs_set)


def column_values(reader, fieldname: str) -> list:
    """Return a column as a list indexed by document number ([] for an index without segments).

    An index with no segments (built from no documents) is read by Whoosh's `EmptyReader`, whose
    `column_reader` raises NotImplementedError instead of returning an empty column.
    """
    if not reader.doc_count_all():
        return []
    return list(reader.column_reader(fieldname))


def uncompressed_codec() -> whoosh3.W3Codec:
    """Return the codec that writes posting blocks uncompressed (zlib took a quarter of the writing time).

    Its other option, inlining short posting lists, crashes in Whoosh-Reloaded 2.7.5 (`set_inline`).
    """
    return whoosh3.W3Codec(compression=0)


def add_segments(writer, segments: Iterable) -> None:
    """Add the live documents of some of the index's segments to a writer (what a merge policy does)."""
    for segment in segments:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)  # live documents only: deletions are dropped here
        reader.close()


def cancel_writer(writer) -> None:
    """Cancel a writer, ending the sub-writer processes of a multiprocessing one.

    `MpWriter.cancel()` only flips a flag in this process's copy of each task: the sub-writer
    processes (`writer.tasks`) would wait on their queue for ever and block interpreter exit.
    """
    for task in getattr(writer, "tasks", []):
        task.terminate()
        task.join(5)
    writer.cancel()


def segment_count(ix) -> int:
    """Return how many segments an open index's latest table of contents lists."""
    return len(ix._segments())
