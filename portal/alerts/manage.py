"""Manage alerts without an account: the page an address's own emails link to, and the form asking for it.

The manage link's token names the subscriber and its token_version; "stop all" bumps the version, so every
older manage link stops working. The form asking for the link answers the same whether or not the address is
known, and emails the link only when it is. See docs/design.md, "Email alerts: the pages".
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlmodel import select

from portal.alerts import lifecycle, tokens
from portal.alerts.blueprint import bp, limited, link_problem, mask
from portal.alerts.confirm_mail import after_response, send_manage_link
from portal.alerts.describe import buyer_ids, describe, procurement_title
from portal.alerts.forms import ActionForm, FrequencyForm, ManageLinkForm
from portal.db import get_session
from portal.i18n import current_language
from portal.models.alerts import Subscriber
from portal.web.search_page import buyer_names


def _subscriber(token: str):
    """Return the subscriber a manage token names, or the problem with the link."""
    try:
        subscriber_id, version = tokens.read_manage_token(token)
    except tokens.TokenExpired:
        return "old"
    except tokens.TokenInvalid:
        return "invalid"
    subscriber = get_session().get(Subscriber, subscriber_id)
    if subscriber is None:
        return "old"  # deleted by retention
    return subscriber if subscriber.token_version == version else "old"


def _items(subscriber: Subscriber) -> dict:
    rows = lifecycle.rows_of(get_session(), subscriber)
    ids = [buyer for _row, search in rows["subscriptions"] for buyer in buyer_ids(search.query)]
    names = buyer_names(ids)
    searches = [
        {
            "row": row,
            "rows": describe(search.query, names),
            "url": url_for("search.search") + (f"?{search.query}" if search.query else ""),
            "form": FrequencyForm(formdata=None, frequency=row.frequency, prefix=f"subscription-{row.id}"),
        }
        for row, search in rows["subscriptions"]
    ]
    follows = [
        {
            "row": row,
            "p": p,
            "title": procurement_title(p, current_language()),
            "form": FrequencyForm(formdata=None, frequency=row.frequency, prefix=f"follow-{row.id}"),
        }
        for row, p in rows["follows"]
    ]
    return {"searches": searches, "follows": follows}


@bp.route("/manage/<token>")
def manage(token: str):
    """List the address's subscriptions and follows, each to change or stop, and "stop all"."""
    subscriber = _subscriber(token)
    if isinstance(subscriber, str):
        return link_problem(subscriber)
    return render_template(
        "alerts/manage.html", token=token, email=subscriber.email, action=ActionForm(), **_items(subscriber)
    )


@bp.route("/manage/<token>/<any(subscription, follow):kind>/<int:row_id>/frequency", methods=["POST"])
def change_frequency(token: str, kind: str, row_id: int):
    """Change how often one subscription or follow is sent."""
    subscriber = _subscriber(token)
    if isinstance(subscriber, str):
        return link_problem(subscriber)
    session = get_session()
    row = lifecycle.owned(session, subscriber, kind, row_id)
    form = FrequencyForm(prefix=f"{kind}-{row_id}")
    if row is None or row.status == "stopped":
        return link_problem("invalid")
    if not form.validate_on_submit():
        flash(_("Choose how often you want emails"), "error")
    else:
        lifecycle.set_frequency(session, row, form.frequency.data)
        flash(_("How often you get these emails has been changed."), "success")
    return redirect(url_for("alerts.manage", token=token), 303)


@bp.route("/manage/<token>/<any(subscription, follow):kind>/<int:row_id>/stop", methods=["POST"])
def stop(token: str, kind: str, row_id: int):
    """Stop one subscription or follow."""
    subscriber = _subscriber(token)
    if isinstance(subscriber, str):
        return link_problem(subscriber)
    session = get_session()
    row = lifecycle.owned(session, subscriber, kind, row_id)
    if row is None or not ActionForm().validate_on_submit():
        return link_problem("invalid")
    lifecycle.stop(session, row)
    flash(_("Those emails have stopped."), "success")
    return redirect(url_for("alerts.manage", token=token), 303)


@bp.route("/manage/<token>/stop-all", methods=["POST"])
def stop_all(token: str):
    """Stop every email to the address; this manage link and every older one stop working."""
    subscriber = _subscriber(token)
    if isinstance(subscriber, str):
        return link_problem(subscriber)
    if not ActionForm().validate_on_submit():
        return link_problem("invalid")
    lifecycle.stop_all(get_session(), subscriber)
    return render_template("alerts/stopped_all.html", masked=mask(subscriber.email))


@bp.route("/manage", methods=["GET", "POST"])
@limited
def manage_request():
    """Ask for the manage link by address: the same answer whether or not the address is known."""
    form = ManageLinkForm()
    if form.validate_on_submit():
        session = get_session()
        subscriber = session.exec(select(Subscriber).where(Subscriber.email == form.email.data)).first()
        if subscriber is not None:
            after_response(send_manage_link, subscriber_id=subscriber.id, lang=current_language())
        return render_template("alerts/manage_sent.html", masked=mask(form.email.data))
    return render_template("alerts/manage_request.html", form=form), 400 if form.errors else 200
