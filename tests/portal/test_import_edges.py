"""`flask import` at its edges: files that are not OCDS are refused in one line each, the rest still imported."""

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

import search_index
from portal.collect import importer
from portal.collect.ingest import ingest_page
from portal.db import session_scope
from portal.models.tables import Quarantine
from portal.search.indexing import rebuild_index, search_procurements, sync_index
from search_index.generations import current_generation
from search_index.index import segment_count
from tests.factories import fts_release, package, s2w_release
from tests.realdata import FTS_DAY, real_path

DEEP = 100_000
NOT_OCDS = {
    "hello.json": (b'{"hello": 1}', 'not OCDS: an object with neither "releases" nor "records"'),
    "numbers.json": (b"[1, 2, 3]", "not OCDS: an array of 3 numbers, with no release or package in it"),
    "page.html": (b"<!DOCTYPE html><html><body>Service unavailable</body></html>", "not JSON or JSON Lines"),
    "empty.json": (b"", "empty file"),
    "blank.json": (b"\n  \n", "nothing in the file but white space"),
    "releases-5.json": (b'{"releases": 5}', 'not OCDS: its "releases" is a number, not an array'),
    "records.json": (b'{"records": ["x"]}', "not OCDS: record 1 is a string, not an object"),
    "record-releases.json": (
        b'{"records": [{"ocid": "ocds-h6vhtk-1", "releases": 5}]}',
        'not OCDS: the "releases" of record 1 is a number, not an array',
    ),
    "string.json": (b'"hello"', "not OCDS: a string, not a package"),
    "null.json": (b"null", "not OCDS: null, not a package"),
    "lines.jsonl": (b'{"a": 1}\n{"b": 2}\n', "not OCDS: none of its 2 JSON lines is a release or a package"),
    "truncated.json.gz": (gzip.compress(b'{"releases": []}' * 50)[:-12], "not a readable gzip file"),
    "corrupt.json.gz": (b"\x1f\x8b\x08\x00" + b"not deflate data at all" * 4, "not a readable gzip file"),
    "html.json.gz": (gzip.compress(b"<html>502 Bad Gateway</html>"), "not JSON or JSON Lines"),
    "deep-arrays.json": (b"[" * DEEP + b"]" * DEEP, "JSON nested too deeply to read"),
    "deep-objects.json": (b'{"a":' * DEEP + b"1" + b"}" * DEEP, "JSON nested too deeply to read"),
}


def _write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _good(tmp_path, name="good.json", **release):
    return _write(tmp_path, name, json.dumps(package([fts_release(**release)])).encode())


def _stats(runner):
    return json.loads(runner.invoke(args=["stats", "--json"]).output)


@pytest.mark.parametrize("name", NOT_OCDS)
def test_a_file_that_is_not_ocds_is_refused_in_one_line_without_a_traceback(runner, tmp_path, name):
    data, problem = NOT_OCDS[name]
    path = _write(tmp_path, name, data)
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # not an exception that escaped
    [line] = result.stderr.splitlines()
    assert line.startswith(f"refused {path}: {problem}")
    assert "Traceback" not in result.output
    assert "refused 1 of 1 files" in result.stdout
    assert _stats(runner)["quarantined"] == 0 and _stats(runner)["releases"] == 0


def test_the_files_after_a_refused_one_are_still_imported_and_the_exit_status_is_zero(runner, tmp_path):
    paths = [
        _write(tmp_path, "hello.json", NOT_OCDS["hello.json"][0]),
        _good(tmp_path, "one.json"),
        _write(tmp_path, "deep.json", NOT_OCDS["deep-arrays.json"][0]),
        _good(tmp_path, "two.json", ocid="ocds-h6vhtk-0b", notice_id="070002-2026"),
    ]
    result = runner.invoke(args=["import", *map(str, paths)])
    assert result.exit_code == 0, result.output
    assert [line.split(":")[0] for line in result.stderr.splitlines()] == [
        f"refused {paths[0]}",
        f"refused {paths[2]}",
    ]
    assert "imported 2 releases" in result.stdout and "refused 2 of 4 files" in result.stdout
    assert _stats(runner)["releases"] == 2


