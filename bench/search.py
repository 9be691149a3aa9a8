"""Benchmark the search index against SQLite FTS5, the reference measured in the same run, on a corpus shaped
like the real notices.

Titles, descriptions, buyers, CPVs and regions are drawn from the recorded register responses in
../shared/fixtures (read in place, never copied) and recombined into `--docs` procurements. Prints the rebuild
rate of both (and their ratio: issue 12 asks for ≥ 0.15), the writers' peak RSS, a sync of 500 changed
procurements, and p50/p95 per query class with the ratio of the p95s (issue 12: within 1×). Not a test.

    .venv/bin/python bench/search.py --docs 100000 --queries 200
    .venv/bin/python bench/search.py --docs 10000 --queries 100        # the quick version (make bench)
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

# The repository first (for the portal package), then this folder (bench/corpus.py).
sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from corpus import make_corpus  # noqa: E402

import search_index.results as results_module  # noqa: E402
from search_index import Filters, rebuild, search, sync  # noqa: E402
from search_index.analysis import WORD_RE  # noqa: E402


def _words(text: str) -> list[str]:
    return [w for w in WORD_RE.findall(text) if w.isalpha() and len(w) >= 4]


def query_classes(docs: list[dict], count: int, seed: int = 11) -> dict[str, list[tuple[str, dict]]]:
    """Return {class: [(text, search keyword arguments)]} drawn from the corpus's own titles."""
    rng = random.Random(seed)
    titles = [_words(doc["title"]) for doc in docs[:5000]]
    titles = [t for t in titles if len(t) >= 3]
    mutated = ["gyngor", "nghyngor", "Nghymru", "wasanaethau", "lanhau", "Nghaerdydd", "ysgolion", "Gymru", "ddarparu"]
    filters = [Filters(stages=("open",)), Filters(regions=("UKL",)), Filters(cpv=("72",), sme=True)]
    out: dict[str, list[tuple[str, dict]]] = {name: [] for name in CLASSES}
    for _ in range(count):
        title = rng.choice(titles)
        at = rng.randrange(len(title) - 2)
        word = rng.choice(title)
        out["one word"].append((word, {}))
        out["two words"].append((f"{title[at]} {title[at + 1]}", {}))
        out["phrase"].append((f'"{title[at]} {title[at + 1]} {title[at + 2]}"', {}))
        out["welsh mutated"].append((rng.choice(mutated), {}))
        out["with filters"].append((word, {"filters": rng.choice(filters)}))
        out["with facets"].append((word, {"facets": True}))
        out["deadline sort"].append((word, {"sort": "closing_soonest", "filters": Filters(stages=("open",))}))
        out["page 5"].append((word, {"page": 5}))
        # The search page with no words: everything (or a filter's worth), newest first, with facets.
        out["browse"].append(("", {"facets": True, "filters": rng.choice([None, *filters])}))
    return out


CLASSES = [
    "one word",
    "two words",
    "phrase",
    "welsh mutated",
    "with filters",
    "with facets",
    "deadline sort",
    "page 5",
    "browse",
]


def percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times) * 1000, times[min(len(times) - 1, int(len(times) * 0.95))] * 1000


def run_whoosh(index_dir: Path, classes) -> dict[str, tuple[float, float]]:
    """Return {class: (p50 ms, p95 ms)}, every search cold: the cache of recent results is off (a class repeats
    some searches; FTS5 has no such cache), the index's own term and filter bitsets are kept."""
    results_module.RESULTS_CACHED = 0
    out = {}
    search(index_dir, "warm up")  # open the searcher once, as a web process does
    for name, queries in classes.items():
        times = []
        for text, kwargs in queries:
            kwargs = {"facets": False, **kwargs}
            started = time.perf_counter()
            search(index_dir, text, **kwargs)
            times.append(time.perf_counter() - started)
        out[name] = percentiles(times)
    return out


