"""A buyer signs in in Debian's Chromium from the link in the email the portal wrote (its outbox .eml), in
English and Welsh, on a desktop and at 390px wide, and axe-core finds no WCAG 2.2 AA violation on any sign-in
page. The accounts' own live server: it needs a member and an outbox of its own. See docs/design.md,
"Buyer accounts: sign-in, organisations, audit"."""

from __future__ import annotations

import email
import email.policy
import re
import threading
from pathlib import Path

import pytest
from sqlmodel import SQLModel
from werkzeug.serving import make_server

from portal import create_app
from portal.db import get_engine
from tests.accounts_helpers import make_member
from tests.browser.test_browser_pages import describe, run_axe
from tests.conftest import free_port

pytestmark = pytest.mark.browser

MEMBER = "ceri@caerdydd.gov.wales"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/(?:en|cy)/publish/sign-in/[A-Za-z0-9_-]{43})")


@pytest.fixture(scope="module")
def accounts_server(tmp_path_factory):
    """The portal on loopback with one member, writing its mail to an outbox folder."""
    folder = tmp_path_factory.mktemp("accounts-live")
    port = free_port()
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{folder / 'accounts.sqlite3'}",
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
    thread = threading.Thread(target=server.serve_forever, name="accounts-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", Path(folder / "outbox")
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        get_engine().dispose()


def newest_link(outbox: Path, seen: set[Path]) -> tuple[str, str]:
    """The sign-in link in the one message written since `seen`, and the message's language."""
    (path,) = [p for p in outbox.glob("*.eml") if p not in seen]
    seen.add(path)
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["To"] == MEMBER
    (link,) = set(LINK.findall(message.get_body(("plain",)).get_content()))
    return link, message["Content-Language"]


def assert_accessible(page) -> None:
    violations = run_axe(page)
    assert not violations, f"{page.url}: axe found {len(violations)} violation(s):\n{describe(violations)}"


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("lang", ["en", "cy"])
def test_sign_in_from_the_emailed_link(browser, accounts_server, screenshots_dir, lang, viewport):
    base, outbox = accounts_server
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
