"""The current request's id: logged with every line about it, returned in X-Request-ID, shown on error pages."""
from __future__ import annotations

import re
import uuid

from flask import Flask, Response, g, has_request_context, request

HEADER = "X-Request-ID"
# A proxy's id is kept when it is a short token that cannot forge a log line or a header.
SAFE = re.compile(r"[A-Za-z0-9._-]{8,64}")


def request_id() -> str:
    """The incoming X-Request-ID when it is a short safe token, else a new uuid4 hex; one per request
    ("" outside a request)."""
    if not has_request_context():
        return ""
    if "request_id" not in g:
        incoming = request.headers.get(HEADER, "")
        g.request_id = incoming if SAFE.fullmatch(incoming) else uuid.uuid4().hex
    return g.request_id


def init_app(app: Flask) -> None:
    app.jinja_env.globals["request_id"] = request_id

    @app.after_request
    def _return_request_id(response: Response) -> Response:
        response.headers[HEADER] = request_id()
        return response
