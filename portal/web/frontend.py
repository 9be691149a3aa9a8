"""The GOV.UK Design System look: Jinja macros, GOV.UK Frontend's assets, CSRF, and the bilingual error pages."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, g, render_template, send_from_directory
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChainableUndefined, ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound

from portal.labels import formatting

log = logging.getLogger(__name__)
csrf = CSRFProtect()


def assets_dir(app: Flask) -> Path:
    """Return the folder `make assets` fills with GOV.UK Frontend's fonts and images."""
    return Path(app.static_folder) / "govuk" / "assets"


def _serve_asset(filename: str):
    """Serve a GOV.UK Frontend font or image: its CSS refers to them at /assets/..."""
    from flask import current_app

    return send_from_directory(assets_dir(current_app), filename, max_age=86400)


def not_found(error: HTTPException):
    """Show the page-not-found page in the URL's language (else the browser's)."""
    g.error_page = True
    return render_template("errors/404.html"), 404


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
    # GOV.UK's template.html calls macros without params (LIBRARIES.md).
    app.jinja_env.undefined = ChainableUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    csrf.init_app(app)
    formatting.init_app(app)
    app.add_url_rule("/assets/<path:filename>", "govuk_assets", _serve_asset)
    app.register_error_handler(NotFound, not_found)
    app.register_error_handler(InternalServerError, server_error)
