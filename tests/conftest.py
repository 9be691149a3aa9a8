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
