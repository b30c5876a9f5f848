"""The id of the current request: logged with its errors, shown on the error page, sent back in X-Request-ID."""
from __future__ import annotations

import re
import uuid

from flask import Flask, Response, g, has_request_context, request

HEADER = "X-Request-ID"
#: An incoming id is kept only when it is a short token that is safe to log and to echo.
SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id() -> str:
    """The current request's id: the caller's X-Request-ID when it is a safe token, else a new uuid4 hex."""
    if not has_request_context():
        return ""
    if "request_id" not in g:
        incoming = request.headers.get(HEADER, "")
        g.request_id = incoming if SAFE_ID.fullmatch(incoming) else uuid.uuid4().hex
    return g.request_id


def install(app: Flask) -> None:
    """Every response carries the id of its request."""

    @app.after_request
    def _send_request_id(response: Response) -> Response:
        response.headers[HEADER] = request_id()
        return response
