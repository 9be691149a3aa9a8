"""OCDS packages: releases as received, compiled records, all valid against the OCDS 1.1 package schemas."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from portal.api.ocds_export import SCHEMA_BASE, compiled_release, schema
from portal.search.indexing import rebuild_index
from tests.portal.search_corpus import load_corpus
from tests.realdata import fts_day_files


def validator(name: str) -> Draft4Validator:
    """Return a validator of one OCDS 1.1 package schema, resolving the release schema offline."""
    release = Resource.from_contents(schema(), default_specification=DRAFT4)
    registry = Registry().with_resource(SCHEMA_BASE + "release-schema.json", release)
    return Draft4Validator(schema(name), registry=registry)


def _not_json(name: str):
    raise AssertionError(f"{name} is not JSON")


def assert_valid(package: dict, name: str) -> None:
    """Fail with every schema error of a package, each with its path."""
    errors = sorted(validator(name).iter_errors(package), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors[:20])


@pytest.fixture
def corpus(app, client):
    """A client over the indexed corpus, and the releases it holds."""
    return client, load_corpus(app)


def test_release_package_gives_every_release_as_received(corpus):
    client, releases = corpus
    response = client.get("/api/v1/ocds/releases?q=grounds")
    package = response.get_json()
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert_valid(package, "release-package-schema.json")
    assert package["version"] == "1.1" and package["publisher"] == {"name": "Piblinell"}
    sent = [r for r in releases["fts"] if r["ocid"] == "ocds-h6vhtk-0b0004"]
    assert package["releases"] == sent  # byte for byte what the register sent, oldest first
    everything = client.get("/api/v1/ocds/releases?per_page=100").get_json()
    assert_valid(everything, "release-package-schema.json")
    assert len(everything["releases"]) == 9 and "next" not in everything["links"]
    paged = client.get("/api/v1/ocds/releases?per_page=2").get_json()
    assert paged["links"]["next"].endswith("/api/v1/ocds/releases?page=2&per_page=2")


def test_record_package_has_the_releases_and_a_compiled_release(corpus):
    client, _releases = corpus
    package = client.get("/api/v1/ocds/records/ocds-h6vhtk-0b0004").get_json()
    assert_valid(package, "record-package-schema.json")
    record = package["records"][0]
    assert [r["id"] for r in record["releases"]] == ["080004-2026", "080005-2026"]
    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"] and compiled["id"].startswith("ocds-h6vhtk-0b0004-")
    assert compiled["tender"]["value"]["amount"] == 60000  # the later release wins
    assert [lot["id"] for lot in compiled["tender"]["lots"]] == ["1", "2"]
    welsh = client.get("/api/v1/ocds/records/ocds-kuma6s-148101").get_json()
    assert_valid(welsh, "record-package-schema.json")


def test_compiled_release_of_releases_without_dates_is_left_out():
    assert compiled_release([{"ocid": "x", "id": "1", "tag": ["tender"]}]) is None


def test_real_find_a_tender_day_gives_valid_packages(app, client):
    from portal.collect.ingest import ingest_page
    from portal.db import session_scope

    paths = fts_day_files()
    with app.app_context():
        with session_scope() as session:
            for path in paths:
                ingest_page(session, "fts", json.loads(path.read_text(encoding="utf-8"))["releases"])
            session.commit()
        rebuild_index()
    seen, url = 0, "/api/v1/ocds/releases?per_page=100&sort=newest"
    while url:  # every release of the day, "durationInDays": "1e9999" and all, in strict JSON and valid OCDS
        response = client.get(url)
        package = json.loads(response.get_data(as_text=True), parse_constant=_not_json)
        assert_valid(package, "release-package-schema.json")
        seen += len(package["releases"])
        url = (package.get("links") or {}).get("next", "").replace("http://localhost", "")
    assert seen == 459
    for result in client.get("/api/v1/notices?per_page=10&stage=awarded").get_json()["results"]:
        record = client.get(f"/api/v1/ocds/records/{result['ocid']}").get_json()
        assert_valid(record, "record-package-schema.json")
        assert record["records"][0]["compiledRelease"]["ocid"] == result["ocid"]


def test_the_schema_copy_catches_what_ocds_forbids():
    good = {
        "uri": "https://example.com/p",
        "version": "1.1",
        "publishedDate": "2026-01-01T00:00:00Z",
        "publisher": {"name": "x"},
        "releases": [
            {
                "ocid": "ocds-x-1",
                "id": "1",
                "date": "2026-01-01T00:00:00Z",
                "tag": ["tender"],
                "initiationType": "tender",
                "tender": {"id": "1", "status": "active"},
                "extra": 1,
            }
        ],
    }
    assert not list(validator("release-package-schema.json").iter_errors(good))  # extensions are allowed
    bad = json.loads(json.dumps(good))
    del bad["releases"][0]["initiationType"]
    bad["releases"][0]["tender"]["status"] = "open-ish"
    assert len(list(validator("release-package-schema.json").iter_errors(bad))) == 2
