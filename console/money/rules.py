"""The FAQ's money rules: cheque value, validity, registration deadline, fees, payment, fraud block.

Pure functions (dates in, dates out; Decimal in, Decimal out), no Flask and no database:
refusals are ``DomainError``s carrying untranslated messages and the raw values they name.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple, Protocol, TypeVar

from dateutil.relativedelta import relativedelta

from console.errors import N_, Conflict, DomainError, Forbidden

CHEQUE_VALUE = Decimal("10.00")
CHEQUES_PER_CHEQUIER = 10
CHEQUIER_VALUE = CHEQUE_VALUE * CHEQUES_PER_CHEQUIER
CENT = Decimal("0.01")
#: The precision of a fee schedule: what the form accepts is exactly what is stored and what prices cheques.
RATE_STEP = Decimal("0.001")  # a rate in percent, up to 3 decimals (0,149 %)
PAYMENT_DELAY_DAYS = 15
UNBLOCK_JUSTIFICATION_MIN_LENGTH = 20


def check_acceptance(validity_date: date, accepted_on: date) -> None:
    """FAQ: « Vous ne devez accepter aucune transaction de chèque après la date de validité. »"""
    if accepted_on > validity_date:
        raise DomainError(
            N_("A cheque valid until %(validity_date)s cannot be accepted on %(accepted_on)s."),
            rule="validity", validity_date=validity_date, accepted_on=accepted_on,
        )


def check_distributed(cheque_number: str, distributed_on: date | None, accepted_on: date) -> None:
    """DESIGN « validity »: a cheque accepted before it was distributed (or never distributed) is refused."""
    if distributed_on is None:
        raise DomainError(N_("Cheque %(cheque_number)s was never distributed to a citizen: it cannot be accepted."),
                          rule="not_distributed", cheque_number=cheque_number)
    if accepted_on < distributed_on:
        raise DomainError(N_("Cheque %(cheque_number)s was distributed on %(distributed_on)s: it cannot be accepted"
                             " on %(accepted_on)s."), rule="not_distributed", cheque_number=cheque_number,
                          distributed_on=distributed_on, accepted_on=accepted_on)


def check_distribution_day(issued_on: date, distributed_on: date, today: date) -> None:
    """A chéquier (or some of its cheques) is handed to a citizen on or after its issue, never in the future."""
    if not issued_on <= distributed_on <= today:
        raise DomainError(N_("A chéquier issued on %(issued_on)s cannot be distributed on %(distributed_on)s"
                             " (today is %(today)s)."),
                          rule="chequier_distribution", field="distributed_on", today=today,
                          issued_on=issued_on, distributed_on=distributed_on)


def check_partner_approved_on(partner_label: str, approved_on: date | None, accepted_on: date) -> None:
    """DESIGN « validity »: a cheque accepted while the partner was not (yet) approved is refused.

    ``approved_on`` is the day of the partner's current approval (None: unknown, approved before the
    console kept the date); that the partner is approved now is ``check_partner_approved``'s part."""
    if approved_on is not None and accepted_on < approved_on:
        raise DomainError(N_("%(partner)s was approved on %(approved_on)s: it could not accept a cheque on"
                             " %(accepted_on)s."), rule="partner_approved", partner=partner_label,
                          approved_on=approved_on, accepted_on=accepted_on)


def registration_deadline(validity_date: date) -> date:
    """FAQ: « au plus tard à M+1 de la date de fin de validité des chèques »: the last day of the next month."""
    # relativedelta clamps day=31 to the last day of the target month.
    return validity_date + relativedelta(months=1, day=31)


def check_registration_deadline(validity_date: date, submitted_on: date) -> None:
    """FAQ: « Péremption des chèques au 31/12/2025. Date d'enregistrement maximum autorisée : 31/01/2026 »"""
    deadline = registration_deadline(validity_date)
    if submitted_on > deadline:
        raise DomainError(
            N_("A cheque valid until %(validity_date)s had to be submitted by %(deadline)s;"
               " it was submitted on %(submitted_on)s."),
            rule="registration_deadline",
            validity_date=validity_date, deadline=deadline, submitted_on=submitted_on,
        )


@dataclass(frozen=True)
class Fees:
    """A collectivité's fees per cheque: ``rate`` in percent of the face value plus ``fixed`` EUR."""

    rate: Decimal
    fixed: Decimal


