"""A bad register: faults injected into a real recorded Find a Tender page, through `flask import` and through a
collection from the loopback replay, on SQLite and PostgreSQL. Every good release is stored, each bad one is
cleaned or quarantined with its reason, and every output stays valid (strict JSON, XML, iCal, CSV, HTML)."""

from __future__ import annotations

import copy
import csv
import io
import json
from datetime import UTC, datetime

import feedparser
import pytest
from icalendar import Calendar
from sqlmodel import select

from portal.collect import jobs
from portal.db import session_scope
from portal.models.tables import Quarantine, Release
from portal.search.indexing import sync_index
from tests.realdata import FTS_DAY, real_json
from tests.replay import loopback_base

NON_FINITE = ["1e9999", "-1e9999", "1E9999", "1e400", "NaN", "Infinity", "-Infinity"]
QUARANTINED = 2  # a release that is a number, and one whose date is an object (a tender that is a list is read
# as no tender: the release is kept)
CONTROLS = "\x1b\u202e\u2066"


def hostile_page() -> tuple[bytes, dict]:
    """Return the recorded page with faults injected, as the bytes a register would send, and what to expect."""
    page = real_json(f"{FTS_DAY}/page-001.json")
    page.pop("links", None)
    releases = page["releases"]
    releases[0]["tender"]["title"] = "Lone surrogate \ud800 in a title"
    releases[1]["tender"]["description"] = "A NUL\x00 inside"
    for n, _number in enumerate(NON_FINITE):
        releases[2 + n].setdefault("tender", {})["value"] = {"amount": f"__NONFINITE_{n}__", "currency": "GBP"}
    releases[10] = 5
    releases[11]["tender"] = [1, 2]
    releases[12]["date"] = {"not": "a date"}
    deep: dict = {}
    node = deep
    for _ in range(400):
        node["x"] = {}
        node = node["x"]
    releases[13]["deep"] = deep
    twin = copy.deepcopy(releases[14])
    twin["tender"]["title"] = "The later edition of the same release id"
    twin["date"] = "2099-01-01T00:00:00Z"
    releases.append(twin)  # the same release id with different content: the later date wins
    releases[15]["tender"]["title"] = "Long " + "A" * 1_000_000
    releases[16]["tender"]["title"] = f"Bidi{CONTROLS} and controls"
    text = json.dumps(page)  # ensure_ascii: the lone surrogate and the NUL are escapes, as a register sends them
    for n, number in enumerate(NON_FINITE):
        text = text.replace(f'"__NONFINITE_{n}__"', number)
    expected = {"ocids": [r["ocid"] for r in releases if isinstance(r, dict)], "twin": twin}
    return text.encode("ascii"), expected


def check_outputs(client) -> None:
    """Every output of the portal stays valid over the hostile data."""

    def strict(response):
        assert response.status_code == 200, response.request.path
        return json.loads(response.get_data(as_text=True), parse_constant=lambda name: pytest.fail(name))

    for lang in ("en", "cy"):
        assert client.get(f"/{lang}/search?q=surrogate").status_code == 200
        assert client.get(f"/{lang}/").status_code == 200
        assert client.get(f"/{lang}/pipeline").status_code == 200
    api = strict(client.get("/api/v1/notices?per_page=100"))
    assert api["total"] >= 90
    for result in api["results"]:
        detail = strict(client.get(f"/api/v1/notices/{result['ocid']}"))
        page = client.get(f"/en/notice/{result['ocid']}")
        assert page.status_code == 200 and not any(char in page.get_data(as_text=True) for char in CONTROLS)
        assert len(page.get_data()) < 1_300_000 and detail["ocid"] == result["ocid"]
    strict(client.get("/api/v1/ocds/releases?per_page=100"))
    search = client.get("/en/search?per_page=100")
    assert len(search.get_data()) < 600_000  # a 1 MB title is cut in lists
    rows = list(csv.reader(io.StringIO(client.get("/en/search.csv").get_data().decode("utf-8-sig"))))
    assert len(rows) >= 91
    assert not feedparser.parse(client.get("/en/search.atom").get_data()).bozo
    assert Calendar.from_ical(client.get("/en/search.ics").get_data())


def check_stored(expected: dict) -> None:
    with session_scope() as session:
        stored = {release.id: release for release in session.exec(select(Release))}
        reasons = [q.reason for q in session.exec(select(Quarantine))]
    assert len(reasons) == QUARANTINED, reasons
    assert len(stored) >= len(set(expected["ocids"])) - QUARANTINED
    twin = expected["twin"]
    [kept] = [release for release in stored.values() if release.release_id == twin["id"]] or [None]
    assert kept is not None and "later edition" in kept.raw
    for release in stored.values():
        assert "\x00" not in release.raw and "\\u0000" not in release.raw
        json.loads(release.raw, parse_constant=lambda name: pytest.fail(f"{name} stored"))


def test_flask_import_of_a_hostile_page_keeps_every_good_release(app, client, runner, tmp_path):
    body, expected = hostile_page()
    path = tmp_path / "hostile.json"
    path.write_bytes(body)
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "quarantined 2:" in result.output
    with app.app_context():
        check_stored(expected)
        sync_index()
    check_outputs(client)


def test_a_collection_of_a_hostile_page_keeps_every_good_release_and_moves_on(app, client, httpserver):
    body, expected = hostile_page()
    httpserver.expect_request("/api/1.0/ocdsReleasePackages").respond_with_data(body, content_type="application/json")
    app.config.update(FTS_BASE_URL=loopback_base(httpserver))
    with app.app_context():
        start, end = datetime(2026, 8, 9, 23, tzinfo=UTC), datetime(2026, 8, 10, 23, tzinfo=UTC)
        [run] = jobs.collect(["fts"], start, end, sleep=lambda seconds: None)
        assert run.status == "ok", run.error
        check_stored(expected)
        sync_index()
    check_outputs(client)


@pytest.mark.parametrize("order", ["older first", "newer first"])
def test_the_same_release_id_with_other_content_keeps_the_later_date_across_files(app, order):
    from portal.collect.ingest import ingest_page
    from tests.factories import fts_release

    older = fts_release(title="Older edition", date="2026-03-01T10:00:00+00:00")
    newer = fts_release(title="Newer edition", date="2026-03-02T10:00:00+00:00")
    assert older["id"] == newer["id"]
    first, second = (older, newer) if order == "older first" else (newer, older)
    with app.app_context():
        for release in (first, second):
            with session_scope() as session:
                ingest_page(session, "fts", [release])
                session.commit()
        with session_scope() as session:
            [stored] = session.exec(select(Release)).all()
        assert "Newer edition" in stored.raw
