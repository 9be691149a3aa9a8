"""A search as a spreadsheet (CSV): streamed a page of results at a time, capped with a note pointing at the API's
paging, and kept once finished per search, language and index generation."""

from __future__ import annotations

import csv
import io

from flask import Response, request, stream_with_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.api.export_cache import ExportCache, index_generation
from portal.api.exports import _index_dir, _when, bp, page_url, title_of
from portal.db import get_session
from portal.i18n import current_language
from portal.labels.cpv_divisions import division_label
from portal.labels.formatting import procurement_stage_label
from portal.search.indexing import search_procurements
from portal.search.params import SearchParams, parse_search_args
from search_index.results import MAX_PAGE, MAX_PER_PAGE

CSV_LIMIT = 10_000  # rows; past it the CSV says so and points at the API's paging
CELL_LIMIT = 32_767  # characters: a spreadsheet cell's maximum (whole text is on the notice page and in the API)
# Finished CSVs per search, language and index generation: 32 MB of text at most per web process.
CSV_CACHE = ExportCache(budget=32_000_000, largest=16_000_000)


def safe_cell(value) -> str:
    """Return a CSV cell that a spreadsheet shows as text, never runs as a formula (= + - @, tab, CR), and fits
    in a spreadsheet cell."""
    text = "" if value is None else str(value)[:CELL_LIMIT]
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _columns(everything: bool) -> list[tuple[str, object]]:
    columns = [
        (_("Notice ID (OCID)"), lambda p: p.ocid),
        (_("Stage"), procurement_stage_label),
        (_("Title"), title_of),
        (_("Buyer"), lambda p: p.buyer_name),
        (_("Value excluding VAT"), lambda p: p.value_amount),
        (_("Currency"), lambda p: p.currency),
        (_("Deadline"), lambda p: _when(p.deadline)),
        (_("Expected tender date"), lambda p: _when(p.expected_tender_date)[:10]),
        (_("Link"), page_url),
    ]
    if everything:
        columns += [
            (_("Title in English"), lambda p: p.title),
            (_("Title in Welsh"), lambda p: p.title_cy),
            (_("Description in English"), lambda p: p.description),
            (_("Description in Welsh"), lambda p: p.description_cy),
            (_("Buyer ID"), lambda p: p.buyer_id),
            (_("Value including VAT"), lambda p: p.value_gross),
            (_("Lowest value"), lambda p: p.value_min),
            (_("Highest value"), lambda p: p.value_max),
            (_("CPV codes"), lambda p: " ".join(c.get("code") or "" for c in p.cpv or [])),
            (_("Category"), lambda p: division_label(p.main_cpv or next((c.get("code") for c in p.cpv or []), ""))),
            (_("Regions"), lambda p: " ".join(p.regions or [])),
            (_("Published"), lambda p: _when(p.published_at)),
            (_("Updated"), lambda p: _when(p.updated_at)),
            (_("Market engagement deadline"), lambda p: _when(p.engagement_deadline)),
            (_("Contract start"), lambda p: _when(p.contract_start)[:10]),
            (_("Contract end"), lambda p: _when(p.contract_end)[:10]),
            (_("Latest contract end with extensions"), lambda p: _when(p.contract_max_extent)[:10]),
            (_("Suitable for SMEs"), lambda p: _flag(p.sme)),
            (_("Suitable for VCSEs"), lambda p: _flag(p.vcse)),
            (_("In Wales"), lambda p: _flag(p.in_wales)),
            (_("Procurement method"), lambda p: p.procurement_method_details or p.procurement_method),
            (_("Main category"), lambda p: p.main_category),
            (_("Sources"), lambda p: " ".join(p.sources or [])),
            (_("Notice types"), lambda p: " ".join(p.notice_types or [])),
            (_("Register links"), lambda p: " ".join(link.get("url") or "" for link in p.links or [])),
            (_("Link in Welsh") if current_language() == "en" else _("Link in English"),
             lambda p: page_url(p, "cy" if current_language() == "en" else "en")),
        ]  # fmt: skip
    return columns


def _flag(value: bool | None) -> str:
    return "" if value is None else (_("Yes") if value else _("No"))


def _csv_lines(rows, columns=None, header: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    if header:
        writer.writerow([safe_cell(name) for name, _value in columns])
    for p in rows:
        writer.writerow([safe_cell(value(p)) for _name, value in columns])
    return out.getvalue()


def csv_chunks(params: SearchParams, everything: bool, lang: str):
    """Yield the search's CSV a page of results at a time: headers, up to CSV_LIMIT rows, then, when there are
    more, a last row saying so and where to page through them all."""
    text, filters, sort, _page, _per_page, _problems = params
    with force_locale(lang):
        columns = _columns(everything)
        yield "\ufeff" + _csv_lines([], columns, header=True)
        written, page = 0, 1
        while written < CSV_LIMIT and page <= MAX_PAGE:
            rows, results = search_procurements(
                text, filters, sort, page, MAX_PER_PAGE, facets=False, session=get_session(), explain=False
            )
            rows = rows[: CSV_LIMIT - written]
            if rows:
                yield _csv_lines(rows, columns)
            written += len(rows)
            if page * MAX_PER_PAGE >= results.total or not results.hits:
                break
            page += 1
        if results.total > written:
            note = _(
                "Only the first %(shown)s of %(total)s notices are in this file. "
                "Page through all of them with the API: %(url)s",
                shown=f"{written:,}", total=f"{results.total:,}", url=api_search_url(params),
            )  # fmt: skip
            yield _csv_lines([None], [(note, lambda _p: note)])


def api_search_url(params: SearchParams) -> str:
    """Return the JSON API's first page of the same search, where `links.next` pages through all of it."""
    query = params.query_string(page=None, per_page=None)
    return url_for("api.notices", _external=True) + (f"?{query}" if query else "")


def csv_response(lang: str) -> Response:
    """Return the search's CSV in one language, as a streamed download (built once per index generation)."""
    params = parse_search_args(request.args)
    everything = request.args.get("fields") == "all"
    key = (lang, everything, params.query_string(page=None, per_page=None), index_generation(_index_dir()))
    headers = {"Content-Disposition": 'attachment; filename="piblinell-search.csv"'}
    cached = CSV_CACHE.get(key)
    if cached is not None:
        return Response(cached, mimetype="text/csv", headers=headers)

    def stream():
        parts = []
        for chunk in csv_chunks(params, everything, lang):
            parts.append(chunk)
            yield chunk
        CSV_CACHE.put(key, "".join(parts))  # only a CSV streamed to its end is kept

    return Response(stream_with_context(stream()), mimetype="text/csv", headers=headers)


@bp.route("/search.csv", endpoint="csv")
def csv_export():
    """Download the search as a spreadsheet (CSV) with headers in the page's language; fields=all for every field."""
    return csv_response(current_language())


def api_csv():
    """Download the search as CSV with English headers (the API's language-neutral address)."""
    return csv_response("en")
