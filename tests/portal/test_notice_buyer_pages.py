"""The notice and buyer pages as a supplier reads them ("Supplier first"): summary and the link to respond before
the description, no empty headings, labelled CPV codes, honest values, every stage of a buyer's work with its
awards, one buyer per body, and renewals with their end date and incumbent. Small factory data and the real
recorded register data, in English and Welsh."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace
from xml.etree.ElementTree import Element

import pytest
from sqlmodel import select

from portal.collect.buyer_upsert import name_key
from portal.collect.importer import import_paths
from portal.collect.ingest import ingest_page
from portal.db import session_scope
from portal.models.tables import Buyer, Procurement, utcnow
from portal.web.notices import can_respond, register_url, value_label
from scrapers.registry import SOURCES
from tests.factories import fts_release, s2w_release
from tests.pages import Page, PageClient
from tests.realdata import recorded_files

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}


@pytest.fixture
def pages(client):
    """The checked page client."""
    return PageClient(client)


def iso(moment) -> str:
    return moment.replace(microsecond=0).isoformat()


def ingest(app, source: str, releases: list, welsh: list | None = None) -> None:
    with app.app_context(), session_scope() as session:
        ingest_page(session, source, releases, welsh_releases=welsh)
        session.commit()


def rows_of(app, model, *where):
    with app.app_context(), session_scope() as session:
        return session.exec(select(model).where(*where)).all()


def empty_headings(page: Page) -> list[str]:
    """Return the h2/h3 headings of <main> with no content after them before the next heading of their rank or
    above (a heading may be followed by lower headings, as long as something is said under it)."""
    events: list[tuple[str, object]] = []

    def walk(element: Element) -> None:
        if element.tag in HEADINGS:
            events.append(("heading", (HEADINGS[element.tag], " ".join("".join(element.itertext()).split()))))
        else:
            if (element.text or "").strip():
                events.append(("text", element.text))
            for child in element:
                walk(child)
        if (element.tail or "").strip():
            events.append(("text", element.tail))

    for child in page.main:
        walk(child)
    empty = []
    for index, (kind, value) in enumerate(events):
        if kind != "heading" or value[0] not in (2, 3):
            continue
        level, text = value
        if not text:
            empty.append("(a heading without text)")
            continue
        for later_kind, later in events[index + 1 :]:
            if later_kind == "text":
                break
            if later[0] <= level:
                empty.append(text)
                break
        else:
            empty.append(text)
    return empty


def checked(pages: PageClient, path: str) -> tuple[Page, Page]:
    """Fetch a page in both languages and check neither has an empty heading."""
    english, welsh = pages.get_both(path)
    for page in (english, welsh):
        assert not empty_headings(page), f"{page.url}: empty headings {empty_headings(page)}"
    return english, welsh


def summary_first(page: Page) -> None:
    """Assert the summary and the respond button come before any description."""
    html = page.html
    for lang in ("en", "cy"):
        if f'id="description-{lang}"' in html:
            assert html.index('id="summary"') < html.index(f'id="description-{lang}"')
            if 'id="respond"' in html:
                assert html.index('id="respond"') < html.index(f'id="description-{lang}"')


# ---------------------------------------------------------------- the empty-heading check itself


def test_the_empty_heading_check_finds_an_empty_heading():
    from tests.pages import parse_html

    def page(body: str) -> Page:
        html = f"<!DOCTYPE html><html lang=en><title>t</title><main>{body}</main></html>"
        return Page("/en/x", 200, html, parse_html(html))

    assert empty_headings(page("<h2>A</h2><p>x</p><h2>B</h2><h3>C</h3><p>y</p>")) == []
    assert empty_headings(page("<h2>A</h2><ul></ul><h2>B</h2><p>y</p>")) == ["A"]
    assert empty_headings(page("<h2>A</h2><p>x</p><h3>B</h3>")) == ["B"]


# ---------------------------------------------------------------- notice page, factory data


def long_tender(now, ocid: str = "ocds-h6vhtk-0e0001", notice_id: str = "081001-2026", **overrides) -> dict:
    release = fts_release(
        ocid=ocid,
        notice_id=notice_id,
        title="Road resurfacing",
        description="Resurfacing of county roads. " * 200,
        **(
            {"deadline": iso(now + timedelta(days=20)), "amount": 250000, "date": iso(now - timedelta(days=2))}
            | overrides
        ),
    )
    release["tender"]["items"][0]["additionalClassifications"].append(
        {"scheme": "CPV", "id": "45233142", "description": "Road-repair works"}
    )
    return release


def test_notice_page_puts_the_summary_and_the_respond_button_first(app, pages):
    now = utcnow()
    ingest(app, "fts", [long_tender(now)])
    english, welsh = checked(pages, "notice/ocds-h6vhtk-0e0001")
    for page in (english, welsh):
        summary_first(page)
        assert page.by_id("respond").get("href") == "https://www.find-tender.service.gov.uk/Notice/081001-2026"
        assert page.text(page.by_id("value-net")) == "£250,000"
    assert english.text(english.by_id("respond")) == "Respond on Find a Tender"
    assert welsh.text(welsh.by_id("respond")) == "Ymatebwch ar Find a Tender"
    summary = english.text(english.by_id("summary"))
    for fact in ("Open", "Cyngor Sir Enghraifft County Council", "£250,000", "Deadline for tenders"):
        assert fact in summary
    assert english.text(english.by_id("where")) == "UKL22 – Cardiff and Vale of Glamorgan"
    assert welsh.text(welsh.by_id("where")) == "UKL22 – Caerdydd a Bro Morgannwg"
    assert "Dyddiad cau ar gyfer tendrau" in welsh.text(welsh.by_id("summary"))


def test_a_deadline_given_as_a_day_is_shown_without_a_time(app, pages):
    ingest(app, "fts", [fts_release(deadline="2099-09-01")])
    english, welsh = checked(pages, "notice/ocds-h6vhtk-0a0001")
    assert english.text(english.by_id("key-date")) == "1 September 2099"
    assert welsh.text(welsh.by_id("key-date")) == "1 Medi 2099"


def test_the_respond_button_goes_only_to_the_registers_own_hosts(app, pages):
    now = utcnow()
    release = long_tender(now)
    release["tender"]["documents"][0]["url"] = "https://www.find-tender.service.gov.uk.example.net/Notice/081001-2026"
    ingest(app, "fts", [release])
    english, welsh = checked(pages, "notice/ocds-h6vhtk-0e0001")
    assert english.by_id("respond") is None and welsh.by_id("respond") is None
    assert (
        register_url("fts", "https://find-tender.service.gov.uk/Notice/1")
        == "https://find-tender.service.gov.uk/Notice/1"
    )
    for url in (
        "https://www.find-tender.service.gov.uk@example.net/Notice/1",  # a user name, then another host
        "javascript://www.find-tender.service.gov.uk/%0aalert(1)",
        "https://www.sell2wales.gov.wales/search/show/search_view.aspx?ID=FEB1",  # another register's host
        None,
    ):
        assert register_url("fts", url) is None, url
    assert register_url("portal", "https://www.find-tender.service.gov.uk/Notice/1") is None  # no hosts at all


def test_a_closed_or_awarded_notice_links_to_read_it_not_to_respond(app, pages):
    award = fts_release(ocid="ocds-h6vhtk-0e0002", notice_id="081002-2026", notice_type="UK6", deadline=None)
    ingest(app, "fts", [award])
    english, welsh = checked(pages, "notice/ocds-h6vhtk-0e0002")
    assert english.text(english.by_id("respond")) == "Read the full notice on Find a Tender"
    assert welsh.text(welsh.by_id("respond")) == "Darllenwch yr hysbysiad llawn ar Find a Tender"
    assert "govuk-button--secondary" in english.by_id("respond").get("class")


def test_engagement_is_answered_until_its_deadline(app):
    now = utcnow()
    with app.test_request_context("/en/"):
        engagement = SimpleNamespace(stage="engagement", engagement_deadline=now + timedelta(days=1))
        assert can_respond(engagement, now) and not can_respond(engagement, now + timedelta(days=2))
        assert can_respond(SimpleNamespace(stage="engagement", engagement_deadline=None), now)
        assert not can_respond(SimpleNamespace(stage="planned", engagement_deadline=None), now)


def test_a_cancelled_notice_has_no_awarded_to_and_no_empty_heading(app, pages):
    tender = fts_release(ocid="ocds-h6vhtk-0e0004", notice_id="081004-2026")
    cancelled = fts_release(ocid="ocds-h6vhtk-0e0004", notice_id="081005-2026", notice_type="UK12")
    cancelled["awards"] = [{"id": "1", "status": "cancelled"}]  # as the real UK12 stubs: an award with no supplier
    ingest(app, "fts", [tender, cancelled])
    english, welsh = checked(pages, "notice/ocds-h6vhtk-0e0004")
    assert english.by_id("awarded-to") is None and "Awarded to" not in english.text()
    assert "Dyfarnwyd i" not in welsh.text()
    assert "Cancelled" in english.text(english.by_id("summary"))


def test_also_published_on_names_only_another_register(app, pages):
    first = fts_release(ocid="ocds-h6vhtk-0e0006", notice_id="035618-2024")
    update = fts_release(ocid="ocds-h6vhtk-0e0006", notice_id="035619-2024", date="2026-08-11T10:00:00+01:00")
    ingest(app, "fts", [first, update])
    english, welsh = checked(pages, "notice/ocds-h6vhtk-0e0006")
    assert "Also published on" not in english.text() and "Cyhoeddwyd hefyd ar" not in welsh.text()
    assert english.by_id("respond").get("href").endswith("/Notice/035619-2024")  # the latest notice
    ingest(app, "s2w", [s2w_release(number=148950, ref="AUG400950", related=["2024/S 000-035618"])])
    english, welsh = checked(pages, "notice/ocds-h6vhtk-0e0006")
    also = english.text(english.by_id("also-published"))
    assert also == "Sell2Wales: AUG400950" and "Find a Tender" not in also
    assert welsh.text(welsh.by_id("also-published")).endswith("AUG400950")
    assert "find-tender" in english.by_id("respond").get("href")  # the procurement's own register


def test_values_say_what_they_are_and_zero_is_not_stated(app, pages):
    now = utcnow()
    zero = long_tender(now, "ocds-h6vhtk-0e0007", "081007-2026", amount=0)
    euros = long_tender(now, "ocds-h6vhtk-0e0008", "081008-2026")
    euros["tender"]["value"] = {"amount": 90000, "currency": "EUR"}
    ingest(app, "fts", [zero, euros])
    english, welsh = checked(pages, "notice/ocds-h6vhtk-0e0007")
    assert english.text(english.by_id("value-net")) == "Not stated" and "£0" not in english.text()
    assert welsh.text(welsh.by_id("value-net")) == "Heb ei nodi"
    english, _ = checked(pages, "notice/ocds-h6vhtk-0e0008")
    assert english.text(english.by_id("value-net")) == "€90,000"
    kind = "Estimated value excluding VAT" if "value_kind" in Procurement.model_fields else "Value excluding VAT"
    assert kind in english.text(english.by_id("summary"))
    with app.test_request_context("/cy/"):
        labels = [value_label(SimpleNamespace(value_kind=k)) for k in ("estimated", "awarded", "contract", None)]
    assert labels == [
        "Gwerth amcangyfrifedig heb gynnwys TAW",
        "Gwerth a ddyfarnwyd heb gynnwys TAW",
        "Gwerth y contract heb gynnwys TAW",
        "Gwerth heb gynnwys TAW",
    ]


def test_cpv_codes_are_labelled_and_a_long_list_is_folded(app, pages):
    release = s2w_release(number=148960, ref="AUG400960")
    codes = ["90910000", "90911200", "90919200", "90911000", "90919000", "90914000", "77310000", "45000000"]
    release["tender"]["items"][0]["additionalClassifications"] = [{"scheme": "CPV", "id": c} for c in codes]
    ingest(app, "s2w", [release])
    english, welsh = checked(pages, "notice/ocds-kuma6s-148960")
    cpv_en, cpv_cy = english.by_id("cpv"), welsh.by_id("cpv")
    assert "Sewage, refuse, cleaning and environmental services" in english.text(cpv_en)
    assert "Construction work" in english.text(cpv_en)
    assert "Sewage, refuse, cleaning and environmental services" not in welsh.text(cpv_cy)
    details = cpv_en.find(".//details")
    assert details is not None and english.text(details.find("summary")) == "Show 3 more codes"
    assert welsh.text(cpv_cy.find(".//details/summary")) == "Dangos 3 chod arall"
    assert all(code in english.text(cpv_en) for code in codes)
    fts = fts_release(ocid="ocds-h6vhtk-0e0009", notice_id="081009-2026", cpv="72212000")
    ingest(app, "fts", [fts])
    english, welsh = checked(pages, "notice/ocds-h6vhtk-0e0009")
    for page in (english, welsh):
        [label] = [span for span in page.by_id("cpv").iter("span") if span.get("lang") == "en"]
        assert label.text == "IT"  # the notice's own label, in English, marked as such on both pages
    assert "IT services: consulting" in english.text(english.by_id("cpv"))
    assert "IT services: consulting" not in welsh.text(welsh.by_id("cpv"))


def test_awards_show_supplier_value_and_date_once(app, pages):
    award = fts_release(ocid="ocds-h6vhtk-0e0010", notice_id="081010-2026", notice_type="UK6", deadline=None)
    award["parties"].append(
        {"id": "S1", "name": "Glanhau Bach Cyf", "roles": ["supplier"], "details": {"scale": "sme"}}
    )
    same = {"status": "active", "suppliers": [{"id": "S1", "name": "Glanhau Bach Cyf"}], "date": "2026-08-01"}
    award["awards"] = [
        {
            "id": "1",
            **same,
            "value": {"amount": 40000, "currency": "GBP"},
            "documents": award["awards"][0]["documents"],
        },
        {"id": "2", **same, "value": {"amount": 40000}},  # a restatement: shown once
    ]
    ingest(app, "fts", [award])
    english, welsh = checked(pages, "notice/ocds-h6vhtk-0e0010")
    awards = english.by_id("awards")
    assert len(awards.findall("li")) == 1
    text = english.text(awards)
    assert "Glanhau Bach Cyf (an SME)" in text and "£40,000" in text and "1 August 2026" in text
    assert "1 Awst 2026" in welsh.text(welsh.by_id("awards"))


# ---------------------------------------------------------------- buyer page, factory data


def every_stage(now) -> list[dict]:
    """Return one buyer's work at every stage, with two identical award rows on two notices."""

    def make(n: int, notice_type: str, **kw) -> dict:
        kw.setdefault("deadline", None)
        return fts_release(ocid=f"ocds-h6vhtk-0f{n:04d}", notice_id=f"082{n:03d}-2026", notice_type=notice_type, **kw)

    releases = [
        make(1, "UK1", title="Pipeline work"),
        make(2, "UK2", title="Engagement work", amount=None),
        make(3, "UK3", title="Planned work"),
        make(4, "UK4", title="Open work", deadline=iso(now + timedelta(days=9))),
        make(5, "UK4", title="Closed work", deadline=iso(now - timedelta(days=9))),
        make(6, "UK4", title="Cancelled work", deadline=iso(now + timedelta(days=9))),
        make(7, "UK12"),
    ]
    releases[-1]["ocid"] = releases[-2]["ocid"]
    for n in (8, 9):  # the same contract on two notices: one row
        award = make(n, "UK6", title="Cleaning contract", date="2026-08-05T10:00:00+01:00")
        award["parties"].append(
            {"id": "S1", "name": "Big Clean plc", "roles": ["supplier"], "details": {"scale": "large"}}
        )
        award["awards"][0] |= {"suppliers": [{"id": "S1", "name": "Big Clean plc"}], "date": "2026-08-05"}
        award["awards"][0]["value"] = {"amount": 75000, "currency": "GBP"}
        releases.append(award)
    return releases


