"""Demo money: every state the pages show, and the bulk generator for benchmark volumes."""
from datetime import date

from sqlalchemy import func, select

from console.complaints.models import Complaint
from console.demo import load_demo
from console.extensions import db
from console.money.demo import bulk_cheques
from console.money.models import Cheque, ChequeStatus, FeeSchedule, PartnerBlock, ReimbursementLine, \
    ReimbursementRequest, RequestStatus
from console.tenants.context import EVERYTHING, scoped


def test_the_demo_has_cheques_requests_blocks_and_complaints_in_every_state(app):
    load_demo("demo-password-1")
    today = date.today()
    with scoped(EVERYTHING):
        count = lambda statement: db.session.scalar(statement)  # noqa: E731
        assert count(select(func.count()).select_from(Cheque)) == 5000
        assert set(db.session.scalars(select(Cheque.status).distinct())) == set(ChequeStatus)
        assert set(db.session.scalars(select(ReimbursementRequest.status).distinct())) == set(RequestStatus)
        requests = db.session.scalars(select(ReimbursementRequest)).all()
        assert any(r.is_overdue(today) and r.status is RequestStatus.validated for r in requests)
        assert any(r.batch_id for r in requests)
        assert count(select(func.count()).where(PartnerBlock.unblocked_at.is_(None))) >= 1
        assert count(select(func.count()).where(PartnerBlock.justification.is_not(None))) >= 1
        assert count(select(func.max(FeeSchedule.version))) == 3
        assert set(db.session.scalars(select(Complaint.in_time).distinct())) == {True, False}
        lines = count(select(func.count()).select_from(ReimbursementLine))
        refused = count(select(func.count()).where(ReimbursementLine.rejection.is_not(None)))
        assert refused > 0 and lines == count(select(func.sum(ReimbursementRequest.cheque_count))) + refused

        written = bulk_cheques(2005)
        assert written == 2005
        assert count(select(func.count()).select_from(Cheque)) == 7005
        assert count(select(func.count()).where(Cheque.number.like("BN0%"))) == 2005
        assert count(select(func.count()).select_from(ReimbursementLine)) > lines
        # Ids keep coming from the sequence after explicit ids (PostgreSQL).
        load_more = bulk_cheques(10, seed=2)
        assert load_more == 10
