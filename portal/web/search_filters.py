"""The search page's filters: every checkbox and radio with its facet count, in the order a supplier reads them.

Long facets (the 45 CPV divisions, buyers) show their ten largest first and the rest behind "Show all", with
whatever is ticked always in view; the region filter puts Wales and its areas before the other UK regions.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

from flask import url_for
from flask_babel import lazy_gettext

from portal.i18n import current_language
from portal.labels.cpv_divisions import DIVISIONS, division_choice_label, division_label
from portal.labels.formatting import SOURCE_LABELS, STAGE_LABELS
from portal.labels.places import NUTS1, WALES, region_name
from portal.search.params import DATE_FIELDS, SearchParams
from portal.web.caching import gettext as _  # Flask-Babel's, with the catalogue found once per locale
from portal.web.caching import ngettext
from scrapers.vocabulary import STAGES
from search_index import SORTS
from search_index.facets import VALUE_BUCKETS

TOP = 10  # a long facet shows this many before "Show all"
WALES_CODE = "UKL"
SORT_LABELS = {
    "relevance": lazy_gettext("Relevance"),
    "closing_soonest": lazy_gettext("Closing soonest"),
    "expected_soonest": lazy_gettext("Expected to come to market soonest"),
    "newest": lazy_gettext("Newest"),
    "value": lazy_gettext("Highest value"),
}
VALUE_LABELS = {
    "under_25k": lazy_gettext("Under £25,000"),
    "25k_100k": lazy_gettext("£25,000 to £100,000"),
    "100k_1m": lazy_gettext("£100,000 to £1 million"),
    "1m_10m": lazy_gettext("£1 million to £10 million"),
    "over_10m": lazy_gettext("Over £10 million"),
}
# The form's names for the parameters, for "these values were ignored".
PARAMETER_LABELS = {
    "q": lazy_gettext("Search words"),
    "stage": lazy_gettext("Stage"),
    "cpv": lazy_gettext("Category"),
    "region": lazy_gettext("Region"),
    "value": lazy_gettext("Value"),
    "value_min": lazy_gettext("Lowest value"),
    "value_max": lazy_gettext("Highest value"),
    "no_value": lazy_gettext("Include notices with no value"),
    "deadline_from": lazy_gettext("Deadline from"),
    "deadline_to": lazy_gettext("Deadline to"),
    "expected_from": lazy_gettext("Expected tender date from"),
    "expected_to": lazy_gettext("Expected tender date to"),
    "buyer": lazy_gettext("Buyer"),
    "sme": lazy_gettext("Suitable for small and medium-sized enterprises"),
    "vcse": lazy_gettext("Suitable for voluntary, community and social enterprises"),
    "wales": lazy_gettext("Work in Wales"),
    "source": lazy_gettext("Source"),
    "notice_type": lazy_gettext("Notice type"),
    "changed_since": lazy_gettext("Changed since"),
    "changed_until": lazy_gettext("Changed before"),
    "lens": lazy_gettext("Kind of work"),  # the legend of the lens checkboxes: one label whatever the lenses
    "sort": lazy_gettext("Sort by"),
    "page": lazy_gettext("Page"),
    "per_page": lazy_gettext("Results per page"),
}
# Parameters the form has no control for: kept as hidden inputs, so applying a filter never drops them.
HIDDEN = ("value_min", "value_max", "notice_type", "changed_since", "changed_until", "per_page")
NOT_FILTERS = ("q", "sort", "page", "per_page")


_TRANSLATED: dict[tuple[str, int], tuple[dict, dict[str, str]]] = {}


def translated(labels: dict) -> dict:
    """Return {key: label as text in the page's language} of a module-level table of lazy labels, made once per
    language per process: a lazy label finds its translation anew each time it is shown (docs/design.md, "Speed
    at scale"). The table itself is kept with its texts, so its id is never another table's."""
    key = (current_language(), id(labels))
    found = _TRANSLATED.get(key)
    if found is None or found[0] is not labels:
        found = _TRANSLATED[key] = (labels, {name: str(label) for name, label in labels.items()})
    return found[1]


def count_text(n: int) -> str:
    """Return "3 notices" in the page's language (each count once per language per process: a search page shows
    a hundred, and Welsh has six plural forms to choose from)."""
    return _count_text(current_language(), n)


@lru_cache(maxsize=4096)
def _count_text(language: str, n: int) -> str:
    return ngettext("%(num)d notice", "%(num)d notices", n)  # in `language`: the page's, as count_text passes


def _checkbox(value: str, label: str, counts: dict[str, int], selected, *, show_empty: bool = False) -> dict | None:
    count = counts.get(value, 0)
    if not count and value not in selected and not show_empty:
        return None
    item = {"value": value, "text": label, "checked": value in selected, "count": count}
    if counts or count:
        item["hint"] = {"text": count_text(count)}
    return item


def _items(pairs, counts: dict[str, int], selected, *, show_empty: bool = False) -> list[dict]:
    items = (_checkbox(value, label, counts, selected, show_empty=show_empty) for value, label in pairs)
    return [item for item in items if item]


def long_facet(items: list[dict], noun) -> dict:
    """Split a facet's items into the TOP largest (most notices first; ticked ones always) and the rest.

    `items` come in their natural order (CPV code, buyer), which the rest keep; `noun` is an ngettext for
    "Show all %(num)d …". Returns {"top": [...], "rest": [...], "show_all": text or ""}.
    """
    if len(items) <= TOP:
        return {"top": items, "rest": [], "show_all": ""}
    ranked = sorted(range(len(items)), key=lambda n: (-items[n]["count"], n))
    chosen = set(ranked[:TOP]) | {n for n, item in enumerate(items) if item["checked"]}
    top = [items[n] for n in sorted(chosen, key=ranked.index)]
    rest = [item for n, item in enumerate(items) if n not in chosen]
    return {"top": top, "rest": rest, "show_all": noun(len(items)) if rest else ""}


def _cpv_items(facets: dict[str, dict[str, int]], selected: tuple[str, ...]) -> list[dict]:
    counts = facets.get("cpv", {})
    items = [
        _checkbox(code, division_choice_label(code) if code in DIVISIONS else code, counts, selected)
        for code in sorted(counts)
    ]
    # A finer code from a link (cpv=72210000) is its own ticked box, so applying other filters keeps it.
    for code in selected:
        if code not in counts:
            label = division_label(code)
            items.append({"value": code, "text": f"{code} – {label}" if label else code, "checked": True, "count": 0})
    return [item for item in items if item]


def region_items(facets: dict[str, dict[str, int]], selected: tuple[str, ...]) -> dict:
    """Return the region filter: Wales, its areas (open when one is ticked), then the other UK regions."""
    counts = facets.get("region", {})
    nuts1 = translated(NUTS1)
    wales = _checkbox(WALES_CODE, nuts1[WALES_CODE], counts, selected, show_empty=True)
    others = _items(((code, name) for code, name in nuts1.items() if code != WALES_CODE), counts, selected)
    known = set(NUTS1) | set(WALES)
    others += [
        {"value": code, "text": region_name(code) or code, "checked": True, "count": 0}
        for code in selected
        if code not in known
    ]
    return {
        "wales": wales,
        "areas": _items(translated(WALES).items(), {}, selected, show_empty=True),
        "areas_open": any(code in WALES for code in selected),
        "others": others,
    }


def applied_count(params: SearchParams) -> int:
    """Return how many filter values narrow the search (each ticked box, band, date or flag counts once)."""
    return sum(1 for name, _value in params.args if name not in NOT_FILTERS)


def filter_options(params: SearchParams, facets: dict[str, dict[str, int]], buyer_names: dict[str, str]) -> dict:
    """Return the checkbox and radio items of every filter, with the facet counts of the current search."""
    filters = params.filters
    args = dict(params.args)
    buyers = list(facets.get("buyer", {})) + [b for b in filters.buyer_ids if b not in facets.get("buyer", {})]
    values = facets.get("value", {})
    band = args.get("value", "")
    parameter_labels = translated(PARAMETER_LABELS)
    flags = {
        name: _checkbox("1", parameter_labels[name], {"1": facets.get(facet, {}).get("true", 0)},
                        ("1",) if getattr(filters, attr) else (), show_empty=True)
        for name, facet, attr in (("sme", "sme", "sme"), ("vcse", "vcse", "vcse"), ("wales", "in_wales", "in_wales"))
    }  # fmt: skip
    applied = applied_count(params)
    return {
        "stage": _items(((s, translated(STAGE_LABELS).get(s, s)) for s in STAGES), facets.get("stage", {}),
                        filters.stages, show_empty=True),
        "cpv": long_facet(_cpv_items(facets, filters.cpv),
                          lambda n: ngettext("Show all %(num)d category", "Show all %(num)d categories", n)),
        "region": region_items(facets, filters.regions),
        "value": [{"value": "", "text": _("Any value"), "checked": not band}]
        + [
            {"value": name, "text": translated(VALUE_LABELS)[name], "checked": band == name,
             "hint": {"text": count_text(values.get(name, 0))}}
            for name in VALUE_BUCKETS
        ],  # fmt: skip
        "no_value": _checkbox("1", _("Include notices with no value"), {"1": values.get("none", 0)},
                              ("1",) if filters.include_no_value else (), show_empty=True),
        "buyer": long_facet(_items(((b, buyer_names.get(b, b)) for b in buyers), facets.get("buyer", {}),
                                   filters.buyer_ids),
                            lambda n: ngettext("Show all %(num)d buyer", "Show all %(num)d buyers", n)),
        "source": _items(translated(SOURCE_LABELS).items(), facets.get("sources", {}), filters.sources),
        "flags": flags,
        "sort": [{"value": s, "text": translated(SORT_LABELS)[s], "selected": s == params.sort} for s in SORTS],
        "dates": {name: args.get(name, "") for name in DATE_FIELDS},
        "hidden": [(name, value) for name, value in params.args
                   if name in HIDDEN or (name in ("sme", "vcse", "wales") and value == "0")],
        "applied": applied,
        "applied_text": ngettext("%(num)d selected", "%(num)d selected", applied) if applied else "",
        "clear_url": url_for("search.search") + (f"?{urlencode({'q': params.text})}" if params.text else ""),
    }  # fmt: skip
