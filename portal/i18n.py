"""Language: the locale comes from the URL prefix (/en/…, /cy/…); Welsh is never second-class."""

from __future__ import annotations

from flask import Flask, g, request
from flask_babel import Babel

LANGUAGES = ("en", "cy")


def select_locale() -> str:
    """Pick the locale from the URL's language prefix, else the browser's preference."""
    lang = getattr(g, "lang_code", None) or (request.view_args or {}).get("lang_code")
    if lang in LANGUAGES:
        return lang
    return request.accept_languages.best_match(LANGUAGES) or "en"


def init_app(app: Flask) -> None:
    """Set up Flask-Babel with the top-level translations/ folder and London time."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "../translations")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/London")
    Babel(app, locale_selector=select_locale)
