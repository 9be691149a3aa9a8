"""Benchmark alert matching: many saved searches against a batch of new procurements, fast path beside naive.

The procurements are recombined from the recorded notices (bench/corpus.py); the saved searches are drawn
from their own titles in both languages (tests/portal/alerts/saved_searches.py: words, phrases, Welsh
mutations, exclusions, prefixes, OR, CPV/region/value/stage and other filters; each has words or a filter).
Times are wall-clock seconds and this process's CPU seconds (on a shared machine the wall clock also
counts other processes' turns), the fast way's the median of --repeat runs; peak memory is what tracemalloc
saw allocated during each step, measured in a second, untimed run (tracemalloc slows Python down).
Compiling is timed apart from matching, from cold caches. Run:
`python bench/alerts.py --searches 10000 --procurements 1000`. Prints one table; not a test.
See docs/design.md, "Matching saved searches".
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

# The repository first (for the portal package), then this folder (bench/corpus.py).
sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from corpus import make_corpus  # noqa: E402

from portal.alerts import matcher  # noqa: E402
from portal.models.tables import Procurement  # noqa: E402
from search_index import matching  # noqa: E402
from tests.portal.alerts.saved_searches import saved_searches  # noqa: E402


def procurement(number: int, doc: dict) -> Procurement:
    """Return a Procurement row (not stored) holding one corpus document, as the importer would."""
    return Procurement(
        id=number,
        ocid=doc["id"],
        stage=doc["stage"],
        sources=doc["sources"],
        notice_types=doc["notice_types"],
        title=doc["title"],
        description=doc["description"],
        title_cy=doc["title_cy"],
        description_cy=doc["description_cy"],
        buyer_id=int(doc["buyer_id"]) + 1,
        buyer_name=doc["buyer_name"],
        cpv=[{"code": code, "label": label} for code, label in zip(doc["cpv"], doc["cpv_labels"], strict=False)],
        regions=doc["regions"],
        value_amount=doc["value_amount"],
        published_at=doc["published"],
        updated_at=doc["updated"],
        deadline=doc["deadline"],
        expected_tender_date=doc["expected_tender_date"],
        sme=doc["sme"],
        vcse=doc["vcse"],
        in_wales=bool(doc["in_wales"]),
    )


def cold() -> None:
    """Forget every compiled search, so each run compiles from nothing."""
    matcher.search_of.cache_clear()
    matching.forget_compiled()
    gc.collect()


def compile_all(searches: dict[int, str]) -> None:
    """Compile every search as match_batch does it (the cycle collector paused)."""
    with matching.collector_paused():
        for query in searches.values():
            matching.compile_search(*matcher.search_of(query))


def timed(step, *args) -> tuple[tuple[float, float], object]:
    """Return ((wall-clock seconds, this process's CPU seconds), the step's result)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = step(*args)
    return (time.perf_counter() - start, time.process_time() - cpu), result


def peak_mb(step, *args) -> float:
    gc.collect()
    tracemalloc.start()
    step(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def _median(times: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(wall for wall, _ in times), statistics.median(cpu for _, cpu in times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--searches", type=int, default=10_000)
    parser.add_argument("--procurements", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-naive", action="store_true", help="skip the naive way (it takes minutes)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the fast way (the median is shown)")
    args = parser.parse_args()

    docs = make_corpus(args.procurements, seed=args.seed)
    rows = [procurement(n, doc) for n, doc in enumerate(docs, start=1)]
    searches = dict(enumerate(saved_searches(docs, args.searches, seed=args.seed + 1, broken=False), start=1))
    distinct = len(set(searches.values()))

    compiles, matches, totals = [], [], []
    for _ in range(args.repeat):  # the machine is shared: the median of a few runs
        cold()
        compiles.append(timed(compile_all, searches)[0])
        seconds, fast = timed(matcher.match_batch, searches, rows)  # compiled: the clock's steady state
        matches.append(seconds)
        cold()
        totals.append(timed(matcher.match_batch, searches, rows)[0])  # from cold: compiling inside
    compile_s, match_s, total_s = (_median(times) for times in (compiles, matches, totals))
    cold()
    compile_mb = peak_mb(compile_all, searches)
    match_mb = peak_mb(matcher.match_batch, searches, rows)
    lines = [
        ("fast: compile every search (cold)", compile_s, compile_mb),
        ("fast: match the batch (compiled)", match_s, match_mb),
        ("fast: compile + match (cold)", total_s, None),
    ]
    if not args.no_naive:
        naive_s, naive = timed(matcher.match_batch_naive, searches, rows)
        naive_mb = peak_mb(matcher.match_batch_naive, searches, rows)
        lines.append(("naive: Whoosh per search over the batch", naive_s, naive_mb))
    pairs = sum(len(found) for found in fast.values())
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"alert matching, {when}: {args.searches:,} saved searches ({distinct:,} distinct)", end=" ")
    print(f"× {args.procurements:,} new procurements → {len(fast):,} searches match, {pairs:,} matches")
    print(f"{'step':44} {'seconds':>9} {'CPU s':>9} {'peak MB':>9}")
    for name, (wall, cpu), mb in lines:
        print(f"{name:44} {wall:9.3f} {cpu:9.3f} {'' if mb is None else f'{mb:9.1f}':>9}")
    fastest = min(wall for wall, _ in matches)
    print(
        f"fast: the median of {args.repeat} runs (fastest match {fastest:.3f} s); load average {os.getloadavg()[0]:.1f}"
    )
    if not args.no_naive:
        ratio, cold_ratio = naive_s[0] / match_s[0], naive_s[0] / total_s[0]
        print(f"naive / fast (compiled): {ratio:.0f}×; naive / fast (cold): {cold_ratio:.1f}×")
        print(f"results equal: {'yes' if naive == fast else 'NO'}")


if __name__ == "__main__":
    main()
