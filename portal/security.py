"""Headers that protect every response: a strict Content-Security-Policy with a nonce per request, no sniffing,
no framing, a referrer policy, and HSTS over HTTPS.

A few lines of our own rather than Flask-Talisman: the policy is one string, and Talisman's other features
(forcing HTTPS, session cookie flags) are decided elsewhere (the reverse proxy and `portal.config`).
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request

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


def init_app(app: Flask) -> None:
    """Protect every response, and give templates the nonce as GOV.UK Frontend's template expects it."""
    app.after_request(protect)
    app.context_processor(lambda: {"cspNonce": csp_nonce()})
