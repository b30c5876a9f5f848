"""The money domain's writes: validate with the FAQ rules, change, flush (the caller commits).

Cheques are claimed with conditional UPDATEs (``... WHERE status = 'accepted'``) so
that of two concurrent requests for one cheque exactly one gets it; the unique
``reimbursement_line.cheque_id`` is the database's own last word.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Iterable

from sqlalchemy import Connection, event, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from console.errors import N_, Conflict, DomainError, NotFound
from console.money import rules
from console.money.dates import EntryDate, paris_day
from console.money.models import (
    BatchStatus, Cheque, ChequeStatus, Chequier, ChequierStatus, FeeSchedule, PartnerBlock, PaymentBatch,
    ReimbursementLine, ReimbursementRequest, RequestStatus,
)
from console.partners import api as partners_api
from console.partners.models import Partner
from console.partners.validators import validate_required
from console.tenants.models import utcnow
from console.tenants.scoping import UNSCOPED, get_scoped

CHEQUIER_NUMBER_MAX = 16
#: Cheque statuses meaning "already put in a reimbursement request".
IN_A_REQUEST = (ChequeStatus.requested, ChequeStatus.reimbursed, ChequeStatus.rejected)


get = get_scoped  # the tenants package owns "a row of my collectivité, else 404"


# -- chéquiers and cheques ----------------------------------------------------------------------

def fill_chequier(chequier: Chequier) -> Chequier:
    """Give a new chéquier its 10 cheques of 10,00 EUR, numbered <chéquier>-01 to <chéquier>-10."""
    number = validate_required(chequier.number, "number").upper().replace(" ", "")
    if len(number) > CHEQUIER_NUMBER_MAX or not number.replace("-", "").isalnum():
        raise DomainError(N_("A chéquier number has at most %(max)s letters, digits or dashes."),
                          rule="chequier_number", field="number", max=CHEQUIER_NUMBER_MAX)
    chequier.number = number
    # An operator names the collectivité (by row or by id); a correspondent's is stamped by the tenancy hook.
    owner = {"collectivite": chequier.collectivite} if chequier.collectivite else {}
    for index in range(1, rules.CHEQUES_PER_CHEQUIER + 1):
        chequier.cheques.append(Cheque(
            number=f"{number}-{index:02d}", face_value=rules.CHEQUE_VALUE, validity_date=chequier.validity_date,
            prescripteur=chequier.prescripteur, collectivite_id=chequier.collectivite_id, **owner,
        ))
    return chequier


def check_chequier(chequier: Chequier, today: date) -> None:
    """A distributed chéquier says when it was handed to the citizen (not in the future); its cheques not
    distributed one by one are distributed with it."""
    if chequier.status is ChequierStatus.distributed and chequier.distributed_on is None:
        raise DomainError(N_("Give the date the chéquier was handed to the citizen."),
                          rule="chequier_distribution", field="distributed_on")
    if chequier.distributed_on is not None and not chequier.issued_on <= chequier.distributed_on <= today:
        raise DomainError(N_("A chéquier issued on %(issued_on)s cannot be distributed on %(distributed_on)s"
                             " (today is %(today)s)."),
                          rule="chequier_distribution", field="distributed_on", today=today,
                          issued_on=chequier.issued_on, distributed_on=chequier.distributed_on)
    if chequier.status is ChequierStatus.distributed:
        for cheque in chequier.cheques:
            cheque.distributed_on = cheque.distributed_on or chequier.distributed_on


def normalise_numbers(numbers: Iterable[str] | str | None) -> list[str]:
    """Cheque numbers as typed (one per line, or separated by commas or spaces), upper-cased, in order."""
    if isinstance(numbers, str):
        numbers = numbers.replace(",", " ").split()
    cleaned = [str(number).strip().upper() for number in numbers or () if str(number).strip()]
    if not cleaned:
        raise DomainError(N_("Give at least one cheque number."), rule="required", field="cheques")
    return cleaned


def approved_partner(session: Session, partner_id: int) -> Partner:
    """The partner, if the current user may see it and it may accept cheques."""
    partner = get(session, Partner, partner_id)
    rules.check_partner_approved(str(partner), partners_api.is_approved(partner))
    return partner


def _unknown_cheque(number: str) -> DomainError:
    return NotFound(N_("Cheque %(cheque_number)s does not exist."), rule="unknown_cheque", cheque_number=number)


def _owners(session: Session, numbers: list[str]) -> dict[str, int]:
    """The collectivité of each cheque number, read across collectivités only to name the refusal."""
    rows = session.execute(select(Cheque.number, Cheque.collectivite_id).where(Cheque.number.in_(numbers)),
                           execution_options=UNSCOPED)
    return dict(rows.all())


def accept_cheque(session: Session, number: str, partner_id: int, entry: EntryDate) -> Cheque:
    """Register a cheque received by a partner, dated by the server (``entry``): refused after its validity,
    before its distribution, while the partner was not approved, or if already accepted."""
    partner = approved_partner(session, partner_id)
    [number] = normalise_numbers([number])
    owner = _owners(session, [number]).get(number)
    if owner is None:
        raise _unknown_cheque(number)
    rules.check_same_collectivite(number, owner, partner.collectivite_id)
    cheque = session.scalar(select(Cheque).where(Cheque.number == number))
    if cheque is None:  # the partner is visible but not its collectivité's cheques: never happens for real users
        raise _unknown_cheque(number)
    rules.check_not_already_accepted(number, cheque.accepted_on)
    rules.check_distributed(number, cheque.distributed_on, entry.day)
    rules.check_acceptance(cheque.validity_date, entry.day)
    rules.check_partner_approved_on(str(partner), paris_day(partner.approved_at) if partner.approved_at else None,
                                    entry.day)
    claimed = session.execute(
        update(Cheque).where(Cheque.id == cheque.id, Cheque.status == ChequeStatus.issued)
        .values(status=ChequeStatus.accepted, partner_id=partner.id, accepted_on=entry.day, accepted_at=entry.at,
                accepted_late_justification=entry.late_justification)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if claimed != 1:  # another partner registered it between our read and our write
        session.refresh(cheque)
        rules.check_not_already_accepted(number, cheque.accepted_on or entry.day)
    session.refresh(cheque)
    return cheque


# -- fee schedules ------------------------------------------------------------------------------

def prepare_fee_schedule(schedule: FeeSchedule) -> FeeSchedule:
    """Check a new fee schedule version (its number is given on insert)."""
    fees = rules.validate_fees(Decimal(schedule.rate or 0), Decimal(schedule.fixed or 0))
    schedule.rate, schedule.fixed = fees.rate, fees.fixed
    if schedule.effective_from is None:
        raise DomainError(N_("This field is required."), rule="required", field="effective_from")
    return schedule


def schedule_used_by(session: Session, schedule_id: int) -> ReimbursementRequest | None:
    """The first request priced with this schedule version, if any."""
    return session.scalar(
        select(ReimbursementRequest).join(ReimbursementLine, ReimbursementLine.request_id == ReimbursementRequest.id)
        .where(ReimbursementLine.fee_schedule_id == schedule_id).order_by(ReimbursementRequest.id).limit(1)
    )


def check_schedule_editable(session: Session, schedule: FeeSchedule) -> None:
    """DESIGN: « schedules are versioned, never edited in place once used »: supersede it with a new version."""
    used_by = schedule_used_by(session, schedule.id)
    if used_by is not None:
        raise DomainError(
            N_("Fee schedule version %(version)s already priced request %(reference)s: it cannot be changed;"
               " add a new version effective from the date the new fees apply."),
            rule="fees", version=schedule.version, reference=used_by.reference,
        )
    prepare_fee_schedule(schedule)


@event.listens_for(FeeSchedule, "before_insert")
def _number_version(mapper: object, connection: Connection, schedule: FeeSchedule) -> None:
    # Two concurrent additions (or two in one flush) would get the same number: the unique
    # (collectivité, version) refuses the second rather than numbering it wrongly.
    last = connection.scalar(select(func.max(FeeSchedule.version))
                             .where(FeeSchedule.collectivite_id == schedule.collectivite_id))
    schedule.version = (last or 0) + 1


def schedule_in_force(session: Session, collectivite_id: int, on_date: date) -> FeeSchedule:
    """The collectivité's fee schedule in force on a date (FAQ: fees of the submission date)."""
    schedules = session.scalars(select(FeeSchedule).where(FeeSchedule.collectivite_id == collectivite_id)).all()
    return rules.schedule_in_force(schedules, on_date)


