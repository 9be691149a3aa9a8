"""Blueprint: /_status, the operators' JSON health check."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from portal.db import session_scope
from portal.models.tables import CollectorRun
from scrapers.registry import REGISTERS

bp = Blueprint("status", __name__)
log = logging.getLogger(__name__)


def _index_status(index_dir: str) -> dict:
    """Return the search index's document count and age in seconds, null when there is no index (yet)."""
    try:
        import search_index
    except ImportError:  # the search package is optional for the pages: say so rather than fail
        return {"documents": None, "age_seconds": None, "error": "search_index not importable"}
    try:
        age = search_index.index_age(index_dir)
        if age is None:
            return {"documents": None, "age_seconds": None}
        return {"documents": search_index.doc_count(index_dir), "age_seconds": round(age, 1)}
    except search_index.IndexMissing:
        return {"documents": None, "age_seconds": None}
    except Exception as error:  # noqa: BLE001 - a broken index must show here, not break the health check
        return {"documents": None, "age_seconds": None, "error": f"{type(error).__name__}: {error}"}


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


@bp.route("/_status")
def status():
    """Report database reachability, the search index and each register's last collection as JSON."""
    body: dict = {"database": {"ok": False, "error": None}, "sources": {}}
    try:
        with session_scope() as session:
            session.exec(text("SELECT 1"))
            for source in REGISTERS:
                run = session.exec(
                    select(CollectorRun)
                    .where(CollectorRun.source == source)
                    .order_by(CollectorRun.started_at.desc())
                    .limit(1)
                ).first()
                body["sources"][source] = (
                    {"started_at": _iso(run.started_at), "finished_at": _iso(run.finished_at), "status": run.status}
                    if run
                    else None
                )
        body["database"]["ok"] = True
    except SQLAlchemyError as error:
        log.error("status: database unavailable: %s", error)  # the details go to the log, not to anyone asking
        body["database"]["error"] = "database unavailable"
    body["index"] = _index_status(current_app.config["INDEX_DIR"])
    return jsonify(body), 200 if body["database"]["ok"] else 503
