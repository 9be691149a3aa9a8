"""Blueprint "accounts": sign in by emailed link, sign out, a member's organisations and inviting a colleague.

Pages under /<lang>/publish/ beside the publishing pages. The sign-in form answers the same whatever the address
(known, allowed or neither); the link's GET only shows a button, its POST signs in. See docs/design.md,
"Buyer accounts: sign-in, organisations, audit".
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user

from portal.accounts import audit, emails, organisations, signin
from portal.accounts import session as signed
from portal.accounts.forms import ButtonForm, InviteForm, SignInForm
from portal.accounts.session import SignedIn, mark_seen, member_required
from portal.accounts.signin import LinkState
from portal.db import get_session
from portal.i18n import LANG_PREFIX, current_language
from portal.models.accounts import Organisation, Person
from portal.models.tables import utcnow
from portal.security import limiter

bp = Blueprint("accounts", __name__, url_prefix=LANG_PREFIX + "/publish")
AFTER_SIGN_IN = ("publishing.dashboard", "accounts.account")  # the first the app has (publishing may be absent)
NEXT = "sign_in_next"  # session key: where to go once signed in, kept across the emailed link in one browser

# Rate limits on the forms that send email: per client address (Flask-Limiter's default key) and per address.
PER_CLIENT = "20/hour"
PER_ADDRESS = "5/hour"


@bp.context_processor
def _link_lifetime() -> dict:
    return {"minutes": int(signin.LINK_LIFETIME.total_seconds() // 60)}


def _form_email() -> str:
    return (request.form.get("email") or "").strip().lower()[:320] or "-"


def _safe_next(target: str | None) -> str | None:
    """A path of ours to go to after signing in, or None (never another host: no //, no scheme, no backslash)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target or len(target) > 1000:
        return None
    return target


def _landing() -> str:
    target = session.pop(NEXT, None)
    if _safe_next(target):
        return target
    endpoint = next(e for e in AFTER_SIGN_IN if e in current_app.view_functions)
    return url_for(endpoint, lang_code=current_language())


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(PER_CLIENT, methods=["POST"])
@limiter.limit(PER_ADDRESS, key_func=_form_email, methods=["POST"], scope="accounts-sign-in-address")
def sign_in():
    """Ask for a work email address; send a link when the address may sign in, and answer the same in any case."""
    form = SignInForm()
    if not form.validate_on_submit():
        if request.method == "GET" and _safe_next(request.args.get("next")):
            session[NEXT] = request.args["next"]
        return render_template("accounts/sign_in.html", form=form), 200 if request.method == "GET" else 400
    db = get_session()
    email, now = form.email.data, utcnow()
    allowed = signin.domain_allowed(email, current_app.config["BUYER_EMAIL_DOMAINS"])
    person = signin.may_sign_in(db, email) if allowed else None
    if person is None:
        reason = "member" if allowed else "domain"
        audit.record(db, "sign-in.refused", email, subject=email, detail={"reason": f"not a {reason}", "step": "ask"})
        db.commit()
    else:
        signin.forget_old(db, now)
        token = signin.issue(db, email, now)
        audit.record(db, "sign-in.link", email, subject=email)
        db.commit()
        emails.send_sign_in_link(email, token, current_language())
    return render_template("accounts/check_email.html", email=email)


_REFUSALS = {
    LinkState.EXPIRED: 410,
    LinkState.USED: 410,
    LinkState.UNKNOWN: 404,
}


def _refused(state: LinkState):
    return render_template("accounts/link_refused.html", state=state.value), _REFUSALS[state]


@bp.route("/sign-in/<token>", methods=["GET"])
def confirm(token: str):
    """Show a button that signs in with this link; a GET changes nothing (mail scanners open every link)."""
    state = signin.inspect(get_session(), token, utcnow())
    if state is not LinkState.GOOD:
        return _refused(state)
    return render_template("accounts/confirm.html", form=ButtonForm(), token=token)


@bp.route("/sign-in/<token>", methods=["POST"])
@limiter.limit(PER_CLIENT)
def confirm_post(token: str):
    """Use the link up and sign in: a new session (the old one cleared), the person's organisations to hand."""
    if not ButtonForm().validate_on_submit():
        return render_template("accounts/confirm.html", form=ButtonForm(), token=token), 400
    db, now = get_session(), utcnow()
    state, email = signin.redeem(db, token, now)
    person = signin.may_sign_in(db, email) if state is LinkState.GOOD else None
    if person is None:
        reason = state.value if state is not LinkState.GOOD else "no longer a member"
        audit.record(db, "sign-in.refused", email, subject=email, detail={"reason": reason, "step": "link"})
        db.commit()
        return _refused(state if state is not LinkState.GOOD else LinkState.UNKNOWN)
    person.last_sign_in_at = now
    audit.record(db, "sign-in", email, subject=email)
    db.commit()
    landing = _landing()
    session.clear()  # a new session: nothing of the one before sign-in is carried over
    login_user(SignedIn.of(person), remember=False)
    mark_seen()
    return redirect(landing)


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    """Sign out: end this session and, by a new session version, every copy of its cookie anywhere."""
    if current_user.is_authenticated and ButtonForm().validate_on_submit():
        db = get_session()
        person = db.get(Person, current_user.person_id)
        if person is not None:
            person.session_version += 1
            audit.record(db, "sign-out", person.email, subject=person.email)
            db.commit()
    logout_user()
    session.clear()
    flash(gettext("You have signed out."), "success")
    return redirect(url_for("accounts.sign_in", lang_code=current_language()))


@bp.route("/account")
@member_required
def account():
    """The signed-in person's organisations, their members, and the way to invite a colleague."""
    db = get_session()
    mine = [(org, organisations.members(db, org.id)) for org in signed.organisations()]
    return render_template("accounts/account.html", organisations=mine, sign_out_form=ButtonForm())


@bp.route("/organisation/<int:organisation_id>/invite", methods=["GET", "POST"])
@limiter.limit(PER_CLIENT, methods=["POST"])
@limiter.limit(PER_ADDRESS, key_func=_form_email, methods=["POST"], scope="accounts-invite-address")
@member_required
def invite(organisation_id: int):
    """Invite a colleague on a public-sector domain: they become a member and are emailed a sign-in link."""
    db = get_session()
    organisation = db.get(Organisation, organisation_id)
    form = InviteForm()
    if form.validate_on_submit():
        problem = _add_colleague(db, organisation, form.email.data)
        if problem is None:
            return redirect(url_for("accounts.account", lang_code=current_language()))
        form.email.errors.append(problem)
    status = 400 if form.errors else 200
    return render_template("accounts/invite.html", form=form, organisation=organisation), status


def _add_colleague(db, organisation: Organisation, email: str) -> str | None:
    """Make the address a member, audit it and email the invitation; or return why not (for the form)."""
    if not signin.domain_allowed(email, current_app.config["BUYER_EMAIL_DOMAINS"]):
        return gettext("Enter a public-sector email address, such as one ending gov.wales")
    now = utcnow()
    person, _new = organisations.person_by_email(db, email, now)
    _membership, added = organisations.add_member(db, person, organisation, now, by=current_user.person_id)
    if not added:
        db.rollback()
        return gettext("%(email)s is already a member", email=email)
    token = signin.issue(db, email, now)
    audit.record(db, "invite", current_user.email, organisation.id, email, {"organisation": organisation.identifier})
    db.commit()
    if emails.send_invitation(email, token, current_language(), current_user.email, organisation.name):
        flash(gettext("%(email)s is now a member and has been sent a link to sign in.", email=email), "success")
    else:
        flash(
            gettext("%(email)s is a member now, but the email could not be sent: they can ask for a link.", email=email)
        )
    return None


def init_app(app) -> None:
    """Register the blueprint."""
    app.register_blueprint(bp)
