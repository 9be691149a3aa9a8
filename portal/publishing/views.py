"""Blueprint: a buyer's dashboard of planned work, the entry form, publishing and withdrawing.

See docs/design.md, "Publishing planned work". Every route needs a signed-in member, and an entry or organisation
that is not one of theirs is a 404 whatever the method, so nobody learns whether it exists.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, gettext, lazy_gettext
from flask_login import current_user, login_required
from sqlmodel import select

from portal.accounts.session import organisation_ids, organisations
from portal.db import get_session, lock_for_writing
from portal.i18n import LANG_PREFIX
from portal.models.accounts import Organisation
from portal.models.publishing import PlannedWork, PlannedWorkEdit
from portal.publishing import publish as publishing
from portal.publishing.cpv import labels_for, search_codes
from portal.publishing.fields import REGIONS, ROUTES, check_entry, missing_language

bp = Blueprint("publishing", __name__, url_prefix=LANG_PREFIX + "/publish")
DATE_PARTS = {
    "to_market": ("month", "year"),
    "contract_start": ("day", "month", "year"),
    "contract_end": ("day", "month", "year"),
}
MAX_REASON = 2_000
# What an entry's change list calls each field.
FIELD_LABELS = {
    "reference": lazy_gettext("Your reference"),
    "title_en": lazy_gettext("Title in English"),
    "title_cy": lazy_gettext("Title in Welsh"),
    "description_en": lazy_gettext("Description in English"),
    "description_cy": lazy_gettext("Description in Welsh"),
    "cpv_codes": lazy_gettext("CPV codes"),
    "value_low": lazy_gettext("Estimated value, lowest (£, excluding VAT)"),
    "value_high": lazy_gettext("Estimated value, highest (£, excluding VAT)"),
    "to_market": lazy_gettext("Going to market"),
    "contract_start": lazy_gettext("Expected contract start"),
    "contract_end": lazy_gettext("Expected contract end"),
    "regions": lazy_gettext("Where"),
    "route": lazy_gettext("Procurement route"),
    "lots": lazy_gettext("Lots"),
    "sme_suitable": lazy_gettext("Suitable for SMEs"),
    "vcse_suitable": lazy_gettext("Suitable for VCSEs"),
    "contact_name": lazy_gettext("Contact name"),
    "contact_email": lazy_gettext("Contact email address"),
}


def month_label(value: str | None) -> str:
    """Return YYYY-MM as "March 2027" ("Mawrth 2027"), YYYY-MM-DD as "1 March 2027"."""
    if not value:
        return ""
    parts = [int(part) for part in value.split("-")]
    if len(parts) == 2:
        return format_date(date(parts[0], parts[1], 1), "MMMM yyyy")
    return format_date(date(*parts), "d MMMM yyyy")


def own_organisation(organisation_id: int) -> Organisation:
    """Return one of the signed-in person's organisations, or 404."""
    if organisation_id not in organisation_ids():
        abort(404)
    return get_session().get(Organisation, organisation_id)


def own_entry(entry_id: int, for_change: bool = False) -> tuple[PlannedWork, Organisation]:
    """Return an entry of one of the signed-in person's organisations and that organisation, or 404. `for_change`
    takes the writers' lock first, so the entry is read as the last writer committed it and nobody changes it
    until this request commits (docs/design.md, "Publishing planned work: concurrent changes")."""
    if for_change:
        lock_for_writing(get_session())
    entry = get_session().get(PlannedWork, entry_id, populate_existing=True)
    if entry is None or entry.organisation_id not in organisation_ids():
        abort(404)
    return entry, get_session().get(Organisation, entry.organisation_id)


