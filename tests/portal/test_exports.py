"""Exports of a search: CSV (stdlib csv, formulas neutralised), Atom (feedparser) and iCal (icalendar)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import feedparser
import pytest
from icalendar import Calendar

from portal.api.spreadsheet import safe_cell
from tests.portal.search_corpus import load_corpus

FORMULA_TITLE = '=HYPERLINK("http://x","Click")'


@pytest.fixture
def exports(app, client):
    """A client over the indexed corpus."""
    load_corpus(app)
    return client


def rows_of(response) -> list[list[str]]:
    """Parse a CSV response with the stdlib csv module."""
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_csv_has_the_page_columns_translated_and_neutralises_formulas(exports):
    english = rows_of(exports.get("/en/search.csv?stage=open&sort=closing_soonest"))
    assert english[0][:4] == ["Notice ID (OCID)", "Stage", "Title", "Buyer"]
    assert len(english) == 5 and all(len(row) == len(english[0]) for row in english)
    assert english[1][2] == "'" + FORMULA_TITLE and english[1][1] == "Open"
    assert english[2][:3] == ["ocds-h6vhtk-0b0004", "Open", "Grounds maintenance"] and english[2][4] == "60000.0"
    welsh = rows_of(exports.get("/cy/search.csv?q=glanhau"))
    assert welsh[0][:3] == ["Dynodwr yr hysbysiad (OCID)", "Cam", "Teitl"]
    row = next(row for row in welsh if row[0] == "ocds-kuma6s-148101")
    assert row[2] == "Gwasanaethau glanhau" and row[8] == "http://localhost/cy/notice/ocds-kuma6s-148101"
    everything = rows_of(exports.get("/api/v1/notices.csv?fields=all&q=glanhau"))
    assert "Description in Welsh" in everything[0] and len(everything[0]) > 30
    row = next(row for row in everything if row[0] == "ocds-kuma6s-148101")
    assert row[everything[0].index("Description in Welsh")] == "Glanhau adeiladau'r cyngor.\nDau safle."


def test_safe_cell_neutralises_every_formula_prefix():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("Cleaning") == "Cleaning" and safe_cell(None) == "" and safe_cell(12.5) == "12.5"


def test_atom_feed_parses_and_links_each_notice(exports):
    response = exports.get("/cy/search.atom?q=cleaning")
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.get_data())
    assert not feed.bozo and feed.version == "atom10"
    assert feed.feed.title == "Piblinell: hysbysiadau sy'n cyfateb i “cleaning”"
    links = {entry.link for entry in feed.entries}
    assert "http://localhost/cy/notice/ocds-kuma6s-148101" in links
    assert len({entry.id for entry in feed.entries}) == len(feed.entries)
    hostile = exports.get("/en/search.atom?q=%00%1b%EF%BF%BEcleaning")
    assert hostile.status_code == 200 and not feedparser.parse(hostile.get_data()).bozo


def test_ical_has_deadlines_and_expected_dates_with_stable_uids(exports):
    response = exports.get("/en/search.ics")
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.get_data())
    events = {str(event["uid"]): event for event in calendar.walk("VEVENT")}
    assert "ocds-h6vhtk-0b0004-deadline@piblinell" in events
    assert "ocds-h6vhtk-0b0001-expected@piblinell" in events and "ocds-h6vhtk-0b0003-expected@piblinell" in events
    assert not any(uid.startswith("ocds-h6vhtk-0b0006") for uid in events)  # awarded: nothing to act on
    deadline = events["ocds-h6vhtk-0b0004-deadline@piblinell"].decoded("dtstart")
    expected = events["ocds-h6vhtk-0b0001-expected@piblinell"].decoded("dtstart")
    assert isinstance(deadline, datetime) and deadline.tzinfo is not None
    assert isinstance(expected, date) and not isinstance(expected, datetime)
    assert str(events["ocds-h6vhtk-0b0001-expected@piblinell"]["summary"]).startswith("Expected tender: ")
    again = Calendar.from_ical(exports.get("/en/search.ics").get_data())
    assert {str(e["uid"]) for e in again.walk("VEVENT")} == set(events)
    welsh = Calendar.from_ical(exports.get("/cy/search.ics?stage=open").get_data())
    assert all(str(e["summary"]).startswith("Dyddiad cau'r tendr: ") for e in welsh.walk("VEVENT"))


def test_csv_streams_stops_at_the_limit_and_says_where_the_rest_is(exports, monkeypatch):
    from portal.api import spreadsheet

    monkeypatch.setattr(spreadsheet, "CSV_LIMIT", 2)
    spreadsheet.CSV_CACHE.__init__(budget=10_000_000, largest=5_000_000)
    response = exports.get("/en/search.csv")
    assert response.is_streamed
    rows = rows_of(response)
    assert len(rows) == 1 + 2 + 1 and rows[-1][0].startswith("Only the first 2 of ")
    assert "http://localhost/api/v1/notices" in rows[-1][0]
    welsh = rows_of(exports.get("/cy/search.csv"))
    assert welsh[-1][0].startswith("Dim ond y 2 cyntaf o ") and len(welsh) == 4


def test_a_finished_csv_is_kept_until_the_index_changes(app, exports, monkeypatch):
    from portal.api import spreadsheet
    from portal.search import indexing

    spreadsheet.CSV_CACHE.__init__(budget=10_000_000, largest=5_000_000)
    first = exports.get("/en/search.csv?q=cleaning").get_data()
    calls = []
    real = spreadsheet.search_procurements
    monkeypatch.setattr(spreadsheet, "search_procurements", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert exports.get("/en/search.csv?q=cleaning").get_data() == first and calls == []  # from the cache
    assert exports.get("/cy/search.csv?q=cleaning").get_data() != first and calls  # another language: built
    calls.clear()
    with app.app_context():
        indexing.rebuild_index()  # a new generation: nothing kept may be served
    assert exports.get("/en/search.csv?q=cleaning").get_data() == first and calls


def test_long_text_is_cut_in_cells_and_feed_titles():
    from portal.api.exports import shorten
    from portal.api.spreadsheet import CELL_LIMIT

    assert len(safe_cell("x" * 1_000_000)) == CELL_LIMIT
    title = shorten("Glanhau " * 100)
    assert len(title) <= 301 and title.endswith("Glanhau…")
    assert shorten("Byr") == "Byr"
