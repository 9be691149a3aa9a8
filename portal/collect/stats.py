"""Counts for `flask stats` and the sources page."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from portal.models.tables import CollectionState, CollectorRun, Procurement, Quarantine, Release


def stats(session: Session) -> dict:
    """Return release, procurement and quarantine counts, by notice type, stage and source."""
    by_type = {
        (notice_type or "legacy"): count
        for notice_type, count in session.exec(select(Release.notice_type, func.count()).group_by(Release.notice_type))
    }
    return {
        "releases": session.exec(select(func.count()).select_from(Release)).one(),
        "procurements": session.exec(select(func.count()).select_from(Procurement)).one(),
        "quarantined": session.exec(select(func.count()).select_from(Quarantine)).one(),
        "by_notice_type": dict(sorted(by_type.items(), key=lambda kv: _type_order(kv[0]))),
        "by_stage": dict(session.exec(select(Procurement.stage, func.count()).group_by(Procurement.stage)).all()),
        "by_source": dict(session.exec(select(Release.source, func.count()).group_by(Release.source)).all()),
    }


def _type_order(notice_type: str) -> tuple[int, int]:
    if notice_type.startswith("UK") and notice_type[2:].isdigit():
        return (0, int(notice_type[2:]))
    return (1, 0)


def source_health(session: Session, sources: list[str], recent: int = 5) -> list[dict]:
    """Return each source's watermark, last successful run, last error and recent runs."""
    rows = []
    for source in sources:
        runs = session.exec(
            select(CollectorRun)
            .where(CollectorRun.source == source)
            .order_by(CollectorRun.started_at.desc())
            .limit(recent)
        ).all()
        last_ok = session.exec(
            select(CollectorRun)
            .where(CollectorRun.source == source, CollectorRun.status.in_(("ok", "partial")))
            .order_by(CollectorRun.started_at.desc())
        ).first()
        last_error = next((run for run in runs if run.error or run.failed_partitions), None)
        state = session.get(CollectionState, source)
        rows.append(
            {
                "source": source,
                "watermark": state.watermark if state else None,
                "last_success": last_ok.finished_at if last_ok else None,
                "last_error": _error_text(last_error),
                "last_error_at": last_error.started_at if last_error else None,
                "runs": runs,
            }
        )
    return rows


def _error_text(run: CollectorRun | None) -> str | None:
    if run is None:
        return None
    return run.error or str(run.failed_partitions[-1]["error"])
