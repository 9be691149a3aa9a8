"""A buyer, signed in from the link in the portal's outbox email, publishes planned work through the form in
Debian's Chromium and finds it in search; axe-core finds no WCAG 2.2 AA violation on any buyer page (dashboard,
entry form with and without errors, entry, withdrawal, upload with errors, preview), in English and Welsh.
See docs/design.md, "Publishing planned work"."""

from __future__ import annotations

import pytest

from portal.publishing.csv_upload import COLUMNS
from tests.browser.buyers import assert_accessible, live_buyer_server, sign_in_from_outbox

pytestmark = pytest.mark.browser

TITLES = {"en": "Grounds maintenance for Bute Park", "cy": "Cynnal a chadw tiroedd Parc Bute"}


@pytest.fixture(scope="module")
def publishing_server(tmp_path_factory):
    """The portal on loopback with one member, writing its mail to an outbox folder (tests/browser/buyers.py)."""
    with live_buyer_server(tmp_path_factory, "publishing") as server:
        yield server


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_publish_through_the_form_and_find_it_in_search(browser, publishing_server, screenshots_dir, lang):
    base, folder = publishing_server.base, publishing_server.folder
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(5000)
    page = context.new_page()
    try:
        sign_in_from_outbox(page, publishing_server, lang)
        assert_accessible(page)
        with page.expect_navigation():  # a form post or link: wait for its page, never read the one before
            page.click("main a.govuk-button")  # add planned work
        assert_accessible(page)
        assert page.locator('input[type="date"]').count() == 0  # GOV.UK date boxes, never the browser's picker
        with page.expect_navigation():
            page.click('button[value="save"]')  # nothing filled in: the error summary, in the page's language
        assert page.locator(".govuk-error-summary").count() == 1
        assert_accessible(page)
        page.fill("#reference", f"BP-{lang}")
        page.fill("#title_en", TITLES["en"])
        page.fill("#title_cy", TITLES["cy"])
        page.fill("#description_cy", "Torri gwair a phlannu ym Mharc Bute.")
        page.fill("#cpv_q", "horticultur" if lang == "en" else "garddwriaeth")
        with page.expect_navigation():
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
        with page.expect_navigation():  # from the entry's page back to it: waiting for the URL would not wait
            page.click('form[action$="/publish"] button')  # publish the draft
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
        with page.expect_navigation():
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
