"""Structured logs: one JSON line per request and per job (and for every other log record) on stderr.

Lines carry ids and outcomes only: the route's pattern, never the query
string (look-ups search by e-mail or name), nor any form or body content.
"""
from __future__ import annotations

import json
import logging
import sys
import time
from datetime import datetime, timezone
from typing import Any

from flask import Flask, Response, g, request
from sqlalchemy import inspect

requests_log = logging.getLogger("console.request")
jobs_log = logging.getLogger("console.job")
_HANDLER_MARK = "_console_json"


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: time (UTC, ISO 8601), level, logger, message, then the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def log_fields(logger: logging.Logger, message: str, **fields: Any) -> None:
    """Log ``message`` with ``fields`` as keys of its JSON line."""
    logger.info(message, extra={"fields": fields})


def install_json_handler() -> None:
    """Send the console's records to stderr as JSON lines, once per process."""
    logger = logging.getLogger("console")
    if not any(getattr(handler, _HANDLER_MARK, False) for handler in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        setattr(handler, _HANDLER_MARK, True)
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def _user_ids() -> tuple[Any, Any]:
    """The authenticated user's id and collectivité if the request resolved one, read from what is already
    loaded: logging never queries (the request's transaction may have failed)."""
    user = g.get("user")
    state = inspect(user, raiseerr=False) if user is not None else None
    if state is None or not state.identity:
        return None, None
    return state.identity[0], state.dict.get("collectivite_id")


def init_app(app: Flask) -> None:
    """Time every request and log it when answered (before any other hook, so the time is the whole request's)."""
    from console.request_id import request_id

    if not app.testing:
        install_json_handler()

    @app.before_request
    def _start_clock() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response: Response) -> Response:
        started = g.get("request_started")
        user_id, collectivite_id = _user_ids()
        log_fields(
            requests_log, "request", request_id=request_id(), user_id=user_id,
            collectivite_id=collectivite_id, method=request.method,
            route=request.url_rule.rule if request.url_rule else None, status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 1) if started else None,
        )
        return response
