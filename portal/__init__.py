"""Piblinell: the Flask application factory."""

from __future__ import annotations

import logging

from flask import Flask

from portal import config


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app: configuration, database, language, blueprints and commands; no business logic."""
    app = Flask(__name__, instance_path=str(config.INSTANCE), instance_relative_config=False)
    app.config.from_mapping(config.from_environment())
    if test_config:
        app.config.update(test_config)
    config.check(app.config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from portal import cli, db, i18n, security, translate, web
    from portal.accounts import session as accounts_session
    from portal.api import endpoints, exports
    from portal.collect import clock
    from portal.search import indexing
    from portal.web import frontend

    db.init_app(app)
    from portal.web import caching

    caching.init_app(app)  # first: its after_request hook then runs last (HTTP validators, docs/design.md)
    security.init_app(app)
    accounts_session.init_app(app)
    i18n.init_app(app)
    caching.install_template_translations(app)  # after Flask-Babel's own (portal/web/caching.py)
    frontend.init_app(app)
    cli.init_app(app)
    clock.init_app(app)
    web.init_app(app)
    translate.init_app(app)
    indexing.init_app(app)
    exports.init_app(app)
    endpoints.init_app(app)
    from portal import publishing

    publishing.init_app(app)  # buyers' planned work (portal/publishing/)
    # blueprints and CLI
    return app
