"""Which generation is live, and whether this process changed it: what the writer (index.py) and the
searchers (live.py) share, so each of them depends on this module and neither on the other.

`index_dir/CURRENT` names the live generation directory `gen-*/`; a generation of another schema
VERSION is not read. The epoch counts this process's own commits, so its next search sees them at
once without waiting for the file-time check.
"""

from __future__ import annotations

import os
from pathlib import Path

from whoosh import index as whoosh_index

from search_index.schema import SCHEMA_VERSION

CURRENT = "CURRENT"
WATERMARK = "watermark.json"
VERSION = "version"
LOCK = "writer.lock"


class IndexMissing(Exception):
    """There is no index in this directory yet: rebuild it."""


def current_generation(index_dir: str | os.PathLike) -> Path | None:
    """Return the live generation directory, or None when no index was built."""
    try:
        name = (Path(index_dir) / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    path = Path(index_dir) / name
    if not name or not whoosh_index.exists_in(path):
        return None
    try:
        version = (path / VERSION).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        version = "1"
    return path if version == str(SCHEMA_VERSION) else None  # an older layout: rebuild it


_epoch = 0


def changed() -> None:
    """Note that this process committed to an index: its searchers refresh on their next search."""
    global _epoch
    _epoch += 1


def epoch() -> int:
    """Return how many commits this process has made (what `changed` counts)."""
    return _epoch
