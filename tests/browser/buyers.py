"""Shared by the buyer browser tests (test_buyer_sign_in.py, test_publishing.py): the portal served on loopback with
one member and an outbox of its own, the sign-in link read from the .eml the portal wrote, signing in from it, and
axe-core's verdict. See docs/design.md, "Buyer accounts: sign-in, organisations, audit"."""

from __future__ import annotations

import email
import email.policy
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import SQLModel
from werkzeug.serving import make_server

from portal import create_app
from portal.db import get_engine
from tests.accounts_helpers import make_member
from tests.browser.test_browser_pages import describe, run_axe
from tests.conftest import free_port

MEMBER = "ceri@caerdydd.gov.wales"
ORGANISATION = ("GB-PPON-ABCD-1234-EFGH", "Cyngor Caerdydd")
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/(?:en|cy)/publish/sign-in/[A-Za-z0-9_-]{43})")


@dataclass(frozen=True)
class LiveServer:
    """Where the live portal is: its base URL, its outbox of .eml files and its scratch folder."""

    base: str
    outbox: Path
    folder: Path


@contextmanager
def live_buyer_server(tmp_path_factory, name: str) -> Iterator[LiveServer]:
    """Serve the portal on loopback (a fresh SQLite database) with MEMBER a member of ORGANISATION, writing its
    mail to an outbox folder; stopped and disposed of on exit."""
    folder = tmp_path_factory.mktemp(f"{name}-live")
    port = free_port()
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{folder / f'{name}.sqlite3'}",
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
    make_member(app, MEMBER, *ORGANISATION)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=f"{name}-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", folder / "outbox", folder)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            get_engine().dispose()


def newest_link(outbox: Path, seen: set[Path]) -> tuple[str, str]:
    """The sign-in link in the one message written since `seen` (added to it), and the message's language."""
    (path,) = [p for p in outbox.glob("*.eml") if p not in seen]
    seen.add(path)
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["To"] == MEMBER
    (link,) = set(LINK.findall(message.get_body(("plain",)).get_content()))
    return link, message["Content-Language"]


def assert_accessible(page) -> None:
    """axe-core finds no WCAG 2.2 AA violation on the page as it is now."""
    violations = run_axe(page)
    assert not violations, f"{page.url}: axe found {len(violations)} violation(s):\n{describe(violations)}"


def sign_in_from_outbox(page, server: LiveServer, lang: str, path: str = "publish/") -> None:
    """Sign MEMBER in as a buyer does: open a member's page (`path`, under /<lang>/), be sent to sign in, ask for a
    link, open the link from the email the portal wrote, press the button, and land back on that page."""
    seen = set(server.outbox.glob("*.eml"))
    page.goto(f"{server.base}/{lang}/{path}")
    page.wait_for_url(f"{server.base}/{lang}/publish/sign-in?next=/{lang}/{path}")
    page.fill('input[name="email"]', MEMBER)
    page.click('form[action$="/publish/sign-in"] button')
    page.wait_for_url(f"{server.base}/{lang}/publish/sign-in")
    link, _language = newest_link(server.outbox, seen)
    page.goto(link)
    page.click("#confirm-sign-in")
    page.wait_for_url(f"{server.base}/{lang}/{path}")
