"""The operator's commands and the clock."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from portal.collect import jobs
from portal.collect.clock import AlreadyRunning, build_scheduler, clock_lock
from portal.collect.ingest import ingest_page
from portal.db import session_scope
from portal.models.tables import Procurement
from tests.factories import fts_release, package
from tests.replay import loopback_base


def test_collect_command_reports_each_source_and_fails_when_one_failed(app, runner, httpserver):
    base = loopback_base(httpserver)
    app.config.update(FTS_BASE_URL=base, S2W_BASE_URL=base, HTTP_MAX_RETRIES=0)  # the CLI sleeps for real
    httpserver.expect_request("/api/1.0/ocdsReleasePackages").respond_with_json(package([fts_release()]))
    ok = runner.invoke(args=["collect", "fts", "--since", "2026-08-10", "--until", "2026-08-10T12:00:00"])
    assert ok.exit_code == 0, ok.output
    assert "fts: ok, 1 pages, 1 new, 0 duplicate, 0 quarantined" in ok.output
    httpserver.clear()
    httpserver.expect_request("/v1/Notices").respond_with_data("Error converting data type nvarchar to float.", 500)
    partial = runner.invoke(args=["collect", "s2w", "--since", "2026-08-01", "--until", "2026-08-02"])
    assert "s2w: partial" in partial.output and "nvarchar to float" in partial.output
    httpserver.clear()
    httpserver.expect_request("/api/1.0/ocdsReleasePackages").respond_with_data("not json")
    failed = runner.invoke(args=["collect", "fts", "--since", "2026-08-10", "--until", "2026-08-10T12:00:00"])
    assert failed.exit_code == 1 and "fts: failed" in failed.output and "unparseable JSON" in failed.output
    sources = runner.invoke(args=["sources"])
    assert sources.exit_code == 0
    assert "unparseable JSON" in sources.output and "partial" in sources.output


def test_collect_command_rejects_unknown_sources_and_bad_dates(runner):
    assert "unknown source" in runner.invoke(args=["collect", "tenders-r-us"]).output
    assert "not an ISO 8601" in runner.invoke(args=["collect", "fts", "--since", "last tuesday"]).output


def test_stats_command_prints_one_json_object(app, runner):
    with app.app_context(), session_scope() as session:
        pipeline = fts_release(ocid="ocds-h6vhtk-0b", notice_id="1-2026", notice_type="UK1")
        ingest_page(session, "fts", [fts_release(), pipeline])
        session.commit()
    result = json.loads(runner.invoke(args=["stats", "--json"]).output)
    assert result == {
        "releases": 2,
        "procurements": 2,
        "quarantined": 0,
        "by_notice_type": {"UK1": 1, "UK4": 1},
        "by_stage": {"open": 1, "pipeline": 1},
        "by_source": {"fts": 2},
    }


def test_refresh_stages_closes_tenders_whose_deadline_passed(app):
    with app.app_context():
        with session_scope() as session:
            ingest_page(session, "fts", [fts_release(deadline="2030-01-01T12:00:00Z")])
            session.commit()
        assert jobs.refresh_stages(now=datetime(2029, 12, 31, tzinfo=UTC)) == 0
        assert jobs.refresh_stages(now=datetime(2030, 1, 2, tzinfo=UTC)) == 1
        with session_scope() as session:
            assert session.exec(select(Procurement.stage)).one() == "closed"


def test_a_second_clock_does_not_start(app):
    with app.app_context(), clock_lock(), pytest.raises(AlreadyRunning), clock_lock():
        pass


def test_the_schedule_is_data_with_one_instance_per_job_and_collect_first(app):
    with app.app_context():
        scheduler = build_scheduler(app)
    jobs_by_id = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs_by_id) == set(app.config["CLOCK_SCHEDULE"])
    assert scheduler._job_defaults == {"misfire_grace_time": 1, "coalesce": True, "max_instances": 1}
    for job_id in ("collect", "index-sync"):  # both start at once; the rest wait for their trigger
        assert jobs_by_id[job_id].next_run_time - datetime.now(UTC) < timedelta(seconds=5)


def test_scheduled_collect_backfills_an_empty_database_and_records_unreachable_registers(app):
    app.config.update(FTS_BASE_URL="http://127.0.0.1:9", COLLECT_SOURCES=["fts"], BACKFILL_DAYS=1)
    with app.app_context():
        with session_scope() as session:
            assert session.exec(select(Procurement.id)).first() is None
        [run] = jobs.collect(sleep=lambda s: None)
        assert run.status == "failed" and "127.0.0.1:9" in run.error
        assert run.window_to - run.window_from == timedelta(days=1)


def test_collect_command_runs_the_sell2wales_rss_fallback(app, runner, httpserver):
    from tests.scrapers.test_rss import FEED

    app.config.update(S2W_RSS_BASE_URL=loopback_base(httpserver), HTTP_MAX_RETRIES=0)
    httpserver.expect_request("/rss/rss_switch.aspx").respond_with_data(FEED, content_type="application/rss+xml")
    result = runner.invoke(args=["collect", "s2w-rss"])
    assert result.exit_code == 0, result.output
    assert "s2w-rss: ok" in result.output
    again = runner.invoke(args=["collect", "s2w-rss"])
    assert "0 new" in again.output
    assert "s2w-rss" in runner.invoke(args=["sources"]).output


def test_a_clock_marks_the_runs_a_stopped_clock_left_running_as_interrupted(app, runner, monkeypatch):
    from portal.collect import clock
    from portal.models.tables import CollectorRun, utcnow

    with app.app_context(), session_scope() as session:
        session.add(CollectorRun(source="fts", started_at=utcnow() - timedelta(hours=3)))  # status "running"
        session.add(CollectorRun(source="cf", started_at=utcnow(), status="ok", finished_at=utcnow()))
        session.commit()
    monkeypatch.setattr(clock, "build_scheduler", lambda app: type("Stub", (), {"start": lambda self: None})())
    result = runner.invoke(args=["clock"])
    assert result.exit_code == 0, result.output
    with app.app_context(), session_scope() as session:
        runs = {run.source: run for run in session.exec(select(CollectorRun))}
    assert runs["fts"].status == "interrupted" and runs["fts"].finished_at and "interrupted" in runs["fts"].error
    assert runs["cf"].status == "ok"


def test_flask_collect_exits_non_zero_when_a_collector_crashes(app, runner, monkeypatch, httpserver):
    from scrapers.find_a_tender import FindATender

    def broken(self, window):
        raise RuntimeError("a bug in the collector")

    monkeypatch.setattr(FindATender, "pages", broken)
    app.config.update(FTS_BASE_URL=loopback_base(httpserver), HTTP_MAX_RETRIES=0)
    result = runner.invoke(args=["collect", "fts", "--since", "2026-08-10", "--until", "2026-08-11"])
    assert result.exit_code == 1, result.output
    assert "fts: failed" in result.output and "crashed: RuntimeError: a bug in the collector" in result.output
    monkeypatch.setattr("portal.collect.jobs.collector_for", lambda name, sleep: 1 / 0)
    result = runner.invoke(args=["collect", "fts"])
    assert result.exit_code == 1 and "crashed before it started: ZeroDivisionError" in result.output
