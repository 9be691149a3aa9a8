"""Ingest: idempotent, lossless, linking notices across registers (own small fixtures)."""

from datetime import UTC, datetime

from sqlmodel import select

from portal.collect.ingest import ingest_page
from portal.collect.rss import store_items
from portal.db import session_scope
from portal.models.tables import Buyer, Procurement, ProcurementKey, Quarantine, Release, RssItem
from scrapers.sell2wales_rss import RssItem as FeedItem
from tests.factories import fts_release, s2w_release
from tests.portal.snapshots import snapshot


def ingest(source, releases, welsh=None):
    with session_scope() as session:
        counts = ingest_page(session, source, releases, welsh)
        session.commit()
        return counts


def procurements():
    with session_scope() as session:
        return session.exec(select(Procurement).order_by(Procurement.ocid)).all()


def test_same_page_twice_changes_nothing(app):
    page = [fts_release(), fts_release(ocid="ocds-h6vhtk-0a0002", notice_id="070002-2026", notice_type="UK1")]
    with app.app_context():
        first = ingest("fts", page)
        before = snapshot()
        second = ingest("fts", page)
        assert (first.new, second.new, second.duplicates) == (2, 0, 2)
        assert snapshot() == before


def test_server_side_duplicate_on_one_page_is_stored_once(app):
    with app.app_context():
        counts = ingest("fts", [fts_release(), fts_release()])
        assert (counts.seen, counts.new, counts.duplicates) == (2, 1, 1)
        with session_scope() as session:
            assert len(session.exec(select(Release)).all()) == 1


def test_malformed_release_is_quarantined_with_reason_and_the_rest_kept(app):
    page = [fts_release(), {"id": "x-1", "tag": ["tender"]}, "not a release", fts_release(notice_id="070009-2026")]
    with app.app_context():
        counts = ingest("fts", page)
        assert (counts.new, counts.quarantined) == (2, 2)
        ingest("fts", page)  # the same bad releases again are not stored twice
        with session_scope() as session:
            rows = session.exec(select(Quarantine).order_by(Quarantine.id)).all()
        assert len(rows) == 2
        assert "ocid" in rows[0].reason and rows[0].release_id == "x-1"
        assert rows[1].raw == '"not a release"'


def test_uk3_then_uk4_is_one_procurement_that_becomes_open(app):
    with app.app_context():
        ingest("fts", [fts_release(notice_type="UK3", notice_id="069280-2026", date="2026-08-10T15:27:00+01:00")])
        assert procurements()[0].stage == "planned"
        ingest("fts", [fts_release(notice_type="UK4", notice_id="069310-2026", date="2026-08-10T15:56:00+01:00")])
        [procurement] = procurements()
        assert procurement.stage == "open"
        assert procurement.notice_types == ["UK3", "UK4"]
        assert [link["notice_id"] for link in procurement.links] == ["069280-2026", "069310-2026"]


def test_tender_closes_when_its_deadline_has_passed(app):
    with app.app_context():
        ingest("fts", [fts_release(deadline="2026-01-01T12:00:00Z")])
        assert procurements()[0].stage == "closed"


def test_cancellation_stub_never_blanks_what_the_tender_said(app):
    with app.app_context():
        ingest("fts", [fts_release(title="Road gritting", amount=5000)])
        ingest("fts", [fts_release(notice_type="UK12", notice_id="070100-2026", date="2026-08-12T10:00:00+01:00")])
        [procurement] = procurements()
        assert procurement.stage == "cancelled"
        assert (procurement.title, procurement.value_amount) == ("Road gritting", 5000)


def test_changed_release_with_the_same_id_is_updated(app):
    with app.app_context():
        ingest("fts", [fts_release(title="Old title")])
        counts = ingest("fts", [fts_release(title="New title")])
        assert counts.updated == 1
        assert procurements()[0].title == "New title"


def test_buyer_is_stored_once_with_welsh_devolved_flag(app):
    with app.app_context():
        ingest("fts", [fts_release(devolved="GB-WLS"), fts_release(ocid="ocds-h6vhtk-0a0003", notice_id="070003-2026")])
        with session_scope() as session:
            [buyer] = session.exec(select(Buyer)).all()
        assert (buyer.scheme, buyer.devolved, buyer.is_welsh) == ("GB-PPON", "GB-WLS", True)
        assert all(p.buyer_id == buyer.id and p.in_wales for p in procurements())


def test_sell2wales_notice_citing_an_fts_notice_is_one_procurement_with_both_links(app):
    with app.app_context():
        ingest("fts", [fts_release(notice_type="UK4", notice_id="035618-2024")])
        ingest("s2w", [s2w_release(related=["2024/S 000-035618"])])
        [procurement] = procurements()
        assert procurement.ocid == "ocds-h6vhtk-0a0001"
        assert sorted(procurement.sources) == ["fts", "s2w"]
        assert {link["source"] for link in procurement.links} == {"fts", "s2w"}


def test_sell2wales_first_then_fts_notice_links_the_same_way(app):
    with app.app_context():
        ingest("s2w", [s2w_release(related=["2024/S 000-035618"])])
        ingest("fts", [fts_release(notice_type="UK4", notice_id="035618-2024")])
        [procurement] = procurements()
        assert procurement.ocid == "ocds-h6vhtk-0a0001"
        assert sorted(procurement.sources) == ["fts", "s2w"]
        with session_scope() as session:
            assert {r.procurement_id for r in session.exec(select(Release))} == {procurement.id}
            assert {k.procurement_id for k in session.exec(select(ProcurementKey))} == {procurement.id}


def test_sell2wales_welsh_copy_is_kept_beside_the_english(app):
    english = s2w_release(title="Cleaning services", description="Cleaning of buildings.")
    welsh = s2w_release(title="Gwasanaethau glanhau", description="Glanhau adeiladau'r cyngor.")
    with app.app_context():
        ingest("s2w", [english], [welsh])
        [procurement] = procurements()
        assert (procurement.title, procurement.title_cy) == ("Cleaning services", "Gwasanaethau glanhau")
        assert procurement.description_cy == "Glanhau adeiladau'r cyngor."
        assert procurement.in_wales


def test_rss_item_is_linked_when_its_full_notice_arrives(app):
    item = FeedItem(
        guid="g1",
        title="Cleaning",
        summary="<p>Cleaning</p>",
        published=datetime(2025, 2, 21, tzinfo=UTC),
        link="https://www.sell2wales.gov.wales/search/show/search_view.aspx?ID=FEB400001",
        notice_ref="FEB400001",
    )
    with app.app_context():
        with session_scope() as session:
            assert store_items(session, [item, item]) == 1
            session.commit()
        ingest("s2w", [s2w_release(ref="FEB400001")])
        with session_scope() as session:
            [row] = session.exec(select(RssItem)).all()
            assert row.procurement_id == procurements()[0].id
            assert store_items(session, [item]) == 0


def test_hostile_text_is_stored_exactly_as_published(app):
    hostile = '<script>alert("x")</script> <b>bold</b> \u202eevil\u202c 🚧 ' + "x" * 5000
    with app.app_context():
        ingest("fts", [fts_release(title=hostile)])
        assert procurements()[0].title == hostile.strip()
