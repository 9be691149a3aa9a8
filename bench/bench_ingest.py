"""Benchmark: import the real Find a Tender day again and again into SQLite (or DATABASE_URL).

Each copy has its ids rewritten so every release is new. Prints releases/s (median and p95 over the
copies) and peak memory, beside a bare `json.loads` of the same bytes as the reference.

    .venv/bin/python bench/bench_ingest.py --copies 20
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

# The repository first (for the portal package), then this folder (bench/corpus.py).
sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from corpus import FIXTURES  # noqa: E402

DAY = FIXTURES / "find_a_tender/foretender/backfill/2026-08-10"


def copies(pages: list[bytes], count: int):
    """Yield `count` copies of the day whose ocids and release ids are all new."""
    for n in range(count):
        prefix = f"b{n:04d}".encode()
        yield [
            re.sub(
                rb'"id": "(\d{6}-\d{4})"',
                rb'"id": "' + prefix + rb'-\1"',
                page.replace(b'"ocds-h6vhtk-', b'"ocds-h6vhtk-' + prefix + b"-"),
            )
            for page in pages
        ]


def percentile(values: list[float], share: float) -> float:
    """Return the value below which `share` of the sorted values fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=20)
    args = parser.parse_args()
    if not DAY.exists():
        sys.exit(f"real recorded data not found at {DAY}")
    pages = [p.read_bytes() for p in sorted(DAY.glob("page-*.json"))]
    releases_per_copy = sum(len(json.loads(p)["releases"]) for p in pages)

    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
        os.environ["INSTANCE_DIR"] = tmp
        from portal import create_app
        from portal.collect.importer import import_paths
        from portal.db import upgrade

        app = create_app()
        upgrade(app.config["DATABASE_URL"])
        paths, reference = [], []
        for n, copy in enumerate(copies(pages, args.copies)):
            started = time.perf_counter()
            for body in copy:
                json.loads(body)
            reference.append(time.perf_counter() - started)
            for i, body in enumerate(copy):
                path = Path(tmp) / f"copy{n:04d}-{i}.json"
                path.write_bytes(body)
                paths.append(path)
        # One import of every copy, as an operator would run it; a copy's time is the time between
        # the moments its last release and the previous copy's last release were committed.
        marks = [time.perf_counter()]

        def progress(counts) -> None:
            while counts.new >= releases_per_copy * len(marks):
                marks.append(time.perf_counter())

        with app.app_context():
            counts = import_paths(paths, progress)
        assert counts.new == releases_per_copy * args.copies, counts
        ours = [later - earlier for earlier, later in zip(marks, marks[1:], strict=False)]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def rate(seconds: float) -> float:
        return releases_per_copy / seconds

    print(f"{args.copies} copies of {releases_per_copy} releases into {app.config['DATABASE_URL'].split(':')[0]}")
    print(f"{'engine':28} {'median rel/s':>14} {'p95 rel/s':>12} {'median s/copy':>14}")
    for name, times in (("piblinell import", ours), ("json.loads only (reference)", reference)):
        # p95 of the time is the slow tail, i.e. the 5th percentile of the rate
        print(
            f"{name:28} {rate(statistics.median(times)):14,.0f} {rate(percentile(times, 0.95)):12,.0f} "
            f"{statistics.median(times):14.3f}"
        )
    print(f"ratio (reference/ours, median): {statistics.median(ours) / statistics.median(reference):.1f}x")
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
