"""`flask buyers`: approve a person for an organisation (re-enabling a disabled one), remove a member, list
organisations and members, read the audit log.

See README "Buyers" and docs/design.md, "Buyer accounts: sign-in, organisations, audit".
"""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from portal.accounts import audit, organisations
from portal.accounts.organisations import OrganisationError
from portal.accounts.signin import EmailNotValidError, domain_allowed, normalise_email
from portal.db import session_scope
from portal.models.tables import utcnow

buyers_cli = AppGroup(
    "buyers", help="Buyer accounts: approve people for organisations, remove them, list them, read the audit log."
)


@buyers_cli.command("approve")
@click.argument("email")
@click.argument("org_id")
@click.option("--name", help="the organisation's name (needed when it is new and no register buyer has its id)")
def approve_command(email, org_id, name):
    """Make EMAIL a member of the organisation ORG_ID (e.g. GB-PPON-ABCD-1234-EFGH), creating it when new.

    The address must be on BUYER_EMAIL_DOMAINS. A new organisation is linked to the register buyer with the
    same identifier when there is one, so its published work and notices share one buyer page."""
    try:
        address = normalise_email(email)
    except EmailNotValidError as error:
        raise click.BadParameter(f"{email!r} is not an email address: {error}", param_hint="EMAIL") from None
    if not domain_allowed(address, current_app.config["BUYER_EMAIL_DOMAINS"]):
        raise click.BadParameter(
            f"{address} is not on BUYER_EMAIL_DOMAINS ({', '.join(current_app.config['BUYER_EMAIL_DOMAINS'])})",
            param_hint="EMAIL",
        )
    with session_scope() as session:
        try:
            done = organisations.approve(session, address, org_id, name, utcnow())
        except OrganisationError as error:
            raise click.BadParameter(str(error), param_hint="ORG_ID") from None
        organisation = done["organisation"]
        detail = {key: value for key, value in done.items() if key not in ("organisation", "person")}
        audit.record(session, "approve", audit.CLI_ACTOR, organisation.id, address, detail)
        session.commit()
        made = "created" if done["organisation_created"] else "existing"
        linked = f", linked to buyer {organisation.buyer_id}" if organisation.buyer_id else ", no register buyer yet"
        member = "is now a member of" if done["membership_created"] else "was already a member of"
        enabled = "; re-enabled: they may sign in again" if done["re_enabled"] else ""
        click.echo(f"{address} {member} {organisation.identifier} {organisation.name!r} ({made}{linked}){enabled}")


@buyers_cli.command("remove")
@click.argument("email")
@click.argument("org_id")
def remove_command(email, org_id):
    """End EMAIL's membership of the organisation ORG_ID. Every session of that person ends (they may sign in
    again for any other organisation they belong to); their published work stays the organisation's."""
    try:
        address = normalise_email(email)
    except EmailNotValidError as error:
        raise click.BadParameter(f"{email!r} is not an email address: {error}", param_hint="EMAIL") from None
    with session_scope() as session:
        try:
            person, organisation, left = organisations.remove_member(session, address, org_id)
        except OrganisationError as error:
            raise click.BadParameter(str(error), param_hint="ORG_ID") from None
        detail = {"organisation": organisation.identifier, "memberships_left": left}
        audit.record(session, "remove", audit.CLI_ACTOR, organisation.id, person.email, detail)
        session.commit()
    others = f"; still a member of {left} other organisation(s)" if left else "; no longer a member of any"
    click.echo(f"{address} is no longer a member of {organisation.identifier} {organisation.name!r}{others}")


@buyers_cli.command("list")
def list_command():
    """List the organisations, each with its members."""
    with session_scope() as session:
        rows = organisations.all_organisations(session)
    if not rows:
        click.echo("no organisations yet: flask buyers approve EMAIL ORG_ID --name NAME")
    for organisation, members in rows:
        linked = f"buyer {organisation.buyer_id}" if organisation.buyer_id else "no register buyer"
        click.echo(f"{organisation.identifier}  {organisation.name}  ({linked}, id {organisation.id})")
        for person in members:
            last = person.last_sign_in_at.strftime("%Y-%m-%d %H:%M") if person.last_sign_in_at else "never"
            disabled = " (disabled)" if person.disabled_at else ""
            click.echo(f"    {person.email}{disabled}  last signed in {last}")


@buyers_cli.command("audit")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000), help="how many events")
@click.option("--json", "as_json", is_flag=True, help="one JSON object a line, newest first")
def audit_command(limit, as_json):
    """Show the latest audit events, newest first: sign-ins and refusals, sign-outs, approvals, invitations,
    changes to published work."""
    with session_scope() as session:
        events = audit.recent(session, limit)
    for event in events:
        if as_json:
            row = {
                "at": event.at.isoformat(),
                "action": event.action,
                "actor": event.actor,
                "organisation_id": event.organisation_id,
                "subject": event.subject,
                "detail": event.detail,
            }
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            where = f" org {event.organisation_id}" if event.organisation_id else ""
            detail = f" {json.dumps(event.detail, ensure_ascii=False)}" if event.detail else ""
            who, what = event.actor or "-", event.subject or "-"
            click.echo(f"{event.at:%Y-%m-%d %H:%M:%S} {event.action} by {who}{where}: {what}{detail}")


def init_app(app) -> None:
    """Register `flask buyers`."""
    app.cli.add_command(buyers_cli)
