"""A procurement that was followed or told, merged into another by linking (the same notice on two registers):
the merge succeeds and moves the alerts itself (portal.collect.ingest._merge calls
portal.alerts.merge.move_alerts), the follow follows the merged procurement, and nothing is told twice; a
follow asked for while its procurement was being merged away is moved by the next run (repair_merged)."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import select

from portal.alerts import deliver
from portal.alerts.merge import repair_merged
from portal.db import session_scope
from portal.models.alerts import AlertItem, Follow
from portal.models.tables import Procurement, ProcurementTombstone
from tests.factories import fts_release, s2w_release
from tests.portal.alerts.sending import follow, in_app, store, subscribe  # noqa: F401 (in_app: a fixture)

FTS_OCID, S2W_OCID = "ocds-h6vhtk-0m0001", "ocds-kuma6s-148001"


def _two_then_linked(smtp_server) -> None:
    subscribe("a@example.org", {"q": "cleaning"})
    store([fts_release(ocid=FTS_OCID, notice_id="050001-2026", title="Cleaning services")])
    store([s2w_release(number=148001, title="Cleaning services")], source="s2w")
    deliver.run("immediately")  # told both (not yet known to be one)
    follow("a@example.org", S2W_OCID)
    follow("a@example.org", FTS_OCID)
    follow("b@example.org", S2W_OCID)
    # a later edition of the Sell2Wales notice cites the Find a Tender one: the two become one procurement
    later = s2w_release(number=148001, title="Cleaning services", related=["050001-2026"], date="2025-02-22T00:00:00Z")
    later["id"] = "ocds-kuma6s-148001-release-148002"
    store([later], source="s2w")


def test_a_merge_keeps_follows_and_told_items_on_the_merged_procurement(app, smtp_server):
    _two_then_linked(smtp_server)
    with session_scope() as session:
        [merged] = session.exec(select(Procurement)).all()
        follows = session.exec(select(Follow).order_by(Follow.subscriber_id)).all()
        assert [(f.subscriber_id, f.procurement_id, f.status) for f in follows] == [
            (1, merged.id, "live"),  # a@ followed both: one follow now
            (2, merged.id, "live"),
        ]
        assert {item.procurement_id for item in session.exec(select(AlertItem))} == {merged.id}
    told = len(smtp_server.to("a@example.org"))
    deliver.run("immediately")
    assert len(smtp_server.to("a@example.org")) - told <= 1  # at most the follow's email about what changed
    for message in smtp_server.to("a@example.org")[told:]:
        assert "Changes to what you follow" in message.get_body(("plain",)).get_content()


def test_a_follow_left_on_a_merged_away_procurement_is_moved_by_the_next_run(app, smtp_server):
    _two_then_linked(smtp_server)
    with session_scope() as session:
        [merged] = session.exec(select(Procurement)).all()
        gone = session.exec(select(ProcurementTombstone.procurement_id)).first()
        # a follow asked for while the merge ran: it read the procurement before the merge deleted it
        session.execute(update(Follow).where(Follow.subscriber_id == 2).values(procurement_id=gone))
        session.commit()
    deliver.run("immediately")
    with session_scope() as session:
        follows = session.exec(select(Follow).order_by(Follow.subscriber_id)).all()
        assert [(f.subscriber_id, f.procurement_id) for f in follows] == [(1, merged.id), (2, merged.id)]
        assert repair_merged(session) == 0  # nothing more to move
