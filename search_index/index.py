"""Index writing: atomic rebuilds into generations, incremental sync, one writer at a time, the watermark.

Layout of `index_dir` (everything an index replica needs lives here, so each web host can keep
its own): `CURRENT` names the live generation directory; `gen-*/` are Whoosh indexes, each with
its own `watermark.json` and `version` (of the schema: another version is not read, so the portal's
next sync rebuilds); `writer.lock` lets one writer in at a time. A sync adds a segment without
merging (a merge rewrites postings in Python) until there are MAX_SEGMENTS, then merges the
smaller half. The live generation: generations.py; searchers: live.py.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from whoosh import index as whoosh_index

from search_index import whoosh_compat
from search_index.generations import CURRENT, LOCK, VERSION, WATERMARK, IndexMissing, changed, current_generation
from search_index.schema import SCHEMA_VERSION, build_schema, fields_for

# Posting blocks uncompressed: zlib took a quarter of the writing time for +15% index size.
CODEC = {"codec": whoosh_compat.uncompressed_codec()}
MAX_SEGMENTS = 8  # a search costs a little per segment; a merge costs a lot per document merged
KEEP_GENERATIONS = 2  # the live one and the one before: searchers elsewhere may still read it
REBUILD_LIMIT_MB = 256  # per writer process (docs/libraries.md, "Whoosh: speed": 280 → ~500 docs/s with procs=2)


class WriterBusy(Exception):
    """Another process held the index writer lock for longer than the timeout."""


@contextmanager
def writer_lock(index_dir: str | os.PathLike, timeout: float = 600.0) -> Iterator[None]:
    """Hold the index's one writer lock, waiting up to `timeout` seconds."""
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    with open(Path(index_dir) / LOCK, "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    message = f"another writer has held {Path(index_dir) / LOCK} for over {timeout:.0f} s"
                    raise WriterBusy(message) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def _encode_watermark(watermark: datetime | str | None) -> dict:
    if isinstance(watermark, datetime):
        if watermark.tzinfo is None:
            watermark = watermark.replace(tzinfo=UTC)
        return {"datetime": watermark.isoformat()}
    return {"text": watermark}


def get_watermark(index_dir: str | os.PathLike) -> datetime | str | None:
    """Return the watermark stored with the live index (None if none or no index)."""
    generation = current_generation(index_dir)
    if generation is None:
        return None
    try:
        data = json.loads((generation / WATERMARK).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return datetime.fromisoformat(data["datetime"]) if "datetime" in data else data.get("text")


def rebuild(
    index_dir: str | os.PathLike,
    docs: Iterable[dict],
    total: int | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    watermark: datetime | str | None = None,
    procs: int = 2,
    lock_timeout: float = 600.0,
) -> int:
    """Build a fresh index generation from `docs` and swap it in atomically; return the count."""
    index_dir = Path(index_dir)
    with writer_lock(index_dir, lock_timeout):
        name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        generation = index_dir / name
        generation.mkdir(parents=True)
        count = 0
        try:
            ix = whoosh_index.create_in(generation, build_schema())
            options = {"procs": procs, "multisegment": True} if procs > 1 else {}
            writer = ix.writer(limitmb=REBUILD_LIMIT_MB, **options, **CODEC)
            try:
                for doc in docs:
                    writer.add_document(**fields_for(doc))
                    count += 1
                    if progress is not None and count % 100 == 0:
                        progress(count, total)
            except BaseException:
                whoosh_compat.cancel_writer(writer)
                raise
            writer.commit()
            ix.close()
            _write_json(generation / WATERMARK, _encode_watermark(watermark))
            (generation / VERSION).write_text(str(SCHEMA_VERSION), encoding="utf-8")
            tmp = index_dir / f".{CURRENT}.{uuid.uuid4().hex}"
            tmp.write_text(name, encoding="utf-8")
            os.replace(tmp, index_dir / CURRENT)
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
        changed()
        if progress is not None:
            progress(count, total)
        _remove_old_generations(index_dir, keep=name)
        return count


def _remove_old_generations(index_dir: Path, keep: str) -> None:
    generations = sorted((p for p in index_dir.glob("gen-*") if p.is_dir()), key=lambda p: p.stat().st_mtime)
    old = [p for p in generations if p.name != keep]
    for path in old[: max(0, len(old) - (KEEP_GENERATIONS - 1))]:
        shutil.rmtree(path, ignore_errors=True)


def sync(
    index_dir: str | os.PathLike,
    upserts: Iterable[dict],
    deletes: Iterable[str] = (),
    watermark: datetime | str | None = None,
    lock_timeout: float = 600.0,
) -> tuple[int, int]:
    """Replace changed documents and remove deleted ones in the live index; return (upserted, deleted)."""
    with writer_lock(index_dir, lock_timeout):
        generation = current_generation(index_dir)
        if generation is None:
            raise IndexMissing(f"no index in {index_dir}: rebuild it first")
        docs = [fields_for(doc) for doc in upserts]
        ids = {fields["id"] for fields in docs} | {str(i) for i in deletes}
        ix = whoosh_index.open_dir(generation)
        writer = ix.writer(limitmb=128, **CODEC)
        removed = 0
        try:
            # One searcher for all deletions, not update_document
            # (docs/libraries.md, "Whoosh: updating documents").
            with writer.searcher() as searcher:
                for doc_id in ids:
                    for docnum in list(searcher.document_numbers(id=doc_id)):
                        writer.delete_document(docnum)
                        removed += 1
            for fields in docs:
                writer.add_document(**fields)
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=merge_policy)
        ix.close()
        if watermark is not None:
            _write_json(generation / WATERMARK, _encode_watermark(watermark))
        changed()
        return len(docs), len({str(i) for i in deletes})


def merge_policy(writer, segments: list) -> list:
    """Keep every segment until a commit would make more than MAX_SEGMENTS; then merge the smaller half.

    Merged segments grow geometrically, so each document is rewritten a few times over its life,
    and the segments of a rebuild (the large ones) are left alone.
    """
    if len(segments) + 1 <= MAX_SEGMENTS:
        return list(segments)
    ordered = sorted(segments, key=lambda segment: segment.doc_count_all())
    merged = ordered[: len(ordered) // 2 + 1]
    whoosh_compat.add_segments(writer, merged)
    return ordered[len(merged) :]


def segment_count(index_dir: str | os.PathLike) -> int:
    """Return how many segments the live index has (0 when there is none)."""
    generation = current_generation(index_dir)
    if generation is None:
        return 0
    ix = whoosh_index.open_dir(generation)
    try:
        return whoosh_compat.segment_count(ix)
    finally:
        ix.close()


def index_age(index_dir: str | os.PathLike) -> float | None:
    """Return seconds since the live index last changed (None when there is none)."""
    generation = current_generation(index_dir)
    if generation is None:
        return None
    newest = max((p.stat().st_mtime for p in generation.iterdir()), default=generation.stat().st_mtime)
    return max(0.0, time.time() - newest)
