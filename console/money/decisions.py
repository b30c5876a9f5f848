"""A reimbursement request's decisions: validation (with cheques refused one by one), rejection, payment,
payment batches. Validate, change, flush: the caller commits.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Iterable, Mapping

from babel.numbers import format_decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from console.audit import api as audit
from console.complaints.rules import complaint_deadline
from console.errors import N_, Conflict, DomainError
from console.labels import label
from console.mail import queue_mail
from console.money import rules
from console.money.blocks import check_not_blocked
from console.money.models import (
    BatchStatus, Cheque, ChequeRejection, ChequeStatus, PaymentBatch, ReimbursementLine, ReimbursementRequest,
    RequestStatus,
)
from console.partners import api as partners_api
from console.partners.models import BankAccount
from console.partners.validators import mask_iban, validate_required
from console.tenants.scoping import get_scoped as get


def _check_status(request: ReimbursementRequest, expected: RequestStatus, message: str) -> None:
    if request.status is not expected:
        raise Conflict(message, rule="request_status", reference=request.reference)


def validate_request(session: Session, request_id: int, today: date, user_id: int | None = None,
                     refusals: Mapping[str, tuple[ChequeRejection, str | None]] | None = None
                     ) -> ReimbursementRequest:
    """A correspondent validates a request, refusing some of its cheques if need be (``refusals``: cheque number
    -> reason, note): the totals are recomputed on the validated cheques, the refused ones stay at the partner's
    charge and the partner is told which and why. The RIB in force is frozen; payment is due in 15 days."""
    request = get(session, ReimbursementRequest, request_id)
    account = check_validatable(session, request)
    refused = _refusals(request, dict(refusals or {}))
    kept = [line for line in request.lines if line.id not in refused]
    rules.check_something_validated(request.reference, len(kept), len(refused))
    for line in request.lines:  # every check passed: only now is anything changed
        line.rejection, line.rejection_note = refused.get(line.id, (None, None))
    totals = rules.decided_totals((line.face_value, line.fees) for line in kept)
    request.cheque_count, request.gross, request.fees, request.net = len(kept), *totals
    request.bank_account_id, request.rib_holder = account.id, account.holder
    request.rib_iban, request.rib_bic = account.iban, account.bic
    request.status, request.decided_on, request.decided_by_id = RequestStatus.validated, today, user_id
    request.due_on = rules.payment_due_date(today)
    session.flush()
    _set_cheques(session, request, ChequeStatus.refused, refused=True)
    audit.record(session, "reimbursement.validate", request, {
        "reference": request.reference, "net": request.net, "due_on": request.due_on,
        "bank_account": account.id, "iban": mask_iban(account.iban),
        "refused": {line.cheque.number: [line.rejection.value, line.rejection_note]
                    for line in request.refused_lines}})
    _notify_decision(session, request, "partner_request_validated")
    return request


def check_validatable(session: Session, request: ReimbursementRequest) -> BankAccount:
    """Why a request could not be validated now (submitted, partner not blocked, a RIB in force), else the RIB
    it would freeze. Writes nothing: the bulk confirmation page asks it before anything is done."""
    _check_status(request, RequestStatus.submitted,
                  N_("Request %(reference)s cannot be validated: only a submitted request can be."))
    check_not_blocked(session, request.partner)
    account = partners_api.current_bank_account(session, request.partner)
    if account is None:
        raise DomainError(N_("%(partner)s has no RIB in force: request %(reference)s cannot be validated."),
                          rule="rib", partner=str(request.partner), reference=request.reference)
    return account


def _refusals(request: ReimbursementRequest, refusals: dict[str, tuple[ChequeRejection, str | None]]
              ) -> dict[int, tuple[ChequeRejection, str | None]]:
    """The refused lines (line id -> reason, note), checked; a cheque number not in the request is refused."""
    lines = {line.cheque.number: line for line in request.lines}
    refused = {}
    for number, (reason, note) in refusals.items():
        line = lines.get(str(number).strip().upper())
        if line is None:
            raise DomainError(N_("Cheque %(cheque_number)s is not in request %(reference)s."),
                              rule="cheque_rejection", cheque_number=number, reference=request.reference)
        reason = ChequeRejection(reason)
        refused[line.id] = reason, rules.check_cheque_rejection(line.cheque.number, reason is ChequeRejection.other,
                                                                 note)
    return refused


def _euros(amount: Decimal) -> str:
    """An amount as the French e-mails write it: 1 234,56 EUR."""
    return format_decimal(amount, format="#,##0.00", locale="fr").replace("\u202f", "\u00a0") + "\u00a0EUR"


def _notify_decision(session: Session, request: ReimbursementRequest, template: str) -> None:
    """The partner's e-mail: the decision, the amount, the cheques validated and each refused one with its reason."""
    partner = request.partner
    refused = [(line.cheque.number, _euros(line.face_value), label(line.rejection), line.rejection_note)
               for line in request.refused_lines]
    validated = [line.cheque.number for line in request.lines if not line.refused]
    queue_mail(session, partner.email, template, collectivite_id=partner.collectivite_id, partner=partner,
               collectivite=partner.collectivite, request=request, refused=refused, validated=validated,
               net=_euros(request.net),
               due_on=request.due_on.strftime("%d/%m/%Y") if request.due_on else "")


