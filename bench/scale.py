"""Benchmark: the curve to 1M procurements. Grows one database of copies of the real Find a Tender day through
25k, 50k, 100k and 200k procurements and at each size prints what issue 12 asks: query p50/p95 per class, the
search page's p95 (gunicorn, 2 workers, a cold mix), the index's size on disk, the rebuild time (`flask index
rebuild`'s path, from the database), the time of a sync of 500 changed procurements (`flask index sync`'s
path) and the web workers' RSS; then fits each figure against the size and prints the projection to 1M and 2M.

    .venv/bin/python bench/scale.py --sizes 25000,50000,100000,200000 --reuse /tmp/piblinell-scale
    .venv/bin/python bench/scale.py --sizes 2500,5000,10000 --per-class 5        # the quick version
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from corpus import percentile  # noqa: E402

# bench/portal.py (building, serving and driving the portal), under another name than the portal package's
_spec = importlib.util.spec_from_file_location("bench_portal", ROOT / "bench" / "portal.py")
pages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pages)

CLASSES = ["one word", "two words", "phrase", "welsh mutated", "with filters", "with facets", "deadline sort"]


def app_for(directory: Path):
    os.environ.update(pages.environment(directory))
    from portal import create_app

    return create_app()


def rebuild_from_database(directory: Path) -> tuple[int, float, float]:
    """Rebuild the index from the database as `flask index rebuild` does; return (documents, seconds, the peak MB
    of any child process so far: the writer processes, but also the importer's parser and earlier sizes' web
    workers, so read it as a bound; bench/search.py measures the writers alone)."""
    import resource

    count, seconds = pages.reindex(directory)
    return count, seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def sync_500(directory: Path, seed: int) -> float:
    """Change 500 procurements in the database (a new title, changed now) and time `flask index sync`'s path."""
    from portal.search.indexing import sync_index

    with sqlite3.connect(pages.database(directory)) as db:
        ids = [row[0] for row in db.execute("SELECT id FROM procurement")]
        chosen = random.Random(seed).sample(ids, min(500, len(ids)))
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        db.executemany(
            "UPDATE procurement SET title = title || ' refurbished', changed_at = ? WHERE id = ?",
            [(now, pid) for pid in chosen],
        )
    app = app_for(directory)
    with app.app_context():
        started = time.perf_counter()
        upserted, _deleted = sync_index()
        seconds = time.perf_counter() - started
    assert upserted >= len(chosen), (upserted, len(chosen))
    return seconds


def query_times(directory: Path, count: int) -> dict[str, tuple[float, float]]:
    """Return {class: (p50 ms, p95 ms)} of searches of the live index, drawn from the database's own titles."""
    from search import query_classes, run_whoosh

    with sqlite3.connect(pages.database(directory)) as db:
        docs = [{"title": row[0] or ""} for row in db.execute("SELECT title FROM procurement LIMIT 5000")]
    classes = query_classes(docs, count)
    return run_whoosh(directory / "index", {name: classes[name] for name in CLASSES})


def page_figures(directory: Path, per_class: int) -> tuple[float, float, list[float]]:
    """Serve the data with gunicorn and send a cold mix; return (pages/s, p95 ms, each worker's RSS in MB)."""
    port = pages.free_port()
    server = pages.start_server(directory, port)
    try:
        warm_up = pages.query_mix(directory, 2, seed=98)
        pages.drive(port, [f"/en/search?{q}" for qs in warm_up.values() for q in qs] * 2, 4)
        mix = pages.query_mix(directory, per_class, seed=int(time.time()))
        paths = [f"/en/search?{q}" for qs in mix.values() for q in qs]
        found, wall = pages.drive(port, paths, 4)
        rss = pages.worker_rss_mb(server)
    finally:
        server.terminate()
        server.wait(20)
    times = [seconds for seconds, _, _ in found.values()]
    return len(times) / wall, percentile(times, 0.95) * 1000, rss


def index_mb(directory: Path) -> float:
    """Return the size of the live generation on disk (the one before it is kept a while for old searchers)."""
    from search_index.generations import current_generation

    return sum(p.stat().st_size for p in current_generation(directory / "index").rglob("*") if p.is_file()) / 2**20


def fit(sizes: list[int], values: list[float]) -> tuple[float, float]:
    """Return (intercept, slope) of the least-squares line through (size, value)."""
    n = len(sizes)
    mean_x, mean_y = sum(sizes) / n, sum(values) / n
    var = sum((x - mean_x) ** 2 for x in sizes)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(sizes, values, strict=True)) / var if var else 0.0
    return mean_y - slope * mean_x, slope


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="25000,50000,100000,200000")
    parser.add_argument("--queries", type=int, default=100, help="searches per query class")
    parser.add_argument("--per-class", type=int, default=10, help="search pages per class of the page mix")
    parser.add_argument("--reuse", help="a folder for the growing database (kept between runs)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    directory = Path(args.reuse or tempfile.mkdtemp(prefix="piblinell-scale-"))
    directory.mkdir(parents=True, exist_ok=True)
    points = directory / "points.json"  # every size measured in this folder, so a later run adds to the curve
    rows = json.loads(points.read_text()) if points.exists() else []
    for size in sizes:
        imported = pages.grow(directory, size)
        count, rebuild_s, writer_mb = rebuild_from_database(directory)
        sync_s = sync_500(directory, seed=size)
        queries = query_times(directory, args.queries)
        rate, page_p95, rss = page_figures(directory, args.per_class)
        row = {
            "procurements": count,
            "import s": imported,
            "rebuild s": rebuild_s,
            "rebuild docs/s": count / rebuild_s,
            "child peak MB": writer_mb,
            "index MB": index_mb(directory),
            "sync 500 s": sync_s,
            **{f"{name} p50": queries[name][0] for name in CLASSES},
            **{f"{name} p95": queries[name][1] for name in CLASSES},
            "page p95 ms": page_p95,
            "pages/s cold": rate,
            "worker RSS MB": max(rss),
        }
        rows = [r for r in rows if r["procurements"] != count] + [row]
        points.write_text(json.dumps(sorted(rows, key=lambda r: r["procurements"]), indent=1))
        print(f"{count} procurements: " + ", ".join(f"{k} {v:,.1f}" for k, v in row.items() if k != "procurements"))
        sys.stdout.flush()
    rows.sort(key=lambda r: r["procurements"])
    if not args.reuse:
        shutil.rmtree(directory, ignore_errors=True)
    print(f"\n{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; query times in ms")
    names = [name for name in rows[0] if name != "import s"]
    print("| figure | " + " | ".join(f"{row['procurements']:,}" for row in rows) + " | 1M (linear fit) | 2M |")
    print("|---|" + "---:|" * (len(rows) + 2))
    counts = [row["procurements"] for row in rows]
    for name in names[1:]:
        values = [row[name] for row in rows]
        cells = " | ".join(f"{value:,.1f}" for value in values)
        if len(rows) >= 2 and name not in ("rebuild docs/s", "pages/s cold", "child peak MB"):
            intercept, slope = fit(counts, values)
            projected = f"{intercept + slope * 1_000_000:,.0f} | {intercept + slope * 2_000_000:,.0f}"
        else:
            projected = "– | –"
        print(f"| {name} | {cells} | {projected} |")


if __name__ == "__main__":
    main()
