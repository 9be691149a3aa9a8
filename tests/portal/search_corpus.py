"""A small searchable corpus: the page tests' sample releases plus a few more, ingested and indexed."""

from __future__ import annotations

from datetime import timedelta

from portal.collect.ingest import ingest_page
from portal.db import session_scope
from portal.models.tables import utcnow
from portal.search.indexing import rebuild_index
from tests.factories import fts_release
from tests.portal.test_pages import iso, sample_releases


def as_published(release: dict) -> dict:
    """Give a factory release the initiationType every real register release carries (OCDS 1.1 requires it)."""
    return {"initiationType": "tender"} | release


def extra_releases(now) -> list[dict]:
    """Return more open tenders: two IT ones in England with values, and a formula-looking title."""
    return [
        fts_release(
            ocid="ocds-h6vhtk-0e0001",
            notice_id="081001-2026",
            title="Software licences for libraries",
            description="Library management software, support and hosting.",
            region="UKI",
            cpv="48000000",
            amount=2_500_000,
            deadline=iso(now + timedelta(days=20)),
            date=iso(now - timedelta(days=6)),
            buyer_id="GB-PPON-LOND-0001-AAAA",
            buyer_name="London Libraries Consortium",
        ),
        fts_release(
            ocid="ocds-h6vhtk-0e0002",
            notice_id="081002-2026",
            title='=HYPERLINK("http://x","Click")',
            description="Spreadsheet formulas are just text here.",
            region="UKI",
            cpv="72000000",
            amount=15_000,
            deadline=iso(now + timedelta(days=2)),
            date=iso(now - timedelta(days=8)),
            buyer_id="GB-PPON-LOND-0001-AAAA",
            buyer_name="London Libraries Consortium",
        ),
    ]


def load_corpus(app, *, extra: list[dict] | None = None) -> dict:
    """Ingest the sample and extra releases, rebuild the index, and return the releases by source."""
    now = utcnow()
    releases = sample_releases(now)
    fts = [as_published(r) for r in releases["fts"] + extra_releases(now) + (extra or [])]
    with app.app_context():
        with session_scope() as session:
            ingest_page(session, "fts", fts)
            ingest_page(
                session,
                "s2w",
                [as_published(r) for r in releases["s2w"]],
                welsh_releases=[as_published(r) for r in releases["s2w_cy"]],
            )
            session.commit()
        rebuild_index()
    return {"fts": fts, "s2w": releases["s2w"]}
