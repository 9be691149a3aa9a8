"""The alert matcher's adapter: rows and query strings in, {search: {procurement: words}} out, never an error."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from whoosh.filedb.filestore import RamStorage

from portal.alerts import matcher
from portal.alerts.matcher import match_batch, match_batch_naive, search_of
from portal.models.tables import Procurement
from search_index import Filters
from search_index.matching import Unsupported

NOW = datetime(2026, 8, 10, 9, tzinfo=UTC)


def row(pid: int, title: str, **fields) -> Procurement:
    values = {"ocid": f"ocds-test-{pid}", "stage": "open", "sources": ["fts"], "notice_types": ["UK4"], "cpv": []}
    values |= {"regions": [], "updated_at": NOW, "published_at": NOW, **fields}
    return Procurement(id=pid, title=title, **values)


BATCH = [
    row(1, "Cleaning services for Cardiff schools", cpv=[{"code": "90910000", "label": "Cleaning services"}]),
    row(2, "Gwasanaethau glanhau i Gyngor Gwynedd", title_cy="Gwasanaethau glanhau", in_wales=True, sources=["s2w"]),
    row(3, "Highway maintenance framework", value_amount=2_500_000.0, regions=["UKL22"], stage="planned"),
    row(4, "Window cleaning, Wrexham", value_amount=20_000.0, regions=["UKL23"]),
]
SEARCHES = {
    10: "q=cleaning",
    11: "q=cyngor",
    12: "q=cleaning+-window",
    13: "q=%22cleaning+services%22",
    14: "region=UKL&value_min=10000",
    15: "q=nothing-finds-this",
    16: "q=Cardiff+OR+Wrecsam&stage=open",
    17: "stage=planned",
}


def test_matches_say_which_procurements_and_which_words():
    found = match_batch(SEARCHES, BATCH)
    assert found == {
        10: {1: ("cleaning",), 2: ("cleaning",), 4: ("cleaning",)},  # the glossary: glanhau
        11: {2: ("cyngor",)},  # "Gyngor" is a mutation of cyngor
        12: {1: ("cleaning",), 2: ("cleaning",)},
        13: {1: ('"cleaning services"',)},
        14: {3: (), 4: ()},  # filters alone: no words
        16: {1: ("Cardiff",), 4: ("Wrecsam",)},  # the Welsh name finds Wrexham, as typed
        17: {3: ()},
    }
    assert found == match_batch_naive(SEARCHES, BATCH)


def test_no_searches_or_no_procurements_match_nothing():
    assert match_batch({}, BATCH) == {}
    assert match_batch(SEARCHES, []) == {} == match_batch_naive(SEARCHES, [])


def test_a_query_string_is_read_as_the_search_page_reads_it_once():
    assert search_of("q=cleaning&stage=open&sort=newest") == ("cleaning", Filters(stages=("open",)))
    assert search_of("stage=nonsense&q=") == ("", Filters())  # what cannot be used is dropped
    assert search_of("q=a") is search_of("q=a")


@pytest.mark.parametrize("query", ["%%%", "q=%22open+(quote", "value_min=abc&cpv=x", "q=" + "a+" * 600, ""])
def test_a_broken_query_string_matches_what_its_readable_part_finds(query):
    assert match_batch({1: query}, BATCH) == match_batch_naive({1: query}, BATCH)


def test_a_search_the_fast_path_cannot_evaluate_is_matched_by_whoosh(monkeypatch, caplog):
    real = matcher.compile_search

    def compile_or_refuse(text, filters=None):
        if text == "cleaning":
            raise Unsupported("for the test")
        return real(text, filters)

    monkeypatch.setattr(matcher, "compile_search", compile_or_refuse)
    assert match_batch(SEARCHES, BATCH) == match_batch_naive(SEARCHES, BATCH)
    assert "matched the slow way" in caplog.text


def test_naive_runs_at_once_keep_their_temporary_files_apart(monkeypatch):
    # Whoosh writes a RAM index's temporary files under /tmp/<index name>.tmp: with the default name, two
    # processes (the clock's fallback and a test run) shared one directory and the first to finish deleted it.
    names: list[str] = []
    original = RamStorage.temp_storage

    def recording(self, name=None):
        names.append(name)
        return original(self, name)

    monkeypatch.setattr(RamStorage, "temp_storage", recording)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: match_batch_naive(SEARCHES, BATCH), range(8)))
    assert all(found == results[0] for found in results) and results[0]
    assert len(set(names)) == 8 and not any(name.startswith("MAIN") for name in names)
