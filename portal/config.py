"""Configuration: the only reader of environment variables."""

from __future__ import annotations

import os
from pathlib import Path

from scrapers.registry import DEFAULT_COLLECT, SOURCES

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("INSTANCE_DIR", ROOT / "instance"))


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def _register_settings() -> dict:
    settings = {}
    for source in SOURCES.values():
        if source.collector is not None:
            settings[f"{source.env}_BASE_URL"] = os.environ.get(f"{source.env}_BASE_URL", source.base_url)
            settings[f"{source.env}_MIN_INTERVAL"] = _float(f"{source.env}_MIN_INTERVAL", source.min_interval)
    return settings


def from_environment() -> dict:
    """Return the app's configuration read from the environment, with embedded defaults."""
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY", "dev-only-change-me"),
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'piblinell.sqlite3'}"),
        "INDEX_DIR": os.environ.get("INDEX_DIR", str(INSTANCE / "index")),
        "LOCK_DIR": os.environ.get("LOCK_DIR", str(INSTANCE)),
        # Each register's address and pace ({FTS,CF,S2W,S2W_RSS}_BASE_URL and _MIN_INTERVAL), defaulting to
        # scrapers.registry; tests point the addresses at a loopback server.
        **_register_settings(),
        # Retries of a failed request (429/503 honour Retry-After; 5xx and network errors back off).
        "HTTP_MAX_RETRIES": _int("HTTP_MAX_RETRIES", 4),
        "COLLECT_SOURCES": _list("COLLECT_SOURCES", ",".join(DEFAULT_COLLECT)),
        "BACKFILL_DAYS": _int("BACKFILL_DAYS", 30),
        "USER_AGENT": os.environ.get(
            "USER_AGENT", "Piblinell/0.1 (+https://github.com/piblinell/piblinell; open-source procurement portal)"
        ),
        # The clock's schedule, as data: job id -> (dotted function, trigger kwargs).
        "CLOCK_SCHEDULE": {
            "collect": (
                "portal.collect.jobs:scheduled_collect",
                {"trigger": "interval", "minutes": _int("COLLECT_MINUTES", 60), "start_now": True},
            ),
            # Also between collections, so an import or a rebuild elsewhere reaches this host's index.
            "index-sync": (
                "portal.search.indexing:sync_index_safely",
                {"trigger": "interval", "minutes": _int("INDEX_SYNC_MINUTES", 5), "start_now": True},
            ),
            "refresh-stages": ("portal.collect.jobs:refresh_stages", {"trigger": "cron", "minute": 5}),
        },
    }
