"""Error pages in the console's layout and the user's language (Werkzeug's are bare English HTML)."""
from __future__ import annotations

from flask import Flask, current_app, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

TITLES = {400: _l("Unexpected request"), 403: _l("Access denied"), 404: _l("Page not found")}
MESSAGES = {
    400: _l("The page received a request it does not understand. Go back and try again."),
    403: _l("Your role does not give access to this page. The menu shows the pages you may open."),
    404: _l("This page does not exist, or belongs to another collectivité."),
}
EXPIRED_FORM = _l("The form has expired or was sent from another page: reload the page and send it again.")


def error_page(error: HTTPException):
    """The error in the console's layout; APIs keep their own answers."""
    if request.path.startswith("/api/"):
        return error
    # A description given to abort() by the console says more than the generic (English) one of its class.
    own = error.description if error.description != type(error).description else None
    if isinstance(error, CSRFError):
        own = EXPIRED_FORM
    # An error raised before Flask-AppBuilder's own before_request (a CSRF refusal) finds no g.user yet.
    g.user = g.get("user") or current_user
    appbuilder = current_app.appbuilder
    page = render_template("console/error.html", appbuilder=appbuilder, base_template=appbuilder.base_template,
                           title=TITLES[error.code], message=own or MESSAGES[error.code])
    return page, error.code


def install_error_pages(app: Flask) -> None:
    """Answer 400, 403 and 404 with the console's error page."""
    for code in TITLES:
        app.register_error_handler(code, error_page)