def validate_fees(rate: Decimal, fixed: Decimal, face_value: Decimal = CHEQUE_VALUE) -> Fees:
    """FAQ: « Le montant remboursé varie en fonction des frais appliqués par votre collectivité » (not beyond)."""
    if not (rate.is_finite() and 0 <= rate <= 100):
        raise DomainError(N_("The rate must be between 0 and 100 %%, not %(rate)s."),
                          rule="fees", field="rate", rate=rate)
    if rate != rate.quantize(RATE_STEP):
        raise DomainError(N_("The rate %(rate)s has more than three decimals: it would be stored and applied"
                             " rounded; give at most three."), rule="fees", field="rate", rate=rate)
    if not (fixed.is_finite() and fixed >= 0):
        raise DomainError(N_("The fixed fee must be a positive amount, not %(fixed)s."),
                          rule="fees", field="fixed", fixed=fixed)
    if fixed > face_value:  # before quantize, which raises InvalidOperation beyond 28 digits
        raise DomainError(N_("Fees of %(fees)s EUR exceed the cheque value of %(face_value)s EUR."),
                          rule="fees", field="fixed", fees=fixed, face_value=face_value)
    if fixed != fixed.quantize(CENT):
        raise DomainError(N_("The fixed fee %(fixed)s has more than two decimals."),
                          rule="fees", field="fixed", fixed=fixed)
    fees = cheque_fees(face_value, rate, fixed)
    if fees > face_value:
        raise DomainError(N_("Fees of %(fees)s EUR exceed the cheque value of %(face_value)s EUR."),
                          rule="fees", field="fixed", fees=fees, face_value=face_value)
    return Fees(rate, fixed)


def cheque_fees(face_value: Decimal, rate: Decimal, fixed: Decimal) -> Decimal:
    """DESIGN: fees are a « rate and/or fixed amount per cheque, rounded half-up to the cent per cheque »."""
    return (face_value * rate / 100 + fixed).quantize(CENT, rounding=ROUND_HALF_UP)


def cheque_net(face_value: Decimal, rate: Decimal, fixed: Decimal) -> Decimal:
    """DESIGN: « reimbursed amount = face value minus the fees », for one cheque."""
    return face_value - cheque_fees(face_value, rate, fixed)


class Pricing(NamedTuple):
    """Totals of a reimbursement request, each the sum of per-cheque rounded amounts."""

    gross: Decimal
    fees: Decimal
    net: Decimal


def price_cheques(cheques: int | Iterable[Decimal], rate: Decimal, fixed: Decimal) -> Pricing:
    """DESIGN: fees « rounded half-up to the cent per cheque », so totals sum per-cheque amounts."""
    face_values = [CHEQUE_VALUE] * cheques if isinstance(cheques, int) else list(cheques)
    fees = [cheque_fees(face, rate, fixed) for face in face_values]
    gross, total_fees = sum(face_values, Decimal("0.00")), sum(fees, Decimal("0.00"))
    return Pricing(gross, total_fees, gross - total_fees)


def decided_totals(lines: Iterable[tuple[Decimal, Decimal]]) -> Pricing:
    """FAQ: « chèques acceptés … en violation des CGU resteront à la charge exclusive de ce dernier »: a
    request's totals are the sums of its validated cheques' (face value, fees), each already rounded per cheque."""
    lines = list(lines)
    gross = sum((face for face, _ in lines), Decimal("0.00"))
    fees = sum((fee for _, fee in lines), Decimal("0.00"))
    return Pricing(gross, fees, gross - fees)


def check_cheque_rejection(cheque_number: str, other: bool, note: str | None) -> str | None:
    """A cheque refused for « another reason » says which: the partner is told why it is at its charge."""
    text = (note or "").strip() or None
    if other and text is None:
        raise DomainError(N_("Cheque %(cheque_number)s is refused for another reason: say which."),
                          rule="cheque_rejection", field="note", cheque_number=cheque_number)
    return text


def check_something_validated(reference: str, validated: int, refused: int) -> None:
    """Validating a request whose every cheque is refused is a rejection of the whole request."""
    if validated == 0:
        raise DomainError(N_("All %(refused)s cheques of request %(reference)s are refused: reject the whole"
                             " request instead."), rule="cheque_rejection", reference=reference, refused=refused)


class Versioned(Protocol):
    """Anything dated by the day it takes effect, e.g. a fee schedule version."""

    @property
    def effective_from(self) -> date: ...


Schedule = TypeVar("Schedule", bound=Versioned)


def schedule_in_force(schedules: Iterable[Schedule], on_date: date) -> Schedule:
    """DESIGN: the fee schedule « in force on the request's submission date » (effective that very day included)."""
    candidates = [schedule for schedule in schedules if schedule.effective_from <= on_date]
    if not candidates:
        raise DomainError(N_("No fee schedule is in force on %(on_date)s."), rule="fees", on_date=on_date)
    return max(candidates, key=lambda s: (s.effective_from, getattr(s, "version", None) or 0))


def payment_due_date(validated_on: date) -> date:
    """FAQ: « Le remboursement interviendra par virement bancaire dans un délai de 15 jours après validation »"""
    return validated_on + timedelta(days=PAYMENT_DELAY_DAYS)


