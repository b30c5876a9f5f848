"""What every request goes through before a view reads it, FAB's own views and APIs included.

* ``ConsoleRequest``: query parameters and form fields hold only real characters (``inputs.clean_text``);
  page sizes are capped at ``MAX_PAGE_SIZE``; ``get(..., type=int)`` reads an integer beyond ``MAX_INTEGER`` as
  absent; JSON bodies are parsed by ``inputs.load_json`` (a refused body answers 400).
* ``_check_encoding`` (the first hook of each request): a query string or url-encoded form holding bytes
  that are not UTF-8 answers 400.
* ``check_request`` (before each request): ids in the path that no row can have answer 404; page numbers,
  page sizes, sort columns and rison arguments that FAB would choke on answer 400; FAB's action and
  file-download routes answer 404 for an action the view does not have, or a file the console does not keep.
"""
from __future__ import annotations

from functools import cached_property
from typing import Any, Iterable
from urllib.parse import parse_qsl

import prison
from flask import Flask, Request, abort, current_app, request
from flask.json.provider import DefaultJSONProvider
from flask_appbuilder import ModelView
from flask_babel import gettext
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from console.inputs import (
    MAX_DEPTH, MAX_PAGE, MAX_PAGE_SIZE, clean_text, integer, load_json, record_id, undecodable,
)

PAGE_PREFIXES = ("page_", "psize_")


def _pairs(mapping: Any) -> Iterable[tuple[Any, Any]]:
    if mapping is None:
        return []
    if isinstance(mapping, MultiDict):
        return mapping.items(multi=True)
    if isinstance(mapping, dict):
        return [(key, each) for key, value in mapping.items()
                for each in (value if isinstance(value, (list, tuple)) else [value])]
    return mapping


def _clean(key: Any, value: Any) -> tuple[Any, Any]:
    if isinstance(key, str):
        key = clean_text(key)
    if isinstance(value, str):
        value = clean_text(value)
        if key == "psize" or (isinstance(key, str) and key.startswith("psize_")):
            number = integer(value)
            if number is not None and number > MAX_PAGE_SIZE:
                value = str(MAX_PAGE_SIZE)
    return key, value


class CleanParameters(ImmutableMultiDict):
    """Query parameters and form fields, cleaned; integers read through ``get``/``getlist`` fit a column."""

    def __init__(self, mapping: Any = None) -> None:
        pairs = list(_pairs(mapping))
        # Werkzeug decodes a multipart form's fields with U+FFFD for bytes that are not UTF-8: noted here,
        # before cleaning drops them, so that _check_encoding refuses such a form like a url-encoded one.
        self.undecodable = any(isinstance(text, str) and "\ufffd" in text for pair in pairs for text in pair)
        super().__init__([_clean(key, value) for key, value in pairs])

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:  # noqa: A002 — werkzeug's name
        if type is int:
            number = integer(super().get(key))
            return default if number is None else number
        return super().get(key, default, type)

    def getlist(self, key: Any, type: Any = None) -> list:  # noqa: A002
        if type is int:
            return [number for number in map(integer, super().getlist(key)) if number is not None]
        return super().getlist(key, type)


class ConsoleRequest(Request):
    parameter_storage_class = CleanParameters

    def _load_form_data(self) -> None:
        # Keep a url-encoded body's bytes (Werkzeug then parses the kept copy): whoever reads the form first
        # (the CSRF check does), check_request can still refuse bytes that are not UTF-8.
        if self.mimetype == "application/x-www-form-urlencoded" and "form" not in self.__dict__:
            self.get_data(cache=True)
        super()._load_form_data()

    @cached_property
    def args(self) -> CleanParameters:
        # Werkzeug keeps bytes that are not UTF-8 percent-encoded ("%FF"): three characters that would count
        # as typed. check_request refuses such a query first; decoded to U+FFFD here all the same, they would
        # be dropped like any character nobody types.
        return CleanParameters(parse_qsl(self.query_string.decode("utf-8", "replace"), keep_blank_values=True,
                                         errors="replace"))


