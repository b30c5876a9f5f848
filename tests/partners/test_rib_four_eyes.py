"""Four eyes on RIB changes for everyone: recorder × confirmer over every role, own and other collectivité.

A RIB change is confirmed by a user other than its recorder, whatever their role — an operator who recorded
a change cannot confirm it either — and only by a correspondent of the partner's collectivité or an operator.
"""
from __future__ import annotations

from sqlalchemy import select

from console.config import ROLE_CORRESPONDENT, ROLE_OPERATOR
from console.errors import DomainError
from console.extensions import db
from console.partners import api as partners_api
from console.partners.models import BankAccount, PartnerStatus, RibChangeRequest, RibChangeStatus
from console.tenants.context import EVERYTHING, scoped
from tests.conftest import make_user
from tests.partners.helpers import acting_as, in_state
from tests.partners.test_rib_changes import NEW_RIB

# Every role, in the partner's collectivité (A) and in another one (B); two of the roles that may confirm.
PEOPLE = {
    "operator": "operateur", "operator 2": "operateur-2",
    "correspondent A": "alpha-correspondent", "correspondent A 2": "alpha-correspondent-2",
    "support A": "alpha-support", "elected A": "alpha-elected",
    "correspondent B": "beta-correspondent", "support B": "beta-support", "elected B": "beta-elected",
}
MAY_RECORD = {"operator", "operator 2", "correspondent A", "correspondent A 2"}
MAY_CONFIRM = MAY_RECORD  # but never the change they recorded
UNSEEN = {"correspondent B", "support B", "elected B"}  # the partner is not theirs: 404, as if absent


def outcome(action) -> int:
    """200 when done, else the refusal's HTTP status (403 a role refused, 404 not seen)."""
    try:
        action()
    except DomainError as error:
        return error.status
    return 200


def test_recorder_times_confirmer_over_every_role(world):
    with scoped(EVERYTHING):
        make_user("operateur-2", ROLE_OPERATOR, None)
        make_user("alpha-correspondent-2", ROLE_CORRESPONDENT, world.a.collectivite)
    pk = in_state(world, PartnerStatus.approved)
    for recorder, recorder_name in PEOPLE.items():
        changes: list[int] = []
        with acting_as(recorder_name) as actor:
            status = outcome(lambda: changes.append(
                partners_api.request_rib_change(db.session, pk, NEW_RIB, actor).id))
        # The role is checked first: support agents and élus of any collectivité are refused as such.
        expected = 200 if recorder in MAY_RECORD else 404 if recorder == "correspondent B" else 403
        assert status == expected, recorder
        if not changes:
            continue
        for confirmer, confirmer_name in PEOPLE.items():
            with acting_as(confirmer_name) as actor:
                status = outcome(lambda: partners_api.confirm_rib_change(db.session, changes[0], actor))
            if confirmer == recorder:
                expected = 403
            else:
                expected = 200 if confirmer in MAY_CONFIRM else 404 if confirmer in UNSEEN else 403
            assert status == expected, (recorder, confirmer)
            with scoped(EVERYTHING):
                db.session.expire_all()
                change = db.session.get(RibChangeRequest, changes[0])
                confirmed = change.status is RibChangeStatus.confirmed
                assert confirmed is (status == 200), (recorder, confirmer)
                if confirmed:
                    assert change.decided_by.username == confirmer_name != change.requested_by.username
                    current = db.session.scalar(select(BankAccount).where(BankAccount.partner_id == pk,
                                                                          BankAccount.replaced_at.is_(None)))
                    assert current.change_request_id == change.id
            if confirmed:  # a new change for the next confirmer
                with acting_as(recorder_name) as actor:
                    changes[0] = partners_api.request_rib_change(db.session, pk, NEW_RIB, actor).id
