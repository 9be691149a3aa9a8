"""When all the words together find nothing, say how many each finds alone and offer the search for any of them."""

import pytest

from search_index import Filters, search
from search_index.query import parse, to_text


def ids(index, text, filters=None):
    return {hit.id for hit in search(index, text, filters, per_page=100).hits}


def alone(results):
    return next((m for m in results.messages if m.code == "words_alone"), None)


def test_each_word_alone_and_the_search_for_any(built_index):
    results = search(built_index, "software vehicles")
    assert results.total == 0
    software, vehicles = len(ids(built_index, "software")), len(ids(built_index, "vehicles"))
    assert software and vehicles
    assert results.words_alone == [("software", software), ("vehicles", vehicles)]
    message = alone(results)
    assert message.data == {
        "words": [{"word": "software", "count": software}, {"word": "vehicles", "count": vehicles}],
        "any_of": "software OR vehicles",
    }
    assert f"software finds {software}" in message.text and message.text.endswith("software OR vehicles")
    assert search(built_index, message.data["any_of"]).total == software + vehicles


def test_a_word_that_finds_nothing_says_so(built_index):
    results = search(built_index, "software xylophones")
    assert results.words_alone == [("software", len(ids(built_index, "software"))), ("xylophones", 0)]


def test_counts_are_within_the_filters_and_exclusions(built_index):
    open_only = Filters(stages=("open",))
    results = search(built_index, "software vehicles -schools", open_only)
    assert results.total == 0
    expected = len(ids(built_index, "software -schools", open_only))
    assert results.words_alone == [("software", expected), ("vehicles", 0)]  # the vehicles are closed
    any_of = alone(results).data["any_of"]
    assert any_of == "(software OR vehicles) -schools"
    assert ids(built_index, any_of, open_only) == ids(built_index, "software -schools", open_only)


def test_phrases_prefixes_and_groups_are_words_too(built_index):
    results = search(built_index, '"digital services" vehic* (furniture OR catering)')
    assert results.total == 0
    assert [word for word, _ in results.words_alone] == ['"digital services"', "vehic*", "(furniture OR catering)"]
    assert all(count for _, count in results.words_alone)


@pytest.mark.parametrize("text", ["xylophones", "software", "software vehicles OR furniture", "the xylophones"])
def test_no_message_for_one_word_or_when_something_was_found(built_index, text):
    results = search(built_index, text)
    assert alone(results) is None and results.words_alone == []


def test_stop_words_are_not_counted(built_index):
    assert [word for word, _ in search(built_index, "the software vehicles").words_alone] == ["software", "vehicles"]


@pytest.mark.parametrize(
    "text", ['"digital services"', "digi*", "(cleaning OR catering)", "software -schools", 'a NOT "b c"', "e-commerce"]
)
def test_to_text_reads_back_as_the_same_search(text):
    node = parse(text).node
    assert parse(to_text(node)).node == node
