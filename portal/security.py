"""Headers that protect every response (a strict Content-Security-Policy with a nonce per request, no sniffing,
no framing, a referrer policy, HSTS over HTTPS), and absolute URLs from PUBLIC_BASE_URL, never the Host header.

A few lines of our own rather than Flask-Talisman: the policy is one string, and Talisman's other features
(forcing HTTPS, session cookie flags) are decided elsewhere (the reverse proxy and `portal.config`).
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

# No inline script or style anywhere: the one inline script GOV.UK Frontend's page template writes (it sets the
# js-enabled and govuk-frontend-supported body classes) carries the request's nonce; everything else is a file.
POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """Return this request's script nonce, made on first use."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def protect(response: Response) -> Response:
    """Add the protective headers to a response (the ones a view set itself are kept)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", POLICY.format(nonce=csp_nonce()))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for browsers without CSP level 2
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


class PublicAddress:
    """WSGI middleware: every request is taken to have come to PUBLIC_BASE_URL, whatever its Host header says,
    so url_for(_external=True), redirects, feeds and API links can never point at an attacker's host."""

    def __init__(self, wsgi_app, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.wsgi_app, self.scheme, self.host, self.root = wsgi_app, parts.scheme, parts.netloc, parts.path.rstrip("/")

    def __call__(self, environ, start_response):
        environ["wsgi.url_scheme"] = self.scheme
        environ["HTTP_HOST"] = self.host
        environ.pop("HTTP_X_FORWARDED_HOST", None)
        if self.root and environ.get("PATH_INFO", "").startswith(self.root + "/"):
            environ["SCRIPT_NAME"], environ["PATH_INFO"] = self.root, environ["PATH_INFO"][len(self.root) :]
        elif self.root:
            environ["SCRIPT_NAME"] = self.root
        return self.wsgi_app(environ, start_response)


# Rate limits on the forms that send email (alert subscriptions, manage links, buyer sign-in): decorate a view
# with @limiter.limit("5/hour", key_func=...) per client address (ProxyFix gives the real one behind a proxy)
# and per email address. Settings RATELIMIT_ENABLED and RATELIMIT_STORAGE_URI (portal.config).
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def init_app(app: Flask) -> None:
    """Protect every response, give templates the nonce as GOV.UK Frontend's template expects it, and fix the
    public address (and, behind a proxy, the client's) as configured."""
    app.after_request(protect)
    limiter.init_app(app)
    app.context_processor(lambda: {"cspNonce": csp_nonce()})
    if app.config.get("PROXY_FIX_X_FOR"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=0, x_host=0)
    if app.config.get("PUBLIC_BASE_URL"):
        app.wsgi_app = PublicAddress(app.wsgi_app, app.config["PUBLIC_BASE_URL"])
