"""`flask import`: OCDS files from disk (release/record packages, arrays, JSON Lines, gzipped or not)."""

from __future__ import annotations

import gzip
import json
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from portal.collect.ingest import IngestCounts, store_page
from portal.collect.prepare import PreparedPage, prepare_page
from portal.db import session_scope
from scrapers.http import loads_tolerant
from scrapers.registry import source_of_ocid

BATCH = 500
PARALLEL_FROM_BYTES = 20_000_000


def source_of(release) -> str:
    """Return the register a release came from, by its ocid prefix ("other" when unknown)."""
    ocid = release.get("ocid") if isinstance(release, dict) else None
    return source_of_ocid(ocid) or "other"


def _bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _from_document(document) -> Iterator:
    if isinstance(document, list):  # a bare array of releases, or of packages
        for item in document:
            yield from _from_document(item)
    elif _is_package(document):
        yield from document.get("releases") or []
        for record in document.get("records") or []:
            # Record packages may embed full releases or only link to them; only full ones can be stored.
            yield from (r for r in (record.get("releases") or []) if isinstance(r, dict) and "ocid" in r)
    else:
        yield document


def _is_package(item) -> bool:
    return isinstance(item, dict) and ("releases" in item or "records" in item) and "ocid" not in item


def releases_in(path: Path) -> Iterator:
    """Yield every release in a file, whichever OCDS shape it has; raise ValueError if it is not JSON."""
    data = _bytes(path)
    try:
        document = loads_tolerant(data)
    except json.JSONDecodeError as whole_error:
        lines = [line for line in data.splitlines() if line.strip()]
        try:
            documents = [loads_tolerant(line) for line in lines]
        except json.JSONDecodeError:
            raise ValueError(f"{path}: not JSON or JSON Lines ({whole_error})") from None
        for document in documents:
            yield from _from_document(document)
        return
    yield from _from_document(document)


def prepare_file(path: Path) -> list[PreparedPage]:
    """Parse one file into prepared pages of at most BATCH releases per source (pure; runs in a worker)."""
    by_source: dict[str, list] = {}
    for release in releases_in(Path(path)):
        by_source.setdefault(source_of(release), []).append(release)
    return [
        prepare_page(source, releases[start : start + BATCH])
        for source, releases in by_source.items()
        for start in range(0, len(releases), BATCH)
    ]


def _prepared(paths: list[Path]) -> Iterator[PreparedPage]:
    """Yield prepared pages, parsing the next file in a worker process while this one stores the last.

    Parsing is about half the cost of an import and the database the other half, so on two cores the
    two overlap (bench/ingest.py). Starting the worker costs about a second, so small imports are
    parsed here.
    """
    if len(paths) < 2 or sum(path.stat().st_size for path in paths) < PARALLEL_FROM_BYTES:
        for path in paths:
            yield from prepare_file(path)
        return
    # forkserver, not fork: a forked child would share (and could close) the parent's database sockets.
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("forkserver")) as pool:
        pending = deque(pool.submit(prepare_file, path) for path in paths[:2])
        for path in paths[2:] + [None]:
            pages = pending.popleft().result()
            if path is not None:
                pending.append(pool.submit(prepare_file, path))
            yield from pages
        while pending:
            yield from pending.popleft().result()


def import_paths(paths: list[Path], progress: Callable[[IngestCounts], None] | None = None) -> IngestCounts:
    """Import every release of these files, one committed batch at a time; return the counts."""
    totals = IngestCounts()
    with session_scope() as session:
        for page in _prepared([Path(p) for p in paths]):
            totals.add(store_page(session, page))
            session.commit()
            if progress is not None:
                progress(totals)
    return totals