def test_buyer_page_shows_every_stage_its_awards_and_a_search_link(app, pages):
    ingest(app, "fts", every_stage(utcnow()))
    [buyer] = rows_of(app, Buyer)
    english, welsh = checked(pages, f"buyer/{buyer.id}")
    assert english.text(english.by_id("forward-count")) == "3 procurements are planned."
    assert english.text(english.by_id("open-count")) == "1 tender is open."
    assert english.text(english.by_id("closed-count")) == "1 tender has closed and is not yet awarded."
    assert english.text(english.by_id("awarded-count")) == "2 contracts awarded."
    assert english.text(english.by_id("cancelled-count")) == "1 procurement was cancelled."
    assert welsh.text(welsh.by_id("closed-count")) == "Mae 1 tendr wedi cau a heb ei ddyfarnu eto."
    assert welsh.text(welsh.by_id("cancelled-count")) == "Cafodd 1 caffaeliad ei ganslo."
    for title in ("Engagement work", "Closed work", "Cancelled work"):
        assert title in english.text()
    assert english.by_id("all-notices").find("a").get("href") == f"/en/search?buyer={buyer.id}"
    assert welsh.by_id("all-notices").find("a").get("href") == f"/cy/search?buyer={buyer.id}"
    assert welsh.text(welsh.by_id("all-notices")) == "Chwilio pob un o'r 8 caffaeliad gan y prynwr hwn"
    awards = english.by_id("awards").findall("li")
    assert len(awards) == 1  # two notices, one identical row
    text = english.text(awards[0])
    assert "Cleaning contract" in text and "Big Clean plc" in text and "£75,000" in text and "5 August 2026" in text
    assert "5 Awst 2026" in welsh.text(welsh.by_id("awards"))


