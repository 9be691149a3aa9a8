"""The Whoosh schema of one procurement and the conversion of a portal document to its fields.

Stored: only the id and the text the "why this matched" fragments are cut from; rows are
loaded from the database by id in rank order. Words are indexed without positions; phrases
search each phrase field's word pairs (fields.py).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from whoosh.columns import NumericColumn
from whoosh.fields import BOOLEAN, COLUMN, ID, KEYWORD, NUMERIC, Schema

from search_index.analysis import english_analyzer, welsh_analyzer
from search_index.fields import PairField, WordField

# The layout of the fields below; an index of another version is not read (rebuild it).
SCHEMA_VERSION = 5  # 3: `updated` in seconds, `id` a column; 4: acronym terms; 5: buyer_cy, every title Welsh too

# Text fields searched by words, and their ranking weight. Phrases run on the pair fields of POSITIONAL.
TEXT_FIELDS = {
    "title": 3.0,
    "title_cy": 3.0,
    "buyer": 2.0,
    "buyer_cy": 2.0,
    "cpv_labels": 1.5,
    "description": 1.0,
    "description_cy": 1.0,
}
POSITIONAL_FIELDS = ("title", "title_cy", "buyer", "buyer_cy", "description", "description_cy")
# Welsh fields fold mutations (analysis.WelshTokenizer). Every title and buyer name is indexed in them as well
# as in the English fields, since an English notice names Welsh places and councils ("Cyngor Gwynedd Street
# Lighting", "Cyngor Sir Ddinbych"); descriptions only when the notice may be Welsh (`is_welsh_related`): a
# long English text gains little recall from folding and its words would meet more unrelated ones (May → Bay).
WELSH_FIELDS = frozenset({"title_cy", "buyer_cy", "description_cy"})
PAIR_FIELDS = {name: f"{name}_pairs" for name in POSITIONAL_FIELDS}  # text field → its pair field
BASE_FIELDS = {pairs: name for name, pairs in PAIR_FIELDS.items()}

# Whole pence or minutes since the epoch (`updated`: seconds). A document without a NUMERIC value reads
# back from its column as Whoosh's default, the largest signed number: sorts treat it as "none".
MISSING = {"value": 2**63 - 1, "deadline": 2**31 - 1, "expected": 2**31 - 1, "published": 0}
# What the 32- and 64-bit numbers below hold; beyond it (a "9999-12-31" deadline, a £1e17 typo) a value
# is stored, or a filter bound read, at the limit instead of failing a whole rebuild. Below MISSING: a value.
LIMITS = {"value": (0, 2**63 - 2), "value_gross": (0, 2**63 - 1), "deadline": (-(2**31), 2**31 - 2)}
LIMITS["expected"] = LIMITS["deadline"]

# Fragments are cut from stored text; beyond this a description is not highlighted.
STORED_DESCRIPTION_CHARS = 2000
# Indexed text is capped too: a 40-page specification pasted into a notice adds cost, not recall.
INDEXED_DESCRIPTION_CHARS = 20000


def build_schema() -> Schema:
    """Return the schema of the procurement index."""
    english, welsh = english_analyzer(), welsh_analyzer()
    pairs = {pair: PairField(welsh if name in WELSH_FIELDS else english) for name, pair in PAIR_FIELDS.items()}
    return Schema(
        id=ID(unique=True, stored=True, sortable=True),  # the column lists the ids of a whole match
        stage=ID(),
        notice_types=KEYWORD(),
        sources=KEYWORD(),
        buyer_id=ID(sortable=True),
        buyer=WordField(english, stored=True),
        buyer_cy=WordField(welsh),
        title=WordField(english, stored=True),
        title_cy=WordField(welsh, stored=True),
        description=WordField(english, stored=True),
        description_cy=WordField(welsh, stored=True),
        cpv_labels=WordField(english, stored=True),
        **pairs,
        cpv=KEYWORD(),
        region=KEYWORD(),
        # Range-filtered numbers are indexed in few precision tiers (the default shift_step of 4
        # makes 16 terms per 64-bit value, most of all postings); sort-only numbers are columns.
        value=NUMERIC(int, bits=64, shift_step=16, sortable=True),
        deadline=NUMERIC(int, bits=32, shift_step=8, sortable=True),
        expected=NUMERIC(int, bits=32, shift_step=8, sortable=True),
        value_gross=COLUMN(NumericColumn("q", default=0)),
        published=COLUMN(NumericColumn("q", default=0)),
        # Seconds, not minutes: an alert sent at 10:30:45 must not match a notice updated at 10:30:10 again.
        updated=NUMERIC(int, bits=64, shift_step=16),
        sme=BOOLEAN(),
        vcse=BOOLEAN(),
        in_wales=BOOLEAN(),
        has_value=BOOLEAN(),
    )


def cpv_prefixes(code: str) -> list[str]:
    """Return the hierarchy of a CPV code: 72212000-4 → 72, 722, 7221, 72212 (trailing zeros dropped)."""
    digits = "".join(ch for ch in code.split("-")[0] if ch.isdigit())[:8]
    significant = digits.rstrip("0")
    significant = significant if len(significant) >= 2 else digits[:2]
    return [significant[:n] for n in range(2, len(significant) + 1)] if len(significant) >= 2 else []


def normalise_cpv(code: str) -> str:
    """Return the significant prefix of a CPV filter: 72200000 → 722, 72 → 72."""
    prefixes = cpv_prefixes(code)
    return prefixes[-1] if prefixes else ""


_REGION_RE = re.compile(r"[A-Z]{2}(?:[A-Z0-9][0-9]{0,2})?")


def region_prefixes(code: str) -> list[str]:
    """Return the hierarchy of a NUTS/ITL code: UKL22 → UK, UKL, UKL2, UKL22."""
    code = "".join(ch for ch in code.upper() if ch.isalnum())
    if not _REGION_RE.fullmatch(code):
        return []  # a place name ("Wales", "North West") in the code field is not a code
    return [code[:n] for n in range(2, len(code) + 1)]


def to_minutes(moment: datetime | None) -> int | None:
    """Return minutes since the epoch of an aware datetime (naive ones are taken as UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() // 60)


def to_seconds(moment: datetime | None) -> int | None:
    """Return whole seconds since the epoch of an aware datetime (naive ones are taken as UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() // 1)


def to_pence(amount: float | int | None) -> int | None:
    """Return whole pence of a pound amount; floats crash sortable NUMERIC.

    See docs/libraries.md, "Whoosh: money as whole pence".
    """
    if amount is None:
        return None
    try:
        return max(0, round(float(amount) * 100))
    except (TypeError, ValueError, OverflowError):
        return None


def clamp(field: str, number: int | None) -> int | None:
    """Return a number of a field inside what the field can hold (None stays None)."""
    if number is None or field not in LIMITS:
        return number
    low, high = LIMITS[field]
    return min(max(number, low), high)


def _listed(value) -> list:
    if value is None or value == "":
        return []
    return [value] if isinstance(value, str) else [v for v in value if v]


def _join(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


def is_welsh_related(doc: dict) -> bool:
    """Tell whether English-field text may be Welsh too (Wales notices are often bilingual)."""
    return bool(doc.get("in_wales")) or "s2w" in _listed(doc.get("sources")) or bool(doc.get("title_cy"))


def fields_for(doc: dict) -> dict:
    """Return the Whoosh fields of one portal document dict (any key may be None or empty)."""
    description = (doc.get("description") or "")[:INDEXED_DESCRIPTION_CHARS]
    welsh_related = is_welsh_related(doc)
    title_cy = _join(doc.get("title_cy"), doc.get("title"))
    description_cy = _join(
        (doc.get("description_cy") or "")[:INDEXED_DESCRIPTION_CHARS], description if welsh_related else None
    )
    fields = {
        "id": str(doc["id"]),
        "stage": doc.get("stage") or "",
        "notice_types": " ".join(_listed(doc.get("notice_types"))),
        "sources": " ".join(_listed(doc.get("sources"))),
        "buyer_id": str(doc.get("buyer_id") or ""),
        "buyer": doc.get("buyer_name") or "",
        "buyer_cy": doc.get("buyer_name") or "",
        "title": doc.get("title") or "",
        "title_cy": title_cy,
        "description": description,
        "description_cy": description_cy,
        "cpv_labels": " ".join(_listed(doc.get("cpv_labels"))),
        "cpv": " ".join(sorted({p for code in _listed(doc.get("cpv")) for p in cpv_prefixes(code)})),
        "region": " ".join(sorted({p for code in _listed(doc.get("regions")) for p in region_prefixes(code)})),
    }
    stored = {
        "_stored_title": doc.get("title") or "",
        "_stored_title_cy": doc.get("title_cy") or "",
        "_stored_description": description[:STORED_DESCRIPTION_CHARS],
        "_stored_description_cy": (doc.get("description_cy") or "")[:STORED_DESCRIPTION_CHARS],
    }
    fields.update(stored)
    fields.update({pair: fields[name] for name, pair in PAIR_FIELDS.items() if fields.get(name)})
    for name, key in (("value", "value_amount"), ("value_gross", "value_gross")):
        pence = to_pence(doc.get(key))
        if pence is not None:
            fields[name] = clamp(name, pence)
    fields["has_value"] = fields.get("value") is not None  # the value filter is on net value
    for name, key in (("published", "published"), ("deadline", "deadline")):
        minutes = to_minutes(doc.get(key))
        if minutes is not None:
            fields[name] = clamp(name, minutes)
    updated = to_seconds(doc.get("updated"))
    if updated is not None:
        fields["updated"] = updated
    expected = to_minutes(doc.get("expected_tender_date"))
    if expected is not None:
        fields["expected"] = clamp("expected", expected)
    for flag in ("sme", "vcse", "in_wales"):
        if doc.get(flag) is not None:
            fields[flag] = bool(doc[flag])
    return {name: value for name, value in fields.items() if value != ""}
