"""Concurrent writers of planned work, in real threads on SQLite and PostgreSQL: two requests that reach the writers'
lock together each get a clear answer and nothing is lost or stored twice. See docs/design.md, "Publishing planned
work: concurrent changes".

Each test starts its requests in threads held at a barrier just before the lock (`at_once`), so both have read
everything they read before deciding; without the lock both decided from the same state (a 500 from the unique
reference, or two releases numbered alike)."""

from __future__ import annotations

import threading

from sqlmodel import select

from portal.db import session_scope
from portal.models.publishing import PlannedWork, PlannedWorkEdit
from portal.models.tables import Procurement, Release
from portal.publishing import upload_views, views
from tests.portal.publishing.helpers import entry_by_reference, good_form, member
from tests.portal.publishing.test_csv import GOOD, HEADER, upload

COLLEAGUE = "cydweithiwr@llyw.cymru"


def at_once(monkeypatch, module, calls):
    """Run each call in its own thread; every thread waits at the module's first lock_for_writing until all are
    there, then they race for the real lock. Returns each call's result (or the exception it raised)."""
    barrier = threading.Barrier(len(calls), timeout=60)
    real, waited = module.lock_for_writing, threading.local()

    def lock(session):
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()
        real(session)

    monkeypatch.setattr(module, "lock_for_writing", lock)
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            results[index] = call()
        except BaseException as error:  # noqa: BLE001 (reported by the assertions below)
            results[index] = error

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads)
    monkeypatch.setattr(module, "lock_for_writing", real)
    return results


def _releases(app, ocid: str) -> list[str]:
    with app.app_context(), session_scope() as session:
        return sorted(session.exec(select(Release.release_id).where(Release.ocid == ocid)))


def _edits(app, entry_id: int) -> list[PlannedWorkEdit]:
    with app.app_context(), session_scope() as session:
        query = select(PlannedWorkEdit).where(PlannedWorkEdit.entry_id == entry_id).order_by(PlannedWorkEdit.id)
        return list(session.exec(query))


def _banner(client) -> str:
    page = client.get("/en/publish/")
    return page.text


def test_the_same_upload_confirmed_twice_at_once_publishes_once(app, monkeypatch):
    first, _org = member(app)
    second, _org = member(app)  # the same person in a second tab: the upload is theirs too
    response = upload(first, "\r\n".join([HEADER, *GOOD]) + "\r\n")
    preview = response.headers["Location"]
    answers = at_once(monkeypatch, upload_views, [lambda: first.post(preview), lambda: second.post(preview)])
    assert [answer.status_code for answer in answers] == [302, 302], answers
    assert all(answer.headers["Location"].endswith("/en/publish/") for answer in answers)
    banners = [_banner(first), _banner(second)]
    assert sorted("Your pipeline is published." in text for text in banners) == [False, True]
    assert sorted("This upload is already published." in text for text in banners) == [False, True]
    for reference in ("PW-1", "PW-2"):
        entry = entry_by_reference(app, reference)
        assert entry.status == "published" and entry.revision == 1
        assert [edit.action for edit in _edits(app, entry.id)] == ["upload", "publish"]
        assert _releases(app, entry.ocid) == [f"{entry.ocid}-001"]
    # a third try later is told the same, and changes nothing
    again = first.post(preview)
    assert again.status_code == 302 and "This upload is already published." in _banner(first)
    assert entry_by_reference(app, "PW-1").revision == 1


def test_two_uploads_making_the_same_new_reference_at_once_both_land_one_updating_the_other(app, monkeypatch):
    mine, _org = member(app)
    theirs, _org = member(app, email=COLLEAGUE)
    one = GOOD[0].replace("School cleaning,", "School cleaning (north),")
    other = GOOD[0].replace("School cleaning,", "School cleaning (south),")
    previews = [
        upload(client, f"{HEADER}\r\n{row}\r\n").headers["Location"] for client, row in ((mine, one), (theirs, other))
    ]
    answers = at_once(monkeypatch, upload_views, [lambda: mine.post(previews[0]), lambda: theirs.post(previews[1])])
    assert [answer.status_code for answer in answers] == [302, 302], answers
    assert all("Your pipeline is published." in _banner(client) for client in (mine, theirs))
    with app.app_context(), session_scope() as session:
        entries = session.exec(select(PlannedWork).where(PlannedWork.reference == "PW-1")).all()
    assert len(entries) == 1  # one entry: the later confirmation updated the one the first made
    entry = entries[0]
    edits = _edits(app, entry.id)
    assert [edit.action for edit in edits] == ["upload", "publish", "upload"]
    first_title, last_title = edits[0].changes["title_en"][1], edits[2].changes["title_en"]
    assert {first_title, last_title[1]} == {"School cleaning (north)", "School cleaning (south)"}
    assert last_title[0] == first_title and entry.title_en == last_title[1]  # nothing lost: both are in its history
    assert {edits[0].actor, edits[2].actor} == {"prynu@llyw.cymru", COLLEAGUE}
    assert _releases(app, entry.ocid) == [f"{entry.ocid}-001", f"{entry.ocid}-002"]
    with app.app_context(), session_scope() as session:
        notice = session.exec(select(Procurement).where(Procurement.ocid == entry.ocid)).one()
        assert notice.title == entry.title_en


