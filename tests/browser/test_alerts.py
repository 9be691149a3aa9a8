"""Email alerts in Chromium, as a Welsh supplier meets them: from a Welsh search to the subscribe form, the
confirmation read from the .eml the portal wrote, the confirm button, the manage page, and unsubscribing.
Every alert page, in Welsh and its English twin, is screenshotted (desktop and 390 px) and axe-core clean.

Its own live server (like conftest's, over the same dataset) writes mail to a temporary outbox and builds the
emails' links on itself, with CSRF on as in production. docs/design.md, "Email alerts: the pages".
"""

from __future__ import annotations

import email
import email.policy
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlmodel import SQLModel
from werkzeug.serving import make_server

from portal import create_app
from portal.alerts import links
from portal.collect.ingest import ingest_page
from portal.db import get_engine, session_scope
from portal.models.alerts import Follow, Subscription
from portal.models.tables import utcnow
from portal.search.indexing import rebuild_index
from tests.browser.dataset import dataset
from tests.browser.test_browser_pages import describe, run_axe
from tests.portal.alerts.alert_pages import LINK

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def alert_server(tmp_path_factory):
    """The portal on loopback over the browser dataset; yields (app, base URL, outbox folder)."""
    folder = tmp_path_factory.mktemp("alerts-live")
    outbox = folder / "outbox"
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{folder / 'alerts.sqlite3'}",
            "INDEX_DIR": str(folder / "index"),
            "LOCK_DIR": str(folder),
            "SECRET_KEY": "test",
            "MAIL_SERVER": "",
            "MAIL_OUTBOX": str(outbox),
            "RATELIMIT_ENABLED": False,
        }
    )
    releases = dataset(utcnow())
    with app.app_context():
        SQLModel.metadata.create_all(get_engine())
        with session_scope() as session:
            ingest_page(session, "fts", releases["fts"])
            ingest_page(session, "s2w", releases["s2w"], welsh_releases=releases["s2w_cy"])
            session.commit()
        rebuild_index()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = base  # the emails' links lead back here
    thread = threading.Thread(target=server.serve_forever, name="alerts-live-server", daemon=True)
    thread.start()
    yield app, base, outbox
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        get_engine().dispose()


@pytest.fixture
def alert_page(browser):
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)  # bypass: axe-core is injected
    context.set_default_timeout(5000)
    page = context.new_page()
    yield page
    context.close()


