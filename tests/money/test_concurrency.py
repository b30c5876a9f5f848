"""Two requests racing for the same cheque on PostgreSQL: exactly one gets it."""
import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from console.errors import DomainError
from console.extensions import db
from console.money import api as money_api
from console.money.models import ReimbursementLine, ReimbursementRequest
from console.tenants.context import EVERYTHING, scoped
from tests.money.helpers import accept, chequier, dated

pytestmark = pytest.mark.parametrize("session_app", ["postgresql"], indirect=True)


def _race(app, partner_ids: list[int], numbers: list[str]) -> list[object]:
    """Submit the same cheques from two threads (two sessions, two connections) at the same moment."""
    outcomes: list[object] = [None, None]
    start = threading.Barrier(2, timeout=30)

    def submit(slot: int) -> None:
        with app.app_context(), scoped(EVERYTHING):
            try:
                start.wait()
                outcomes[slot] = money_api.submit_request(db.session, partner_ids[slot], numbers, dated(date(2026, 4, 1)))
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                outcomes[slot] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def _both_checked_before_either_claims(monkeypatch, bypass_status: bool = False) -> None:
    """Hold each submission after its checks until both have read the cheque as reimbursable."""
    checked = threading.Barrier(2, timeout=30)
    claim = money_api._claim

    def claim_together(session, partner, cheques):
        checked.wait()
        if bypass_status:  # as if the status check lied: only the unique line is left to refuse
            return {cheque.id for cheque in cheques}
        return claim(session, partner, cheques)

    monkeypatch.setattr(money_api, "_claim", claim_together)


@pytest.mark.parametrize("bypass_status", [False, True], ids=["conditional-update", "unique-constraint"])
def test_two_requests_racing_for_one_cheque_exactly_one_gets_it(app, money, monkeypatch, bypass_status):
    assert db.engine.dialect.name == "postgresql"
    numbers = chequier(money.world.a.id, "RACE", date(2026, 6, 30))
    accept(numbers[:3], money.pa, date(2026, 3, 1))
    db.session.remove()
    _both_checked_before_either_claims(monkeypatch, bypass_status)

    outcomes = _race(app, [money.pa, money.pa], numbers[:3])

    won = [o for o in outcomes if isinstance(o, money_api.Submission)]
    lost = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert lost[0].rule in {"one_reimbursement", "reimbursement"}
    if isinstance(lost[0], money_api.SubmissionRefused):
        assert {r.error.rule for r in lost[0].refusals} == {"one_reimbursement"}
    with scoped(EVERYTHING):
        assert db.session.scalar(select(func.count()).select_from(ReimbursementRequest)) == 1
        lines = db.session.execute(select(ReimbursementLine.cheque_id, func.count())
                                   .group_by(ReimbursementLine.cheque_id)).all()
    assert len(lines) == 3 and {n for _id, n in lines} == {1}
