"""Flask-AppBuilder's security pages (roles, permissions, groups: operators only), each change audited.

The classes keep FAB's names so that their endpoints, URLs and permission names stay FAB's.
"""
from __future__ import annotations

from typing import Any

from flask_appbuilder.security import views as fab

from console.extensions import db
from console.tenants import api as tenants_api


class AuditedSecurityModel:
    """Adding, changing or deleting a security row records one audit event, before FAB commits."""

    def pre_add(self, item: Any) -> None:
        super().pre_add(item)
        tenants_api.audit_security(db.session, "security.add", item)

    def pre_update(self, item: Any) -> None:
        super().pre_update(item)
        tenants_api.audit_security(db.session, "security.edit", item)

    def pre_delete(self, item: Any) -> None:
        super().pre_delete(item)
        tenants_api.audit_security(db.session, "security.delete", item)


class RoleModelView(AuditedSecurityModel, fab.RoleModelView):
    pass


class UserGroupModelView(AuditedSecurityModel, fab.UserGroupModelView):
    pass


class PermissionModelView(AuditedSecurityModel, fab.PermissionModelView):
    pass


class ViewMenuModelView(AuditedSecurityModel, fab.ViewMenuModelView):
    pass


class PermissionViewModelView(AuditedSecurityModel, fab.PermissionViewModelView):
    pass
