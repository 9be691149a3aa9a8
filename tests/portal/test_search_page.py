"""The search page: both languages, filters and facet counts, paging, sorts, broken queries, hostile text, fuzzing."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from portal.search.params import PARAMETERS, Problem, parse_search_args
from portal.web.search_page import PARAMETER_LABELS
from search_index import SORTS
from tests.factories import fts_release
from tests.pages import PageClient, check_page
from tests.portal.search_corpus import load_corpus

ALL = 8  # procurements in the corpus


@pytest.fixture
def pages(app, client):
    """The page client over the indexed corpus."""
    load_corpus(app)
    return PageClient(client)


def titles(page) -> list[str]:
    """Return the result titles in order."""
    return [page.text(h) for h in page.doc.findall(".//div[@id='results']//h3")]


def count(page) -> str:
    """Return the "N notices found" heading."""
    return page.text(page.by_id("result-count"))


def test_search_page_in_both_languages_keeps_the_query_in_the_language_link(pages):
    for path in (
        "search",
        "search?q=glanhau",
        "search?q=cleaning&stage=open&region=UKL&sort=newest&page=1",
        "search?q=%22broken&cpv=72&value=25k_100k&no_value=1&sme=1&wales=1&deadline_from=2026-01-01",
    ):
        english, welsh = pages.get_both(path)
        assert english.html.count('id="result-count"') == 1
    page = pages.get("/en/search?q=glanhau&stage=open&x=%3Cscript%3E")
    assert page.by_id("language-switch").get("href") == "/cy/search?q=glanhau&stage=open&x=%3Cscript%3E"
    assert pages.get("/cy/search?q=glanhau").title.startswith("Canlyniadau chwilio am “glanhau”")


def test_an_empty_search_shows_everything_newest_first(pages):
    page = pages.get("/en/search")
    assert count(page) == f"{ALL} notices found"
    assert "Showing every notice, newest first." in page.text()
    assert titles(page)[:3] == [
        "Planned building works",
        "Market engagement for road gritting",
        "School meals pipeline",
    ]
    assert pages.get("/cy/search").text(pages.get("/cy/search").by_id("result-count")) == "8 hysbysiad wedi'u canfod"


def test_words_find_notices_in_either_language_and_say_where_they_matched(pages):
    page = pages.get("/cy/search?q=glanhau")
    assert "Gwasanaethau glanhau" in titles(page)
    assert "Cyfatebiaeth yn: teitl, disgrifiad" in page.text()
    marks = [page.text(mark) for mark in page.doc.iter("mark")]
    assert marks and {m.lower() for m in marks} <= {"glanhau", "cleaning"}  # the index knows they are one word
    english = pages.get("/en/search?q=software")
    assert titles(english)[0] == "Software licences for libraries"
    assert "Matched in: title, description" in english.text()


def test_filters_change_results_and_facet_counts(pages):
    everything = pages.get("/en/search")
    assert everything.text(everything.by_id("filter-stage-4-item-hint")) == "4 notices"  # open
    open_only = pages.get("/en/search?stage=open")
    assert count(open_only) == "4 notices found"
    assert open_only.by_id("filter-stage-4").get("checked") is not None
    assert open_only.text(open_only.by_id("filter-stage-item-hint")) == "0 notices"  # pipeline, now filtered out
    assert titles(pages.get("/en/search?region=UKD")) == ["Planned building works"]
    assert titles(pages.get("/en/search?cpv=45&sme=1")) == ["Planned building works"]
    assert set(titles(pages.get("/en/search?region=UKI&value=1m_10m"))) == {"Software licences for libraries"}
    no_value = pages.get("/en/search?value=under_25k&no_value=1")
    assert "Market engagement for road gritting" in titles(no_value)
    assert "Market engagement for road gritting" not in titles(pages.get("/en/search?value=under_25k"))
    london = pages.get("/en/search?source=fts&wales=0")
    assert set(titles(london)) == {
        "Software licences for libraries",
        '=HYPERLINK("http://x","Click")',
        "Planned building works",
    }
    buyers = pages.get("/en/search")
    assert "London Libraries Consortium" in buyers.text(buyers.by_id("filters"))
    deadline = pages.get("/en/search?deadline_from=2000-01-01&deadline_to=2098-12-31")
    assert "Cleaning services" not in titles(deadline) and "Grounds maintenance" in titles(deadline)


def test_paging_with_welsh_links(pages):
    first = pages.get("/cy/search?per_page=3")
    nav = first.doc.find(".//nav[@class='govuk-pagination']")
    assert nav is not None and nav.get("aria-label") == "Tudalennau canlyniadau chwilio"
    assert "Nesaf" in first.text(nav)
    next_link = nav.find(".//a[@rel='next']").get("href")
    assert parse_qs(urlsplit(next_link).query) == {"page": ["2"], "per_page": ["3"]}
    second = pages.get(next_link)
    assert set(titles(first)).isdisjoint(titles(second)) and len(titles(second)) == 3
    last = pages.get("/en/search?per_page=3&page=3")
    assert len(titles(last)) == 2 and last.doc.find(".//a[@rel='next']") is None
    assert "page 3" in last.title
    beyond = pages.get("/en/search?page=1000000000")
    assert count(beyond) == f"{ALL} notices found"


def test_every_sort(pages):
    orders = {sort: titles(pages.get(f"/en/search?sort={sort}")) for sort in SORTS}
    assert orders["closing_soonest"][:2] == ['=HYPERLINK("http://x","Click")', "Grounds maintenance"]
    assert orders["expected_soonest"][:2] == ["School meals pipeline", "Planned building works"]
    assert orders["value"][0] == "Software licences for libraries"
    assert orders["newest"] == orders["relevance"]  # no words: relevance is newest first
    for sort, order in orders.items():
        assert sorted(order) == sorted(orders["newest"]), sort
    assert pages.get("/cy/search?sort=closing_soonest").doc.find(".//option[@selected]").get("value") == (
        "closing_soonest"
    )


def test_a_broken_query_is_explained_in_either_language_and_its_words_searched(pages):
    english = pages.get("/en/search?q=%22grounds")
    assert "A quotation mark was not closed" in english.text()
    assert titles(english) == ["Grounds maintenance"]
    welsh = pages.get("/cy/search?q=%22grounds")
    assert "Doedd dyfynnod ddim wedi'i gau" in welsh.text() and titles(welsh) == ["Grounds maintenance"]
    stray = pages.get("/cy/search?q=OR+maintenance+(")
    assert (
        titles(stray) == ["Grounds maintenance"]
        and len(stray.doc.findall(".//*[@class='govuk-inset-text piblinell-search-note']")) == 2
    )
    bad = pages.get("/cy/search?sort=sideways&stage=nowhere&deadline_from=2026-02-31&value_min=lots")
    text = bad.text()
    assert "Nid yw'r drefn honno'n hysbys" in text
    assert "Cam, Gwerth isaf, Dyddiad cau o" in text
    assert count(bad) == "8 hysbysiad wedi'u canfod"


HOSTILE = '<script>alert("x")</script><b>Bold</b> gritty ' + "A" * 300 + " مناقصة \u202e reversed 🚀"


def test_hostile_notice_text_is_escaped_in_results_and_highlights(app, client):
    load_corpus(
        app,
        extra=[
            fts_release(
                ocid="ocds-h6vhtk-0f0001",
                notice_id="082001-2026",
                title=HOSTILE,
                description="<img src=x onerror=alert(1)> gritty & <i>done</i>",
            )
        ],
    )
    pages = PageClient(client)
    for url in ("/en/search?q=gritty", "/cy/search?q=gritty", "/en/search?q=script", "/en/search?q=alert"):
        page = pages.get(url)
        assert len(page.doc.findall(".//script")) == 2, url  # ours only
        assert not page.doc.findall(".//img") and not page.doc.findall(".//b") and not page.doc.findall(".//i")
    page = pages.get("/en/search?q=gritty")
    assert [page.text(m) for m in page.doc.iter("mark")][:2] == ["gritty", "gritty"]
    assert "&lt;script&gt;" in page.html and "🚀" in page.text() and "مناقصة" in page.text()
    assert "<img src=x" not in page.html


def test_export_links_are_the_same_search(pages):
    page = pages.get("/en/search?q=cleaning&stage=open&page=1&sort=newest")
    links = {a.text: a.get("href") for a in page.by_id("export-links").iter("a")}
    assert links["Spreadsheet (CSV)"] == "/en/search.csv?q=cleaning&stage=open&sort=newest"
    assert links["JSON (API)"] == "/api/v1/notices?q=cleaning&stage=open&sort=newest"
    alternates = {link.get("type"): link.get("href") for link in page.doc.findall("head/link[@rel='alternate']")}
    assert alternates["application/atom+xml"] == "/en/search.atom?q=cleaning&stage=open&sort=newest"
    assert alternates["text/calendar"] == "/en/search.ics?q=cleaning&stage=open&sort=newest"
    assert "submit" not in " ".join(page.links())


def test_every_search_parameter_has_a_label_for_the_page():
    assert set(PARAMETER_LABELS) == set(PARAMETERS)


def test_changed_since_and_until_read_iso_moments_in_london_unless_zoned():
    params = parse_search_args({"changed_since": "2026-08-10T12:00:00Z", "changed_until": "2026-08-11"})
    since, until = params.filters.changed_since, params.filters.changed_until
    assert since == datetime(2026, 8, 10, 12, tzinfo=UTC) and until == datetime(2026, 8, 10, 23, tzinfo=UTC)
    assert params.args == (("changed_since", "2026-08-10T12:00:00Z"), ("changed_until", "2026-08-10T23:00:00Z"))
    assert parse_search_args(dict(params.args)).filters == params.filters  # the canonical form reads back the same
    wrong = parse_search_args({"changed_since": "yesterday", "changed_until": "0001-01-01"})
    assert wrong.problems == (Problem("changed_since"), Problem("changed_until", "out_of_range"))
    assert wrong.filters.changed_since is None and wrong.filters.changed_until is None


def test_parse_search_args_is_pure_and_forgiving():
    params = parse_search_args(
        MultiDict(
            [
                ("q", "  ysgol   glanhau "),
                ("stage", "OPEN"),
                ("stage", "open"),
                ("cpv", "72000000-5"),
                ("region", "ukl22"),
                ("value", "25k_100k"),
                ("page", "0"),
                ("per_page", "1000"),
                ("sort", "x"),
                ("sme", "maybe"),
            ]
        )
    )
    text, filters, sort, page, per_page, problems = params
    assert text == "ysgol glanhau" and filters.stages == ("open",) and filters.cpv == ("72000000",)
    assert filters.regions == ("UKL22",) and (filters.value_min, filters.value_max) == (25000, 99999.99)
    assert (sort, page, per_page) == ("relevance", 1, 100) and filters.sme is None
    assert set(problems) == {
        Problem("page", "out_of_range"),
        Problem("per_page", "out_of_range"),
        Problem("sort", "unknown_sort"),
        Problem("sme"),
    }
    assert params.query_string(page=2) == (
        "q=ysgol+glanhau&stage=open&cpv=72000000&region=UKL22&value=25k_100k&page=2&per_page=100"
    )
    assert parse_search_args({"value_min": "1e400", "deadline_to": "99999-01-01"}).problems == (
        Problem("value_min", "out_of_range"),
        Problem("deadline_to"),
    )
    assert parse_search_args(MultiDict([("stage", "open")] * 60)).problems == (Problem("stage", "too_many"),)


_junk = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
_value = st.one_of(
    _junk,
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(
        [
            "",
            "1",
            "-1",
            "0",
            "1000000000",
            "nan",
            "inf",
            "2026-02-30",
            "2026-09-01",
            "9999-12-31",
            "open",
            "UKL",
            "72",
            "fts",
            "relevance",
            "value",
            '"',
            "(",
            "*",
            "-",
            "OR",
        ]
    ),
)
QUERIES = st.lists(st.tuples(st.sampled_from([*PARAMETERS, "fields", "submit", "_external"]), _value), max_size=8)
URLS = [
    "/en/search",
    "/cy/search",
    "/api/v1/notices",
    "/api/v1/ocds/releases",
    "/en/search.csv",
    "/cy/search.atom",
    "/en/search.ics",
    "/api/v1/notices.csv",
]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=QUERIES, url=st.sampled_from(URLS))
def test_fuzzed_query_strings_never_give_a_server_error(app, client, query, url):
    if not app.config.get("CORPUS_LOADED"):
        load_corpus(app)
        app.config["CORPUS_LOADED"] = True
    response = client.get(url, query_string=MultiDict(query))
    assert response.status_code == 200, (url, query)
    if response.mimetype == "text/html":
        raw = response.request.environ
        check_page(f"{raw['PATH_INFO']}?{raw['QUERY_STRING']}", 200, response.get_data(as_text=True))
