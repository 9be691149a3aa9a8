"""Each register's collector walking real recorded responses served on loopback."""

from __future__ import annotations

import json
import re
from datetime import UTC, timedelta

import pytest
from pytest_httpserver import HTTPServer

from scrapers.base import FeedError, Window
from scrapers.client import PoliteClient
from scrapers.contracts_finder import ContractsFinder
from scrapers.find_a_tender import FindATender
from scrapers.paging import london_local, rebase_url
from scrapers.registry import REGISTERS, SOURCES, make_collector
from tests.realdata import FTS_DAY, real_json
from tests.replay import (
    FakeTime,
    drive,
    loopback_base,
    polite,
    sent_queries,
    serve_chain,
    serve_recorded,
    split_url,
    utc,
)

PROBE = "find_a_tender/foretender/probe"
CF_PAGE = "contracts_finder/cf_ocds_search_2025-01-23_limit100_page.json"
FTS_PATH = "/api/1.0/ocdsReleasePackages"

# the windows scrapers.registry gives each register
FTS = (SOURCES["fts"].window, SOURCES["fts"].window_overlap)
CF = (SOURCES["cf"].window, SOURCES["cf"].window_overlap)


# --- Find a Tender ---------------------------------------------------------------------------


def test_fts_walks_the_real_five_page_day_without_loss_or_doubling(httpserver: HTTPServer, fake: FakeTime):
    files = [f"{FTS_DAY}/page-00{n}.json" for n in range(1, 6)]
    serve_chain(httpserver, files)
    fts = FindATender(polite(fake), loopback_base(httpserver), *FTS)

    # 2026-08-10 00:00 London (BST) is 2026-08-09 23:00 UTC
    windows = fts.windows(utc(2026, 8, 9, 23), utc(2026, 8, 10, 23))
    assert windows == [Window(start=utc(2026, 8, 9, 23), end=utc(2026, 8, 10, 23))]
    pages = list(fts.pages(windows[0]))

    assert [len(page.releases) for page in pages] == [100, 100, 100, 100, 59]
    got = [release["id"] for page in pages for release in page.releases]
    recorded = [release["id"] for name in files for release in real_json(name)["releases"]]
    assert len(got) == len(set(got)) == 459 and set(got) == set(recorded)
    sent = sent_queries(httpserver)
    assert sent[0] == {"updatedFrom": "2026-08-10T00:00:00", "updatedTo": "2026-08-11T00:00:00", "limit": "100"}
    assert all("cursor" in query for query in sent[1:]) and not any("stages" in query for query in sent)
    assert all(page.url.startswith(loopback_base(httpserver)) for page in pages)


def test_fts_real_429_then_the_real_retry(httpserver: HTTPServer, fake: FakeTime):
    url = real_json(f"{PROBE}/22-window-noZ.json")["uri"]  # updatedFrom=2026-08-11T16:00:00 (BST)
    serve_recorded(httpserver, url, f"{PROBE}/20-window-noZ-429.txt", f"{PROBE}/20-window-noZ-429.headers", once=True)
    serve_recorded(httpserver, url, f"{PROBE}/22-window-noZ.json")
    fts = FindATender(polite(fake), loopback_base(httpserver), *FTS)

    pages, failures = drive(fts, utc(2026, 8, 11, 15), utc(2026, 8, 11, 16))

    assert fake.sleeps == [120.0] and not failures
    assert len(pages) == 1 and len(pages[0].releases) == 43


def test_fts_drops_the_real_server_side_duplicate(httpserver: HTTPServer, fake: FakeTime):
    page_050 = "find_a_tender/foretender/whole-stream/page-050.json"
    first = f"{FTS_PATH}?updatedFrom=2026-08-01T00:00:00&updatedTo=2026-08-02T00:00:00&limit=100"
    serve_recorded(httpserver, first, page_050)
    # the real next link (real host, cursor) answered by the real empty terminal page
    serve_recorded(httpserver, real_json(page_050)["links"]["next"], f"{PROBE}/24-stages-combo.json")
    fts = FindATender(polite(fake), loopback_base(httpserver), *FTS)

    pages, _ = drive(fts, utc(2026, 7, 31, 23), utc(2026, 8, 1, 23))

    ids = [release["id"] for release in pages[0].releases]
    assert len(real_json(page_050)["releases"]) == 100
    assert len(ids) == len(set(ids)) == 99 and ids.count("071452-2026") == 1
    assert len(pages) == 2 and pages[1].releases == []


