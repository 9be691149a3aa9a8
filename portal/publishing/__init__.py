"""Buyers publish planned work: entries, their form, CSV upload, OCDS planning releases and the dashboard.

See docs/design.md, "Publishing planned work".
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the publishing blueprint (its views and the CSV upload views share it)."""
    from portal.publishing import upload_views, views  # noqa: F401  (upload_views adds its routes to views.bp)

    app.register_blueprint(views.bp)
