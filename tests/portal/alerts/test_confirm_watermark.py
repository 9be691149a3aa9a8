"""A confirmation while a page of notices is being stored: its watermark (delivered_until) is read under the
notice writers' lock, as the sender reads a batch's end, so the page is either committed before the
confirmation (it had arrived: not new) or stamped after it (new). Never stamped before the confirmation and
committed after it, which no run would ever tell (docs/design.md, "Email alerts: the pages", "Double opt-in")."""

from __future__ import annotations

import threading

from sqlmodel import select

from portal.alerts import deliver, lifecycle
from portal.collect.ingest import ingest_page
from portal.db import session_scope
from portal.models.alerts import Subscription
from portal.models.tables import Procurement, utcnow
from tests.factories import fts_release
from tests.portal.alerts.sending import in_app, items_of, store  # noqa: F401 (in_app: a fixture)


def test_a_confirmation_waits_for_a_page_being_stored_so_nothing_falls_between(app, smtp_server):
    with session_scope() as session:
        asked = lifecycle.request_subscription(session, "a@example.org", "en", "q=cleaning", "immediately")
        row_id, nonce = asked.row.id, asked.row.confirm_nonce
    stamped, go_on, confirmed, moments = threading.Event(), threading.Event(), threading.Event(), {}

    def ingest():  # a collection's page: stamped under the writers' lock, committed a moment later
        with app.app_context(), session_scope() as session:
            ingest_page(session, "fts", [fts_release(ocid="ocds-h6vhtk-0w0001", title="Cleaning, stored meanwhile")])
            stamped.set()
            go_on.wait(timeout=30)
            # taken before the commit: the confirmation may take the lock the instant the commit frees it, before
            # this thread runs again, so a moment taken after the commit can be later than the confirmation's own
            moments["committing"] = utcnow()
            session.commit()

    def confirm():
        with app.app_context(), session_scope() as session:
            lifecycle.confirm(session, "subscription", row_id, nonce)
        confirmed.set()

    threads = [threading.Thread(target=ingest), threading.Thread(target=confirm)]
    threads[0].start()
    assert stamped.wait(timeout=30)
    threads[1].start()
    assert not confirmed.wait(timeout=1)  # the confirmation waits for the page being stored
    go_on.set()
    for thread in threads:
        thread.join(timeout=60)
    assert confirmed.is_set()
    with session_scope() as session:
        subscription = session.get(Subscription, row_id)
        stored = session.exec(select(Procurement).where(Procurement.ocid == "ocds-h6vhtk-0w0001")).one()
        # the page was being committed before the confirmation's moment: it was on the site when the address confirmed
        assert stored.changed_at < moments["committing"] <= subscription.delivered_until
    assert deliver.run("immediately")[0].emails == 0  # arrived before the confirmation: not news to it
    store([fts_release(ocid="ocds-h6vhtk-0w0002", notice_id="070002-2026", title="Cleaning, stored after")])
    assert deliver.run("immediately")[1].sent == 1
    [message] = smtp_server.to("a@example.org")
    assert [link.rsplit("/", 1)[1] for link in items_of(message)] == ["ocds-h6vhtk-0w0002"]