def test_fts_empty_page_with_empty_published_date_ends_the_window(httpserver: HTTPServer, fake: FakeTime):
    first = f"{FTS_PATH}?limit=100&updatedFrom=2026-08-12T00:00:00&updatedTo=2026-08-12T10:00:00"
    serve_recorded(httpserver, first, f"{PROBE}/24-stages-combo.json")
    assert real_json(f"{PROBE}/24-stages-combo.json")["publishedDate"] == ""
    fts = FindATender(polite(fake), loopback_base(httpserver), *FTS)

    pages, _ = drive(fts, utc(2026, 8, 11, 23), utc(2026, 8, 12, 9))

    assert [page.releases for page in pages] == [[]]


def test_fts_empty_releases_with_a_next_link_is_not_the_end(httpserver: HTTPServer, fake: FakeTime):
    nxt = "https://www.find-tender.service.gov.uk/api/1.0/ocdsReleasePackages?limit=100&cursor=abc=="
    httpserver.expect_request(FTS_PATH, query_string={"cursor": "abc==", "limit": "100"}).respond_with_json(
        {"releases": [{"id": "1"}, {"id": "2"}]}
    )
    httpserver.expect_request(FTS_PATH).respond_with_json({"releases": [], "links": {"next": nxt}})
    pages = list(
        FindATender(polite(fake), loopback_base(httpserver), *FTS).pages(Window(utc(2026, 1, 1), utc(2026, 1, 2)))
    )
    assert [len(page.releases) for page in pages] == [0, 2]


def test_fts_dedupes_across_pages_of_one_window_and_keeps_releases_without_id(httpserver: HTTPServer, fake: FakeTime):
    nxt = f"{loopback_base(httpserver)}{FTS_PATH}?cursor=Mg=="
    httpserver.expect_request(FTS_PATH, query_string={"cursor": "Mg=="}).respond_with_json(
        {"releases": [{"id": "b"}, {"id": "c"}, {"tag": ["tender"]}]}
    )
    httpserver.expect_request(FTS_PATH).respond_with_json(
        {"releases": [{"id": "a"}, {"id": "b"}], "links": {"next": nxt}}
    )
    pages = list(
        FindATender(polite(fake), loopback_base(httpserver), *FTS).pages(Window(utc(2026, 1, 1), utc(2026, 1, 2)))
    )
    assert [page.releases for page in pages] == [[{"id": "a"}, {"id": "b"}], [{"id": "c"}, {"tag": ["tender"]}]]


def test_fts_next_link_loop_is_a_feed_error(httpserver: HTTPServer, fake: FakeTime):
    loop = f"{loopback_base(httpserver)}{FTS_PATH}?cursor=same"
    httpserver.expect_request(FTS_PATH).respond_with_json({"releases": [], "links": {"next": loop}})
    with pytest.raises(FeedError, match="loops"):
        list(FindATender(polite(fake), loopback_base(httpserver), *FTS).pages(Window(utc(2026, 1, 1), utc(2026, 1, 2))))


def test_fts_windows_are_at_most_a_day_and_overlap_by_an_hour():
    fts = FindATender(PoliteClient(), "https://example.org", *FTS)
    since, until = utc(2026, 3, 27, 6), utc(2026, 4, 2, 0)
    windows = fts.windows(since, until)

    assert windows[0].start == since and windows[-1].end == until
    assert all(timedelta(0) < w.end - w.start <= timedelta(days=1) for w in windows)
    assert all(b.start == a.end - timedelta(hours=1) for a, b in zip(windows, windows[1:], strict=False))
    assert all(w.start.tzinfo is UTC and w.partition == "" for w in windows)
    assert fts.windows(until, until) == [] and fts.windows(until, since) == []


def test_fts_query_times_are_london_local_across_both_clock_changes(httpserver: HTTPServer, fake: FakeTime):
    httpserver.expect_request(FTS_PATH).respond_with_json({"releases": []})
    fts = FindATender(polite(fake), loopback_base(httpserver), *FTS)

    # spring forward 2026-03-29 01:00 UTC; fall back 2026-10-25 01:00 UTC
    for since, until in ((utc(2026, 3, 28, 12), utc(2026, 3, 29, 12)), (utc(2026, 10, 24, 12), utc(2026, 10, 25, 12))):
        for window in fts.windows(since, until):
            list(fts.pages(window))

    assert [(q["updatedFrom"], q["updatedTo"]) for q in sent_queries(httpserver)] == [
        ("2026-03-28T12:00:00", "2026-03-29T13:00:00"),  # GMT → BST
        ("2026-10-24T13:00:00", "2026-10-25T12:00:00"),  # BST → GMT
    ]
    assert london_local(utc(2026, 10, 25, 0, 30)) == london_local(utc(2026, 10, 25, 1, 30)) == "2026-10-25T01:30:00"


