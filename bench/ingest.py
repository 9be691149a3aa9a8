"""Benchmark: `flask import` of the real Find a Tender day again and again, into SQLite and into PostgreSQL.

Each copy has its ids rewritten so every release is new. Prints releases/s (median and p95 over the copies)
and peak memory, beside a bare `json.loads` of the same bytes as the reference measured in the same run
(issue 12: the import within 4 × the time of json.loads). PostgreSQL is measured too when --postgres (or
BENCH_POSTGRES_URL) names a database to empty and use, e.g. postgresql+psycopg://postgres@127.0.0.1/pib_bench.

    .venv/bin/python bench/ingest.py --copies 20 --postgres postgresql+psycopg://postgres@127.0.0.1:5432/pib_speed
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The repository first (for the portal package), then this folder (bench/corpus.py).
sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from corpus import copies, day_pages, percentile  # noqa: E402


def empty_postgres(url: str) -> None:
    """Drop every table of the PostgreSQL database the benchmark was given, so each run starts empty."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def measure(database_url: str, copy_count: int) -> None:
    """Import `copy_count` copies into one database and print its lines of the table (run in its own process)."""
    pages = day_pages()
    releases_per_copy = sum(len(json.loads(p)["releases"]) for p in pages)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATABASE_URL"] = database_url.replace("TMP", tmp)
        os.environ["INSTANCE_DIR"] = tmp
        os.environ["INDEX_DIR"] = str(Path(tmp) / "index")
        from portal import create_app
        from portal.collect.importer import import_paths
        from portal.db import upgrade

        if database_url.startswith("postgresql"):
            empty_postgres(database_url)
        app = create_app()
        upgrade(app.config["DATABASE_URL"])
        paths, reference = [], []
        for n, copy in enumerate(copies(pages, copy_count)):
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

        started = marks[0]
        with app.app_context():
            report = import_paths(paths, progress)
        total = time.perf_counter() - started
        assert report.counts.new == releases_per_copy * copy_count, report.counts
        ours = [later - earlier for earlier, later in zip(marks, marks[1:], strict=False)]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    def rate(seconds: float) -> float:
        return releases_per_copy / seconds

    engine = database_url.split(":")[0].split("+")[0]
    name = f"import into {engine}"
    print(
        f"| {name} | {releases_per_copy * copy_count / total:,.0f} | {rate(statistics.median(ours)):,.0f} | "
        f"{rate(percentile(ours, 0.95)):,.0f} | {statistics.median(ours) / statistics.median(reference):.1f}x | "
        f"{peak_mb:.0f} MB (parser {peak_child_mb:.0f} MB) |"
    )
    print(f"| json.loads of the same bytes ({engine} run) | | {rate(statistics.median(reference)):,.0f} | "
          f"{rate(percentile(reference, 0.95)):,.0f} | 1.0x | |")  # fmt: skip
    sys.stdout.flush()


def main() -> None:
    """Run the benchmark on each database, each in its own process, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL"), help="a database to empty")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # one database, in a child process
    args = parser.parse_args()
    if args.one:
        measure(args.one, args.copies)
        return
    releases = sum(len(json.loads(p)["releases"]) for p in day_pages())
    print(
        f"{args.copies} copies of {releases} releases (the real Find a Tender day with new ids), {os.cpu_count()} cores"
    )
    print("| engine | releases/s, whole import | median rel/s per copy | p95 rel/s | time ÷ json.loads | peak RSS |")
    print("|---|---:|---:|---:|---:|---:|")
    sys.stdout.flush()
    for url in ["sqlite:///TMP/bench.sqlite3", *([args.postgres] if args.postgres else [])]:
        subprocess.run([sys.executable, __file__, "--copies", str(args.copies), "--one", url], check=True)
    if not args.postgres:
        print("(PostgreSQL not measured: pass --postgres URL or set BENCH_POSTGRES_URL)")


if __name__ == "__main__":
    main()
