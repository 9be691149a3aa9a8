"""Stages that move with time, reckoned when a page is shown: market engagement whose closing date has passed
says so, and forward work whose expected tender date has passed without a tender is overdue, and the pipeline
timeline's "Expected before this quarter" row lists exactly that work."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.dates import format_date

from portal.models.tables import utcnow
from portal.web.forward_work import next_quarters, quarter_start
from scrapers.vocabulary import LONDON
from tests.factories import fts_release
from tests.pages import PageClient
from tests.portal.search_corpus import load_corpus
from tests.portal.test_pages import iso


def _day(moment) -> str:
    return moment.astimezone(LONDON).date().isoformat()


def _engagement(ocid: str, notice_id: str, due: str, title: str) -> dict:
    release = fts_release(ocid=ocid, notice_id=notice_id, notice_type="UK2", deadline=None, title=title)
    release["planning"]["milestones"] = [{"id": "1", "type": "engagement", "dueDate": due}]
    return release


def _forward(ocid: str, notice_id: str, notice_type: str, expected: str, title: str) -> dict:
    release = fts_release(ocid=ocid, notice_id=notice_id, notice_type=notice_type, deadline=None, title=title)
    release["tender"]["communication"] = {"futureNoticeDate": expected}
    return release


@pytest.fixture
def timed(app, client):
    """The search corpus with engagement closed and still open, and forward work overdue and to come."""
    now = utcnow()
    first = quarter_start(next_quarters(now, 1)[0])
    long_ago, less_long_ago = first - timedelta(days=200), first - timedelta(days=40)
    extra = [
        _engagement("ocds-h6vhtk-0f0001", "082001-2026", _day(now - timedelta(days=3)), "Closed engagement"),
        _engagement("ocds-h6vhtk-0f0002", "082002-2026", iso(now + timedelta(days=10)), "Open engagement"),
        _forward("ocds-h6vhtk-0f0003", "082003-2026", "UK1", _day(long_ago), "Late pipeline"),
        _forward("ocds-h6vhtk-0f0004", "082004-2026", "UK3", iso(less_long_ago), "Late planned"),
        _forward("ocds-h6vhtk-0f0005", "082005-2026", "UK3", iso(now + timedelta(days=400)), "Future planned"),
        fts_release(ocid="ocds-h6vhtk-0f0006", notice_id="082006-2026", deadline="2099-09-30", title="Day deadline"),
    ]
    load_corpus(app, extra=extra)
    return {"long_ago": long_ago, "less_long_ago": less_long_ago, "pages": PageClient(client)}


def _month(moment, lang: str) -> str:
    return format_date(moment.astimezone(LONDON).date(), "MMMM yyyy", locale=lang)


def test_engagement_whose_closing_date_passed_says_so(timed):
    pages = timed["pages"]
    closed = pages.get("/en/notice/ocds-h6vhtk-0f0001")
    assert pages.get("/en/notice/ocds-h6vhtk-0f0001").text(closed.by_id("stage")) == (
        "Market engagement Market engagement closed"
    )
    welsh = pages.get("/cy/notice/ocds-h6vhtk-0f0001")
    assert "Mae'r ymgysylltu â'r farchnad wedi cau" in welsh.text(welsh.by_id("stage"))
    still_open = pages.get("/en/notice/ocds-h6vhtk-0f0002")
    assert "closed" not in still_open.text(still_open.by_id("stage"))
    results = pages.get("/en/search?stage=engagement")
    cards = {
        card.find(".//h3/a").get("href").rsplit("/", 1)[1]: results.text(card)
        for card in results.doc.iterfind(".//div[@id='results']//div[@class='piblinell-card']")
    }
    assert "Market engagement closed" in cards["ocds-h6vhtk-0f0001"]
    assert "Market engagement closed" not in cards["ocds-h6vhtk-0f0002"]


def test_forward_work_past_its_expected_date_is_overdue(timed):
    pages = timed["pages"]
    late = pages.get("/en/notice/ocds-h6vhtk-0f0003")
    month = _month(timed["long_ago"], "en")
    assert f"Overdue: expected to come to market in {month}" in late.text(late.by_id("stage"))
    welsh = pages.get("/cy/notice/ocds-h6vhtk-0f0004")
    month_cy = _month(timed["less_long_ago"], "cy")
    assert f"Yn hwyr: disgwylid iddo ddod i'r farchnad ym mis {month_cy}" in welsh.text(welsh.by_id("stage"))
    future = pages.get("/en/notice/ocds-h6vhtk-0f0005")
    assert "Overdue" not in future.text(future.by_id("stage"))
    results = pages.get("/en/search?stage=planned").text()
    assert results.count("Overdue: expected to come to market in") == 1


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_timeline_links_to_exactly_the_overdue_work(timed, lang):
    pages = timed["pages"]
    link = pages.get(f"/{lang}/pipeline").by_id("overdue-work")
    href = link.get("href")
    query = parse_qs(urlsplit(href).query)
    last_day = (quarter_start(next_quarters(utcnow(), 1)[0]) - timedelta(days=1)).astimezone(LONDON).date()
    assert query["expected_to"] == [last_day.isoformat()] and query["sort"] == ["expected_soonest"]
    assert urlsplit(href).path == f"/{lang}/search"
    listed = pages.get(href)
    ocids = [a.get("href").rsplit("/", 1)[1] for a in listed.doc.findall(".//div[@id='results']//h3/a")]
    assert ocids == ["ocds-h6vhtk-0f0003", "ocds-h6vhtk-0f0004"]


def test_the_timeline_link_keeps_the_pages_filters(timed):
    href = timed["pages"].get("/en/pipeline?region=UKL&sme=1").by_id("overdue-work")
    if href is not None:  # within the filters there may be no overdue work at all, and so no row
        assert parse_qs(urlsplit(href.get("href")).query)["region"] == ["UKL"]
    href = timed["pages"].get("/en/pipeline?region=UKL22").by_id("overdue-work").get("href")
    assert parse_qs(urlsplit(href).query)["region"] == ["UKL22"]
    ocids = [
        a.get("href").rsplit("/", 1)[1] for a in timed["pages"].get(href).doc.findall(".//div[@id='results']//h3/a")
    ]
    assert ocids == ["ocds-h6vhtk-0f0003", "ocds-h6vhtk-0f0004"]


def test_a_date_given_as_a_day_is_shown_without_a_time(timed):
    pages = timed["pages"]
    page = pages.get("/en/notice/ocds-h6vhtk-0f0006")
    assert page.text(page.by_id("key-date")) == "30 September 2099"
    assert "Deadline for tenders 30 September 2099" in page.text()
    assert "30 September 2099," not in page.text()
    welsh = pages.get("/cy/notice/ocds-h6vhtk-0f0006")
    assert welsh.text(welsh.by_id("key-date")) == "30 Medi 2099"
    closed = pages.get("/en/notice/ocds-h6vhtk-0f0001")  # the engagement deadline, given as a day
    assert "," not in closed.text(closed.by_id("key-date"))
    moment = pages.get("/en/notice/ocds-h6vhtk-0b0004")  # a deadline given with its time keeps it
    assert "," in moment.text(moment.by_id("key-date"))
    results = pages.get("/en/search?q=%22Day+deadline%22")
    deadline = results.doc.find(
        ".//div[@id='results']//div[@class='piblinell-facts__row piblinell-facts__row--deadline']"
    )
    assert results.text(deadline) == "Deadline: 30 September 2099"


def test_a_deadline_moved_between_days_shows_days_in_the_history(app, client):
    from portal.collect.ingest import ingest_page
    from portal.db import session_scope
    from tests.factories import fts_release

    first = fts_release(notice_id="071001-2026", deadline="2099-08-25", date="2026-03-01T10:00:00+00:00")
    second = fts_release(notice_id="071002-2026", deadline="2099-09-01", date="2026-03-02T10:00:00+00:00")
    with app.app_context(), session_scope() as session:
        ingest_page(session, "fts", [first, second])
        session.commit()
    text = client.get("/en/notice/ocds-h6vhtk-0a0001").get_data(as_text=True)
    assert "Deadline moved from 25 August 2099 to 1 September 2099." in " ".join(text.split())
