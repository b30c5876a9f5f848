"""Security manager: users that belong to a collectivité, rate-limited logins, accounts opened by link."""
from __future__ import annotations

from flask import current_app, g, redirect, request
from flask_appbuilder.api import safe
from flask_appbuilder import expose
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import AuthDBView, UserDBModelView
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_appbuilder.utils.limit import Limit
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import logout_user
from sqlalchemy import select

from console.config import ROLE_OPERATOR
from console.display import FormattedColumns
from console.tenants.context import EVERYTHING, NOTHING, Scope, only
from console.tenants.api import set_unusable_password
from console.errors import DomainError
from console.extensions import db
from console.tenants.rules import check_password_strength
from console.tenants.models import Collectivite, ConsoleUser
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
    if user.api_scopes is not None and user.collectivite_id is None:
        return EVERYTHING  # a platform-wide API client of the partner extranet
    if not collectivite_active(user.collectivite_id):
        return NOTHING
    return only(user.collectivite_id)


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
    edit_columns = ["first_name", "last_name", "username", "active", "email", "collectivite", "roles"]
    # No timestamp filters: WTForms' DateTimeField is deprecated (and the list needs none).
    search_columns = ["first_name", "last_name", "username", "email", "collectivite", "roles", "active"]
    label_columns = {**UserDBModelView.label_columns, "collectivite": _l("Collectivité")}
    # The operator chooses no password: the new user receives a link (DESIGN: passwords).
    add_form_extra_fields: dict = {}

    def pre_add(self, item: ConsoleUser) -> None:
        set_unusable_password(item)

    def post_add(self, item: ConsoleUser) -> None:
        from console.accounts import links
        from console.views.passwords import public_base_url

        links.send_welcome_link(db.session, item, public_base_url(), created_by=g.user)
        db.session.commit()


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
    authdbview = ConsoleAuthDBView
    security_api = ConsoleSecurityApi

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
        db.session.commit()

    def _has_view_access(self, user, permission_name: str, view_name: str) -> bool:
        """FAB's role check; an API client also needs the endpoint to be one of its scopes'."""
        from console.accounts import service_accounts

        if not super()._has_view_access(user, permission_name, view_name):
            return False
        return not service_accounts.is_service_account(user) or service_accounts.allows(user, request.endpoint)

    def auth_user_db(self, username: str, password: str):
        """FAB's check, refusing users of deactivated collectivités, and API clients outside the API."""
        user = super().auth_user_db(username, password)
        if user is None:
            return None
        if user.api_scopes is not None and not request.path.startswith("/api/"):
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