# -- reimbursement requests ---------------------------------------------------------------------

@dataclass(frozen=True)
class Refusal:
    """One cheque left out of a request, and why."""

    cheque_number: str
    error: DomainError


class SubmissionRefused(DomainError):
    """No cheque of a submission can be reimbursed; ``refusals`` gives the reason for each."""

    def __init__(self, refusals: list[Refusal]):
        super().__init__(N_("The reimbursement request was refused: none of its %(count)s cheques can be"
                            " reimbursed."), rule="reimbursement", field="cheques", count=len(refusals))
        self.refusals = refusals


@dataclass(frozen=True)
class Submission:
    """A request as received, with the cheques refused from it."""

    request: ReimbursementRequest
    refusals: list[Refusal]


def _request_of(session: Session, cheque: Cheque) -> str | None:
    reference = session.scalar(select(ReimbursementLine.request_id).where(ReimbursementLine.cheque_id == cheque.id))
    return None if reference is None else f"RB-{reference:07d}"


def _check_cheque(session: Session, number: str, cheque: Cheque | None, owner: int | None, partner: Partner,
                  submitted_on: date) -> None:
    """Every per-cheque reason of refusal of the FAQ, in the order a correspondent would check them."""
    if owner is None or (owner == partner.collectivite_id and cheque is None):
        raise _unknown_cheque(number)
    rules.check_same_collectivite(number, owner, partner.collectivite_id)
    rules.check_accepted_by(number, cheque.partner_id == partner.id and cheque.status is not ChequeStatus.issued,
                            str(partner))
    if cheque.status in IN_A_REQUEST:
        rules.check_not_already_reimbursed(number, _request_of(session, cheque) or "?")
    rules.check_registration_deadline(cheque.validity_date, submitted_on)


