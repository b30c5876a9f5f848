"""Base classes of every console view and API: tenant-scoped, no hard delete, domain errors translated."""
from __future__ import annotations

from typing import Any, Callable

from flask import abort, flash, request
from flask_appbuilder import ModelView
from flask_appbuilder.api import ModelRestApi
from flask_babel import gettext, lazy_gettext as _l
from marshmallow import ValidationError as SchemaError
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from wtforms.validators import Optional
from wtforms.validators import ValidationError as FormError

from console.display import FormattedColumns
from console.errors import N_, DomainError, NotFound, unique_refusal
from console.extensions import db
from console.openapi import DocumentedResponses
from console.tenants.models import Collectivite, ConsoleUser, TenantOwned
from console.tenants.scoping import TenantFilter, get_scoped
from console.views.lists import BoundedList, ScaledInterface, depth_message, too_deep
from console.views.search_form import KeptSearchWidget

TENANT_FILTERS = [["id", TenantFilter, None]]
#: The blank choice of a form's collectivité: the user's own (operators, who have none, must pick one).
MY_COLLECTIVITE = _l("My collectivité")
READ_ONLY = ["can_list", "can_show"]
NO_DELETE = ["can_list", "can_show", "can_add", "can_edit"]
API_NO_DELETE = ["can_get", "can_info", "can_post", "can_put"]


def form_rule(rule: Callable[[Any], Any]) -> Callable:
    """A WTForms validator calling a domain rule; the field keeps the rule's normalised value."""

    def validate(form: Any, field: Any) -> None:
        if field.data in (None, ""):
            return
        try:
            field.data = rule(field.data)
        except DomainError as error:
            raise FormError(str(error)) from error

    return validate


def schema_rule(rule: Callable[[Any], Any]) -> Callable:
    """A marshmallow validator calling a domain rule."""

    def validate(value: Any) -> None:
        try:
            rule(value)
        except DomainError as error:
            raise SchemaError(str(error)) from error

    return validate


def _is_tenant_model(model: type) -> bool:
    return model is Collectivite or issubclass(model, (TenantOwned, ConsoleUser))


def tenant_relations(model: type) -> list[str]:
    """Names of the many-to-one relationships of ``model`` that point to tenant-scoped rows."""
    return [
        rel.key
        for rel in inspect(model).relationships
        if rel.direction.name == "MANYTOONE" and _is_tenant_model(rel.mapper.class_)
    ]


class TenantModelView(BoundedList, FormattedColumns, ModelView):
    """A ModelView restricted to the user's collectivité on every path, including drop-downs."""

    base_filters = TENANT_FILTERS
    base_permissions = NO_DELETE
    search_widget = KeptSearchWidget

    def __init__(self, **kwargs: Any) -> None:
        model = self.datamodel.obj
        if not isinstance(self.datamodel, ScaledInterface):
            self.datamodel = ScaledInterface(model)
        rel_filters = {name: TENANT_FILTERS for name in tenant_relations(model)}
        # FAB ignores add_query_rel_fields on a ModelView: the *_form_ variants are the ones read.
        self.add_form_query_rel_fields = {**rel_filters, **(self.add_form_query_rel_fields or {})}
        self.edit_form_query_rel_fields = {**rel_filters, **(self.edit_form_query_rel_fields or {})}
        self.search_form_query_rel_fields = {**rel_filters, **(self.search_form_query_rel_fields or {})}
        super().__init__(**kwargs)

    def _init_forms(self) -> None:
        super()._init_forms()
        # The tenancy hook stamps the user's collectivité: only operators have to pick one.
        for form in (self.add_form, self.edit_form):
            field = getattr(form, "collectivite", None)
            if field is not None:
                field.kwargs.update(validators=[Optional()], allow_blank=True, blank_text=MY_COLLECTIVITE)


def _refusal_response(description: str) -> dict[str, Any]:
    """FAB documents a 400's and a 422's message as a string; a field-by-field refusal is an object of lists."""
    message = {"oneOf": [{"type": "string"}, {"type": "object", "additionalProperties": {"type": "array"}}]}
    return {"description": description, "content": {"application/json": {"schema": {
        "type": "object", "properties": {"message": message}}}}}


REFUSALS = {"400": _refusal_response("Bad request: what is wrong, field by field when it is a field"),
            "422": _refusal_response("Could not process entity: every invalid field with its messages")}
#: What FAB's spec of the item and _info responses gets wrong about the console's answers.
RESPONSE_FIXES = {"get": {"id": {"type": "integer"}},
                  "info": {name: {"type": "array", "items": {"type": "object"}}
                           for name in ("add_columns", "edit_columns")},
                  "get_list": {"ids": {"type": "array", "items": {"type": "integer"}}}}


