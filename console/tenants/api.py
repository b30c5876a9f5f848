"""Writes on users: attach to a collectivité, restrict roles."""
from __future__ import annotations

import secrets
from typing import Any, Iterable, Optional

from sqlalchemy import func, inspect, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from console.audit import api as audit
from console.config import ROLE_OPERATOR
from console.errors import N_, DomainError, Forbidden, ValidationFailed, unique_refusal
from console.tenants.context import Scope
from console.tenants.models import COLLECTIVITE_UNIQUE, Collectivite, ConsoleUser
from console.tenants.roles import TENANT_ROLES
from console.tenants.rules import check_debtor_account
from console.tenants.scoping import UNSCOPED

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


def check_unique_collectivite(session: Session, row: Collectivite) -> None:
    """Name, SIREN, slug and code each belong to one collectivité: refused field by field before writing
    (the unique constraints decide a race, see ``errors.unique_refusal``)."""
    errors = {}
    with session.no_autoflush:
        for column, message in COLLECTIVITE_UNIQUE.items():
            value = getattr(row, column)
            if value is None:
                continue
            statement = select(Collectivite.id).where(getattr(Collectivite, column) == value)
            if row.id is not None:
                statement = statement.where(Collectivite.id != row.id)
            # Read unscoped: a correspondent's session sees only its own collectivité, the constraint all.
            if session.scalar(statement.limit(1), execution_options=UNSCOPED) is not None:
                errors[column] = DomainError(message, rule="unique", field=column)
    if errors:
        raise ValidationFailed(errors)


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


# --- audit of users, collectivités, passwords and sign-ins ------------------------------------------

USER_FIELDS = ("first_name", "last_name", "username", "email", "active", "collectivite_id")


def audit_user(session: Session, user: ConsoleUser, created: bool) -> None:
    """One event per creation or change of a user: a role change or a deactivation is named as such."""
    if created:
        audit.record(session, "user.create", user, {"username": user.username,
                                                    "roles": sorted(role.name for role in user.roles)})
        return
    roles = inspect(user).attrs.roles.history
    changes = audit.changed_fields(user, USER_FIELDS)
    action = "user.update"
    if roles.added or roles.deleted:
        action = "user.role_change"
        changes["roles"] = [sorted(role.name for role in (*roles.unchanged, *roles.deleted)),
                            sorted(role.name for role in user.roles)]
    elif changes.get("active") == [True, False]:
        action = "user.deactivate"
    audit.record(session, action, user, {"username": user.username, "changes": changes})


def save_collectivite(session: Session, collectivite: Collectivite, created: bool) -> None:
    """The form and the API alike: name, SIREN, slug, code and debtor account checked, then the change audited (its flush is
    the write: a race past the check gets the same refusal from the unique constraint)."""
    check_unique_collectivite(session, collectivite)
    collectivite.debtor_name, collectivite.debtor_iban, collectivite.debtor_bic = check_debtor_account(
        collectivite.debtor_name, collectivite.debtor_iban, collectivite.debtor_bic)
    try:
        audit_collectivite(session, collectivite, created)
    except IntegrityError as error:
        raise unique_refusal(error) from error


def audit_collectivite(session: Session, collectivite: Collectivite, created: bool) -> None:
    """A collectivité created or changed by an operator."""
    if created:
        audit.record(session, "collectivite.create", collectivite, {"name": collectivite.name,
                                                                    "slug": collectivite.slug})
    else:
        audit.record(session, "collectivite.update", collectivite,
                     {"changes": audit.changed_fields(collectivite)})


def audit_password_set(session: Session, user: ConsoleUser, actor: ConsoleUser | None) -> None:
    """A user chose their password, or an operator reset someone else's."""
    own = actor is not None and actor.id == user.id
    audit.record(session, "password.change" if own else "password.reset", user, {"username": user.username},
                 actor=actor)


def audit_login(session: Session, login: str, user: ConsoleUser | None, succeeded: bool, channel: str) -> None:
    """A sign-in or a failed one; a failure on an existing account goes to that account's collectivité."""
    details = {"login": (login or "")[:100], "channel": channel}
    if succeeded:
        audit.record(session, "login.success", user, details, actor=user)
    else:
        audit.record(session, "login.failed", user, details, actor=None,
                     collectivite_id=user.collectivite_id if user is not None else None)


def audit_security(session: Session, action: str, item: Any, before: Optional[dict[str, Any]] = None,
                   fields: Iterable[str] = ()) -> None:
    """A row of FAB's security model (role, permission, group, user) added, changed or deleted by an operator;
    a change (``before``: its ``security_snapshot`` of ``fields``) names each changed field before/after."""
    details: dict[str, Any] = {"model": item.__tablename__, "name": str(item)}
    if before is not None:
        after = security_snapshot(item, fields)
        details["changes"] = {name: [before.get(name), value] for name, value in after.items()
                              if before.get(name) != value}
    audit.record(session, action, item, details)


def security_snapshot(item: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The values of a security row's form fields, collections as sorted names (a role's permissions...).

    Taken before the form fills the row: loading a collection while the form fills it flushes the row, which
    leaves no history to compare."""
    snapshot: dict[str, Any] = {}
    for name in fields:
        value = getattr(item, name, None)
        if isinstance(value, (list, set, tuple)):  # SQLAlchemy's collections are lists or sets
            value = sorted(str(row) for row in value)
        snapshot[name] = value
    return snapshot


ROLE_NAME_SIZE = 64  # ab_role.name


def copy_role(session: Session, role: Any) -> Any:
    """Flask-AppBuilder's « Copy Role » action: a role « <name> copy » holding the same permissions, audited.
    A name already taken (or too long) is refused before writing."""
    name = f"{role.name} copy"
    if len(name) > ROLE_NAME_SIZE:
        raise DomainError(N_("The copy's name « %(name)s » is longer than %(size)s characters."), rule="role",
                          field="name", name=name, size=ROLE_NAME_SIZE)
    if session.scalar(select(type(role).id).where(type(role).name == name)) is not None:
        raise DomainError(N_("A role named « %(name)s » already exists."), rule="unique", field="name", name=name)
    copy = type(role)(name=name, permissions=list(role.permissions))
    session.add(copy)
    session.flush()
    audit.record(session, "role.copy", copy, {"model": copy.__tablename__, "name": name, "copied_from": role.name,
                                              "permissions": sorted(str(p) for p in role.permissions)})
    return copy
