"""Base classes of every console view and API: tenant-scoped, no hard delete, domain errors translated."""
from __future__ import annotations

from typing import Any, Callable

from flask import abort, flash, request
from flask_appbuilder import ModelView, expose
from flask_appbuilder.api import ModelRestApi
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError as SchemaError
from sqlalchemy import inspect
from wtforms.validators import Optional
from wtforms.validators import ValidationError as FormError

from console.display import FormattedColumns
from console.errors import N_, DomainError, NotFound
from console.extensions import db
from console.tenants.models import Collectivite, ConsoleUser, TenantOwned
from console.tenants.scoping import TenantFilter, get_scoped
from console.views.lists import BoundedList

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

    def __init__(self, **kwargs: Any) -> None:
        model = self.datamodel.obj
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

    # FAB's file-column download reads UPLOAD_FOLDER, which the console does not use (documents are in
    # the database, served by their own scoped views): the route answers 404 instead of a 500.
    @expose("/download/<string:filename>")
    def download(self, filename: str):
        abort(404)

    # FAB answers an unknown action name with a 500; rows are loaded through the scoped session.
    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name: str, pk: Any):
        if name not in self.actions:
            abort(404)
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        if request.form.get("action") not in self.actions:
            abort(404)
        return super().action_post()


class TenantModelRestApi(ModelRestApi):
    """A ModelRestApi restricted to the user's collectivité; related ids of another one answer 400."""

    base_filters = TENANT_FILTERS
    base_permissions = API_NO_DELETE
    allow_browser_login = False

    def __init__(self) -> None:
        model = self.datamodel.obj
        rel_filters = {name: TENANT_FILTERS for name in tenant_relations(model)}
        self.add_query_rel_fields = {**rel_filters, **(self.add_query_rel_fields or {})}
        self.edit_query_rel_fields = {**rel_filters, **(self.edit_query_rel_fields or {})}
        super().__init__()

    def _init_model_schemas(self) -> None:
        super()._init_model_schemas()
        # The collectivité comes from the user (tenancy hook); only operators need to name one.
        for schema in (self.add_model_schema, self.edit_model_schema):
            if schema is not None and "collectivite" in schema.fields:
                schema.fields["collectivite"].required = False

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
        errors = self._foreign_reference()
        if errors:
            return self.response_400(message=errors)
        try:
            return call()
        except DomainError as error:
            db.session.rollback()
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
