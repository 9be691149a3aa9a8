"""Exactly once: two senders at once, a sender killed mid-batch (SIGKILL) and rerun, a crash between sending
and marking sent: each item reaches each subscriber in one message (docs/design.md, "Email alerts: sending")."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import time_machine
from sqlalchemy import func, update
from sqlmodel import select

from portal.alerts import deliver
from portal.db import session_scope
from portal.models.alerts import AlertEmail, AlertItem
from tests.factories import fts_release
from tests.portal.alerts.sending import in_app, items_of, store, subscribe  # noqa: F401 (in_app: a fixture)

ROOT = Path(__file__).resolve().parents[3]
SENDER = """
import sys
from portal import create_app
from portal.alerts import deliver
app = create_app({"DATABASE_URL": sys.argv[1], "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": int(sys.argv[2]),
                  "SECRET_KEY": "test", "SERVER_NAME": "localhost"})
with app.app_context():
    deliver.run("immediately")
"""


def _addresses(n: int) -> list[str]:
    return [f"s{i}@example.org" for i in range(n)]


def _setup(n: int) -> list[str]:
    addresses = _addresses(n)
    for address in addresses:
        subscribe(address, {"q": "cleaning"})
    store([fts_release(ocid=f"ocds-h6vhtk-0e{i:04d}", notice_id=f"09{i:04d}-2026", title="Cleaning") for i in (1, 2)])
    return addresses


def _each_once(smtp_server, addresses: list[str]) -> None:
    """Every address received one message (one Message-ID; a resent copy keeps it) listing both items once."""
    for address in addresses:
        messages = smtp_server.to(address)
        assert len({m["Message-ID"] for m in messages}) == 1, address
        assert sorted(items_of(messages[0]))[0].endswith("/en/notice/ocds-h6vhtk-0e0001")
        assert len(items_of(messages[0])) == 2
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(AlertItem)).one() == 2 * len(addresses)
        statuses = set(session.exec(select(AlertEmail.status)).all())
        assert statuses == {"sent"}


def test_two_senders_at_once_send_each_item_once(app, smtp_server):
    addresses = _setup(8)
    errors = []

    def sender():
        try:
            with app.app_context():
                deliver.run("immediately")
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    _each_once(smtp_server, addresses)
    assert len(smtp_server.messages) == len(addresses)  # nobody sent anything twice


def test_a_sender_killed_mid_batch_loses_and_doubles_nothing(app, smtp_server):
    addresses = _setup(12)
    received = smtp_server.handle_DATA

    async def slowly(server, session, envelope):  # a slow mail server, so the kill lands mid-batch
        await asyncio.sleep(0.3)
        return await received(server, session, envelope)

    smtp_server.handle_DATA = slowly
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", SENDER, app.config["DATABASE_URL"], str(smtp_server.port)], cwd=ROOT, env=env
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(smtp_server.messages) < 3:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    before = len(smtp_server.messages)
    assert 3 <= before < len(addresses), "the sender was not killed mid-batch"
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(AlertEmail)).one() == len(addresses)
    deliver.run("immediately")  # the claimed one is not stale yet: everything else is sent now
    with time_machine.travel(deliver.utcnow() + deliver.STALE_AFTER + timedelta(minutes=1)):
        deliver.run("immediately")  # the claim the kill left is released and its message sent
    _each_once(smtp_server, addresses)


def test_a_crash_between_sending_and_marking_resends_the_same_message(app, smtp_server):
    [address] = _setup(1)
    deliver.prepare("immediately")
    with session_scope() as session:
        email = session.exec(select(AlertEmail)).one()
    deliver.send_one(email.id)  # sent; now pretend the sender died before marking it
    with session_scope() as session:
        session.execute(
            update(AlertEmail).where(AlertEmail.id == email.id).values(status="sending", claimed_at=deliver.utcnow())
        )
        session.commit()
    assert deliver.send_pending().sent == 0  # a fresh claim may still be alive: left alone
    with time_machine.travel(deliver.utcnow() + deliver.STALE_AFTER + timedelta(seconds=5)):
        report = deliver.send_pending()
    assert (report.stale, report.sent) == (1, 1)
    messages = smtp_server.to(address)
    assert len(messages) == 2 and messages[0]["Message-ID"] == messages[1]["Message-ID"] == email.message_id
    _each_once(smtp_server, [address])


def test_a_claimed_email_is_not_sent_by_a_second_sender(app, smtp_server):
    _setup(1)
    deliver.prepare("immediately")
    with session_scope() as session:
        email_id = session.exec(select(AlertEmail.id)).one()
        assert deliver._claim(session, email_id, deliver.utcnow())
    assert deliver.send_one(email_id) == ""  # the other sender has it
    assert smtp_server.messages == []
    counts = defaultdict(int)
    with session_scope() as session:
        for status in session.exec(select(AlertEmail.status)):
            counts[status] += 1
    assert counts == {"sending": 1}


def test_an_ingest_during_composing_stamps_a_time_after_the_batch_end(app):
    from portal.models.tables import Procurement

    postgres = app.config["DATABASE_URL"].startswith("postgresql")
    done = threading.Event()

    def ingest():
        with app.app_context():
            store([fts_release(ocid="ocds-h6vhtk-0e9999", notice_id="099999-2026", title="Arrived meanwhile")])
        done.set()

    with session_scope() as composer:
        end = deliver._lock_composing(composer)
        thread = threading.Thread(target=ingest)
        thread.start()
        # PostgreSQL: collections go on while emails are composed; SQLite: one writer at a time, so it waits
        assert done.wait(timeout=30 if postgres else 1) is postgres
        composer.rollback()
    thread.join(timeout=60)
    assert done.is_set()
    with session_scope() as session:
        arrived = session.exec(select(Procurement).where(Procurement.ocid == "ocds-h6vhtk-0e9999")).one()
        assert arrived.changed_at > end  # so the next run's batch holds it: nothing falls between two runs
