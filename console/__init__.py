"""Console Pass Numérique: the back office of the collectivités that fund Pass Numérique cheques."""
from __future__ import annotations

import os
from typing import Any, Mapping

from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Application factory: configuration, extensions, views — nothing else."""
    from flask_appbuilder import AppBuilder

    from console import babel_domain, cli, headers, health, jobs, models, request_id  # noqa: F401  (models: tables)
    from console import logging as request_logging
    from console.config import defaults
    from console.errors import install_translator
    from console.extensions import csrf, db
    from console.i18n import translate_error
    from console.accounts import web as account_web
    from console.tenants import context, security
    from console.views import guards, register_views

    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(defaults(app.instance_path))
    if config:
        app.config.update(config)
    request_logging.init_app(app)  # first: its clock and its line cover every other hook
    request_id.init_app(app)

    headers.install(app)
    with app.app_context():
        db.init_app(app)
        # Before any API is added: without it FAB deletes on GET /<view>/delete/<pk>.
        csrf.init_app(app)
        appbuilder = AppBuilder(update_perms=False)  # permissions are written by `console init`
        appbuilder.init_app(app, db.session)
        register_views(appbuilder)
        guards.install(app)
        security.exempt_apis_from_csrf(appbuilder, csrf)
        account_web.install(app)
    babel_domain.install(app)
    context.set_resolver(security.request_scope)
    install_translator(translate_error)
    jobs.init_app(app)
    health.init_app(app)
    cli.register(app)
    return app