def _notify_payment(session: Session, request: ReimbursementRequest) -> None:
    """The partner's e-mail once paid: the transfer's date, reference and amount (alone or in a batch)."""
    partner = request.partner
    queue_mail(session, partner.email, "partner_request_paid", collectivite_id=partner.collectivite_id,
               partner=partner, collectivite=partner.collectivite, request=request, net=_euros(request.net),
               paid_on=request.paid_on.strftime("%d/%m/%Y"), iban=mask_iban(request.rib_iban or ""),
               deadline=complaint_deadline(request.paid_on).strftime("%d/%m/%Y"))


def reject_request(session: Session, request_id: int, reason: str, today: date, user_id: int | None = None
                   ) -> ReimbursementRequest:
    """A correspondent rejects a whole request with a reason; its cheques are never reimbursed."""
    request = get(session, ReimbursementRequest, request_id)
    _check_status(request, RequestStatus.submitted,
                  N_("Request %(reference)s cannot be rejected: only a submitted request can be."))
    request.rejection_reason = validate_required(reason, "reason")
    request.status, request.decided_on, request.decided_by_id = RequestStatus.rejected, today, user_id
    _set_cheques(session, request, ChequeStatus.rejected)
    session.flush()
    audit.record(session, "reimbursement.reject", request, {"reference": request.reference,
                                                            "reason": request.rejection_reason})
    _notify_decision(session, request, "partner_request_rejected")
    return request


def _set_cheques(session: Session, request: ReimbursementRequest, status: ChequeStatus, refused: bool = False
                 ) -> None:
    """Give a status to the request's validated cheques (``refused``: to its refused ones)."""
    lines = select(ReimbursementLine.cheque_id).where(
        ReimbursementLine.request_id == request.id,
        ReimbursementLine.rejection.is_not(None) if refused else ReimbursementLine.rejection.is_(None))
    session.execute(update(Cheque).where(Cheque.id.in_(lines)).values(status=status)
                    .execution_options(synchronize_session=False))


def check_payable(session: Session, request: ReimbursementRequest, paid_on: date, today: date) -> None:
    """Why a request could not be recorded paid on ``paid_on`` (validated, unpaid, partner not blocked, a
    payment date between its validation and today). Writes nothing."""
    _check_status(request, RequestStatus.validated,
                  N_("Request %(reference)s cannot be paid: only a validated, unpaid request can be."))
    check_not_blocked(session, request.partner)
    rules.check_payment_date(request.decided_on, paid_on, today)


def _pay(session: Session, request: ReimbursementRequest, paid_on: date, transfer_reference: str, today: date,
         user_id: int | None) -> None:
    check_payable(session, request, paid_on, today)
    request.status, request.paid_on, request.paid_by_id = RequestStatus.paid, paid_on, user_id
    request.transfer_reference = transfer_reference
    _set_cheques(session, request, ChequeStatus.reimbursed)
    _notify_payment(session, request)


def pay_request(session: Session, request_id: int, paid_on: date, transfer_reference: str, today: date,
                user_id: int | None = None) -> ReimbursementRequest:
    """Record the transfer of one validated request (date and bank reference)."""
    request = get(session, ReimbursementRequest, request_id)
    _pay(session, request, paid_on, validate_required(transfer_reference, "transfer_reference"), today, user_id)
    session.flush()
    audit.record(session, "reimbursement.pay", request, {"reference": request.reference, "paid_on": paid_on,
                                                         "transfer_reference": request.transfer_reference,
                                                         "net": request.net})
    return request


