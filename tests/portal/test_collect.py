"""Collection into the database from a real loopback HTTP server replaying the recorded registers."""

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete
from sqlmodel import select
from werkzeug import Response

from portal.collect import jobs
from portal.collect.ingest import ingest_page
from portal.db import session_scope
from portal.models.tables import (
    Buyer,
    CollectionState,
    CollectorRun,
    Procurement,
    ProcurementKey,
    Quarantine,
    Release,
    RssItem,
)
from tests.factories import package, s2w_release
from tests.portal.snapshots import snapshot, watermark
from tests.realdata import FTS_DAY, real_json
from tests.replay import loopback_base, recorded_response, serve_chain, serve_recorded

# 2026-08-10 00:00 to 2026-08-11 00:00 London time (BST) is this window in UTC.
DAY_START, DAY_END = datetime(2026, 8, 9, 23, tzinfo=UTC), datetime(2026, 8, 10, 23, tzinfo=UTC)
PAGES = [f"{FTS_DAY}/page-00{n}.json" for n in range(1, 6)]


@pytest.fixture
def registers(app, httpserver):
    """Point every register at the loopback server."""
    base = loopback_base(httpserver)
    app.config.update(FTS_BASE_URL=base, CF_BASE_URL=base, S2W_BASE_URL=base, S2W_RSS_BASE_URL=base)
    return httpserver


def run(sources, since=DAY_START, until=DAY_END):
    sleeps = []
    runs = jobs.collect(sources, since, until, sleep=sleeps.append)
    return runs, sleeps


def count(model):
    with session_scope() as session:
        return len(session.exec(select(model)).all())


def test_the_real_five_page_chain_is_stored_once_and_moves_the_watermark(app, registers):
    serve_chain(registers, PAGES)
    with app.app_context():
        [first], _ = run(["fts"])
        assert (first.status, first.pages, first.releases_new) == ("ok", 5, 459)
        assert (count(Release), count(Procurement)) == (459, 438)
        assert watermark("fts") == DAY_END
        before = snapshot()
        [second], _ = run(["fts"])
        assert (second.releases_new, second.duplicates) == (0, 459)
        assert snapshot() == before


def test_the_real_429_is_waited_out_then_the_page_is_stored(app, registers):
    url = real_json("find_a_tender/foretender/probe/22-window-noZ.json")["uri"]
    probe = "find_a_tender/foretender/probe/"
    serve_recorded(registers, url, f"{probe}20-window-noZ-429.txt", f"{probe}20-window-noZ-429.headers", once=True)
    serve_recorded(registers, url, f"{probe}22-window-noZ.json")
    since, until = datetime(2026, 8, 11, 15, tzinfo=UTC), datetime(2026, 8, 11, 16, tzinfo=UTC)
    with app.app_context():
        [result], sleeps = run(["fts"], since, until)
        assert result.status == "ok" and result.releases_new == 43
        assert 120 in sleeps
        assert count(Release) == 43


def test_the_real_page_with_a_server_side_duplicate_stores_99(app):
    releases = real_json("find_a_tender/foretender/whole-stream/page-050.json")["releases"]
    with app.app_context(), session_scope() as session:
        counts = ingest_page(session, "fts", releases)
        session.commit()
        assert (counts.seen, counts.new, counts.duplicates) == (100, 99, 1)


def test_the_real_empty_page_with_an_empty_published_date_ends_the_window(app, registers):
    serve_recorded(
        registers,
        "/api/1.0/ocdsReleasePackages?updatedFrom=2026-08-10T00:00:00&updatedTo=2026-08-11T00:00:00&limit=100",
        "find_a_tender/foretender/probe/24-stages-combo.json",
    )
    with app.app_context():
        [result], _ = run(["fts"])
        assert (result.status, result.pages, result.releases_seen) == ("ok", 1, 0)
        assert watermark("fts") == DAY_END


def _serve_s2w(server, month, failing_type=None):
    for kind in (1, 2, 3, 4, 5, 51, 52, 53):
        for locale in ("2057", "1106"):
            query = {"dateFrom": month, "noticeType": str(kind), "outputType": "0", "locale": locale}
            if kind == failing_type:
                body = "Error converting data type nvarchar to float."
                server.expect_request("/v1/Notices", query_string=query).respond_with_data(body, status=500)
            elif kind == 2:
                title = "Cleaning services" if locale == "2057" else "Gwasanaethau glanhau"
                server.expect_request("/v1/Notices", query_string=query).respond_with_json(
                    package([s2w_release(title=title)])
                )
            else:
                server.expect_request("/v1/Notices", query_string=query).respond_with_json(package([]))


def test_a_sell2wales_500_fails_only_its_partition_and_never_stops_other_sources(app, registers):
    _serve_s2w(registers, "02-2025", failing_type=1)
    serve_chain(registers, PAGES)
    since, until = datetime(2025, 2, 1, tzinfo=UTC), datetime(2025, 3, 1, tzinfo=UTC)
    with app.app_context():
        [s2w], _ = run(["s2w"], since, until)
        assert s2w.status == "partial"
        assert [p["partition"] for p in s2w.failed_partitions] == ["1"]
        assert "nvarchar to float" in s2w.failed_partitions[0]["error"]
        assert watermark("s2w") is None  # the failed partition is fetched again next time
        [procurement] = _all(Procurement)
        assert (procurement.title, procurement.title_cy) == ("Cleaning services", "Gwasanaethau glanhau")
        [fts], _ = run(["fts"])
        assert fts.status == "ok" and fts.releases_new == 459


def test_a_failing_source_is_recorded_and_the_next_one_still_runs(app, registers):
    registers.expect_request("/api/1.0/ocdsReleasePackages").respond_with_data("<html>down</html>", status=200)
    _serve_s2w(registers, "08-2026")
    with app.app_context():
        fts, s2w = jobs.collect(["fts", "s2w"], DAY_START, DAY_END, sleep=lambda s: None)
        assert fts.status == "failed" and "unparseable JSON" in fts.error
        assert s2w.status == "ok" and s2w.releases_new == 1


def _all(model):
    with session_scope() as session:
        return session.exec(select(model)).all()


def _wipe():
    with session_scope() as session:
        for model in (RssItem, ProcurementKey, Release, Quarantine, Procurement, Buyer, CollectorRun, CollectionState):
            session.execute(delete(model))
        session.commit()


def test_a_run_killed_half_way_then_rerun_gives_the_same_database_as_an_uninterrupted_run(app, registers):
    third_url = json.loads(recorded_response(PAGES[1]).get_data())["links"]["next"]
    serve_chain(registers, PAGES[:2])
    serve_recorded_garbage = registers.expect_oneshot_request
    path, _, query = third_url.partition("?")
    serve_recorded_garbage("/api/1.0/ocdsReleasePackages", query_string=query).respond_with_response(
        Response("<html>502 Bad Gateway</html>", status=200)
    )
    with app.app_context():
        [broken], _ = run(["fts"])
        assert broken.status == "failed" and "unparseable JSON" in broken.error
        assert count(Release) == 200  # the two pages before the failure stay committed
        assert watermark("fts") is None
        registers.clear()
        serve_chain(registers, PAGES)
        [resumed], _ = run(["fts"])
        assert resumed.status == "ok" and (resumed.releases_new, resumed.duplicates) == (259, 200)
        interrupted = snapshot()
        _wipe()
        run(["fts"])
        assert snapshot() == interrupted
        assert watermark("fts") == DAY_END
