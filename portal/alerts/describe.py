"""A saved search in words, in the page's (or email's) language: each of its parameters with its value.

Reads the one filter language (portal.search.params) and names parameters as the search form does
(portal.web.search_filters.PARAMETER_LABELS), so an alert reads as the search it came from. See docs/design.md,
"Email alerts: the pages".
"""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.datastructures import MultiDict

from portal.labels.cpv_divisions import DIVISIONS, division_choice_label, division_label
from portal.labels.formatting import LENS_LABELS, long_date, money, notice_type_label, source_label, stage_label
from portal.labels.places import region_name
from portal.search.params import DATE_FIELDS, SearchParams, parse_search_args
from portal.web.search_filters import PARAMETER_LABELS, VALUE_LABELS

# What an alert keeps of a search: not its order, page or the changed_* window (an alert is about what is new).
NOT_SAVED = ("sort", "page", "per_page", "changed_since", "changed_until")
EVERYTHING = lazy_gettext("Every notice (no search words or filters)")


def saved_query(params: SearchParams) -> str:
    """Return the canonical query string an alert stores for a search (SavedSearch.query)."""
    return params.query_string(**dict.fromkeys(NOT_SAVED))


def _cpv(code: str) -> str:
    if code in DIVISIONS:
        return division_choice_label(code)
    label = division_label(code)
    return f"{code} – {label}" if label else code


def _value(name: str, value: str, buyers: dict[str, str]) -> str:
    if name == "q":
        return f"“{value}”"
    if name == "cpv":
        return _cpv(value)
    if name in DATE_FIELDS:
        return long_date(date.fromisoformat(value))
    if name in ("value_min", "value_max"):
        return money(float(value))
    if name in ("sme", "vcse", "wales", "no_value"):
        return _("Yes") if value == "1" else _("No")
    readers = {
        "stage": stage_label,
        "region": lambda code: region_name(code) or code,
        "value": lambda band: str(VALUE_LABELS.get(band, band)),
        "buyer": lambda buyer: buyers.get(buyer, buyer),
        "source": source_label,
        "notice_type": notice_type_label,
        "lens": lambda lens: str(LENS_LABELS.get(lens, lens)),
    }
    return readers[name](value) if name in readers else value


def buyer_ids(query: str) -> list[str]:
    """Return the buyer ids a saved query names (to look their names up)."""
    return [value for name, value in parse_qsl(query) if name == "buyer"]


def describe(query: str, buyers: dict[str, str] | None = None) -> list[dict]:
    """Return a saved query as rows of {"label", "value"} (values of one parameter joined), in the page's
    language; an empty list when the query is every notice. `buyers` maps buyer ids to names."""
    params = parse_search_args(dict_of_lists(query))
    rows: dict[str, list[str]] = {}
    for name, value in params.args:
        if name not in NOT_SAVED:
            rows.setdefault(name, []).append(_value(name, value, buyers or {}))
    return [{"label": str(PARAMETER_LABELS[name]), "value": ", ".join(values)} for name, values in rows.items()]


def dict_of_lists(query: str):
    """Return a query string as a MultiDict-like object parse_search_args reads."""
    return MultiDict(parse_qsl(query, keep_blank_values=False))


def summary(query: str, buyers: dict[str, str] | None = None) -> str:
    """Return a saved query in one line (for lists and emails): "Search words: “cleaning”; Region: Wales"."""
    rows = describe(query, buyers)
    if not rows:
        return str(EVERYTHING)
    return "; ".join(f"{row['label']}: {row['value']}" for row in rows)


def procurement_title(procurement, lang: str) -> str:
    """Return a procurement's title in `lang` when it has one, else the other (as the notice page's heading)."""
    title = procurement.title_cy if lang == "cy" and procurement.title_cy else procurement.title or procurement.title_cy
    return title or _("Untitled notice")
