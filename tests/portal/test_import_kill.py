"""Killing an import outright leaves no parsing process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from tests.realdata import fts_day_files

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys
from pathlib import Path
from portal import create_app
from portal.collect import importer
importer.PARALLEL_FROM_BYTES = 0  # parse in the worker process however small the files
app = create_app({"DATABASE_URL": "sqlite:///" + sys.argv[1], "INDEX_DIR": sys.argv[2]})
with app.app_context():
    importer.import_paths([Path(p) for p in sys.argv[3:]])
"""


def _parsing(importer: psutil.Process) -> bool:
    """Tell whether the import's parsing worker (a spawned multiprocessing child) is running."""
    return any("spawn_main" in " ".join(child.cmdline()) for child in importer.children(recursive=True))


def test_killing_an_import_ends_its_parsing_process(tmp_path):
    pages = [str(path) for path in fts_day_files()] * 4
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    setup = "from portal import create_app\nfrom portal.db import get_engine\nfrom sqlmodel import SQLModel\n"
    setup += "import portal.models.tables, sys\napp = create_app({'DATABASE_URL': 'sqlite:///' + sys.argv[1]})\n"
    setup += "with app.app_context(): SQLModel.metadata.create_all(get_engine())\n"
    database = str(tmp_path / "db.sqlite3")
    subprocess.run([sys.executable, "-c", setup, database], cwd=ROOT, env=env, check=True, timeout=120)
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, database, str(tmp_path / "index"), *pages], cwd=ROOT, env=env
    )
    importer = psutil.Process(process.pid)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _parsing(importer):
        time.sleep(0.1)
    children = importer.children(recursive=True)
    assert _parsing(importer), "the import never started its parsing process"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"left running after the import was killed: {[p.cmdline() for p in alive]}"
