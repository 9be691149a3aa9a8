"""Sell2Wales: month × notice-type partitions in English and Welsh, failing one partition at a time."""

from __future__ import annotations

import socket

import pytest
from pytest_httpserver import HTTPServer

from scrapers.base import Window
from scrapers.client import PoliteClient, TransportError
from scrapers.sell2wales import DEFAULT_NOTICE_TYPES, Sell2Wales
from tests.realdata import real_json
from tests.replay import FakeTime, drive, loopback_base, polite, utc

S2W_PATH = "/v1/Notices"
# The reported 2026 body (docs/registers.md, "Sell2Wales API: errors in 2026")
S2W_500 = "Error converting data type nvarchar to float."


def s2w_release(number: int, title: str) -> dict:
    """Return a synthetic release shaped like the real ones (sell2wales/s2w_releases_2025-02_…_89.json)."""
    return {
        "id": f"ocds-kuma6s-{number}-release-{number}",
        "ocid": f"ocds-kuma6s-{number}",
        "date": "2025-02-21T00:00:00Z",
        "tag": ["tender"],
        "language": "EN",
        "buyer": {"name": "Cyngor Sir Ceredigion County Council", "id": "org-1"},
        "tender": {
            "title": title,
            "status": "active",
            "documents": [
                {
                    "id": f"FEB{number}",
                    "documentType": "contractNotice",
                    "url": f"https://www.sell2wales.gov.wales/search/show/search_view.aspx?ID=FEB{number}",
                }
            ],
        },
    }


def s2w_package(*releases: dict) -> dict:
    # The S2W envelope was never seen, so a standard release package is assumed
    # (docs/registers.md, "Sell2Wales API: endpoint").
    return {"uri": "https://api.sell2wales.gov.wales/v1/Notices", "version": "1.1", "releases": list(releases)}


def s2w_query(month: str, kind: int | str, locale: str) -> dict[str, str]:
    return {"dateFrom": month, "noticeType": str(kind), "outputType": "0", "locale": locale}


def test_synthetic_s2w_releases_have_the_real_shape():
    real = real_json("sell2wales/s2w_releases_2025-02_contract_notices_89.json")
    synthetic = s2w_release(1, "x")
    assert set(synthetic) <= set(real[0]) and set(synthetic["tender"]) <= set(real[0]["tender"])
    assert synthetic["tender"]["documents"][0].keys() <= real[0]["tender"]["documents"][0].keys()


def test_s2w_windows_are_months_times_notice_types():
    s2w = Sell2Wales(PoliteClient(), "https://example.org")
    windows = s2w.windows(utc(2025, 12, 15, 10), utc(2026, 2, 10))

    assert len(windows) == 3 * len(DEFAULT_NOTICE_TYPES)
    assert [w.partition for w in windows[: len(DEFAULT_NOTICE_TYPES)]] == ["1", "2", "3", "4", "5", "51", "52", "53"]
    assert windows[0] == Window(utc(2025, 12, 1), utc(2026, 1, 1), "1")
    assert windows[-1] == Window(utc(2026, 2, 1), utc(2026, 2, 10), "53")
    assert Sell2Wales(PoliteClient(), "https://x", notice_types=(2,)).windows(utc(2026, 1, 1), utc(2026, 2, 1)) == [
        Window(utc(2026, 1, 1), utc(2026, 2, 1), "2")
    ]


def test_s2w_pairs_english_and_welsh_pages(httpserver: HTTPServer, fake: FakeTime):
    english = s2w_package(s2w_release(148410, "Dynamic Purchasing System for Anglesey Childcare"))
    welsh = s2w_package(s2w_release(148410, "System Brynu Ddynamig Gofal Plant Ynys Mon"))
    httpserver.expect_request(S2W_PATH, query_string=s2w_query("02-2025", 2, "2057")).respond_with_json(english)
    httpserver.expect_request(S2W_PATH, query_string=s2w_query("02-2025", 2, "1106")).respond_with_json(welsh)
    s2w = Sell2Wales(polite(fake), loopback_base(httpserver), notice_types=(2,))

    pages, failures = drive(s2w, utc(2025, 2, 1), utc(2025, 3, 1))

    assert not failures and len(pages) == 1
    assert pages[0].releases == english["releases"] and pages[0].welsh_releases == welsh["releases"]
    assert "dateFrom=02-2025&noticeType=2&outputType=0&locale=2057" in pages[0].url