def _claim(session: Session, partner: Partner, cheques: list[Cheque]) -> set[int]:
    """Mark the cheques as requested, only those still accepted: a concurrent request loses them here."""
    if not cheques:
        return set()
    result = session.execute(
        update(Cheque)
        .where(Cheque.id.in_([c.id for c in cheques]), Cheque.status == ChequeStatus.accepted,
               Cheque.partner_id == partner.id)
        .values(status=ChequeStatus.requested).returning(Cheque.id)
        .execution_options(synchronize_session=False)
    )
    return set(result.scalars().all())


def submit_request(session: Session, partner_id: int, numbers: Iterable[str] | str, entry: EntryDate,
                   user_id: int | None = None) -> Submission:
    """« Demander un remboursement »: keep the reimbursable cheques, refuse the others with a reason each.

    Dated by the server (``entry``): the M+1 deadline and the fee schedule are those of ``entry.day``."""
    submitted_on = entry.day
    partner = approved_partner(session, partner_id)
    numbers = normalise_numbers(numbers)
    schedule = schedule_in_force(session, partner.collectivite_id, submitted_on)
    owners = _owners(session, numbers)
    found = {c.number: c for c in session.scalars(select(Cheque).where(Cheque.number.in_(numbers)))}
    refusals: list[Refusal] = []
    kept: list[Cheque] = []
    for index, number in enumerate(numbers):
        try:
            if number in numbers[:index]:
                raise DomainError(N_("Cheque %(cheque_number)s is listed twice."), rule="one_reimbursement",
                                  cheque_number=number)
            _check_cheque(session, number, found.get(number), owners.get(number), partner, submitted_on)
        except DomainError as error:
            refusals.append(Refusal(number, error))
        else:
            kept.append(found[number])
    claimed = _claim(session, partner, kept)
    for cheque in [c for c in kept if c.id not in claimed]:
        session.refresh(cheque)
        refusals.append(Refusal(cheque.number, Conflict(
            N_("Cheque %(cheque_number)s is already in reimbursement request %(request_reference)s."),
            rule="one_reimbursement", cheque_number=cheque.number,
            request_reference=_request_of(session, cheque) or "?")))
    kept = [c for c in kept if c.id in claimed]
    if not kept:
        raise SubmissionRefused(refusals)
    request = _priced_request(partner, schedule, kept, submitted_on, user_id)
    request.submitted_at, request.late_justification = entry.at, entry.late_justification
    session.add(request)
    try:
        session.flush()
    except IntegrityError as error:  # only if a cheque's status lied: the unique line refuses it anyway
        raise Conflict(N_("One of these cheques is already in another reimbursement request."),
                       rule="one_reimbursement") from error
    for cheque in kept:
        session.refresh(cheque)
    return Submission(request, refusals)


