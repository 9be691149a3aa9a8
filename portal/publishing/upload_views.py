"""A whole pipeline by CSV: the template, the upload and its preview, the confirmation, and the export.

See docs/design.md, "Publishing planned work". An upload is checked in full and kept on the server
(PlannedWorkUpload) under a random token; nothing changes until its buyer confirms the preview with one POST, which
saves every row or none (a re-upload updates entries by reference) and publishes them. A re-posted payload is never
trusted: the confirmation carries only the token. The confirmation takes the writers' lock before it reads the upload
or the entries, so two confirmations at once (the same token twice, or two uploads with the same new reference) run
one after the other: the same token publishes once, and a reference the first made is updated by the second
(docs/design.md, "Publishing planned work: concurrent changes").
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlmodel import col, delete, select

from portal.accounts.session import organisations
from portal.db import get_session, lock_for_writing
from portal.models.publishing import PlannedWork, PlannedWorkUpload
from portal.models.tables import utcnow
from portal.publishing import publish as publishing
from portal.publishing.csv_upload import COLUMNS, MAX_BYTES, ROW_FIELDS, read_upload, write_csv
from portal.publishing.fields import EntryData
from portal.publishing.views import bp, own_organisation

UPLOAD_LIFETIME = timedelta(hours=2)  # an unconfirmed upload is dropped after this


def _csv(text: str, filename: str) -> Response:
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.route("/template.csv")
def template():
    """The empty template: exactly the columns an upload reads (documented on the upload page)."""
    return _csv(write_csv([]), "piblinell-pipeline-template.csv")


@bp.route("/<int:organisation_id>/pipeline.csv")
@login_required
def export(organisation_id: int):
    """An organisation's entries in the template's columns, ready to change and upload again."""
    organisation = own_organisation(organisation_id)
    entries = publishing.entries_of(get_session(), organisation.id)
    return _csv(write_csv([e for e in entries if e.status != "withdrawn"]), "piblinell-pipeline.csv")


@bp.route("/upload", methods=["GET", "POST"])
@login_required
def upload():
    """Upload a CSV: every error by row and column, or a preview to confirm."""
    mine = organisations()
    if not mine:
        abort(404)
    errors, status = [], 200
    if request.method == "POST":
        chosen = request.form.get("organisation", str(mine[0].id))
        organisation = own_organisation(int(chosen)) if chosen.isdigit() else abort(404)
        file = request.files.get("file")
        if file is None or not file.filename:
            errors = [(0, "", gettext("Choose a CSV file to upload"))]
        else:
            rows, problems = read_upload(file.read(MAX_BYTES + 1))  # read_upload refuses a larger file
            errors = [(problem.row, problem.column, problem.message) for problem in problems]
            if not errors:
                token = _keep(organisation.id, file.filename, rows)
                return redirect(url_for("publishing.preview", token=token))
        status = 400
    return render_template("publishing/upload.html", mine=mine, errors=errors, columns=COLUMNS), status


def _keep(organisation_id: int, filename: str, rows: list[EntryData]) -> str:
    session = get_session()
    session.exec(delete(PlannedWorkUpload).where(col(PlannedWorkUpload.created_at) < utcnow() - UPLOAD_LIFETIME))
    token = secrets.token_urlsafe(32)
    session.add(
        PlannedWorkUpload(
            token=token,
            organisation_id=organisation_id,
            person_id=current_user.person_id,
            filename=filename[:300],
            rows=[row.model_dump() for row in rows],
            created_at=utcnow(),
        )
    )
    session.commit()
    return token


def _upload(token: str) -> PlannedWorkUpload:
    """Return the signed-in person's own pending upload, or 404."""
    query = select(PlannedWorkUpload).where(PlannedWorkUpload.token == token)
    found = get_session().exec(query.execution_options(populate_existing=True)).first()
    if found is None or found.person_id != current_user.person_id or found.created_at < utcnow() - UPLOAD_LIFETIME:
        abort(404)
    own_organisation(found.organisation_id)
    return found


def _plan(upload: PlannedWorkUpload) -> list[tuple[EntryData, PlannedWork | None]]:
    """Return each row with the entry of the same reference it updates (None: a new entry)."""
    rows = [EntryData.model_validate(row) for row in upload.rows]
    existing = get_session().exec(
        select(PlannedWork).where(
            PlannedWork.organisation_id == upload.organisation_id,
            col(PlannedWork.reference).in_([row.reference for row in rows]),
        )
    )
    by_reference = {entry.reference: entry for entry in existing}
    return [(row, by_reference.get(row.reference)) for row in rows]


@bp.route("/upload/<token>", methods=["GET", "POST"])
@login_required
def preview(token: str):
    """Show what an upload will do; its one POST saves and publishes every row, or none."""
    session = get_session()
    if request.method == "POST":
        lock_for_writing(session)  # before reading anything the confirmation decides on
    pending = _upload(token)
    if pending.confirmed_at is not None:  # confirmed already (a double click, a retry): published once
        flash(gettext("This upload is already published."), "success")
        return redirect(url_for("publishing.dashboard"))
    organisation = own_organisation(pending.organisation_id)
    plan = _plan(pending)
    withdrawn = [row.reference for row, entry in plan if entry is not None and entry.status == "withdrawn"]
    if request.method == "POST" and not withdrawn:
        for row, entry in plan:
            saved = publishing.save(session, organisation, entry, row, current_user.email, "upload", ROW_FIELDS)
            if saved.status == "draft":
                publishing.publish(session, organisation, saved, current_user.email)
        pending.rows, pending.confirmed_at = [], utcnow()
        session.add(pending)
        session.commit()  # every row or none: one transaction
        publishing.after_commit()
        flash(gettext("Your pipeline is published."), "success")
        return redirect(url_for("publishing.dashboard"))
    return render_template(
        "publishing/preview.html", upload=pending, plan=plan, organisation=organisation, withdrawn=withdrawn
    ), (409 if request.method == "POST" else 200)
