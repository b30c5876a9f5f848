"""Correspondents manage the users of their own collectivité (never FAB's global user views)."""
from flask import g
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import FilterInFunction
from sqlalchemy.orm import selectinload
from flask_babel import lazy_gettext as _l

from console.extensions import db
from console.accounts import links
from console.tenants import api as tenants_api
from console.tenants.context import current_scope
from console.tenants.models import ConsoleUser
from console.tenants.roles import TENANT_ROLES
from console.views.lists import ScaledInterface
from console.views.base import TENANT_FILTERS, TenantModelView
from console.views.passwords import public_base_url

ROLE_CHOICES = [["name", FilterInFunction, lambda: list(TENANT_ROLES)]]


class PeopleFilter(BaseFilter):
    """People only: the collectivité's API clients are the operator's (ApiClientsView)."""

    name = "People"
    arg_name = "people"

    def apply(self, query, value):
        return query.filter(ConsoleUser.api_scopes.is_(None))


class TenantUserView(TenantModelView):
    datamodel = ScaledInterface(ConsoleUser, eager=[selectinload(ConsoleUser.roles)])
    class_permission_name = "TenantUser"
    list_title = _l("Users of the collectivité")
    show_title = _l("User")
    add_title = _l("New user")
    edit_title = _l("Edit user")
    label_columns = {
        "first_name": _l("First name"),
        "last_name": _l("Last name"),
        "username": _l("User name"),
        "email": _l("E-mail"),
        "roles": _l("Roles"),
        "active": _l("Active"),
        "collectivite": _l("Collectivité"),
        "last_login": _l("Last login"),
    }
    list_columns = ["first_name", "last_name", "username", "email", "roles", "active"]
    show_columns = list_columns + ["collectivite", "last_login"]
    add_columns = ["first_name", "last_name", "username", "email", "roles"]
    edit_columns = ["first_name", "last_name", "email", "roles", "active"]
    search_columns = ["first_name", "last_name", "username", "email", "active"]
    order_columns = ["username", "last_name"]
    base_order = ("username", "asc")
    add_form_query_rel_fields = edit_form_query_rel_fields = {"roles": ROLE_CHOICES}
    base_filters = TENANT_FILTERS + [["id", PeopleFilter, None]]
    description_columns = {
        "roles": _l("The new user receives an e-mail with a link to choose their password."),
    }

    def pre_add(self, item: ConsoleUser) -> None:
        tenants_api.attach_user(db.session, item, current_scope())
        tenants_api.set_unusable_password(item)
        tenants_api.audit_user(db.session, item, created=True)

    def post_add(self, item: ConsoleUser) -> None:
        # post_add runs after the commit: the link and its e-mail are a second, small transaction.
        links.send_welcome_link(db.session, item, public_base_url(), created_by=g.user)
        db.session.commit()

    def pre_update(self, item: ConsoleUser) -> None:
        tenants_api.attach_user(db.session, item, current_scope())
        tenants_api.audit_user(db.session, item, created=False)
