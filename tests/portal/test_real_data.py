"""`flask import` of the real recorded registers: counts equal an independent count of the same JSON."""

import gzip
import json
from collections import Counter
from pathlib import Path

from tests.realdata import FTS_DAY, real_json, real_path


def _notice_type(release):
    sections = [release.get("planning") or {}, release.get("tender") or {}]
    sections += release.get("awards") or []
    sections += release.get("contracts") or []
    types = [d.get("noticeType") for s in sections for d in (s.get("documents") or []) if d.get("noticeType")]
    return types[0] if types else "legacy"


def _stats(runner):
    result = runner.invoke(args=["stats", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_import_of_the_real_find_a_tender_day_matches_an_independent_count(runner):
    paths = [str(real_path(f"{FTS_DAY}/page-00{n}.json")) for n in range(1, 6)]
    releases = [r for p in paths for r in json.loads(Path(p).read_text(encoding="utf-8"))["releases"]]
    result = runner.invoke(args=["import", *paths])
    assert result.exit_code == 0, result.output
    assert "imported 459 releases" in result.output
    stats = _stats(runner)
    assert stats["releases"] == len({r["id"] for r in releases}) == 459
    assert stats["procurements"] == len({r["ocid"] for r in releases}) == 438
    assert stats["quarantined"] == 0
    assert stats["by_notice_type"] == dict(Counter(_notice_type(r) for r in releases))
    assert (stats["by_notice_type"]["UK1"], stats["by_notice_type"]["UK2"]) == (15, 35)
    assert (stats["by_notice_type"]["UK3"], stats["by_notice_type"]["UK4"]) == (6, 79)
    assert stats["by_source"] == {"fts": 459}
    assert sum(stats["by_stage"].values()) == 438
    again = runner.invoke(args=["import", *paths])
    assert "imported 0 releases" in again.output and "skipped 459 as duplicate" in again.output
    assert _stats(runner) == stats


def test_real_uk3_to_uk4_conversion_becomes_one_procurement(runner):
    result = runner.invoke(args=["import", str(real_path("find_a_tender/foretender/conversions/uk3-069311.json"))])
    assert result.exit_code == 0, result.output
    stats = _stats(runner)
    assert (stats["releases"], stats["procurements"]) == (2, 1)
    assert stats["by_notice_type"] == {"UK3": 1, "UK4": 1}
    assert set(stats["by_stage"]) <= {"open", "closed"}


def test_real_contracts_finder_and_sell2wales_lose_nothing(runner, tmp_path):
    cf = sorted(real_path("contracts_finder").glob("*.json"))
    s2w = real_path("sell2wales/s2w_releases_2025-02_contract_notices_89.json")
    releases = [r for p in cf for r in json.loads(p.read_text(encoding="utf-8"))["releases"]]
    releases += real_json("sell2wales/s2w_releases_2025-02_contract_notices_89.json")
    result = runner.invoke(args=["import", *map(str, cf), str(s2w)])
    assert result.exit_code == 0, result.output
    stats = _stats(runner)
    assert stats["releases"] + stats["quarantined"] == len({(r["ocid"], r["id"]) for r in releases})
    assert stats["by_source"]["s2w"] == 89
    assert set(stats["by_stage"]) <= {"engagement", "planned", "open", "closed", "awarded", "cancelled"}


def test_import_reads_gzip_json_lines_bare_arrays_and_record_packages(runner, tmp_path):
    day = real_json(f"{FTS_DAY}/page-005.json")["releases"]
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress("\n".join(json.dumps(r) for r in day[:20]).encode()))
    (tmp_path / "b.json").write_text(json.dumps(day[20:40]))
    (tmp_path / "c.json").write_text(json.dumps({"records": [{"ocid": r["ocid"], "releases": [r]} for r in day[40:]]}))
    result = runner.invoke(args=["import", *(str(tmp_path / n) for n in ("a.jsonl.gz", "b.json", "c.json"))])
    assert result.exit_code == 0, result.output
    assert _stats(runner)["releases"] == len(day) == 59


def test_import_of_a_file_that_is_not_json_says_so(runner, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("<html>Service unavailable</html>")
    result = runner.invoke(args=["import", str(bad)])
    assert result.exit_code != 0
    assert "not JSON" in result.output
