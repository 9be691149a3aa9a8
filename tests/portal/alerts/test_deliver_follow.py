"""Following one procurement: one email per material change, naming it with old and new; none otherwise."""

from __future__ import annotations

from sqlmodel import select

from portal.alerts import deliver
from portal.db import session_scope
from portal.models.alerts import AlertItem, Follow
from tests.factories import fts_release
from tests.portal.alerts.sending import follow, in_app, store  # noqa: F401 (in_app: a fixture)

OCID = "ocds-h6vhtk-0f0001"


def _notice(notice_id: str, **values) -> dict:
    return fts_release(ocid=OCID, notice_id=notice_id, title="Grounds maintenance", **values)


def _body(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_a_moved_deadline_gives_one_email_naming_old_and_new(app, smtp_server):
    store([_notice("080001-2026", deadline="2027-09-01T12:00:00+01:00")])
    follow("f@example.org", OCID)
    store([_notice("080002-2026", deadline="2027-09-15T12:00:00+01:00", date="2026-08-12T10:00:00+01:00")])
    composed, sent = deliver.run("immediately")
    assert (composed.emails, sent.sent) == (1, 1)
    [message] = smtp_server.to("f@example.org")
    assert message["Subject"] == "1 change to work you follow on Piblinell"
    text = _body(message)
    assert "Changes to what you follow" in text and "Grounds maintenance" in text
    assert "Deadline moved from 1 September 2027, 12:00 to 15 September 2027, 12:00" in text
    assert "/en/alerts/unsubscribe/" in message["List-Unsubscribe"]
    assert deliver.run("immediately")[0].emails == 0  # told once
    with session_scope() as session:
        [item] = session.exec(select(AlertItem)).all()
        assert item.follow_id and item.section == "changes" and item.matched[0][0] == "deadline"
        baseline = session.exec(select(Follow)).one().baseline
        assert baseline["deadline"] == "2027-09-15T11:00:00+00:00"


def test_a_cancellation_gives_one_email_saying_so(app, smtp_server):
    store([_notice("080001-2026")])
    follow("f@example.org", OCID, lang="cy")
    store([_notice("080003-2026", notice_type="UK12", date="2026-08-20T10:00:00+01:00")])
    deliver.run("immediately")
    [message] = smtp_server.to("f@example.org")
    assert message["Content-Language"] == "cy"
    assert message["Subject"] == "1 newid i waith rydych yn ei ddilyn ar Piblinell"
    assert "Wedi'i ganslo neu ei dynnu'n ôl (cam blaenorol: Ar agor)" in _body(message)


def test_a_republication_with_nothing_material_gives_none(app, smtp_server):
    store([_notice("080001-2026")])
    follow("f@example.org", OCID)
    again = _notice("080004-2026", date="2026-08-11T10:00:00+01:00")
    again["tender"]["description"] = "The same work, its description reworded."
    store([again])
    composed, _sent = deliver.run("immediately")
    assert composed.emails == 0 and smtp_server.messages == []
    with session_scope() as session:  # the follow has seen it: a later change compares with this
        assert session.exec(select(Follow)).one().delivered_until is not None


def test_a_follow_and_a_search_finding_one_procurement_list_it_once(app, smtp_server):
    from tests.portal.alerts.sending import subscribe

    store([_notice("080001-2026", deadline="2027-09-01T12:00:00+01:00")])
    follow("f@example.org", OCID)
    subscribe("f@example.org", {"q": "grounds"})
    store([_notice("080002-2026", deadline="2027-09-15T12:00:00+01:00", date="2026-08-12T10:00:00+01:00")])
    deliver.run("immediately")
    [message] = smtp_server.to("f@example.org")
    text = _body(message)
    assert text.count("/en/notice/") == 1
    assert "Deadline moved from" in text and "Your search “grounds” matched: grounds" in text


def test_a_change_without_a_new_release_is_folded_into_the_baseline(app, smtp_server):
    from sqlalchemy import update

    from portal.models.tables import Procurement, utcnow

    store([_notice("080001-2026", deadline="2027-09-01T12:00:00+01:00")])
    follow("f@example.org", OCID)
    store([_notice("080002-2026", deadline="2027-09-15T12:00:00+01:00", date="2026-08-12T10:00:00+01:00")])
    deliver.run("immediately")
    with session_scope() as session:  # the same latest release, its procurement recompiled with another value
        session.execute(
            update(Procurement).where(Procurement.ocid == OCID).values(value_amount=1.0, changed_at=utcnow())
        )
        session.commit()
    assert deliver.run("immediately")[0].emails == 0  # no second item for one release: nothing fails either
    with session_scope() as session:
        assert session.exec(select(Follow)).one().baseline["value"] == [1.0, "GBP"]
    assert len(smtp_server.to("f@example.org")) == 1
