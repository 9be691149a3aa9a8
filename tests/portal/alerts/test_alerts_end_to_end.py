"""The whole loop over real SMTP on loopback: subscribe through the pages → confirm (POST) → import a real
recorded day → `flask alerts send` → one digest per address arrives: language, sections, each procurement once across an
address's searches and across registers, the cap, both unsubscribe headers, the one-click POST without cookies
ending every search the digest is about; a Welsh subscriber's email in Welsh throughout."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlmodel import select

from portal import create_app
from portal.db import session_scope
from portal.models.alerts import Subscription
from portal.models.tables import Procurement
from tests.factories import s2w_release
from tests.portal.alerts.alert_pages import link_path
from tests.portal.alerts.alert_pages import subscribe as subscribe_page
from tests.portal.alerts.sending import items_of, store
from tests.realdata import fts_day_files

WELSH_MONTHS = "Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr"


def _confirm(client, smtp_server, address: str, lang: str, query: str) -> None:
    assert subscribe_page(client, address, lang=lang, query=query, frequency="immediately").status_code == 200
    message = smtp_server.to(address)[-1]
    assert client.post(link_path(message, "/alerts/confirm/")).status_code == 200


def _digests(smtp_server, address: str) -> list:
    return [m for m in smtp_server.to(address) if "/alerts/confirm/" not in m.get_body(("plain",)).get_content()]


def _ocids(message) -> list[str]:
    return [urlsplit(link).path.split("/notice/", 1)[1] for link in items_of(message)]


def _link_a_sell2wales_copy(app) -> str:
    """Publish a Sell2Wales notice of one real Find a Tender cleaning procurement (it cites the FTS notice):
    linking makes them one procurement on two registers. Return its ocid."""
    with app.app_context(), session_scope() as session:
        found = [
            p
            for p in session.exec(select(Procurement).where(Procurement.stage.in_(("pipeline", "engagement"))))
            if "cleaning" in (p.title or "").lower()
        ]
        procurement = sorted(found, key=lambda p: p.id)[0]
        notice_id = procurement.links[0]["notice_id"]
    with app.app_context():
        store([s2w_release(title="Cleaning services", related=[notice_id])], source="s2w")
    with app.app_context(), session_scope() as session:
        linked = session.get(Procurement, procurement.id)
        assert sorted(set(linked.sources)) == ["fts", "s2w"]
        return linked.ocid


def test_subscribe_confirm_import_send_and_unsubscribe(app, client, runner, smtp_server):
    _confirm(client, smtp_server, "jo@example.org", "en", "q=cleaning")
    _confirm(client, smtp_server, "jo@example.org", "en", "q=cleaning+services")
    _confirm(client, smtp_server, "many@example.org", "en", "q=services")
    _confirm(client, smtp_server, "cymro@example.org", "cy", "q=glanhau")
    imported = runner.invoke(args=["import", *map(str, fts_day_files())])
    assert imported.exit_code == 0, imported.output
    both_registers = _link_a_sell2wales_copy(app)

    sent = runner.invoke(args=["alerts", "send"])
    assert sent.exit_code == 0, sent.output
    assert "immediately: composed 3 emails" in sent.output and "sent 3, deferred 0" in sent.output

    [digest] = _digests(smtp_server, "jo@example.org")  # one email for both of jo's searches
    [many] = _digests(smtp_server, "many@example.org")
    for message in (digest, many):
        assert message["Content-Language"] == "en"
        assert re.fullmatch(r"<https?://[^>]+/en/alerts/unsubscribe/email/[^>]+>", message["List-Unsubscribe"])
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Id"].startswith("Piblinell alerts <alerts.")
    ocids = _ocids(digest)
    assert len(ocids) == len(set(ocids))  # once across the address's two searches
    assert ocids.count(both_registers) == 1  # once though it is on two registers
    subject = re.fullmatch(r"(\d+) new notices for your 2 searches", digest["Subject"])
    assert subject and int(subject.group(1)) == len(ocids)
    text = digest.get_body(("plain",)).get_content()
    assert text.index("New pipeline and planned work") < text.index("Awards and other updates")
    assert "Your search “cleaning” matched: cleaning" in text
    assert "Your search “cleaning services” matched: cleaning, services" in text  # both searches, one item
    assert "Stop emails about your search “cleaning services”: " in text
    # "services" finds hundreds: the cap lists 50 and links to the whole search
    many_text = many.get_body(("plain",)).get_content()
    assert len(_ocids(many)) == 50 and re.fullmatch(r"\d+ new notices for your search “services”", many["Subject"])
    more = re.search(r"(\d+) more notices are not shown here", many_text)
    assert more and int(more.group(1)) + 50 == int(re.match(r"\d+", many["Subject"]).group())
    assert "/en/search?q=services" in many_text

    welsh = _digests(smtp_server, "cymro@example.org")[0]
    assert welsh["Content-Language"] == "cy"
    assert re.fullmatch(r"\d+ hysbysiad newydd ar gyfer eich chwiliad “glanhau”", welsh["Subject"])
    welsh_text = welsh.get_body(("plain",)).get_content()
    for heading in ("Gwaith newydd ar y biblinell ac wedi'i gynllunio", "Dyfarniadau a diweddariadau eraill"):
        assert heading in welsh_text
    assert re.search(rf"\d+ ({WELSH_MONTHS}) 20\d\d", welsh_text)  # a Welsh date
    assert "Cyfatebodd i'ch chwiliad “glanhau”" in welsh_text and "/cy/notice/" in welsh_text
    assert "New open tenders" not in welsh_text and "Awarded" not in welsh_text
    assert '<html lang="cy">' in welsh.get_body(("html",)).get_content()

    again = runner.invoke(args=["alerts", "send"])  # nothing twice
    assert "composed 0 emails" in again.output and len(smtp_server.messages) == 4 + 3

    # the mail client's one-click POST: no cookie, no CSRF token; it ends both searches the digest is about
    guarded = create_app({**app.config, "WTF_CSRF_ENABLED": True})
    mail_client = guarded.test_client(use_cookies=False)
    path = urlsplit(digest["List-Unsubscribe"].strip("<>")).path
    answer = mail_client.post(path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200 and "Location" not in answer.headers
    with app.app_context(), session_scope() as session:
        statuses = {s.saved_search_id: s.status for s in session.exec(select(Subscription).order_by(Subscription.id))}
    assert list(statuses.values()) == ["stopped", "stopped", "live", "live"]
