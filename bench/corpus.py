"""What the benchmarks share: the recorded notices (read in place from ../shared/fixtures, never copied) as a
corpus of index documents (`make_corpus`, for bench/search.py and bench/scale.py) or as copies of the real
Find a Tender day with new ids (`copies`, for bench/ingest.py, bench/portal.py and bench/scale.py).
"""

from __future__ import annotations

import json
import os
import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

FIXTURES = Path(os.environ.get("PIBLINELL_REAL_FIXTURES", Path(__file__).resolve().parents[2] / "shared" / "fixtures"))
FILES = [
    *(f"find_a_tender/foretender/backfill/2026-08-10/page-00{n}.json" for n in range(1, 6)),
    "contracts_finder/cf_ocds_search_2025-01-23_limit100_page.json",
    "contracts_finder/cf_ocds_search_2022-10-20_limit100_page.json",
    "contracts_finder/cf_ocds_search_2022-10-22_limit100_page.json",
    "sell2wales/s2w_releases_2025-02_contract_notices_89.json",
]
DAY = FIXTURES / "find_a_tender/foretender/backfill/2026-08-10"
PROCUREMENTS_PER_DAY = 438  # procurements in the real day
STAGES = ["pipeline", "engagement", "planned", "open", "closed", "awarded", "cancelled"]
STAGE_WEIGHTS = [5, 5, 5, 20, 10, 50, 5]
WELSH_TITLES = [
    "Gwasanaethau glanhau ar gyfer ysgolion yng Nghaerdydd",
    "System Brynu Ddynamig Gofal Plant Ynys Môn",
    "Cynnal a chadw priffyrdd ar ran y Cyngor a'i gyngor tref",
    "Fframwaith meddalwedd digidol i Fwrdd Iechyd yn Nghymru",
    "Darparu gwasanaethau arlwyo i ysgolion Sir Benfro",
    "Ailgylchu gwastraff bwyd ei chyngor sir a'i phartneriaid",
    "Gwaith adeiladu tai fforddiadwy yn Wrecsam",
    "Hyfforddiant diogelwch dŵr ar gyfer ein gwasanaeth tân",
]


def _buyer_name(release: dict) -> str | None:
    for party in release.get("parties") or []:
        if "buyer" in (party.get("roles") or []):
            return party.get("name")
    return (release.get("buyer") or {}).get("name")


def _classifications(tender: dict):
    for holder in [tender, *(tender.get("items") or []), *(tender.get("lots") or [])]:
        for c in [holder.get("classification"), *(holder.get("additionalClassifications") or [])]:
            if c and str(c.get("scheme", "")).upper() == "CPV" and c.get("id"):
                yield str(c["id"])[:8], c.get("description")


def _regions(release: dict, tender: dict):
    for item in tender.get("items") or []:
        for address in item.get("deliveryAddresses") or []:
            if address.get("region"):
                yield address["region"]
    for party in release.get("parties") or []:
        region = (party.get("address") or {}).get("region")
        if region and region[:2] == "UK":
            yield region


def load_pools() -> dict[str, list]:
    """Read the recorded notices in place into pools of titles, descriptions, buyers, CPVs, regions."""
    pools: dict[str, list] = {k: [] for k in ("titles", "descriptions", "buyers", "cpvs", "regions", "values")}
    for name in FILES:
        data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
        releases = data if isinstance(data, list) else data.get("releases", [])
        for release in releases:
            tender = release.get("tender") or {}
            if tender.get("title"):
                pools["titles"].append(tender["title"])
            if tender.get("description"):
                pools["descriptions"].append(tender["description"])
            if _buyer_name(release):
                pools["buyers"].append(_buyer_name(release))
            cpvs = list(dict.fromkeys(_classifications(tender)))
            if cpvs:
                pools["cpvs"].append(cpvs)
            regions = list(dict.fromkeys(_regions(release, tender)))
            if regions:
                pools["regions"].append(regions)
            amount = (tender.get("value") or {}).get("amount")
            if isinstance(amount, (int, float)):
                pools["values"].append(float(amount))
    pools["buyers"] = sorted(set(pools["buyers"]))
    return pools


def make_corpus(count: int, seed: int = 7) -> list[dict]:
    """Return `count` procurement documents recombined from the recorded notices."""
    pools, rng = load_pools(), random.Random(seed)
    now = datetime(2026, 8, 10, tzinfo=UTC)
    docs = []
    for n in range(count):
        buyer_no = rng.randrange(len(pools["buyers"]))
        cpvs = rng.choice(pools["cpvs"])
        welsh = rng.random() < 0.1
        title = rng.choice(pools["titles"])
        if rng.random() < 0.3:
            title = f"{title} - {rng.choice(pools['titles'])}"
        description = rng.choice(pools["descriptions"])
        if rng.random() < 0.3:
            description = f"{description}\n{rng.choice(pools['descriptions'])}"
        stage = rng.choices(STAGES, STAGE_WEIGHTS)[0]
        docs.append(
            {
                "id": f"ocds-bench-{n:07d}",
                "stage": stage,
                "notice_types": [rng.choice(["UK1", "UK2", "UK3", "UK4", "UK6", "UK7"])],
                "sources": ["s2w", "fts"] if welsh else [rng.choice(["fts", "fts", "cf"])],
                "buyer_id": str(buyer_no),
                "buyer_name": pools["buyers"][buyer_no],
                "title": title,
                "description": description,
                "title_cy": rng.choice(WELSH_TITLES) if welsh else None,
                "description_cy": None,
                "cpv": [code for code, _ in cpvs],
                "cpv_labels": [label for _, label in cpvs if label],
                "regions": rng.choice(pools["regions"]) if rng.random() < 0.8 else [],
                "value_amount": rng.choice(pools["values"]) if rng.random() < 0.7 else None,
                "value_gross": None,
                "published": now - timedelta(minutes=rng.randrange(525_600)),
                "updated": now - timedelta(minutes=rng.randrange(100_000)),
                "deadline": now + timedelta(minutes=rng.randrange(-50_000, 90_000))
                if stage in ("open", "closed")
                else None,
                "expected_tender_date": now + timedelta(days=rng.randrange(365)) if stage in STAGES[:3] else None,
                "sme": rng.random() < 0.4,
                "vcse": rng.random() < 0.1,
                "in_wales": welsh or rng.random() < 0.05,
            }
        )
    return docs


def day_pages() -> list[bytes]:
    """Return the pages of the real Find a Tender day as bytes (exit with a reason when they are absent)."""
    if not DAY.exists():
        raise SystemExit(f"real recorded data not found at {DAY}")
    return [p.read_bytes() for p in sorted(DAY.glob("page-*.json"))]


def copies(pages: list[bytes], count: int, start: int = 0):
    """Yield copies number `start`… of the day (`count` of them) whose ocids and release ids are all new."""
    for n in range(start, start + count):
        prefix = f"b{n:05d}".encode()
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
