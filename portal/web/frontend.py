"""The GOV.UK Design System look (Jinja macros, our favicon), CSRF, and the bilingual error pages."""

from __future__ import annotations

import logging

from flask import Flask, abort, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChainableUndefined, ChoiceLoader, PackageLoader, PrefixLoader
from markupsafe import Markup
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound

from portal.labels import formatting

log = logging.getLogger(__name__)
csrf = CSRFProtect()


def clean_output(value):
    """Jinja's finalize: strip what is never text from everything a template writes (Markup stays Markup)."""
    if isinstance(value, Markup):
        return Markup(formatting.plain_text(value))  # noqa: S704 (already-escaped markup, characters only removed)
    if isinstance(value, str):
        return formatting.plain_text(value)
    return value


def _favicon():
    """Answer the browsers that ask for /favicon.ico with our icon (pages name it in a link too)."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


def not_found(error: HTTPException):
    """Show the page-not-found page in the URL's language (else the browser's)."""
    g.error_page = True
    return render_template("errors/404.html"), 404


# Other errors: a title and an explanation a visitor can act on (404 and 500 have pages of their own).
ERROR_TEXTS = {
    400: (lazy_gettext("The address was not understood"), lazy_gettext("Check the web address and try again.")),
    405: (lazy_gettext("That cannot be done here"), lazy_gettext("This address does not accept that request.")),
    413: (lazy_gettext("Too much was sent"), lazy_gettext("Send less at a time and try again.")),
    414: (
        lazy_gettext("The web address is too long"),
        lazy_gettext("Use fewer or shorter search words or filters, and try again."),
    ),
    429: (lazy_gettext("Too many requests"), lazy_gettext("Wait a minute, then try again.")),
}
MAX_URL_BYTES = 32 * 1024  # the longest search the OpenAPI allows, percent-encoded, fits well inside this


def http_error(error: HTTPException):
    """Show any HTTP error as a page in the portal's look and the visitor's language, never the server's bare one."""
    if isinstance(error, NotFound):
        return not_found(error)
    if isinstance(error, InternalServerError) or (error.code or 500) >= 500:
        return server_error(error)
    g.error_page = True
    title, explanation = ERROR_TEXTS.get(error.code, (lazy_gettext("Something was wrong with the request"), ""))
    response = render_template("errors/error.html", title=title, explanation=explanation, code=error.code)
    kept = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]  # e.g. Allow
    return response, error.code, kept


def refuse_long_addresses() -> None:
    """Answer an address longer than MAX_URL_BYTES with our own 414 page (gunicorn lets it through, see
    gunicorn.conf.py), before any view reads it."""
    environ = request.environ
    if len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", "")) > MAX_URL_BYTES:
        abort(414)


def server_error(error: Exception):
    """Show the something-went-wrong page; it touches no database, which may be the cause."""
    g.error_page = True
    original = getattr(error, "original_exception", None) or error
    log.error("server error: %r", original)
    return render_template("errors/500.html"), 500


def init_app(app: Flask) -> None:
    """Load GOV.UK macros, serve its assets at /assets, protect forms against CSRF and set the error pages."""
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    # GOV.UK's template.html calls macros without params (docs/libraries.md, "GOV.UK Frontend: undefined variables").
    app.jinja_env.undefined = ChainableUndefined
    app.jinja_env.finalize = clean_output
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    csrf.init_app(app)
    formatting.init_app(app)
    app.add_url_rule("/favicon.ico", "favicon", _favicon)
    app.before_request(refuse_long_addresses)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(InternalServerError, server_error)
