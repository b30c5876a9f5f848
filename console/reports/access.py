"""Who may export what, over which collectivités: checked when an export is asked for and again when it runs."""
from __future__ import annotations

from typing import Iterable, Optional

from console.config import ROLE_CORRESPONDENT, ROLE_ELECTED, ROLE_OPERATOR, ROLE_SUPPORT
from console.errors import N_, Forbidden
from console.reports.models import ExportKind
from console.tenants.context import EVERYTHING, Scope, only
from console.tenants.models import ConsoleUser
from console.tenants.security import scope_for_user

ALL_KINDS = frozenset(ExportKind)
# DESIGN: support agents look partners up; they never see money figures. Their partners export is a look-up
# like the others: audited when asked for (reports.api.request_export), e-mails masked (partners.lookup).
NO_MONEY_KINDS = frozenset({ExportKind.partners})

KINDS_BY_ROLE = {
    ROLE_OPERATOR: ALL_KINDS,
    ROLE_CORRESPONDENT: ALL_KINDS,
    # The audit trail is read by operators and correspondents only (DESIGN: élus read the dashboard and reports).
    ROLE_ELECTED: ALL_KINDS - {ExportKind.audit},
    ROLE_SUPPORT: NO_MONEY_KINDS,
}


def allowed_kinds(role_names: Iterable[str]) -> frozenset[ExportKind]:
    """The exports a user holding these roles may ask for."""
    kinds: frozenset[ExportKind] = frozenset()
    for role in role_names:
        kinds |= KINDS_BY_ROLE.get(role, frozenset())
    return kinds


def sees_money(role_names: Iterable[str]) -> bool:
    """DESIGN: money figures are for operators, correspondents and élus, not for support agents."""
    return ExportKind.summary in allowed_kinds(role_names)


def export_scope(user: Optional[ConsoleUser], kind: ExportKind, collectivite_id: Optional[int]) -> Scope:
    """The scope an export of ``kind`` over ``collectivite_id`` (None: all) runs with, or Forbidden.

    Called when the export is asked for and again by the job, so that a user
    deactivated, moved or stripped of a role in between gets nothing.
    """
    scope = scope_for_user(user) if user is not None else Scope()
    if scope.nothing:
        raise Forbidden(N_("This account may not export anything."), rule="export")
    if kind not in allowed_kinds(user.role_names):
        raise Forbidden(N_("Your role does not allow this export."), rule="export", field="kind")
    if scope.everything:
        return EVERYTHING if collectivite_id is None else only(collectivite_id)
    if collectivite_id != scope.collectivite_id:
        raise Forbidden(N_("You may only export your own collectivité."), rule="tenant", field="collectivite")
    return scope