def form_values(form) -> dict:
    """Return the entry's raw values from the form: dates from their day, month and year boxes."""
    values = {name: form.get(name, "") for name in ("reference", "title_en", "title_cy", "description_en")}
    values |= {name: form.get(name, "") for name in ("description_cy", "value_low", "value_high", "route")}
    values |= {name: form.get(name, "") for name in ("sme_suitable", "vcse_suitable", "contact_name", "contact_email")}
    values |= {"cpv_codes": form.getlist("cpv_codes"), "regions": form.getlist("regions"), "lots": form.get("lots", "")}
    for name, parts in DATE_PARTS.items():
        given = {part: form.get(f"{name}-{part}", "").strip() for part in parts}
        if not any(given.values()):
            values[name] = ""
            continue
        month = given["month"].zfill(2) if given["month"].isdigit() else given["month"] or "x"
        values[name] = f"{given['year']}-{month}"  # a blank or wrong box makes it unreadable: an error, not a guess
        if given.get("day"):
            values[name] += "-" + (given["day"].zfill(2) if given["day"].isdigit() else given["day"])
    return values


def entry_values(entry: PlannedWork) -> dict:
    """Return a stored entry as the form shows it."""
    values = {name: getattr(entry, name) for name in publishing.FIELDS}
    for name in ("value_low", "value_high"):
        if values[name] is not None:
            values[name] = f"{values[name]:.2f}".removesuffix(".00")
    values["lots"] = "\n".join(entry.lots or [])
    return values


def _date_boxes(values: dict) -> dict:
    boxes = {}
    for name, parts in DATE_PARTS.items():
        pieces = (values.get(name) or "").split("-")
        pieces.reverse()  # [day,] month, year
        pieces = ([""] * (len(parts) - len(pieces))) + pieces if len(pieces) < len(parts) else pieces
        boxes[name] = dict(zip(parts, pieces, strict=False)) if values.get(name) else {}
    return boxes


def _render_form(organisation, entry, values, errors, status=200):
    chosen = list(dict.fromkeys(values.get("cpv_codes") or []))
    query = request.form.get("cpv_q", "").strip()
    results = search_codes(get_session(), query) if query else []
    labels = labels_for(get_session(), chosen)
    return (
        render_template(
            "publishing/entry_form.html",
            organisation=organisation,
            entry=entry,
            values=values,
            boxes=_date_boxes(values),
            errors=errors,
            chosen=[(code, labels.get(code, "")) for code in chosen],
            results=[(code, label) for code, label in results if code not in chosen],
            cpv_q=query,
            searched=bool(query),
            regions=[(code, str(name)) for code, name in REGIONS.items()],
            routes=[(code, str(name)) for code, name in ROUTES.items()],
        ),
        status,
    )


@bp.route("/")
@login_required
def dashboard():
    """The signed-in person's organisations, each with its entries, their status and last change."""
    session = get_session()
    mine = [(org, publishing.entries_of(session, org.id)) for org in organisations()]
    if not mine:
        abort(404)
    return render_template("publishing/dashboard.html", mine=mine, month_label=month_label)


@bp.route("/<int:organisation_id>/new", methods=["GET", "POST"])
@login_required
def new_entry(organisation_id: int):
    """A new entry: saved as a draft, published from its page."""
    organisation = own_organisation(organisation_id)
    return _save_or_show(organisation, None)


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def edit_entry(entry_id: int):
    """Change an entry; a published one is published again at once (a planningUpdate release)."""
    entry, organisation = own_entry(entry_id)
    if entry.status == "withdrawn":
        abort(404)
    return _save_or_show(organisation, entry)


