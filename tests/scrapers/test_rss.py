"""Sell2Wales RSS parsing on small feeds written here: no real S2W RSS sample exists.

See docs/registers.md, "Sell2Wales RSS".
"""

from __future__ import annotations

from datetime import UTC, datetime

import feedparser
import pytest
from pytest_httpserver import HTTPServer

from scrapers.base import FeedError
from scrapers.client import PoliteClient
from scrapers.sell2wales_rss import RssItem, Sell2WalesRss, notice_ref_of, parse_rss
from tests.replay import FakeTime

# Hand-written in the RSS 2.0 shape third-party code assumes for the S2W feed (unverified).
FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>Sell2Wales - Contract Notices</title><link>https://www.sell2wales.gov.wales/</link>
<description>Latest notices</description>
<item>
  <title>Gofal Plant / Childcare DPS</title>
  <link>https://www.sell2wales.gov.wales/search/show/search_view.aspx?ID=AUG497921</link>
  <description>Cyngor Sir Ynys Mon / Isle of Anglesey County Council</description>
  <pubDate>Mon, 10 Aug 2026 09:30:00 BST</pubDate>
  <guid isPermaLink="false">S2W-497921</guid>
</item>
<item>
  <title>Road resurfacing</title>
  <link>https://www.sell2wales.gov.wales/Search/Search_Switch.aspx?ID=148410</link>
  <description>Winter works &amp; gritting</description>
  <pubDate>Mon, 12 Jan 2026 09:30:00 GMT</pubDate>
</item>
</channel></rss>"""

HTML_ERROR = b"""<!DOCTYPE html><html><head><title>Runtime Error</title></head>
<body><h1>Server Error in '/' Application.</h1></body></html>"""


def test_parses_items_with_notice_refs_and_utc_dates():
    first, second = parse_rss(FEED, {"content-type": "application/rss+xml; charset=utf-8"})

    assert first == RssItem(
        guid="S2W-497921",
        title="Gofal Plant / Childcare DPS",
        link="https://www.sell2wales.gov.wales/search/show/search_view.aspx?ID=AUG497921",
        published=datetime(2026, 8, 10, 8, 30, tzinfo=UTC),  # BST is UTC+1, not UTC
        summary="Cyngor Sir Ynys Mon / Isle of Anglesey County Council",
        notice_ref="AUG497921",
    )
    assert second.published == datetime(2026, 1, 12, 9, 30, tzinfo=UTC)
    assert second.guid == second.link and second.notice_ref == "148410"
    assert second.summary == "Winter works & gritting"


def test_numeric_offsets_are_untouched_by_the_bst_handler():
    feed = FEED.replace(b"09:30:00 BST", b"09:30:00 +0100")
    assert parse_rss(feed)[0].published == datetime(2026, 8, 10, 8, 30, tzinfo=UTC)


def test_malformed_xml_keeps_the_extracted_items():
    broken = FEED.replace(b"Winter works &amp; gritting", b"Winter works & gritting <b>unclosed")
    assert feedparser.parse(broken).bozo  # feedparser flags it, and still extracts both items
    items = parse_rss(broken)
    assert [item.notice_ref for item in items] == ["AUG497921", "148410"]


def test_html_error_page_is_a_feed_error():
    with pytest.raises(FeedError, match="not a feed"):
        parse_rss(HTML_ERROR, {"content-type": "text/html"})


def test_notice_ref_of_links():
    assert notice_ref_of("https://www.sell2wales.gov.wales/search/show/search_view.aspx?ID=FEB497921") == "FEB497921"
    assert notice_ref_of("https://www.sell2wales.gov.wales/search/show/search_view.aspx?id=FEB497921") == "FEB497921"
    assert notice_ref_of("https://www.sell2wales.gov.wales/") is None
    assert notice_ref_of("") is None


def test_fetch_gets_the_configured_feed_over_http(httpserver: HTTPServer):
    httpserver.expect_request(
        "/rss/rss_switch.aspx", query_string={"Type": "2", "ID": "", "Status": "0"}
    ).respond_with_data(FEED, content_type="application/rss+xml")
    fake = FakeTime()
    rss = Sell2WalesRss(PoliteClient(sleep=fake.sleep, clock=fake.clock), httpserver.url_for("/"))

    assert [item.notice_ref for item in rss.fetch()] == ["AUG497921", "148410"]


def test_fetch_of_an_html_page_names_the_url(httpserver: HTTPServer):
    httpserver.expect_request("/rss/other.aspx").respond_with_data(HTML_ERROR, content_type="text/html")
    rss = Sell2WalesRss(PoliteClient(), httpserver.url_for("/"), path="/rss/other.aspx")
    with pytest.raises(FeedError, match="rss/other.aspx"):
        rss.fetch()