def test_one_buyer_for_names_differing_in_case_or_ampersand_named_as_last_published(app, pages):
    newer = fts_release(
        ocid="ocds-h6vhtk-0e0020",
        notice_id="083001-2026",
        buyer_id="GB-PPON-PDQJ-7126-JDHG",
        buyer_name="UK Research and Innovation",
        date="2026-08-10T10:00:00+01:00",
    )
    older = fts_release(
        ocid="ocds-h6vhtk-0e0021",
        notice_id="083002-2026",
        buyer_id="GB-SRS-ZJ5UFPPQ",
        buyer_name="UK RESEARCH & INNOVATION",
        date="2022-10-03T10:00:00+01:00",
    )
    older["parties"][0]["identifier"] = {"scheme": "GB-SRS", "id": "sid4gov.cabinetoffice.gov.uk/Zj5uFppq"}
    other = fts_release(
        ocid="ocds-h6vhtk-0e0022",
        notice_id="083003-2026",
        buyer_id="GB-PPON-OTHER",
        buyer_name="UK Research Innovation Ltd",
    )
    welsh_name = s2w_release(number=148970, buyer_name="uk research  and innovation", date="2025-02-21T00:00:00Z")
    ingest(app, "fts", [newer])
    ingest(app, "fts", [older, other])  # an older notice, imported later, does not rename the buyer
    ingest(app, "s2w", [welsh_name])  # a Sell2Wales buyer, known by its name only
    buyers = {b.name: b.id for b in rows_of(app, Buyer)}
    assert set(buyers) == {"UK Research and Innovation", "UK Research Innovation Ltd"}
    ukri = buyers["UK Research and Innovation"]
    assert {p.ocid: p.buyer_id == ukri for p in rows_of(app, Procurement)} == {
        "ocds-h6vhtk-0e0020": True,
        "ocds-h6vhtk-0e0021": True,
        "ocds-h6vhtk-0e0022": False,
        "ocds-kuma6s-148970": True,
    }
    newest = fts_release(
        ocid="ocds-h6vhtk-0e0023",
        notice_id="083004-2026",
        buyer_id="GB-SRS-ZJ5UFPPQ",
        buyer_name="UK Research & Innovation",
        date="2026-09-01T10:00:00+01:00",
    )
    ingest(app, "fts", [newest])
    [buyer] = rows_of(app, Buyer, Buyer.id == ukri)
    assert buyer.name == "UK Research & Innovation"  # the latest publication's spelling
    english, _ = checked(pages, f"buyer/{ukri}")
    assert english.text(english.doc.find(".//h1")) == "UK Research & Innovation"


