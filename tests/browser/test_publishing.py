"""A buyer, signed in from the link in the portal's outbox email, publishes planned work through the form in
Debian's Chromium and finds it in search; axe-core finds no WCAG 2.2 AA violation on any buyer page (dashboard,
entry form with and without errors, entry, withdrawal, upload with errors, preview), in English and Welsh.
See docs/design.md, "Publishing planned work"."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlmodel import SQLModel
from werkzeug.serving import make_server

from portal import create_app
from portal.db import get_engine
from portal.publishing.csv_upload import COLUMNS
from tests.accounts_helpers import make_member
from tests.browser.test_buyer_sign_in import assert_accessible, newest_link
from tests.conftest import free_port

pytestmark = pytest.mark.browser

MEMBER = "ceri@caerdydd.gov.wales"  # newest_link expects this address
TITLES = {"en": "Grounds maintenance for Bute Park", "cy": "Cynnal a chadw tiroedd Parc Bute"}


@pytest.fixture(scope="module")
def publishing_server(tmp_path_factory):
    """The portal on loopback with one member, writing its mail to an outbox folder."""
    folder = tmp_path_factory.mktemp("publishing-live")
    port = free_port()
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{folder / 'publishing.sqlite3'}",
            "INDEX_DIR": str(folder / "index"),
            "LOCK_DIR": str(folder),
            "SECRET_KEY": "test",
            "MAIL_SERVER": "",
            "MAIL_OUTBOX": str(folder / "outbox"),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        SQLModel.metadata.create_all(get_engine())
    make_member(app, MEMBER, "GB-PPON-ABCD-1234-EFGH", "Cyngor Caerdydd")
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="publishing-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", Path(folder / "outbox"), folder
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        get_engine().dispose()


def sign_in(page, base: str, outbox: Path, lang: str) -> None:
    seen = set(outbox.glob("*.eml"))
    page.goto(f"{base}/{lang}/publish/")
    page.wait_for_url(f"{base}/{lang}/publish/sign-in?next=/{lang}/publish/")
    page.fill('input[name="email"]', MEMBER)
    page.click('form[action$="/publish/sign-in"] button')
    page.wait_for_url(f"{base}/{lang}/publish/sign-in")
    link, _language = newest_link(outbox, seen)
    page.goto(link)
    page.click("#confirm-sign-in")
    page.wait_for_url(f"{base}/{lang}/publish/")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_publish_through_the_form_and_find_it_in_search(browser, publishing_server, screenshots_dir, lang):
    base, outbox, folder = publishing_server
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(5000)
    page = context.new_page()
    try:
        sign_in(page, base, outbox, lang)
        assert_accessible(page)
        page.click("main a.govuk-button")  # add planned work
        assert_accessible(page)
        assert page.locator('input[type="date"]').count() == 0  # GOV.UK date boxes, never the browser's picker
        page.click('button[value="save"]')  # nothing filled in: the error summary, in the page's language
        assert page.locator(".govuk-error-summary").count() == 1
        assert_accessible(page)
        page.fill("#reference", f"BP-{lang}")
        page.fill("#title_en", TITLES["en"])
        page.fill("#title_cy", TITLES["cy"])
        page.fill("#description_cy", "Torri gwair a phlannu ym Mharc Bute.")
        page.fill("#cpv_q", "horticultur" if lang == "en" else "garddwriaeth")
        page.click('button[value="cpv-search"]')  # posts the form back with codes to tick; nothing saved
        assert page.input_value("#title_cy") == TITLES["cy"]
        page.check("#cpv-77000000")
        page.fill("#value_low", "120000")
        page.fill("#to_market-month", "4")
        page.fill("#to_market-year", "2027")
        page.check("#regions-UKL22")
        page.check("#route-open")
        page.check("#sme_suitable")
        page.screenshot(path=str(screenshots_dir / f"publishing-form-{lang}.png"), full_page=True)
        page.click('button[value="save"]')
        page.wait_for_url(f"{base}/{lang}/publish/entries/*")
        assert_accessible(page)
        page.click('form[action$="/publish"] button')  # publish the draft
        page.wait_for_url(f"{base}/{lang}/publish/entries/*")
        assert page.locator(".govuk-notification-banner--success").count() == 1
        assert_accessible(page)
        entry_url = page.url

        page.goto(f"{base}/{lang}/search?q=Bute")
        assert TITLES[lang] in page.inner_text("main")
        page.goto(f"{base}/{lang}/publish/")
        assert f"BP-{lang}" in page.inner_text("main")
        assert_accessible(page)

        page.goto(entry_url + "/withdraw")
        assert_accessible(page)
        page.goto(f"{base}/{lang}/publish/upload")
        assert_accessible(page)
        bad = folder / f"bad-{lang}.csv"
        bad.write_text(",".join(COLUMNS) + "\r\nX-1,,,,,123,,,2027-13,,,,,,,\r\n", encoding="utf-8")
        page.set_input_files("#file", str(bad))
        page.click('form[enctype="multipart/form-data"] button')
        assert page.locator(".govuk-error-summary li").count() >= 3
        assert_accessible(page)
        good = folder / f"good-{lang}.csv"
        good.write_text(",".join(COLUMNS) + f"\r\nUP-{lang},Street lighting,,,,34928500,,,2027-09,,,UKL,,,,\r\n")
        page.set_input_files("#file", str(good))
        page.click('form[enctype="multipart/form-data"] button')
        page.wait_for_url(f"{base}/{lang}/publish/upload/*")
        assert_accessible(page)
    finally:
        context.close()
