"""The search page: query box, filters with facet counts, sort, paging and results with "why this matched"."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext, lazy_ngettext, ngettext
from markupsafe import Markup
from sqlmodel import col, select

from portal.db import get_session
from portal.i18n import LANG_PREFIX
from portal.labels.formatting import LENS_LABELS
from portal.models.tables import Buyer
from portal.search.indexing import matching_procurement_count, search_procurements
from portal.search.params import SearchParams, parse_search_args, problem_parameters
from portal.web.forms import SearchForm
from portal.web.result_rows import card_html, row_facts, shown_title, stage_tag_html, status_notes_html, time_status
from portal.web.search_filters import PARAMETER_LABELS, SORT_LABELS, count_text, filter_options, translated
from search_index.query import MAX_CHARS, MAX_DEPTH, MAX_TERMS, MIN_PREFIX
from search_index.results import MAX_PAGE

__all__ = ["PARAMETER_LABELS", "bp", "message_text"]

bp = Blueprint("search", __name__, url_prefix=LANG_PREFIX)
# Every list of procurements (home, pipeline, buyer, notice and search pages) shows each row's facts for its stage.
bp.add_app_template_global(row_facts, "procurement_facts")
bp.add_app_template_global(time_status, "procurement_status")
bp.add_app_template_global(shown_title, "shown_title")
bp.add_app_template_global(card_html, "procurement_card_html")
bp.add_app_template_global(stage_tag_html, "stage_tag_html")
bp.add_app_template_global(status_notes_html, "status_notes_html")

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
MATCHED_FIELDS = {
    "title": lazy_gettext("title"),
    "description": lazy_gettext("description"),
    "buyer": lazy_gettext("buyer"),
    "cpv": lazy_gettext("category"),
}


def message_text(code: str, fallback: str = "") -> str:
    """Return a search message in the page's language (the index's English text for a code we do not know)."""
    message = MESSAGES.get(code)
    return str(message) if message is not None else fallback


def buyer_names(ids) -> dict[str, str]:
    """Return {buyer id: name} of some buyer ids (strings, as the index keeps them)."""
    numbers = [int(i) for i in ids if str(i).isdigit()]
    if not numbers:
        return {}
    rows = get_session().exec(select(Buyer.id, Buyer.name).where(col(Buyer.id).in_(numbers))).all()
    return {str(row[0]): row[1] for row in rows}


def last_page(params: SearchParams, total: int) -> int:
    """Return the number of the last page of results (1 when there are none)."""
    return min(max(1, -(-total // params.per_page)), MAX_PAGE)


def past_the_end(params: SearchParams, total: int) -> dict | None:
    """Return the last page's number and link when this page is beyond the last page of some results, else None."""
    last = last_page(params, total)
    if not total or params.page <= last:
        return None
    href = url_for("search.search")
    query = params.query_string(page=last if last > 1 else None)
    return {"last": last, "href": href + (f"?{query}" if query else "")}


def pagination(params: SearchParams, total: int) -> dict | None:
    """Return govukPagination's parameters, in the page's language, or None when there is one page (or we are
    past the last one: the page then says so and links to it)."""
    last = last_page(params, total)
    page = params.page
    if last <= 1 or page > last:
        return None

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


def newest_first(params: SearchParams, results) -> bool:
    """Return True when relevance has nothing to rank by (no words, or only very common ones): newest first."""
    return params.sort == "relevance" and (
        not params.text or any(m.code == "stop_words_only" for m in results.messages)
    )


def unknown_sort_text(params: SearchParams, results) -> str:
    """Return the message for a sort we do not know, naming the sort used (the select shows the same)."""
    used = str(SORT_LABELS[params.sort])
    if newest_first(params, results):
        return _(
            "That sort order is not known, so the results are sorted by “%(sort)s”: with no search words, "
            "that is newest first.",
            sort=used,
        )
    return _("That sort order is not known, so the results are sorted by “%(sort)s”.", sort=used)


def lens_items(params: SearchParams) -> list[dict]:
    """Return the lens checkboxes, each with how many of this search's notices it would keep."""
    items = []
    for name, label in LENS_LABELS.items():
        found = matching_procurement_count(params.text, replace(params.filters, lens=name))
        checked = params.filters.lens == name
        items.append({"value": name, "text": str(label), "checked": checked, "hint": {"text": count_text(found)}})
    return items


def _message(params: SearchParams, message) -> str | Markup:
    """Return one of the index's messages in the page's language, with its numbers and, for words that find
    nothing together, each word's count alone and a link to the search for any of them."""
    if message.code == "closed_left_out":
        return ngettext(
            "%(num)d notice whose deadline has passed was left out; only deadlines still ahead are listed, soonest "
            "first.",
            "%(num)d notices whose deadline has passed were left out; only deadlines still ahead are listed, soonest "
            "first.",
            message.data.get("count", 0),
        )
    if message.code == "words_alone":
        alone = ", ".join(
            ngettext("“%(word)s” finds %(num)d", "“%(word)s” finds %(num)d", item["count"], word=item["word"])
            for item in message.data.get("words", [])
        )
        any_of = message.data.get("any_of", "")
        href = url_for("search.search") + "?" + params.query_string(q=any_of, page=None)
        link = Markup('<a class="govuk-link" href="%s">%s</a>') % (href, any_of)
        # translated without their variables, escaped, then filled: the words are escaped, the link kept
        first = Markup.escape(_("No notice has all of your words. On its own, %(alone)s.")) % {"alone": alone}
        second = Markup.escape(_("Search for notices with any of them: %(link)s")) % {"link": link}
        return first + Markup(" ") + second
    return message_text(message.code, message.text)


def notices_of(params: SearchParams, results, *, beyond: bool = False) -> list[str]:
    """Return the translated messages to show: the index's notes on the query, then ignored parameters.

    An unknown sort names the sort used instead; a page number beyond the results is left to the page's own
    "past the end" message (`beyond`), which links to the last page.
    """
    texts = [_message(params, m) for m in results.messages]
    skip = {"sort", "page"} if beyond else {"sort"}
    ignored = [name for name in problem_parameters(params.problems) if name not in skip]
    if any(problem.code == "unknown_sort" for problem in params.problems):
        texts.append(unknown_sort_text(params, results))
    if ignored:
        names = ", ".join(str(PARAMETER_LABELS[name]) for name in ignored)
        texts.append(_("Some search options were not understood and were ignored: %(names)s.", names=names))
    return [Markup.escape(text) for text in texts]  # HTML-safe: a message with a link is Markup already


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
    labels = translated(MATCHED_FIELDS)
    matched = ", ".join(labels.get(name, name) for name in hit.matched_fields)
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
    beyond = past_the_end(params, results.total)
    return render_template(
        "search/search.html",
        form=form,
        params=params,
        query=text,
        results=results,
        found=[found_item(row, hits.get(str(row.id))) for row in rows],
        options=filter_options(params, results.facets, names),
        lenses=lens_items(params),
        notes=notices_of(params, results, beyond=beyond is not None),
        pagination=pagination(params, results.total),
        past_the_end=beyond,
        exports=export_links(params),
    )