class ConsoleJSONProvider(DefaultJSONProvider):
    """Request bodies go through ``inputs.load_json`` (its refusals are ValueErrors: Flask answers 400)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return load_json(s)


def _views() -> dict[str, Any]:
    """FAB's view instances by class name (the name FAB's page, size and order parameters carry)."""
    views = current_app.extensions.get("console_views")
    if views is None:
        views = {type(view).__name__: view for view in current_app.appbuilder.baseviews}
        current_app.extensions["console_views"] = views
    return views


def _is_id_argument(name: str) -> bool:
    return name in ("pk", "id") or name.endswith("_id")


def _refuse(message: str) -> None:
    abort(400, description=message)


def _check_encoding() -> None:
    """Bytes that are not UTF-8 in the address or a form (url-encoded or multipart): 400, before anything
    reads them."""
    body = request.get_data(cache=True) if request.mimetype == "application/x-www-form-urlencoded" else b""
    multipart = request.mimetype == "multipart/form-data" and getattr(request.form, "undecodable", False)
    if undecodable(request.query_string) or undecodable(body) or multipart:
        _refuse(gettext("The address or the form holds bytes that are not UTF-8 text: nothing was read "
                        "nor changed."))


def _check_path() -> None:
    for name, value in (request.view_args or {}).items():
        if _is_id_argument(name) and record_id(value) is None:
            abort(404)


def _check_pages() -> None:
    views = _views()
    for key, value in request.args.items(multi=True):
        paging = key in ("page", "psize") or key.startswith(PAGE_PREFIXES)
        number = integer(value) if paging else None
        if paging and (number is None or number < 0 or number > MAX_PAGE
                       or (key.startswith("psize") and number < 1)):
            _refuse(gettext("The page number or page size %(value)s is not valid.", value=value[:20]))
        if key.startswith("_oc_"):
            view = views.get(key[4:])
            if view is not None and value not in (getattr(view, "order_columns", None) or ()):
                _refuse(gettext("The list cannot be sorted by %(column)s.", column=value[:40]))


def _check_rison() -> None:
    text = request.args.get("q")
    if not text or not request.path.startswith("/api/"):
        return
    if text.count("(") > MAX_DEPTH * 4:
        _refuse(gettext("The q argument is nested too deeply."))
    try:
        arguments = prison.loads(text)
    except RecursionError:
        _refuse(gettext("The q argument is nested too deeply."))
    except Exception:  # noqa: BLE001 — not rison: FAB tries JSON then answers 400 itself
        return
    if isinstance(arguments, dict) and "page" in arguments:
        page = integer(arguments["page"])
        if page is None or not 0 <= page <= MAX_PAGE:
            _refuse(gettext("The page number or page size %(value)s is not valid.", value=str(arguments["page"])[:20]))


def _check_fab_routes() -> None:
    endpoint = request.endpoint or ""
    view = _views().get(endpoint.split(".")[0])
    if view is None or not isinstance(view, ModelView):
        return
    route = endpoint.rsplit(".", 1)[-1]
    if route == "action" or route == "action_post":
        name = (request.view_args or {}).get("name") or request.form.get("action")
        if name not in view.actions:
            abort(404)
        if route == "action_post" and any(record_id(pk) is None for pk in request.form.getlist("rowid")):
            abort(404)
    # FAB's file-column download reads UPLOAD_FOLDER, which the console does not use (documents are in the
    # database, served by their own scoped views).
    if route == "download" and getattr(type(view), "download", None) is ModelView.download:
        abort(404)


def check_request() -> None:
    """Refuse, before any view runs, what a view would otherwise turn into a server error."""
    _check_path()
    _check_pages()
    _check_rison()
    _check_fab_routes()


def install(app: Flask) -> None:
    """Clean every request's parameters and bodies, and check them before the views."""
    app.request_class = ConsoleRequest
    app.json = ConsoleJSONProvider(app)
    app.before_request(check_request)
    # First of all hooks: before the CSRF check reads a form whose raw bytes Werkzeug could not decode.
    app.before_request_funcs.setdefault(None, []).insert(0, _check_encoding)
