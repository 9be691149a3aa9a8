"""Full-text search of procurements, bilingual (Welsh/English), on Whoosh.

The database is the truth; this index is a cache rebuilt from it. Never imports Flask or `portal`.
"""

from search_index.filters import Filters
from search_index.generations import IndexMissing
from search_index.index import WriterBusy, get_watermark, index_age, rebuild, sync
from search_index.live import doc_count, generation_tag
from search_index.query import Message
from search_index.results import SORTS, Hit, SearchResults, matching_count, matching_ids, search

__all__ = [
    "SORTS",
    "Filters",
    "Hit",
    "IndexMissing",
    "Message",
    "SearchResults",
    "WriterBusy",
    "doc_count",
    "generation_tag",
    "get_watermark",
    "index_age",
    "matching_count",
    "matching_ids",
    "rebuild",
    "search",
    "sync",
]
