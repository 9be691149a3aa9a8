"""The accounts' forms (Flask-WTF: CSRF on every POST): an email address to sign in or to invite, and the
bare buttons that confirm a sign-in link and sign out."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField
from wtforms.validators import InputRequired, Length, ValidationError

from portal.accounts.signin import EmailNotValidError, normalise_email


def _valid_email(form, field) -> None:
    try:
        field.data = normalise_email(field.data or "")
    except EmailNotValidError:
        raise ValidationError(
            lazy_gettext("Enter an email address in the correct format, like name@example.gov.wales")
        ) from None


def _email_field(label, hint):
    return StringField(
        label,
        widget=GovTextInput(),
        description=hint,
        validators=[
            InputRequired(message=lazy_gettext("Enter your work email address")),
            Length(max=320, message=lazy_gettext("Email address must be 320 characters or fewer")),
            _valid_email,
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false", "type": "email", "maxlength": 320},
    )


class SignInForm(FlaskForm):
    """The address a sign-in link is sent to."""

    email = _email_field(
        lazy_gettext("Work email address"),
        lazy_gettext("Use the address your organisation gave you, for example name@example.gov.wales"),
    )


class InviteForm(FlaskForm):
    """A colleague's address, on one of the public-sector domains."""

    email = _email_field(
        lazy_gettext("Your colleague’s work email address"),
        lazy_gettext("They will be sent a link to sign in. It must be a public-sector address."),
    )


class ButtonForm(FlaskForm):
    """Only the CSRF token: a button that acts (confirm a sign-in link, sign out)."""
