"""Before any data arrives (`make run` on an empty database) every search is a normal empty result, never a 500.

"empty": `flask index sync` on an empty database built an index of no documents. "missing": no index was
ever built, so each search says the index is unavailable and still answers.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import feedparser
import pytest
from icalendar import Calendar

import search_index
from tests.pages import PageClient

NO_MATCH = {
    "en": "No notices match your search. Try fewer words or fewer filters.",
    "cy": "Does dim hysbysiadau'n cyfateb i'ch chwiliad. Rhowch gynnig ar lai o eiriau neu lai o hidlwyr.",
}
COUNT = {"en": "0 notices found", "cy": "Ni chanfuwyd unrhyw hysbysiadau"}
UNAVAILABLE = {
    "en": "Search is being rebuilt. Please try again in a few minutes.",
    "cy": "Mae'r chwiliad yn cael ei ailadeiladu. Rhowch gynnig arall arni ymhen ychydig funudau.",
}


@pytest.fixture(params=["empty", "missing"])
def state(request, app, runner):
    """Return "empty" after `flask index sync` on the empty database, or "missing" with no index at all."""
    index_dir = Path(app.config["INDEX_DIR"])
    if request.param == "empty":
        synced = runner.invoke(args=["index", "sync"])
        assert synced.exit_code == 0, synced.output
        assert (index_dir / "CURRENT").exists() and search_index.doc_count(index_dir) == 0
        assert runner.invoke(args=["index", "sync"]).exit_code == 0  # a second sync finds nothing to do
    else:
        assert not index_dir.exists()
    return request.param


def codes(messages: list[dict]) -> list[str]:
    return [message["code"] for message in messages]


@pytest.mark.parametrize("path", ["/en/search", "/en/search?q=software", "/cy/search", "/cy/search?q=meddalwedd"])
def test_the_search_page_is_the_normal_page_with_no_results(client, state, path):
    lang = path[1:3]
    page = PageClient(client).get(path)
    results = page.text(page.by_id("results"))
    assert page.text(page.by_id("result-count")) == COUNT[lang]
    assert NO_MATCH[lang] in results
    assert page.by_id("search-form") is not None and page.by_id("export-links") is not None
    assert not [div for div in page.by_id("results").iter("div") if div.get("class") == "piblinell-card"]
    assert (UNAVAILABLE[lang] in results) is (state == "missing")


@pytest.mark.parametrize("query", ["", "?q=x", "?q=software&stage=open&sort=closing_soonest&page=2"])
def test_the_notices_api_answers_an_empty_page(client, state, query):
    response = client.get(f"/api/v1/notices{query}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 0 and body["results"] == [] and "next" not in body["links"]
    assert all(counts == {} for counts in body["facets"].values())
    assert ("index_unavailable" in codes(body["messages"])) is (state == "missing")


def test_the_csv_export_has_its_header_row_only(client, state):
    response = client.get("/en/search.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert len(rows) == 1 and rows[0][:3] == ["Notice ID (OCID)", "Stage", "Title"]


def test_the_atom_feed_is_a_valid_feed_without_entries(client, state):
    response = client.get("/en/search.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.get_data())
    assert not feed.bozo and feed.version == "atom10" and feed.entries == []


def test_the_calendar_is_a_valid_calendar_without_events(client, state):
    response = client.get("/en/search.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.get_data())
    assert calendar.name == "VCALENDAR" and not calendar.walk("VEVENT")


def test_the_ocds_release_package_has_no_releases(client, state):
    response = client.get("/api/v1/ocds/releases")
    assert response.status_code == 200
    package = response.get_json()
    assert package["releases"] == [] and "next" not in package["links"]


def test_the_search_command_prints_an_empty_result(runner, state):
    result = runner.invoke(args=["search", "software", "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["total"] == 0 and found["results"] == []
    assert ("index_unavailable" in codes(found["messages"])) is (state == "missing")
    text = runner.invoke(args=["search", "software"])
    assert text.exit_code == 0 and "0 found" in text.output
