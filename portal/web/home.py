"""The home page (the pipeline at a glance) and the root address, which sends a visitor to their language."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from portal.db import get_session
from portal.i18n import LANG_PREFIX, browser_language
from portal.models.tables import utcnow
from portal.web import forward_work
from portal.web.forms import SearchForm

bp = Blueprint("home", __name__, url_prefix=LANG_PREFIX)


@bp.route("/")
def home():
    """Show the forward pipeline at a glance: stages, the next four quarters, newest notices, closing soon."""
    session, now = get_session(), utcnow()
    quarters = forward_work.next_quarters(now, 4)
    return render_template(
        "home/home.html",
        form=SearchForm(formdata=None),
        stage_counts=forward_work.stage_counts(session),
        quarters=quarters,
        expected=forward_work.expected_by_quarter(session, quarters),
        newest=forward_work.newest_forward(session, 5),
        closing=forward_work.closing_soon(session, now, 7),
    )


def root():
    """Send the visitor to their language's home page (a cache must keep one answer per language)."""
    response = redirect(url_for("home.home", lang_code=browser_language()))
    response.vary.add("Accept-Language")
    return response
