"""Planned work its buyer withdrew reads "Withdrawn" (Welsh "Wedi'i dynnu'n ôl") to suppliers, with the reason, on the
notice page, in search result rows and on the buyer page; a register's cancelled procurement still reads "Cancelled".
A label derived from source "portal" and stage "cancelled" (portal/labels/formatting.py), not a stage of its own.
See docs/design.md, "Publishing planned work"."""

from __future__ import annotations

import html
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from sqlmodel import select

from portal.collect.ingest import ingest_page
from portal.db import session_scope
from portal.labels.formatting import procurement_stage_label, stage_label
from portal.models.tables import Procurement
from portal.search.indexing import sync_index
from tests.factories import fts_release
from tests.portal.publishing.helpers import entry_by_reference, good_form, member

BUYER = "GB-PPON-ABCD-1234-EFGH"  # the register buyer of the factory's releases: one buyer page for both
REGISTER = "ocds-h6vhtk-0c0001"
WORDS = {
    "en": {"withdrawn": "Withdrawn", "cancelled": "Cancelled", "when": "Date withdrawn", "other": "Date cancelled"},
    "cy": {
        "withdrawn": "Wedi'i dynnu'n ôl",
        "cancelled": "Wedi'i ganslo",
        "when": "Dyddiad tynnu'n ôl",
        "other": "Dyddiad canslo",
    },
}


def _card(page: str, ocid: str) -> str:
    """The result card linking to this ocid, as text."""
    (card,) = [part for part in page.split('class="piblinell-card"')[1:] if f"/notice/{ocid}" in part]
    return html.unescape(card)


def _withdrawn_entry_and_a_cancelled_register_notice(app) -> tuple[str, int]:
    client, organisation_id = member(app, org=BUYER, name="Cyngor Sir Enghraifft")
    with app.app_context(), session_scope() as session:
        tender = fts_release(ocid=REGISTER, notice_id="070001-2026", title="Road gritting")
        ended = fts_release(
            ocid=REGISTER, notice_id="070002-2026", notice_type="UK12", date="2026-08-12T10:00:00+01:00"
        )
        ingest_page(session, "fts", [tender, ended])
        session.commit()
    assert client.post(f"/en/publish/{organisation_id}/new", data=good_form()).status_code == 302
    entry = entry_by_reference(app, "PW-001")
    assert client.post(f"/en/publish/entries/{entry.id}/publish").status_code == 302
    done = client.post(f"/en/publish/entries/{entry.id}/withdraw", data={"reason": "The budget was cut."})
    assert done.status_code == 302
    with app.app_context():
        sync_index()
        with session_scope() as session:
            stages = dict(session.exec(select(Procurement.ocid, Procurement.stage)).all())
            buyer_id = session.exec(select(Procurement.buyer_id).where(Procurement.ocid == entry.ocid)).one()
    assert stages == {entry.ocid: "cancelled", REGISTER: "cancelled"}  # the same stage: only the label differs
    return entry.ocid, buyer_id


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_withdrawn_planned_work_says_withdrawn_with_its_reason_and_a_register_cancellation_says_cancelled(app, lang):
    ocid, buyer_id = _withdrawn_entry_and_a_cancelled_register_notice(app)
    client, words = app.test_client(), WORDS[lang]

    notice = html.unescape(client.get(f"/{lang}/notice/{ocid}").text)
    stage_row = notice.split('id="summary"')[1].split("</div>")[0]
    assert words["withdrawn"] in stage_row and words["cancelled"] not in stage_row
    assert "The budget was cut." in notice.split('id="withdrawn-reason"')[1].split("</div>")[0]
    history = notice.split('id="history"')[1]
    assert f"({words['withdrawn']})" in history and f"({words['cancelled']})" not in history
    register = html.unescape(client.get(f"/{lang}/notice/{REGISTER}").text)
    assert words["cancelled"] in register.split('id="summary"')[1].split("</div>")[0]
    assert 'id="withdrawn-reason"' not in register

    results = client.get(f"/{lang}/search?stage=cancelled").text
    ours, theirs = _card(results, ocid), _card(results, REGISTER)
    assert words["withdrawn"] in ours and words["when"] in ours and words["cancelled"] not in ours
    assert words["cancelled"] in theirs and words["other"] in theirs and words["withdrawn"] not in theirs

    buyer = client.get(f"/{lang}/buyer/{buyer_id}").text
    ours, theirs = _card(buyer, ocid), _card(buyer, REGISTER)
    assert words["withdrawn"] in ours and words["cancelled"] not in ours
    assert words["cancelled"] in theirs and words["withdrawn"] not in theirs


def test_the_label_is_derived_from_source_and_stage(app):
    with app.test_request_context(), force_locale("cy"):
        assert stage_label("cancelled", "portal") == "Wedi'i dynnu'n ôl"
        assert stage_label("cancelled", "fts") == stage_label("cancelled") == "Wedi'i ganslo"
        assert stage_label("pipeline", "portal") == "Piblinell"
        withdrawn = SimpleNamespace(stage="cancelled", sources=["portal"])
        assert procurement_stage_label(withdrawn) == "Wedi'i dynnu'n ôl"
        assert procurement_stage_label(SimpleNamespace(stage="cancelled", sources=["fts", "s2w"])) == "Wedi'i ganslo"
        assert procurement_stage_label(SimpleNamespace(stage="pipeline", sources=["portal"])) == "Piblinell"


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_export_says_withdrawn_for_withdrawn_planned_work_and_cancelled_for_a_register_cancellation(app, lang):
    """The spreadsheet's stage column and the Atom entries' summaries use the same label as the pages."""
    ocid, _buyer_id = _withdrawn_entry_and_a_cancelled_register_notice(app)
    client, words = app.test_client(), WORDS[lang]

    rows = client.get(f"/{lang}/search.csv?stage=cancelled").get_data(as_text=True).splitlines()
    ours, theirs = [row for row in rows if ocid in row], [row for row in rows if REGISTER in row]
    assert len(ours) == len(theirs) == 1
    assert words["withdrawn"] in ours[0] and words["cancelled"] not in ours[0]
    assert words["cancelled"] in theirs[0] and words["withdrawn"] not in theirs[0]

    feed = html.unescape(client.get(f"/{lang}/search.atom?stage=cancelled").get_data(as_text=True))
    entries = feed.split("<entry>")[1:]
    (ours,) = [entry for entry in entries if ocid in entry]
    (theirs,) = [entry for entry in entries if REGISTER in entry]
    assert words["withdrawn"] in ours and words["cancelled"] not in ours
    assert words["cancelled"] in theirs and words["withdrawn"] not in theirs
