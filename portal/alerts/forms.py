"""The alert pages' forms (Flask-WTF, CSRF on each; govuk-frontend-wtf widgets). An address is checked here
(email-validator, no DNS lookups) and normalised once, so every page and limit reads the same address.
See docs/design.md, "Email alerts: the pages"."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextInput
from wtforms import RadioField, StringField
from wtforms.validators import InputRequired, ValidationError

from portal.models.alerts import FREQUENCIES

MAX_EMAIL = 254  # RFC 5321's longest path, less its angle brackets
FREQUENCY_LABELS = {
    "immediately": lazy_gettext("As soon as they are published"),
    "daily": lazy_gettext("Once a day (at 7:30am)"),
    "weekly": lazy_gettext("Once a week (Monday at 7:30am)"),
}


def normalise_email(raw: str) -> str:
    """Return an address as stored (its domain's normal form, all lower-case), or raise ValueError with a
    message for the visitor. CR or LF anywhere (header injection) is refused, never stripped."""
    raw = (raw or "").strip()
    if not raw:
        raise ValueError(lazy_gettext("Enter your email address"))
    if any(char in raw for char in "\r\n") or len(raw) > MAX_EMAIL:
        raise ValueError(lazy_gettext("Enter an email address in the correct format, like name@example.com"))
    try:
        checked = validate_email(raw, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        raise ValueError(lazy_gettext("Enter an email address in the correct format, like name@example.com")) from error
    return checked.normalized.lower()


def _valid_email(form, field) -> None:
    try:
        field.data = normalise_email(field.data)
    except ValueError as error:
        raise ValidationError(str(error.args[0])) from error


class _EmailField(StringField):
    """Keep the raw text (so CR/LF is seen and refused) but never more than a little over the limit."""

    def process_formdata(self, valuelist):
        self.data = valuelist[0][: MAX_EMAIL + 1] if valuelist else ""


def _email_field():
    return _EmailField(
        lazy_gettext("Email address"),
        widget=GovTextInput(),
        validators=[_valid_email],
        render_kw={"autocomplete": "email", "spellcheck": "false", "type": "email"},
    )


def _frequency_field(default: str):
    return RadioField(
        lazy_gettext("How often do you want emails?"),
        widget=GovRadioInput(),
        choices=[(name, FREQUENCY_LABELS[name]) for name in FREQUENCIES],
        default=default,
        validators=[InputRequired(message=lazy_gettext("Choose how often you want emails"))],
    )


class SubscribeForm(FlaskForm):
    """Emails about a search (the search is the page's query string)."""

    email = _email_field()
    frequency = _frequency_field("daily")


class FollowForm(FlaskForm):
    """Emails about changes to one procurement."""

    email = _email_field()
    frequency = _frequency_field("immediately")


class ManageLinkForm(FlaskForm):
    """Ask for the manage link by address."""

    email = _email_field()


class FrequencyForm(FlaskForm):
    """Change how often one subscription or follow is sent (on the manage page)."""

    frequency = RadioField(
        widget=GovRadioInput(),
        choices=[(name, FREQUENCY_LABELS[name]) for name in FREQUENCIES],
        validators=[InputRequired()],
    )


class ActionForm(FlaskForm):
    """A button that acts (confirm, stop, stop all, unsubscribe): only its CSRF token."""