def test_refused_files_are_reported_the_same_when_parsed_in_the_worker_process(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "PARALLEL_FROM_BYTES", 0)
    paths = [
        _write(tmp_path, "numbers.json", NOT_OCDS["numbers.json"][0]),
        _good(tmp_path, "one.json"),
        _write(tmp_path, "deep.json", NOT_OCDS["deep-objects.json"][0]),
        _write(tmp_path, "corrupt.json.gz", NOT_OCDS["corrupt.json.gz"][0]),
        _good(tmp_path, "two.json", ocid="ocds-h6vhtk-0b", notice_id="070002-2026"),
    ]
    result = runner.invoke(args=["import", *map(str, paths)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"refused {paths[0]}: {NOT_OCDS['numbers.json'][1]}",
        f"refused {paths[2]}: JSON nested too deeply to read",
        f"refused {paths[3]}: " + importer._prepare_or_refuse(paths[3])[1],
    ]
    assert "imported 2 releases" in result.stdout


def test_nothing_imported_because_every_release_was_quarantined_exits_non_zero(runner, tmp_path):
    releases = [fts_release(notice_id=f"07{n:04}-2026") for n in range(3)]
    for release in releases:
        del release["ocid"]
    path = _write(tmp_path, "no-ocids.json", json.dumps(package(releases)).encode())
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1, result.output
    assert "imported 0 releases" in result.stdout and "quarantined 3" in result.stdout
    assert not result.stderr.strip()  # the file itself is OCDS: nothing refused
    assert _stats(runner)["quarantined"] == 3


def test_an_empty_package_and_a_repeated_import_are_not_failures(runner, tmp_path):
    empty = _write(tmp_path, "empty-package.json", json.dumps(package([])).encode())
    assert runner.invoke(args=["import", str(empty)]).exit_code == 0
    good = _good(tmp_path)
    assert runner.invoke(args=["import", str(good)]).exit_code == 0
    again = runner.invoke(args=["import", str(good)])
    assert again.exit_code == 0, again.output
    assert "imported 0 releases" in again.stdout and "skipped 1 as duplicate" in again.stdout


def test_a_stray_non_release_beside_releases_is_quarantined_not_the_file_refused(runner, tmp_path):
    path = _write(tmp_path, "array.json", json.dumps([fts_release(), 5]).encode())
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "imported 1 releases" in result.stdout and "quarantined 1" in result.stdout


@pytest.mark.parametrize("with_ocid", [True, False])
def test_a_release_nested_near_the_limit_is_imported_quarantined_or_refused_never_a_traceback(
    runner, tmp_path, with_ocid
):
    """Around Python's recursion limit a release may be readable yet too deep to serialise or re-read."""
    for depth in range(900, 1000, 4):
        release = fts_release(notice_id=f"{depth}-2026")
        if not with_ocid:
            del release["ocid"]
        body = json.dumps(package([release]))
        deep = body.replace('"tender": {', '"deep": ' + "[" * depth + "]" * depth + ', "tender": {', 1)
        result = runner.invoke(args=["import", str(_write(tmp_path, "deep-release.json", deep.encode()))])
        assert isinstance(result.exception, SystemExit | None), (depth, result.exception)
        assert "Traceback" not in result.output


def test_a_real_register_page_after_a_refused_file_is_imported_whole(runner, tmp_path):
    page = real_path(f"{FTS_DAY}/page-001.json")
    expected = len({r["id"] for r in json.loads(page.read_text(encoding="utf-8"))["releases"]})
    html = _write(tmp_path, "page.html", NOT_OCDS["page.html"][0])
    result = runner.invoke(args=["import", str(html), str(page)])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"refused {html}: not JSON or JSON Lines")
    assert f"imported {expected} releases" in result.stdout
    assert _stats(runner)["releases"] == expected


def _without_ocids(count: int) -> list[dict]:
    releases = [fts_release(notice_id=f"{n:06}-2026") for n in range(count)]
    for release in releases:
        del release["ocid"]
    return releases


def test_a_reason_shared_by_600_releases_is_reported_once_with_its_count(runner, tmp_path, caplog, app):
    releases = _without_ocids(600) + [fts_release()]
    path = _write(tmp_path, "no-ocids.json", json.dumps(package(releases)).encode())
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == ["quarantined 600: 600 × release has no ocid"]
    assert not [r for r in caplog.records if r.getMessage().startswith("quarantined a ")]  # not 600 log lines
    with app.app_context(), session_scope() as session:  # each release is still kept with its own reason
        rows = session.exec(select(Quarantine.release_id, Quarantine.reason)).all()
    assert sorted(rows) == [(f"{n:06}-2026", "release has no ocid") for n in range(600)]


def test_reasons_naming_each_release_count_as_one_and_only_the_five_commonest_are_listed(runner, tmp_path):
    releases = []
    for n in range(7):  # 7 unknown registers, register n with 10 - n releases
        releases += [fts_release(ocid=f"ocds-zzzzz{n}-{m}", notice_id=f"{n}{m:05}-2026") for m in range(10 - n)]
    for m in range(4):  # each reason names its own release: "release <id> has an unparseable date …"
        releases.append(fts_release(ocid=f"ocds-h6vhtk-d{m}", notice_id=f"8{m:05}-2026") | {"date": "soon"})
    path = _write(tmp_path, "mixed.json", json.dumps(releases).encode())
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[1] == (
        "quarantined 53: 10 × ocid prefix 'ocds-zzzzz0' is not a known register's; "
        "9 × ocid prefix 'ocds-zzzzz1' is not a known register's; "
        "8 × ocid prefix 'ocds-zzzzz2' is not a known register's; "
        "7 × ocid prefix 'ocds-zzzzz3' is not a known register's; "
        "6 × ocid prefix 'ocds-zzzzz4' is not a known register's; "
        "13 × 3 other reasons (see the quarantine table)"
    )
    dates = runner.invoke(args=["import", str(_write(tmp_path, "dates.json", json.dumps(releases[-4:]).encode()))])
    assert dates.stdout.splitlines()[1] == "quarantined 4: 4 × release … has an unparseable date 'soon'"


