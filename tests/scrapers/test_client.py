"""PoliteClient against a real loopback HTTP server, with a fake clock so waits are asserted, not slept."""

from __future__ import annotations

import socket
import time
from email.utils import formatdate

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from scrapers.base import FeedError
from scrapers.client import (
    USER_AGENT,
    HttpStatusError,
    PoliteClient,
    TransportError,
    parse_json,
    retry_after_seconds,
)
from scrapers.json_text import dumps_strict, loads_tolerant
from tests.realdata import real_json
from tests.replay import FakeTime, serve_recorded, split_url

PROBE = "find_a_tender/foretender/probe"


def client(fake: FakeTime, **kwargs) -> PoliteClient:
    return PoliteClient(
        "Piblinell/test (+https://github.com/piblinell/piblinell)", sleep=fake.sleep, clock=fake.clock, **kwargs
    )


def test_real_429_waits_retry_after_then_gets_the_real_page(httpserver: HTTPServer, fake: FakeTime):
    url = real_json(f"{PROBE}/22-window-noZ.json")["uri"]
    serve_recorded(httpserver, url, f"{PROBE}/20-window-noZ-429.txt", f"{PROBE}/20-window-noZ-429.headers", once=True)
    serve_recorded(httpserver, url, f"{PROBE}/22-window-noZ.json")

    package = client(fake).get_json(httpserver.url_for("/api/1.0/ocdsReleasePackages"), split_url(url)[1])

    assert fake.sleeps == [120.0]
    assert len(package["releases"]) == 43
    assert len(httpserver.log) == 2


def test_429_body_is_plain_text_and_never_parsed_as_json(httpserver: HTTPServer, fake: FakeTime):
    httpserver.expect_request("/x").respond_with_data(
        "Rate limit of 12 exceeded. Please retry after 120 seconds.",
        429,
        {"Retry-After": "120"},
        content_type="text/plain",
    )
    with pytest.raises(HttpStatusError) as caught:
        client(fake, max_retries=2).get_json(httpserver.url_for("/x"))
    assert caught.value.status == 429
    assert "HTTP 429" in str(caught.value) and httpserver.url_for("/x") in str(caught.value)
    assert "Rate limit of 12 exceeded" in str(caught.value)
    assert fake.sleeps == [120.0, 120.0]


def test_503_with_http_date_retry_after(httpserver: HTTPServer, fake: FakeTime):
    # The loopback server stamps its own Date header; Retry-After is 30 s after it.
    httpserver.expect_oneshot_request("/x").respond_with_data(
        "Service Unavailable", 503, {"Retry-After": formatdate(time.time() + 30, usegmt=True)}
    )
    httpserver.expect_request("/x").respond_with_json({"releases": []})

    assert client(fake).get_json(httpserver.url_for("/x")) == {"releases": []}
    assert len(fake.sleeps) == 1 and 28 <= fake.sleeps[0] <= 31


def test_retry_after_forms():
    assert retry_after_seconds({"Retry-After": "120"}) == 120
    date = {"Date": "Wed, 12 Aug 2026 08:38:39 GMT", "Retry-After": "Wed, 12 Aug 2026 08:40:39 GMT"}
    assert retry_after_seconds(date) == 120
    assert (
        retry_after_seconds({"Date": "Wed, 12 Aug 2026 08:38:39 GMT", "Retry-After": "Wed, 12 Aug 2026 08:00:00 GMT"})
        == 0
    )
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_5xx_backoff_is_exponential_capped_and_bounded(httpserver: HTTPServer, fake: FakeTime):
    httpserver.expect_request("/x").respond_with_data("<html>oops</html>", 502, content_type="text/html")
    polite = client(fake, max_retries=4, backoff_base=5, backoff_max=15)

    with pytest.raises(HttpStatusError) as caught:
        polite.get_json(httpserver.url_for("/x"))

    assert fake.sleeps == [5, 10, 15, 15]
    assert len(httpserver.log) == 5
    assert "HTTP 502" in str(caught.value) and httpserver.url_for("/x") in str(caught.value)


def test_retry_after_beyond_max_wait_gives_up_at_once(httpserver: HTTPServer, fake: FakeTime):
    httpserver.expect_request("/x").respond_with_data("busy", 429, {"Retry-After": "3600"})
    with pytest.raises(FeedError, match="asked to wait 3600 s"):
        client(fake, max_wait=900).get_json(httpserver.url_for("/x"))
    assert fake.sleeps == []


def test_403_waits_forbidden_wait_only_when_the_caller_says_so(httpserver: HTTPServer, fake: FakeTime):
    forbidden = "<html><body><h1>Request forbidden</h1></body></html>"
    httpserver.expect_oneshot_request("/x").respond_with_data(forbidden, 403, content_type="text/html")
    httpserver.expect_request("/x").respond_with_json({"ok": True})

    assert client(fake).get_json(httpserver.url_for("/x"), retry_forbidden=True) == {"ok": True}
    assert fake.sleeps == [300.0]

    httpserver.clear()
    httpserver.expect_request("/x").respond_with_data(forbidden, 403, content_type="text/html")
    with pytest.raises(HttpStatusError, match="HTTP 403"):
        client(fake).get_json(httpserver.url_for("/x"))
    assert fake.sleeps == [300.0]  # a plain 403 is not retried


def test_404_is_not_retried(httpserver: HTTPServer, fake: FakeTime):
    httpserver.expect_request("/x").respond_with_data("Not Found", 404)
    with pytest.raises(HttpStatusError, match="HTTP 404"):
        client(fake).get_json(httpserver.url_for("/x"))
    assert fake.sleeps == [] and len(httpserver.log) == 1


