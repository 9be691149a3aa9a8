"""Notice text is shown exactly as published and always escaped: script tags, HTML, long words, RTL and emoji."""

from __future__ import annotations

import feedparser
from icalendar import Calendar

from portal.collect.ingest import ingest_page
from portal.db import session_scope
from portal.search.indexing import sync_index
from tests.factories import fts_release
from tests.pages import PageClient

HOSTILE_TITLE = '<script>alert("x")</script><b>Bold</b> ' + "A" * 300 + " مناقصة \u202e reversed 🚀🏴󠁧󠁢󠁷󠁬󠁳󠁿"
HOSTILE_DESCRIPTION = '<img src=x onerror=alert(1)>\n"quotes" & ampersands {{ 7*7 }} %(num)s'
HOSTILE_BUYER = '<iframe src="//evil">Council</iframe>'


def test_hostile_text_is_escaped_everywhere(app, client):
    release = fts_release(
        notice_type="UK1", deadline=None, title=HOSTILE_TITLE, description=HOSTILE_DESCRIPTION, buyer_name=HOSTILE_BUYER
    )
    release["planning"]["documents"][0]["url"] = "javascript:alert(1)"
    with app.app_context(), session_scope() as session:
        ingest_page(session, "fts", [release])
        session.commit()
    pages = PageClient(client)
    for url in (
        "/en/notice/ocds-h6vhtk-0a0001",
        "/cy/notice/ocds-h6vhtk-0a0001",
        "/en/",
        "/cy/",
        "/en/buyer/1",
        "/cy/pipeline",
    ):
        page = pages.get(url)
        # The parser saw no element from the notice: only our two scripts, no img, no iframe, no <b>.
        assert len(page.doc.findall(".//script")) == 2, url
        assert not page.doc.findall(".//img") and not page.doc.findall(".//iframe") and not page.doc.findall(".//b")
        assert "javascript:" not in " ".join(page.links()), url
        assert HOSTILE_TITLE.split(" مناقصة")[0] in page.text(), url  # the text itself, shown as published
    notice = pages.get("/en/notice/ocds-h6vhtk-0a0001")
    assert notice.by_id("description-en").text == HOSTILE_DESCRIPTION
    assert "🚀" in notice.text() and "مناقصة" in notice.text()
    assert "&lt;script&gt;" in notice.html and "{{ 7*7 }}" in notice.text()


CONTROLS = "\x00\x01\x07\x1b\x7f\x85\u202a\u202b\u202d\u202e\u2066\u2067\u2068\u2069\ufffe"


def test_control_and_bidi_override_characters_never_reach_html_feeds_or_calendars(app, client):
    title = f"Glanhau{CONTROLS} ysgolion"
    release = fts_release(notice_type="UK4", title=title, description=f"Disgrifiad{CONTROLS}")
    with app.app_context(), session_scope() as session:
        ingest_page(session, "fts", [release])
        session.commit()
        sync_index()
    pages = PageClient(client)
    for url in ("/en/notice/ocds-h6vhtk-0a0001", "/cy/notice/ocds-h6vhtk-0a0001", "/en/search?q=glanhau", "/cy/search"):
        html = pages.get(url).html
        assert "Glanhau ysgolion" in html and not any(char in html for char in CONTROLS), url
    for url in ("/en/search.atom?q=glanhau", "/en/search.ics", "/cy/search.ics"):
        body = client.get(url).get_data(as_text=True)
        assert not any(char in body for char in CONTROLS), url
    atom = client.get("/en/search.atom?q=glanhau").get_data()
    assert not feedparser.parse(atom).bozo  # well-formed XML
    assert Calendar.from_ical(client.get("/en/search.ics").get_data())


def test_odd_ids_ocids_and_register_links(app, client):
    """Out-of-range buyer ids are 404s on both databases, an ocid with any character is reachable, notice text
    is isolated for bidirectional display, and a history link goes only to its register's own hosts."""
    odd = "ocds-h6vhtk-a/b?c#d%e f"
    release = fts_release(ocid=odd, notice_id="000778-2026", title="مناقصة Tender")
    release["tender"]["documents"] = [{"id": "1", "url": "https://evil.example/Notice/000778-2026"}]
    with app.app_context(), session_scope() as session:
        ingest_page(session, "fts", [release])
        session.commit()
    for too_big in ("2147483648", "9223372036854775808", "99999999999999999999999"):
        assert client.get(f"/en/buyer/{too_big}").status_code == 404
    page = client.get("/cy/notice/ocds-h6vhtk-a/b%3Fc%23d%25e%20f")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'dir="auto"' in html and "evil.example" not in html
