"""Collectivités A and B with work waiting in every queue, counts different in each, around today's edges."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from console.complaints.models import Complaint, ComplaintChannel, ComplaintStatus
from console.extensions import db
from console.money.models import PartnerBlock, PaymentBatch, ReimbursementRequest, RequestStatus
from console.partners.models import PartnerStatus, RibChangeRequest, RibChangeStatus
from console.tenants.models import ConsoleUser
from tests.conftest import make_partner
from tests.money import helpers
from tests.money.helpers import IBAN


def siret(n: int) -> str:
    """A SIRET with a valid Luhn key, distinct for each ``n``."""
    base = f"{900000000 + n:09d}0001"
    for key in range(10):
        digits = [int(c) for c in base + str(key)]
        total = sum(d if i % 2 else (2 * d if 2 * d < 10 else 2 * d - 9) for i, d in enumerate(digits))
        if total % 10 == 0:
            return base + str(key)
    raise AssertionError(n)


@dataclass
class Queued:
    world: object
    today: date
    expected: dict[str, dict[str, int]] = field(default_factory=dict)  # tenant -> queue key -> count
    partners: dict[str, int] = field(default_factory=dict)  # tenant -> an approved partner


def _partner(tenant, n: int, status: PartnerStatus, **fields) -> int:
    return make_partner(tenant.collectivite, name=f"Structure {n}", number=n, siret=siret(n), status=status,
                        **fields)


def _user_id(username: str) -> int:
    return db.session.query(ConsoleUser.id).filter_by(username=username).scalar()


def fill(world, tenant, offset: int, extra: int, overdue: bool, today: date) -> dict[str, int]:
    """Rows in every state around the queues' edges; ``extra`` more rows in the count-only queues."""
    n = offset
    for _ in range(1 + extra):
        _partner(tenant, n := n + 1, PartnerStatus.checked)
        _partner(tenant, n := n + 1, PartnerStatus.submitted)
    paying = _partner(tenant, n := n + 1, PartnerStatus.approved)
    helpers.rib(paying)
    blocked = _partner(tenant, n := n + 1, PartnerStatus.approved)
    mine = _partner(tenant, n := n + 1, PartnerStatus.approved)
    theirs = _partner(tenant, n := n + 1, PartnerStatus.approved)
    schedule = helpers.schedule(tenant.id, date(2020, 1, 1))
    correspondent = _user_id(tenant.users["correspondent"])
    with helpers.operator():
        db.session.add(PartnerBlock(partner_id=blocked, reason="Suspicion", collectivite_id=tenant.id))
        # Four eyes: the correspondent's own change waits for someone else; the operator's waits for them.
        for partner_id, by in ((mine, correspondent), (theirs, _user_id(world.operator))):
            db.session.add(RibChangeRequest(partner_id=partner_id, status=RibChangeStatus.pending, holder="X",
                                            iban=IBAN, bic="BNPAFRPP", requested_by_id=by, collectivite_id=tenant.id))
        batch = PaymentBatch(payment_date=today + timedelta(days=offset), collectivite_id=tenant.id)
        db.session.add(batch)

        def request(status: RequestStatus, due_on: date | None = None, **values) -> ReimbursementRequest:
            row = ReimbursementRequest(partner_id=paying, status=status, submitted_on=today - timedelta(days=20),
                                       fee_schedule_id=schedule, due_on=due_on, collectivite_id=tenant.id,
                                       net=Decimal("10.00"), **values)
            db.session.add(row)
            return row

        for _ in range(1 + extra):
            request(RequestStatus.submitted)
        if overdue:
            request(RequestStatus.validated, today - timedelta(days=1))  # overdue by one day
        request(RequestStatus.validated, today)  # due today: due soon, not overdue
        request(RequestStatus.validated, today + timedelta(days=3))  # the last day of « within 3 days »
        request(RequestStatus.validated, today + timedelta(days=4))  # one day too far
        request(RequestStatus.validated, today + timedelta(days=10), batch=batch)  # in a batch already
        paid = request(RequestStatus.paid, today - timedelta(days=30), paid_on=today - timedelta(days=40))
        db.session.flush()
        for status, deadline in ((ComplaintStatus.received, today + timedelta(days=7)),  # last day of « 7 days »
                                 (ComplaintStatus.under_review, today + timedelta(days=8)),
                                 (ComplaintStatus.received, today),
                                 (ComplaintStatus.received, today - timedelta(days=1)),  # window closed
                                 (ComplaintStatus.accepted, today + timedelta(days=1))):  # handled
            db.session.add(Complaint(request_id=paid.id, received_on=today - timedelta(days=2), deadline=deadline,
                                     channel=ComplaintChannel.email, description="Montant", status=status,
                                     in_time=deadline >= today, collectivite_id=tenant.id))
    return {"affiliations_to_decide": 1 + extra, "ribs_to_confirm": 1, "requests_to_validate": 1 + extra,
            "validated_not_batched": 3 + overdue, "payments_overdue": int(overdue), "payments_due_soon": 2,
            "complaints_to_handle": 4, "complaints_closing": 2,
            # the operator's, per collectivité
            "affiliations_to_check": 1 + extra, "blocks_to_review": 1, "collectivites_overdue": int(overdue),
            "paying": paying}


def fill_both(world, today: date) -> Queued:
    """A with an overdue payment, B with more rows in the count-only queues and none overdue."""
    result = Queued(world, today)
    for name, tenant, offset, extra, overdue in (("a", world.a, 0, 0, True), ("b", world.b, 100, 2, False)):
        counts = fill(world, tenant, offset, extra, overdue, today)
        result.partners[name] = counts.pop("paying")
        result.expected[name] = counts
    return result
