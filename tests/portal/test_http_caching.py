"""HTTP validators on what the index answers (portal/web/caching.py): an ETag and Cache-Control on anonymous search
pages, API answers and exports, a 304 for a repeat without rendering, a new ETag once the index changes, and
nothing shared for someone signed in."""

from __future__ import annotations

import pytest

from portal.search.indexing import rebuild_index
from tests.accounts_helpers import signed_in_client
from tests.portal.search_corpus import load_corpus

VALIDATED = [
    ("/en/search?q=cleaning", "public, no-cache"),
    ("/cy/search?q=glanhau&stage=open", "public, no-cache"),
    ("/api/v1/notices?q=cleaning", "public, max-age=60"),
    ("/en/search.csv?q=cleaning", "public, max-age=60"),
    ("/en/search.atom?q=cleaning", "public, max-age=60"),
    ("/en/search.ics", "public, max-age=60"),
]


@pytest.fixture
def indexed(app, client):
    load_corpus(app)
    return client


@pytest.mark.parametrize(("path", "cache_control"), VALIDATED)
def test_a_repeat_gets_304_with_only_the_validators(indexed, path, cache_control):
    first = indexed.get(path)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == cache_control
    assert "Cookie" in first.headers["Vary"]
    etag = first.headers["ETag"]
    again = indexed.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    # a fresh CSP nonce would replace the stored page's and block its script: a 304 carries none
    assert "Content-Security-Policy" not in again.headers
    assert set(again.headers.keys()) <= {"ETag", "Cache-Control", "Vary", "Date", "Content-Length"}


def test_another_address_or_language_has_another_etag(indexed):
    tags = {indexed.get(path).headers["ETag"] for path in ("/en/search?q=cleaning", "/cy/search?q=cleaning")}
    tags.add(indexed.get("/en/search?q=cleaning&page=2").headers["ETag"])
    assert len(tags) == 3


def test_a_changed_index_answers_in_full_again(app, indexed):
    first = indexed.get("/en/search?q=cleaning")
    with app.app_context():
        rebuild_index()
    again = indexed.get("/en/search?q=cleaning", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert again.headers["ETag"] != first.headers["ETag"]


def test_a_stale_or_forged_etag_gets_the_page(indexed):
    response = indexed.get("/en/search?q=cleaning", headers={"If-None-Match": '"not-ours"'})
    assert response.status_code == 200
    assert b'id="result-count"' in response.data


def test_someone_signed_in_is_never_answered_from_a_shared_cache(app, indexed):
    anonymous = indexed.get("/en/search?q=cleaning")
    member = signed_in_client(app, "buyer@cardiff.gov.uk", "GB-TEST-1")
    page = member.get("/en/search?q=cleaning", headers={"If-None-Match": anonymous.headers["ETag"]})
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-cache"
    assert "ETag" not in page.headers


def test_pages_the_index_does_not_answer_are_not_validated(indexed):
    response = indexed.get("/en/sources")
    assert response.status_code == 200
    assert "ETag" not in response.headers


def test_without_an_index_nothing_is_validated(client):
    response = client.get("/en/search?q=cleaning")
    assert response.status_code == 200
    assert "ETag" not in response.headers
