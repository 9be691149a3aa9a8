"""Database engine, the request's session on `g`, and the `flask db` commands (Alembic)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask, current_app, g
from flask.cli import AppGroup
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout.

    See docs/libraries.md, "SQLite: connection settings".
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=60000")  # writers take turns a page at a time (lock_for_writing)
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def get_engine() -> Engine:
    """Return the app's engine, created once per app."""
    engine = current_app.extensions.get("piblinell_engine")
    if engine is None:
        engine = current_app.extensions["piblinell_engine"] = make_engine(current_app.config["DATABASE_URL"])
    return engine


def get_session() -> Session:
    """Return this request's (or app context's) session, opened lazily."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    return g.db_session


def close_session(error: BaseException | None = None) -> None:
    """Roll back on error and close the session at the end of the request."""
    session = g.pop("db_session", None)
    if session is not None:
        if error is not None:
            session.rollback()
        session.close()


WRITE_LOCK = 7_262_837  # PostgreSQL advisory lock key of the notice writers ("piblinell" on a phone keypad)


def lock_for_writing(session: Session) -> None:
    """Make this transaction the only one storing notices until it ends, so imports, collections and (later)
    buyer publishing can run at once: each decides what is new (buyers matched by name too, keys, ocids) from
    what the others committed, and no two insert the same buyer or key. Call it before the transaction reads.

    PostgreSQL: a transaction-level advisory lock. SQLite: a first write, which takes the database's write lock
    (the driver opens the transaction there; earlier reads ran outside it, so none can be stale) and waits for
    another writer for up to the busy timeout."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})
    else:
        session.execute(text("UPDATE collectionstate SET source = source WHERE 1 = 0"))


@contextmanager
def session_scope():
    """Give a fresh session for a job, committed by the caller and always closed."""
    session = Session(get_engine(), expire_on_commit=False)
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str):
    """Return an Alembic config pointed at our migrations and the given database."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Create or upgrade the database schema to `revision`."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


@click.group("db", cls=AppGroup)
def db_cli():
    """Manage the database schema (Alembic migrations)."""


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision):
    """Create or upgrade the database to the latest schema."""
    upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
def downgrade_command(revision):
    """Step the schema back."""
    from alembic import command

    command.downgrade(alembic_config(current_app.config["DATABASE_URL"]), revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def revision_command(message):
    """Autogenerate a migration from the models."""
    from alembic import command

    command.revision(alembic_config(current_app.config["DATABASE_URL"]), message=message, autogenerate=True)


@db_cli.command("current")
def current_command():
    """Show the database's revision."""
    from alembic import command

    command.current(alembic_config(current_app.config["DATABASE_URL"]))


def init_app(app: Flask) -> None:
    """Register teardown and the `flask db` commands."""
    app.teardown_appcontext(close_session)
    app.cli.add_command(db_cli)
