"""The OpenAPI 3.1 description of /api/v1, written by hand: every parameter and every response."""

from __future__ import annotations

from portal.search.params import DEFAULT_PER_PAGE
from scrapers.ocds_values import VALUE_KINDS
from scrapers.registry import RELEASE_SOURCES
from scrapers.vocabulary import STAGES
from search_index import SORTS
from search_index.facets import VALUE_BUCKETS
from search_index.lenses import LENSES
from search_index.results import MAX_PAGE

_ARRAY = {"style": "form", "explode": True}
_YES_NO = {"type": "string", "enum": ["1", "0", "y", "n", "yes", "no", "true", "false", "on", "off"]}
_DATE = {"type": "string", "format": "date", "examples": ["2026-09-30"]}


def _param(name: str, description: str, schema: dict, **extra) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema} | extra


SEARCH_PARAMETERS = [
    _param(
        "q",
        'Search words, Welsh or English: words are ANDed; OR; "a phrase"; -exclude; prefix*; brackets. '
        "A query that cannot be read is never an error: `messages` says what was searched.",
        {"type": "string", "maxLength": 2000},
    ),
    _param(
        "stage",
        "Stage of the procurement (repeat for several).",
        {"type": "array", "items": {"type": "string", "enum": list(STAGES)}},
        **_ARRAY,
    ),
    _param(
        "cpv",
        "CPV code or prefix of 2 to 8 digits, e.g. 72 for the IT services division (repeatable).",
        {"type": "array", "items": {"type": "string", "pattern": "^[0-9]{2,8}(-[0-9])?$"}},
        **_ARRAY,
    ),
    _param(
        "region",
        "NUTS or ITL code at any level, e.g. UKL (Wales) or UKL22 (repeatable).",
        {"type": "array", "items": {"type": "string", "pattern": "^(UK|TL)([A-N][0-9A-Z]{0,3})?$"}},
        **_ARRAY,
    ),
    _param("value", "Value band of the net value (excluding VAT).", {"type": "string", "enum": list(VALUE_BUCKETS)}),
    _param("value_min", "Lowest net value in pounds (overrides `value`).", {"type": "number", "minimum": 0}),
    _param("value_max", "Highest net value in pounds (overrides `value`).", {"type": "number", "minimum": 0}),
    _param("no_value", "With a value band or range: also keep notices that publish no value.", _YES_NO),
    _param("deadline_from", "Tender deadline on or after this day (London time).", _DATE),
    _param("deadline_to", "Tender deadline on or before this day (London time).", _DATE),
    _param("expected_from", "Expected tender date on or after this day.", _DATE),
    _param("expected_to", "Expected tender date on or before this day.", _DATE),
    _param(
        "buyer",
        "Buyer id, as in `buyer.id` of a result (repeatable).",
        {"type": "array", "items": {"type": "integer", "minimum": 1}},
        **_ARRAY,
    ),
    _param(
        "changed_since",
        "Only procurements changed (a notice arrived or was updated) at or after this moment: an ISO 8601 date or "
        "date and time; London time when no zone is given. Poll with the previous answer's time.",
        {"type": "string", "maxLength": 40},
    ),
    _param(
        "changed_until",
        "Only procurements changed before this moment (same form as `changed_since`).",
        {"type": "string", "maxLength": 40},
    ),
    _param(
        "lens",
        "A named view: `digital` is digital, data and technology work (IT and telecoms CPV codes, or digital words "
        "in English or Welsh).",
        {"type": "string", "enum": list(LENSES)},
    ),
    _param("sme", "Only notices marked suitable (1) or not suitable (0) for SMEs.", _YES_NO),
    _param(
        "vcse", "Only notices marked suitable (1) or not (0) for voluntary, community and social enterprises.", _YES_NO
    ),
    _param("wales", "Only work in Wales (1) or outside Wales (0).", _YES_NO),
    _param(
        "source",
        "Register the notice came from (repeatable).",
        {"type": "array", "items": {"type": "string", "enum": list(RELEASE_SOURCES)}},
        **_ARRAY,
    ),
    _param(
        "notice_type",
        "Notice type code, e.g. UK4, or `legacy` (repeatable).",
        {"type": "array", "items": {"type": "string", "pattern": "^[A-Za-z0-9]{1,20}$"}},
        **_ARRAY,
    ),
    _param(
        "sort",
        "Order of results; relevance without search words is newest first.",
        {"type": "string", "enum": list(SORTS), "default": "relevance"},
    ),
    _param("page", "Page number.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}),
    _param(
        "per_page", "Results per page.", {"type": "integer", "minimum": 1, "maximum": 100, "default": DEFAULT_PER_PAGE}
    ),
]
_OCID = {
    "name": "ocid",
    "in": "path",
    "required": True,
    "description": "Open Contracting ID",
    "schema": {"type": "string"},
}
_NULLABLE_STRING = {"type": ["string", "null"]}
_DATE_TIME = {"type": ["string", "null"], "format": "date-time"}
# A date the register gave as a day is that day in London ("2026-09-30"); any other is a moment in UTC.
_DAY_OR_MOMENT = {
    "type": ["string", "null"],
    "anyOf": [{"type": "null"}, {"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}],
    "description": 'A day ("2026-09-30", in London) where the register gave only the day, else a moment in UTC '
    '("2026-09-30T11:00:00Z")',
}
SCHEMAS = {
    "Summary": {
        "type": "object",
        "required": ["ocid", "stage", "title", "buyer", "value", "cpv", "regions", "dates", "url"],
        "properties": {
            "ocid": {"type": "string"},
            "stage": {"type": "string", "enum": list(STAGES)},
            "title": _NULLABLE_STRING,
            "title_cy": _NULLABLE_STRING,
            "buyer": {"type": "object", "properties": {"id": {"type": ["integer", "null"]}, "name": _NULLABLE_STRING}},
            "value": {"type": "object", "properties": {"amount": {"type": ["number", "null"]},
                                                       "amount_gross": {"type": ["number", "null"]},
                                                       "currency": _NULLABLE_STRING}},
            "value_kind": {"type": ["string", "null"], "enum": [*VALUE_KINDS, None],
                           "description": "What `value` is: the register's estimate, the awards' or the contracts' "
                                          "sum; null when no value is stated"},
            "cpv": {"type": "array", "items": {"type": "object", "properties": {"code": _NULLABLE_STRING,
                                                                                 "label": _NULLABLE_STRING}}},
            "regions": {"type": "array", "items": {"type": "string"}},
            "dates": {"type": "object", "properties": {"published": _DATE_TIME, "updated": _DATE_TIME},
                      "additionalProperties": _DAY_OR_MOMENT},
            "sme": {"type": ["boolean", "null"]},
            "vcse": {"type": ["boolean", "null"]},
            "in_wales": {"type": "boolean"},
            "sources": {"type": "array", "items": {"type": "string"}},
            "notice_types": {"type": "array", "items": {"type": "string"}},
            "links": {"type": "array", "items": {"type": "object"},
                      "description": "The notice's pages on its registers"},
            "url": {"type": "string", "format": "uri", "description": "This portal's page, in English"},
            "url_cy": {"type": "string", "format": "uri", "description": "This portal's page, in Welsh"},
        },
    },
    "Notice": {
        "allOf": [{"$ref": "#/components/schemas/Summary"}],
        "type": "object",
        "properties": {
            "description": _NULLABLE_STRING,
            "description_cy": _NULLABLE_STRING,
            "contract_max_extent": _DAY_OR_MOMENT,
            "lots": {"type": "array", "items": {"type": "object"}},
            "awards": {"type": "array", "items": {"type": "object"}},
            "releases": {"type": "array", "items": {"type": "object", "properties": {
                "source": {"type": "string"}, "id": {"type": "string"}, "notice_type": {"type": "string"},
                "stage": _NULLABLE_STRING, "date": _DATE_TIME, "url": _NULLABLE_STRING}}},
            "ocds_record": {"type": "string", "format": "uri"},
        },
    },
    "Message": {
        "type": "object",
        "required": ["code", "text"],
        "properties": {"code": {"type": "string"}, "text": {"type": "string"}, "text_cy": {"type": "string"}},
    },
    "SearchResults": {
        "type": "object",
        "required": ["total", "page", "per_page", "results", "facets", "messages"],
        "properties": {
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/Summary"}},
            "facets": {"type": "object", "additionalProperties": {"type": "object",
                                                                  "additionalProperties": {"type": "integer"}}},
            "messages": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}},
            "problems": {"type": "array", "items": {"type": "object", "properties": {
                "parameter": {"type": "string"}, "code": {"type": "string"}}}},
            "links": {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}},
        },
    },
    "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
        "status": {"type": "integer"}, "name": {"type": "string"}, "description": {"type": "string"}}}}},
    "OCDSPackage": {"type": "object", "description": "An OCDS 1.1 release package or record package",
                    "externalDocs": {"url": "https://standard.open-contracting.org/1.1/en/schema/"}},
}  # fmt: skip