def _priced_request(partner: Partner, schedule: FeeSchedule, cheques: list[Cheque], submitted_on: date,
                    user_id: int | None) -> ReimbursementRequest:
    """DESIGN: each cheque priced with the schedule in force on the submission date, rounded per cheque."""
    totals = rules.price_cheques([c.face_value for c in cheques], schedule.rate, schedule.fixed)
    request = ReimbursementRequest(
        partner=partner, collectivite_id=partner.collectivite_id, submitted_on=submitted_on, submitted_by_id=user_id,
        fee_schedule=schedule, cheque_count=len(cheques), gross=totals.gross, fees=totals.fees, net=totals.net,
    )
    for cheque in cheques:
        fees = rules.cheque_fees(cheque.face_value, schedule.rate, schedule.fixed)
        request.lines.append(ReimbursementLine(
            cheque=cheque, fee_schedule=schedule, face_value=cheque.face_value, fees=fees,
            net=cheque.face_value - fees, collectivite_id=partner.collectivite_id,
        ))
    return request


def active_block(session: Session, partner_id: int) -> PartnerBlock | None:
    """The fraud block in force on a partner, if any."""
    return session.scalar(select(PartnerBlock).where(PartnerBlock.partner_id == partner_id,
                                                     PartnerBlock.unblocked_at.is_(None)))


def _check_not_blocked(session: Session, partner: Partner) -> None:
    block = active_block(session, partner.id)
    rules.check_not_blocked(block is not None, str(partner), block.blocked_at.date() if block else None)


def _check_status(request: ReimbursementRequest, expected: RequestStatus, message: str) -> None:
    if request.status is not expected:
        raise Conflict(message, rule="request_status", reference=request.reference)


def validate_request(session: Session, request_id: int, today: date, user_id: int | None = None
                     ) -> ReimbursementRequest:
    """A correspondent validates a request: the RIB in force is frozen on it; payment is due in 15 days."""
    request = get(session, ReimbursementRequest, request_id)
    _check_status(request, RequestStatus.submitted,
                  N_("Request %(reference)s cannot be validated: only a submitted request can be."))
    _check_not_blocked(session, request.partner)
    account = partners_api.current_bank_account(session, request.partner)
    if account is None:
        raise DomainError(N_("%(partner)s has no RIB in force: request %(reference)s cannot be validated."),
                          rule="rib", partner=str(request.partner), reference=request.reference)
    request.bank_account_id, request.rib_holder = account.id, account.holder
    request.rib_iban, request.rib_bic = account.iban, account.bic
    request.status, request.decided_on, request.decided_by_id = RequestStatus.validated, today, user_id
    request.due_on = rules.payment_due_date(today)
    session.flush()
    return request


def reject_request(session: Session, request_id: int, reason: str, today: date, user_id: int | None = None
                   ) -> ReimbursementRequest:
    """A correspondent rejects a request with a reason; its cheques are never reimbursed."""
    request = get(session, ReimbursementRequest, request_id)
    _check_status(request, RequestStatus.submitted,
                  N_("Request %(reference)s cannot be rejected: only a submitted request can be."))
    request.rejection_reason = validate_required(reason, "reason")
    request.status, request.decided_on, request.decided_by_id = RequestStatus.rejected, today, user_id
    _set_cheques(session, request, ChequeStatus.rejected)
    session.flush()
    return request


def _set_cheques(session: Session, request: ReimbursementRequest, status: ChequeStatus) -> None:
    lines = select(ReimbursementLine.cheque_id).where(ReimbursementLine.request_id == request.id)
    session.execute(update(Cheque).where(Cheque.id.in_(lines)).values(status=status)
                    .execution_options(synchronize_session=False))


def _pay(session: Session, request: ReimbursementRequest, paid_on: date, transfer_reference: str, today: date,
         user_id: int | None) -> None:
    _check_status(request, RequestStatus.validated,
                  N_("Request %(reference)s cannot be paid: only a validated, unpaid request can be."))
    _check_not_blocked(session, request.partner)
    rules.check_payment_date(request.decided_on, paid_on, today)
    request.status, request.paid_on, request.paid_by_id = RequestStatus.paid, paid_on, user_id
    request.transfer_reference = transfer_reference
    _set_cheques(session, request, ChequeStatus.reimbursed)


def pay_request(session: Session, request_id: int, paid_on: date, transfer_reference: str, today: date,
                user_id: int | None = None) -> ReimbursementRequest:
    """Record the transfer of one validated request (date and bank reference)."""
    request = get(session, ReimbursementRequest, request_id)
    _pay(session, request, paid_on, validate_required(transfer_reference, "transfer_reference"), today, user_id)
    session.flush()
    return request


# -- payment batches ----------------------------------------------------------------------------

