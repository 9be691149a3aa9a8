"""The Welsh/English glossary is data: well formed, applied both ways, and never keyed by an everyday English word."""

import csv

import pytest

from search_index import rebuild, search, sync
from search_index.analysis import WORD_RE
from search_index.synonyms import DATA, MAX_WORDS, alternatives, key_of, table
from tests.search_index.small_corpus import CORPUS, notice

DIGITAL = [
    ("TG", "IT"),
    ("TGCh", "ICT"),
    ("cwmwl", "cloud"),
    ("cyfrifiadur", "computer"),
    ("cyfrifiaduron", "computers"),
    ("digidol", "digital"),
    ("meddalwedd", "software"),
    ("gwefan", "website"),
    ("seiberddiogelwch", "cyber security"),
    ("caledwedd", "hardware"),
    ("band eang", "broadband"),
    ("deallusrwydd artiffisial", "artificial intelligence"),
]
# English words with another everyday meaning, which must never stand alone as a key.
NEVER_KEYS = ["plant", "offer", "tan", "it", "community", "programme", "access"]


def rows(name="glossary.csv"):
    with (DATA / name).open(encoding="utf-8") as handle:
        return [row for row in csv.reader(handle) if row and not row[0].startswith("#")]


def test_the_glossary_is_two_columns_of_distinct_pairs():
    found = rows()
    assert found[0] == ["cy", "en"]
    pairs = [tuple(cell.strip() for cell in row) for row in found[1:]]
    assert all(len(pair) == 2 and all(pair) for pair in pairs)
    assert len(set(pairs)) == len(pairs), "a pair is listed twice"
    for cy, en in pairs:
        assert cy.casefold() != en.casefold(), f"{cy}: a word spelt the same in both languages needs no entry"
        for side in (cy, en):
            key = key_of(WORD_RE.findall(side))
            assert key and len(key) <= MAX_WORDS, f"{side!r} cannot be looked up"


@pytest.mark.parametrize("cy, en", [tuple(row) for row in rows()[1:]])
def test_every_pair_works_both_ways(cy, en):
    assert en in alternatives(WORD_RE.findall(cy))
    assert cy in alternatives(WORD_RE.findall(en))


@pytest.mark.parametrize("first, second", [tuple(row) for row in rows("equivalents.csv")[1:]])
def test_words_of_one_meaning_find_each_other(first, second):
    assert second in alternatives(WORD_RE.findall(first)) and first in alternatives(WORD_RE.findall(second))


def test_ict_is_it_in_capitals_and_in_lower_case():
    assert "IT" in alternatives(["ICT"]) and "IT" in alternatives(["ict"]) and "ICT" in alternatives(["IT"])
    assert alternatives(["it"]) == ()


@pytest.mark.parametrize("cy, en", DIGITAL)
def test_the_digital_terms_are_there(cy, en):
    assert en in alternatives(WORD_RE.findall(cy)) and cy in alternatives(WORD_RE.findall(en))


@pytest.mark.parametrize("word", NEVER_KEYS)
def test_everyday_english_words_are_not_keys(word):
    assert key_of([word]) not in table()


GLOSSARY_DOCS = [
    notice("ocds-g-01", "Cloud hosting for the council", description="Hosting in a public cloud."),
    notice("ocds-g-02", "Gwasanaethau cwmwl", title_cy="Gwasanaethau cwmwl", sources=["s2w"], in_wales=True),
    notice("ocds-g-03", "Website redesign", description="A new website with accessible forms."),
    notice("ocds-g-04", "Cymorth TG i ysgolion", title_cy="Cymorth TG i ysgolion", sources=["s2w"], in_wales=True),
    notice("ocds-g-05", "Seiberddiogelwch", title_cy="Seiberddiogelwch", sources=["s2w"], in_wales=True),
    notice("ocds-g-06", "Cyber security assurance", description="Penetration testing."),
]


@pytest.fixture(scope="module")
def glossary_index(tmp_path_factory):
    path = tmp_path_factory.mktemp("glossary")
    rebuild(path, CORPUS, procs=1)
    sync(path, GLOSSARY_DOCS)
    return path


def ids(index, text):
    return {hit.id for hit in search(index, text, per_page=100).hits}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("cwmwl", {"ocds-g-01", "ocds-g-02"}),
        ("cloud", {"ocds-g-01", "ocds-g-02"}),
        ("gwefan", {"ocds-g-03"}),
        ("TG", {"ocds-g-04", "ocds-t-26"}),  # "An IT service desk tool"
        ("IT", {"ocds-g-04", "ocds-t-26"}),
        ("IT support", {"ocds-g-04"}),
        ("seiberddiogelwch", {"ocds-g-05", "ocds-g-06"}),
        ('"cyber security"', {"ocds-g-05", "ocds-g-06"}),
        ("cyfrifiaduron", {"ocds-t-20", "ocds-t-30"}),  # "Computer equipment and supplies"
    ],
)
def test_a_term_finds_notices_in_either_language(glossary_index, text, expected):
    assert expected <= ids(glossary_index, text)


def test_two_letters_in_lower_case_are_not_looked_up_as_acronyms(glossary_index):
    assert ids(glossary_index, "tg") == {"ocds-g-04"}  # the word as written, but not IT
    assert search(glossary_index, "it").total == len(CORPUS) + len(GLOSSARY_DOCS)
