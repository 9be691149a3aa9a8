"""What the search page says about its results, in both languages: closed deadlines left out of "closing
soonest", words that find nothing together, and the order of a search with words."""

from __future__ import annotations

import pytest

from tests.factories import fts_release
from tests.pages import PageClient
from tests.portal.search_corpus import load_corpus


@pytest.fixture
def pages(app, client):
    closed = fts_release(ocid="ocds-h6vhtk-0c0001", notice_id="070991-2026", deadline="2020-01-10T12:00:00+00:00")
    load_corpus(app, extra=[closed])
    return PageClient(client)


def test_closing_soonest_says_how_many_closed_it_left_out(pages):
    english = pages.get("/en/search?sort=closing_soonest").text()
    welsh = pages.get("/cy/search?sort=closing_soonest").text()
    assert "whose deadline has passed" in english and "left out" in english
    assert "dyddiad cau wedi mynd heibio" in welsh and "whose deadline" not in welsh


def test_words_that_find_nothing_together_are_counted_alone_with_the_or_search(pages):
    page = pages.get("/cy/search?q=glanhau+zzyzx&stage=open")
    text = page.text()
    assert "Does dim hysbysiad â'ch holl eiriau" in text and "“zzyzx” yn dod o hyd i ddim un" in text
    links = [link for link in page.links() if "OR" in link]
    assert links and "stage=open" in links[0] and "glanhau+OR+zzyzx" in links[0]
    english = pages.get("/en/search?q=glanhau+%3Cscript%3E").html
    assert "<script>" not in english.split("</head>")[1].replace('<script type="module"', "")


def test_a_search_with_words_says_its_order(pages):
    assert "work you can still bid for" in pages.get("/en/search?q=cleaning").text()
    assert "gwaith y gallwch gynnig amdano" in pages.get("/cy/search?q=glanhau").text()
    assert "work you can still bid for" not in pages.get("/en/search?q=cleaning&sort=newest").text()
