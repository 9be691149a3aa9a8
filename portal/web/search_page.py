"""The search page: query box, filters with facet counts, sort, paging and results with "why this matched"."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext, lazy_ngettext, ngettext
from sqlmodel import col, select

from portal.db import get_session
from portal.i18n import LANG_PREFIX
from portal.labels.cpv_divisions import DIVISIONS, division_choice_label
from portal.labels.formatting import SOURCE_LABELS, stage_label
from portal.labels.places import NUTS1, WALES
from portal.models.tables import Buyer
from portal.search.indexing import search_procurements
from portal.search.params import DATE_FIELDS, SearchParams, parse_search_args, problem_parameters
from portal.web.forms import SearchForm
from scrapers.vocabulary import STAGES
from search_index import SORTS
from search_index.facets import VALUE_BUCKETS
from search_index.query import MAX_CHARS, MAX_DEPTH, MAX_TERMS, MIN_PREFIX
from search_index.results import MAX_PAGE

bp = Blueprint("search", __name__, url_prefix=LANG_PREFIX)

# search_index's message codes (and our own unknown_sort) in the page's language; its English text is the fallback.
MESSAGES = {
    "truncated": lazy_ngettext(
        "Your search was longer than %(num)d character; only the start was used.",
        "Your search was longer than %(num)d characters; only the start was used.",
        MAX_CHARS,
    ),
    "too_many_terms": lazy_ngettext(
        "Your search had more than %(num)d word; only the first %(num)d was used.",
        "Your search had more than %(num)d words; only the first %(num)d were used.",
        MAX_TERMS,
    ),
    "unbalanced_quote": lazy_gettext(
        "A quotation mark was not closed, so the words after it were searched as separate words."
    ),
    "unbalanced_parenthesis": lazy_gettext("Brackets did not match, so the unmatched brackets were ignored."),
    "stray_operator": lazy_gettext("OR, NOT or a minus sign had nothing to apply to, so it was ignored."),
    "nested_too_deep": lazy_ngettext(
        "Brackets nested more than %(num)d deep were ignored.",
        "Brackets nested more than %(num)d deep were ignored.",
        MAX_DEPTH,
    ),
    "prefix_too_short": lazy_ngettext(
        "A word ending in * needs at least %(num)d letter before the *, so it was searched as a whole word.",
        "A word ending in * needs at least %(num)d letters before the *, so it was searched as a whole word.",
        MIN_PREFIX,
    ),
    "syntax_fallback": lazy_gettext("Your search could not be read as written, so its words were searched instead."),
    "stop_words_only": lazy_gettext("Your search only had very common words, so every notice is shown."),
    "unknown_sort": lazy_gettext("That sort order is not known, so results are sorted by relevance."),
    "index_unavailable": lazy_gettext("Search is being rebuilt. Please try again in a few minutes."),
}
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
MATCHED_FIELDS = {
    "title": lazy_gettext("title"),
    "description": lazy_gettext("description"),
    "buyer": lazy_gettext("buyer"),
    "cpv": lazy_gettext("category"),
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
    "sort": lazy_gettext("Sort by"),
    "page": lazy_gettext("Page"),
    "per_page": lazy_gettext("Results per page"),
}


def message_text(code: str, fallback: str = "") -> str:
    """Return a search message in the page's language (the index's English text for a code we do not know)."""
    message = MESSAGES.get(code)
    return str(message) if message is not None else fallback


def _count(n: int) -> str:
    return ngettext("%(num)d notice", "%(num)d notices", n)


def _checkbox(value: str, label: str, counts: dict[str, int], selected, *, show_empty: bool = False) -> dict | None:
    count = counts.get(value, 0)
    if not count and value not in selected and not show_empty:
        return None
    item = {"value": value, "text": label, "checked": value in selected}
    if counts or count:
        item["hint"] = {"text": _count(count)}
    return item


def _items(pairs, counts: dict[str, int], selected, *, show_empty: bool = False) -> list[dict]:
    items = (_checkbox(value, str(label), counts, selected, show_empty=show_empty) for value, label in pairs)
    return [item for item in items if item]


def filter_options(params: SearchParams, facets: dict[str, dict[str, int]], buyer_names: dict[str, str]) -> dict:
    """Return the checkbox and radio items of every filter, with the facet counts of the current search."""
    filters = params.filters
    cpv_codes = sorted(set(facets.get("cpv", {})) | {code[:2] for code in filters.cpv})
    buyers = list(facets.get("buyer", {})) + [b for b in filters.buyer_ids if b not in facets.get("buyer", {})]
    values = facets.get("value", {})
    band = dict(params.args).get("value", "")
    flags = {
        name: _checkbox("1", str(PARAMETER_LABELS[name]), {"1": facets.get(facet, {}).get("true", 0)},
                        ("1",) if getattr(filters, attr) else (), show_empty=True)
        for name, facet, attr in (("sme", "sme", "sme"), ("vcse", "vcse", "vcse"), ("wales", "in_wales", "in_wales"))
    }  # fmt: skip
    return {
        "stage": _items(((s, stage_label(s)) for s in STAGES), facets.get("stage", {}), filters.stages,
                        show_empty=True),
        "cpv": [
            item
            for code in cpv_codes
            if (item := _checkbox(code, division_choice_label(code) if code in DIVISIONS else code,
                                  facets.get("cpv", {}), filters.cpv))
        ],
        "region": _items(NUTS1.items(), facets.get("region", {}), filters.regions),
        "wales_area": _items(WALES.items(), {}, filters.regions, show_empty=True),
        "value": [{"value": "", "text": _("Any value"), "checked": not band}]
        + [
            {"value": name, "text": str(VALUE_LABELS[name]), "checked": band == name,
             "hint": {"text": _count(values.get(name, 0))}}
            for name in VALUE_BUCKETS
        ],  # fmt: skip
        "no_value": _checkbox("1", _("Include notices with no value"), {"1": values.get("none", 0)},
                              ("1",) if filters.include_no_value else (), show_empty=True),
        "buyer": _items(((b, buyer_names.get(b, b)) for b in buyers), facets.get("buyer", {}), filters.buyer_ids),
        "source": _items(SOURCE_LABELS.items(), facets.get("sources", {}), filters.sources),
        "flags": flags,
        "sort": [{"value": s, "text": str(SORT_LABELS[s]), "selected": s == params.sort} for s in SORTS],
        "dates": {name: dict(params.args).get(name, "") for name in DATE_FIELDS},
        "wales_open": any(code in WALES for code in filters.regions),
        "clear_url": url_for("search.search") + (f"?{urlencode({'q': params.text})}" if params.text else ""),
    }  # fmt: skip


def buyer_names(ids) -> dict[str, str]:
    """Return {buyer id: name} of some buyer ids (strings, as the index keeps them)."""
    numbers = [int(i) for i in ids if str(i).isdigit()]
    if not numbers:
        return {}
    rows = get_session().exec(select(Buyer.id, Buyer.name).where(col(Buyer.id).in_(numbers))).all()
    return {str(row[0]): row[1] for row in rows}


def pagination(params: SearchParams, total: int) -> dict | None:
    """Return govukPagination's parameters, in the page's language, or None when there is one page."""
    last = min(max(1, -(-total // params.per_page)), MAX_PAGE)
    if last <= 1:
        return None
    page = min(params.page, last)

    def href(number: int) -> str:
        return url_for("search.search") + "?" + params.query_string(page=number if number > 1 else None)

    numbers = sorted({1, last, page - 1, page, page + 1} & set(range(1, last + 1)))
    items, previous = [], 0
    for number in numbers:
        if number - previous > 1:
            items.append({"ellipsis": True})
        items.append(
            {
                "number": number,
                "href": href(number),
                "current": number == page,
                "visuallyHiddenText": _("Page %(num)d", num=number),
            }
        )
        previous = number
    previous_html = _('Previous<span class="govuk-visually-hidden"> page</span>')
    next_html = _('Next<span class="govuk-visually-hidden"> page</span>')
    return {
        "landmarkLabel": _("Search results pages"),
        "previous": {"href": href(page - 1), "html": previous_html} if page > 1 else None,
        "next": {"href": href(page + 1), "html": next_html} if page < last else None,
        "items": items,
    }


def notices_of(params: SearchParams, results) -> list[str]:
    """Return the translated messages to show: the index's notes on the query, then ignored parameters."""
    texts = [message_text(m.code, m.text) for m in results.messages]
    ignored = [name for name in problem_parameters(params.problems) if name != "sort"]
    if any(problem.code == "unknown_sort" for problem in params.problems):
        texts.append(message_text("unknown_sort"))
    if ignored:
        names = ", ".join(str(PARAMETER_LABELS[name]) for name in ignored)
        texts.append(_("Some search options were not understood and were ignored: %(names)s.", names=names))
    return texts


