"""Analysers: Welsh mutations fold to the radical, accents fold, English stems."""

import pytest

from search_index.analysis import RADICAL, english_analyzer, query_positions, query_terms, welsh_analyzer
from search_index.welsh import radicals

MUTATIONS = [
    # (mutated, radical, kind)
    ("gyngor", "cyngor", "soft c"),
    ("nghyngor", "cyngor", "nasal c"),
    ("chyngor", "cyngor", "aspirate c"),
    ("Gymru", "cymru", "soft c"),
    ("Nghymru", "cymru", "nasal c"),
    ("bwyllgor", "pwyllgor", "soft p"),
    ("mhwyllgor", "pwyllgor", "nasal p"),
    ("phwyllgor", "pwyllgor", "aspirate p"),
    ("dref", "tref", "soft t"),
    ("nhref", "tref", "nasal t"),
    ("thref", "tref", "aspirate t"),
    ("fwrdd", "bwrdd", "soft b"),
    ("Mangor", "bangor", "nasal b"),
    ("ddinas", "dinas", "soft d"),
    ("Ninbych", "dinbych", "nasal d"),
    ("waith", "gwaith", "soft g (deleted)"),
    ("ngwaith", "gwaith", "nasal g"),
    ("fenter", "menter", "soft m"),
    ("lyfrgell", "llyfrgell", "soft ll"),
    ("raglen", "rhaglen", "soft rh"),
    ("henw", "enw", "h-prothesis"),
    ("hysgol", "ysgol", "h-prothesis"),
]


@pytest.mark.parametrize("mutated, radical, kind", MUTATIONS)
def test_mutated_word_is_indexed_with_its_radical(mutated, radical, kind):
    terms = welsh_analyzer().term_set(mutated)
    assert RADICAL + radical in terms, kind  # marked: the word as written ranks above it
    assert mutated.lower() in terms  # the original is kept: it may be a radical itself


def test_ambiguous_f_gives_both_candidates():
    assert set(radicals("fam")) == {"bam", "mam"}


def test_real_ff_dd_ng_words_keep_themselves():
    assert radicals("ffordd") == ()
    assert "ddraig" in welsh_analyzer().term_set("ddraig")
    assert welsh_analyzer().term_set("ffordd") == {"ffordd"}
    assert "ngwaith" in welsh_analyzer().term_set("ngwaith")


def test_candidates_share_the_position_of_their_word():
    tokens = [(t.text, t.pos) for t in welsh_analyzer()("ei gyngor", positions=True, mode="index")]
    assert ("gyngor", 0) in tokens and ("~cyngor", 0) in tokens  # "ei" is a stop word


def test_a_search_folds_too_the_word_as_typed_first():
    assert query_positions(welsh_analyzer(), "gyngor") == [("gyngor", "~gyngor", "cyngor", "~cyngor")]
    assert query_positions(welsh_analyzer(), "Ben-y-bont") == [
        ("ben", "~ben", "pen", "~pen"),
        ("bont", "~bont", "pont", "~pont"),
    ]
    assert query_positions(english_analyzer(), "gyngor") == [("gyngor",)]  # English fields are not folded


def test_accents_fold():
    assert [forms[0] for forms in query_positions(welsh_analyzer(), "dŵr Môn")] == ["dwr", "mon"]
    assert query_terms(english_analyzer(), "café") == ["cafe"]


def test_english_stems_and_drops_stop_words():
    assert query_terms(english_analyzer(), "the services") == query_terms(english_analyzer(), "service")
