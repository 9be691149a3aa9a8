"""The migrations produce exactly the models' schema, on SQLite and PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from portal.db import make_engine, upgrade
from tests.conftest import DATABASES


def _diff(url):
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()


@pytest.mark.parametrize("database", DATABASES)
def test_migrations_produce_the_models_schema(database, tmp_path, request):
    if database == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        upgrade(url)
    else:
        url = request.getfixturevalue("postgres_migrated")
    assert _diff(url) == []


def test_migrations_go_down_and_up_again(tmp_path):
    from alembic import command

    from portal.db import alembic_config

    url = f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    upgrade(url)
    assert _diff(url) == []
