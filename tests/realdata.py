"""Where the real recorded register responses live, and a skip when they are absent (a failure in CI).

They are public data with officers' contact details: read them in place, never copy them here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

FIXTURES = Path(os.environ.get("PIBLINELL_REAL_FIXTURES", Path(__file__).resolve().parents[2] / "shared" / "fixtures"))

FTS_DAY = "find_a_tender/foretender/backfill/2026-08-10"


def real_path(relative: str) -> Path:
    """Return the path of a real recorded file; skip the test when it is absent, or fail when CI=true."""
    path = FIXTURES / relative
    if not path.exists():
        reason = f"real recorded register data not available at {path} (../shared/fixtures is absent)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; CI must run the tests on the real data")
        pytest.skip(reason)
    return path


def real_json(relative: str):
    """Load a real recorded JSON file (skips when absent)."""
    return json.loads(real_path(relative).read_text(encoding="utf-8"))


def real_headers(relative: str) -> tuple[int, dict[str, str]]:
    """Parse a recorded `.headers` file into (status, headers)."""
    lines = real_path(relative).read_text(encoding="utf-8").splitlines()
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    return status, headers


def fts_day_files() -> list[Path]:
    """Return the five pages of the recorded Find a Tender day."""
    return [real_path(f"{FTS_DAY}/page-00{n}.json") for n in range(1, 6)]


def recorded_files(cf_first: bool = False, sell2wales: bool = True) -> list[Path]:
    """Return the recorded Find a Tender day, the Contracts Finder pages and (by default) the Sell2Wales
    releases: what the portal's real-data tests import."""
    fts, cf = fts_day_files(), sorted(real_path("contracts_finder").glob("*.json"))
    s2w = [real_path("sell2wales/s2w_releases_2025-02_contract_notices_89.json")] if sell2wales else []
    return (cf + fts if cf_first else fts + cf) + s2w
