"""The browser tests' dataset: every stage, Welsh text, hostile text and more cleaners than fit one page."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import fts_release, s2w_release

HOSTILE_TITLE = '<script>alert("x")</script><b>Bold</b> road resurfacing'
# More matches for "cleaning" than one page of results holds, so paging can be tried.
CLEANING_TENDERS = 26
BUYERS = ("Cyngor Caerdydd", "Bristol City Council", "NHS Wales")


def _iso(moment) -> str:
    return moment.replace(microsecond=0).isoformat()


def dataset(now) -> dict[str, list]:
    """Return the releases to load, keyed by source: every stage, Welsh text, hostile text and many cleaners."""
    uk1 = fts_release(
        ocid="ocds-h6vhtk-0c0001",
        notice_id="090001-2026",
        notice_type="UK1",
        deadline=None,
        title="School meals pipeline",
        date=_iso(now - timedelta(days=3)),
    )
    uk1["tender"]["communication"] = {"futureNoticeDate": _iso(now + timedelta(days=100))}
    uk2 = fts_release(
        ocid="ocds-h6vhtk-0c0002",
        notice_id="090002-2026",
        notice_type="UK2",
        deadline=None,
        title="Market engagement for road gritting",
        amount=None,
        date=_iso(now - timedelta(days=2)),
    )
    uk3 = fts_release(
        ocid="ocds-h6vhtk-0c0003",
        notice_id="090003-2026",
        notice_type="UK3",
        deadline=None,
        title="Planned building works",
        region="UKD",
        cpv="45000000",
        date=_iso(now - timedelta(days=1)),
    )
    uk3["tender"]["communication"] = {"futureNoticeDate": _iso(now + timedelta(days=200))}
    uk3["tender"]["suitability"] = {"sme": True}
    uk4 = fts_release(
        ocid="ocds-h6vhtk-0c0004",
        notice_id="090004-2026",
        notice_type="UK4",
        title="Grounds maintenance",
        deadline=_iso(now + timedelta(days=5)),
        amount=50000,
        date=_iso(now - timedelta(days=10)),
    )
    uk4["tender"]["lots"] = [
        {"id": "1", "title": "North", "suitability": {"sme": True, "vcse": False}},
        {"id": "2", "title": "South", "value": {"amount": 20000, "currency": "GBP"}},
    ]
    award = fts_release(
        ocid="ocds-h6vhtk-0c0006",
        notice_id="090006-2026",
        notice_type="UK6",
        deadline=None,
        title="Cleaning contract",
        date=_iso(now - timedelta(days=20)),
    )
    award["parties"].append(
        {"id": "S1", "name": "Glanhau Bach Cyf", "roles": ["supplier"], "details": {"scale": "sme"}}
    )
    award["awards"][0]["suppliers"] = [{"id": "S1", "name": "Glanhau Bach Cyf"}]
    # What an awarded row shows: who won it, for how much and when.
    award["awards"][0]["value"] = {"amount": 48000, "currency": "GBP"}
    award["awards"][0]["date"] = _iso(now - timedelta(days=25))
    # Ends within 18 months, so the pipeline page has a contract due for renewal.
    award["tender"]["contractPeriod"] = {
        "startDate": _iso(now - timedelta(days=300)),
        "endDate": _iso(now + timedelta(days=120)),
    }
    hostile = fts_release(
        ocid="ocds-h6vhtk-0c0007",
        notice_id="090007-2026",
        notice_type="UK1",
        deadline=None,
        title=HOSTILE_TITLE,
        description='<img src=x onerror=alert(1)> "quotes" & {{ 7*7 }}',
        date=_iso(now - timedelta(days=4)),
    )
    cleaners = []
    for n in range(CLEANING_TENDERS):
        release = fts_release(
            ocid=f"ocds-h6vhtk-0d{n:04d}",
            notice_id=f"091{n:03d}-2026",
            notice_type="UK4",
            title=f"Office cleaning services, lot {n + 1}",
            description="Daily cleaning of offices and schools.",
            deadline=_iso(now + timedelta(days=20 + n)),
            amount=10000 + 1000 * n,
            date=_iso(now - timedelta(days=n)),
            region="UKL22" if n % 2 else "UKI",
            cpv="90910000",
            buyer_id=f"GB-PPON-CLEAN-{n % 3}",
            buyer_name=BUYERS[n % 3],
        )
        if n % 3 == 0:
            release["tender"]["suitability"] = {"sme": True}
        cleaners.append(release)
    # The last cleaning tender is cancelled, so a cancelled row is seen too.
    cancelled = fts_release(
        ocid=f"ocds-h6vhtk-0d{CLEANING_TENDERS - 1:04d}",
        notice_id="092001-2026",
        notice_type="UK12",
        date=_iso(now - timedelta(hours=6)),
    )
    welsh = s2w_release(
        number=148201,
        ref="AUG400201",
        title="Cleaning services",
        description="Cleaning of council buildings.\nTwo sites.",
    )
    welsh_cy = s2w_release(
        number=148201,
        ref="AUG400201",
        title="Gwasanaethau glanhau",
        description="Glanhau adeiladau'r cyngor.\nDau safle.",
    )
    return {"fts": [uk1, uk2, uk3, uk4, award, hostile, *cleaners, cancelled], "s2w": [welsh], "s2w_cy": [welsh_cy]}
