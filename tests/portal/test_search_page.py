"""The search page in both languages: filters and counts, rows by stage, paging, sorts, bad queries, hostile text."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from portal.db import session_scope
from portal.models.tables import Procurement, utcnow
from portal.web.result_rows import row_facts
from search_index import SORTS
from tests.factories import fts_release
from tests.pages import PageClient
from tests.portal.search_corpus import load_corpus
from tests.portal.search_page_data import category_boxes, category_releases, facts, fieldset_of, stage_releases

ALL = 8  # procurements in the corpus
FILTERS_JS = "/static/search-filters.js"


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


@pytest.fixture
def stages(app, client):
    """The page client over the corpus with an award of four suppliers and a cancelled tender."""
    load_corpus(app, extra=stage_releases(utcnow()))
    return PageClient(client)


def test_each_row_shows_what_matters_at_its_stage(stages):
    english, welsh = stages.get_both("search")
    assert facts(english, "Grounds maintenance") == {
        "buyer": "Buyer Cyngor Sir Enghraifft County Council",  # "Buyer" is for screen readers
        "deadline": facts(english, "Grounds maintenance")["deadline"],
        "value": "Value: £60,000 excluding VAT",
    }
    assert facts(english, "Grounds maintenance")["deadline"].startswith("Deadline: ")
    assert facts(welsh, "Grounds maintenance")["value"] == "Gwerth: £60,000 heb gynnwys TAW"
    assert facts(welsh, "Grounds maintenance")["deadline"].startswith("Dyddiad cau: ")
    pipeline = facts(english, "School meals pipeline")
    assert set(pipeline) == {"buyer", "expected", "value"} and pipeline["expected"].startswith("Expected tender date: ")
    assert facts(welsh, "School meals pipeline")["expected"].startswith("Dyddiad disgwyliedig y tendr: ")
    gritting = facts(english, "Market engagement for road gritting")  # published neither date nor value
    assert gritting["expected"] == "Expected tender date: Not stated" and gritting["value"] == "Value: Not stated"
    assert facts(welsh, "Market engagement for road gritting")["value"] == "Gwerth: Heb ei nodi"

    awarded = facts(english, "Highway lighting maintenance")
    assert awarded["supplier"] == "Awarded to: Goleuadau Gwynedd Cyf, Lampau Llŷn and 2 others"
    assert awarded["value"] == "Awarded value: £120,000 excluding VAT"
    assert awarded["award_date"] == "Award date: 1 March 2026"  # the latest award's
    assert "deadline" not in awarded and "expected" not in awarded
    assert facts(welsh, "Highway lighting maintenance") | {"buyer": ""} == {
        "buyer": "",
        "supplier": "Dyfarnwyd i: Goleuadau Gwynedd Cyf, Lampau Llŷn a dau arall",
        "value": "Gwerth a ddyfarnwyd: £120,000 heb gynnwys TAW",
        "award_date": "Dyddiad dyfarnu: 1 Mawrth 2026",
    }
    two = facts(english, "Cleaning contract")  # the corpus's award: two suppliers, no award value or date
    assert two["supplier"] == "Awarded to: Glanhau Bach Cyf, Big Clean plc"
    assert two["award_date"] == "Award date: Not stated"

    cancelled = facts(english, "Library van hire")
    assert set(cancelled) == {"buyer", "cancelled"} and cancelled["cancelled"] == "Date cancelled: 2 April 2026"
    assert facts(welsh, "Library van hire")["cancelled"] == "Dyddiad canslo: 2 Ebrill 2026"


def test_a_zero_value_is_not_stated_never_0_pounds(app, stages):
    with app.app_context(), session_scope() as session:
        for ocid in ("ocds-h6vhtk-0e0001", "ocds-h6vhtk-0f0101"):  # an open tender, the award
            row = session.exec(select(Procurement).where(Procurement.ocid == ocid)).one()
            row.value_amount = 0.0
            row.awards = [award | {"value_amount": 0.0} for award in row.awards]
            session.add(row)
        session.commit()
    english, welsh = stages.get_both("search")
    assert facts(english, "Software licences for libraries")["value"] == "Value: Not stated"
    assert facts(english, "Highway lighting maintenance")["value"].endswith("value: Not stated")  # "Awarded value"
    assert facts(welsh, "Highway lighting maintenance")["value"].endswith(": Heb ei nodi")
    for page in (english, welsh, stages.get("/en/"), stages.get("/en/buyer/1")):
        assert "£0" not in page.text()


def test_row_facts_read_awards_as_stored(app):
    with app.test_request_context("/en/"):
        awarded = SimpleNamespace(
            stage="awarded", value_amount=None, currency=None,
            awards=[{"date": "not a date", "suppliers": [{"name": "  Un   Cyf "}, {"name": "Un Cyf"}, {}]}, "junk"],
        )  # fmt: skip
        assert [(f.key, f.text, f.stated) for f in row_facts(awarded)] == [
            ("supplier", "Un Cyf", True),
            ("value", "Not stated", False),
            ("award_date", "Not stated", False),
        ]
        nobody = SimpleNamespace(stage="awarded", value_amount=True, awards=[{"suppliers": []}])
        assert [f.text for f in row_facts(nobody)] == ["Supplier not named", "Not stated", "Not stated"]
        euros = SimpleNamespace(stage="open", deadline=None, value_amount=2500.5, currency="EUR")
        assert [f.text for f in row_facts(euros)] == ["Not stated", "€2,500.50 excluding VAT"]


@pytest.fixture
def categories(app, client):
    """The corpus with 16 CPV divisions: 72 in five notices, 30 in two, fourteen others in one each."""
    load_corpus(app, extra=category_releases())
    return PageClient(client)


def test_a_long_facet_shows_its_top_ten_and_the_rest_behind_show_all(categories):
    english, welsh = categories.get_both("search")
    top, rest = category_boxes(english)
    assert top == ["72", "30", "03", "09", "14", "15", "16", "18", "19", "22"]  # most notices first
    assert rest == ["24", "31", "45", "48", "90"]  # the rest in code order
    assert english.text(english.by_id("filter-cpv-all").find("summary")) == "Show all 15 categories"
    assert welsh.text(welsh.by_id("filter-cpv-all").find("summary")) == "Dangos pob un o'r 15 categori"
    assert welsh.by_id("filter-cpv-all").get("open") is None
    ticked = categories.get("/en/search?cpv=48")  # a ticked box is always in view
    top, rest = category_boxes(ticked)
    assert top == ["48"]  # only one division matches now; nothing to hide
    ticked = categories.get("/en/search?cpv=48&cpv=72&q=supplies+OR+software")
    assert "48" in category_boxes(ticked)[0] and ticked.by_id("filter-cpv-all") is None
    assert category_boxes(welsh) == category_boxes(english)


def test_wales_and_its_areas_come_first_in_the_region_filter(pages):
    english, welsh = pages.get_both("search")
    for page, wales, area in ((english, "Wales", "Cardiff and Vale of Glamorgan"),
                              (welsh, "Cymru", "Caerdydd a Bro Morgannwg")):  # fmt: skip
        fieldset = fieldset_of(page, "filter-region")
        assert page.text(fieldset.find("legend")) in ("Region", "Rhanbarth")
        values = [box.get("value") for box in fieldset.iter("input")]
        assert values[0] == "UKL" and all(code.startswith("UKL") for code in values[1:15])
        assert values[15:] == ["UKD", "UKI"]  # then the other regions with notices, in the regions' order
        assert page.text(fieldset.find(".//label[@for='filter-region']")) == wales
        assert area in page.text(page.by_id("wales-areas")) and page.by_id("wales-areas").get("open") is None
    ticked = pages.get("/cy/search?region=UKL22")
    assert ticked.by_id("wales-areas").get("open") is not None  # a Welsh area is ticked: its list is open
    assert ticked.doc.find(".//input[@value='UKL22']").get("checked") is not None
    assert [box.get("value") for box in fieldset_of(ticked, "filter-region").iter("input")][0] == "UKL"


def test_a_page_past_the_end_says_so_and_links_to_the_last_page(pages):
    english = pages.get("/en/search?per_page=3&page=7")
    past = english.by_id("past-the-end")
    assert "This page is past the end of the results." in english.text(past)
    link = past.find(".//a")
    assert english.text(link) == "Go to the last page (page 3)" and link.get("href") == "/en/search?page=3&per_page=3"
    assert "No notices match" not in english.text() and english.doc.find(".//nav[@class='govuk-pagination']") is None
    welsh = pages.get("/cy/search?q=cleaning&page=2")
    assert welsh.text(welsh.by_id("past-the-end").find(".//a")) == "Ewch i'r dudalen olaf (tudalen 1)"
    assert welsh.by_id("past-the-end").find(".//a").get("href") == "/cy/search?q=cleaning"
    clamped = pages.get("/en/search?page=1000000000")  # beyond the deepest page: no "ignored: Page" as well
    assert clamped.by_id("past-the-end") is not None and "ignored" not in clamped.text()
    assert pages.get("/en/search?per_page=3&page=3").by_id("past-the-end") is None
    assert pages.get("/en/search?q=zzzzzz&page=2").by_id("past-the-end") is None  # nothing found at all


def test_an_unknown_sort_names_the_sort_used(pages):
    browse = pages.get("/en/search?sort=sideways")
    assert (
        "That sort order is not known, so the results are sorted by “Relevance”: with no search words, "
        "that is newest first." in browse.text()
    )
    assert browse.doc.find(".//select[@id='sort']/option[@selected]").get("value") == "relevance"
    words = pages.get("/cy/search?q=cleaning&sort=sideways")
    assert "Nid yw'r drefn honno'n hysbys, felly mae'r canlyniadau wedi'u trefnu yn ôl “Perthnasedd”." in words.text()
    assert len(words.doc.findall(".//*[@class='govuk-inset-text piblinell-search-note']")) == 1


def test_the_search_box_has_a_maxlength_and_the_filters_keep_what_the_form_cannot_show(pages):
    for url in ("/en/search", "/cy/search?q=glanhau", "/en/", "/cy/"):
        assert pages.get(url).doc.find(".//input[@name='q']").get("maxlength") == "500", url
    page = pages.get("/cy/search?stage=open&value_min=1000&notice_type=UK4&wales=0&per_page=5")
    hidden = {(i.get("name"), i.get("value")) for i in page.doc.iterfind(".//input[@type='hidden']")}
    assert hidden == {("value_min", "1000"), ("notice_type", "UK4"), ("wales", "0"), ("per_page", "5")}
    summary = page.by_id("filter-details").find("summary")
    assert page.text(summary) == "Hidlo'r canlyniadau (4 wedi'u dewis)"  # stage, value_min, notice_type, wales
    assert page.by_id("filter-details").get("data-applied-text") == "4 wedi'u dewis"
    english = pages.get("/en/search?stage=open")
    assert english.text(english.by_id("filter-details").find("summary")) == "Filter results (1 selected)"
    assert english.by_id("filter-details").get("data-show-text") == "Show filters"
    header = english.doc.find(".//div[@class='piblinell-results-header']")
    assert header.find(".//select[@id='sort']") is not None and header.find("h2").get("id") == "result-count"


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
    ours = [script.get("src") for script in pages.get("/en/search?q=nothingmatchesthis").doc.iter("script")]
    assert FILTERS_JS in ours
    for url in ("/en/search?q=gritty", "/cy/search?q=gritty", "/en/search?q=script", "/en/search?q=alert"):
        page = pages.get(url)
        assert [script.get("src") for script in page.doc.iter("script")] == ours, url  # ours only
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
