"""`flask import`: OCDS files from disk (release/record packages, arrays, JSON Lines, gzipped or not)."""

from __future__ import annotations

import gzip
import json
import logging
import os
import threading
import time
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from portal.collect.ingest import IngestCounts, store_page
from portal.collect.prepare import PreparedPage, dump, prepare_page
from portal.db import session_scope
from scrapers.json_text import loads_tolerant
from scrapers.registry import source_of_ocid

BATCH = 500
PARALLEL_FROM_BYTES = 20_000_000


def source_of(release) -> str:
    """Return the register a release came from, by its ocid prefix ("other" when unknown)."""
    ocid = release.get("ocid") if isinstance(release, dict) else None
    return source_of_ocid(ocid) or "other"


class NotOcds(ValueError):
    """A file that is not an OCDS release package, record package, release array or JSON Lines of those."""


_GZIP = b"\x1f\x8b"
# A top-level object with none of these and neither "releases" nor "records" is not a release but
# some other JSON ({"hello": 1}, an error body); "id" and "date" alone are too common to tell.
_RELEASE_FIELDS = frozenset({"ocid", "tag", "initiationType", "planning", "tender", "awards", "contracts", "parties"})


def _kind(value) -> str:
    """Name a JSON value's type as JSON does."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    return "null" if value is None else "a number"


def _bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise NotOcds(f"cannot be read ({error.strerror or error})") from None
    if data[:2] == _GZIP:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise NotOcds(f"not a readable gzip file ({error})") from None
    if not data.strip():
        raise NotOcds("empty file" if not data else "nothing in the file but white space")
    return data


def _documents(data: bytes) -> list:
    """Parse a file's bytes as one JSON document or as JSON Lines."""
    try:
        try:
            return [loads_tolerant(data)]
        except json.JSONDecodeError as whole_error:
            try:
                return [loads_tolerant(line) for line in data.splitlines() if line.strip()]
            except json.JSONDecodeError:
                raise NotOcds(f"not JSON or JSON Lines ({whole_error})") from None
    except RecursionError:  # json raises it past ~1,000 levels of arrays or objects within each other
        raise NotOcds("JSON nested too deeply to read") from None


def _package_releases(package: dict) -> list:
    """Return a package's releases, and the full releases its records embed."""
    releases, records = package.get("releases") or [], package.get("records") or []
    for name, value in (("releases", releases), ("records", records)):
        if not isinstance(value, list):
            raise NotOcds(f'not OCDS: its "{name}" is {_kind(value)}, not an array')
    releases = list(releases)
    for n, record in enumerate(records, 1):
        if not isinstance(record, dict):
            raise NotOcds(f"not OCDS: record {n} is {_kind(record)}, not an object")
        embedded = record.get("releases") or []
        if not isinstance(embedded, list):
            raise NotOcds(f'not OCDS: the "releases" of record {n} is {_kind(embedded)}, not an array')
        # Record packages may embed full releases or only link to them; only full ones can be stored.
        releases += [r for r in embedded if isinstance(r, dict) and "ocid" in r]
    return releases


def _is_package(item) -> bool:
    return isinstance(item, dict) and ("releases" in item or "records" in item) and "ocid" not in item


def _not_ocds(documents: list) -> str:
    if len(documents) > 1:
        return f"not OCDS: none of its {len(documents)} JSON lines is a release or a package"
    document = documents[0]
    if isinstance(document, dict):
        keys = ", ".join(sorted(map(str, document))[:5]) + (", …" if len(document) > 5 else "")
        return f'not OCDS: an object with neither "releases" nor "records", nor a release\'s fields (its keys: {keys})'
    if isinstance(document, list):
        kinds = sorted({_kind(item).split()[-1] + "s" for item in document})
        kinds = " and ".join([", ".join(kinds[:-1]), kinds[-1]] if len(kinds) > 1 else kinds)
        return f"not OCDS: an array of {len(document)} {kinds}, with no release or package in it"
    return f"not OCDS: {_kind(document)}, not a package, a release or an array of them"


def releases_in(path: Path) -> list:
    """Return every release in a file, whichever OCDS shape it has; raise NotOcds when it has none.

    An item of a release array that is not a release is returned (and quarantined), but a file with
    no package and no release at all is refused, as is one whose package is not shaped as OCDS says.
    Arrays are read one level deep: an array of arrays is not OCDS, and would recurse without bound.
    """
    documents = _documents(_bytes(path))
    releases, packages, items = [], 0, 0
    for document in documents:
        for item in document if isinstance(document, list) else [document]:
            items += 1
            if _is_package(item):
                packages += 1
                releases += _package_releases(item)
            else:
                releases.append(item)
    if items and not packages and not any(isinstance(r, dict) and _RELEASE_FIELDS & r.keys() for r in releases):
        raise NotOcds(_not_ocds(documents))
    return releases


def _unknown_register(release) -> str:
    """Say why a release that no register's ocid prefix claims cannot be stored."""
    if not isinstance(release, dict):
        return f"release is {_kind(release)}, not an object"
    ocid = release.get("ocid")
    if not isinstance(ocid, str) or not ocid.strip():
        return "release has no ocid"
    return f"ocid prefix {'-'.join(ocid.split('-')[:2])!r} is not a known register's"


