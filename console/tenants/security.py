"""Security manager: users that belong to a collectivité, rate-limited logins, accounts opened by link."""
from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from flask import current_app, flash, g, has_request_context, redirect, request
from flask_appbuilder.api import safe
from flask_appbuilder import expose
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security import views as fab_views
from flask_appbuilder.security.views import AuthDBView, UserDBModelView
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_appbuilder.utils.limit import Limit
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError
from flask_limiter.util import get_remote_address
from flask_login import logout_user
from sqlalchemy import Select, and_, bindparam, inspect, select
from sqlalchemy.orm import joinedload

from console.config import ROLE_OPERATOR
from console.display import FormattedColumns
from console.openapi import DocumentedResponses
from console.tenants.context import EVERYTHING, NOTHING, Scope, only
from console.tenants import api as tenants_api
from console.tenants import security_views
from console.tenants.api import set_unusable_password
from console.errors import DomainError
from console.extensions import db
from console.tenants.rules import check_password_strength
from console.tenants.models import Collectivite, ConsoleUser
from console.tenants.scoping import UNSCOPED

if TYPE_CHECKING:
    from console.accounts.models import UserSession


def password_complexity(password: str) -> None:
    """FAB's password-form hook, calling the console's rule."""
    try:
        check_password_strength(password)
    except DomainError as error:
        raise PasswordComplexityValidationError(str(error)) from error


def through_api() -> bool:
    """Whether the current request is a call of the REST API (never outside a request)."""
    return has_request_context() and request.path.startswith("/api/")


def collectivite_active(user: ConsoleUser) -> bool:
    """Whether the user's collectivité exists and is active: from the row loaded with the user
    (``load_user``, no query), else read unscoped (it decides the scope; a sign-in has none yet)."""
    if "collectivite" in inspect(user).dict:
        return user.collectivite is not None and user.collectivite.active
    if user.collectivite_id is None:
        return False
    statement = select(Collectivite.active).where(Collectivite.id == user.collectivite_id)
    return bool(db.session.execute(statement, execution_options=UNSCOPED).scalar_one_or_none())


