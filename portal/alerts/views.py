"""The alert pages: subscribe to a search, follow a procurement, confirm (double opt-in), one-click unsubscribe.

Every link in an email only shows a page; its button acts (POST). The answer to a subscribe or follow request
is "check your email" whatever the address's state, so no page tells a visitor whether an address is known.
The manage pages are in portal.alerts.manage. See docs/design.md, "Email alerts: the pages".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from urllib.parse import parse_qsl

from flask import abort, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlmodel import select
from werkzeug.datastructures import MultiDict

from portal.alerts import lifecycle, manage, tokens  # manage: its routes join bp
from portal.alerts.blueprint import bp, limited, link_problem, mask
from portal.alerts.confirm_mail import after_response, send_confirmation
from portal.alerts.describe import buyer_ids, describe, saved_query
from portal.alerts.forms import ActionForm, FollowForm, SubscribeForm
from portal.db import get_session
from portal.i18n import current_language
from portal.models.alerts import Follow, SavedSearch, Subscriber, Subscription
from portal.models.tables import Procurement, utcnow
from portal.search.indexing import matching_procurement_ids
from portal.search.params import parse_search_args
from portal.web.frontend import csrf
from portal.web.search_page import buyer_names
from scrapers.vocabulary import FORWARD_STAGES

__all__ = ["bp", "manage"]
RECENT = timedelta(days=30)  # the page says how many notices the search matched in this time
NOISY_PER_DAY = 10  # more than this a day on average, and the page warns


def subscribe_url(params, forward: bool = False) -> str:
    """Return the subscribe page for a search's canonical query (the pipeline's: its filters, forward stages)."""
    if forward:
        pairs = [pair for pair in params.args if pair[0] != "stage"] + [("stage", s) for s in FORWARD_STAGES]
        params = parse_search_args(MultiDict(pairs))
    query = saved_query(params)
    return url_for("alerts.new") + (f"?{query}" if query else "")


bp.add_app_template_global(subscribe_url, "alert_subscribe_url")


def recent_count(query: str) -> int:
    """Return how many notices the saved query found that arrived or changed in the last 30 days (the index)."""
    params = parse_search_args(MultiDict(parse_qsl(query)))
    filters = replace(params.filters, changed_since=utcnow() - RECENT, changed_until=None)
    return len(matching_procurement_ids(params.text, filters))


def _check_email(email: str):
    return render_template("alerts/check_email.html", masked=mask(email))


@bp.route("/new", methods=["GET", "POST"])
@limited
def new():
    """Ask for emails about the search in the query string: the search in words, its volume, email and frequency."""
    session, query = get_session(), saved_query(parse_search_args(request.args))
    form = SubscribeForm()
    if form.validate_on_submit():
        asked = lifecycle.request_subscription(session, form.email.data, current_language(), query, form.frequency.data)
        if asked.send:
            after_response(send_confirmation, kind="subscription", row_id=asked.row.id, lang=current_language())
        return _check_email(form.email.data)
    count = recent_count(query)
    page = render_template(
        "alerts/new.html",
        form=form,
        rows=describe(query, buyer_names(buyer_ids(query))),
        search_url=url_for("search.search") + (f"?{query}" if query else ""),
        action=request.full_path.rstrip("?"),
        count=count,
        noisy=count > NOISY_PER_DAY * RECENT.days,
    )
    return page, 400 if form.errors else 200


def _procurement(ocid: str) -> Procurement:
    found = get_session().exec(select(Procurement).where(Procurement.ocid == ocid)).first()
    if found is None:
        abort(404)
    return found


@bp.route("/follow/<path:ocid>", methods=["GET", "POST"])
@limited
def follow(ocid: str):
    """Ask for emails when one procurement changes materially."""
    session, procurement = get_session(), _procurement(ocid)
    form = FollowForm()
    if form.validate_on_submit():
        asked = lifecycle.request_follow(session, form.email.data, current_language(), procurement, form.frequency.data)
        if asked.send:
            after_response(send_confirmation, kind="follow", row_id=asked.row.id, lang=current_language())
        return _check_email(form.email.data)
    return render_template("alerts/follow.html", form=form, p=procurement), 400 if form.errors else 200


def _target(reader, token: str):
    """Return (target, row) of a token, or (problem, None) when it cannot be used."""
    try:
        target = reader(token)
    except tokens.TokenExpired:
        return "expired", None
    except tokens.TokenInvalid:
        return "invalid", None
    row = get_session().get(lifecycle.MODELS[target.kind], target.id)
    return (target, row) if row is not None else ("invalid", None)


def _about(kind: str, row) -> dict:
    """What a subscription or follow is about, for its pages: the search in words, or the procurement."""
    session = get_session()
    if kind == "follow":
        return {"procurement": session.get(Procurement, row.procurement_id)}
    search = session.get(SavedSearch, row.saved_search_id)
    return {"rows": describe(search.query, buyer_names(buyer_ids(search.query))), "query": search.query}


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """GET: show what is being confirmed, with a button. POST: confirm it, once."""
    target, row = _target(tokens.read_confirm_token, token)
    if row is None:
        return link_problem(target)
    if row.confirm_nonce != target.nonce or row.status != "pending":
        return link_problem("used")
    session, form = get_session(), ActionForm()
    subscriber = session.get(Subscriber, row.subscriber_id)
    if form.validate_on_submit():
        try:
            row = lifecycle.confirm(session, target.kind, target.id, target.nonce, current_language())
        except lifecycle.LinkUsed:
            return link_problem("used")
        manage_url = url_for("alerts.manage", token=tokens.manage_token(subscriber.id, subscriber.token_version))
        return render_template(
            "alerts/confirmed.html", kind=target.kind, row=row, manage_url=manage_url, **_about(target.kind, row)
        )
    return render_template(
        "alerts/confirm.html", form=form, kind=target.kind, row=row, masked=mask(subscriber.email),
        **_about(target.kind, row),
    )  # fmt: skip


def _stopping(rows: list[tuple[str, object]]) -> dict:
    """What the unsubscribe pages say of the rows they stop: searches in words and followed procurements."""
    session = get_session()
    searches, procurements = [], []
    for kind, row in rows:
        about = _about(kind, row)
        if kind == "subscription":
            searches.append(about["rows"])
        elif about["procurement"] is not None:  # None only until a merge's alerts are moved (repair_merged)
            procurements.append(about["procurement"])
    subscriber = session.get(Subscriber, rows[0][1].subscriber_id)
    return {
        "searches": searches,
        "procurements": procurements,
        "masked": mask(subscriber.email),
        "stopped": all(row.status == "stopped" for _kind, row in rows),
    }


def _unsubscribe_page(rows: list[tuple[str, object]]):
    """GET: a page with a button. POST (that button, or a mail client's `List-Unsubscribe=One-Click`): stop
    the rows and answer 200, no redirect."""
    values = _stopping(rows)
    if request.method == "POST":
        lifecycle.stop_rows(get_session(), [row for _kind, row in rows])
        return render_template("alerts/unsubscribed.html", **values)
    return render_template("alerts/unsubscribe.html", **values)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail client's POST carries no cookie and no CSRF token; the token is the secret
def unsubscribe(token: str):
    """One subscription or follow (the "stop" link beside a search or a followed procurement in an email)."""
    target, row = _target(tokens.read_unsubscribe_token, token)
    if row is None:
        return link_problem(target)
    return _unsubscribe_page([(target.kind, row)])


@bp.route("/unsubscribe/email/<token>", methods=["GET", "POST"])
@csrf.exempt  # as above: this is an email's List-Unsubscribe address
def unsubscribe_email(token: str):
    """Every subscription and follow one email is about (its RFC 8058 List-Unsubscribe link): one digest
    covers an address's searches and follows of one frequency, so its one click ends all of them, and only
    them. Rows gone since (retention, a merge) are skipped."""
    try:
        covered = tokens.read_digest_token(token)
    except tokens.TokenInvalid:  # no expiry: only tampered, malformed or other-purpose tokens
        return link_problem("invalid")
    session = get_session()
    rows = [("subscription", session.get(Subscription, row_id)) for row_id in covered.subscriptions]
    rows += [("follow", session.get(Follow, row_id)) for row_id in covered.follows]
    rows = [(kind, row) for kind, row in rows if row is not None]
    if not rows:
        return link_problem("invalid")
    return _unsubscribe_page([(kind, row) for kind, row in rows if row.subscriber_id == rows[0][1].subscriber_id])


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError):
    """A POST without this browser's CSRF token (forged, or the page was open too long): nothing changes."""
    return render_template("alerts/form_expired.html"), 400
