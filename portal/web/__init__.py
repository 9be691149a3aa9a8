"""Page blueprints beyond the pipeline overview: a notice, a buyer, the information pages and /_status."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the page blueprints."""
    from portal.web import buyers, info, notices, status

    for module in (notices, buyers, info, status):
        app.register_blueprint(module.bp)