def test_connection_refused_retries_then_raises_transport_error(fake: FakeTime):
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there now
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(TransportError, match=f"127.0.0.1:{port}"):
        client(fake, max_retries=2, backoff_base=1).get_json(f"http://127.0.0.1:{port}/x")
    assert fake.sleeps == [1, 2]


def test_read_timeout_is_retried_then_raises(httpserver: HTTPServer, fake: FakeTime):
    def slow(request: Request) -> Response:
        time.sleep(0.3)
        return Response("{}")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    with pytest.raises(TransportError, match="Timeout"):
        client(fake, max_retries=1, backoff_base=1, timeout=(1, 0.1)).get_json(httpserver.url_for("/slow"))
    assert fake.sleeps == [1]


def test_min_interval_spaces_requests_of_one_client(httpserver: HTTPServer, fake: FakeTime):
    httpserver.expect_request("/x").respond_with_json({})
    polite = client(fake, min_interval=10)

    polite.get_json(httpserver.url_for("/x"))
    polite.get_json(httpserver.url_for("/x"))
    fake.now += 4  # work done between requests counts towards the interval
    polite.get_json(httpserver.url_for("/x"))

    assert fake.sleeps == [10, 6]


def test_sends_the_descriptive_user_agent_and_literal_colons(httpserver: HTTPServer, fake: FakeTime):
    httpserver.expect_request("/x").respond_with_json({})
    PoliteClient(sleep=fake.sleep, clock=fake.clock).get_json(
        httpserver.url_for("/x"), {"updatedFrom": "2026-08-10T00:00:00"}
    )

    request = httpserver.log[0][0]
    assert request.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("Piblinell/") and "(+https://github.com/piblinell/piblinell;" in USER_AGENT
    assert request.query_string == b"updatedFrom=2026-08-10T00:00:00"


def test_latin1_body_is_decoded(httpserver: HTTPServer, fake: FakeTime):
    httpserver.expect_request("/x").respond_with_data('{"name": "K\u00f8benhavn \u00a3"}'.encode("latin-1"))
    assert client(fake).get_json(httpserver.url_for("/x")) == {"name": "K\u00f8benhavn \u00a3"}


def test_utf8_body_is_decoded(httpserver: HTTPServer, fake: FakeTime):
    httpserver.expect_request("/x").respond_with_data('{"name": "Gwerthwch i Gymru \u0175"}'.encode())
    assert client(fake).get_json(httpserver.url_for("/x"))["name"] == "Gwerthwch i Gymru \u0175"


def test_numbers_no_database_can_hold_become_null_and_bad_zeros_zero(httpserver: HTTPServer, fake: FakeTime):
    body = b'{"a": 1e9999, "b": "1e9999", "c": [1e9999, 2], "d": 000, "e": 1}'
    httpserver.expect_request("/x").respond_with_data(body)
    assert client(fake).get_json(httpserver.url_for("/x")) == {"a": None, "b": "1e9999", "c": [None, 2], "d": 0, "e": 1}


@pytest.mark.parametrize("number", ["1e9999", "-1e9999", "1E9999", "1e400", "-1e400", "NaN", "Infinity", "-Infinity"])
def test_every_non_finite_number_form_is_read_as_null(number: str):
    assert loads_tolerant(f'{{"amount": {number}, "n": 2.5}}'.encode()) == {"amount": None, "n": 2.5}
    assert loads_tolerant(f'{{"amount": {number}, "lots": 000, "n": 1}}'.encode())["amount"] is None


def test_lone_surrogates_and_nuls_are_cleaned_and_counted_pairs_kept():
    repaired = [0]
    body = b'{"t": "a\\ud800b", "u": "x\\u0000y", "ok": "\\ud83d\\ude80", "k\\udfff": ["\\udc00"]}'
    data = loads_tolerant(body, repaired)
    assert data == {"t": "a\ufffdb", "u": "xy", "ok": "\U0001f680", "k\ufffd": ["\ufffd"]}
    assert repaired == [4]
    assert loads_tolerant(b'{"raw": "a\x00b"}', repaired) == {"raw": "ab"}  # a raw NUL byte, not even JSON
    assert dumps_strict(data).encode("utf-8")  # now encodable and strict


def test_strict_output_refuses_what_is_not_json():
    with pytest.raises(ValueError):
        dumps_strict({"amount": float("nan")})


def test_valid_bodies_strings_are_never_rewritten():
    body = b'{"durationInDays": "1e9999", "note": "lots: 000, 001", "n": 1}'
    assert parse_json(body, "http://x") == {"durationInDays": "1e9999", "note": "lots: 000, 001", "n": 1}


def test_garbage_body_raises_feed_error_with_url_and_excerpt(httpserver: HTTPServer, fake: FakeTime):
    httpserver.expect_request("/x").respond_with_data(
        "<html><title>Request forbidden</title></html>", content_type="text/html"
    )
    url = httpserver.url_for("/x")
    with pytest.raises(FeedError) as caught:
        client(fake).get_json(url)
    assert url in str(caught.value) and "Request forbidden" in str(caught.value)


def test_json_that_is_not_an_object_is_a_feed_error():
    with pytest.raises(FeedError, match="expected a JSON object"):
        parse_json(b"[1, 2]", "http://x")


def test_get_bytes_returns_body_and_headers(httpserver: HTTPServer, fake: FakeTime):
    httpserver.expect_request("/rss").respond_with_data(b"<rss/>", content_type="application/rss+xml")
    data, headers = client(fake).get_bytes(httpserver.url_for("/rss"))
    assert data == b"<rss/>" and headers["Content-Type"] == "application/rss+xml"