def export_links(params: SearchParams) -> dict[str, str]:
    """Return the links to this search's open data: JSON, CSV, Atom, iCal and OCDS."""
    whole = params.query_string(page=None, per_page=None)
    paged = params.query_string()

    def link(endpoint: str, query: str) -> str:
        return url_for(endpoint) + (f"?{query}" if query else "")

    return {
        "json": link("api.notices", paged),
        "csv": link("exports.csv", whole),
        "atom": link("exports.atom", whole),
        "ics": link("exports.ics", whole),
        "ocds": link("api.ocds_releases", paged),
    }


def found_item(row, hit) -> dict:
    """Return one result for the page: the procurement, where the words matched, and the marked fragments."""
    if hit is None:
        return {"p": row, "matched": "", "fragments": []}
    matched = ", ".join(str(MATCHED_FIELDS.get(name, name)) for name in hit.matched_fields)
    fragments = [hit.highlights[name] for name in ("title", "description") if hit.highlights.get(name)]
    return {"p": row, "matched": matched, "fragments": fragments}


@bp.route("/search")
def search():
    """Search notices by words and filters; every search is a link, and no query string gives an error."""
    params = parse_search_args(request.args)
    text, filters, sort, page, per_page, _problems = params
    rows, results = search_procurements(text, filters, sort, page, per_page, facets=True, session=get_session())
    hits = {hit.id: hit for hit in results.hits}
    names = buyer_names(list(results.facets.get("buyer", {})) + list(filters.buyer_ids))
    form = SearchForm(formdata=None, data={"q": text})
    return render_template(
        "search/search.html",
        form=form,
        params=params,
        query=text,
        results=results,
        found=[found_item(row, hits.get(str(row.id))) for row in rows],
        options=filter_options(params, results.facets, names),
        notes=notices_of(params, results),
        pagination=pagination(params, results.total),
        exports=export_links(params),
    )
