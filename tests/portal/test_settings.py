"""Production refuses unsafe settings; development and tests run with the embedded defaults."""

from __future__ import annotations

import pytest

from portal import config, create_app

GOOD = {"PIBLINELL_ENV": "production", "SECRET_KEY": "s" * 48, "PUBLIC_BASE_URL": "https://piblinell.example.org"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": config.DEVELOPMENT_SECRET_KEY}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"PUBLIC_BASE_URL": ""}, "PUBLIC_BASE_URL"),
        ({"PUBLIC_BASE_URL": "piblinell.example.org"}, "PUBLIC_BASE_URL"),
        ({"PIBLINELL_ENV": "staging"}, "PIBLINELL_ENV"),
    ],
)
def test_production_refuses_to_start_without_a_real_secret_and_public_address(change, message):
    with pytest.raises(config.SettingsError, match=message):
        config.check({**GOOD, **change})


def test_development_and_good_production_settings_start():
    config.check({"PIBLINELL_ENV": "development", "SECRET_KEY": config.DEVELOPMENT_SECRET_KEY})
    config.check(GOOD)
    app = create_app({**GOOD, "DATABASE_URL": "sqlite://"})
    assert app.config["PUBLIC_BASE_URL"] == "https://piblinell.example.org"


def test_the_host_header_never_reaches_an_absolute_url(tmp_path):
    app = create_app({**GOOD, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "INDEX_DIR": str(tmp_path)})
    client = app.test_client()
    spec = client.get("/api/v1/openapi.json", headers={"Host": "evil.example"}).get_json()
    assert spec["servers"][0]["url"].startswith("https://piblinell.example.org")
    redirect = client.get("/", headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"})
    assert "evil.example" not in redirect.headers["Location"]


def test_status_never_shows_the_database_error(tmp_path):
    app = create_app(
        {"DATABASE_URL": "postgresql+psycopg://nobody:secret@127.0.0.1:9/none", "INDEX_DIR": str(tmp_path)}
    )
    body = app.test_client().get("/_status").get_json()
    assert body["database"] == {"ok": False, "error": "database unavailable"}
