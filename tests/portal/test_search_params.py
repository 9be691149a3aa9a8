"""The search's query-string parameters, read by the one parser the page, the API and the exports share; fuzzed
query strings on every URL that reads them."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from portal.search.params import PARAMETERS, Problem, parse_search_args
from portal.web.search_page import PARAMETER_LABELS
from tests.pages import check_page
from tests.portal.search_corpus import load_corpus


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
