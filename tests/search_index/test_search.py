"""Search on the hand-written corpus: syntax, bilingual matching, filters, sorts, facets, highlights."""

from datetime import timedelta

import pytest

from search_index import Filters, search
from tests.search_index.small_corpus import CORPUS, NOW


def ids(index, text="", **kwargs):
    return {hit.id for hit in search(index, text, per_page=100, **kwargs).hits}


def test_phrase(built_index):
    assert ids(built_index, '"dynamic purchasing system"') == {"ocds-t-01"}
    assert "ocds-t-01" not in ids(built_index, '"purchasing dynamic"')


def test_exclude(built_index):
    found = ids(built_index, "software -schools")
    assert "ocds-t-10" in found and "ocds-t-04" not in found


def test_prefix_and_or(built_index):
    assert {"ocds-t-02", "ocds-t-06"} <= ids(built_index, "clean*")
    assert ids(built_index, "furniture OR vehicles") == {"ocds-t-19", "ocds-t-11"}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("cyngor", "ocds-t-03"),  # "ei gyngor" in the description
        ("cyngor", "ocds-t-20"),  # "fy nghyngor"
        ("Cymru", "ocds-t-08"),  # "yng Nghymru"
        ("Bangor", "ocds-t-08"),  # "ym Mangor"
        ("Caerdydd", "ocds-t-08"),  # "a Chaerdydd"
        ("dwr", "ocds-t-15"),  # dŵr
    ],
)
def test_welsh_mutations_and_accents(built_index, query, expected):
    assert expected in ids(built_index, query)


def test_synonyms_both_ways(built_index):
    assert {"ocds-t-02", "ocds-t-25"} <= ids(built_index, "Caerdydd")  # they say only Cardiff
    assert "ocds-t-03" in ids(built_index, "council")  # Cyngor Sir Ceredigion …
    assert "ocds-t-01" in ids(built_index, "Ynys Môn")
    assert "ocds-t-01" in ids(built_index, "Anglesey")
    assert "ocds-t-03" in ids(built_index, "cleaning")  # glanhau


def test_english_stemming(built_index):
    assert ids(built_index, "service") >= ids(built_index, "services") - {"ocds-t-03"}
    assert "ocds-t-09" in ids(built_index, "meal")


def test_cpv_prefix_filter(built_index):
    assert ids(built_index, filters=Filters(cpv=("72",))) == {"ocds-t-05", "ocds-t-07", "ocds-t-10"}
    assert ids(built_index, filters=Filters(cpv=("7221",))) == {"ocds-t-10"}
    assert ids(built_index, filters=Filters(cpv=("72210000",))) == {"ocds-t-10"}


def test_region_prefix_filter(built_index):
    wales = {doc["id"] for doc in CORPUS if any(r.startswith("UKL") for r in doc["regions"])}
    assert ids(built_index, filters=Filters(regions=("UKL",))) == wales
    assert ids(built_index, filters=Filters(regions=("UKL22",))) == {"ocds-t-02", "ocds-t-16", "ocds-t-25"}


def test_value_range_with_and_without_no_value(built_index):
    in_range = {d["id"] for d in CORPUS if d["value_amount"] is not None and 50_000 <= d["value_amount"] <= 1_000_000}
    no_value = {d["id"] for d in CORPUS if d["value_amount"] is None}
    assert ids(built_index, filters=Filters(value_min=50_000, value_max=1_000_000)) == in_range
    assert ids(built_index, filters=Filters(value_min=50_000, value_max=1_000_000, include_no_value=True)) == (
        in_range | no_value
    )