def audit(page, screenshots_dir: Path, name: str) -> None:
    """Screenshot the page on a desktop and at 390 px, and require axe-core to find no violation."""
    lang = page.get_attribute("html", "lang")
    page.screenshot(path=screenshots_dir / f"alerts-{name}-{lang}.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=screenshots_dir / f"alerts-{name}-phone-{lang}.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    violations = run_axe(page)
    assert not violations, f"{page.url}: axe found {len(violations)} violation(s):\n{describe(violations)}"


def audit_twin(page, screenshots_dir: Path, name: str) -> None:
    """Audit the English twin of the Welsh page shown (a GET: it changes nothing), then come back."""
    welsh = page.url
    english = welsh.replace("/cy/", "/en/", 1)
    page.goto(english)
    assert page.get_attribute("html", "lang") == "en"
    audit(page, screenshots_dir, name)
    page.goto(welsh)


def mail_to(outbox: Path, address: str, wait: float = 5.0) -> email.message.EmailMessage:
    """Return the newest .eml in the outbox addressed to `address`, waiting a little: the portal sends its
    emails once the page has been answered (portal.alerts.confirm_mail.after_response)."""
    deadline = time.monotonic() + wait
    while True:
        for path in sorted(outbox.glob("*.eml"), reverse=True):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if message["To"] == address:
                return message
        assert time.monotonic() < deadline, f"no email to {address} in {outbox}"
        time.sleep(0.1)


def link_in(message, marker: str) -> str:
    text = message.get_body(("plain",)).get_content()
    (link,) = {found for found in LINK.findall(text) if marker in found}
    return link


def test_welsh_supplier_subscribes_confirms_manages_and_unsubscribes(alert_server, alert_page, screenshots_dir):
    app, base, outbox = alert_server
    page = alert_page
    page.goto(f"{base}/cy/search?q=glanhau")
    link = page.locator("#alert-link a")
    assert link.inner_text().strip() == "Cael negeseuon e-bost am y chwiliad hwn"
    with page.expect_navigation():
        link.click()
    assert urlsplit(page.url).path == "/cy/alerts/new" and urlsplit(page.url).query == "q=glanhau"
    assert "“glanhau”" in page.locator("#search-in-words").inner_text()
    audit(page, screenshots_dir, "new")
    audit_twin(page, screenshots_dir, "new")

    page.locator("#subscribe-button").click()  # nothing typed: the GOV.UK error summary, in Welsh
    page.wait_for_selector(".govuk-error-summary")
    assert "Rhowch eich cyfeiriad e-bost" in page.locator(".govuk-error-summary").inner_text()
    audit(page, screenshots_dir, "new-error")

    page.fill("#email", "cyflenwr@example.cymru")
    page.locator("label[for='frequency-3']").click()  # weekly, the third choice (GOV.UK ids: x, x-2, x-3)
    with page.expect_navigation():
        page.locator("#subscribe-button").click()
    assert page.locator("h1").inner_text() == "Gwiriwch eich e-bost"
    assert "c…@example.cymru" in page.locator("#check-email").inner_text()
    audit(page, screenshots_dir, "check-email")

    message = mail_to(outbox, "cyflenwr@example.cymru")
    assert message["Content-Language"] == "cy"
    page.goto(link_in(message, "/cy/alerts/confirm/"))
    assert page.locator("h1").inner_text() == "Cadarnhewch eich rhybudd e-bost"
    audit(page, screenshots_dir, "confirm")
    audit_twin(page, screenshots_dir, "confirm")
    with app.app_context(), session_scope() as session:
        (row,) = session.query(Subscription).all()
        assert (row.status, row.frequency) == ("pending", "weekly")  # the GETs changed nothing
    with page.expect_navigation():
        page.locator("#confirm-button").click()
    assert page.locator("#confirmed").is_visible()
    audit(page, screenshots_dir, "confirmed")

    with page.expect_navigation():
        page.locator("#manage-link").click()
    assert page.locator("h1").inner_text() == "Eich rhybuddion e-bost"
    audit(page, screenshots_dir, "manage")
    audit_twin(page, screenshots_dir, "manage")
    page.locator(f"label[for='subscription-{row.id}-frequency-2']").click()  # daily instead
    with page.expect_navigation():
        page.locator(f"#subscription-{row.id}-change").click()
    assert page.locator(".govuk-notification-banner").is_visible()
    audit(page, screenshots_dir, "manage-changed")

    with app.app_context():
        page.goto(links.unsubscribe_url("subscription", row.id, "cy"))
    assert page.locator("h1").inner_text() == "Atal y negeseuon e-bost hyn"
    audit(page, screenshots_dir, "unsubscribe")
    audit_twin(page, screenshots_dir, "unsubscribe")
    with page.expect_navigation():
        page.locator("#unsubscribe-button").click()
    assert page.locator("#unsubscribed").is_visible()
    audit(page, screenshots_dir, "unsubscribed")
    with app.app_context(), session_scope() as session:
        (row,) = session.query(Subscription).all()
        assert (row.status, row.frequency) == ("stopped", "daily")


def follow(page, base: str, lang: str, ocid: str, address: str, outbox: Path) -> str:
    """Follow a procurement from its notice page; return the confirmation link from the email."""
    page.goto(f"{base}/{lang}/notice/{ocid}")
    with page.expect_navigation():
        page.locator("#follow-procurement").click()
    assert urlsplit(page.url).path == f"/{lang}/alerts/follow/{ocid}"
    page.fill("#email", address)
    with page.expect_navigation():
        page.locator("#follow-button").click()
    return link_in(mail_to(outbox, address), f"/{lang}/alerts/confirm/")


@pytest.mark.parametrize("lang", ["cy", "en"])
def test_follow_unsubscribe_stop_all_and_the_other_pages(alert_server, alert_page, screenshots_dir, lang):
    app, base, outbox = alert_server
    page, address = alert_page, f"dilynwr-{lang}@example.org"
    page.goto(f"{base}/{lang}/alerts/follow/ocds-h6vhtk-0c0004")
    audit(page, screenshots_dir, "follow")
    page.context.clear_cookies()  # the form's CSRF token no longer matches this browser's: nothing is done
    page.fill("#email", address)
    with page.expect_navigation():
        page.locator("#follow-button").click()
    assert page.locator("#form-expired").is_visible()
    audit(page, screenshots_dir, "form-expired")

    for ocid in ("ocds-h6vhtk-0c0004", "ocds-kuma6s-148201"):
        page.goto(follow(page, base, lang, ocid, address, outbox))
        with page.expect_navigation():
            page.locator("#confirm-button").click()
        assert page.locator("#confirmed").is_visible()
    audit(page, screenshots_dir, "confirmed-follow")
    with page.expect_navigation():
        page.locator("#manage-link").click()
    assert page.locator("[id^='follow-']").count() >= 2
    manage_url = page.url

    with app.app_context(), session_scope() as session:  # a digest's one-click page: both follows, a button
        live = session.query(Follow).filter(Follow.status == "live").order_by(Follow.id).all()
        mine = [row.id for row in live if row.subscriber_id == live[-1].subscriber_id]
        page.goto(links.digest_unsubscribe_url(0, [], mine, lang))
    assert page.locator("#unsubscribe-button").is_visible() and page.locator("main li a").count() == 2
    audit(page, screenshots_dir, "unsubscribe-email")
    with app.app_context(), session_scope() as session:
        first = session.query(Follow).filter(Follow.status == "live").order_by(Follow.id).first()
        page.goto(links.unsubscribe_url("follow", first.id, lang))
    with page.expect_navigation():
        page.locator("#unsubscribe-button").click()
    assert page.locator("#unsubscribed").is_visible()
    audit(page, screenshots_dir, "unsubscribed")

    page.goto(manage_url)
    with page.expect_navigation():
        page.locator("#stop-all").click()
    assert page.locator("#stopped-all").is_visible()
    audit(page, screenshots_dir, "stopped-all")
    assert page.goto(manage_url).status == 410  # stop all ended the older link
    audit(page, screenshots_dir, "link-old")

    page.goto(f"{base}/{lang}/alerts/manage")
    audit(page, screenshots_dir, "manage-request")
    page.fill("#email", "someone@example.org")
    with page.expect_navigation():
        page.locator("#manage-link-button").click()
    audit(page, screenshots_dir, "manage-sent")
    page.goto(f"{base}/{lang}/alerts/confirm/not-a-token")
    audit(page, screenshots_dir, "link-problem")
