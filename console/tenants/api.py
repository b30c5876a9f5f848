"""Writes on users: attach to a collectivité, restrict roles."""
from __future__ import annotations

import secrets
from typing import Iterable

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from console.config import ROLE_OPERATOR
from console.errors import N_, Forbidden
from console.tenants.context import Scope
from console.tenants.models import Collectivite, ConsoleUser
from console.tenants.roles import TENANT_ROLES

def check_tenant_roles(role_names: Iterable[str]) -> None:
    """A collectivité's user may only hold the collectivité roles (never Opérateur)."""
    names = set(role_names)
    if not names:
        raise Forbidden(N_("Choose at least one role."), rule="roles", field="roles")
    outside = names - set(TENANT_ROLES)
    if outside:
        raise Forbidden(
            N_("Role %(roles)s cannot be given to a collectivité's user."),
            rule="roles",
            field="roles",
            roles=", ".join(sorted(outside)),
        )


def attach_user(session: Session, user: ConsoleUser, scope: Scope) -> None:
    """Make a user created by a correspondent belong to the correspondent's collectivité."""
    check_tenant_roles(role.name for role in user.roles)
    if scope.everything:
        if user.collectivite is None and user.collectivite_id is None:
            raise Forbidden(N_("Choose the collectivité this belongs to."), rule="tenant", field="collectivite")
        return
    if scope.nothing:
        raise Forbidden(N_("You do not belong to any collectivité."), rule="tenant")
    with session.no_autoflush:  # the user is not in the session yet (FAB adds it after pre_add)
        user.collectivite = session.get(Collectivite, scope.collectivite_id)


def set_unusable_password(user: ConsoleUser) -> None:
    """A new account opens with a password nobody knows: its owner chooses one through a link."""
    user.password = generate_password_hash(secrets.token_urlsafe(32))


def find_active_user(session: Session, login: str) -> ConsoleUser | None:
    """The active user whose user name or e-mail is ``login`` (case-insensitive), if any."""
    text = (login or "").strip().lower()
    statement = select(ConsoleUser).where(
        or_(func.lower(ConsoleUser.username) == text, func.lower(ConsoleUser.email) == text),
        ConsoleUser.active.is_(True),
        ConsoleUser.api_scopes.is_(None),  # API clients have no mailbox nor password to reset
    )
    return session.scalars(statement).first()


def is_operator(user: ConsoleUser) -> bool:
    return ROLE_OPERATOR in user.role_names
