"""Every page in both languages, checked by the page client; the routes that must exist; errors and redirects."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import select

from portal.collect.ingest import ingest_page
from portal.db import session_scope
from portal.models.tables import CollectorRun, Procurement, utcnow
from portal.search.indexing import sync_index
from tests.factories import fts_release, s2w_release
from tests.pages import PageClient

EXPECTED_ENDPOINTS = {
    "root",
    "static",
    "favicon",
    "home.home",
    "search.search",
    "pipeline.pipeline",
    "notices.notice",
    "buyers.buyer",
    "info.about",
    "info.accessibility",
    "info.privacy",
    "info.cookies",
    "info.sources",
    "status.status",
    "exports.csv",
    "exports.atom",
    "exports.ics",
    "api.notices",
    "api.notices_csv",
    "api.notice",
    "api.ocds_releases",
    "api.ocds_record",
    "api.openapi",
}


def iso(moment) -> str:
    """Return an aware datetime as the registers write it."""
    return moment.replace(microsecond=0).isoformat()


def sample_releases(now) -> dict[str, list]:
    """Return a small corpus covering every stage, keyed by source, with dates relative to now."""
    uk1 = fts_release(
        ocid="ocds-h6vhtk-0b0001",
        notice_id="080001-2026",
        notice_type="UK1",
        deadline=None,
        title="School meals pipeline",
        date=iso(now - timedelta(days=3)),
    )
    uk1["tender"]["communication"] = {"futureNoticeDate": iso(now + timedelta(days=100))}
    uk2 = fts_release(
        ocid="ocds-h6vhtk-0b0002",
        notice_id="080002-2026",
        notice_type="UK2",
        deadline=None,
        title="Market engagement for road gritting",
        amount=None,
        date=iso(now - timedelta(days=2)),
    )
    uk3 = fts_release(
        ocid="ocds-h6vhtk-0b0003",
        notice_id="080003-2026",
        notice_type="UK3",
        deadline=None,
        title="Planned building works",
        region="UKD",
        cpv="45000000",
        date=iso(now - timedelta(days=1)),
    )
    uk3["tender"]["communication"] = {"futureNoticeDate": iso(now + timedelta(days=200))}
    uk3["tender"]["suitability"] = {"sme": True}
    tender = fts_release(
        ocid="ocds-h6vhtk-0b0004",
        notice_id="080004-2026",
        notice_type="UK4",
        title="Grounds maintenance",
        deadline=iso(now + timedelta(days=5)),
        amount=50000,
        date=iso(now - timedelta(days=10)),
    )
    tender["tender"]["lots"] = [
        {"id": "1", "title": "North", "suitability": {"sme": True, "vcse": False}},
        {"id": "2", "title": "South", "value": {"amount": 20000, "currency": "GBP"}},
    ]
    update = fts_release(
        ocid="ocds-h6vhtk-0b0004",
        notice_id="080005-2026",
        notice_type="UK4",
        title="Grounds maintenance",
        deadline=iso(now + timedelta(days=6)),
        amount=60000,
        date=iso(now - timedelta(days=4)),
    )
    award = fts_release(
        ocid="ocds-h6vhtk-0b0006",
        notice_id="080006-2026",
        notice_type="UK6",
        deadline=None,
        title="Cleaning contract",
        date=iso(now - timedelta(days=20)),
    )
    award["parties"] += [
        {"id": "S1", "name": "Glanhau Bach Cyf", "roles": ["supplier"], "details": {"scale": "sme"}},
        {"id": "S2", "name": "Big Clean plc", "roles": ["supplier"], "details": {"scale": "large"}},
    ]
    award["awards"][0]["suppliers"] = [{"id": "S1", "name": "Glanhau Bach Cyf"}]
    award["awards"].append({"id": "2", "status": "active", "suppliers": [{"id": "S2", "name": "Big Clean plc"}]})
    award["tender"]["contractPeriod"] = {
        "startDate": iso(now - timedelta(days=300)),
        "endDate": iso(now + timedelta(days=120)),
        "maxExtentDate": iso(now + timedelta(days=300)),
    }
    welsh = s2w_release(
        number=148101,
        ref="AUG400101",
        title="Cleaning services",
        description="Cleaning of council buildings.\nTwo sites.",
    )
    welsh_cy = s2w_release(
        number=148101,
        ref="AUG400101",
        title="Gwasanaethau glanhau",
        description="Glanhau adeiladau'r cyngor.\nDau safle.",
    )
    return {"fts": [uk1, uk2, uk3, tender, update, award], "s2w": [welsh], "s2w_cy": [welsh_cy]}


@pytest.fixture
def loaded(app):
    """Load the sample corpus through ingest, and one failed and one good collector run."""
    now = utcnow()
    releases = sample_releases(now)
    with app.app_context(), session_scope() as session:
        ingest_page(session, "fts", releases["fts"])
        ingest_page(session, "s2w", releases["s2w"], welsh_releases=releases["s2w_cy"])
        session.add(CollectorRun(source="fts", started_at=now - timedelta(hours=1), finished_at=now, status="ok"))
        session.add(
            CollectorRun(
                source="s2w",
                started_at=now - timedelta(hours=2),
                finished_at=now,
                status="failed",
                error="HTTP 500 from Sell2Wales",
            )
        )
        session.commit()
        sync_index()  # the pipeline page filters through the search index, as every page does
    return app


@pytest.fixture
def pages(client):
    """The page client."""
    return PageClient(client)


PATHS = [
    "",
    "pipeline",
    "pipeline?region=UKL&sme=1",
    "pipeline?cpv=45&wales=y",
    "search?q=glanhau",
    "search",
    "search?q=%22grounds+OR&stage=open&region=UKL&sort=closing_soonest&page=2&sme=1",
    "notice/ocds-h6vhtk-0b0001",
    "notice/ocds-h6vhtk-0b0004",
    "notice/ocds-h6vhtk-0b0006",
    "notice/ocds-kuma6s-148101",
    "buyer/1",
    "sources",
    "about",
    "accessibility",
    "privacy",
    "cookies",
]


def test_no_route_has_disappeared(app):
    missing = EXPECTED_ENDPOINTS - {rule.endpoint for rule in app.url_map.iter_rules()}
    assert not missing, f"routes gone: {sorted(missing)}"


def test_every_page_in_both_languages(loaded, pages):
    for path in PATHS:
        english, welsh = pages.get_both(path)
        assert "Piblinell" in english.title and "Piblinell" in welsh.title


def test_every_page_with_an_empty_database(pages):
    for path in ["", "pipeline", "sources", "search"]:
        pages.get_both(path)


def test_root_redirects_by_accept_language(client):
    assert client.get("/", headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"}).location.endswith("/cy/")
    assert client.get("/", headers={"Accept-Language": "en-GB"}).location.endswith("/en/")
    assert client.get("/").location.endswith("/en/")


def test_not_found_pages_are_bilingual(loaded, pages):
    welsh = pages.get("/cy/no-such-page", status=404, switch_to="/en/")
    assert "Ni chanfuwyd y dudalen" in welsh.title
    english = pages.get("/en/notice/ocds-h6vhtk-unknown", status=404, switch_to="/cy/")
    assert "Page not found" in english.title
    bare = pages.client.get("/nowhere", headers={"Accept-Language": "cy"})
    assert bare.status_code == 404 and 'lang="cy"' in bare.get_data(as_text=True)


def test_server_error_page_is_bilingual(database_url, tmp_path):
    from portal import create_app

    app: Flask = create_app({"DATABASE_URL": database_url, "INDEX_DIR": str(tmp_path), "SECRET_KEY": "x"})

    @app.route("/<any(en, cy):lang_code>/boom")
    def boom():
        raise RuntimeError("boom")

    page = PageClient(app.test_client()).get("/cy/boom", status=500, switch_to="/en/")
    assert "Mae'n ddrwg gennym" in page.title


def test_sell2wales_ocid_redirects_to_the_canonical_notice(app, client):
    with app.app_context(), session_scope() as session:
        ingest_page(session, "fts", [fts_release(ocid="ocds-h6vhtk-0c0001", notice_id="035618-2024")])
        ingest_page(session, "s2w", [s2w_release(number=148900, related=["2024/S 000-035618"])])
        session.commit()
    response = client.get("/cy/notice/ocds-kuma6s-148900")
    assert response.status_code == 302 and response.location.endswith("/cy/notice/ocds-h6vhtk-0c0001")


def test_language_link_keeps_the_query(loaded, pages):
    page = pages.get("/en/pipeline?region=UKL&cpv=72&x=%3Cscript%3E")
    assert page.by_id("language-switch").get("href") == "/cy/pipeline?region=UKL&cpv=72&x=%3Cscript%3E"


def test_language_link_cannot_be_steered_by_url_for_options(loaded, pages):
    page = pages.get("/en/pipeline?_external=1&_scheme=javascript")
    assert page.by_id("language-switch").get("href") == "/cy/pipeline?_external=1&_scheme=javascript"


def test_home_shows_the_pipeline_at_a_glance(loaded, pages):
    english, welsh = pages.get_both("")
    text = english.text()
    assert "School meals pipeline" in text and "Planned building works" in text
    assert english.text(english.by_id("closing-count")) == "1 tender closes within 7 days."
    assert welsh.text(welsh.by_id("closing-count")) == "Mae 1 tendr yn cau o fewn 7 diwrnod."
    assert "Grounds maintenance" in text
    assert english.text(english.by_id("stage-count-awarded")) == "1 procurement"
    assert welsh.text(welsh.by_id("stage-count-awarded")) == "1 caffaeliad"
    assert "Gwasanaethau glanhau" in welsh.text() or "Gwasanaethau glanhau" not in english.text()


def test_pipeline_groups_by_quarter_and_filters_like_the_search(loaded, pages):
    page = pages.get("/en/pipeline")
    text = page.text()
    assert "School meals pipeline" in text and "Planned building works" in text
    assert "Date not given" in text and "Market engagement for road gritting" in text
    assert "Cleaning contract" in text  # a renewal: its contract ends within 18 months
    england = pages.get("/en/pipeline?region=UKD").text()
    assert "Planned building works" in england and "School meals pipeline" not in england
    assert "Cleaning contract" not in england
    building = pages.get("/en/pipeline?cpv=45&sme=1").text()
    assert "Planned building works" in building and "School meals pipeline" not in building
    for code in ("450", "4500", "45000000"):  # a CPV code of any length, as on the search page
        assert "Planned building works" in pages.get(f"/en/pipeline?cpv={code}").text()
    assert "Planned building works" not in pages.get("/en/pipeline?cpv=451").text()
    words = pages.get("/en/pipeline?q=building").text()  # words too: the search's own parameters
    assert "Planned building works" in words and "School meals pipeline" not in words
    wales = pages.get("/en/pipeline?wales=y").text()
    assert "School meals pipeline" in wales and "Planned building works" not in wales
    rejected = pages.get("/cy/pipeline?region=<script>&cpv=abc")
    assert len(rejected.doc.findall(".//script")) == 2  # ours only: the js-enabled class and initAll
    assert rejected.doc.find(".//*[@class='govuk-warning-text']") is not None


def test_notice_page_shows_everything_and_the_history(loaded, pages):
    page = pages.get("/en/notice/ocds-h6vhtk-0b0004")
    text = page.text()
    assert page.text(page.by_id("value-net")) == "£60,000" and page.text(page.by_id("value-gross")) == "£72,000"
    assert "UKL22 – Cardiff and Vale of Glamorgan" in text
    assert "Deadline moved from" in text and "Value changed from £50,000 to £60,000" in text
    assert "North" in text and "South" in text
    assert "https://www.find-tender.service.gov.uk/Notice/080005-2026" in page.links()
    welsh = pages.get("/cy/notice/ocds-h6vhtk-0b0004")
    assert "Symudwyd y dyddiad cau" in welsh.text() and "UKL22 – Caerdydd a Bro Morgannwg" in welsh.text()


def test_welsh_text_comes_first_on_the_welsh_page(loaded, pages):
    welsh = pages.get("/cy/notice/ocds-kuma6s-148101")
    english = pages.get("/en/notice/ocds-kuma6s-148101")
    assert welsh.text(welsh.doc.find(".//h1")) == "Gwasanaethau glanhau"
    assert english.text(english.doc.find(".//h1")) == "Cleaning services"
    assert welsh.html.index("description-cy") < welsh.html.index("description-en")
    assert english.html.index("description-en") < english.html.index("description-cy")
    # Line breaks kept for white-space: pre-line.
    assert welsh.by_id("description-cy").text == "Glanhau adeiladau'r cyngor.\nDau safle."


def test_buyer_page_counts_and_sme_share(loaded, pages):
    english, welsh = pages.get_both("buyer/1")
    assert english.text(english.by_id("forward-count")) == "3 procurements are planned."
    assert english.text(english.by_id("sme-share")).startswith("1 of 2 awards")
    assert "50%" in english.text(english.by_id("sme-share")) and "50%" in welsh.text(welsh.by_id("sme-share"))


def test_buyer_page_says_when_sme_status_is_not_published(app, pages):
    with app.app_context(), session_scope() as session:
        ingest_page(session, "fts", [fts_release(notice_type="UK6", deadline=None)])
        session.commit()
    assert "Not published" in pages.get("/en/buyer/1").text()
    pages.get("/en/buyer/999", status=404, switch_to="/cy/")


def test_sources_page_is_honest_about_failures(loaded, pages):
    english, welsh = pages.get_both("sources")
    assert "HTTP 500 from Sell2Wales" in english.text() and "Find a Tender" in english.text()
    assert "Sell2Wales" in welsh.text() and "Canfod Tendr" not in welsh.text()
    assert english.text(english.by_id("total-fts")).startswith("6 notices")


def test_status_reports_database_index_and_collections(loaded, client):
    body = client.get("/_status").get_json()
    assert body["database"]["ok"] is True
    with loaded.app_context(), session_scope() as session:  # the fixture indexed every procurement
        assert body["index"]["documents"] == len(session.exec(select(Procurement.id)).all()) > 0
    assert body["sources"]["fts"]["status"] == "ok" and body["sources"]["cf"] is None


def test_status_is_503_when_the_database_is_unreachable(tmp_path):
    from portal import create_app

    app = create_app({"DATABASE_URL": "postgresql+psycopg://nobody:x@127.0.0.1:9/none", "INDEX_DIR": str(tmp_path)})
    response = app.test_client().get("/_status")
    assert response.status_code == 503 and response.get_json()["database"]["error"]


def test_our_css_has_no_gds_transport_font_and_needs_no_govuk_image(app, client):
    """GOV.UK Frontend is built from its Sass with a system font stack (make assets): its licence keeps GDS
    Transport and the crown for GOV.UK services, so no font file or crown image is shipped or asked for."""
    css_path = Path(app.static_folder) / "govuk" / "govuk-frontend.min.css"
    if not css_path.exists():
        pytest.fail("run make assets first: portal/static/govuk is built from GOV.UK Frontend's Sass")
    css = css_path.read_text(encoding="utf-8-sig")
    assert "GDS Transport" not in css and "@font-face" not in css and "system-ui" in css
    html = client.get("/en/").get_data(as_text=True)
    for url in set(re.findall(r"url\(\"?([^\")]+)", css)):  # only the footer crest, for a class we never use
        assert url.endswith("govuk-crest.svg") and "govuk-footer__copyright-logo" not in html
    assert client.get("/assets/fonts/light.woff2").status_code == 404
    assert client.get("/favicon.ico").headers["Location"].endswith("/static/favicon.svg")
    assert 'rel="icon"' in html


def test_csrf_protection_is_on(app):
    assert "csrf" in app.extensions
