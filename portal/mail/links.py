"""Absolute links for emails, from PUBLIC_BASE_URL (never from a request's Host header).

Emails are composed by the clock as well as by requests, so links are built from the URL map directly.
Without PUBLIC_BASE_URL (development) the address `make run` serves on is used. Pass `lang_code` explicitly.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from flask import current_app

DEVELOPMENT_BASE_URL = f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"  # gunicorn.conf.py's bind


def base_url() -> str:
    """The portal's public address, without a trailing slash."""
    return current_app.config.get("PUBLIC_BASE_URL") or DEVELOPMENT_BASE_URL


def absolute_url(endpoint: str, **values) -> str:
    """Return the absolute URL of an endpoint; values the rule does not use become the query string."""
    parts = urlsplit(base_url())
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)
