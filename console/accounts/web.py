"""Sessions in the web layer: open one at each sign-in, check it on every request, carry it in JWTs."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, logout_user, user_logged_in

from console.accounts import rules, sessions, totp
from console.extensions import db
from console.tenants.models import ConsoleUser

SESSION_KEY = "sid"
#: Set in the web session once the second factor was given (or is not needed).
SECOND_FACTOR_KEY = "2fa"
#: Requests that need no session check (no data, no query).
_UNCHECKED = {"static", "appbuilder.static"}
# Kept on the request, not on g: an application context (and its g) can span several
# requests when one was already pushed (tests, scripts).
_JWT_SESSION_KEY = "console.jwt_session"  # claims of the session a login opens
_JWT_SESSION_ID_KEY = "console.jwt_session_id"  # session of the JWT this request carries
_USER_KEY = "console.user"  # the request's user, read with its session row
_SESSION_ROW_KEY = "console.session_row"  # that row (None: no such session of this user)
#: What a signed-in user who still owes the second factor may reach.
_BEFORE_SECOND_FACTOR = {"TwoFactorView.verify", "TwoFactorView.enrol", "ConsoleAuthDBView.logout"}


def idle_timeout() -> timedelta:
    return timedelta(minutes=current_app.config["CONSOLE_SESSION_IDLE_MINUTES"])


def lifetime() -> timedelta:
    return timedelta(hours=current_app.config["CONSOLE_SESSION_LIFETIME_HOURS"])


def current_session_id() -> int | None:
    """The session of this request: the web cookie's, or the JWT's."""
    return request.environ.get(_JWT_SESSION_ID_KEY) or session.get(SESSION_KEY)


def _opened(_app: Flask, user: ConsoleUser, **_kwargs) -> None:
    row = sessions.open_session(db.session, user, sessions.WEB)
    db.session.commit()
    session[SESSION_KEY] = row.id


def install(app: Flask) -> None:
    """Every web request of a signed-in user goes through its session's check."""
    user_logged_in.connect(_opened, app)

    @app.before_request
    def _check_web_session():
        if request.endpoint in _UNCHECKED or request.path.startswith("/api/") or "_user_id" not in session:
            return None
        user = current_user
        if not getattr(user, "is_authenticated", False):
            return None
        if _SESSION_ROW_KEY in request.environ:  # read with the user: no statement of its own
            row = sessions.still_open(request.environ[_SESSION_ROW_KEY], user.session_version, user.active,
                                      idle_timeout(), lifetime())
        else:  # the user was not loaded by this request (an application context spanning requests)
            row = sessions.live_session(db.session, session.get(SESSION_KEY), user.id, idle_timeout(),
                                        lifetime())
        if db.session.dirty:  # its activity moved on (once a minute at most): a commit would reload the user
            db.session.commit()
        if row is not None:
            return _require_second_factor(user)
        logout_user()
        session.clear()
        flash(gettext("Your session has ended: sign in again."), "warning")
        return redirect(url_for("ConsoleAuthDBView.login"))


def request_user(user_id: int) -> ConsoleUser | None:
    """The user of this request and the row of the session it carries (the web cookie's; a JWT's is read
    by ``jwt_revoked`` before the user is asked for), in one statement, once per request."""
    from console.tenants.security import load_user_once  # the security manager calls this module

    loaded = request.environ.get(_USER_KEY)
    if loaded is not None and loaded.id == user_id:
        return loaded
    session_id = None if request.path.startswith("/api/") else session.get(SESSION_KEY)
    user, row = load_user_once(user_id, session_id)
    request.environ[_USER_KEY], request.environ[_SESSION_ROW_KEY] = user, row
    return user


def second_factor_due(user: ConsoleUser) -> str | None:
    """"verify" when the user must give a code, "enrol" when their role requires one they have not set."""
    if totp.enabled(user):
        return "verify"
    if rules.second_factor_required(user.role_names, current_app.config["CONSOLE_TOTP_ROLES"]):
        return "enrol"
    return None


def _require_second_factor(user: ConsoleUser):
    if session.get(SECOND_FACTOR_KEY) or request.endpoint in _BEFORE_SECOND_FACTOR:
        return None
    due = second_factor_due(user)
    if due is None:
        session[SECOND_FACTOR_KEY] = True
        return None
    return redirect(url_for(f"TwoFactorView.{due}"))


def jwt_claims(identity: str) -> dict:
    """Claims of a new JWT: its session and the user's session version (refreshes keep them)."""
    from flask_jwt_extended import get_jwt

    if request.endpoint and request.endpoint.endswith(".refresh"):
        claims = get_jwt()
        return {"sid": claims.get("sid"), "sv": claims.get("sv")}
    # The access and refresh tokens of one login share one session.
    opened = request.environ.get(_JWT_SESSION_KEY)
    if opened is None:
        user = db.session.get(ConsoleUser, int(identity))
        row = sessions.open_session(db.session, user, sessions.API)
        db.session.commit()
        opened = request.environ[_JWT_SESSION_KEY] = {"sid": row.id, "sv": row.version}
    return opened


def jwt_revoked(_header: dict, payload: dict) -> bool:
    """A JWT whose session ended (logout, time, newer session version) is refused. Its user is read with
    the session row, and kept for the user look-up that follows (one statement for both)."""
    from console.tenants.security import load_user_once

    user, row = load_user_once(int(payload["sub"]), payload.get("sid"))
    request.environ[_USER_KEY], request.environ[_SESSION_ROW_KEY] = user, row
    if user is None or sessions.still_open(row, user.session_version, user.active, None, lifetime()) is None:
        return True
    request.environ[_JWT_SESSION_ID_KEY] = row.id
    return False