def is_payment_overdue(validated_on: date, today: date, paid_on: date | None = None) -> bool:
    """FAQ: « dans un délai de 15 jours après validation »: unpaid past the due date, or paid after it."""
    return (today if paid_on is None else paid_on) > payment_due_date(validated_on)


def check_not_blocked(blocked: bool, partner_label: str, blocked_since: date) -> None:
    """FAQ: « Dès la moindre suspicion de fraude, DOCAPOSTE se réserve le droit de bloquer les remboursements »"""
    if blocked:
        raise DomainError(
            N_("The reimbursements of %(partner)s are blocked for suspected fraud since %(blocked_since)s."),
            rule="fraud_block", partner=partner_label, blocked_since=blocked_since,
        )


def check_unblock_justification(text: str | None) -> str:
    """FAQ: « Les remboursements seront débloqués uniquement si l’absence de fraude est avérée. »"""
    justification = (text or "").strip()
    if len(justification) < UNBLOCK_JUSTIFICATION_MIN_LENGTH:
        raise DomainError(
            N_("Unblocking requires a written justification of at least %(min_length)s characters"
               " stating that no fraud took place (%(length)s given)."),
            rule="fraud_block", field="justification",
            min_length=UNBLOCK_JUSTIFICATION_MIN_LENGTH, length=len(justification),
        )
    return justification


def check_may_lift_block(set_by_operator: bool, blocked_by_id: int | None, blocked_since: date, actor_id: int | None,
                         actor_is_operator: bool) -> None:
    """FAQ: the operator « se réserve le droit de bloquer les remboursements … débloqués uniquement si l’absence
    de fraude est avérée »: the operator lifts any block; a correspondent only the alert they set themselves."""
    if actor_is_operator:
        return
    if set_by_operator:
        raise Forbidden(N_("This block was set by the operator on %(blocked_since)s: only the operator may lift it."),
                        rule="fraud_block_role", blocked_since=blocked_since)
    if blocked_by_id is None or blocked_by_id != actor_id:
        raise Forbidden(N_("This block was set on %(blocked_since)s by another user: only that user or the operator"
                           " may lift it."), rule="fraud_block_role", blocked_since=blocked_since)


def check_not_already_reimbursed(cheque_number: str, existing_request_reference: str | None) -> None:
    """DESIGN: « a cheque number can be reimbursed once, ever »."""
    if existing_request_reference is not None:
        raise Conflict(
            N_("Cheque %(cheque_number)s is already in reimbursement request %(request_reference)s."),
            rule="one_reimbursement",
            cheque_number=cheque_number, request_reference=existing_request_reference,
        )


def check_partner_approved(partner_label: str, approved: bool) -> None:
    """DESIGN: « a partner accepts cheques only while approved » (nor asks for their reimbursement)."""
    if not approved:
        raise DomainError(
            N_("%(partner)s is not an approved partner: it may not accept cheques nor ask for their"
               " reimbursement."),
            rule="partner_approved", partner=partner_label,
        )


def check_same_collectivite(cheque_number: str, cheque_collectivite_id: int, partner_collectivite_id: int) -> None:
    """DESIGN: a cheque is reimbursed by the collectivité that funds it, to that collectivité's partners only."""
    if cheque_collectivite_id != partner_collectivite_id:
        raise DomainError(
            N_("Cheque %(cheque_number)s is funded by another collectivité than the partner's."),
            rule="collectivite", cheque_number=cheque_number,
        )


def check_not_already_accepted(cheque_number: str, accepted_on: date | None) -> None:
    """FAQ: « enregistrer le chèque dès sa réception »: a cheque is registered by one partner, once."""
    if accepted_on is not None:
        raise Conflict(
            N_("Cheque %(cheque_number)s was already accepted on %(accepted_on)s."),
            rule="already_accepted", cheque_number=cheque_number, accepted_on=accepted_on,
        )


def check_accepted_by(cheque_number: str, accepted_by_partner: bool, partner_label: str) -> None:
    """FAQ: « la structure qui a accompagné l'usager » — only the partner that accepted a cheque is reimbursed."""
    if not accepted_by_partner:
        raise DomainError(
            N_("Cheque %(cheque_number)s was not accepted by %(partner)s."),
            rule="accepted_by", cheque_number=cheque_number, partner=partner_label,
        )


def check_payment_date(validated_on: date, paid_on: date, today: date) -> None:
    """FAQ: « virement bancaire dans un délai de 15 jours après validation »: paid after validation, not later than today."""
    if paid_on < validated_on or paid_on > today:
        raise DomainError(
            N_("The transfer date %(paid_on)s must fall between the validation on %(validated_on)s and today"
               " (%(today)s)."),
            rule="payment_date", field="paid_on", paid_on=paid_on, validated_on=validated_on, today=today,
        )
