"""`flask import`: OCDS files from disk (release/record packages, arrays, JSON Lines, gzipped or not)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

from portal.db import session_scope
from portal.ingest import IngestCounts, ingest_page
from scrapers.http import loads_tolerant

BATCH = 200
# The ocid prefix tells which register published a release (DESIGN.md, "Sources").
PREFIXES = {"ocds-h6vhtk": "fts", "ocds-b5fd17": "cf", "ocds-kuma6s": "s2w"}


def source_of(release) -> str:
    """Return the register a release came from, by its ocid prefix ("other" when unknown)."""
    ocid = release.get("ocid") if isinstance(release, dict) else None
    return PREFIXES.get(str(ocid or "")[:11], "other")


def _bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _from_document(document) -> Iterator:
    if isinstance(document, list):
        for item in document:
            yield from _from_document(item) if isinstance(item, dict) and _is_package(item) else [item]
    elif isinstance(document, dict) and "releases" in document and "ocid" not in document:
        yield from document.get("releases") or []
    elif isinstance(document, dict) and "records" in document:
        for record in document.get("records") or []:
            # Record packages may embed full releases or only link to them; only full ones can be stored.
            yield from (r for r in (record.get("releases") or []) if isinstance(r, dict) and "ocid" in r)
    else:
        yield document


def _is_package(item: dict) -> bool:
    return ("releases" in item or "records" in item) and "ocid" not in item


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


def import_paths(paths: list[Path]) -> IngestCounts:
    """Import every release of these files, in committed batches; return the counts."""
    totals = IngestCounts()
    batches: dict[str, list] = {}
    with session_scope() as session:

        def flush(source: str) -> None:
            totals.add(ingest_page(session, source, batches.pop(source)))
            session.commit()

        for path in paths:
            for release in releases_in(Path(path)):
                source = source_of(release)
                batches.setdefault(source, []).append(release)
                if len(batches[source]) >= BATCH:
                    flush(source)
        for source in list(batches):
            flush(source)
    return totals
