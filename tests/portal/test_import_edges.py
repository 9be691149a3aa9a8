"""`flask import` at its edges: files that are not OCDS are refused in one line each, the rest still imported."""

import gzip
import json

import pytest
from sqlmodel import select

from portal.collect import importer
from portal.db import session_scope
from portal.models.tables import Quarantine
from tests.factories import fts_release, package
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
