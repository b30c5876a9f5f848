"""Correspondents manage the users of their own collectivité (never FAB's global user views)."""
from flask import g
from flask_appbuilder.models.sqla.filters import FilterInFunction
from sqlalchemy.orm import selectinload
from flask_babel import lazy_gettext as _l

from console.extensions import db
from console.mail import queue_mail
from console.tenants import api as tenants_api
from console.tenants.context import current_scope
from console.tenants.models import ConsoleUser
from console.tenants.roles import TENANT_ROLES
from console.views.lists import ScaledInterface
from console.views.base import TenantModelView

ROLE_CHOICES = [["name", FilterInFunction, lambda: list(TENANT_ROLES)]]


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
        "must_change_password": _l("Temporary password"),
    }
    list_columns = ["first_name", "last_name", "username", "email", "roles", "active"]
    show_columns = list_columns + ["collectivite", "last_login", "must_change_password"]
    add_columns = ["first_name", "last_name", "username", "email", "roles"]
    edit_columns = ["first_name", "last_name", "email", "roles", "active"]
    search_columns = ["first_name", "last_name", "username", "email", "active"]
    order_columns = ["username", "last_name"]
    base_order = ("username", "asc")
    add_form_query_rel_fields = edit_form_query_rel_fields = {"roles": ROLE_CHOICES}
    description_columns = {
        "roles": _l("A temporary password is e-mailed to the new user, to be changed at the first login."),
    }

    def pre_add(self, item: ConsoleUser) -> None:
        tenants_api.attach_user(db.session, item, current_scope())
        tenants_api.audit_user(db.session, item, created=True)

    def post_add(self, item: ConsoleUser) -> None:
        # post_add runs after the commit: the password and its e-mail are a second, small transaction.
        password = tenants_api.issue_temporary_password(item)
        queue_mail(db.session, item.email, "temporary_password", collectivite_id=item.collectivite_id,
                   user=item, password=password, created_by=g.user)
        db.session.commit()

    def pre_update(self, item: ConsoleUser) -> None:
        tenants_api.attach_user(db.session, item, current_scope())
        tenants_api.audit_user(db.session, item, created=False)
