"""Serve recorded register responses (body, status, headers) from a real loopback HTTP server.

Usage, with pytest-httpserver's `httpserver` fixture:

    serve_recorded(httpserver, "/api/1.0/ocdsReleasePackages?updatedFrom=...&limit=100", f"{FTS_DAY}/page-001.json")
    serve_chain(httpserver, [f"{FTS_DAY}/page-00{n}.json" for n in range(1, 6)])

The recorded files are read in place through tests.realdata (tests skip when they are absent).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

from pytest_httpserver import HTTPServer
from werkzeug import Response

from scrapers.base import Page, PartitionFailed, Window
from scrapers.client import PoliteClient
from tests.realdata import FIXTURES, real_headers, real_path

# Set by the loopback server itself or describing the original transfer, not the body we replay
# (the recordings are HTTP/2 and some were compressed on the wire).
_NOT_REPLAYED = {"content-length", "transfer-encoding", "content-encoding", "connection", "date", "server"}


def recorded_response(body_file: str, headers_file: str | None = None) -> Response:
    """Build a response from a recorded body and its `.headers` file (default: same stem, else a plain 200)."""
    body = real_path(body_file).read_bytes()
    headers_file = headers_file or body_file.rsplit(".", 1)[0] + ".headers"
    if not (FIXTURES / headers_file).exists():  # e.g. the Contracts Finder pages were kept without headers
        return Response(body, status=200, content_type="application/json" if body_file.endswith(".json") else None)
    status, headers = real_headers(headers_file)
    kept = {key: value for key, value in headers.items() if key not in _NOT_REPLAYED}
    return Response(body, status=status, headers=kept)


def split_url(url: str) -> tuple[str, dict[str, str]]:
    """Return the path and the decoded query of a URL or of a path with a query."""
    parts = urlsplit(url)
    return parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))


def serve_recorded(
    server: HTTPServer, url: str, body_file: str, headers_file: str | None = None, *, once: bool = False
) -> None:
    """Answer GET `url` (path + exact query; any host) with a recorded response; `once` for a single use."""
    path, query = split_url(url)
    expect = server.expect_oneshot_request if once else server.expect_request
    expect(path, method="GET", query_string=query).respond_with_response(recorded_response(body_file, headers_file))


def serve_chain(server: HTTPServer, body_files: Sequence[str]) -> None:
    """Serve a recorded `links.next` chain, each page at the URL the previous page links to."""
    url = json.loads(real_path(body_files[0]).read_bytes())["uri"]
    for body_file in body_files:
        serve_recorded(server, url, body_file)
        url = (json.loads(real_path(body_file).read_bytes()).get("links") or {}).get("next")


def loopback_base(server: HTTPServer) -> str:
    """Return the server's base URL without a trailing slash, as a collector's base_url."""
    return server.url_for("/").rstrip("/")


def sent_queries(server: HTTPServer) -> list[dict[str, str]]:
    """Return the decoded query of every request the server has received, in order."""
    return [dict(parse_qsl(request.query_string.decode(), keep_blank_values=True)) for request, _ in server.log]


def drive(collector, since: datetime, until: datetime) -> tuple[list[Page], list[tuple[Window, PartitionFailed]]]:
    """Run a collector as the portal's job runner does: every window, partition failures collected."""
    pages, failures = [], []
    for window in collector.windows(since, until):
        try:
            pages.extend(collector.pages(window))
        except PartitionFailed as error:
            failures.append((window, error))
    return pages, failures


class FakeTime:
    """An injectable clock and sleep: sleeping records the wait and moves the clock, instantly."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        """Return the fake monotonic time."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Record a requested wait and advance the clock by it."""
        self.sleeps.append(seconds)
        self.now += seconds


def utc(*args: int) -> datetime:
    """Return an aware UTC datetime."""
    return datetime(*args, tzinfo=UTC)


def polite(fake: FakeTime, **kwargs) -> PoliteClient:
    """Return a PoliteClient that sleeps and tells time through a FakeTime."""
    return PoliteClient(sleep=fake.sleep, clock=fake.clock, **kwargs)
