"""The JSON API: searched like the page, one notice with its releases, JSON errors, CORS, and its OpenAPI document."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from tests.factories import fts_release
from tests.pages import PageClient
from tests.portal.search_corpus import load_corpus


@pytest.fixture
def api(app, client):
    """A client over the indexed corpus."""
    load_corpus(app)
    return client


def test_notices_are_searched_paged_and_filtered_like_the_page(api):
    body = api.get("/api/v1/notices?per_page=3").get_json()
    assert (body["total"], body["page"], body["per_page"], len(body["results"])) == (8, 1, 3, 3)
    assert body["links"]["next"].endswith("/api/v1/notices?page=2&per_page=3") and "prev" not in body["links"]
    first = body["results"][0]
    assert set(first) >= {
        "ocid",
        "stage",
        "title",
        "title_cy",
        "buyer",
        "value",
        "cpv",
        "regions",
        "dates",
        "links",
        "url",
        "url_cy",
    }
    assert first["url"] == f"http://localhost/en/notice/{first['ocid']}"
    assert set(body["facets"]) >= {"stage", "cpv", "region", "value", "buyer", "sources"}
    query = "q=cleaning&stage=open&region=UKL&sort=closing_soonest"
    api_ocids = [r["ocid"] for r in api.get(f"/api/v1/notices?{query}").get_json()["results"]]
    page = PageClient(api).get(f"/en/search?{query}")
    page_ocids = [a.get("href").rsplit("/", 1)[1] for a in page.doc.findall(".//div[@id='results']//h3/a")]
    assert api_ocids == page_ocids and api_ocids


def test_per_page_is_capped_and_problems_and_messages_have_codes(api):
    body = api.get("/api/v1/notices?per_page=500&q=%22grounds&sort=upside-down&page=x").get_json()
    assert body["per_page"] == 100 and body["page"] == 1
    assert {m["code"] for m in body["messages"]} == {"unbalanced_quote", "unknown_sort"}
    quote = next(m for m in body["messages"] if m["code"] == "unbalanced_quote")
    assert quote["text"].startswith("A quotation mark") and quote["text_cy"].startswith("Doedd dyfynnod")
    assert {"parameter": "per_page", "code": "out_of_range"} in body["problems"]
    assert [r["title"] for r in body["results"]] == ["Grounds maintenance"]


def test_one_notice_lists_its_releases(api):
    response = api.get("/api/v1/notices/ocds-h6vhtk-0b0004")
    body = response.get_json()
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert body["value"]["amount"] == 60000 and body["value"]["amount_gross"] == 72000
    assert [(r["notice_type"], r["id"]) for r in body["releases"]] == [("UK4", "080004-2026"), ("UK4", "080005-2026")]
    assert body["releases"][1]["url"] == "https://www.find-tender.service.gov.uk/Notice/080005-2026"
    assert body["url_cy"] == "http://localhost/cy/notice/ocds-h6vhtk-0b0004"
    assert body["ocds_record"] == "http://localhost/api/v1/ocds/records/ocds-h6vhtk-0b0004"


def day_deadline_release() -> dict:
    """An open tender whose register gave its deadline as a day, not a moment."""
    return fts_release(ocid="ocds-h6vhtk-0e0009", notice_id="081009-2026", deadline="2099-09-30", amount=40_000)


def test_days_are_given_as_days_and_the_value_says_what_it_is(app, client):
    load_corpus(app, extra=[day_deadline_release()])
    body = client.get("/api/v1/notices/ocds-h6vhtk-0e0009").get_json()
    assert body["dates"]["deadline"] == "2099-09-30"
    assert body["value_kind"] == "estimated" and body["value"]["amount"] == 40_000
    listed = client.get("/api/v1/notices?per_page=100").get_json()["results"]
    by_ocid = {r["ocid"]: r for r in listed}
    assert by_ocid["ocds-h6vhtk-0e0009"]["dates"]["deadline"] == "2099-09-30"
    assert by_ocid["ocds-h6vhtk-0e0009"]["value_kind"] == "estimated"
    # a moment stays a moment, in UTC
    moment = client.get("/api/v1/notices/ocds-h6vhtk-0b0004").get_json()["dates"]["deadline"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", moment)
    document = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert "value_kind" in document["Summary"]["properties"]
    formats = [s.get("format") for s in document["Summary"]["properties"]["dates"]["additionalProperties"]["anyOf"]]
    assert "date" in formats and "date-time" in formats


def test_errors_are_json_with_cors(api):
    for url in ("/api/v1/notices/ocds-nothing", "/api/v1/no-such-thing", "/api/v1/ocds/records/ocds-nothing"):
        response = api.get(url)
        assert response.status_code == 404 and response.mimetype == "application/json", url
        assert response.get_json()["error"]["status"] == 404
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert api.get("/en/no-such-page").mimetype == "text/html"


def _path_of(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule).removeprefix("/api/v1")


def test_the_openapi_document_is_valid_and_matches_the_routes(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    routed = {_path_of(rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")}
    assert routed == set(document["paths"])
    documented = {p["name"] for p in document["components"]["parameters"].values()}
    from portal.search.params import PARAMETERS

    assert documented == set(PARAMETERS)
    assert document["servers"] == [{"url": "http://localhost/api/v1"}]


def test_out_of_range_ids_and_ocids_with_any_character(app, client):
    from portal.collect.ingest import ingest_page
    from portal.db import session_scope
    from portal.search.indexing import sync_index
    from tests.factories import fts_release

    odd = "ocds-h6vhtk-a/b?c#d%e f"
    with app.app_context(), session_scope() as session:
        ingest_page(session, "fts", [fts_release(ocid=odd, notice_id="000777-2026")])
        session.commit()
        sync_index()
    quoted = "ocds-h6vhtk-a/b%3Fc%23d%25e%20f"
    assert client.get(f"/api/v1/notices/{quoted}").get_json()["ocid"] == odd
    assert client.get(f"/api/v1/ocds/records/{quoted}").status_code == 200
    for too_big in ("2147483648", "9223372036854775808", "99999999999999999999"):
        body = client.get(f"/api/v1/notices?buyer={too_big}").get_json()
        assert body["problems"] == [{"parameter": "buyer", "code": "not_understood"}], too_big
        assert client.get(f"/en/search?buyer={too_big}").status_code == 200
