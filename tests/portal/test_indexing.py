"""The search index kept in step with the database, and `flask index` / `flask search`."""

import json
import shutil
from pathlib import Path

from sqlmodel import select

import search_index
from portal.collect.ingest import ingest_page
from portal.db import session_scope
from portal.models.tables import Procurement
from portal.search.indexing import document_for, rebuild_index, search_procurements, sync_index
from tests.factories import fts_release, s2w_release


def ingest(source, releases, welsh=None):
    with session_scope() as session:
        ingest_page(session, source, releases, welsh)
        session.commit()


def ocids(text, **filters):
    rows, _results = search_procurements(text, search_index.Filters(**filters) if filters else None)
    return [row.ocid for row in rows]


def test_document_carries_what_search_needs(app):
    with app.app_context():
        ingest("fts", [fts_release(title="Meddalwedd i ysgolion", cpv="48000000", region="UKL22")])
        with session_scope() as session:
            doc = document_for(session.exec(select(Procurement)).one())
        assert doc["id"].isdigit() and doc["stage"] == "open"
        assert doc["cpv"] == ["48000000"] and doc["cpv_labels"] == ["IT"] and doc["regions"] == ["UKL22"]
        assert doc["value_amount"] == 100000 and doc["in_wales"] is True and doc["buyer_id"]


def test_sync_finds_new_words_not_old_ones_and_rows_come_back_in_rank_order(app):
    with app.app_context():
        ingest(
            "fts",
            [
                fts_release(title="Road gritting"),
                fts_release(ocid="ocds-h6vhtk-0b", notice_id="2-2026", title="Gritting salt supply for roads"),
            ],
        )
        assert rebuild_index() == 2
        assert set(ocids("gritting")) == {"ocds-h6vhtk-0a0001", "ocds-h6vhtk-0b"}
        ingest(
            "fts", [fts_release(notice_id="070002-2026", title="Winter pothole repairs", date="2026-08-11T10:00:00Z")]
        )
        assert sync_index()[0] >= 1
        assert ocids("pothole") == ["ocds-h6vhtk-0a0001"]
        assert ocids("gritting") == ["ocds-h6vhtk-0b"]


def test_a_procurement_merged_into_another_leaves_the_index_on_sync(app):
    with app.app_context():
        ingest("s2w", [s2w_release(title="Glanhau swyddfeydd", related=["2024/S 000-035618"])])
        rebuild_index()
        assert ocids("glanhau") == ["ocds-kuma6s-148001"]
        ingest("fts", [fts_release(notice_id="035618-2024", title="Office cleaning")])
        sync_index()
        assert ocids("glanhau") == ["ocds-h6vhtk-0a0001"]  # the S2W notice now lives in the FTS procurement
        assert search_index.doc_count(app.config["INDEX_DIR"]) == 1


def test_a_deleted_index_is_rebuilt_by_sync_with_the_same_results(app):
    with app.app_context():
        ingest("fts", [fts_release(title="School catering"), fts_release(ocid="ocds-h6vhtk-0c", notice_id="3-2026")])
        rebuild_index()
        before = ocids("catering")
        shutil.rmtree(app.config["INDEX_DIR"])
        assert ocids("catering") == []  # a missing index is a message, never an error
        sync_index()
        assert ocids("catering") == before == ["ocds-h6vhtk-0a0001"]


def test_index_and_search_commands(app, runner):
    with app.app_context():
        ingest(
            "fts",
            [
                fts_release(title="Cyngor digital services"),
                fts_release(ocid="ocds-h6vhtk-0d", notice_id="4-2026", notice_type="UK1"),
            ],
        )
    rebuilt = runner.invoke(args=["index", "rebuild"])
    assert rebuilt.exit_code == 0 and "indexed 2 procurements" in rebuilt.output
    synced = runner.invoke(args=["index", "sync"])
    assert synced.exit_code == 0 and "removed 0" in synced.output
    result = json.loads(runner.invoke(args=["search", "digital", "--stage", "open", "--json"]).output)
    assert result["total"] == 1 and result["results"][0]["ocid"] == "ocds-h6vhtk-0a0001"
    assert "title" in result["results"][0]["matched"]
    broken = json.loads(runner.invoke(args=["search", '"unbalanced (quote', "--json"]).output)
    assert broken["messages"] and broken["total"] == 0
    text = runner.invoke(args=["search", "digital"]).output
    assert "2 found" in text and "ocds-h6vhtk-0a0001" in text and "ocds-h6vhtk-0d" in text
    assert Path(app.config["INDEX_DIR"]).exists()


def test_two_procurements_merged_by_a_later_notice_become_one_document(app):
    with app.app_context():
        ingest("fts", [fts_release(notice_type="UK3", notice_id="069280-2026", title="Planned bridge repairs")])
        ingest("s2w", [s2w_release(title="Atgyweirio pontydd", related=["2026/S 000-069310"])])
        rebuild_index()
        assert search_index.doc_count(app.config["INDEX_DIR"]) == 2
        # The FTS tender is the notice the Sell2Wales one cited, and shares the UK3's ocid: one procurement.
        ingest("fts", [fts_release(notice_id="069310-2026", title="Bridge repairs", date="2026-08-11T10:00:00Z")])
        assert sync_index()[1] == 1
        assert search_index.doc_count(app.config["INDEX_DIR"]) == 1
        assert ocids("bridge") == ["ocds-h6vhtk-0a0001"]
        with session_scope() as session:
            assert sorted(session.exec(select(Procurement)).one().sources) == ["fts", "s2w"]
