"""Complaints: the two-month window at the API, the workflow and its audit trail."""
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from console.complaints import api as complaints_api
from console.complaints.models import Complaint, ComplaintStatus
from console.errors import Conflict, DomainError
from console.extensions import db
from console.money import api as money_api
from console.tenants.context import EVERYTHING, scoped
from tests.money.helpers import accept, chequier, messages, operator, submit

ONE_DAY = timedelta(days=1)


def paid_request(money, paid_on: date, number: str = "C1", tenant: str = "a") -> int:
    """A request of collectivité A's (or B's) partner paid on ``paid_on`` (validated the same day)."""
    partner = money.pa if tenant == "a" else money.pb
    numbers = chequier(getattr(money.world, tenant).id, number, paid_on + timedelta(days=60))
    accept(numbers[:2], partner, paid_on - timedelta(days=3))
    request = submit(partner, numbers[:2], paid_on - timedelta(days=2)).request
    with operator():
        money_api.validate_request(db.session, request.id, paid_on)
        money_api.pay_request(db.session, request.id, paid_on, "VIR", paid_on)
    return request.id


def record(request_id: int, received_on: date, channel: str = "email"):
    with operator():
        return complaints_api.record_complaint(db.session, request_id, received_on, channel, "Montant erroné")


@pytest.mark.parametrize("paid_on, deadline", [
    (date(2025, 12, 31), date(2026, 2, 28)),
    (date(2025, 12, 30), date(2026, 2, 28)),
    (date(2023, 12, 31), date(2024, 2, 29)),
    (date(2026, 8, 31), date(2026, 10, 31)),
    (date(2024, 2, 29), date(2024, 4, 29)),
])
def test_a_complaint_is_receivable_until_the_same_day_two_months_after_payment(money, paid_on, deadline):
    request_id = paid_request(money, paid_on)
    in_time, late = record(request_id, deadline), record(request_id, deadline + ONE_DAY)
    assert (in_time.deadline, in_time.in_time, late.in_time) == (deadline, True, False)
    assert in_time.days_left(deadline) == 0 and late.days_left(deadline + ONE_DAY) == -1
    with operator():
        complaints_api.start_review(db.session, late.id)
        with pytest.raises(DomainError) as refusal:
            complaints_api.accept_complaint(db.session, late.id, D("2.00"), "ok", deadline + ONE_DAY)
    assert refusal.value.rule == "complaint_window"
    text = messages(refusal.value)
    assert deadline.strftime("%d/%m/%Y") in text["fr"] and paid_on.strftime("%d/%m/%Y") in text["en"]
    db.session.rollback()
    with operator():
        complaints_api.reject_complaint(db.session, late.id, "Reçue hors délai", deadline + ONE_DAY)
        assert late.status is ComplaintStatus.rejected  # recorded, kept, and closed


def test_the_workflow_is_received_then_under_review_then_decided_and_every_step_is_audited(money):
    complaint = record(paid_request(money, date(2026, 3, 10)), date(2026, 3, 20), "letter")
    with operator():
        with pytest.raises(Conflict) as refusal:
            complaints_api.accept_complaint(db.session, complaint.id, D("1.00"), "Erreur", date(2026, 3, 21))
        assert refusal.value.rule == "complaint_status"
        complaints_api.start_review(db.session, complaint.id, note="Vérification des lignes")
        with pytest.raises(DomainError) as refusal:
            complaints_api.accept_complaint(db.session, complaint.id, D("20.01"), "Erreur", date(2026, 3, 21))
        assert refusal.value.field == "correction_amount" and "20,00" in messages(refusal.value)["fr"]
        complaints_api.accept_complaint(db.session, complaint.id, D("1.50"), "Frais appliqués à tort",
                                        date(2026, 3, 22))
    with scoped(EVERYTHING):
        complaint = money_api.get(db.session, type(complaint), complaint.id)
        steps = [(e.from_status, e.to_status) for e in complaint.events]
        assert steps == [(None, "received"), ("received", "under_review"), ("under_review", "accepted")]
        assert (complaint.correction_amount, complaint.decided_on) == (D("1.50"), date(2026, 3, 22))
        assert complaint.days_left(date(2026, 3, 22)) is None
        with pytest.raises(Conflict):
            complaints_api.reject_complaint(db.session, complaint.id, "non", date(2026, 3, 23))


def test_a_complaint_needs_a_paid_request_a_channel_and_a_description(money):
    numbers = chequier(money.world.a.id, "C2", date(2026, 6, 30))
    accept(numbers[:1], money.pa, date(2026, 3, 1))
    unpaid = submit(money.pa, numbers[:1], date(2026, 3, 2)).request
    paid = paid_request(money, date(2026, 3, 10), "C3")
    with scoped(EVERYTHING):
        for request_id, channel, description, field in ((unpaid.id, "email", "x", "request"),
                                                        (paid, "pigeon", "x", "channel"),
                                                        (paid, "email", " ", "description")):
            with pytest.raises(DomainError) as refusal:
                complaints_api.record_complaint(db.session, request_id, date(2026, 3, 20), channel, description)
            assert refusal.value.field == field
            db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0
