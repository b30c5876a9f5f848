"""Error pages in the console's layout and the user's language (Werkzeug's are bare English HTML).

4xx: the console's page (or, under /api/, a JSON ``{"message": ...}``) saying what was wrong.
500: only for real faults; the fault is logged with the request id, which the page and the JSON show so
that a user can quote it.
"""
from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, InternalServerError

from console.errors import N_, unique_refusal
from console.extensions import db
from console.request_id import request_id

log = logging.getLogger(__name__)

TITLES = {400: _l("Unexpected request"), 403: _l("Access denied"), 404: _l("Page not found"),
          405: _l("Unexpected request"), 409: _l("Conflicting change"), 413: _l("Unexpected request"),
          500: _l("Server error")}
MESSAGES = {
    400: _l("The page received a request it does not understand. Go back and try again."),
    403: _l("Your role does not give access to this page. The menu shows the pages you may open."),
    404: _l("This page does not exist, or belongs to another collectivité."),
    405: _l("The page received a request it does not understand. Go back and try again."),
    413: _l("The files sent are too large."),
}
EXPIRED_FORM = _l("The form has expired or was sent from another page: reload the page and send it again.")
SERVER_FAULT = N_("Something went wrong on our side and nothing was saved. If it happens again, tell the "
                  "support team this reference: %(reference)s.")


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _page(code: int, message: str) -> tuple[str, int]:
    # An error raised before Flask-AppBuilder's own before_request (a CSRF refusal) finds no g.user yet.
    g.user = g.get("user") or current_user
    appbuilder = current_app.appbuilder
    return render_template("console/error.html", appbuilder=appbuilder, base_template=appbuilder.base_template,
                           title=TITLES[code], message=message), code


def error_page(error: HTTPException):
    """A refused request: the console's page, or JSON for the APIs, saying what was wrong."""
    # A description given to abort() by the console says more than the generic (English) one of its class.
    own = error.description if error.description != type(error).description else None
    if isinstance(error, CSRFError):
        own = EXPIRED_FORM
    message = str(own or MESSAGES[error.code])
    if _is_api():
        return jsonify(message=message), error.code
    return _page(error.code, message)


def conflict(error: IntegrityError):
    """A unique value taken by a concurrent request: the documented refusal, nothing written (409)."""
    db.session.rollback()
    refusal = unique_refusal(error)
    if _is_api():
        return jsonify(message=str(refusal), rule=refusal.rule, field=refusal.field), 409
    return _page(409, str(refusal))


def server_error(error: InternalServerError):
    """A real fault: logged with the request id, which the user is shown; nothing of the request is kept."""
    reference = request_id()
    fault = error.original_exception or error
    log.error("Server error on %s %s, request id %s", request.method, request.path, reference,
              exc_info=(type(fault), fault, fault.__traceback__))
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 — the database may be what failed; the page must still be shown
        log.exception("Rollback failed, request id %s", reference)
    message = gettext(SERVER_FAULT, reference=reference)
    if _is_api():
        return jsonify(message=message, request_id=reference), 500
    try:
        return _page(500, message)
    except Exception:  # noqa: BLE001 — the layout itself may need what failed (the database)
        log.exception("Error page failed, request id %s", reference)
        return Response(message, status=500, mimetype="text/plain")


def label_api_faults(response: Response) -> Response:
    """A 5xx an API answered itself (FAB's ``@safe``: "Fatal error") names the request id too."""
    if response.status_code >= 500 and _is_api() and response.is_json:
        reference = request_id()
        log.error("API answered %s on %s %s, request id %s", response.status_code, request.method, request.path,
                  reference)
        response.set_data(jsonify(message=gettext(SERVER_FAULT, reference=reference),
                                  request_id=reference).get_data())
    return response


def install_error_pages(app: Flask) -> None:
    """Answer refusals with the console's error page and real faults with a logged request id."""
    for code in TITLES:
        if code not in (409, 500):
            app.register_error_handler(code, error_page)
    app.register_error_handler(IntegrityError, conflict)
    app.register_error_handler(InternalServerError, server_error)
    app.after_request(label_api_faults)
