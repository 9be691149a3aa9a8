"""Finished exports kept in memory per search and index generation, so a popular CSV is built once per sync.

Bounded by bytes, least recently used first out; shared by a worker's threads. A new sync or rebuild of the
index changes the generation in the key, so nothing stale is ever served.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

import search_index
from search_index.generations import current_generation


class ExportCache:
    """A least-recently-used map of key → text, holding at most `budget` characters in all."""

    def __init__(self, budget: int, largest: int) -> None:
        self.budget, self.largest = budget, largest
        self._items: OrderedDict[Hashable, str] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> str | None:
        """Return a kept export, or None."""
        with self._lock:
            text = self._items.get(key)
            if text is not None:
                self._items.move_to_end(key)
            return text

    def put(self, key: Hashable, text: str) -> None:
        """Keep an export unless it is larger than `largest`; drop the least recently used to stay in budget."""
        if len(text) > self.largest:
            return
        with self._lock:
            if key in self._items:
                self._size -= len(self._items.pop(key))
            self._items[key] = text
            self._size += len(text)
            while self._size > self.budget:
                _key, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)


def index_generation(index_dir: str) -> tuple[str, str]:
    """Return what identifies the index's current content: its generation and its sync watermark."""
    return str(current_generation(index_dir)), str(search_index.get_watermark(index_dir))
