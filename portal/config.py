"""Configuration: the only reader of environment variables."""

from __future__ import annotations

import os
from pathlib import Path

from scrapers.registry import DEFAULT_COLLECT, SOURCES

ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET_KEY = "dev-only-change-me"  # noqa: S105 (refused outside development)
BUYER_EMAIL_DOMAINS = (
    "gov.wales,llyw.cymru,gov.uk,nhs.wales,nhs.uk,ac.uk,police.uk,gov.scot,parliament.uk,senedd.wales,sch.uk,mod.uk"
)
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
        # development (make run, the flask commands) or production (gunicorn.conf.py's default): production
        # refuses to start without a real SECRET_KEY and PUBLIC_BASE_URL (portal.security.check_settings).
        "PIBLINELL_ENV": os.environ.get("PIBLINELL_ENV", "development"),
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY),
        # Every absolute URL (API links, OCDS, feeds, emails, redirects) is made from this, never from the Host
        # header; unset in development, where the request's own address is used.
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "").rstrip("/"),
        # Behind a reverse proxy: how many proxies' X-Forwarded-For to trust for the client address (0: none).
        "PROXY_FIX_X_FOR": _int("PROXY_FIX_X_FOR", 0),
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
        # Email (portal.mail.delivery): SMTP when MAIL_SERVER is set, else each message is written as an .eml
        # file under MAIL_OUTBOX (instance/outbox/, the `make run` default).
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "false").lower() in ("1", "true", "yes"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "piblinell@localhost"),
        "MAIL_OUTBOX": os.environ.get("MAIL_OUTBOX", str(INSTANCE / "outbox")),
        # At most this many procurements in one alert email, then links to the full searches (portal.alerts).
        "ALERTS_MAX_ITEMS": _int("ALERTS_MAX_ITEMS", 50),
        # Flask-Limiter (portal.security.limiter): memory:// counts per process, so several web processes share
        # a store such as redis://127.0.0.1:6379 for their limits to hold; false turns limits off (local use).
        "RATELIMIT_ENABLED": os.environ.get("RATELIMIT_ENABLED", "true").lower() not in ("0", "false", "no"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # The buyers' session cookie (docs/design.md, "Buyer accounts: sign-in, organisations, audit"): never read
        # by scripts, not sent on other sites' POSTs, and only over HTTPS in production. No remember-me cookie is
        # set, but it gets the same flags. A session unused for ACCOUNTS_IDLE_TIMEOUT seconds ends.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("PIBLINELL_ENV", "development") == "production",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": os.environ.get("PIBLINELL_ENV", "development") == "production",
        "ACCOUNTS_IDLE_TIMEOUT": _int("ACCOUNTS_IDLE_TIMEOUT", 2 * 60 * 60),
        # Buyers may sign in only from these email domains (suffixes): public-sector bodies.
        "BUYER_EMAIL_DOMAINS": _list("BUYER_EMAIL_DOMAINS", BUYER_EMAIL_DOMAINS),
        # The ocid prefix of the planned work buyers publish here (OCDS: ocds-<registered prefix>).
        "OCID_PREFIX": os.environ.get("OCID_PREFIX", "ocds-piblinell"),
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
            # Email alerts (docs/design.md, "Email alerts: sending"): 'immediately' follows each collection
            # (portal.collect.jobs.scheduled_collect); digests at 07:30 London time, daily and on Mondays.
            "alerts-daily": (
                "portal.alerts.deliver:send_daily",
                {"trigger": "cron", "hour": 7, "minute": 30, "timezone": "Europe/London"},
            ),
            "alerts-weekly": (
                "portal.alerts.deliver:send_weekly",
                {"trigger": "cron", "day_of_week": "mon", "hour": 7, "minute": 30, "timezone": "Europe/London"},
            ),
            "alerts-retention": (
                "portal.alerts.retention:apply_retention",
                {"trigger": "cron", "hour": 3, "minute": 40, "timezone": "Europe/London"},
            ),
            # Refused sign-ins' addresses cut to their domain after 30 days, sign-in links deleted a day after they
            # expire: hourly, so each happens within the hour the privacy page promises (docs/design.md, "Buyer
            # accounts: sign-in, organisations, audit", Retention).
            "buyers-retention": ("portal.accounts.retention:apply_retention", {"trigger": "cron", "minute": 50}),
        },
    }


class SettingsError(RuntimeError):
    """A setting production cannot run without is missing or unsafe."""


def check(settings) -> None:
    """Refuse to start in production without a real SECRET_KEY and an http(s) PUBLIC_BASE_URL."""
    if settings.get("PIBLINELL_ENV") not in ("development", "production"):
        raise SettingsError("PIBLINELL_ENV must be development or production")
    if settings["PIBLINELL_ENV"] != "production" or settings.get("TESTING"):
        return
    key = settings.get("SECRET_KEY") or ""
    if key == DEVELOPMENT_SECRET_KEY or len(key) < 32:
        raise SettingsError(
            "set SECRET_KEY to a random value of at least 32 characters, "
            "e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    base = settings.get("PUBLIC_BASE_URL") or ""
    if not base.startswith(("https://", "http://")) or "?" in base or "#" in base:
        raise SettingsError("set PUBLIC_BASE_URL to the portal's public address, e.g. https://piblinell.example.org")
