"""Browser fixtures: the app served on loopback over a small realistic dataset, and Debian's headless Chromium.

The browser tests stay on SQLite even when TEST_POSTGRES_URL is set: they check what a visitor sees (markup,
accessibility, forms without JavaScript, styling), and the database tests already run on both databases.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import SQLModel, select
from werkzeug.serving import make_server

from portal import create_app
from portal.collect.ingest import ingest_page
from portal.db import get_engine, session_scope
from portal.models.tables import Buyer, utcnow
from portal.search.indexing import rebuild_index
from tests.browser.dataset import dataset

CHROMIUM = Path("/usr/bin/chromium")
# The flags python-svc.md lists as known to work here: the network is closed, so every background
# connection Chromium would make (updates, sync, QUIC probes) is switched off rather than left to fail.
# Playwright's launch() always starts from a new, empty, temporary user-data-dir.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artefacts" / "screenshots"


@dataclass(frozen=True)
class LiveServer:
    """The running portal: its base URL and the ids of pages worth visiting."""

    url: str
    notice_ocid: str
    welsh_notice_ocid: str
    hostile_ocid: str
    buyer_id: int

    def at(self, path: str) -> str:
        """Return the absolute URL of a path on this server."""
        return f"{self.url}/{path.lstrip('/')}"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Serve the app over the dataset on 127.0.0.1 (a free port, threaded) for the whole session."""
    folder = tmp_path_factory.mktemp("live")
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{folder / 'browser.sqlite3'}",
            "INDEX_DIR": str(folder / "index"),
            "LOCK_DIR": str(folder),
            "SECRET_KEY": "test",
        }
    )
    releases = dataset(utcnow())
    with app.app_context():
        SQLModel.metadata.create_all(get_engine())
        with session_scope() as session:
            ingest_page(session, "fts", releases["fts"])
            ingest_page(session, "s2w", releases["s2w"], welsh_releases=releases["s2w_cy"])
            session.commit()
            buyer_id = session.exec(select(Buyer.id).where(Buyer.name == "Cyngor Caerdydd")).one()
        rebuild_index()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(
        url=f"http://127.0.0.1:{server.server_port}",
        notice_ocid="ocds-h6vhtk-0c0004",
        welsh_notice_ocid="ocds-kuma6s-148201",
        hostile_ocid="ocds-h6vhtk-0c0007",
        buyer_id=buyer_id,
    )
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        get_engine().dispose()


@pytest.fixture(scope="session")
def browser():
    """Launch Debian's Chromium headless through Playwright, once per session."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (make browser)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must run the browser tests", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _new_page(browser, **options):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
    # Short waits: every page is local, so a selector missing after 5 s is missing, not slow.
    context.set_default_timeout(5000)
    return context, context.new_page()


@pytest.fixture
def page(browser):
    """A fresh page in its own browser context, with JavaScript on."""
    context, page = _new_page(browser)
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser):
    """A fresh page in its own browser context with JavaScript switched off."""
    context, page = _new_page(browser, java_script_enabled=False)
    yield page
    context.close()


@pytest.fixture(scope="session")
def audit_context(browser):
    """One context for the page audits (they only read), where axe-core can be injected despite any CSP."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(5000)
    yield context
    context.close()


@pytest.fixture
def audit_page(audit_context):
    """A fresh page in the audit context."""
    page = audit_context.new_page()
    yield page
    page.close()


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    """Return test-artefacts/screenshots (git-ignored), created."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
