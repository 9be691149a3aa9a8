"""Searchers: one per thread and index directory, reused and refreshed, never reopened per search.

Opening a searcher on a 100k index takes ~0.25 s and reading the table of contents to see
whether it is current costs more than a search, so whether anything changed is judged from two
`stat` calls (~3 µs): CURRENT is replaced when a rebuild swaps generations, and a generation's
directory changes when a commit writes its new table of contents. This process's own commits
are seen at once (generations.epoch); the full check also runs every FULL_CHECK_INTERVAL seconds.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from pathlib import Path

from whoosh.filedb.filestore import FileStorage

from search_index.generations import CURRENT, IndexMissing, current_generation, epoch

CHECK_INTERVAL = 0.0  # seconds between the stat checks (0: every search; raise it to throttle them)
FULL_CHECK_INTERVAL = 10.0  # the full check regardless of file times (coarse-mtime filesystems)


def _signature(index_dir: Path, generation: Path) -> tuple:
    """Return what changes when another process commits: CURRENT is replaced, a generation gets a new TOC."""
    current, directory = os.stat(index_dir / CURRENT), os.stat(generation)
    return current.st_ino, current.st_mtime_ns, directory.st_mtime_ns


class _Live:
    """One thread's open index: reused and refreshed, never reopened per search."""

    def __init__(self, index_dir: Path, generation: Path, signature: tuple):
        self.index_dir, self.generation = index_dir, generation
        # Files read through the OS, not mmap: Whoosh copies each file of an mmapped compound segment into a
        # BytesIO of its own, so every searcher (one per thread) held a private copy of the postings
        # (docs/design.md, "Speed at scale": 53 MB a thread at 10k procurements).
        self.ix = FileStorage(str(generation), supports_mmap=False).open_index()
        self.searcher = self.ix.searcher()
        _identities[self.searcher] = (str(generation), self.searcher.reader().generation())
        self.seen(signature)

    def seen(self, signature: tuple) -> None:
        self.signature, self.epoch = signature, epoch()
        self.checked = self.full_check = time.monotonic()

    def usable(self) -> bool:
        """Tell cheaply whether nothing was committed since the last check."""
        now = time.monotonic()
        if self.epoch != epoch() or now - self.full_check >= FULL_CHECK_INTERVAL:
            return False
        if now - self.checked < CHECK_INTERVAL:
            return True
        try:
            unchanged = _signature(self.index_dir, self.generation) == self.signature
        except FileNotFoundError:
            return False
        if unchanged:
            self.checked = now
        return unchanged

    def refresh(self, signature: tuple) -> None:
        if not self.searcher.up_to_date():
            # Not Searcher.refresh(): it reuses the reader of a segment it has seen before, and with it
            # that segment's old deletions, so documents a sync replaced were still found twice.
            old, self.searcher = self.searcher, self.ix.searcher()
            old.close()
            _identities[self.searcher] = (str(self.generation), self.searcher.reader().generation())
        self.seen(signature)


_local = threading.local()  # Whoosh searchers are not shared between threads
# searcher → (generation directory, commit number): what every thread's searcher of the same commit shares
_identities: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def searcher_identity(searcher) -> tuple[str, int] | None:
    """Return which commit of which generation a searcher reads (the same for every thread's searcher of it), so
    answers worked out by one thread can serve another until the next commit; None for a searcher opened elsewhere."""
    return _identities.get(searcher)


def live_searcher(index_dir: str | os.PathLike):
    """Return this thread's searcher on the live generation, refreshed if a newer commit exists."""
    cache = _local.__dict__.setdefault("live", {})
    key = str(index_dir)
    live = cache.get(key)
    if live is not None and live.usable():
        return live.searcher
    index_dir = Path(index_dir)
    generation = current_generation(index_dir)
    if generation is None:
        if live is not None:
            cache.pop(key).searcher.close()
        raise IndexMissing(f"no index in {index_dir}")
    try:
        signature = _signature(index_dir, generation)
        if live is None or live.generation != generation:
            if live is not None:
                live.searcher.close()
            live = cache[key] = _Live(index_dir, generation, signature)
        else:
            live.refresh(signature)
        return live.searcher
    except FileNotFoundError:  # the generation was cleaned up under us: reopen the live one
        cache.pop(key, None)
        return live_searcher(index_dir)


def doc_count(index_dir: str | os.PathLike) -> int:
    """Return the number of documents in the live index (0 when there is none)."""
    try:
        return live_searcher(index_dir).doc_count()
    except IndexMissing:
        return 0


def generation_tag(index_dir: str | os.PathLike) -> str | None:
    """Return a short text that changes whenever the live index does (a rebuild swaps the generation, a sync
    writes a new table of contents into it), or None when there is none: what HTTP validators are made from.
    Two `stat` calls and a read of CURRENT; the same answer in every process reading the same files."""
    index_dir = Path(index_dir)
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
        if not name:
            return None
        return f"{name}.{os.stat(index_dir / name).st_mtime_ns}"
    except (FileNotFoundError, NotADirectoryError):
        return None
