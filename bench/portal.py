"""Benchmark: the search page and the JSON API served by gunicorn (2 workers, gunicorn.conf.py) on N procurements.

Builds (or reuses, with --reuse DIR) a SQLite database and index of copies of the real Find a Tender day with
new ids, starts gunicorn on loopback as production runs it, and sends a mix of distinct queries drawn from the
corpus itself (words and phrases of real titles, Welsh words, real CPV divisions and region codes, sorts, pages,
filters without words) over a few keep-alive connections. Each query is sent once ("cold": its first time) and
then again ("warm"); the JSON API gets its own mix, drawn with another seed. A static file from the same server
is the reference measured in the same run (issue 12: the ratios are what count). Prints p50/p95 per class,
pages/s of the whole mix, the ratios and the workers' RSS after the mix.

    .venv/bin/python bench/portal.py --procurements 100000 --reuse /tmp/piblinell-bench
    .venv/bin/python bench/portal.py --procurements 10000 --per-class 40      # the quick version (make bench)
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
# The repository first (for the portal package), then this folder (bench/corpus.py).
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from corpus import PROCUREMENTS_PER_DAY, copies, day_pages, percentile  # noqa: E402

STATIC = "/static/piblinell.css"
WELSH_WORDS = [
    "cyngor", "gyngor", "nghyngor", "gwasanaethau", "wasanaethau", "glanhau", "lanhau", "Cymru", "Nghymru",
    "ysgolion", "ysgol", "priffyrdd", "adeiladu", "gofal", "cynnal", "darparu", "Caerdydd", "Nghaerdydd",
    "Abertawe", "Gwynedd", "meddalwedd", "digidol", "tai", "bwyd", "trafnidiaeth", "iechyd",
]  # fmt: skip
SORTS = ["closing_soonest", "newest", "value", "expected_soonest"]
STAGES = ["open", "planned", "pipeline", "awarded", "closed", "engagement"]
WORD_RE = re.compile(r"[A-Za-z]{4,}")


def database(directory: Path) -> Path:
    return directory / "bench.sqlite3"


def environment(directory: Path) -> dict[str, str]:
    """Return the environment of the portal on the bench's database and index."""
    return {
        "DATABASE_URL": f"sqlite:///{database(directory)}",
        "INDEX_DIR": str(directory / "index"),
        "INSTANCE_DIR": str(directory),
    }