def test_a_buyer_split_before_names_were_matched_redirects_to_the_merged_one(app, client):
    ingest(app, "fts", [fts_release(buyer_name="Natural England")])
    with app.app_context(), session_scope() as session:
        session.add(Buyer(scheme="GB-SRS", identifier="sid4gov/hWvd872d", name="NATURAL ENGLAND"))
        session.commit()
        session.add(Buyer(scheme="GB-CFS", identifier="1", name="Natural  England."))
        session.commit()
    old, new, newer = sorted(b.id for b in rows_of(app, Buyer))
    response = client.get(f"/cy/buyer/{new}")
    assert response.status_code == 301 and response.location.endswith(f"/cy/buyer/{old}")
    assert client.get(f"/en/buyer/{newer}").location.endswith(f"/en/buyer/{old}")  # never to another empty one
    assert client.get(f"/en/buyer/{old}").status_code == 200


# ---------------------------------------------------------------- renewals


def test_renewals_show_the_end_date_and_the_incumbent_supplier(app, pages):
    now = utcnow()
    award = fts_release(
        ocid="ocds-h6vhtk-0e0030",
        notice_id="084001-2026",
        notice_type="UK6",
        deadline=None,
        title="Grounds maintenance contract",
    )
    award["parties"].append({"id": "S1", "name": "Gerddi Gwyrdd Cyf", "roles": ["supplier"]})
    award["awards"][0]["suppliers"] = [{"id": "S1", "name": "Gerddi Gwyrdd Cyf"}]
    ends = (now + timedelta(days=200)).replace(hour=12)
    award["tender"]["contractPeriod"] = {"startDate": iso(now - timedelta(days=300)), "endDate": iso(ends)}
    ingest(app, "fts", [award])
    english, welsh = pages.get_both("pipeline")
    soonest = english.text(english.by_id("renewals-soonest"))
    assert "Grounds maintenance contract" in soonest and "Gerddi Gwyrdd Cyf" in soonest
    assert "Incumbent supplier" in soonest and f"{ends.day} {ends:%B %Y}" in soonest
    assert "Cyflenwr presennol: Gerddi Gwyrdd Cyf" in welsh.text(welsh.by_id("renewals-soonest"))
    assert "Diwedd y contract" in welsh.text(welsh.by_id("renewals-soonest"))


