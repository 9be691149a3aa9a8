"""Search over the real recorded notices: expected hits are established by reading the same data."""

import re

import pytest
from sqlmodel import select

from portal.collect.importer import import_paths
from portal.db import session_scope
from portal.models.tables import Procurement
from portal.search.indexing import rebuild_index, search_procurements
from search_index import Filters
from tests.realdata import recorded_files


@pytest.fixture
def real_index(app):
    """Import the real FTS day, the Contracts Finder pages and the Sell2Wales releases, then index them."""
    paths = recorded_files()
    with app.app_context():
        import_paths(paths)
        rebuild_index()
        with session_scope() as session:
            rows = session.exec(select(Procurement)).all()
        yield rows


def found(text="", **filters):
    """Return the set of every hit's ocid (all pages), and the results of the last page."""
    ocids, results = every(text, **filters)
    return set(ocids), results


def every(text="", sort="relevance", **filters):
    """Return every hit's ocid in order (paging through), and the last results."""
    ocids, page = [], 1
    while True:
        rows, results = search_procurements(text, Filters(**filters) if filters else None, sort, page, 100)
        ocids += [row.ocid for row in rows]
        if page * 100 >= results.total:
            return ocids, results
        page += 1


def with_word(rows, word, fields=("title", "description", "buyer_name", "title_cy", "description_cy")):
    pattern = re.compile(rf"\b{word}\b", re.IGNORECASE)
    return {r.ocid for r in rows if any(pattern.search(getattr(r, f) or "") for f in fields)}


def test_words_and_welsh_place_names_find_the_same_notices(real_index):
    cardiff = with_word(real_index, "Cardiff")
    assert len(cardiff) >= 5  # 2 FTS + 10 S2W releases mention it (counted in the raw JSON)
    assert cardiff <= found("Cardiff")[0]
    assert cardiff <= found("Caerdydd")[0]  # the Welsh name finds notices that only say Cardiff
    swansea = with_word(real_index, "Swansea")
    assert swansea and swansea <= found("Abertawe")[0]
    wrexham = with_word(real_index, "Wrexham")
    assert wrexham and wrexham <= found("Wrecsam")[0]


def test_welsh_words_and_the_glossary_work_both_ways(real_index):
    cyngor = with_word(real_index, "Cyngor")
    assert cyngor and cyngor <= found("cyngor")[0]
    assert cyngor <= found("council")[0]  # "council" finds "Cyngor Sir … County Council" and the like
    cymru = with_word(real_index, "Cymru")
    assert cymru and cymru <= found("Cymru")[0]
    software = with_word(real_index, "software")
    assert software and software <= found("meddalwedd")[0]


def test_phrase_and_exclude(real_index):
    heating = {r.ocid for r in real_index if re.search(r"district\s+heating", f"{r.title} {r.description}", re.I)}
    assert heating
    phrase = found('"district heating"')[0]
    assert heating <= phrase
    loose = found("heating district")[0]
    assert phrase <= loose
    software = found("software")[0]
    without = found("software -maintenance")[0]
    assert without < software
    assert not without & with_word(real_index, "maintenance", ("title", "description", "buyer_name"))


def test_cpv_and_region_prefixes_find_exactly_the_notices_carrying_them(real_index):
    it = {r.ocid for r in real_index if any(c["code"].startswith("72") for c in r.cpv)}
    assert it and set(every(cpv=("72",))[0]) == it
    software = {r.ocid for r in real_index if any(c["code"].startswith("4826") for c in r.cpv)}
    assert set(every(cpv=("4826",))[0]) == software
    wales = {r.ocid for r in real_index if any(code.startswith("UKL") for code in r.regions)}
    assert wales and set(every(regions=("UKL",))[0]) == wales
    assert set(every(regions=("UKL22",))[0]) == {r.ocid for r in real_index if "UKL22" in r.regions}


def test_value_range_with_and_without_notices_that_publish_no_value(real_index):
    low, high = 100_000, 1_000_000
    inside = {r.ocid for r in real_index if r.value_amount is not None and low < r.value_amount < high}
    edges = {r.ocid for r in real_index if r.value_amount in (low, high)}
    no_value = {r.ocid for r in real_index if r.value_amount is None}
    ranged = set(every(value_min=low, value_max=high)[0])
    assert inside <= ranged <= inside | edges
    with_none = set(every(value_min=low, value_max=high, include_no_value=True)[0])
    assert with_none == ranged | no_value and no_value


def test_closing_soonest_sorts_open_tenders_by_deadline_and_facets_sum_to_the_total(real_index):
    ocids, _ = every(sort="closing_soonest", stages=("open", "closed"))
    by_ocid = {r.ocid: r for r in real_index}
    # the index keeps deadlines to the minute
    deadlines = [by_ocid[o].deadline.replace(second=0) for o in ocids if by_ocid[o].deadline]
    assert deadlines == sorted(deadlines) and len(deadlines) > 10
    _, results = found("services")
    assert results.total > 0
    assert sum(results.facets["stage"].values()) == results.total
    assert sum(results.facets["in_wales"].values()) == results.total


def test_flask_search_answers_in_both_languages(real_index, app):
    import json

    runner = app.test_cli_runner()
    cardiff = with_word(real_index, "Cardiff")
    welsh = json.loads(runner.invoke(args=["search", "Caerdydd", "--limit", "100", "--json"]).output)
    assert cardiff <= {hit["ocid"] for hit in welsh["results"]}
    assert all(hit["matched"] for hit in welsh["results"])
    wales = json.loads(runner.invoke(args=["search", "Cymru", "--region", "UKL", "--json"]).output)
    assert wales["total"] >= 1
