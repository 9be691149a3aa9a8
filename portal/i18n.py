"""Language: the locale comes from the URL prefix (/en/…, /cy/…); Welsh is never second-class."""

from __future__ import annotations

from flask import Flask, current_app, g, request, url_for
from flask_babel import Babel, get_locale

LANGUAGES = ("en", "cy")
# Every page's blueprint uses this prefix; the url processors below fill and strip it.
LANG_PREFIX = "/<any(en, cy):lang_code>"


def _path_language() -> str | None:
    first = request.path.strip("/").split("/", 1)[0]
    return first if first in LANGUAGES else None


def browser_language() -> str:
    """Return the visitor's preferred language of ours from Accept-Language, English by default."""
    return request.accept_languages.best_match(LANGUAGES) or "en"


def select_locale() -> str:
    """Pick the locale from the URL's language prefix, else the browser's preference."""
    lang = getattr(g, "lang_code", None) or (request.view_args or {}).get("lang_code") or _path_language()
    if lang in LANGUAGES:
        return lang
    return browser_language()


def current_language() -> str:
    """Return the language of the page being built ("en" or "cy")."""
    return str(get_locale() or "en")


def other_language(lang: str) -> str:
    """Return the language the switch link goes to."""
    return "en" if lang == "cy" else "cy"


def switch_url(lang: str) -> str:
    """Return this page in language `lang` with the same query, built from the URL map, never from input."""
    rule = request.url_rule
    if rule is None or getattr(g, "error_page", False) or "lang_code" not in rule.arguments:
        # An error page, or a page without a language: the other language's home.
        return url_for("home.home", lang_code=lang)
    path = url_for(rule.endpoint, **(request.view_args or {}), lang_code=lang)
    # The raw query string after a "?" cannot change the scheme or host, so copying it is safe.
    query = request.query_string.decode("utf-8", "replace")
    return f"{path}?{query}" if query else path


def _pull_lang_code(endpoint: str | None, values: dict | None) -> None:
    if values is not None and "lang_code" in values:
        g.lang_code = values.pop("lang_code")


def _add_lang_code(endpoint: str, values: dict) -> None:
    # Only fill in from g when not passed: URLs built outside a request (emails, the clock) pass it.
    if "lang_code" in values or not current_app.url_map.is_endpoint_expecting(endpoint, "lang_code"):
        return
    if getattr(g, "lang_code", None):
        values["lang_code"] = g.lang_code


def _template_globals() -> dict:
    lang = current_language()
    return {"lang_code": lang, "other_lang": other_language(lang), "switch_url": switch_url}


def init_app(app: Flask) -> None:
    """Set up Flask-Babel with the top-level translations/ folder, London time and the language URL prefix."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "../translations")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/London")
    Babel(app, locale_selector=select_locale)
    app.url_value_preprocessor(_pull_lang_code)
    app.url_defaults(_add_lang_code)
    # Flask-Babel does not give templates the locale (docs/libraries.md, "Flask-Babel: templates and the locale").
    app.context_processor(_template_globals)
    # A global (not a context variable) so macros imported without context can use it.
    app.add_template_global(current_language, "page_lang")
