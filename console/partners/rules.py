"""Rules of the affiliation workflow and of the four-eyes RIB change (pure functions, no Flask)."""
from __future__ import annotations

from dataclasses import dataclass

from console.config import ROLE_CORRESPONDENT, ROLE_OPERATOR
from console.errors import N_, DomainError, Forbidden
from console.partners.models import PartnerStatus, RejectionReason, TransitionAction

S, A = PartnerStatus, TransitionAction


@dataclass(frozen=True)
class Step:
    """One legal transition: from which statuses, to which, by which role, and what it needs."""

    sources: tuple[PartnerStatus, ...]
    target: PartnerStatus
    role: str
    refusal: str  # why it is refused from any other status
    needs_reason: bool = False


STEPS = {
    A.check_pass: Step((S.submitted,), S.checked, ROLE_OPERATOR,
                       N_("Status of %(identifier)s: %(status)s. Only a submitted request can be checked.")),
    A.check_fail: Step((S.submitted,), S.checked, ROLE_OPERATOR,
                       N_("Status of %(identifier)s: %(status)s. Only a submitted request can be checked."), True),
    A.approve: Step((S.checked,), S.approved, ROLE_CORRESPONDENT,
                    N_("Status of %(identifier)s: %(status)s. Only a checked request can be approved.")),
    A.reject: Step((S.checked,), S.rejected, ROLE_CORRESPONDENT,
                   N_("Status of %(identifier)s: %(status)s. Only a checked request can be rejected."), True),
    A.suspend: Step((S.approved,), S.suspended, ROLE_CORRESPONDENT,
                    N_("Status of %(identifier)s: %(status)s. Only an approved partner can be suspended."), True),
    A.reinstate: Step((S.suspended,), S.approved, ROLE_CORRESPONDENT,
                      N_("Status of %(identifier)s: %(status)s. Only a suspended partner can be reinstated."), True),
}
ROLE_REFUSALS = {
    ROLE_OPERATOR: N_("Only the operator performs the check of an affiliation request."),
    ROLE_CORRESPONDENT: N_("Only a correspondent of the collectivité may decide on an affiliation."),
}


def check_transition(action: TransitionAction, status: PartnerStatus, identifier: str, roles: set[str],
                     reason: str | None = None, reason_code: RejectionReason | None = None) -> Step:
    """DESIGN « submitted -> checked by operator -> approved or rejected (with reason) by the collectivité »:
    the step if ``action`` is legal from ``status`` for a user holding ``roles``, else a refusal saying why."""
    step = STEPS[action]
    if step.role not in roles:
        raise Forbidden(ROLE_REFUSALS[step.role], rule="affiliation_role")
    if status is step.target and status not in step.sources:
        raise DomainError(N_("Nothing to do: the status of %(identifier)s is already « %(status)s »."),
                          rule="affiliation_twice", identifier=identifier, status=status)
    if status not in step.sources:
        raise DomainError(step.refusal, rule="affiliation_transition", identifier=identifier,
                          status=status)
    if action is A.reject and reason_code is None:
        raise DomainError(N_("Choose the reason of the rejection."), rule="reason", field="reason_code")
    if step.needs_reason and not (reason or "").strip() and reason_code in (None, RejectionReason.other):
        raise DomainError(N_("Give the reason (free text)."), rule="reason", field="reason")
    return step


def check_approvable(identifier: str, check_passed: bool | None, has_valid_rib: bool) -> None:
    """DESIGN « a partner needs a valid RIB (IBAN with mod-97 check, BIC, holder) before approval », and a
    request whose operator check failed can only be rejected."""
    if check_passed is False:
        raise DomainError(N_("The operator check of %(identifier)s failed: the request can only be rejected."),
                          rule="affiliation_check_failed", identifier=identifier)
    if not has_valid_rib:
        raise DomainError(N_("%(identifier)s has no valid RIB yet: it cannot be approved without one."),
                          rule="affiliation_rib", identifier=identifier)


def check_rib_confirmer(requested_by_id: int, confirmer_id: int, roles: set[str],
                        confirmer_collectivite_id: int | None, partner_collectivite_id: int) -> None:
    """Four eyes: a RIB change is confirmed by a second user — another Correspondant of the same
    collectivité, or an Opérateur — never by the user who recorded it."""
    if confirmer_id == requested_by_id:
        raise Forbidden(N_("You recorded this RIB change: another user must confirm it."), rule="rib_four_eyes")
    if ROLE_OPERATOR in roles:
        return
    if ROLE_CORRESPONDENT not in roles or confirmer_collectivite_id != partner_collectivite_id:
        raise Forbidden(N_("Only a correspondent of the partner's collectivité or an operator may confirm "
                           "a RIB change."), rule="rib_four_eyes")


#: The identifier e-mail is sent again at most this many times an hour for one partner, and by one user.
RESEND_PER_PARTNER = 3
RESEND_PER_ACTOR = 10
RESEND_WINDOW_MINUTES = 60


class TooManyResends(DomainError):
    """The identifier e-mail was sent again too often: try later (HTTP 429)."""

    status = 429


def check_resend_allowed(identifier: str, sent_for_partner: int, sent_by_actor: int, retry_at: str) -> None:
    """Resending the identifier e-mail is limited (a mailbox is not to be flooded, nor partners probed):
    ``sent_*`` count the resends of the last hour, for this partner and by this user."""
    if sent_for_partner >= RESEND_PER_PARTNER:
        raise TooManyResends(N_("The identifier e-mail of %(identifier)s was already sent again %(count)s times"
                                " in the last hour: try again after %(retry_at)s."), rule="resend_rate",
                             identifier=identifier, count=sent_for_partner, retry_at=retry_at)
    if sent_by_actor >= RESEND_PER_ACTOR:
        raise TooManyResends(N_("You already sent %(count)s identifier e-mails in the last hour: try again after"
                                " %(retry_at)s."), rule="resend_rate", count=sent_by_actor, retry_at=retry_at)
