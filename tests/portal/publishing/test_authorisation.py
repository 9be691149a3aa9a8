"""Members edit only their organisation's entries: every publishing route and method, given another organisation's
entry (draft or published), organisation or upload, answers 404 and changes nothing."""

from __future__ import annotations

import io

from sqlmodel import select

from portal.db import session_scope
from portal.models.publishing import PlannedWork, PlannedWorkEdit, PlannedWorkUpload
from tests.portal.publishing.helpers import ORG_A, ORG_B, entry_by_reference, good_form, member

GOOD_CSV = (
    "reference,title_en,title_cy,description_en,description_cy,cpv_codes,value_low,value_high,to_market,"
    "contract_start,contract_end,regions,route,sme_suitable,vcse_suitable,contact_email\r\n"
    "B-9,Road gritting,Graeanu ffyrdd,,,34927100,,,2027-10,,,UKL,open,yes,no,\r\n"
)


def _b_state(app) -> dict:
    """B's work as a walk must leave it: entries, their edits, and the pending upload."""
    with app.app_context(), session_scope() as session:
        return {
            "entries": [e.model_dump() for e in session.exec(select(PlannedWork).order_by(PlannedWork.id))],
            "edits": len(session.exec(select(PlannedWorkEdit)).all()),
            "uploads": [u.token for u in session.exec(select(PlannedWorkUpload))],
        }


def test_a_member_gets_404_for_every_route_and_method_of_another_organisation(app):
    b_client, b_org = member(app, "prynu@cyngor-b.gov.uk", ORG_B, "Cyngor B")
    b_client.post(f"/en/publish/{b_org}/new", data=good_form(reference="B-DRAFT"))
    b_client.post(f"/en/publish/{b_org}/new", data=good_form(reference="B-LIVE"))
    live = entry_by_reference(app, "B-LIVE")
    b_client.post(f"/en/publish/entries/{live.id}/publish")
    b_client.post("/en/publish/upload", data={"file": (io.BytesIO(GOOD_CSV.encode()), "b.csv")})
    draft = entry_by_reference(app, "B-DRAFT")
    before = _b_state(app)
    token = before["uploads"][0]

    a_client, _a_org = member(app, "prynu@cyngor-a.gov.uk", ORG_A, "Cyngor A")
    values = {"entry_id": [draft.id, live.id], "organisation_id": [b_org], "token": [token]}
    walked: dict[str, int] = {}
    for rule in app.url_map.iter_rules():
        names = set(rule.arguments) - {"lang_code"}
        # every rule under /publish/ that names an entry or an organisation (accounts' too), and the upload preview
        if "/publish/" not in rule.rule or not names or not names <= set(values):
            continue
        if "token" in names and not rule.endpoint.startswith("publishing."):
            continue  # a sign-in link's token belongs to no organisation
        (name,) = names
        for value in values[name]:
            for lang in ("en", "cy"):
                url = app.url_map.bind("localhost").build(rule.endpoint, {"lang_code": lang, name: value})
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    body = good_form(reference="HIJACK") | {
                        "reason": "x",
                        "organisation": str(b_org),
                        "email": "x@llyw.cymru",
                    }
                    response = a_client.open(url, method=method, data=body)
                    assert response.status_code == 404, (method, url, response.status_code)
                    walked[rule.endpoint] = walked.get(rule.endpoint, 0) + 1
    ours = {"publishing.entry", "publishing.edit_entry", "publishing.publish_entry", "publishing.withdraw_entry"}
    ours |= {"publishing.new_entry", "publishing.export", "publishing.preview"}
    assert ours <= set(walked)
    # an upload naming B's organisation is refused too
    upload = a_client.post(
        "/en/publish/upload", data={"organisation": str(b_org), "file": (io.BytesIO(GOOD_CSV.encode()), "a.csv")}
    )
    assert upload.status_code == 404
    assert _b_state(app) == before
    # A's dashboard and export list nothing of B's
    assert "B-DRAFT" not in a_client.get("/en/publish/").text


def test_signed_out_visitors_are_sent_to_sign_in_and_see_nothing(app, client):
    _b_client, b_org = member(app, "prynu@cyngor-b.gov.uk", ORG_B, "Cyngor B")
    for method in ("GET", "POST"):
        response = client.open(f"/en/publish/{b_org}/new", method=method, data=good_form())
        assert response.status_code == 302 and "/en/publish/sign-in" in response.headers["Location"]
    assert entry_by_reference(app, "PW-001") is None


def test_a_post_without_the_csrf_token_changes_nothing(app):
    client, organisation_id = member(app)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/en/publish/{organisation_id}/new", data=good_form())
    assert response.status_code == 400
    assert entry_by_reference(app, "PW-001") is None