def build_fts5(docs: list[dict], path: Path) -> tuple[sqlite3.Connection, float]:
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE doc(id INTEGER PRIMARY KEY, ocid TEXT, stage TEXT, regions TEXT, cpv TEXT, sme INT,
                         value INT, deadline INT, published INT);
        CREATE INDEX doc_deadline ON doc(deadline);
        CREATE INDEX doc_published ON doc(published);
        CREATE VIRTUAL TABLE fts USING fts5(title, description, buyer, cpv_labels,
                                            tokenize='porter unicode61 remove_diacritics 2');
        """
    )
    started = time.perf_counter()
    for n, doc in enumerate(docs, 1):
        db.execute(
            "INSERT INTO doc VALUES (?,?,?,?,?,?,?,?,?)",
            (
                n,
                doc["id"],
                doc["stage"],
                " ".join(doc["regions"]),
                " ".join(doc["cpv"]),
                int(bool(doc["sme"])),
                int(doc["value_amount"] * 100) if doc["value_amount"] is not None else None,
                int(doc["deadline"].timestamp()) if doc["deadline"] else None,
                int(doc["published"].timestamp()),
            ),
        )
        text = "\n".join(t for t in (doc["title"], doc["title_cy"]) if t)
        db.execute(
            "INSERT INTO fts(rowid, title, description, buyer, cpv_labels) VALUES (?,?,?,?,?)",
            (n, text, doc["description"], doc["buyer_name"], " ".join(doc["cpv_labels"])),
        )
    db.commit()
    return db, len(docs) / (time.perf_counter() - started)


def _fts_match(text: str) -> str:
    """Return the FTS5 query of the same words: a phrase as a phrase, words ANDed (each quoted)."""
    if text.startswith('"'):
        return text
    return " ".join(f'"{w}"' for w in WORD_RE.findall(text))


def _fts_filter(filters) -> str:
    if filters is None:
        return ""
    parts = []
    if filters.stages:
        parts.append(f"doc.stage = '{filters.stages[0]}'")
    if filters.regions:
        parts.append(f"doc.regions LIKE '%{filters.regions[0]}%'")
    if filters.cpv:
        parts.append(f"(' ' || doc.cpv) LIKE '% {filters.cpv[0]}%'")
    if filters.sme:
        parts.append("doc.sme = 1")
    return "".join(f" AND {p}" for p in parts)


def run_fts5(db: sqlite3.Connection, classes) -> dict[str, tuple[float, float]]:
    out = {}
    for name, queries in classes.items():
        times = []
        for text, kwargs in queries:
            match, where = _fts_match(text), _fts_filter(kwargs.get("filters"))
            order = "doc.deadline IS NULL, doc.deadline" if kwargs.get("sort") == "closing_soonest" else "fts.rank"
            offset = (kwargs.get("page", 1) - 1) * 20
            base = f"FROM fts JOIN doc ON doc.id = fts.rowid WHERE fts MATCH ?{where}"
            params: tuple = (match,)
            if not match:  # browsing: no words, newest first
                base, order, params = f"FROM doc WHERE 1{where}", "doc.published DESC", ()
            started = time.perf_counter()
            db.execute(f"SELECT count(*) {base}", params).fetchone()
            # the page's hits with what ours gives them: the title marked and a fragment of the description
            shown = "doc.ocid"
            if match:
                shown += ", highlight(fts, 0, '<mark>', '</mark>'), snippet(fts, 1, '<mark>', '</mark>', '…', 20)"
            db.execute(f"SELECT {shown} {base} ORDER BY {order} LIMIT 20 OFFSET {offset}", params).fetchall()
            if kwargs.get("facets"):
                db.execute(f"SELECT doc.stage, count(*) {base} GROUP BY doc.stage", params).fetchall()
                db.execute(f"SELECT substr(doc.cpv, 1, 2), count(*) {base} GROUP BY 1", params).fetchall()
                db.execute(f"SELECT doc.sme, count(*) {base} GROUP BY 1", params).fetchall()
            times.append(time.perf_counter() - started)
        out[name] = percentiles(times)
    return out


def _cpu_seconds() -> float:
    """Return the CPU time of this process and its finished children (the writer processes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    """Build both indexes, time them and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="piblinell-bench-"))
    try:
        docs = make_corpus(args.docs)
        load_before = os.getloadavg()[0]
        started, cpu = time.perf_counter(), _cpu_seconds()
        rebuild(work / "index", docs, len(docs))
        rebuild_rate = len(docs) / (time.perf_counter() - started)
        rebuild_cpu_ms = (_cpu_seconds() - cpu) / len(docs) * 1000
        peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        peak_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        size = sum(p.stat().st_size for p in (work / "index").rglob("*") if p.is_file()) / 2**20
        changed = [dict(doc, title=doc["title"] + " refurbished") for doc in random.Random(3).sample(docs, 500)]
        started = time.perf_counter()
        sync(work / "index", changed, (), watermark=datetime.now(UTC))
        sync_seconds = time.perf_counter() - started
        classes = query_classes(docs, args.queries)
        whoosh = run_whoosh(work / "index", classes)
        db, fts_rate = build_fts5(docs, work / "fts.sqlite")
        fts = run_fts5(db, classes)
        print(f"\n{args.docs} procurements, {args.queries} queries per class, {os.cpu_count()} cores")
        print(f"load average: {load_before:.1f} before the rebuild, {os.getloadavg()[0]:.1f} at the end")
        ratio = rebuild_rate / fts_rate
        print(
            f"rebuild: {rebuild_rate:.0f} procurements/s (FTS5 {fts_rate:.0f}/s, ratio {ratio:.3f}); "
            f"index {size:.0f} MB"
        )
        print(f"rebuild CPU, all processes: {rebuild_cpu_ms:.2f} ms per procurement")
        print(f"peak RSS: main process {peak_self:.0f} MB, largest writer process {peak_child:.0f} MB")
        print(f"sync of 500 changed procurements: {sync_seconds:.2f} s")
        print("\n| query class | Whoosh p50 ms | Whoosh p95 ms | FTS5 p50 ms | FTS5 p95 ms | p95 ratio |")
        print("|---|---:|---:|---:|---:|---:|")
        for name in CLASSES:
            (w50, w95), (f50, f95) = whoosh[name], fts[name]
            print(f"| {name} | {w50:.1f} | {w95:.1f} | {f50:.1f} | {f95:.1f} | {w95 / max(f95, 0.001):.1f}x |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