def prepare_file(path: Path) -> list[PreparedPage]:
    """Parse one file into prepared pages of at most BATCH releases per source (pure; runs in a worker)."""
    by_source: dict[str, list] = {}
    for release in releases_in(Path(path)):
        by_source.setdefault(source_of(release), []).append(release)
    pages = []
    for source, releases in by_source.items():
        for start in range(0, len(releases), BATCH):
            batch = releases[start : start + BATCH]
            if source == "other":  # set aside whole, saying why rather than "unknown source 'other'"
                rejected = [(dump(release), _unknown_register(release)) for release in batch]
                pages.append(PreparedPage(source, [], rejected, len(batch), 0))
            else:
                pages.append(prepare_page(source, batch))
    return pages


def _prepare_or_refuse(path: Path) -> tuple[list[PreparedPage], str | None]:
    """Prepare a file, or say in one line why it is refused (picklable either way, for the worker)."""
    try:
        return prepare_file(path), None
    except NotOcds as error:
        return [], str(error)
    except RecursionError:  # a release nested too deeply to store, though not to read
        return [], "JSON nested too deeply to store"


def _end_with_parent(parent: int) -> None:
    """Worker initializer: end this parsing process within a second of the import that started it ending, even
    killed outright (this worker is then adopted by another process)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def _prepared(paths: list[Path]) -> Iterator[tuple[Path, list[PreparedPage], str | None]]:
    """Yield each file's prepared pages (or why it is refused), parsing the next file in a worker process
    while this one stores the last.

    Parsing is about half the cost of an import and the database the other half, so on two cores the
    two overlap (bench/ingest.py). Starting the worker costs about a second, so small imports are
    parsed here.
    """
    if len(paths) < 2 or sum(path.stat().st_size for path in paths) < PARALLEL_FROM_BYTES:
        for path in paths:
            yield path, *_prepare_or_refuse(path)
        return
    # spawn, not fork: a forked child would share (and could close) the parent's database sockets; nor
    # forkserver, whose server and resource tracker outlive an import killed outright.
    context = get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=1, mp_context=context, initializer=_end_with_parent, initargs=(os.getpid(),)
    ) as pool:
        pending = deque((path, pool.submit(_prepare_or_refuse, path)) for path in paths[:2])
        for path in paths[2:] + [None]:
            done, future = pending.popleft()
            result = future.result()
            if path is not None:
                pending.append((path, pool.submit(_prepare_or_refuse, path)))
            yield done, *result
        while pending:
            done, future = pending.popleft()
            yield done, *future.result()


def _reason(raw: str, reason: str) -> str:
    """Return a quarantine reason as it is counted: without the exception's class, and with the release's
    own ocid and id put as "…", so the same fault in many releases is counted as one reason."""
    reason = reason.removeprefix("ValueError: ")
    try:
        release = json.loads(raw)
    except (ValueError, RecursionError):
        return reason
    if isinstance(release, dict):  # the longer first: a release id may begin with its ocid
        own = sorted((str(release.get(key) or "") for key in ("ocid", "id")), key=len, reverse=True)
        for value in own:
            if len(value) >= 3 and any(c.isdigit() for c in value):  # never a word of the reason itself
                reason = reason.replace(value, "…")
    return reason


@dataclass
class ImportReport:
    """What an import did: the counts of what was stored, why releases were quarantined, the files refused."""

    counts: IngestCounts = field(default_factory=IngestCounts)
    reasons: Counter[str] = field(default_factory=Counter)
    refused: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """True when nothing was imported and something was wrong: every file refused or release quarantined.

        Releases already stored (duplicates) count as imported, and so does an empty package.
        """
        imported = self.counts.new + self.counts.updated + self.counts.duplicates
        return not imported and bool(self.refused or self.counts.quarantined)

    def quarantine_summary(self, most: int = 5) -> str:
        """Say in one line how many releases were quarantined and why, each reason once with its count."""
        shown = self.reasons.most_common(most)
        parts = [f"{count} × {reason}" for reason, count in shown]
        rest = self.reasons.total() - sum(count for _reason, count in shown)
        if rest:
            parts.append(f"{rest} × {len(self.reasons) - len(shown)} other reasons (see the quarantine table)")
        return f"quarantined {self.counts.quarantined}: " + "; ".join(parts)


class _EachQuarantined(logging.Filter):
    """Drop ingest's warning for each quarantined release: an import reports them once per reason."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("quarantined a ")


@contextmanager
def _each_quarantined_unlogged() -> Iterator[None]:
    logger, quiet = logging.getLogger(store_page.__module__), _EachQuarantined()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


def import_paths(paths: list[Path], progress: Callable[[IngestCounts], None] | None = None) -> ImportReport:
    """Import every release of these files, one committed batch at a time; a file that is not OCDS is
    refused whole (nothing of it stored) and the next one read. Return the counts, reasons and refusals."""
    report = ImportReport()
    with session_scope() as session, _each_quarantined_unlogged():
        for path, pages, problem in _prepared([Path(p) for p in paths]):
            if problem is not None:
                report.refused.append((path, problem))
            for page in pages:
                report.counts.add(store_page(session, page))
                report.reasons.update(_reason(raw, reason) for raw, reason in page.rejected)
                session.commit()
                if progress is not None:
                    progress(report.counts)
    return report