def scope_for_user(user: ConsoleUser | None) -> Scope:
    """Operators see everything; others their active collectivité; anyone else nothing."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if ROLE_OPERATOR in user.role_names:
        return EVERYTHING
    if user.api_scopes is not None and user.collectivite_id is None:
        return EVERYTHING  # a platform-wide API client of the partner extranet
    if not collectivite_active(user):
        return NOTHING
    return only(user.collectivite_id)


def load_user_once(user_id: int,
                   session_id: int | None = None) -> tuple[ConsoleUser | None, "UserSession | None"]:
    """The request's user with its roles, groups and collectivité, and the row of the session
    ``session_id`` when it is this user's (else None), in one unscoped statement.

    Unscoped: it decides the scope, and a scoped query would call the scope's
    resolver, which asks Flask-Login for this very user (a second load). Existing
    copies are refreshed: the session check needs the stored session version.
    """
    found = db.session.execute(_user_statement(), {"user_id": user_id, "session_id": session_id or 0},
                               execution_options={**UNSCOPED, "populate_existing": True})
    row = found.unique().first()
    return (row[0], row[1]) if row is not None else (None, None)


@cache
def _user_statement() -> Select:
    """``load_user_once``'s statement, built once with its ids as parameters: every request runs it, and
    SQLAlchemy computes the cache key of a newly built statement by walking it (its joins and eager loads),
    ~0.5 ms a request; a statement built once keeps its key."""
    from console.accounts.models import UserSession  # accounts sits above tenants

    return (select(ConsoleUser, UserSession).where(ConsoleUser.id == bindparam("user_id"))
            .outerjoin(UserSession, and_(UserSession.id == bindparam("session_id"),
                                         UserSession.user_id == ConsoleUser.id))
            .options(joinedload(ConsoleUser.roles), joinedload(ConsoleUser.groups),
                     joinedload(ConsoleUser.collectivite)))


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


class ConsoleSecurityApi(DocumentedResponses, SecurityApi):
    """JWT login at /api/v1/security/login, limited per client address like the web login, with the
    second factor in ``totp`` when the user has one or their role requires one."""

    limits = [
        Limit(
            lambda: current_app.config["AUTH_RATE_LIMIT"],
            key_func=get_remote_address,
            methods=["POST"],
        )
    ]

    @expose("/login", methods=["POST"])
    @safe
    def login(self):
        """Sign in and get a JWT
        ---
        post:
          description: >-
            {"username", "password", "provider": "db", "refresh": true, "totp": "123456"}; totp is the
            authenticator code (or a recovery code), required when the account has a second factor
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
          responses:
            200: {description: access_token (and refresh_token)}
            400: {description: Bad request}
            401: {description: Wrong credentials or second factor}
        """
        from flask_appbuilder.security.schemas import login_post
        from flask_jwt_extended import create_access_token, create_refresh_token
        from marshmallow import ValidationError

        from console.accounts import rules, totp

        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_400(message="Request payload is not JSON")
        code = body.pop("totp", None)
        try:
            payload = login_post.load(body)
        except ValidationError as error:
            return self.response_400(message=error.messages)
        if payload["provider"] != "db":
            return self.response_400(message="provider must be db")
        user = self.appbuilder.sm.auth_user_db(payload["username"], payload["password"])
        if not user:
            return self.response_401()
        if totp.enabled(user):
            if not totp.verify(db.session, user, str(code or "")):
                db.session.rollback()
                return self.response_401()
            db.session.commit()
        elif rules.second_factor_required(user.role_names, current_app.config["CONSOLE_TOTP_ROLES"]):
            return self.response(401, message="Set up the second factor in the console first.")
        tokens = {"access_token": create_access_token(identity=str(user.id), fresh=True)}
        if payload.get("refresh"):
            tokens["refresh_token"] = create_refresh_token(identity=str(user.id))
        return self.response(200, **tokens)


def roles_required(form, field) -> None:
    """FAB's check names a « groups » field that the console's user form does not have (a 500)."""
    if not field.data:
        raise ValidationError(_l("Choose at least one role."))


class ConsoleUserDBModelView(FormattedColumns, UserDBModelView):
    """Operators' view of every user, with the collectivité each belongs to."""

    list_columns = ["first_name", "last_name", "username", "email", "collectivite", "roles", "active"]
    show_columns = list_columns + ["last_login", "login_count", "created_on"]
    add_columns = [
        "first_name",
        "last_name",
        "username",
        "active",
        "email",
        "collectivite",
        "roles",
    ]
    # The login never changes once created: history rows name who acted by it (users are never deleted).
    edit_columns = ["first_name", "last_name", "active", "email", "collectivite", "roles"]
    # No timestamp filters: WTForms' DateTimeField is deprecated (and the list needs none).
    search_columns = ["first_name", "last_name", "username", "email", "collectivite", "roles", "active"]
    validators_columns = {"roles": [roles_required]}
    label_columns = {**UserDBModelView.label_columns, "collectivite": _l("Collectivité")}
    # The operator chooses no password: the new user receives a link (DESIGN: passwords).
    add_form_extra_fields: dict = {}

    def post_add(self, item: ConsoleUser) -> None:
        from console.accounts import links
        from console.views.passwords import public_base_url

        links.send_welcome_link(db.session, item, public_base_url(), created_by=g.user)
        db.session.commit()

    def __init__(self, **kwargs) -> None:
        from console.views.choices import collectivite_filter  # the views import this module
        from console.views.list_table import ListTable
        from console.views.search_form import KeptSearchWidget

        self.search_widget, self.list_widget = KeptSearchWidget, ListTable
        # An operator's hundred collectivités: the filter searches as the user types.
        self.search_form_extra_fields = {"collectivite": collectivite_filter()}
        super().__init__(**kwargs)
        # DESIGN « retention »: users are deactivated, never deleted — whoever acted stays named in the
        # history. Without the permission, FAB's delete route and bulk action answer « access denied ».
        self.base_permissions = [name for name in self.base_permissions if "delete" not in name]

    def pre_add(self, item: ConsoleUser) -> None:
        set_unusable_password(item)
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
    """FAB's login page, with the « Mot de passe oublié ? » link; logout is a POST (CSRF) that ends the
    session server-side (a GET does nothing: no image tag can sign anyone out)."""

    login_template = "console/login.html"

    @expose("/logout/", methods=["POST"])
    def logout(self):
        from flask import session

        from console.accounts import sessions, web

        sessions.end_session(db.session, session.get(web.SESSION_KEY))
        db.session.commit()
        logout_user()
        session.clear()
        return redirect(self.appbuilder.get_url_for_login)


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
    # FAB's login-count chart needs scripts from the internet and its search form fails: not offered.
    userstatschartview = None

    def load_user(self, pk: int):
        """Flask-Login's and the JWT's user loader: one statement per request with the session check (FAB's
        takes three, without one)."""
        from console.accounts import web

        user = web.request_user(int(pk))
        return user if user is not None and user.is_active else None

    def is_item_public(self, permission_name: str, view_name: str) -> bool:
        """Checked in memory like every console role: the public role's database row holds no permission
        (``console init`` creates it empty), and FAB would query it before every API call."""
        return self._builtin_role_allows(self.auth_role_public, permission_name, view_name)

    def _has_access_builtin_roles(self, role, permission_name: str, view_name: str) -> bool:
        return self._builtin_role_allows(role.name, permission_name, view_name)

    def _builtin_role_allows(self, role_name: str, permission_name: str, view_name: str) -> bool:
        """FAB's check of a built-in role, remembered for the life of the process.

        FAB matches the (permission, view) pair against every regular expression of the role's
        ``FAB_ROLES`` entry on each call: ~700 ``re.match`` per page (the menu asks for each item), a tenth
        of a list page's CPU. The answer depends only on that configuration, fixed when the application
        starts, so it is safe to keep; which roles a user holds is still read from the request's user on
        every request, so a role change takes effect at the next request. The keys are the application's
        own permission and view names (a few hundred); the cap only bounds a misuse.
        """
        cache = self.__dict__.setdefault("_builtin_answers", {})
        key = (role_name, permission_name, view_name)
        answer = cache.get(key)
        if answer is None:
            if len(cache) >= 20_000:
                cache.clear()
            role = type("BuiltinRole", (), {"name": role_name})()
            answer = cache[key] = super()._has_access_builtin_roles(role, permission_name, view_name)
        return answer

    def create_jwt_manager(self, app):
        """FAB's JWT manager; each token carries its session and the user's session version."""
        from console.accounts import web

        manager = super().create_jwt_manager(app)
        manager.additional_claims_loader(web.jwt_claims)
        manager.token_in_blocklist_loader(web.jwt_revoked)
        return manager

    def reset_password(self, userid: int, password: str) -> None:
        """A password change ends every other session and JWT of the user (the current one stays)."""
        from console.accounts import sessions, web

        super().reset_password(userid, password)
        user = self.get_user_by_id(userid)
        keep = web.current_session_id() if getattr(g.user, "id", None) == userid else None
        sessions.end_other_sessions(db.session, user, keep)
        tenants_api.audit_password_set(db.session, user, g.get("user"))
        db.session.commit()

    def has_access(self, permission_name: str, view_name: str) -> bool:
        """FAB's check, answered once per request for each (permission, view, user): a list asks the same
        question for every row's buttons. ``g`` lives for one request; the user's identity and whether it is
        signed in are part of the key, so signing in or out within a request asks again."""
        if not has_request_context():
            return super().has_access(permission_name, view_name)
        answers = g.setdefault("console_access_answers", {})
        user = g.get("user")
        key = (permission_name, view_name, getattr(user, "id", None), getattr(user, "is_authenticated", False))
        answer = answers.get(key)
        if answer is None:
            answer = answers[key] = super().has_access(permission_name, view_name)
        return answer

    def _has_view_access(self, user, permission_name: str, view_name: str) -> bool:
        """FAB's role check; an API client also needs the endpoint to be one of its scopes'."""
        from console.accounts import service_accounts

        if not super()._has_view_access(user, permission_name, view_name):
            return False
        return not service_accounts.is_service_account(user) or service_accounts.allows(user, request.endpoint)

    def auth_user_db(self, username: str, password: str):
        """FAB's check, then the console's; every sign-in and every failure is audited."""
        user = self._checked_user(username, password)
        known = user or tenants_api.find_active_user(db.session, username or "")
        channel = "api" if through_api() else "web"
        tenants_api.audit_login(db.session, username, known, user is not None, channel)
        db.session.commit()
        return user

    def _checked_user(self, username: str, password: str):
        """FAB's check, refusing users of deactivated collectivités, and API clients outside the API."""
        user = super().auth_user_db(username, password)
        if user is None:
            return None
        if user.api_scopes is not None and not through_api():
            return None
        if scope_for_user(user).nothing:  # a collectivité's user whose collectivité is deactivated
            return None
        return user


def exempt_apis_from_csrf(appbuilder, csrf) -> None:
    """JWT APIs take no cookie (allow_browser_login is off), so CSRF does not apply to them."""
    from flask_appbuilder.api import BaseApi

    for view in appbuilder.baseviews:
        if isinstance(view, BaseApi) and view.blueprint is not None:
            csrf.exempt(view.blueprint)
