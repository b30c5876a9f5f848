"""Flask-AppBuilder's security pages (roles, permissions, groups: operators only), each change audited.

The classes keep FAB's names so that their endpoints, URLs and permission names stay FAB's.
"""
from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, request
from flask_appbuilder.actions import action
from flask_appbuilder.security import views as fab
from flask_babel import lazy_gettext

from console.errors import DomainError
from console.extensions import db
from console.tenants import api as tenants_api


class AuditedSecurityModel:
    """Adding, changing or deleting a security row records one audit event, before FAB commits; a change
    names the form's fields it changed, before and after."""

    list_table = "ListTable"  # its list widget, of console.views.list_table

    def __init__(self, **kwargs: Any) -> None:
        from console.views import list_table  # the views package imports this module

        self.list_widget = getattr(list_table, self.list_table)
        super().__init__(**kwargs)

    def pre_add(self, item: Any) -> None:
        super().pre_add(item)
        tenants_api.audit_security(db.session, "security.add", item)

    def process_form(self, form: Any, is_created: bool) -> None:
        # Called by FAB's edit before the form fills the row (the row is already in the session).
        super().process_form(form, is_created)
        if not is_created:
            item = self.datamodel.get(request.view_args["pk"], self._base_filters)
            g.security_before = tenants_api.security_snapshot(item, self.edit_columns)

    def pre_update(self, item: Any) -> None:
        super().pre_update(item)
        tenants_api.audit_security(db.session, "security.edit", item, g.get("security_before", {}),
                                   self.edit_columns)

    def pre_delete(self, item: Any) -> None:
        super().pre_delete(item)
        tenants_api.audit_security(db.session, "security.delete", item)


class RoleModelView(AuditedSecurityModel, fab.RoleModelView):
    list_table = "BuiltinRolesTable"

    # FAB's bulk « Copy Role » adds rows through the data model, past pre_add: copied through the console's
    # api instead, one audited event per copy, one commit for the whole action.
    @action("copyrole", lazy_gettext("Copy Role"), lazy_gettext("Copy the selected roles?"), icon="fa-copy",
            single=False)
    def copy_role(self, items: Any):
        self.update_redirect()
        try:
            for item in items if isinstance(items, list) else [items]:
                tenants_api.copy_role(db.session, item)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "danger")
        return redirect(self.get_redirect())


class UserGroupModelView(AuditedSecurityModel, fab.UserGroupModelView):
    pass


class PermissionModelView(AuditedSecurityModel, fab.PermissionModelView):
    pass


class ViewMenuModelView(AuditedSecurityModel, fab.ViewMenuModelView):
    pass


class PermissionViewModelView(AuditedSecurityModel, fab.PermissionViewModelView):
    pass