def _save_or_show(organisation, entry):
    if request.method == "GET":
        return _render_form(organisation, entry, entry_values(entry) if entry else {}, {})
    values = form_values(request.form)
    if request.form.get("action") == "cpv-search":
        return _render_form(organisation, entry, values, {})  # saves nothing: the form comes back with the codes
    data, errors = check_entry(values)
    session = get_session()
    if data is not None:
        # Decide under the writers' lock, from what is committed: another request may have saved this entry or
        # taken this reference since the form was shown (docs/design.md, "Publishing planned work: concurrent
        # changes"). The loser of a race for a new reference gets the form back, everything typed kept.
        lock_for_writing(session)
        if entry is not None:
            session.refresh(entry)
            if entry.status == "withdrawn":
                abort(404)
        clash = session.exec(
            select(PlannedWork.id).where(
                PlannedWork.organisation_id == organisation.id, PlannedWork.reference == data.reference
            )
        ).first()
        if clash is not None and (entry is None or clash != entry.id):
            errors = {"reference": gettext("Another entry already has this reference")}
    if errors:
        return _render_form(organisation, entry, values, errors, 400)
    saved = publishing.save(session, organisation, entry, data, current_user.email)
    session.commit()
    if saved.status == "published":
        publishing.after_commit()
        flash(gettext("Your changes are published."), "success")
    else:
        flash(gettext("Saved as a draft. Suppliers cannot see it until you publish it."), "success")
    return redirect(url_for("publishing.entry", entry_id=saved.id))


@bp.route("/entries/<int:entry_id>")
@login_required
def entry(entry_id: int):
    """An entry as its buyer manages it: its fields, what is missing, its changes, publish or withdraw."""
    found, organisation = own_entry(entry_id)
    session = get_session()
    edits = session.exec(
        select(PlannedWorkEdit).where(PlannedWorkEdit.entry_id == found.id).order_by(PlannedWorkEdit.id.desc())
    ).all()
    return render_template(
        "publishing/entry.html",
        entry=found,
        organisation=organisation,
        edits=edits,
        missing=missing_language(found),
        labels=labels_for(session, list(found.cpv_codes or [])),
        routes=ROUTES,
        month_label=month_label,
        field_labels=FIELD_LABELS,
    )


@bp.route("/entries/<int:entry_id>/publish", methods=["POST"])
@login_required
def publish_entry(entry_id: int):
    """Publish a draft: it becomes a notice suppliers can find at once."""
    found, organisation = own_entry(entry_id, for_change=True)
    if found.status == "published":  # a second click, or a colleague was quicker: published once all the same
        flash(gettext("This work is already published."), "success")
        return redirect(url_for("publishing.entry", entry_id=found.id))
    if found.status != "draft":
        abort(409)
    session = get_session()
    publishing.publish(session, organisation, found, current_user.email)
    session.commit()
    publishing.after_commit()
    flash(gettext("Published. Suppliers can now find this work."), "success")
    return redirect(url_for("publishing.entry", entry_id=found.id))


@bp.route("/entries/<int:entry_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw_entry(entry_id: int):
    """Withdraw a published entry with a reason: it leaves the pipeline and stays readable with its history."""
    found, organisation = own_entry(entry_id)
    if found.status == "withdrawn" and request.method == "POST":
        return _already_withdrawn(found)
    if found.status != "published":
        abort(404)
    error = None
    reason = request.form.get("reason", "").strip()
    if request.method == "POST":
        if not reason:
            error = gettext("Say why this work is withdrawn")
        elif len(reason) > MAX_REASON:
            error = gettext("The reason must be %(num)d characters or fewer", num=MAX_REASON)
        else:
            session = get_session()
            found, organisation = own_entry(entry_id, for_change=True)
            if found.status == "withdrawn":
                return _already_withdrawn(found)
            publishing.withdraw(session, organisation, found, current_user.email, reason)
            session.commit()
            publishing.after_commit()
            flash(gettext("Withdrawn. Suppliers see that this work will not go ahead."), "success")
            return redirect(url_for("publishing.entry", entry_id=found.id))
    status = 400 if error else 200
    return render_template("publishing/withdraw.html", entry=found, reason=reason, error=error), status


def _already_withdrawn(found: PlannedWork):
    """A second withdrawal (a double click, a colleague's): withdrawn once, with the first reason."""
    flash(gettext("This work is already withdrawn."), "success")
    return redirect(url_for("publishing.entry", entry_id=found.id))
