"""Blueprint: the public pages."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, render_template, request, url_for

from portal.i18n import LANGUAGES

bp = Blueprint("public", __name__, url_prefix="/<any(en, cy):lang_code>")


@bp.route("/")
def home(lang_code: str):
    """Show the home page."""
    return render_template("public/home.html", lang_code=lang_code)


def root():
    """Send the visitor to their language's home page."""
    return redirect(url_for("public.home", lang_code=request.accept_languages.best_match(LANGUAGES) or "en"))


def init_app(app: Flask) -> None:
    """Register the public pages."""
    app.register_blueprint(bp)
    app.add_url_rule("/", "root", root)