def test_a_real_register_page_stripped_of_its_ocids_is_one_reason_with_the_page_count(runner, tmp_path):
    releases = json.loads(real_path(f"{FTS_DAY}/page-002.json").read_text(encoding="utf-8"))["releases"]
    for release in releases:
        del release["ocid"]
    path = _write(tmp_path, "page-002-no-ocids.json", json.dumps({"releases": releases}).encode())
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[1] == f"quarantined {len(releases)}: {len(releases)} × release has no ocid"
    assert _stats(runner)["quarantined"] == len(releases)


# The clock's index sync after imports: a sync with nothing new writes nothing, and nothing is missed.


def _ingest(source, releases, now=None):
    with session_scope() as session:
        ingest_page(session, source, releases, now=now)
        session.commit()


def _index_files(app) -> dict:
    """Every file of the index with its modification time and size: what a commit would change."""
    root = Path(app.config["INDEX_DIR"])
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*") if p.is_file()}


def _found(text):
    rows, _results = search_procurements(text)
    return sorted(row.ocid for row in rows)


def test_a_second_sync_right_after_a_first_indexes_nothing_and_writes_no_file(app, runner):
    with app.app_context():
        _ingest("fts", [fts_release(), fts_release(ocid="ocds-h6vhtk-0b", notice_id="070002-2026")])
        assert sync_index() == (2, 0)  # no index yet: built
        files = _index_files(app)
        assert sync_index() == (0, 0)
        assert _index_files(app) == files
        _ingest("fts", [fts_release(ocid="ocds-h6vhtk-0c", notice_id="070003-2026", title="Gritting salt")])
        assert sync_index() == (1, 0)
        files, segments = _index_files(app), segment_count(app.config["INDEX_DIR"])
        assert sync_index() == (0, 0)
        assert runner.invoke(args=["index", "sync"]).output == "indexed 0 changed procurements, removed 0\n"
        assert _index_files(app) == files and segment_count(app.config["INDEX_DIR"]) == segments
        assert _found("gritting") == ["ocds-h6vhtk-0c"]


def test_procurements_stamped_in_the_watermark_instant_or_just_before_it_are_still_indexed(app):
    instant = datetime(2026, 8, 10, 12, 0, 0, 123456, tzinfo=UTC)
    with app.app_context():
        _ingest("fts", [fts_release(title="Road gritting")], now=instant)
        assert sync_index() == (1, 0)
        # Other pages of the same instant, and one stamped earlier but committed later, after that sync.
        _ingest("fts", [fts_release(ocid="ocds-h6vhtk-0b", notice_id="2-2026", title="Pothole repairs")], now=instant)
        _ingest("fts", [fts_release(ocid="ocds-h6vhtk-0c", notice_id="3-2026", title="Pothole survey")], now=instant)
        late = instant - timedelta(seconds=2)
        _ingest("fts", [fts_release(ocid="ocds-h6vhtk-0d", notice_id="4-2026", title="Pothole filler")], now=late)
        assert sync_index() == (3, 0)
        assert _found("pothole") == ["ocds-h6vhtk-0b", "ocds-h6vhtk-0c", "ocds-h6vhtk-0d"]
        assert sync_index() == (0, 0)
        # The first procurement changed again (a later notice of it): indexed again, with its new words.
        _ingest("fts", [fts_release(notice_id="5-2026", title="Road gritting and salt", date="2026-08-11T10:00:00Z")])
        assert sync_index() == (1, 0)
        assert _found("salt") == ["ocds-h6vhtk-0a0001"]
        assert sync_index() == (0, 0)


def test_a_merged_procurement_is_removed_once_and_the_next_sync_writes_nothing(app):
    with app.app_context():
        _ingest("fts", [fts_release(notice_type="UK3", notice_id="069280-2026", title="Planned bridge repairs")])
        _ingest("s2w", [s2w_release(title="Atgyweirio pontydd", related=["2026/S 000-069310"])])
        assert sync_index() == (2, 0)
        _ingest("fts", [fts_release(notice_id="069310-2026", title="Bridge repairs", date="2026-08-11T10:00:00Z")])
        assert sync_index()[1] == 1
        files = _index_files(app)
        assert sync_index() == (0, 0)
        assert _index_files(app) == files
        assert search_index.doc_count(app.config["INDEX_DIR"]) == 1


def test_an_index_synced_before_the_cursor_was_kept_reads_its_window_once_more_then_nothing(app):
    with app.app_context():
        _ingest("fts", [fts_release()])
        rebuild_index()
        newest = datetime.fromisoformat(json.loads(search_index.get_watermark(app.config["INDEX_DIR"]))["at"])
        watermark = current_generation(app.config["INDEX_DIR"]) / "watermark.json"
        watermark.write_text(json.dumps({"datetime": newest.isoformat()}), encoding="utf-8")  # the old form
        assert sync_index() == (1, 0)
        assert sync_index() == (0, 0)
