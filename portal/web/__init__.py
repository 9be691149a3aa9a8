"""The HTML pages, one blueprint a module: home, search, pipeline, notice, buyer, information pages, /_status."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the page blueprints and the root address."""
    from portal.web import buyers, home, info, notices, pipeline, search_page, status

    for module in (home, search_page, pipeline, notices, buyers, info, status):
        app.register_blueprint(module.bp)
    from portal.alerts import views as alert_pages  # the alert pages (docs/design.md, "Email alerts: the pages")

    app.register_blueprint(alert_pages.bp)
    app.add_url_rule("/", "root", home.root)
    from portal.accounts import views as accounts_views  # sign-in and organisations (docs/design.md)

    accounts_views.init_app(app)
