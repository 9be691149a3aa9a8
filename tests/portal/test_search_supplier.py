"""An IT supplier's searches over the real recorded notices, end to end through the portal's search.

Expected hits are established by reading the same rows the index was built from.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from portal.collect.importer import import_paths
from portal.db import session_scope
from portal.models.tables import Procurement
from portal.search.indexing import rebuild_index, search_procurements
from tests.realdata import recorded_files

TEXT_FIELDS = ("title", "description", "buyer_name", "title_cy", "description_cy")


@pytest.fixture
def rows(app):
    """Import the real FTS day, the Contracts Finder pages and the Sell2Wales releases, index them, return the rows."""
    paths = recorded_files()
    with app.app_context():
        import_paths(paths)
        rebuild_index()
        with session_scope() as session:
            found = session.exec(select(Procurement)).all()
        yield found


def search(text, sort="relevance", per_page=100):
    """Return (every hit's ocid in order, the last results), paging through."""
    ocids, page = [], 1
    while True:
        found, results = search_procurements(text, None, sort, page, per_page)
        ocids += [row.ocid for row in found]
        if page * per_page >= results.total:
            return ocids, results
        page += 1


def ocids(text) -> set[str]:
    return set(search(text)[0])


def text_of(row) -> str:
    labels = " ".join(c.get("label") or "" for c in row.cpv or [])
    return " ".join(getattr(row, name) or "" for name in TEXT_FIELDS) + " " + labels


def with_pattern(rows, pattern: str, flags=0) -> set[str]:
    compiled = re.compile(pattern, flags)
    return {row.ocid for row in rows if compiled.search(text_of(row))}


def test_it_in_capitals_finds_it_and_never_the_pronoun(rows, app):
    capitals = with_pattern(rows, r"\bIT\b")
    assert len(capitals) >= 10
    it = ocids("IT")
    assert capitals <= it and len(it) < len(rows) / 4  # it used to be a stop word: every notice
    pronoun_only = with_pattern(rows, r"\b[Ii]t\b") - with_pattern(rows, r"\bIT\b|\bTG\b|(?i:information technology)")
    assert pronoun_only and not it & pronoun_only
    services = ocids("services")
    it_services = ocids("IT services")
    assert it_services <= it & services and len(it_services) < len(services) / 4
    _, results = search("it")
    assert results.total == len(rows) and [m.code for m in results.messages] == ["stop_words_only"]
    cli = json.loads(app.test_cli_runner().invoke(args=["search", "IT", "--limit", "100", "--json"]).output)
    assert cli["total"] == len(it) and {hit["ocid"] for hit in cli["results"]} <= capitals | it


DIGITAL_WORDS = [  # a Welsh word of the glossary, and what its English notices say
    ("TG", r"\bIT\b"),
    ("cwmwl", r"(?i)\bcloud\b"),
    ("meddalwedd", r"(?i)\bsoftware\b"),
    ("digidol", r"(?i)\bdigital\b"),
    ("gwefan", r"(?i)\bwebsite\b"),
    ("cyfrifiadur", r"(?i)\bcomputers?\b"),
    ("seiberddiogelwch", r"(?i)\bcyber[ -]?security\b"),
]


def test_a_welsh_digital_word_finds_the_english_notices(rows):
    for welsh, english in DIGITAL_WORDS:  # one import of the recorded data for them all
        expected = with_pattern(rows, english)
        assert expected, english
        missed = expected - ocids(welsh)
        assert not missed, f"{welsh} misses {len(missed)} of the {len(expected)} notices matching {english}"


WELSH_FORMS = {  # a radical the recorded notices use, and its soft, nasal and aspirate forms
    "Cyngor": ("Gyngor", "Nghyngor", "Chyngor"),
    "Cymru": ("Gymru", "Nghymru", "Chymru"),
    "Caerdydd": ("Gaerdydd", "Nghaerdydd", "Chaerdydd"),
    "Gwynedd": ("Wynedd", "Ngwynedd"),
    "Bangor": ("Fangor", "Mangor"),
    "Powys": ("Bowys", "Mhowys", "Phowys"),
    "Casnewydd": ("Gasnewydd", "Nghasnewydd"),
}


def test_a_mutated_welsh_word_finds_everything_its_radical_finds(rows):
    # An English-language notice with a Welsh name, in its buyer only ("Cleaning and Janitorial Supplies").
    gwynedd = with_pattern(rows, r"Cyngor Gwynedd")
    assert gwynedd and gwynedd <= ocids("Gyngor") & ocids("Nghyngor") & ocids("Wynedd")
    for radical, forms in WELSH_FORMS.items():
        expected = ocids(radical)
        assert expected, radical
        for form in forms:
            missed = expected - ocids(form)
            assert not missed, f"{form} misses {len(missed)} of the {len(expected)} notices {radical} finds"


def test_folding_welsh_mutations_finds_no_nonsense_for_english_words(rows):
    for word in ("bus", "management", "road", "data", "training"):
        found = ocids(word)
        nonsense = found - with_pattern(rows, rf"(?i)\b{word[:4]}")  # any word of its stem
        assert found and not nonsense, f"{word} finds {len(nonsense)} notices without it"


FORWARD = {"pipeline", "engagement", "planned", "open"}
GOOD = {"title", "buyer", "cpv"}  # where a good match matched: not only its description


def ranked(text):
    """Return [(row, hit)] of a search's first hundred hits, in order."""
    found, results = search_procurements(text, None, "relevance", 1, 100)
    hits = {hit.id: hit for hit in results.hits}
    return [(row, hits[str(row.id)]) for row in found]


def test_forward_and_open_work_ranks_first_among_good_matches(rows):
    for text in ("software", "digital", "IT"):
        good = [row.stage for row, hit in ranked(text) if GOOD & set(hit.matched_fields)]
        forward = [stage in FORWARD for stage in good]
        assert any(forward) and not all(forward), text
        assert forward == sorted(forward, reverse=True), f"{text}: {good}"  # all forward ones first
        assert ranked(text)[0][0].stage in FORWARD


def test_closing_soonest_lists_only_deadlines_ahead_then_says_how_many_closed(rows):
    now = datetime.now(UTC)
    passed = {row.ocid for row in rows if row.deadline and as_utc(row.deadline) < now}
    assert passed
    listed, results = search("", sort="closing_soonest")
    assert results.closed_left_out == len(passed) and not passed & set(listed)
    assert results.total == len(rows) - len(passed) == len(listed)
    by_ocid = {row.ocid: row for row in rows}
    dated = [as_utc(by_ocid[ocid].deadline) for ocid in listed if by_ocid[ocid].deadline]
    assert dated and dated == sorted(dated) and dated[0] >= now - timedelta(minutes=1)
    message = next(m for m in results.messages if m.code == "closed_left_out")
    assert message.data == {"count": len(passed)}


def as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_nothing_for_all_words_says_what_each_finds_alone(rows, app):
    cloud, wales = ocids("cwmwl"), ocids("Cymru")
    assert cloud and wales and not cloud & wales
    _, results = search("cwmwl Cymru")
    assert results.total == 0 and results.words_alone == [("cwmwl", len(cloud)), ("Cymru", len(wales))]
    message = next(m for m in results.messages if m.code == "words_alone")
    assert ocids(message.data["any_of"]) == cloud | wales
    cli = json.loads(app.test_cli_runner().invoke(args=["search", "cwmwl Cymru", "--json"]).output)
    assert [m["code"] for m in cli["messages"]] == ["words_alone"] and "cwmwl OR Cymru" in cli["messages"][0]["text"]


FIRST_SEARCHES = ("IT", "ICT", "software", "TG", "cwmwl", "digital")
DIGITAL_DIVISIONS = ("30", "32", "48", "72")  # computers, telecoms equipment, software, IT services
DIGITAL_TITLE = re.compile(r"(?i)\b(IT|ICT|digital|software|cloud|data|cyber|computers?|system|platform|app)\b")


def is_digital(row) -> bool:
    codes = [c.get("code") or "" for c in row.cpv or []]
    labels = " ".join(c.get("label") or "" for c in row.cpv or [])
    return any(code.startswith(DIGITAL_DIVISIONS) for code in codes) or bool(
        DIGITAL_TITLE.search(f"{row.title} {labels}")
    )


def test_an_it_suppliers_first_searches_find_digital_work_with_open_and_planned_work_first(rows):
    for text in FIRST_SEARCHES:
        found = ranked(text)
        assert len(found) >= 10, text
        assert all(is_digital(row) for row, _ in found[:10]), f"{text}: {[r.title for r, _ in found[:10]]}"
        forward = [row.stage in FORWARD for row, _ in found]
        good = [bool(GOOD & set(hit.matched_fields)) for _, hit in found]
        assert any(forward), text
        # Forward and open work first among the good matches, then among the passing mentions.
        for tier in (True, False):
            in_tier = [f for f, g in zip(forward, good, strict=True) if g is tier]
            assert in_tier == sorted(in_tier, reverse=True), f"{text}: {[r.stage for r, _ in found]}"
        if any(f and g for f, g in zip(forward, good, strict=True)):
            assert forward[0], text  # a good match the supplier can bid for is the first hit
        assert any(forward[:10]), f"{text}: no open or planned work in the first ten"
