"""Blueprint: the open JSON API (/api/v1): notices searched like the search page, one notice, OCDS, OpenAPI.

Language-neutral: no /en/ or /cy/ prefix; links to HTML pages are given in both languages. Every response
carries `Access-Control-Allow-Origin: *` so any site can read the data.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Flask, abort, jsonify, request, url_for
from flask.json.provider import DefaultJSONProvider
from flask_babel import force_locale
from sqlmodel import select
from werkzeug.exceptions import HTTPException

from portal.api import ocds_export, spreadsheet
from portal.api.openapi import openapi_document
from portal.collect.history import history
from portal.db import get_session
from portal.models.tables import Procurement
from portal.search.indexing import search_procurements
from portal.search.params import SearchParams, parse_search_args
from portal.web import frontend
from portal.web.search_page import message_text
from scrapers.vocabulary import LONDON
from search_index.results import MAX_PAGE

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.add_url_rule("/notices.csv", "notices_csv", spreadsheet.api_csv)


def iso(moment: datetime | None) -> str | None:
    """Return an aware datetime as ISO 8601 in UTC ("2026-09-01T11:00:00Z")."""
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def day_or_moment(p: Procurement, name: str) -> str | None:
    """Return a date of a procurement as the register gave it: "2026-09-30" (its London day) when it was given as
    a day (its `<name>_is_date` flag), else the moment as `iso` gives it."""
    moment = getattr(p, name)
    if moment is None or not getattr(p, f"{name}_is_date", False):
        return iso(moment)
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(LONDON).date().isoformat()


def page_urls(ocid: str) -> dict[str, str]:
    """Return the notice's HTML page in English and Welsh."""
    return {lang: url_for("notices.notice", ocid=ocid, lang_code=lang, _external=True) for lang in ("en", "cy")}


def summary(p: Procurement) -> dict:
    """Return the JSON summary of a procurement, as the search lists it."""
    urls = page_urls(p.ocid)
    return {
        "ocid": p.ocid,
        "stage": p.stage,
        "title": p.title,
        "title_cy": p.title_cy,
        "buyer": {"id": p.buyer_id, "name": p.buyer_name},
        "value": {"amount": p.value_amount, "amount_gross": p.value_gross, "currency": p.currency},
        "value_kind": p.value_kind,
        "cpv": [{"code": c.get("code"), "label": c.get("label")} for c in p.cpv or []],
        "regions": list(p.regions or []),
        "dates": {
            "published": iso(p.published_at),
            "updated": iso(p.updated_at),
            "deadline": day_or_moment(p, "deadline"),
            "expected_tender_date": day_or_moment(p, "expected_tender_date"),
            "engagement_deadline": day_or_moment(p, "engagement_deadline"),
            "contract_start": day_or_moment(p, "contract_start"),
            "contract_end": day_or_moment(p, "contract_end"),
        },
        "sme": p.sme,
        "vcse": p.vcse,
        "in_wales": p.in_wales,
        "sources": list(p.sources or []),
        "notice_types": list(p.notice_types or []),
        "links": list(p.links or []),
        "url": urls["en"],
        "url_cy": urls["cy"],
    }


def detail(p: Procurement) -> dict:
    """Return everything known about a procurement, with every release received about it."""
    releases = [
        {
            "source": entry.release.source,
            "id": entry.release.release_id,
            "notice_type": entry.release.notice_type or "legacy",
            "stage": entry.release.stage,
            "date": iso(entry.release.date),
            "url": entry.url,
        }
        for entry in history(get_session(), p.id)
    ]
    return summary(p) | {
        "description": p.description,
        "description_cy": p.description_cy,
        "value": {"amount": p.value_amount, "amount_gross": p.value_gross, "currency": p.currency,
                  "minimum": p.value_min, "maximum": p.value_max},
        "main_cpv": p.main_cpv,
        "procurement_method": p.procurement_method,
        "procurement_method_details": p.procurement_method_details,
        "main_category": p.main_category,
        "above_threshold": p.above_threshold,
        "contract_max_extent": day_or_moment(p, "contract_max_extent"),
        "lots": list(p.lots or []),
        "awards": list(p.awards or []),
        "related_ids": list(p.related_ids or []),
        "releases": releases,
        "ocds_record": url_for("api.ocds_record", ocid=p.ocid, _external=True),
    }  # fmt: skip


