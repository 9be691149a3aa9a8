"""What is worked out once and reused: HTTP validators for what the search index answers (the search page, the
JSON API and the exports), and the templates' translations per language.

Such a response is a function of its address, the live index and the clock, so its ETag is made from those
(docs/design.md, "Speed at scale"): the index's generation tag (search_index.generation_tag: a rebuild or
a sync changes it), the hour in London (pages say what has closed or is overdue), the address, and this
deploy's templates and translations. A repeat with a matching If-None-Match gets a 304 before anything is
searched or rendered. Only anonymous requests (an empty session: no signed-in person, no flash message) are
validated and may be stored by shared caches; a page for someone signed in says `private` and is never
answered with a 304, whose stored body would be another visitor's.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, current_app, g, request, session
from flask.globals import _cv_app
from flask_babel import get_translations
from werkzeug.wrappers import Response

import search_index

# endpoint → Cache-Control of its anonymous answers. HTML pages carry a CSP nonce, so caches revalidate them on
# every use (a 304 costs no rendering); data may be reused for a minute, within which a sync changes little.
VALIDATED = {
    "search.search": "public, no-cache",
    "api.notices": "public, max-age=60",
    "api.notices_csv": "public, max-age=60",
    "api.ocds_releases": "public, max-age=60",
    "exports.csv": "public, max-age=60",
    "exports.atom": "public, max-age=60",
    "exports.ics": "public, max-age=60",
}
# What a 304 may carry (RFC 9110, 15.4.5): the rest, a CSP with a fresh nonce above all, would replace the
# stored page's headers and no longer match its body.
NOT_MODIFIED_HEADERS = ("Cache-Control", "Content-Location", "Date", "ETag", "Expires", "Vary")


def deploy_tag(root: Path) -> str:
    """Return a tag of this deploy's templates and compiled translations (their names, sizes and times)."""
    digest = hashlib.sha256()
    for folder in (root / "portal" / "templates", root / "translations"):
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".html", ".txt", ".xml", ".mo"):
                stat = path.stat()
                digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:12]


def current_etag() -> str | None:
    """Return the ETag of this request's answer, or None when it is not validated (not GET, not anonymous,
    another endpoint, or no index yet)."""
    if request.method not in ("GET", "HEAD") or request.endpoint not in VALIDATED or session:
        return None
    generation = search_index.generation_tag(current_app.config["INDEX_DIR"])
    if generation is None:
        return None
    hour = datetime.now(UTC).strftime("%Y%m%d%H")
    parts = (current_app.extensions["piblinell_deploy_tag"], generation, hour, request.full_path)
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:32]


def answer_repeat() -> Response | None:
    """Before the view: answer 304 when the client already holds this answer."""
    etag = current_etag()
    g.piblinell_etag = etag
    if etag is not None and etag in request.if_none_match:
        response = Response(status=304)
        response.set_etag(etag)
        response.headers["Cache-Control"] = VALIDATED[request.endpoint]
        return response
    return None


def mark_answer(response: Response) -> Response:
    """After the view (and after every other after_request hook): validators and caching on the answer."""
    if response.status_code == 304:
        for name in list(response.headers.keys()):
            if name not in NOT_MODIFIED_HEADERS:
                del response.headers[name]
        return response
    if request.endpoint not in VALIDATED or request.method not in ("GET", "HEAD"):
        return response
    etag = getattr(g, "piblinell_etag", None)
    # the session again: a view that put something in it (a CSRF token for a form) made the answer someone's own
    if etag is not None and response.status_code == 200 and not session:
        response.set_etag(etag)
        response.headers["Cache-Control"] = VALIDATED[request.endpoint]
    elif "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "private, no-cache"  # signed in, or an error: never shared
    response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    """Register the validators. Call before any other after_request hook is registered (portal/__init__.py):
    Flask runs those hooks in reverse, so this one sees the response last and can trim a 304."""
    app.extensions["piblinell_deploy_tag"] = deploy_tag(Path(app.root_path).parent)
    app.before_request(answer_repeat)
    app.after_request(mark_answer)


def _translations():
    """Return the translations of the locale Flask-Babel chose for this context, found once per locale per
    process: Flask-Babel's own `gettext` looks up its context, domain and locale three times for each string,
    and a search page has a few hundred (docs/design.md, "Speed at scale"). Before a locale is chosen, or
    outside a context, Flask-Babel's own lookup answers."""
    ctx = _cv_app.get(None)
    state = getattr(ctx.g, "_flask_babel", None) if ctx is not None else None
    locale = getattr(state, "babel_locale", None)  # set by get_locale() and by force_locale()
    if locale is None:
        return get_translations()
    by_locale = ctx.app.extensions["piblinell_translations"]
    found = by_locale.get(locale)
    if found is None:
        found = by_locale[locale] = get_translations()
    return found


def gettext(string: str, **variables) -> str:
    """Flask-Babel's `gettext`, through the translations found once per locale (`_translations`)."""
    text = _translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """Flask-Babel's `ngettext` (`num` is a variable of the text too), through `_translations`."""
    variables.setdefault("num", num)
    return _translations().ungettext(singular, plural, num) % variables


def install_template_translations(app: Flask) -> None:
    """Give templates gettext callables that find the translations once per locale (after Flask-Babel's set-up,
    which installs its own)."""
    app.extensions["piblinell_translations"] = {}  # locale → translations, of this app's catalogue
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