def test_s2w_500_fails_only_its_partition(httpserver: HTTPServer, fake: FakeTime):
    for locale in ("2057", "1106"):
        httpserver.expect_request(S2W_PATH, query_string=s2w_query("05-2026", 1, locale)).respond_with_data(
            S2W_500, 500, content_type="text/plain"
        )
        httpserver.expect_request(S2W_PATH, query_string=s2w_query("05-2026", 5, locale)).respond_with_json(
            s2w_package(s2w_release(7, "Gwaith / Works"))
        )
    s2w = Sell2Wales(polite(fake, max_retries=2), loopback_base(httpserver), notice_types=(1, 5))

    pages, failures = drive(s2w, utc(2026, 5, 1), utc(2026, 6, 1))

    assert [w.partition for w, _ in failures] == ["1"]
    assert "HTTP 500" in str(failures[0][1]) and "nvarchar to float" in str(failures[0][1])
    assert len(pages) == 1 and pages[0].releases[0]["ocid"] == "ocds-kuma6s-7"
    assert fake.sleeps == [5.0, 10.0]  # bounded retries of the 500, then on to the next partition


def test_s2w_keeps_the_english_page_when_only_welsh_fails(httpserver: HTTPServer, fake: FakeTime):
    httpserver.expect_request(S2W_PATH, query_string=s2w_query("01-2026", 52, "2057")).respond_with_json(
        s2w_package(s2w_release(9, "Pipeline"))
    )
    httpserver.expect_request(S2W_PATH, query_string=s2w_query("01-2026", 52, "1106")).respond_with_data(S2W_500, 500)
    s2w = Sell2Wales(polite(fake, max_retries=0), loopback_base(httpserver), notice_types=(52,))

    pages, failures = drive(s2w, utc(2026, 1, 1), utc(2026, 2, 1))

    assert not failures and len(pages[0].releases) == 1 and pages[0].welsh_releases == []
    assert [w.partition for w, _ in s2w.welsh_failures] == ["52"] and "HTTP 500" in s2w.welsh_failures[0][1]


def test_s2w_package_without_releases_is_an_empty_page(httpserver: HTTPServer, fake: FakeTime):
    httpserver.expect_request(S2W_PATH).respond_with_json({"uri": "x", "version": "1.1"})
    pages, failures = drive(
        Sell2Wales(polite(fake), loopback_base(httpserver), notice_types=(3,)), utc(2026, 1, 1), utc(2026, 1, 2)
    )
    assert not failures and [(p.releases, p.welsh_releases) for p in pages] == [([], [])]


def test_s2w_garbled_body_fails_only_its_partition(httpserver: HTTPServer, fake: FakeTime):
    httpserver.expect_request(S2W_PATH).respond_with_data("<html>Runtime Error</html>", content_type="text/html")
    pages, failures = drive(
        Sell2Wales(polite(fake), loopback_base(httpserver), notice_types=(3,)), utc(2026, 1, 1), utc(2026, 1, 2)
    )
    assert pages == [] and "Runtime Error" in str(failures[0][1])


def test_s2w_unreachable_host_stops_the_run_instead_of_failing_every_partition(fake: FakeTime):
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there now
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    s2w = Sell2Wales(polite(fake, max_retries=1), f"http://127.0.0.1:{port}", notice_types=(1, 2))
    with pytest.raises(TransportError):
        drive(s2w, utc(2026, 1, 1), utc(2026, 2, 1))
