"""The search box language: every syntax form and every degradation path, without an index."""

from hypothesis import given, settings
from hypothesis import strategies as st

from search_index.query import MAX_CHARS, MAX_TERMS, And, Not, Or, Phrase, Word, parse
from search_index.query_plan import compile_query


def codes(text):
    return [m.code for m in parse(text).messages]


def test_words_are_anded():
    assert parse("cleaning services").node == And((Word("cleaning"), Word("services")))


def test_or():
    assert parse("school OR ysgol").node == Or((Word("school"), Word("ysgol")))


def test_or_binds_looser_than_and():
    assert parse("a b OR c").node == Or((And((Word("a"), Word("b"))), Word("c")))


def test_phrase():
    assert parse('"dynamic purchasing system"').node == Phrase(("dynamic", "purchasing", "system"))


def test_exclude_with_dash_and_not():
    assert parse("software -licences").node == And((Word("software"), Not(Word("licences"))))
    assert parse("software NOT licences").node == parse("software -licences").node


def test_prefix():
    assert parse("digi*").node == Word("digi", prefix=True)


def test_parentheses():
    assert parse("(cleaning OR glanhau) offices").node == And(
        (Or((Word("cleaning"), Word("glanhau"))), Word("offices"))
    )


def test_empty_is_everything():
    assert parse("").node is None and parse(None).node is None and parse("   ").messages == ()


def test_unbalanced_quote_reads_words():
    parsed = parse('"dynamic purchasing')
    assert parsed.node == And((Word("dynamic"), Word("purchasing")))
    assert codes('"dynamic purchasing') == ["unbalanced_quote"]


def test_unbalanced_parentheses():
    assert parse("(a OR b").node == Or((Word("a"), Word("b")))
    assert codes("(a OR b") == ["unbalanced_parenthesis"]
    assert codes("a b)") == ["unbalanced_parenthesis"]


def test_stray_operators():
    assert parse("OR cleaning OR").node == Word("cleaning")
    assert codes("OR cleaning OR") == ["stray_operator"]
    assert codes("cleaning -") == ["stray_operator"]
    assert parse("NOT").node is None


def test_short_prefix_is_a_word():
    assert parse("ab*").node == Word("ab")
    assert codes("ab*") == ["prefix_too_short"]


def test_long_input_is_truncated():
    assert "truncated" in codes("word " * 200)
    assert len(parse("x" * (MAX_CHARS * 3)).node.text) == MAX_CHARS


def test_too_many_terms():
    parsed = parse(" ".join(f"w{i}" for i in range(100)))
    assert len(parsed.node.children) == MAX_TERMS
    assert "too_many_terms" in [m.code for m in parsed.messages]


def test_deep_nesting():
    assert "nested_too_deep" in codes("(" * 20 + "a" + ")" * 20)


def test_hostile_text_becomes_words():
    parsed = parse("<script>alert(1)</script>\x00\u202e")
    assert parsed.node is not None
    assert compile_query(parsed).query is not None


def test_messages_have_code_and_english_text():
    message = parse('"a').messages[0]
    assert message.code == "unbalanced_quote" and message.text.endswith(".")


def test_compile_stop_words_only_is_every():
    from whoosh import query as wq

    assert isinstance(compile_query(parse("the")).query, wq.Every)


def test_compile_exclusion_only():
    from whoosh import query as wq

    assert isinstance(compile_query(parse("-legal")).query, wq.AndNot)


def test_compile_synonyms_both_ways():
    terms = compile_query(parse("Caerdydd")).terms["title"]
    assert {"caerdydd", "cardiff"} <= terms
    assert "cyngor" in compile_query(parse("council")).terms["buyer"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600))
def test_any_text_parses_and_compiles(text):
    parsed = parse(text)
    compile_query(parsed)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(['"', "(", ")", "OR", "NOT", "-", "*", "a", "bcd*", "-x", "AND", " "]), max_size=40))
def test_operator_soup_parses_and_compiles(parts):
    parsed = parse(" ".join(parts))
    compile_query(parsed)
