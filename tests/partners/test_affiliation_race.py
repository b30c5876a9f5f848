"""Two correspondents approving the same request at the same moment give exactly one transition."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from console.config import ROLE_CORRESPONDENT
from console.errors import Conflict
from console.extensions import db
from console.partners import api as partners_api
from console.partners import rules
from console.partners.models import AffiliationTransition, PartnerStatus, TransitionAction
from console.tenants.context import EVERYTHING, scoped
from tests.conftest import make_user
from tests.partners.helpers import acting_as, in_state, outbox, partner


def test_concurrent_approvals_give_one_transition(app, world, monkeypatch):
    with scoped(EVERYTHING):
        make_user("alpha-correspondent2", ROLE_CORRESPONDENT, world.a.collectivite)
    pk = in_state(world, PartnerStatus.checked)
    # Both users have read the request as 'checked' before either writes: the worst interleaving.
    both_read = threading.Barrier(2, timeout=20)
    original = rules.check_approvable

    def check_then_wait(*args):
        original(*args)
        both_read.wait()

    monkeypatch.setattr(rules, "check_approvable", check_then_wait)
    outcomes: dict[str, object] = {}

    def approve(username: str) -> None:
        with app.app_context():
            try:
                with acting_as(username) as actor:
                    partners_api.move(db.session, pk, TransitionAction.approve, actor)
                outcomes[username] = "approved"
            except Conflict as error:
                outcomes[username] = error
            finally:
                db.session.remove()

    names = ("alpha-correspondent", "alpha-correspondent2")
    threads = [threading.Thread(target=approve, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(map(str, outcomes.values()))[1] == "approved", outcomes
    assert sum(1 for value in outcomes.values() if isinstance(value, Conflict)) == 1
    assert partner(pk).status is PartnerStatus.approved
    with scoped(EVERYTHING):
        approvals = db.session.scalar(select(func.count(AffiliationTransition.id)).where(
            AffiliationTransition.partner_id == pk, AffiliationTransition.action == TransitionAction.approve))
    assert approvals == 1
    assert len(outbox("partner_approved")) == 1
