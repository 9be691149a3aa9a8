"""Benchmark: the search page and the JSON API served by gunicorn (2 workers) on 100k procurements.

Builds (or reuses, with --reuse DIR) a SQLite database and index of copies of the real Find a Tender day
with rewritten ids, starts gunicorn on loopback, and drives it with a bounded loopback load generator
(a fixed number of requests from a fixed number of keep-alive connections). Prints requests/s and
p50/p95 latency per request class, with a static file from the same server as the reference floor.

    .venv/bin/python bench/bench_portal.py --procurements 100000 --reuse /tmp/piblinell-bench
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
# The repository first (for the portal package), then bench/ for bench/bench_ingest.py.
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from bench_ingest import DAY, copies, percentile  # noqa: E402

CLASSES = {
    "search page, one word": "/en/search?" + urlencode({"q": "services"}),
    "search page, words + filters": "/en/search?"
    + urlencode({"q": "cleaning services", "stage": "open", "region": "UKL"}),
    "search page, Welsh": "/cy/search?" + urlencode({"q": "cyngor", "sort": "closing_soonest"}),
    "search page, browse page 3": "/en/search?" + urlencode({"page": 3}),
    "JSON API, one word": "/api/v1/notices?" + urlencode({"q": "construction", "per_page": 20}),
    "reference: static file": "/static/piblinell.css",
}


def build(directory: Path, procurements: int) -> None:
    """Import copies of the real day until there are enough procurements, then index them."""
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    os.environ["INDEX_DIR"] = str(directory / "index")
    os.environ["INSTANCE_DIR"] = str(directory)
    from portal import create_app
    from portal.collect.importer import import_paths
    from portal.db import upgrade
    from portal.search.indexing import rebuild_index

    app = create_app()
    upgrade(app.config["DATABASE_URL"])
    pages = [p.read_bytes() for p in sorted(DAY.glob("page-*.json"))]
    per_copy = 438  # procurements in the real day
    paths = []
    for n, copy in enumerate(copies(pages, -(-procurements // per_copy))):
        for i, body in enumerate(copy):
            path = directory / "copies" / f"{n:05d}-{i}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
            paths.append(path)
    started = time.perf_counter()
    with app.app_context():
        counts = import_paths(paths)
        imported = time.perf_counter()
        indexed = rebuild_index()
    print(
        f"built: {counts.new} releases, {indexed} procurements indexed; import {imported - started:.0f} s, "
        f"index {time.perf_counter() - imported:.0f} s"
    )
    for path in paths:
        path.unlink()


def free_port() -> int:
    """Return a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(directory: Path, port: int) -> subprocess.Popen:
    """Start gunicorn with 2 workers on loopback and wait until it answers."""
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{directory}/bench.sqlite3",
        INDEX_DIR=str(directory / "index"),
        INSTANCE_DIR=str(directory),
    )
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "wsgi:app",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def drive(port: int, path: str, requests: int, concurrency: int) -> tuple[list[float], float]:
    """Send `requests` GETs over `concurrency` keep-alive connections; return latencies and wall time."""
    latencies: list[float] = []
    lock = threading.Lock()
    remaining = [requests]

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if remaining[0] == 0:
                    break
                remaining[0] -= 1
            started = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            if response.status != 200:
                raise SystemExit(f"{path} answered {response.status}")
            with lock:
                latencies.append(elapsed)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - started


def main() -> None:
    """Build or reuse the data, serve it, drive it and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--procurements", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400, help="per request class")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--reuse", help="a folder to keep the built database and index in between runs")
    args = parser.parse_args()
    if not DAY.exists():
        sys.exit(f"real recorded data not found at {DAY}")
    directory = Path(args.reuse or tempfile.mkdtemp(prefix="piblinell-bench-"))
    directory.mkdir(parents=True, exist_ok=True)
    if not (directory / "bench.sqlite3").exists():
        build(directory, args.procurements)
    port = free_port()
    server = start_server(directory, port)
    try:
        for path in CLASSES.values():  # warm each worker's searcher and caches
            drive(port, path, 8, 2)
        print(f"{args.requests} requests per class, {args.concurrency} connections, gunicorn 2 workers, 2 cores")
        print(f"| {'request class':32} | {'req/s':>7} | {'p50 ms':>7} | {'p95 ms':>7} |")
        print(f"|{'-' * 34}|{'-' * 9}|{'-' * 9}|{'-' * 9}|")
        for name, path in CLASSES.items():
            latencies, wall = drive(port, path, args.requests, args.concurrency)
            print(
                f"| {name:32} | {len(latencies) / wall:7.0f} | {statistics.median(latencies) * 1000:7.1f} | "
                f"{percentile(latencies, 0.95) * 1000:7.1f} |"
            )
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
