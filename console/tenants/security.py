"""Security manager: users that belong to a collectivité, rate-limited logins, temporary passwords."""
from __future__ import annotations

from flask import current_app, flash, g, request
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security import views as fab_views
from flask_appbuilder.security.views import AuthDBView, UserDBModelView
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_appbuilder.utils.limit import Limit
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError
from flask_limiter.util import get_remote_address
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from console.config import ROLE_OPERATOR
from console.display import FormattedColumns
from console.tenants.context import EVERYTHING, NOTHING, Scope, only
from console.tenants import api as tenants_api
from console.tenants import security_views
from console.tenants.api import clear_temporary_password
from console.errors import DomainError
from console.extensions import db
from console.tenants.rules import check_password_strength
from console.tenants.models import Collectivite, ConsoleUser, utcnow
from console.tenants.scoping import UNSCOPED


def password_complexity(password: str) -> None:
    """FAB's password-form hook, calling the console's rule."""
    try:
        check_password_strength(password)
    except DomainError as error:
        raise PasswordComplexityValidationError(str(error)) from error


def collectivite_active(collectivite_id: int | None) -> bool:
    """Whether the collectivité exists and is active (read unscoped: it decides the scope)."""
    if collectivite_id is None:
        return False
    statement = select(Collectivite.active).where(Collectivite.id == collectivite_id)
    return bool(db.session.execute(statement, execution_options=UNSCOPED).scalar_one_or_none())


def scope_for_user(user: ConsoleUser | None) -> Scope:
    """Operators see everything; others their active collectivité; anyone else nothing."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if ROLE_OPERATOR in user.role_names:
        return EVERYTHING
    # The collectivité was loaded with the user (ConsoleSecurityManager.load_user): no query here.
    if user.collectivite is None or not user.collectivite.active:
        return NOTHING
    return only(user.collectivite_id)


def load_user_once(user_id: int) -> ConsoleUser | None:
    """The request's user with its roles, groups and collectivité, in one unscoped statement.

    Unscoped: it decides the scope, and a scoped query would call the scope's
    resolver, which asks Flask-Login for this very user (a second load).
    """
    statement = (select(ConsoleUser).where(ConsoleUser.id == user_id)
                 .options(joinedload(ConsoleUser.roles), joinedload(ConsoleUser.groups),
                          joinedload(ConsoleUser.collectivite)))
    return db.session.execute(statement, execution_options=UNSCOPED).unique().scalar_one_or_none()


def request_scope() -> Scope | None:
    """The scope of the user of the current request (cached for the request)."""
    from flask import has_request_context

    if not has_request_context():
        return None
    if "tenant_scope" in g:
        return g.tenant_scope
    user = g.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None  # not cached: the JWT may not be verified yet
    g.tenant_scope = scope_for_user(user)
    return g.tenant_scope


class ConsoleSecurityApi(SecurityApi):
    """JWT login at /api/v1/security/login, limited per client address like the web login."""

    limits = [
        Limit(
            lambda: current_app.config["AUTH_RATE_LIMIT"],
            key_func=get_remote_address,
            methods=["POST"],
        )
    ]


def roles_required(form, field) -> None:
    """FAB's check names a « groups » field that the console's user form does not have (a 500)."""
    if not field.data:
        raise ValidationError(_l("Choose at least one role."))


class ConsoleUserDBModelView(FormattedColumns, UserDBModelView):
    """Operators' view of every user, with the collectivité each belongs to."""

    list_columns = ["first_name", "last_name", "username", "email", "collectivite", "roles", "active"]
    show_columns = list_columns + ["must_change_password", "last_login", "login_count", "created_on"]
    add_columns = [
        "first_name",
        "last_name",
        "username",
        "active",
        "email",
        "collectivite",
        "roles",
        "password",
        "conf_password",
    ]
    # The login never changes once created: history rows name who acted by it (users are never deleted).
    edit_columns = ["first_name", "last_name", "active", "email", "collectivite", "roles"]
    # No timestamp filters: WTForms' DateTimeField is deprecated (and the list needs none).
    search_columns = ["first_name", "last_name", "username", "email", "collectivite", "roles", "active"]
    validators_columns = {"roles": [roles_required]}
    label_columns = {**UserDBModelView.label_columns, "collectivite": _l("Collectivité"),
                     "must_change_password": _l("Temporary password")}

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        # DESIGN « retention »: users are deactivated, never deleted — whoever acted stays named in the
        # history. Without the permission, FAB's delete route and bulk action answer « access denied ».
        self.base_permissions = [name for name in self.base_permissions if "delete" not in name]

    def pre_add(self, item: ConsoleUser) -> None:
        super().pre_add(item)
        tenants_api.audit_user(db.session, item, created=True)

    def pre_update(self, item: ConsoleUser) -> None:
        super().pre_update(item)
        tenants_api.audit_user(db.session, item, created=False)