def test_other_filters(built_index):
    assert ids(built_index, filters=Filters(stages=("pipeline",))) == {"ocds-t-06", "ocds-t-23"}
    assert ids(built_index, filters=Filters(sme=True, vcse=True)) == {"ocds-t-17"}
    assert ids(built_index, filters=Filters(sources=("cf",))) == {"ocds-t-14"}
    assert ids(built_index, filters=Filters(notice_types=("UK12",))) == {"ocds-t-16"}
    assert ids(built_index, filters=Filters(buyer_ids=("b-09",))) == {"ocds-t-09"}
    assert "ocds-t-11" not in ids(built_index, filters=Filters(in_wales=True))
    soon = ids(built_index, filters=Filters(deadline_from=NOW, deadline_to=NOW + timedelta(days=5)))
    assert soon == {"ocds-t-02", "ocds-t-04", "ocds-t-17", "ocds-t-26"}
    assert ids(built_index, filters=Filters(expected_to=NOW + timedelta(days=45))) == {"ocds-t-22", "ocds-t-23"}


def test_closing_soonest_sort(built_index):
    hits = search(built_index, "", Filters(stages=("open",)), sort="closing_soonest", per_page=5, now=NOW).hits
    assert [h.id for h in hits] == ["ocds-t-17", "ocds-t-04", "ocds-t-26", "ocds-t-02", "ocds-t-21"]


def test_sorts_put_missing_values_last(built_index):
    newest = [h.id for h in search(built_index, "", sort="newest", per_page=3).hits]
    assert newest == ["ocds-t-01", "ocds-t-02", "ocds-t-03"]
    by_value = [h.id for h in search(built_index, "", sort="value", per_page=100).hits]
    assert by_value[0] == "ocds-t-24" and by_value[-1] in {d["id"] for d in CORPUS if d["value_amount"] is None}
    expected = [
        h.id for h in search(built_index, "", Filters(stages=("pipeline", "planned")), sort="expected_soonest").hits
    ]
    assert expected == ["ocds-t-23", "ocds-t-22", "ocds-t-05", "ocds-t-06"]


def test_facets_sum_to_the_total(built_index):
    results = search(built_index, "council")
    assert results.total == len(ids(built_index, "council"))
    assert sum(results.facets["stage"].values()) == results.total
    value_total = sum(results.facets["value"].values())
    assert value_total == results.total
    everything = search(built_index, "")
    assert everything.total == len(CORPUS) and sum(everything.facets["stage"].values()) == len(CORPUS)
    assert everything.facets["region"]["UKL"] == len(ids(built_index, filters=Filters(regions=("UKL",))))


def test_paging(built_index):
    first = search(built_index, "", per_page=10, page=1).hits
    third = search(built_index, "", per_page=10, page=3).hits
    assert len(first) == 10 and len(third) == 10 and not {h.id for h in first} & {h.id for h in third}


def test_title_matches_rank_first(built_index):
    hits = search(built_index, "software").hits
    assert hits[0].id in {"ocds-t-04", "ocds-t-10", "ocds-t-26"} and hits[0].score > 0


def test_why_this_matched(built_index):
    hit = next(h for h in search(built_index, "cyngor").hits if h.id == "ocds-t-03")
    assert "description" in hit.matched_fields and "buyer" in hit.matched_fields
    assert "<mark>gyngor</mark>" in hit.highlights["description"]


def test_highlights_are_escaped(built_index):
    hit = search(built_index, "hosting").hits[0]
    assert hit.id == "ocds-t-07"
    html = hit.highlights["title"] + hit.highlights["description"]
    assert "<script" not in html and "&lt;script&gt;" in html and "<b>" not in html
    assert html.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_bad_input_is_a_message_not_an_error(built_index):
    results = search(built_index, '"unclosed (stray OR', sort="nonsense", page=-3, per_page=10_000)
    assert {"unbalanced_quote", "unknown_sort"} <= {m.code for m in results.messages}
    assert search(built_index, "the").messages[0].code == "stop_words_only"


def test_missing_index_is_a_message(tmp_path):
    results = search(tmp_path / "nothing", "x")
    assert results.total == 0 and results.messages[0].code == "index_unavailable"