def add_to_batch(session: Session, request_ids: Iterable[int], payment_date: date, user_id: int | None = None
                 ) -> PaymentBatch:
    """Group validated requests of one collectivité into the transfer list of a payment date."""
    requests = [get(session, ReimbursementRequest, pk) for pk in dict.fromkeys(request_ids)]
    if not requests:
        raise DomainError(N_("Choose at least one validated request."), rule="required", field="requests")
    if len({r.collectivite_id for r in requests}) > 1:
        raise DomainError(N_("A payment batch holds the requests of one collectivité only."), rule="batch")
    for request in requests:
        _check_status(request, RequestStatus.validated,
                      N_("Request %(reference)s cannot be paid: only a validated, unpaid request can be."))
        _check_not_blocked(session, request.partner)
        if request.batch_id is not None:
            raise Conflict(N_("Request %(reference)s is already in payment batch %(batch)s."), rule="batch",
                           reference=request.reference, batch=request.batch.reference)
    collectivite_id = requests[0].collectivite_id
    batch = session.scalar(select(PaymentBatch).where(PaymentBatch.collectivite_id == collectivite_id,
                                                      PaymentBatch.payment_date == payment_date))
    if batch is None:
        batch = PaymentBatch(collectivite_id=collectivite_id, payment_date=payment_date, created_by_id=user_id)
        session.add(batch)
    elif batch.status is BatchStatus.paid:
        raise Conflict(N_("The payment batch of %(payment_date)s was already paid on %(paid_on)s."), rule="batch",
                       payment_date=payment_date, paid_on=batch.paid_on)
    for request in requests:
        request.batch = batch
    session.flush()
    return batch


def pay_batch(session: Session, batch_id: int, paid_on: date, transfer_reference: str, today: date,
              user_id: int | None = None) -> PaymentBatch:
    """Mark a whole transfer list paid; refused as a whole if any of its partners is blocked."""
    batch = get(session, PaymentBatch, batch_id)
    if batch.status is BatchStatus.paid:
        raise Conflict(N_("The payment batch of %(payment_date)s was already paid on %(paid_on)s."), rule="batch",
                       payment_date=batch.payment_date, paid_on=batch.paid_on)
    reference = validate_required(transfer_reference, "transfer_reference")
    for request in batch.requests:
        _pay(session, request, paid_on, reference, today, user_id)
    batch.status, batch.paid_on, batch.transfer_reference = BatchStatus.paid, paid_on, reference
    session.flush()
    return batch


def transfer_rows(batch: PaymentBatch) -> list[dict[str, object]]:
    """The treasurer's transfer list: one transfer per request, to the RIB frozen at validation."""
    return [
        {"reference": r.reference, "partner": r.partner.identifier, "name": r.partner.name,
         "holder": r.rib_holder, "iban": r.rib_iban, "bic": r.rib_bic, "amount": r.net,
         "label": f"PASS NUMERIQUE {r.reference}"}
        for r in sorted(batch.requests, key=lambda r: r.id)
    ]


# -- fraud blocks -------------------------------------------------------------------------------

def block_partner(session: Session, partner_id: int, reason: str, actor_id: int | None, by_operator: bool
                  ) -> PartnerBlock:
    """Block a partner's reimbursements on suspicion of fraud (the operator), or as an alert from the field (a
    correspondent); its requests are still received and kept."""
    partner = get(session, Partner, partner_id)
    reason = validate_required(reason, "reason")
    current = active_block(session, partner.id)
    if current is not None:
        raise Conflict(N_("The reimbursements of %(partner)s are already blocked since %(blocked_since)s."),
                       rule="fraud_block", partner=str(partner), blocked_since=current.blocked_at.date())
    block = PartnerBlock(partner=partner, collectivite_id=partner.collectivite_id, reason=reason,
                         blocked_by_id=actor_id, set_by_operator=by_operator)
    session.add(block)
    session.flush()
    return block


def unblock_partner(session: Session, partner_id: int, justification: str, actor_id: int | None, by_operator: bool
                    ) -> PartnerBlock:
    """Lift a block, with the written justification that no fraud took place (FAQ roles: ``check_may_lift_block``)."""
    partner = get(session, Partner, partner_id)
    block = active_block(session, partner.id)
    if block is None:
        raise Conflict(N_("The reimbursements of %(partner)s are not blocked."), rule="fraud_block",
                       partner=str(partner))
    rules.check_may_lift_block(block.set_by_operator, block.blocked_by_id, paris_day(block.blocked_at), actor_id,
                               by_operator)
    block.justification = rules.check_unblock_justification(justification)
    block.unblocked_at, block.unblocked_by_id = utcnow(), actor_id
    session.flush()
    return block