def procurement_count(directory: Path) -> int:
    if not database(directory).exists():
        return 0
    with sqlite3.connect(database(directory)) as db:
        try:
            return db.execute("SELECT count(*) FROM procurement").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def grow(directory: Path, procurements: int) -> float:
    """Import further copies of the real day until the database has `procurements`; return the seconds taken."""
    os.environ.update(environment(directory))
    from portal import create_app
    from portal.collect.importer import import_paths
    from portal.db import upgrade

    app = create_app()
    upgrade(app.config["DATABASE_URL"])
    have = procurement_count(directory)
    start, wanted = -(-have // PROCUREMENTS_PER_DAY), -(-(procurements - have) // PROCUREMENTS_PER_DAY)
    if wanted <= 0:
        return 0.0
    folder = directory / "copies"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, copy in enumerate(copies(day_pages(), wanted, start), start):
        for i, body in enumerate(copy):
            path = folder / f"{n:05d}-{i}.json"
            path.write_bytes(body)
            paths.append(path)
    started = time.perf_counter()
    with app.app_context():
        import_paths(paths)
    seconds = time.perf_counter() - started
    for path in paths:
        path.unlink()
    return seconds


def reindex(directory: Path) -> tuple[int, float]:
    """Rebuild the index from the database; return (documents, seconds)."""
    os.environ.update(environment(directory))
    from portal import create_app
    from portal.search.indexing import rebuild_index

    app = create_app()
    started = time.perf_counter()
    with app.app_context():
        count = rebuild_index()
    return count, time.perf_counter() - started


def query_mix(directory: Path, per_class: int, seed: int) -> dict[str, list[str]]:
    """Return {class: [distinct query string]} drawn from the database's own titles, CPV codes and regions."""
    rng = random.Random(seed)
    with sqlite3.connect(database(directory)) as db:
        rows = db.execute("SELECT title, cpv, regions FROM procurement ORDER BY id LIMIT 5000").fetchall()
    titles = [words for words in (WORD_RE.findall(title or "") for title, _, _ in rows) if len(words) >= 3]
    divisions = sorted({c["code"][:2] for _, cpv, _ in rows for c in json.loads(cpv or "[]") if c.get("code")})
    regions = sorted({r for _, _, regions in rows for r in json.loads(regions or "[]") if r.startswith("UK")})
    regions = sorted({r[:3] for r in regions} | set(regions))

    def words(n: int) -> str:
        title = rng.choice(titles)
        at = rng.randrange(len(title) - n + 1)
        return " ".join(title[at : at + n])

    makers = {
        "one word": lambda: {"q": words(1)},
        "two words": lambda: {"q": words(2)},
        "phrase": lambda: {"q": f'"{words(rng.choice((2, 3)))}"'},
        "Welsh words": lambda: {"q": rng.choice(WELSH_WORDS) + rng.choice(["", " " + words(1)])},
        "words + filters": lambda: {"q": words(1), "stage": rng.choice(STAGES[:3]), "region": rng.choice(regions)},
        "filters, no words": lambda: (
            {"cpv": rng.choice(divisions), "region": rng.choice(regions)}
            | ({"stage": rng.choice(STAGES)} if rng.random() < 0.5 else {})
        ),
        "sorted": lambda: {"q": words(1), "sort": rng.choice(SORTS)},
        "pages 2-5": lambda: {"q": words(1), "page": rng.randrange(2, 6)},
    }
    mix = {}
    for name, make in makers.items():
        found: dict[str, None] = {}
        for _ in range(per_class * 50):
            found[urlencode(make())] = None
            if len(found) == per_class:
                break
        mix[name] = list(found)
    return mix


def free_port() -> int:
    """Return a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(directory: Path, port: int, workers: int = 2) -> subprocess.Popen:
    """Start gunicorn as production does (gunicorn.conf.py) on loopback, and wait until it answers."""
    env = dict(
        os.environ,
        **environment(directory),
        PIBLINELL_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        PORT=str(port),
        WEB_CONCURRENCY=str(workers),
    )
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,  # the access log: written, as in production, and thrown away
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", STATIC)
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not start")


def worker_rss_mb(server: subprocess.Popen) -> list[float]:
    """Return the resident memory of each gunicorn worker (the children of the master), in MB."""
    out = []
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        out.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return out


def drive(port: int, paths: list[str], concurrency: int, headers: dict | None = None) -> tuple[dict, float]:
    """GET every path once over `concurrency` keep-alive connections; return ({path: (seconds, status,
    response headers)}, wall time)."""
    found: dict[str, tuple[float, int, dict]] = {}
    lock = threading.Lock()
    queue = list(reversed(paths))

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not queue:
                    break
                path = queue.pop()
            sent = (headers or {}).get(path, {})
            started = time.perf_counter()
            connection.request("GET", path, headers=sent)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            if response.status not in (200, 304):
                raise SystemExit(f"{path} answered {response.status}")
            with lock:
                found[path] = (elapsed, response.status, dict(response.getheaders()))
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return found, time.perf_counter() - started


def run_static(port: int, requests: int, concurrency: int) -> tuple[float, float, float]:
    """Return (requests/s, p50 ms, p95 ms) of the static file: the reference of the same run."""
    paths = [f"{STATIC}?n={n}" for n in range(requests)]  # distinct paths; the query string changes nothing
    found, wall = drive(port, paths, concurrency)
    times = [seconds for seconds, _, _ in found.values()]
    return len(times) / wall, statistics.median(times) * 1000, percentile(times, 0.95) * 1000


def run_mix(port: int, mix: dict[str, list[str]], prefix, concurrency: int, seed: int):
    """Send the mix cold, then warm, then revalidating (If-None-Match with each answer's ETag, when it has one)."""
    rng = random.Random(seed)
    paths = {f"{prefix(name)}?{query}": name for name, queries in mix.items() for query in queries}
    order = list(paths)
    out = {}
    for phase in ("cold", "warm", "revalidated"):
        rng.shuffle(order)
        headers = None
        if phase == "revalidated":
            tags = {path: out["warm"][0][path][2].get("ETag") for path in order}
            if not any(tags.values()):
                break
            headers = {path: {"If-None-Match": tag} for path, tag in tags.items() if tag}
        found, wall = drive(port, order, concurrency, headers)
        out[phase] = (found, wall)
    return paths, out


def print_mix(title: str, paths: dict[str, str], phases: dict, static_rate: float) -> dict[str, float]:
    """Print one table of a mix's classes by phase; return {phase: pages/s}."""
    names = list(dict.fromkeys(paths.values()))
    print(f"\n{title}: {len(paths)} distinct queries")
    print("| class | n | " + " | ".join(f"{phase} p50 ms | {phase} p95 ms" for phase in phases) + " |")
    print("|---|---:|" + "---:|---:|" * len(phases))
    for name in names:
        cells = []
        for found, _wall in phases.values():
            times = [found[p][0] for p, n in paths.items() if n == name]
            cells.append(f"{statistics.median(times) * 1000:.1f} | {percentile(times, 0.95) * 1000:.1f}")
        print(f"| {name} | {sum(1 for n in paths.values() if n == name)} | " + " | ".join(cells) + " |")
    rates = {}
    cells = []
    for phase, (found, wall) in phases.items():
        times = [seconds for seconds, _, _ in found.values()]
        rates[phase] = len(times) / wall
        statuses = sorted({status for _, status, _ in found.values()})
        cells.append(f"{rates[phase]:.0f}/s | {percentile(times, 0.95) * 1000:.1f}")
        print(
            f"{title}, {phase}: {rates[phase]:.0f} per s, p95 {percentile(times, 0.95) * 1000:.1f} ms, "
            f"{rates[phase] / static_rate:.3f} x static (statuses {statuses})"
        )
    print("| all | " + str(len(paths)) + " | " + " | ".join(cells) + " |")
    return rates


def main() -> None:
    """Build or reuse the data, serve it, drive it and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--procurements", type=int, default=100_000)
    parser.add_argument("--per-class", type=int, default=40, help="distinct queries per class (8 classes)")
    parser.add_argument("--static-requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--reuse", help="a folder to keep the built database and index in between runs")
    args = parser.parse_args()
    directory = Path(args.reuse or tempfile.mkdtemp(prefix="piblinell-bench-"))
    directory.mkdir(parents=True, exist_ok=True)
    if procurement_count(directory) < args.procurements or not (directory / "index").exists():
        imported = grow(directory, args.procurements)
        count, indexed = reindex(directory)
        print(f"built {count} procurements: import {imported:.0f} s, index {indexed:.0f} s")
    port = free_port()
    server = start_server(directory, port)
    try:
        warm_up = query_mix(directory, 3, seed=99)  # each worker's searcher and bitsets, as after a deploy
        drive(port, [f"/en/search?{q}" for qs in warm_up.values() for q in qs] * 2, args.concurrency)
        static_rate, static_p50, static_p95 = run_static(port, args.static_requests, args.concurrency)
        pages, page_phases = run_mix(
            port,
            query_mix(directory, args.per_class, seed=1),
            lambda name: "/cy/search" if name == "Welsh words" else "/en/search",
            args.concurrency,
            seed=2,
        )
        api, api_phases = run_mix(
            port, query_mix(directory, args.per_class, seed=3), lambda name: "/api/v1/notices", args.concurrency, 4
        )
        static_after = run_static(port, args.static_requests, args.concurrency)[0]
        rss = worker_rss_mb(server)
    finally:
        server.terminate()
        server.wait(20)
    procurements = procurement_count(directory)
    if not args.reuse:
        shutil.rmtree(directory, ignore_errors=True)
    print(f"\n{procurements} procurements; gunicorn.conf.py, 2 workers; {args.concurrency} connections; "
          f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"reference, static file: {static_rate:.0f}/s (p50 {static_p50:.1f} ms, p95 {static_p95:.1f} ms); "
          f"{static_after:.0f}/s after the mixes")  # fmt: skip
    reference = (static_rate + static_after) / 2
    page_rates = print_mix("search page", pages, page_phases, reference)
    api_rates = print_mix("JSON API", api, api_phases, reference)
    print(f"\nworker RSS after the mixes: {', '.join(f'{mb:.0f} MB' for mb in rss)}")
    print("\n| what | ours | target | ratio to static (target) |")
    print("|---|---:|---:|---:|")
    for name, rates, target, ratio in (("search page", page_rates, 200, 0.1), ("JSON API", api_rates, 300, 0.15)):
        for phase in ("cold", "warm"):
            print(f"| {name}, {phase} | {rates[phase]:.0f}/s | ≥ {target}/s | "
                  f"{rates[phase] / reference:.3f} (≥ {ratio}) |")  # fmt: skip


if __name__ == "__main__":
    main()
