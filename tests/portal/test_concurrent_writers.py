"""Two imports and a collection at once store what a serial run stores, on SQLite and PostgreSQL: no buyer, key,
procurement or release is inserted twice and no writer loses its work."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import SQLModel

from portal.collect import jobs
from portal.collect.importer import import_paths
from tests.portal.snapshots import snapshot
from tests.realdata import FTS_DAY, real_path
from tests.replay import loopback_base, serve_chain

ROOT = Path(__file__).resolve().parents[2]
PAGES = [f"{FTS_DAY}/page-00{n}.json" for n in range(1, 6)]
CF = "contracts_finder/cf_ocds_search_2025-01-23_limit100_page.json"
IMPORT = """
import sys
from pathlib import Path
from portal import create_app
from portal.collect.importer import import_paths
app = create_app({"DATABASE_URL": sys.argv[1], "INDEX_DIR": sys.argv[2]})
with app.app_context():
    report = import_paths([Path(p) for p in sys.argv[3:]])
    assert not report.failed, report
"""
DAY = (datetime(2026, 8, 9, 23, tzinfo=UTC), datetime(2026, 8, 10, 23, tzinfo=UTC))


def _files(names: list[str]) -> list[str]:
    return [str(real_path(name)) for name in names]


def test_two_imports_and_a_collection_at_once_store_what_a_serial_run_stores(app, httpserver, tmp_path):
    first, second = _files(PAGES[:3] + [CF]), _files(PAGES[1:] + [CF])  # overlapping: the same buyers and ocids
    serve_chain(httpserver, PAGES)
    app.config.update(FTS_BASE_URL=loopback_base(httpserver))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    url = app.config["DATABASE_URL"]
    imports = [
        subprocess.Popen([sys.executable, "-c", IMPORT, url, str(tmp_path / f"index{n}"), *files], cwd=ROOT, env=env)
        for n, files in enumerate((first, second))
    ]
    runs = []

    def collect() -> None:
        with app.app_context():
            runs.extend(jobs.collect(["fts"], *DAY, sleep=lambda seconds: None))

    collector = threading.Thread(target=collect)
    collector.start()
    collector.join(timeout=300)
    assert [process.wait(timeout=300) for process in imports] == [0, 0]
    assert [run.status for run in runs] == ["ok"], [run.error for run in runs]
    with app.app_context():
        together = snapshot()
    assert len(together["Release"]) > 459 and len(together["Buyer"]) > 50
    serial = _serial(first, second, loopback_base(httpserver), tmp_path)
    for model in ("Procurement", "Release", "Quarantine"):
        assert together[model] == serial[model], model
    # One buyer per body either way, under the name of its latest publication; which of a body's identifiers its
    # row carries depends on which writer met it first, as it would in any order of imports.
    assert _buyers(together) == _buyers(serial)


def _buyers(snapshot_: dict) -> list[tuple]:
    return sorted(
        tuple(field for field in row if field[0] in ("name", "devolved", "is_welsh")) for row in snapshot_["Buyer"]
    )


def _serial(first: list[str], second: list[str], base: str, tmp_path: Path) -> dict:
    """Return the snapshot of the same work done one writer after another, in a fresh SQLite database."""
    from portal import create_app
    from portal.db import get_engine

    serial = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'serial.sqlite3'}", "INDEX_DIR": str(tmp_path / "serial-index")}
    )
    serial.config.update(FTS_BASE_URL=base, FTS_MIN_INTERVAL=0.0)
    with serial.app_context():
        SQLModel.metadata.create_all(get_engine())
        import_paths([Path(path) for path in first])
        import_paths([Path(path) for path in second])
        assert [run.status for run in jobs.collect(["fts"], *DAY, sleep=lambda seconds: None)] == ["ok"]
        return snapshot()
