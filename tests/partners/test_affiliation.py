"""The affiliation workflow: every legal and illegal transition, its message, the timeline, the e-mails."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from console.errors import Conflict, DomainError, Forbidden
from console.extensions import db
from console.partners import api as partners_api
from console.partners.models import PartnerStatus, RejectionReason, TransitionAction as A
from tests.partners.helpers import acting_as, in_state, outbox, partner

S = PartnerStatus
LEGAL = [
    (S.submitted, "operateur", A.check_pass, S.checked),
    (S.submitted, "operateur", A.check_fail, S.checked),
    (S.checked, "alpha-correspondent", A.approve, S.approved),
    (S.checked, "alpha-correspondent", A.reject, S.rejected),
    (S.approved, "alpha-correspondent", A.suspend, S.suspended),
    (S.suspended, "alpha-correspondent", A.reinstate, S.approved),
]


@pytest.mark.parametrize("start, username, action, end", LEGAL)
def test_legal_transitions_move_the_partner_and_are_recorded(world, start, username, action, end):
    pk = in_state(world, start)
    with acting_as(username) as actor:
        partners_api.move(db.session, pk, action, actor, reason_code="incomplete_documents", reason="Pièce manquante")
    assert partner(pk).status is end
    with acting_as(username):
        last = partners_api.timeline(db.session, partner(pk))[-1]
        assert (last.action, last.from_status, last.to_status) == (action, start, end)
        assert last.user.username == username and last.at is not None


def refusal(world, pk, username, action, **kwargs) -> DomainError:
    before = partner(pk).status
    with pytest.raises(DomainError) as raised, acting_as(username) as actor:
        partners_api.move(db.session, pk, action, actor, **kwargs)
    assert partner(pk).status is before
    return raised.value


def english(error: DomainError) -> str:
    with force_locale("en"):
        return str(error)


@pytest.mark.parametrize("start, action, message", [
    (S.submitted, A.approve, "Status of PN-ALP-000001: Submitted, awaiting the operator check. "
     "Only a checked request can be approved."),
    (S.submitted, A.reject, "Status of PN-ALP-000001: Submitted, awaiting the operator check. "
     "Only a checked request can be rejected."),
    (S.approved, A.approve, "Nothing to do: the status of PN-ALP-000001 is already « Approved partner »."),
    (S.rejected, A.reject, "Nothing to do: the status of PN-ALP-000001 is already « Rejected request »."),
    (S.rejected, A.approve,
     "Status of PN-ALP-000001: Rejected request. Only a checked request can be approved."),
    (S.checked, A.suspend,
     "Status of PN-ALP-000001: Checked by the operator. Only an approved partner can be suspended."),
    (S.approved, A.reinstate, "Nothing to do: the status of PN-ALP-000001 is already « Approved partner »."),
    (S.rejected, A.reinstate,
     "Status of PN-ALP-000001: Rejected request. Only a suspended partner can be reinstated."),
    (S.suspended, A.suspend, "Nothing to do: the status of PN-ALP-000001 is already « Suspended partner »."),
])
def test_illegal_transitions_are_refused_with_a_clear_message(world, start, action, message):
    pk = in_state(world, start)
    error = refusal(world, pk, "alpha-correspondent", action, reason_code="other", reason="x")
    assert english(error) == message
    assert str(error).startswith(("Statut de PN-ALP-000001\u00a0: ", "Rien à faire\u00a0: le statut de PN-ALP-000001"))


@pytest.mark.parametrize("start, message", [
    (S.checked, "Nothing to do: the status of PN-ALP-000001 is already « Checked by the operator »."),
    (S.approved, "Status of PN-ALP-000001: Approved partner. Only a submitted request can be checked."),
])
def test_the_operator_check_happens_once(world, start, message):
    pk = in_state(world, start)
    assert english(refusal(world, pk, "operateur", A.check_pass)) == message


def test_approving_without_a_rib_is_refused(world):
    pk = in_state(world, S.checked, rib=False)
    error = refusal(world, pk, "alpha-correspondent", A.approve)
    assert english(error) == "PN-ALP-000001 has no valid RIB yet: it cannot be approved without one."


def test_a_failed_check_can_only_be_rejected(world):
    pk = in_state(world, S.submitted)
    with acting_as("operateur") as actor:
        partners_api.move(db.session, pk, A.check_fail, actor, reason="Kbis illisible")
    error = refusal(world, pk, "alpha-correspondent", A.approve)
    assert "operator check of PN-ALP-000001 failed" in english(error)
    with acting_as("alpha-correspondent") as actor:
        partners_api.move(db.session, pk, A.reject, actor, reason_code=RejectionReason.incomplete_documents)
    assert partner(pk).status is S.rejected


@pytest.mark.parametrize("username, action", [
    ("alpha-correspondent", A.check_pass), ("alpha-support", A.check_pass),
    ("operateur", A.approve), ("alpha-support", A.approve), ("alpha-elected", A.reject),
])
def test_each_step_belongs_to_one_role(world, username, action):
    pk = in_state(world, S.submitted if action is A.check_pass else S.checked)
    error = refusal(world, pk, username, action, reason_code="other", reason="x")
    assert isinstance(error, Forbidden)


@pytest.mark.parametrize("action, kwargs, field", [
    (A.check_fail, {}, "reason"),
    (A.reject, {}, "reason_code"),
    (A.reject, {"reason_code": "other"}, "reason"),
    (A.reject, {"reason_code": "not-a-reason"}, "reason_code"),
    (A.suspend, {"reason": "  "}, "reason"),
    (A.reinstate, {}, "reason"),
])
def test_reasons_are_required(world, action, kwargs, field):
    start = {A.check_fail: S.submitted, A.reject: S.checked, A.suspend: S.approved, A.reinstate: S.suspended}
    pk = in_state(world, start[action])
    error = refusal(world, pk, "operateur" if action is A.check_fail else "alpha-correspondent", action, **kwargs)
    assert error.field == field


def test_another_collectivite_cannot_move_the_partner(world):
    pk = in_state(world, S.checked)
    error = refusal(world, pk, "beta-correspondent", A.approve)
    assert error.status == 404


def test_the_timeline_holds_every_step_with_who_and_why(world):
    pk = in_state(world, S.suspended)
    with acting_as("alpha-correspondent") as actor:
        partners_api.move(db.session, pk, A.reinstate, actor, reason="Contrôle conforme")
        steps = partners_api.timeline(db.session, partner(pk))
        assert [step.action for step in steps] == [A.check_pass, A.approve, A.suspend, A.reinstate]
        assert [step.user.username for step in steps] == ["operateur"] + ["alpha-correspondent"] * 3
        assert steps[-1].reason == "Contrôle conforme"
    assert partner(pk).approved_at is not None


def test_approval_and_rejection_e_mail_the_partner_in_french(world):
    approved = in_state(world, S.approved, 0)
    rejected = in_state(world, S.checked, 1)
    with acting_as("alpha-correspondent") as actor:
        partners_api.move(db.session, rejected, A.reject, actor, reason_code="closed_business",
                          reason="Radiée du RCS")
    [approval] = outbox("partner_approved")
    assert approval.recipient == partner(approved).email
    assert partner(approved).identifier in approval.subject and "approuvée" in approval.subject
    assert "chèques" in approval.body and "Demander un remboursement" in approval.body
    [rejection] = outbox("partner_rejected")
    assert rejection.recipient == partner(rejected).email
    assert "Radiée du RCS" in rejection.body and "L’activité a cessé" in rejection.body
    assert "nouvelle demande" in rejection.body