# -- payment batches ----------------------------------------------------------------------------

def check_batchable(session: Session, request: ReimbursementRequest) -> None:
    """Why a request could not go into a payment batch (validated, unpaid, partner not blocked, in no batch
    yet). Writes nothing."""
    _check_status(request, RequestStatus.validated,
                  N_("Request %(reference)s cannot be paid: only a validated, unpaid request can be."))
    check_not_blocked(session, request.partner)
    if request.batch_id is not None:
        raise Conflict(N_("Request %(reference)s is already in payment batch %(batch)s."), rule="batch",
                       reference=request.reference, batch=request.batch.reference)


def add_to_batch(session: Session, request_ids: Iterable[int], payment_date: date, user_id: int | None = None
                 ) -> PaymentBatch:
    """Group validated requests of one collectivité into the transfer list of a payment date; each request
    added is its own audited act."""
    requests = [get(session, ReimbursementRequest, pk) for pk in dict.fromkeys(request_ids)]
    if not requests:
        raise DomainError(N_("Choose at least one validated request."), rule="required", field="requests")
    if len({r.collectivite_id for r in requests}) > 1:
        raise DomainError(N_("A payment batch holds the requests of one collectivité only."), rule="batch")
    for request in requests:
        check_batchable(session, request)
    collectivite_id = requests[0].collectivite_id
    batch = session.scalar(select(PaymentBatch).where(PaymentBatch.collectivite_id == collectivite_id,
                                                      PaymentBatch.payment_date == payment_date))
    if batch is None:
        batch = PaymentBatch(collectivite_id=collectivite_id, payment_date=payment_date, created_by_id=user_id)
        session.add(batch)
    else:
        check_batch_unpaid(batch)
    for request in requests:
        request.batch = batch
    session.flush()
    for request in requests:
        audit.record(session, "batch.add", request, {"reference": request.reference, "batch": batch.reference,
                                                     "payment_date": payment_date, "net": request.net})
    return batch


def check_batch_unpaid(batch: PaymentBatch) -> None:
    """A payment batch is marked paid once."""
    if batch.status is BatchStatus.paid:
        raise Conflict(N_("The payment batch of %(payment_date)s was already paid on %(paid_on)s."), rule="batch",
                       payment_date=batch.payment_date, paid_on=batch.paid_on)


def pay_batch(session: Session, batch_id: int, paid_on: date, transfer_reference: str, today: date,
              user_id: int | None = None) -> PaymentBatch:
    """Mark a whole transfer list paid (one bank order): refused as a whole if any request of it cannot be paid.
    Each request's payment is its own audited act; the batch's event sums them up."""
    batch = get(session, PaymentBatch, batch_id)
    check_batch_unpaid(batch)
    reference = validate_required(transfer_reference, "transfer_reference")
    requests = sorted(batch.requests, key=lambda r: r.id)
    for request in requests:  # every check first: a refusal leaves the batch untouched
        check_payable(session, request, paid_on, today)
    for request in requests:
        _pay(session, request, paid_on, reference, today, user_id)
    batch.status, batch.paid_on, batch.transfer_reference = BatchStatus.paid, paid_on, reference
    session.flush()
    for request in requests:
        audit.record(session, "reimbursement.pay", request, {
            "reference": request.reference, "paid_on": paid_on, "transfer_reference": reference,
            "net": request.net, "batch": batch.reference})
    audit.record(session, "batch.pay", batch, {"paid_on": paid_on, "transfer_reference": reference,
                                               "requests": {r.reference: r.net for r in requests}})
    return batch


def transfer_rows(batch: PaymentBatch) -> list[dict[str, object]]:
    """The treasurer's transfer list: one transfer per request, to the RIB frozen at validation."""
    return [
        {"reference": r.reference, "partner": r.partner.identifier, "name": r.partner.name,
         "holder": r.rib_holder, "iban": r.rib_iban, "bic": r.rib_bic, "amount": r.net,
         "label": f"PASS NUMERIQUE {r.reference}"}
        for r in sorted(batch.requests, key=lambda r: r.id)
    ]
