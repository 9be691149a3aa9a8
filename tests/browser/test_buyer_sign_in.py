"""A buyer signs in in Debian's Chromium from the link in the email the portal wrote (its outbox .eml), in
English and Welsh, on a desktop and at 390px wide, and axe-core finds no WCAG 2.2 AA violation on any sign-in
page. The accounts' own live server (tests/browser/buyers.py): it needs a member and an outbox of its own; each
step is checked here, where test_publishing.py signs in with buyers.sign_in_from_outbox. See docs/design.md,
"Buyer accounts: sign-in, organisations, audit"."""

from __future__ import annotations

import pytest

from tests.browser.buyers import MEMBER, assert_accessible, live_buyer_server, newest_link

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def accounts_server(tmp_path_factory):
    """The portal on loopback with one member, writing its mail to an outbox folder (tests/browser/buyers.py)."""
    with live_buyer_server(tmp_path_factory, "accounts") as server:
        yield server


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("lang", ["en", "cy"])
def test_sign_in_from_the_emailed_link(browser, accounts_server, screenshots_dir, lang, viewport):
    base, outbox = accounts_server.base, accounts_server.outbox
    seen = set(outbox.glob("*.eml"))
    # bypass_csp lets axe-core be injected; the pages' own policy is tested in tests/portal.
    context = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True)
    context.set_default_timeout(5000)
    page = context.new_page()
    try:
        page.goto(f"{base}/{lang}/publish/account")  # a member's page: to sign in first, then back here
        page.wait_for_url(f"{base}/{lang}/publish/sign-in?next=/{lang}/publish/account")
        assert page.get_attribute("html", "lang") == lang
        assert_accessible(page)
        page.fill('input[name="email"]', MEMBER)
        page.click('form[action$="/publish/sign-in"] button')
        page.wait_for_url(f"{base}/{lang}/publish/sign-in")
        assert page.locator("h1").inner_text() == {"en": "Check your email", "cy": "Gwiriwch eich e-bost"}[lang]
        assert_accessible(page)

        link, language = newest_link(outbox, seen)
        assert language == lang and link.startswith(f"{base}/{lang}/")
        page.goto(link)
        assert_accessible(page)
        page.screenshot(path=str(screenshots_dir / f"buyer-sign-in-confirm-{lang}-{viewport}.png"), full_page=True)
        account = f"{base}/{lang}/publish/account"
        assert page.request.get(account, max_redirects=0).status == 302  # opening the link signed no one in
        (before,) = [c["value"] for c in page.context.cookies() if c["name"] == "session"]  # the CSRF token's
        page.click("#confirm-sign-in")
        page.wait_for_url(f"{base}/{lang}/publish/account")
        assert MEMBER in page.inner_text("main") and "Cyngor Caerdydd" in page.inner_text("main")
        (cookie,) = [c for c in page.context.cookies() if c["name"] == "session"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["value"] != before
        assert_accessible(page)

        page.click('form[action$="/publish/sign-out"] button')
        page.wait_for_url(f"{base}/{lang}/publish/sign-in")
        assert page.locator(".govuk-notification-banner").count() == 1
        assert_accessible(page)

        page.goto(link)  # the link was used: refused, clearly
        assert (
            page.locator("h1").inner_text()
            == {
                "en": "This sign-in link has already been used",
                "cy": "Mae'r ddolen fewngofnodi hon eisoes wedi'i defnyddio",
            }[lang]
        )
        assert_accessible(page)
    finally:
        context.close()
