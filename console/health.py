"""Health endpoints for load balancers and orchestrators: JSON, no authentication, no secrets.

``/healthz`` (liveness) says the process answers; ``/readyz`` (readiness) says
it can serve: the database answers and is at the latest migration, Redis
answers when configured, the export folder is writable. Answers name each
check's outcome only, never a URL, path or error text.
"""
from __future__ import annotations

import functools
import logging
import os
import tempfile

from flask import Blueprint, Flask, current_app, jsonify
from flask.typing import ResponseReturnValue

log = logging.getLogger(__name__)
health = Blueprint("health", __name__)
OK = "ok"


@functools.cache
def latest_revisions() -> frozenset[str]:
    """The heads of the migrations shipped with this code."""
    from alembic.script import ScriptDirectory

    from console.schema import alembic_config

    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def check_database() -> str:
    from alembic.migration import MigrationContext

    from console.extensions import db

    try:
        with db.engine.connect() as connection:
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"; the log says which
        log.warning("Readiness: database unreachable (%s)", type(error).__name__)
        return "unreachable"
    return OK if current == latest_revisions() else "not migrated"


def check_redis() -> str:
    from console import jobs

    runner = jobs.runner()
    if not isinstance(runner, jobs.RqRunner):
        return "not configured"
    try:
        runner.connection.ping()
    except Exception as error:  # noqa: BLE001
        log.warning("Readiness: Redis unreachable (%s)", type(error).__name__)
        return "unreachable"
    return OK


def check_exports() -> str:
    folder = current_app.config["CONSOLE_EXPORT_DIR"]
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".readyz-"):
            pass
    except OSError as error:
        log.warning("Readiness: export folder not writable (%s)", type(error).__name__)
        return "not writable"
    return OK


@health.get("/healthz")
def healthz() -> ResponseReturnValue:
    return jsonify(status="alive")


@health.get("/readyz")
def readyz() -> ResponseReturnValue:
    checks = {"database": check_database(), "redis": check_redis(), "exports": check_exports()}
    ready = all(outcome in (OK, "not configured") for outcome in checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503


def init_app(app: Flask) -> None:
    app.register_blueprint(health)