def _json(schema_name: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}},
    }


_NOT_FOUND = {"404": _json("Error", "No such notice")}
_SEARCH_REFS = [{"$ref": f"#/components/parameters/{p['name']}"} for p in SEARCH_PARAMETERS]


def openapi_document(server_url: str) -> dict:
    """Return the OpenAPI document, with this server's address."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Piblinell open data API",
            "version": "1.0.0",
            "description": "Public-sector procurement notices in Wales and the UK, searched like the search page. "
            "Every response allows any origin (CORS).",
            "license": {"name": "Open Government Licence v3.0",
                        "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"},
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/notices": {"get": {"operationId": "searchNotices", "summary": "Search notices",
                                 "parameters": _SEARCH_REFS,
                                 "responses": {"200": _json("SearchResults", "A page of results")}}},
            "/notices.csv": {"get": {
                "operationId": "searchNoticesCsv", "summary": "Search notices as CSV (English headers)",
                "parameters": [*_SEARCH_REFS, _param("fields", "`all` for every field",
                                                     {"type": "string", "enum": ["all"]})],
                "responses": {"200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}},
            }},
            "/notices/{ocid}": {"get": {"operationId": "getNotice", "summary": "One notice and its releases",
                                        "parameters": [_OCID],
                                        "responses": {"200": _json("Notice", "The notice"), **_NOT_FOUND}}},
            "/ocds/releases": {"get": {"operationId": "ocdsReleases",
                                       "summary": "OCDS release package of a search's releases, as received",
                                       "parameters": _SEARCH_REFS,
                                       "responses": {"200": _json("OCDSPackage", "An OCDS 1.1 release package")}}},
            "/ocds/records/{ocid}": {"get": {"operationId": "ocdsRecord",
                                             "summary": "OCDS record package of one ocid with its compiled release",
                                             "parameters": [_OCID],
                                             "responses": {"200": _json("OCDSPackage", "An OCDS 1.1 record package"),
                                                           **_NOT_FOUND}}},
            "/openapi.json": {"get": {"operationId": "openapi", "summary": "This document",
                                      "responses": {"200": {"description": "OpenAPI 3.1",
                                                            "content": {"application/json": {"schema": {}}}}}}},
        },
        "components": {"parameters": {p["name"]: p for p in SEARCH_PARAMETERS}, "schemas": SCHEMAS},
    }  # fmt: skip
