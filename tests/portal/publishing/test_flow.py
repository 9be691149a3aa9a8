"""The whole flow in both languages: create → edit → publish → in search, the API, OCDS and the buyer page →
withdraw → out of the open pipeline, readable with its history."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.db import session_scope
from portal.models.accounts import AuditEvent, Organisation
from portal.models.publishing import PlannedWorkEdit
from portal.models.tables import Procurement, Release
from tests.portal.publishing.helpers import entry_by_reference, good_form, member
from tests.portal.test_ocds_packages import assert_valid


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_create_edit_publish_find_withdraw(app, lang):
    client, organisation_id = member(app)
    page = client.get(f"/{lang}/publish/{organisation_id}/new")
    assert page.status_code == 200
    if lang == "cy":
        assert "Diwrnod" in page.text and "Blwyddyn" in page.text  # the GOV.UK date boxes, labelled in Welsh
    assert 'type="date"' not in page.text

    created = client.post(f"/{lang}/publish/{organisation_id}/new", data=good_form())
    assert created.status_code == 302
    entry = entry_by_reference(app, "PW-001")
    assert entry.status == "draft" and entry.to_market == "2027-03" and entry.contract_end == "2030-05"
    assert entry.value_low == 200000 and entry.value_high == 350000 and entry.regions == ["UKL14"]
    # a draft is nowhere public
    assert client.get(f"/{lang}/notice/{entry.ocid}").status_code == 404

    edited = client.post(f"/{lang}/publish/entries/{entry.id}/edit", data=good_form(value_high="400000"))
    assert edited.status_code == 302
    assert client.post(f"/{lang}/publish/entries/{entry.id}/publish").status_code == 302
    changed = client.post(
        f"/{lang}/publish/entries/{entry.id}/edit",
        data=good_form(title_en="Grounds care for parks", value_high="400000"),
    )
    assert changed.status_code == 302

    with app.app_context(), session_scope() as session:
        procurement = session.exec(select(Procurement).where(Procurement.ocid == entry.ocid)).one()
        assert procurement.stage == "pipeline" and procurement.sources == ["portal"]
        assert procurement.title == "Grounds care for parks"
        assert procurement.title_cy == "Cynnal a chadw tiroedd parciau'r sir"
        assert (procurement.value_min, procurement.value_max) == (200000, 400000)
        assert procurement.expected_tender_date.date().isoformat() == "2027-03-01"
        releases = session.exec(select(Release).where(Release.procurement_id == procurement.id)).all()
        assert len(releases) == 2 and all(r.raw_cy for r in releases)
        actions = [e.action for e in session.exec(select(PlannedWorkEdit).order_by(PlannedWorkEdit.id))]
        assert actions == ["create", "edit", "publish", "edit"]
        audited = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
        assert audited == ["entry.create", "entry.edit", "entry.publish", "entry.edit"]
        buyer_id = procurement.buyer_id
        assert session.get(Organisation, organisation_id).buyer_id == buyer_id  # linked at the first publication

    # in search (Welsh words too), the API, the OCDS package and the buyer page, at once
    assert entry.ocid in client.get(f"/{lang}/search?q=parks").text
    assert entry.ocid in client.get(f"/{lang}/search?q=tiroedd").text
    assert entry.ocid in client.get("/api/v1/notices?q=parks").text
    assert client.get(f"/api/v1/notices/{entry.ocid}").status_code == 200
    package = client.get(f"/api/v1/ocds/records/{entry.ocid}").get_json()
    assert_valid(package, "record-package-schema.json")
    releases = client.get("/api/v1/ocds/releases?q=parks").get_json()
    assert_valid(releases, "release-package-schema.json")
    assert [r["tag"] for r in releases["releases"]] == [["planning"], ["planningUpdate"]]
    tender = releases["releases"][0]["tender"]  # English in the release whatever the page's language
    assert (
        tender["procurementMethodDetails"] == "Open procedure"
        and tender["items"][0]["classification"]["id"] == "77310000"
    )
    managed = client.get(f"/{lang}/publish/entries/{entry.id}").text
    assert ("Title in English" if lang == "en" else "Teitl yn Saesneg") in managed  # the change list names fields
    for export in ("search.csv", "search.atom", "search.ics"):
        assert entry.ocid in client.get(f"/{lang}/{export}?q=parks").text, export
    shown = "Grounds care for parks" if lang == "en" else "Cynnal a chadw tiroedd"  # the page's language first
    assert shown in client.get(f"/{lang}/pipeline").text
    buyer_page = client.get(f"/{lang}/buyer/{buyer_id}")
    assert buyer_page.status_code == 200 and entry.ocid in buyer_page.text and 'id="published-here"' in buyer_page.text
    notice = client.get(f"/{lang}/notice/{entry.ocid}")
    assert notice.status_code == 200 and "Grounds care for parks" in notice.text and "Cynnal a chadw" in notice.text
    assert 'id="published-here"' in notice.text

    form = client.get(f"/{lang}/publish/entries/{entry.id}/withdraw")
    assert form.status_code == 200
    refused = client.post(f"/{lang}/publish/entries/{entry.id}/withdraw", data={"reason": ""})
    assert refused.status_code == 400 and "govuk-error-summary" in refused.text
    withdrawn = client.post(f"/{lang}/publish/entries/{entry.id}/withdraw", data={"reason": "Budget cut"})
    assert withdrawn.status_code == 302
    with app.app_context(), session_scope() as session:
        procurement = session.exec(select(Procurement).where(Procurement.ocid == entry.ocid)).one()
        assert procurement.stage == "cancelled"
    assert entry.ocid not in client.get(f"/{lang}/search?q=parks&stage=pipeline").text
    assert shown not in client.get(f"/{lang}/pipeline").text
    notice = client.get(f"/{lang}/notice/{entry.ocid}")
    assert notice.status_code == 200 and notice.text.count('id="history"') == 1
    assert 'id="withdrawn-reason"' in notice.text and "Budget cut" in notice.text
    dashboard = client.get(f"/{lang}/publish/")
    assert dashboard.status_code == 200 and "PW-001" in dashboard.text


def test_form_errors_in_the_page_language(app):
    client, organisation_id = member(app)
    bad = good_form(title_en="", title_cy="", cpv_codes=["1234"], **{"to_market-month": "13"})
    page = client.post(f"/cy/publish/{organisation_id}/new", data=bad)
    assert page.status_code == 400
    assert "govuk-error-summary" in page.text and 'href="#to_market-month"' in page.text
    assert 'href="#title_en"' in page.text and 'href="#cpv_q"' in page.text
    assert "Rhowch deitl yn Saesneg neu yn Gymraeg" in page.text and "Rhowch fis go iawn" in page.text
    assert entry_by_reference(app, "PW-001") is None  # nothing saved


def test_cpv_search_without_javascript_keeps_what_was_typed(app):
    client, organisation_id = member(app)
    page = client.post(
        f"/en/publish/{organisation_id}/new", data=good_form(cpv_codes=[], cpv_q="Software", action="cpv-search")
    )
    assert page.status_code == 200 and 'value="48000000"' in page.text
    assert "Grounds maintenance for county parks" in page.text
    assert entry_by_reference(app, "PW-001") is None


def test_the_form_and_the_entry_say_which_language_is_missing(app):
    client, organisation_id = member(app)
    page = client.post(
        f"/en/publish/{organisation_id}/new", data=good_form(title_cy="", cpv_q="x", action="cpv-search")
    )
    assert 'id="missing-language"' in page.text and "no Welsh title" in page.text
    client.post(f"/cy/publish/{organisation_id}/new", data=good_form(title_en="", description_en=""))
    entry = entry_by_reference(app, "PW-001")
    assert "Nid oes teitl na disgrifiad Saesneg" in client.get(f"/cy/publish/entries/{entry.id}").text