# ---------------------------------------------------------------- the real recorded data


@pytest.fixture
def real(app):
    """Import the recorded Find a Tender day, Contracts Finder pages and Sell2Wales releases."""
    with app.app_context():
        import_paths(recorded_files())
    return app


def test_real_data_has_one_buyer_per_body(real):
    """UK Research and Innovation is GB-PPON PDQJ-7126-JDHG on Find a Tender and GB-SRS
    sid4gov.cabinetoffice.gov.uk/Zj5uFppq, spelt UK RESEARCH & INNOVATION, on Contracts Finder."""
    buyers = rows_of(real, Buyer)
    keys = Counter(name_key(b.name) for b in buyers)
    assert [key for key, n in keys.items() if n > 1] == []
    [ukri] = [b for b in buyers if name_key(b.name) == "ukresearchandinnovation"]
    assert ukri.name == "UK Research and Innovation"  # Find a Tender's 2026 spelling, the latest
    sources = Counter(p.ocid[:11] for p in rows_of(real, Procurement, Procurement.buyer_id == ukri.id))
    assert sources["ocds-h6vhtk"] >= 4 and sources["ocds-b5fd17"] >= 21
    assert len([b for b in buyers if name_key(b.name) == "ministryofdefence"]) == 1


def test_real_data_in_another_order_names_the_buyer_the_same(app):
    with app.app_context():
        import_paths(recorded_files(cf_first=True))  # Contracts Finder's 2022 notices first
    [ukri] = [b for b in rows_of(app, Buyer) if name_key(b.name) == "ukresearchandinnovation"]
    assert ukri.name == "UK Research and Innovation"