class UserInfoEditView(fab_views.UserInfoEditView):
    """FAB's « edit my information » form, its change audited before FAB commits it (same class name as
    FAB's, so that its endpoint, URL and permission stay FAB's)."""

    def form_post(self, form) -> None:
        item = self.appbuilder.sm.get_user_by_id(g.user.id)
        self.form.refresh(request.form).populate_obj(item)
        tenants_api.audit_user(db.session, item, created=False)
        self.appbuilder.sm.update_user(item)
        flash(str(self.message), "info")


class ConsoleAuthDBView(AuthDBView):
    """FAB's login page, with the « Mot de passe oublié ? » link."""

    login_template = "console/login.html"


class ConsoleSecurityManager(SecurityManager):
    user_model = ConsoleUser
    userdbmodelview = ConsoleUserDBModelView
    # FAB's login-count chart: its search form needs WTForms' deprecated DateTimeField and its /chart/<n>
    # route fails on an unknown n; the console does not register it.
    userstatschartview = None
    authdbview = ConsoleAuthDBView
    userinfoeditview = UserInfoEditView
    rolemodelview = security_views.RoleModelView
    groupmodelview = security_views.UserGroupModelView
    permissionmodelview = security_views.PermissionModelView
    viewmenumodelview = security_views.ViewMenuModelView
    permissionviewmodelview = security_views.PermissionViewModelView
    security_api = ConsoleSecurityApi

    def load_user(self, pk: int):
        """Flask-Login's and the JWT's user loader: one statement per request (FAB's takes three)."""
        user = load_user_once(int(pk))
        return user if user is not None and user.is_active else None

    def is_item_public(self, permission_name: str, view_name: str) -> bool:
        """Checked in memory like every console role: the public role's database row holds no permission
        (``console init`` creates it empty), and FAB would query it before every API call."""
        role = type("PublicRole", (), {"name": self.auth_role_public})()
        return self._has_access_builtin_roles(role, permission_name, view_name)

    def auth_user_db(self, username: str, password: str):
        """FAB's check, then the console's; every sign-in and every failure is audited."""
        user = self._checked_user(username, password)
        known = user or tenants_api.find_active_user(db.session, username or "")
        channel = "api" if request.path.startswith("/api/") else "web"
        tenants_api.audit_login(db.session, username, known, user is not None, channel)
        db.session.commit()
        return user

    def _checked_user(self, username: str, password: str):
        """FAB's check, refusing expired temporary passwords and deactivated collectivités."""
        user = super().auth_user_db(username, password)
        if user is None:
            return None
        if user.must_change_password:
            # A temporary password opens only the web page where it is replaced, and not for ever.
            if request.path.startswith("/api/") or (user.password_expires_at and user.password_expires_at < utcnow()):
                return None
        if ROLE_OPERATOR not in user.role_names and not collectivite_active(user.collectivite_id):
            return None
        return user

    def reset_password(self, userid: int, password: str) -> None:
        """The user chose a password: it is no longer temporary."""
        user = self.get_user_by_id(userid)
        clear_temporary_password(user)
        tenants_api.audit_password_set(db.session, user, g.get("user"))
        super().reset_password(userid, password)


def exempt_apis_from_csrf(appbuilder, csrf) -> None:
    """JWT APIs take no cookie (allow_browser_login is off), so CSRF does not apply to them."""
    from flask_appbuilder.api import BaseApi

    for view in appbuilder.baseviews:
        if isinstance(view, BaseApi) and view.blueprint is not None:
            csrf.exempt(view.blueprint)


# Endpoints a user with a temporary password may still reach.
_TEMPORARY_PASSWORD_ENDPOINTS = {
    "ResetMyPasswordView.this_form_get",
    "ResetMyPasswordView.this_form_post",
    "ConsoleAuthDBView.logout",
    "appbuilder.static",
    "static",
}


def install_password_guard(app) -> None:
    """A temporary password must be changed before anything else (DESIGN: passwords)."""
    from flask import redirect, url_for
    from flask_babel import gettext
    from flask_login import current_user
    from flask import flash

    @app.before_request
    def _require_new_password():
        user = current_user
        if not getattr(user, "is_authenticated", False) or not getattr(user, "must_change_password", False):
            return None
        if request.endpoint in _TEMPORARY_PASSWORD_ENDPOINTS or request.path.startswith("/api/"):
            return None
        flash(gettext("Your password is temporary: choose a new one to continue."), "warning")
        return redirect(url_for("ResetMyPasswordView.this_form_get"))
