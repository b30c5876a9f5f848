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

from console.audit import api as audit
from console.errors import N_, Conflict, DomainError, NotFound
from console.money import rules
from console.money.dates import EntryDate, paris_day
from console.money.models import (
    Cheque, ChequeStatus, FeeSchedule, ReimbursementLine,
    ReimbursementRequest,
)
from console.partners import api as partners_api
from console.partners.models import Partner
from console.tenants.scoping import UNSCOPED, get_scoped

#: Cheque statuses meaning "already put in a reimbursement request".
IN_A_REQUEST = (ChequeStatus.requested, ChequeStatus.reimbursed, ChequeStatus.rejected, ChequeStatus.refused)


get = get_scoped  # the tenants package owns "a row of my collectivité, else 404"


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
    audit.record(session, "cheque.accept", cheque, {"number": number, "partner": partner.identifier,
                                                    "accepted_on": entry.day,
                                                    "late_justification": entry.late_justification})
    return cheque


# -- fee schedules ------------------------------------------------------------------------------

def prepare_fee_schedule(schedule: FeeSchedule) -> FeeSchedule:
    """Check a new fee schedule version (its number is given on insert)."""
    fees = rules.validate_fees(Decimal(schedule.rate or 0), Decimal(schedule.fixed or 0))
    schedule.rate, schedule.fixed = fees.rate, fees.fixed
    if schedule.effective_from is None:
        raise DomainError(N_("This field is required."), rule="required", field="effective_from")
    return schedule


def add_fee_schedule(session: Session, schedule: FeeSchedule) -> FeeSchedule:
    """A new fee schedule version, numbered on insert, audited."""
    prepare_fee_schedule(schedule)
    session.add(schedule)
    session.flush()
    audit.record(session, "fee_schedule.create", schedule, {
        "version": schedule.version, "effective_from": schedule.effective_from, "rate": schedule.rate,
        "fixed": schedule.fixed})
    return schedule


def edit_fee_schedule(session: Session, schedule: FeeSchedule) -> FeeSchedule:
    """Change a version no request was priced with yet, audited."""
    check_schedule_editable(session, schedule)
    audit.record(session, "fee_schedule.update", schedule, {"version": schedule.version,
                                                            "changes": audit.changed_fields(schedule)})
    return schedule


def schedule_used_by(session: Session, schedule_id: int) -> ReimbursementRequest | None:
    """The first request priced with this schedule version, if any."""
    return session.scalar(
        select(ReimbursementRequest).join(ReimbursementLine, ReimbursementLine.request_id == ReimbursementRequest.id)
        .where(ReimbursementLine.fee_schedule_id == schedule_id).order_by(ReimbursementRequest.id).limit(1)
    )


def used_schedules(session: Session, schedule_ids: Iterable[int]) -> set[int]:
    """Which of these schedule versions already priced a request (one query for a whole list page)."""
    return set(session.scalars(select(ReimbursementLine.fee_schedule_id).distinct()
                               .where(ReimbursementLine.fee_schedule_id.in_(list(schedule_ids)))))


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
    audit.record(session, "reimbursement.submit", request, {
        "partner": partner.identifier, "submitted_on": submitted_on, "cheques": [c.number for c in kept],
        "gross": request.gross, "fees": request.fees, "net": request.net, "fee_schedule": schedule.version,
        "refused": {r.cheque_number: r.error.rule for r in refusals},
        "late_justification": entry.late_justification})
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


# Chéquiers, the decisions and fraud blocks live in their own modules; this module stays the domain's one door.
from console.money.chequiers import (  # noqa: E402,F401
    add_prescripteur, check_chequier, check_issuable, check_number_free, chequier_number, cheque_numbers,
    distribute_cheques, edit_chequier, edit_prescripteur, fill_chequier, issue_chequier, normalise_numbers,
    pick_cheques, taken_numbers,
)
from console.money.blocks import active_block, block_partner, unblock_partner  # noqa: E402,F401
from console.money.decisions import (  # noqa: E402,F401
    add_to_batch, pay_batch, pay_request, reject_request, transfer_rows, validate_request,
)
