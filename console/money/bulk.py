"""Bulk decisions on ticked reimbursement requests: validate several, put several in a payment batch, mark a
batch paid. ``*_preview`` says what each would become (writing nothing); the others do it, each request its own
audited act. Validate, change, flush: the caller commits once (see ``console.selection``)."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session, joinedload

from console.money import decisions
from console.money.models import PaymentBatch, ReimbursementRequest
from console.selection import Outcome, each, selected_rows
from console.tenants.scoping import get_scoped


def _reference(request: ReimbursementRequest) -> str:
    return request.reference


def selected_requests(session: Session, ids: list[int]) -> list[ReimbursementRequest]:
    """The ticked requests of the user's collectivité (another's refuses the whole action)."""
    return selected_rows(session, ReimbursementRequest, ids, joinedload(ReimbursementRequest.partner))


def validation_preview(session: Session, ids: list[int]) -> list[Outcome[ReimbursementRequest]]:
    """What validating each ticked request would do: validated, or refused by which rule."""
    return each(selected_requests(session, ids), lambda r: decisions.check_validatable(session, r), _reference)


def validate_many(session: Session, ids: list[int], today: date, user_id: int | None
                  ) -> list[Outcome[ReimbursementRequest]]:
    """Validate each ticked request that the rules allow (all its cheques), each one audited and notified."""
    return each(selected_requests(session, ids),
                lambda r: decisions.validate_request(session, r.id, today, user_id), _reference)


def batch_preview(session: Session, ids: list[int]) -> list[Outcome[ReimbursementRequest]]:
    """What putting each ticked request in a payment batch would do."""
    return each(selected_requests(session, ids), lambda r: decisions.check_batchable(session, r), _reference)


def batch_many(session: Session, ids: list[int], payment_date: date, user_id: int | None
               ) -> tuple[PaymentBatch | None, list[Outcome[ReimbursementRequest]]]:
    """Put the ticked requests the rules allow in the batch of ``payment_date`` (each addition audited)."""
    outcomes = batch_preview(session, ids)
    kept = [outcome.row.id for outcome in outcomes if outcome.accepted]
    return (decisions.add_to_batch(session, kept, payment_date, user_id) if kept else None), outcomes


def payment_preview(session: Session, batch_id: int, paid_on: date, today: date
                    ) -> tuple[PaymentBatch, list[Outcome[ReimbursementRequest]]]:
    """What marking the batch paid would do to each of its requests (the batch is paid whole or not at all)."""
    batch = get_scoped(session, PaymentBatch, batch_id)
    decisions.check_batch_unpaid(batch)
    return batch, each(sorted(batch.requests, key=lambda r: r.id),
                       lambda r: decisions.check_payable(session, r, paid_on, today), _reference)
