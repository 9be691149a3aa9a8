"""The work the clock and the CLI do: collect from the registers, keep stages current."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import update
from sqlmodel import Session, col

from portal.collect.ingest import IngestCounts, ingest_page
from portal.db import session_scope
from portal.models.tables import CollectionState, CollectorRun, Procurement, utcnow
from scrapers.base import FeedError, PartitionFailed, Window
from scrapers.registry import SOURCES, make_collector

log = logging.getLogger(__name__)


def collector_for(name: str, sleep: Callable[[float], None] = time.sleep):
    """Build the named collector from the app's configuration."""
    key = SOURCES[name].env
    config = current_app.config
    return make_collector(
        name,
        config[f"{key}_BASE_URL"],
        config[f"{key}_MIN_INTERVAL"],
        config["USER_AGENT"],
        sleep=sleep,
        max_retries=config["HTTP_MAX_RETRIES"],
    )


def collect(
    sources: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[CollectorRun]:
    """Collect from each source in turn; a failing source is recorded and never stops the others."""
    runs = []
    for name in sources or current_app.config["COLLECT_SOURCES"]:
        try:
            runs.append(collect_source(name, since, until, progress, sleep))
        except Exception as error:  # a bug in one collector must not stop the others, nor go unreported
            log.exception("collector %s crashed before it started", name)
            error_text = f"crashed before it started: {type(error).__name__}: {error}"
            runs.append(CollectorRun(source=name, started_at=utcnow(), status="failed", error=error_text))
    return runs


def _window_bounds(session: Session, name: str, since, until):
    now = utcnow()
    until = until or now
    if since is None:
        state = session.get(CollectionState, name)
        if state is not None and state.watermark is not None:
            # each run reaches back before the watermark, so late-published releases are not missed
            since = state.watermark - SOURCES[name].lookback
        else:
            since = now - timedelta(days=current_app.config["BACKFILL_DAYS"])
    return since, until


def collect_source(name, since=None, until=None, progress=None, sleep=time.sleep) -> CollectorRun:
    """Run one collector over its windows, committing page by page and moving the watermark behind them."""
    collector = collector_for(name, sleep)
    with session_scope() as session:
        since, until = _window_bounds(session, name, since, until)
        run = CollectorRun(source=name, started_at=utcnow(), window_from=since, window_to=until)
        session.add(run)
        session.commit()
        windows = collector.windows(since, until)
        totals = IngestCounts()
        failed_before = False
        try:
            for index, window in enumerate(windows):
                failed_before |= not _collect_window(session, collector, window, run, totals)
                last_of_span = index + 1 == len(windows) or windows[index + 1].end != window.end
                if last_of_span and not failed_before:
                    _advance_watermark(session, name, window)
                if progress:
                    progress(name, index + 1, len(windows))
            run.status = "partial" if run.failed_partitions else "ok"
        except FeedError as error:
            session.rollback()
            run.status, run.error = "failed", str(error)
            log.error("collector %s failed: %s", name, error)
        except Exception as error:  # a bug: recorded and reported as a failure, the traceback in the log
            session.rollback()
            run.status, run.error = "failed", f"crashed: {type(error).__name__}: {error}"
            log.exception("collector %s crashed", name)
        finally:
            _finish(session, run, totals)
        return run


def _collect_window(session: Session, collector, window: Window, run: CollectorRun, totals: IngestCounts) -> bool:
    """Ingest every page of one window; False when its partition failed."""
    try:
        for page in collector.pages(window):
            counts = ingest_page(session, collector.name, page.releases, page.welsh_releases, run_id=run.id)
            totals.add(counts)
            run.pages += 1
            _count(run, totals)
            session.add(run)
            session.commit()
    except PartitionFailed as error:
        session.rollback()
        _record_welsh_gaps(session, collector, run)
        failed = {"start": window.start.isoformat(), "partition": window.partition, "error": str(error)[:500]}
        run.failed_partitions = [*run.failed_partitions, failed]
        session.add(run)
        session.commit()
        log.warning("collector %s: partition %s failed: %s", collector.name, window.partition, error)
        return False
    _record_welsh_gaps(session, collector, run)
    return True


def _record_welsh_gaps(session: Session, collector, run: CollectorRun) -> None:
    """Record Sell2Wales partitions whose English page was kept but whose Welsh page failed."""
    gaps = getattr(collector, "welsh_failures", None)
    if gaps:
        run.failed_partitions = [
            *run.failed_partitions,
            *({"start": w.start.isoformat(), "partition": f"{w.partition} (cy)", "error": e[:500]} for w, e in gaps),
        ]
        gaps.clear()
        session.add(run)
        session.commit()


def _count(run: CollectorRun, totals: IngestCounts) -> None:
    run.releases_seen, run.releases_new = totals.seen, totals.new
    run.duplicates, run.quarantined = totals.duplicates, totals.quarantined


def _advance_watermark(session: Session, name: str, window: Window) -> None:
    state = session.get(CollectionState, name) or CollectionState(source=name)
    # Move forward only, and never jump over a gap left by an explicit --since.
    if state.watermark is None or window.start <= state.watermark < window.end:
        state.watermark = window.end
        state.updated_at = utcnow()
        session.add(state)
        session.commit()


def _finish(session: Session, run: CollectorRun, totals: IngestCounts) -> None:
    _count(run, totals)
    run.finished_at = utcnow()
    session.add(run)
    session.commit()
    log.info(
        "collector %s %s: %d pages, %d releases (%d new, %d duplicate, %d quarantined)",
        run.source,
        run.status,
        run.pages,
        run.releases_seen,
        run.releases_new,
        run.duplicates,
        run.quarantined,
    )


def refresh_stages(now: datetime | None = None) -> int:
    """Close open tenders whose deadline has passed; return how many changed."""
    now = now or utcnow()
    with session_scope() as session:
        result = session.execute(
            update(Procurement)
            .where(Procurement.stage == "open", col(Procurement.deadline).is_not(None), Procurement.deadline < now)
            .values(stage="closed", changed_at=now)
        )
        session.commit()
        return result.rowcount or 0


def scheduled_collect() -> None:
    """Collect every configured source, keep stages current, sync the search index, then send the alerts
    asked for 'immediately' (the clock's main job: collect → index sync → match → send)."""
    from portal.collect.rss import collect_rss
    from portal.search.indexing import sync_index_safely

    collect()
    if "s2w" in current_app.config["COLLECT_SOURCES"]:
        collect_rss()
    refresh_stages()
    sync_index_safely()
    # Then the 'immediately' alerts: their failure never stops collection (docs/design.md, "Email alerts: sending").
    try:
        from portal.alerts.deliver import send_immediately

        send_immediately()
    except Exception:
        log.exception("email alerts after the collection failed; the collection and the index are unaffected")


def mark_interrupted_runs() -> int:
    """Mark the runs a stopped clock left "running" as interrupted (a run still live elsewhere, e.g. a
    `flask collect`, writes its own outcome over this when it ends); return how many."""
    now = utcnow()
    with session_scope() as session:
        result = session.exec(
            update(CollectorRun)
            .where(CollectorRun.status == "running")
            .values(status="interrupted", finished_at=now, error="interrupted before it finished (the clock stopped)")
        )
        session.commit()
        return result.rowcount or 0
