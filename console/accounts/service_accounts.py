"""API clients of the partner extranet: a user row of their own, with scopes, a secret and no web page.

A client signs in at /api/v1/security/login with its client id and secret and then acts as that user:
its calls are attributed to it, its collectivité scopes what it sees (a platform-wide client sees every
collectivité, like an operator), and it reaches exactly the endpoints of its scopes.
"""
from __future__ import annotations

import secrets
from typing import Iterable

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from console.audit import api as audit
from console.errors import N_, DomainError
from console.tenants.models import Collectivite, ConsoleUser

#: scope -> the API endpoints it opens (Flask endpoint names).
SCOPES: dict[str, frozenset[str]] = {
    "affiliation_intake": frozenset({"AffiliationApi.submit"}),
    "cheque_registration": frozenset({"ReimbursementApi.accept"}),
    "reimbursement_submission": frozenset({"ReimbursementApi.submit"}),
    "cgu_read": frozenset({"CguApi.versions", "CguApi.download"}),
}
SCOPE_LABELS = {
    "affiliation_intake": N_("Affiliation requests"),
    "cheque_registration": N_("Cheque registration"),
    "reimbursement_submission": N_("Reimbursement requests"),
    "cgu_read": N_("CGU (read)"),
}


def is_service_account(user: ConsoleUser | None) -> bool:
    return user is not None and getattr(user, "api_scopes", None) is not None


def scopes_of(user: ConsoleUser) -> list[str]:
    return [scope for scope in (user.api_scopes or "").split(",") if scope]


def allows(user: ConsoleUser, endpoint: str | None) -> bool:
    """Whether the client may call ``endpoint`` (anything else is refused, whatever its role allows)."""
    return any(endpoint in SCOPES.get(scope, ()) for scope in scopes_of(user))


def _checked_scopes(scopes: Iterable[str]) -> str:
    chosen = sorted(set(scopes))
    if not chosen or set(chosen) - set(SCOPES):
        raise DomainError(N_("Choose at least one scope among the listed ones."), rule="scopes", field="scopes")
    return ",".join(chosen)


def _new_secret(user: ConsoleUser) -> str:
    secret = secrets.token_urlsafe(32)
    user.password = generate_password_hash(secret)  # a new secret ends every token of the old one
    return secret


def create_client(session: Session, name: str, collectivite_id: int | None, scopes: Iterable[str],
                  role) -> tuple[ConsoleUser, str]:
    """A new API client; returns it and its secret (shown once, stored hashed)."""
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise DomainError(N_("Give the client a name (60 characters at most)."), rule="required", field="name")
    if collectivite_id is not None and session.get(Collectivite, collectivite_id) is None:
        raise DomainError(N_("No such collectivité."), rule="collectivite", field="collectivite")
    client_id = f"api-{secrets.token_hex(6)}"
    user = ConsoleUser(username=client_id, first_name=name, last_name="API", email=f"{client_id}@api.invalid",
                       active=True, collectivite_id=collectivite_id, api_scopes=_checked_scopes(scopes),
                       roles=[role])
    secret = _new_secret(user)
    session.add(user)
    session.flush()
    audit.record(session, "api_client.create", user, {"name": name, "client": client_id,
                                                      "scopes": scopes_of(user)})
    return user, secret


def rotate_secret(session: Session, user: ConsoleUser) -> str:
    """A new secret; the old one and every token obtained with it stop working at once."""
    secret = _new_secret(user)
    session.flush()
    audit.record(session, "api_client.rotate", user, {"client": user.username})
    return secret


def revoke(session: Session, user: ConsoleUser) -> None:
    """The client can no longer sign in, and its tokens are refused at once (session version)."""
    user.active = False
    session.flush()
    audit.record(session, "api_client.revoke", user, {"client": user.username})