def test_two_forms_making_the_same_new_reference_at_once_one_saves_the_other_is_told_with_its_typing_kept(
    app, monkeypatch
):
    mine, organisation_id = member(app)
    theirs, _org = member(app, email=COLLEAGUE)
    url = f"/en/publish/{organisation_id}/new"
    forms = [good_form(title_en="Parks north"), good_form(title_en="Parks south")]
    answers = at_once(
        monkeypatch, views, [lambda: mine.post(url, data=forms[0]), lambda: theirs.post(url, data=forms[1])]
    )
    assert sorted(answer.status_code for answer in answers) == [302, 400], answers
    refused = next(answer for answer in answers if answer.status_code == 400)
    assert "Another entry already has this reference" in refused.text
    assert "govuk-error-summary" in refused.text
    lost_title = next(
        form["title_en"] for form, answer in zip(forms, answers, strict=True) if answer.status_code == 400
    )
    assert f'value="{lost_title}"' in refused.text  # the form comes back as typed
    with app.app_context(), session_scope() as session:
        entries = session.exec(select(PlannedWork)).all()
    assert len(entries) == 1 and entries[0].title_en != lost_title
    assert [edit.action for edit in _edits(app, entries[0].id)] == ["create"]


def test_double_clicks_publish_once_withdraw_once_and_simultaneous_edits_number_their_releases_apart(app, monkeypatch):
    mine, organisation_id = member(app)
    theirs, _org = member(app, email=COLLEAGUE)
    assert mine.post(f"/en/publish/{organisation_id}/new", data=good_form()).status_code == 302
    entry = entry_by_reference(app, "PW-001")
    base = f"/en/publish/entries/{entry.id}"

    published = at_once(
        monkeypatch, views, [lambda: mine.post(f"{base}/publish"), lambda: theirs.post(f"{base}/publish")]
    )
    assert [answer.status_code for answer in published] == [302, 302], published
    assert sorted("This work is already published." in _entry_page(c, base) for c in (mine, theirs)) == [False, True]
    assert _releases(app, entry.ocid) == [f"{entry.ocid}-001"]

    edits = [good_form(value_high="400000"), good_form(description_en="Mowing and planting in twelve parks.")]
    edited = at_once(
        monkeypatch,
        views,
        [lambda: mine.post(f"{base}/edit", data=edits[0]), lambda: theirs.post(f"{base}/edit", data=edits[1])],
    )
    assert [answer.status_code for answer in edited] == [302, 302], edited
    assert _releases(app, entry.ocid) == [f"{entry.ocid}-00{n}" for n in (1, 2, 3)]  # each edit its own release

    reasons = ["The budget was cut.", "Merged into a regional framework."]
    withdrawn = at_once(
        monkeypatch,
        views,
        [
            lambda: mine.post(f"{base}/withdraw", data={"reason": reasons[0]}),
            lambda: theirs.post(f"{base}/withdraw", data={"reason": reasons[1]}),
        ],
    )
    assert [answer.status_code for answer in withdrawn] == [302, 302], withdrawn
    assert sorted("This work is already withdrawn." in _entry_page(c, base) for c in (mine, theirs)) == [False, True]
    actions = [edit.action for edit in _edits(app, entry.id)]
    assert actions == ["create", "publish", "edit", "edit", "withdraw"]
    assert entry_by_reference(app, "PW-001").withdrawn_reason in reasons
    assert len(_releases(app, entry.ocid)) == 4


def _entry_page(client, base: str) -> str:
    return client.get(base).text
