"""Acronyms: a word typed in capitals is never a stop word and finds the same capitals, not the everyday word."""

import pytest

from search_index import rebuild, search, sync
from search_index.analysis import english_analyzer, query_positions, welsh_analyzer
from search_index.synonyms import alternatives
from tests.search_index.small_corpus import CORPUS, notice

ACRONYMS = [
    notice("ocds-a-01", "IT support for schools", description="Managed IT and ICT support."),
    notice("ocds-a-02", "Cleaning contract", description="It is a cleaning contract; it covers offices."),
    notice("ocds-a-03", "Gwasanaethau TGCh", title_cy="Gwasanaethau TGCh", sources=["s2w"], in_wales=True),
    notice("ocds-a-04", "HR and payroll system", description="An HR system with AI features."),
    notice("ocds-a-05", "Hr depot", description="Hay and straw for the depot, delivered by the hr."),
    notice("ocds-a-06", "PROVISION OF IT SERVICES", description="ALL IT SUPPORT"),
    notice("ocds-a-07", "Cloud hosting", description="Cloud hosting of the ICT estate."),
]


@pytest.fixture(scope="module")
def acronym_index(tmp_path_factory):
    path = tmp_path_factory.mktemp("acronyms")
    rebuild(path, CORPUS, procs=1)
    sync(path, ACRONYMS)
    return path


def ids(index, text):
    return {hit.id for hit in search(index, text, per_page=100).hits}


def test_capitals_are_indexed_beside_the_word_even_when_it_is_a_stop_word():
    english = english_analyzer()
    assert english.positions("IT services") == [("IT",), ("servic",)]
    assert english.positions("it services") == [("servic",)]
    assert english.positions("ICT") == [("ict", "ICT")]
    assert welsh_analyzer().term_set("TGCh") == {"tgch", "TGCH"}
    assert english.positions("Ict") == [("ict",)]  # one capital is a word at the start of a sentence


def test_a_search_in_capitals_looks_for_the_capitals():
    english = english_analyzer()
    assert query_positions(english, "IT") == [("IT",)]
    assert query_positions(english, "it") == []
    assert query_positions(english, "TGCh") == [("TGCH",)]
    # A long word in capitals was probably typed with caps lock: it also finds the word in any case.
    assert query_positions(english, "CLOUD") == [("CLOUD", "cloud")]


def test_it_finds_it_in_capitals_and_not_the_pronoun(acronym_index):
    found = ids(acronym_index, "IT")
    assert {"ocds-a-01", "ocds-a-06", "ocds-t-26"} <= found  # "An IT service desk tool"
    assert "ocds-t-05" in found  # its CPV label is "IT services"
    assert "ocds-a-02" not in found
    assert search(acronym_index, "it").messages[0].code == "stop_words_only"  # lower case: as before


def test_it_services_means_both_words(acronym_index):
    found = ids(acronym_index, "IT services")
    assert "ocds-a-06" in found and "ocds-t-05" in found
    assert "ocds-t-02" not in found  # cleaning services, no IT
    assert ids(acronym_index, '"IT services"') >= {"ocds-a-06", "ocds-t-05"}


@pytest.mark.parametrize(
    "text, expected, unexpected",
    [
        ("ICT", {"ocds-a-01", "ocds-a-07"}, set()),
        ("TGCh", {"ocds-a-03"}, set()),
        ("HR", {"ocds-a-04"}, {"ocds-a-05"}),
        ("AI", {"ocds-a-04"}, set()),
        ("CLOUD", {"ocds-a-07"}, set()),
    ],
)
def test_other_acronyms(acronym_index, text, expected, unexpected):
    found = ids(acronym_index, text)
    assert expected <= found and not found & unexpected


def test_an_acronym_is_marked_in_capitals_only(acronym_index):
    hits = {h.id: h for h in search(acronym_index, "IT").hits}
    assert hits["ocds-a-01"].highlights["title"] == "<mark>IT</mark> support for schools"
    assert hits["ocds-a-06"].highlights["description"] == "ALL <mark>IT</mark> SUPPORT"


def test_glossary_acronyms_are_looked_up_as_typed():
    assert "ICT" in alternatives(["TGCh"]) and "TGCh" in alternatives(["ICT"])
    assert "TGCh" in alternatives(["ict"])  # three letters: lower case too
    assert alternatives(["it"]) == ()