def test_next_link_host_is_rewritten_to_the_configured_base():
    link = "https://www.find-tender.service.gov.uk/api/1.0/ocdsReleasePackages?limit=100&cursor=dXA9MQ=="
    assert (
        rebase_url(link, "http://127.0.0.1:8123")
        == "http://127.0.0.1:8123/api/1.0/ocdsReleasePackages?limit=100&cursor=dXA9MQ=="
    )
    assert rebase_url(link, "https://www.find-tender.service.gov.uk") == link


# --- Contracts Finder ------------------------------------------------------------------------


def test_cf_follows_the_real_next_link_and_waits_five_minutes_on_403(httpserver: HTTPServer, fake: FakeTime):
    page = real_json(CF_PAGE)
    httpserver.expect_oneshot_request("/Published/Notices/OCDS/Search").respond_with_data(
        "<html><body>Request forbidden</body></html>", 403, content_type="text/html"
    )
    serve_recorded(httpserver, page["uri"], CF_PAGE)  # no headers were recorded for CF: a plain 200
    next_path, next_query = split_url(page["links"]["next"])
    httpserver.expect_request(next_path, query_string=next_query).respond_with_json({"releases": []})
    cf = ContractsFinder(polite(fake), loopback_base(httpserver), *CF)

    # 2025-01-20T23:00:00 in the recorded query is GMT, i.e. UTC
    pages, failures = drive(cf, utc(2025, 1, 20, 23), utc(2025, 1, 23, 23))

    assert fake.sleeps == [300.0] and not failures
    assert [len(p.releases) for p in pages] == [100, 0]
    assert sent_queries(httpserver)[1] == {
        "publishedFrom": "2025-01-20T23:00:00",
        "publishedTo": "2025-01-23T23:00:00",
        "limit": "100",
    }


def test_cf_latin1_page_is_read(httpserver: HTTPServer, fake: FakeTime):
    body = json.dumps({"releases": [{"id": "x-1", "tender": {"title": "Kbenhavn \u00f8 \u00a3"}}]}, ensure_ascii=False)
    httpserver.expect_request("/Published/Notices/OCDS/Search").respond_with_data(body.encode("latin-1"))
    pages = list(
        ContractsFinder(polite(fake), loopback_base(httpserver), *CF).pages(Window(utc(2025, 1, 1), utc(2025, 1, 16)))
    )
    assert pages[0].releases[0]["tender"]["title"] == "Kbenhavn \u00f8 \u00a3"


def test_cf_windows_are_fifteen_days():
    windows = ContractsFinder(PoliteClient(), "https://example.org", *CF).windows(utc(2025, 1, 1), utc(2025, 3, 1))
    assert windows[0] == Window(utc(2025, 1, 1), utc(2025, 1, 16))
    assert all(w.end - w.start <= timedelta(days=15) for w in windows) and windows[-1].end == utc(2025, 3, 1)


# --- every registered collector --------------------------------------------------------------


@pytest.mark.parametrize("name", REGISTERS)
def test_every_collector_is_declared_and_fetches_a_page(name: str, httpserver: HTTPServer, fake: FakeTime):
    httpserver.expect_request(re.compile(".*")).respond_with_json({"releases": [{"id": "r-1", "ocid": "o-1"}]})
    collector = make_collector(
        name, loopback_base(httpserver), 0.0, "Piblinell/test (+https://github.com/piblinell/piblinell)", fake.sleep
    )

    assert collector.name == name and SOURCES[name].min_interval > 0
    assert collector.client.min_interval == 0.0 and collector.base_url == loopback_base(httpserver)
    windows = collector.windows(utc(2026, 8, 10), utc(2026, 8, 11))
    assert windows and all(isinstance(w, Window) and w.start < w.end for w in windows)
    page = next(iter(collector.pages(windows[0])))

    assert page.releases == [{"id": "r-1", "ocid": "o-1"}]
    request = httpserver.log[0][0]
    assert request.headers["User-Agent"].startswith("Piblinell/test") and "stages" not in request.args


def test_make_collector_defaults_and_unknown_names():
    fts = make_collector("fts")
    assert fts.client.min_interval == 10.0 and fts.base_url == "https://www.find-tender.service.gov.uk"
    with pytest.raises(ValueError, match="unknown collector"):
        make_collector("nope", "https://x", 1.0, "ua")
