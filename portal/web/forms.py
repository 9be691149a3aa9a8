"""The portal's forms (WTForms through govuk-frontend-wtf widgets); buttons are govukButton macros, so no
`submit=` lands in the query string. GET forms carry no CSRF token: they change nothing."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSelect, GovTextInput
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length

from search_index.query import MAX_CHARS


class _GetForm(FlaskForm):
    class Meta:
        csrf = False  # read-only searches; CSRFProtect still guards every POST in the app


class SearchForm(_GetForm):
    """The search box: one text field `q`, sent by GET to the search page.

    Its maxlength is what the index reads of a search (a longer one from a link is cut there, with a message),
    so a visitor cannot type words that would be ignored.
    """

    q = StringField(
        lazy_gettext("Search notices"),
        widget=GovTextInput(),
        description=lazy_gettext("For example: cleaning, Cardiff, glanhau"),
        validators=[Length(max=MAX_CHARS)],
        render_kw={"maxlength": MAX_CHARS},
    )


class PipelineFilterForm(_GetForm):
    """The pipeline timeline's filters, sent by GET."""

    region = SelectField(lazy_gettext("Region"), widget=GovSelect(), validate_choice=False)
    cpv = StringField(
        lazy_gettext("Category (CPV code)"),
        widget=GovTextInput(),
        description=lazy_gettext("A CPV code or its first digits, for example 72 for IT services or 722 for software"),
    )
    wales = BooleanField(lazy_gettext("Only work in Wales"), widget=GovCheckboxInput(), false_values=("", "0"))
    sme = BooleanField(
        lazy_gettext("Only work marked suitable for SMEs"), widget=GovCheckboxInput(), false_values=("", "0")
    )
