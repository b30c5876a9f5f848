"""Sessions that end: one row per sign-in, checked on every request against the user's session version.

A user's ``session_version`` goes up when their password, roles or active flag
change and when they end every other session; every session or JWT opened
under an older version is then refused. Logout ends one session server-side.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.base import NO_VALUE

from console.accounts import rules
from console.accounts.models import UserSession
from console.audit import api as audit
from console.tenants.models import ConsoleUser, utcnow

WEB = "web"
API = "api"


def bump_version(user: ConsoleUser) -> None:
    """End every session and JWT of ``user`` (they carry the old version)."""
    if user.id is None:
        return  # a new user has no session yet
    # Incremented by the database: a stale copy of the row can never write back an older version.
    user.session_version = ConsoleUser.session_version + 1


@event.listens_for(ConsoleUser.password, "set")
@event.listens_for(ConsoleUser.active, "set")
def _credentials_changed(user: ConsoleUser, value, oldvalue, _initiator) -> None:
    if oldvalue is not NO_VALUE and oldvalue is not None and value != oldvalue:
        bump_version(user)


def _roles_changed(user: ConsoleUser, _role, _initiator) -> None:
    bump_version(user)


def _watch_roles(_mapper=None, cls=ConsoleUser) -> None:
    for name in ("append", "remove"):
        if not event.contains(cls.roles, name, _roles_changed):
            event.listen(cls.roles, name, _roles_changed)


# FAB declares ``roles`` with declared_attr: it exists once the mappers are configured. They may already
# be (a query ran before this module was imported): then the listener must be set now, or a role change
# would leave the user's sessions open.
if ConsoleUser.__mapper__.configured:
    _watch_roles()
else:
    event.listen(ConsoleUser, "mapper_configured", _watch_roles)


def open_session(session: Session, user: ConsoleUser, channel: str) -> UserSession:
    now = utcnow()
    row = UserSession(user_id=user.id, channel=channel, version=user.session_version or 0, created_at=now,
                      last_seen_at=now)
    session.add(row)
    session.flush()
    return row


def live_session(session: Session, session_id: int | None, user_id: int, idle: timedelta | None,
                 lifetime: timedelta) -> UserSession | None:
    """The open session ``session_id`` of the user, its activity recorded; None when it has ended."""
    if session_id is None:
        return None
    found = session.execute(
        select(UserSession, ConsoleUser.session_version, ConsoleUser.active)
        .join(ConsoleUser, ConsoleUser.id == UserSession.user_id)
        .where(UserSession.id == session_id, UserSession.user_id == user_id)).first()
    if found is None:
        return None
    row, user_version, active = found
    return still_open(row, user_version, active, idle, lifetime)


def still_open(row: UserSession | None, user_version: int | None, active: bool, idle: timedelta | None,
               lifetime: timedelta) -> UserSession | None:
    """``row`` (read with its user) if it has not ended, its activity recorded; None when it has."""
    now = utcnow()
    if row is None or not active or not rules.session_open(row.created_at, row.last_seen_at, row.ended_at,
                                                           row.version, user_version or 0, now, idle, lifetime):
        return None
    if idle is not None and now - row.last_seen_at >= rules.ACTIVITY_RESOLUTION:
        row.last_seen_at = now
    return row


def end_session(session: Session, session_id: int | None) -> None:
    row = session.get(UserSession, session_id) if session_id is not None else None
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()


def end_other_sessions(session: Session, user: ConsoleUser, keep_id: int | None) -> None:
    """« Se déconnecter partout »: every session and JWT of the user ends, but the one asking."""
    bump_version(user)
    session.flush()
    keep = session.get(UserSession, keep_id) if keep_id is not None else None
    if keep is not None and keep.user_id == user.id:
        keep.version = user.session_version


def sign_out_elsewhere(session: Session, user: ConsoleUser, keep_id: int | None) -> None:
    """« Se déconnecter partout ailleurs », asked by the user: every other session ends, audited."""
    end_other_sessions(session, user, keep_id)
    audit.record(session, "session.end_others", user, {"username": user.username}, actor=user)