def sample_notices(app) -> list[Procurement]:
    """Return a notice of each stage from each register, and the Sell2Wales one with the most CPV codes."""
    chosen: dict[tuple[str, str], Procurement] = {}
    rows = sorted(rows_of(app, Procurement), key=lambda p: p.ocid)
    for p in rows:
        chosen.setdefault((p.ocid[:11], p.stage), p)
    most_codes = max((p for p in rows if p.ocid.startswith("ocds-kuma6s")), key=lambda p: len(p.cpv))
    return [*chosen.values(), most_codes]


def test_real_notice_pages_of_every_stage_and_register(real, pages):
    samples = sample_notices(real)
    assert {p.stage for p in samples} >= {"pipeline", "engagement", "planned", "open", "closed", "awarded", "cancelled"}
    for p in samples:
        english, welsh = checked(pages, f"notice/{p.ocid}")
        for page in (english, welsh):
            summary_first(page)
            assert not re.search(r"£0(?![\d.,])", page.text()), f"{page.url}: a value of £0"
            respond = page.by_id("respond")
            if respond is not None:
                assert re.match(r"https://([^/]+)/", respond.get("href")).group(1) in {
                    host for source in SOURCES.values() for host in source.hosts
                }
        own = {"ocds-h6vhtk": "Find a Tender", "ocds-b5fd17": "Contracts Finder", "ocds-kuma6s": "Sell2Wales"}
        also = english.by_id("also-published")
        assert also is None or own[p.ocid[:11]] not in english.text(also), p.ocid
        if p.stage == "cancelled" and not any(a.get("suppliers") for a in p.awards):
            assert english.by_id("awarded-to") is None, p.ocid
        cpv = english.by_id("cpv")
        for group in cpv.iter("li"):  # each division's codes: under its name, or each with a label of its own
            codes = group.find("ul")
            if codes is None:
                continue
            division = group.find("span")
            named = division is not None and english.text(division)
            assert named or all(" – " in english.text(li) for li in codes.findall("li")), p.ocid
        if len(p.cpv) > 5:
            assert cpv.find(".//details") is not None, p.ocid
    big = samples[-1]
    english, welsh = pages.get_both(f"notice/{big.ocid}")
    assert "Office and computing machinery" in english.text(english.by_id("cpv"))
    assert "Office and computing machinery" not in welsh.text(welsh.by_id("cpv"))
    assert english.by_id("respond").get("href").startswith("https://www.sell2wales.gov.wales/")


def test_real_buyer_page_of_uk_research_and_innovation(real, pages):
    [ukri] = [b for b in rows_of(real, Buyer) if name_key(b.name) == "ukresearchandinnovation"]
    english, welsh = checked(pages, f"buyer/{ukri.id}")
    assert english.by_id("all-notices").find("a").get("href") == f"/en/search?buyer={ukri.id}"
    assert english.text(english.by_id("closed-count")) == "1 tender has closed and is not yet awarded."
    rows = [english.text(li) for li in english.by_id("awards").findall("li")]
    assert len(rows) == len(set(rows)) >= 20
    assert all("Supplier not named" not in row and "£" in row for row in rows)
    assert "PS26230 - Scottish Law Legal Documentation" in english.text()  # Find a Tender's, 2026
    assert "ITT for project 10046861" in english.text()  # Contracts Finder's, 2022