def _naive_timestamps(schema: Any) -> None:
    """Timestamps are stored and sent as naive UTC (no offset): not RFC 3339 « date-time » strings."""
    if isinstance(schema, dict):
        if schema.get("format") == "date-time":
            del schema["format"]
            schema["description"] = "UTC, ISO 8601 without offset (YYYY-MM-DDTHH:MM:SS.ffffff)"
        for value in schema.values():
            _naive_timestamps(value)
    elif isinstance(schema, list):
        for value in schema:
            _naive_timestamps(value)


class TenantModelRestApi(DocumentedResponses, ModelRestApi):
    """A ModelRestApi restricted to the user's collectivité; related ids of another one answer 400."""

    base_filters = TENANT_FILTERS
    base_permissions = API_NO_DELETE
    allow_browser_login = False

    def __init__(self) -> None:
        model = self.datamodel.obj
        if not isinstance(self.datamodel, ScaledInterface):
            self.datamodel = ScaledInterface(model)
        rel_filters = {name: TENANT_FILTERS for name in tenant_relations(model)}
        self.add_query_rel_fields = {**rel_filters, **(self.add_query_rel_fields or {})}
        self.edit_query_rel_fields = {**rel_filters, **(self.edit_query_rel_fields or {})}
        super().__init__()

    def get_list_headless(self, **kwargs: Any) -> Any:
        """A page starting beyond the rows lists page to is refused, with a hint to filter (an OFFSET that
        deep reads and throws away every row before it)."""
        page, page_size = self._handle_page_args(kwargs.get("rison", {}))
        if page is not None and page_size is not None and too_deep(page * page_size):
            return self.response_400(message=depth_message())
        return super().get_list_headless(**kwargs)

    def _init_model_schemas(self) -> None:
        super()._init_model_schemas()
        # The collectivité comes from the user (tenancy hook); only operators need to name one.
        for schema in (self.add_model_schema, self.edit_model_schema):
            if schema is not None and "collectivite" in schema.fields:
                schema.fields["collectivite"].required = False

    def add_apispec_components(self, api_spec: Any) -> None:
        super().add_apispec_components(api_spec)
        api_spec.components.responses.update(REFUSALS)
        _naive_timestamps(api_spec.components.schemas)

    def operation_helper(self, path: Any = None, operations: Any = None, methods: Any = None, func: Any = None,
                         **kwargs: Any) -> None:
        super().operation_helper(path, operations, methods, func, **kwargs)
        fixes = RESPONSE_FIXES.get(getattr(func, "__name__", ""), {})
        for operation in operations.values():
            responses = operation.get("responses", {})
            ok = responses.get(200) or responses.get("200") or {}
            properties = ok.get("content", {}).get("application/json", {}).get("schema", {}).get("properties", {})
            properties.update({name: fix for name, fix in fixes.items() if name in properties})

    def _get_field_info(self, field: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        info = super()._get_field_info(field, *args, **kwargs)
        if not self.description_columns.get(field.name):
            info["description"] = ""  # FAB translates "": gettext gives the catalogue's header
        return info

    def _foreign_reference(self) -> dict[str, str] | None:
        """Refuse a body naming a related row the user cannot see (FAB would store it, or answer 500)."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return None
        model = self.datamodel.obj
        for name in tenant_relations(model):
            if body.get(name) is None:
                continue
            target = inspect(model).relationships[name].mapper.class_
            try:
                get_scoped(db.session, target, body[name])
            except NotFound:
                return {name: [str(DomainError(N_("Unknown value, or a value of another collectivité.")))]}
        return None

    def _guarded(self, call: Callable[[], Any]) -> Any:
        if not isinstance(request.get_json(silent=True), dict):
            # FAB reads a JSON null or number as no body at all and fails (a 500); a refused body is None too.
            return self.response_400(message=gettext("The body must be a JSON object."))
        errors = self._foreign_reference()
        if errors:
            return self.response_400(message=errors)
        try:
            return call()
        except DomainError as error:
            db.session.rollback()
            return self._refusal(error)
        except IntegrityError as error:  # a race past the domain's check, caught at a hook's flush
            db.session.rollback()
            return self._refusal(unique_refusal(error))

    def _refusal(self, error: DomainError):
        message = {error.field: [str(error)]} if error.field else str(error)
        return self.response(error.status, message=message, rule=error.rule)

    def post_headless(self):
        return self._guarded(super().post_headless)

    def put_headless(self, pk):
        return self._guarded(lambda: super(TenantModelRestApi, self).put_headless(pk))


def attempt(action: Callable[[], Any]) -> Any:
    """Run a domain write: commit and return its result, or roll back and return the refusal (404 if unseen)."""
    try:
        result = action()
    except NotFound:
        db.session.rollback()
        abort(404)
    except DomainError as error:
        db.session.rollback()
        return error
    db.session.commit()
    return result


def flash_error(error: DomainError) -> None:
    """Show a refused operation to the user, translated."""
    flash(str(error), "danger")