def messages_of(params: SearchParams, results) -> list[dict]:
    """Return the search's messages with their stable codes, in English and Welsh."""
    codes = [(m.code, m.text) for m in results.messages]
    codes += [("unknown_sort", "") for problem in params.problems if problem.code == "unknown_sort"]
    out = []
    for code, text in codes:
        with force_locale("en"):
            english = message_text(code, text)
        with force_locale("cy"):
            welsh = message_text(code, text)
        out.append({"code": code, "text": english, "text_cy": welsh})
    return out


def paging_links(endpoint: str, params: SearchParams, total: int) -> dict[str, str]:
    """Return self, next and prev links of a paged search."""

    def link(page: int) -> str:
        query = params.query_string(page=page if page > 1 else None)
        return url_for(endpoint, _external=True) + (f"?{query}" if query else "")

    links = {"self": link(params.page)}
    if params.page * params.per_page < total and params.page < MAX_PAGE:
        links["next"] = link(params.page + 1)
    if params.page > 1:
        links["prev"] = link(params.page - 1)
    return links


def run_search(params: SearchParams, facets: bool = True):
    """Run a validated search; return (procurements in order, results)."""
    text, filters, sort, page, per_page, _problems = params
    # The API gives no "why this matched": not worked out (docs/design.md, "Speed at scale")
    return search_procurements(text, filters, sort, page, per_page, facets=facets, session=get_session(), explain=False)


@bp.route("/notices")
def notices():
    """List notices matching a search: the search page's parameters, paged (per_page at most 100)."""
    params = parse_search_args(request.args)
    rows, results = run_search(params)
    query = params.query_string()
    return jsonify(
        total=results.total,
        page=params.page,
        per_page=params.per_page,
        results=[summary(p) for p in rows],
        facets=results.facets,
        messages=messages_of(params, results),
        problems=[{"parameter": p.parameter, "code": p.code} for p in params.problems],
        links=paging_links("api.notices", params, results.total) | {
            "html": url_for("search.search", lang_code="en", _external=True) + (f"?{query}" if query else ""),
            "html_cy": url_for("search.search", lang_code="cy", _external=True) + (f"?{query}" if query else ""),
        },
    )  # fmt: skip


def _procurement(ocid: str) -> Procurement:
    found = get_session().exec(select(Procurement).where(Procurement.ocid == ocid)).first()
    if found is None:
        abort(404)
    return found


@bp.route("/notices/<path:ocid>")  # an ocid may hold any character, "/" too
def notice(ocid: str):
    """Return one procurement with the list of its releases."""
    return jsonify(detail(_procurement(ocid)))


@bp.route("/ocds/releases")
def ocds_releases():
    """Return an OCDS 1.1 release package of the releases, as received, of a search's procurements (paged)."""
    params = parse_search_args(request.args)
    rows, results = run_search(params, facets=False)
    package = ocds_export.release_package(get_session(), rows, request.url)
    package["links"] = paging_links("api.ocds_releases", params, results.total)
    return jsonify(package)


@bp.route("/ocds/records/<path:ocid>")
def ocds_record(ocid: str):
    """Return an OCDS 1.1 record package of one ocid: its releases as received and a compiled release."""
    package = ocds_export.record_package(get_session(), ocid, request.url)
    if package is None:
        abort(404)
    return jsonify(package)


@bp.route("/openapi.json")
def openapi():
    """Return the OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document(url_for("api.notices", _external=True).rsplit("/notices", 1)[0]))


@bp.after_request
def allow_any_origin(response):
    """Let any website read the open data."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.errorhandler(HTTPException)
def json_error(error: HTTPException):
    """Answer an API error as JSON, never as an HTML page."""
    response = jsonify(error={"status": error.code, "name": error.name, "description": error.description})
    response.status_code = error.code or 500
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def any_error(error: HTTPException):
    """Answer an error under /api/v1 as JSON (a 404 or 405 from routing too); any other as the bilingual page."""
    if request.path.startswith(bp.url_prefix + "/") or request.path == bp.url_prefix:
        return json_error(error)
    return frontend.http_error(error)


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, but never NaN or Infinity, which are not JSON (every JSON response of the app goes here)."""

    def dumps(self, obj, **kwargs) -> str:
        kwargs.setdefault("allow_nan", False)
        return super().dumps(obj, **kwargs)


def init_app(app: Flask) -> None:
    """Register the API and its JSON errors for addresses under /api/v1; make every JSON response strict."""
    app.json = StrictJSONProvider(app)
    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, any_error)
