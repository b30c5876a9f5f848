"""The complaints domain's writes: received -> under review -> accepted or rejected, each step audited."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from console import inputs
from console.audit import api as audit
from console.complaints import rules
from console.complaints.models import Complaint, ComplaintChannel, ComplaintEvent, ComplaintStatus
from console.errors import N_, Conflict, DomainError
from console.money.api import get
from console.money.models import ReimbursementRequest, RequestStatus
from console.partners.validators import validate_required

#: The note of the first event of a complaint received out of time (shown translated).
OUT_OF_TIME = "out_of_time"

#: The workflow: which status may follow which.
NEXT = {
    ComplaintStatus.received: {ComplaintStatus.under_review},
    ComplaintStatus.under_review: {ComplaintStatus.accepted, ComplaintStatus.rejected},
}


def _event(complaint: Complaint, to_status: ComplaintStatus, user_id: int | None, note: str | None,
           from_status: ComplaintStatus | None = None) -> None:
    complaint.events.append(ComplaintEvent(
        collectivite_id=complaint.collectivite_id, from_status=from_status.value if from_status else None,
        to_status=to_status.value, by_id=user_id, note=note,
    ))


def record_complaint(session: Session, request_id: int, received_on: date | None, channel: ComplaintChannel | str,
                     description: str, user_id: int | None = None) -> Complaint:
    """Record a complaint about a paid request; a late one is kept, flagged out of time (nothing is lost)."""
    request = get(session, ReimbursementRequest, request_id)
    if request.status is not RequestStatus.paid or request.paid_on is None:
        raise DomainError(N_("A complaint concerns a paid settlement; request %(reference)s is not paid."),
                          rule="complaint_request", field="request", reference=request.reference)
    if received_on is None:
        raise DomainError(N_("This field is required."), rule="required", field="received_on")
    try:
        channel = ComplaintChannel(channel.value if isinstance(channel, ComplaintChannel) else channel)
    except ValueError:
        raise DomainError(N_("Unknown channel %(channel)s."), rule="required", field="channel", channel=channel)
    complaint = Complaint(
        request=request, collectivite_id=request.collectivite_id, received_on=received_on, channel=channel,
        description=validate_required(description, "description"), recorded_by_id=user_id,
        deadline=rules.complaint_deadline(request.paid_on),
        in_time=rules.is_complaint_in_time(request.paid_on, received_on),
    )
    _event(complaint, ComplaintStatus.received, user_id, None if complaint.in_time else OUT_OF_TIME)
    session.add(complaint)
    session.flush()
    audit.record(session, "complaint.record", complaint, {
        "request": request.reference, "received_on": received_on, "channel": channel, "in_time": complaint.in_time})
    return complaint


def _move(session: Session, complaint_id: int, target: ComplaintStatus, user_id: int | None, note: str | None
          ) -> Complaint:
    complaint = get(session, Complaint, complaint_id)
    if target not in NEXT.get(complaint.status, set()):
        raise Conflict(N_("Complaint %(reference)s cannot take this step: a complaint is received, then reviewed,"
                          " then accepted or rejected, once."),
                       rule="complaint_status", reference=complaint.reference)
    _event(complaint, target, user_id, note, complaint.status)
    complaint.status = target
    return complaint


def start_review(session: Session, complaint_id: int, user_id: int | None = None, note: str | None = None
                 ) -> Complaint:
    """Take a received complaint under review."""
    complaint = _move(session, complaint_id, ComplaintStatus.under_review, user_id, (note or "").strip() or None)
    session.flush()
    audit.record(session, "complaint.review", complaint, {"note": complaint.events[-1].note})
    return complaint


def parse_amount(value: object) -> Decimal | None:
    """A Decimal from a form or JSON value (« 1,50 », « 1.50 », « 1,50 € »), None when blank or not a number."""
    return inputs.amount(value)


def accept_complaint(session: Session, complaint_id: int, correction_amount: Decimal | None, reason: str,
                     today: date, user_id: int | None = None) -> Complaint:
    """Accept a complaint received in time, with the amount of the correction."""
    complaint = get(session, Complaint, complaint_id)
    rules.check_complaint_acceptable(complaint.request.paid_on, complaint.received_on)
    amount = rules.check_correction_amount(correction_amount, complaint.request.gross)
    reason = validate_required(reason, "reason")
    _move(session, complaint_id, ComplaintStatus.accepted, user_id, reason)
    complaint.correction_amount, complaint.decision_reason, complaint.decided_on = amount, reason, today
    session.flush()
    audit.record(session, "complaint.accept", complaint, {"correction_amount": amount, "reason": reason})
    return complaint


def reject_complaint(session: Session, complaint_id: int, reason: str, today: date, user_id: int | None = None
                     ) -> Complaint:
    """Reject a complaint, with the reason (the only outcome of a complaint out of time)."""
    reason = validate_required(reason, "reason")
    complaint = _move(session, complaint_id, ComplaintStatus.rejected, user_id, reason)
    complaint.decision_reason, complaint.decided_on = reason, today
    session.flush()
    audit.record(session, "complaint.reject", complaint, {"reason": reason})
    return complaint
