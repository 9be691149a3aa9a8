"""Shared fixtures: an app on a real SQLite file and, when TEST_POSTGRES_URL is set, on real PostgreSQL."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from portal import create_app
from portal.db import get_engine, make_engine, upgrade
from scrapers.registry import SOURCES

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_migrated():
    """Build the PostgreSQL schema once per run through the migrations themselves."""
    _reset_postgres(POSTGRES_URL)
    upgrade(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path):
    """Give each test an empty database: a fresh SQLite file, or truncated PostgreSQL tables."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    url = request.getfixturevalue("postgres_migrated")
    engine = make_engine(url)
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def app(database_url, tmp_path):
    """Create an app on the test database with its schema in place."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "INDEX_DIR": str(tmp_path / "index"),
            "LOCK_DIR": str(tmp_path),
            "SECRET_KEY": "test",
            "WTF_CSRF_ENABLED": False,
            **{f"{source.env}_MIN_INTERVAL": 0.0 for source in SOURCES.values() if source.collector},
            "SERVER_NAME": "localhost",
            "MAIL_SERVER": "",
            "MAIL_OUTBOX": str(tmp_path / "outbox"),
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        if database_url.startswith("sqlite"):
            SQLModel.metadata.create_all(get_engine())
    yield app
    with app.app_context():
        get_engine().dispose()


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for the app's commands."""
    return app.test_cli_runner()


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailCatcher:
    """What a loopback SMTP server (aiosmtpd) received, and how it answers: `refuse` maps an address to a
    reply (e.g. "550 5.1.1 No such user") given to RCPT TO for it; `defer_all` answers every RCPT with 451."""

    def __init__(self):
        self.messages = []
        self.refuse: dict[str, str] = {}
        self.defer_all = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.defer_all:
            return "451 4.3.0 Try again later"
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import email
        import email.policy

        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        """The messages received for one address."""
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on loopback (aiosmtpd), with the app's MAIL_* settings pointed at it."""
    from aiosmtpd.controller import Controller

    catcher = MailCatcher()
    controller = Controller(catcher, hostname="127.0.0.1", port=free_port())
    controller.start()
    catcher.port = controller.port
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_USE_TLS=False, MAIL_TIMEOUT=10)
    try:
        yield catcher
    finally:
        controller.stop()
