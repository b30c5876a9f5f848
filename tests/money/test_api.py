"""The money domain API at the edges of the FAQ rules, on SQLite and PostgreSQL."""
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from console.errors import Conflict, DomainError
from console.extensions import db
from console.mail import OutboxMessage
from console.money import api as money_api
from console.money.models import (
    Cheque, ChequeStatus, FeeSchedule, ReimbursementLine, ReimbursementRequest, RequestStatus,
)
from console.partners.models import PartnerStatus
from console.tenants.context import EVERYTHING, only, scoped
from console.tenants.models import utcnow
from tests.money import helpers
from tests.money.helpers import accept, chequier, messages, operator, submit

ONE_DAY = timedelta(days=1)


def count(model) -> int:
    with scoped(EVERYTHING):
        return db.session.scalar(select(func.count()).select_from(model))


# -- chéquiers and acceptance ---------------------------------------------------------------------

def test_a_chequier_holds_ten_cheques_of_ten_euros(money):
    numbers = chequier(money.world.a.id, "a 100", date(2026, 6, 30))
    assert numbers == [f"A100-{i:02d}" for i in range(1, 11)]
    with scoped(EVERYTHING):
        values = db.session.scalars(select(Cheque.face_value)).all()
    assert values == [D("10.00")] * 10 and sum(values) == D("100.00")


@pytest.mark.parametrize("validity_date", [date(2025, 12, 31), date(2024, 2, 29), date(2026, 6, 15)])
def test_a_cheque_is_accepted_on_its_validity_day_and_refused_the_day_after(money, validity_date):
    first, second = chequier(money.world.a.id, "V1", validity_date)[:2]
    accept([first], money.pa, validity_date)
    with pytest.raises(DomainError) as refusal:
        accept([second], money.pa, validity_date + ONE_DAY)
    assert refusal.value.rule == "validity"
    text = messages(refusal.value)
    assert validity_date.strftime("%d/%m/%Y") in text["fr"] and "valable jusqu’au" in text["fr"]
    assert (validity_date + ONE_DAY).strftime("%d/%m/%Y") in text["en"] and "valid until" in text["en"]
    with scoped(EVERYTHING):
        statuses = dict(db.session.execute(select(Cheque.number, Cheque.status)).all())
    assert statuses[first] is ChequeStatus.accepted and statuses[second] is ChequeStatus.issued


def test_a_cheque_already_accepted_is_refused_naming_the_date(money):
    [number] = chequier(money.world.a.id, "V2", date(2026, 6, 30))[:1]
    accept([number], money.pa, date(2026, 3, 2))
    with pytest.raises(Conflict) as refusal:
        accept([number], money.pa2, date(2026, 3, 3))
    assert refusal.value.rule == "already_accepted"
    assert "02/03/2026" in messages(refusal.value)["fr"]


def test_acceptance_refused_for_an_unapproved_partner_another_collectivite_or_an_unknown_number(money):
    [number] = chequier(money.world.a.id, "V3", date(2026, 6, 30))[:1]
    submitted = helpers.approved_partner(money.world.a.collectivite, 3, PartnerStatus.submitted)
    for partner, expected in ((submitted, "partner_approved"), (money.pb, "collectivite")):
        with pytest.raises(DomainError) as refusal:
            accept([number], partner, date(2026, 3, 2))
        assert refusal.value.rule == expected
    with pytest.raises(DomainError) as refusal:
        accept(["NOPE-01"], money.pa, date(2026, 3, 2))
    assert refusal.value.rule == "unknown_cheque"
    assert "NOPE-01" in messages(refusal.value)["en"]


def test_a_correspondent_cannot_accept_for_a_partner_of_another_collectivite(money):
    [number] = chequier(money.world.b.id, "V4", date(2026, 6, 30))[:1]
    with scoped(only(money.world.a.id)), pytest.raises(DomainError) as refusal:
        money_api.accept_cheque(db.session, number, money.pb, helpers.dated(date(2026, 3, 2)))
    assert refusal.value.status == 404
    db.session.rollback()
    with scoped(EVERYTHING):
        assert db.session.scalar(select(Cheque.status).where(Cheque.number == number)) is ChequeStatus.issued


# -- registration deadline (M+1) at the API -----------------------------------------------------

@pytest.mark.parametrize("validity_date, deadline", [
    (date(2025, 12, 31), date(2026, 1, 31)),
    (date(2026, 6, 15), date(2026, 7, 31)),
    (date(2024, 1, 31), date(2024, 2, 29)),
    (date(2025, 1, 31), date(2025, 2, 28)),
    (date(2025, 11, 30), date(2025, 12, 31)),
])
def test_a_request_is_received_up_to_the_last_day_of_the_next_month(money, validity_date, deadline):
    numbers = chequier(money.world.a.id, "M1", validity_date)
    accept(numbers[:2], money.pa, validity_date)
    received = submit(money.pa, numbers[:1], deadline)
    assert received.refusals == [] and received.request.cheque_count == 1
    with pytest.raises(money_api.SubmissionRefused) as refused:
        submit(money.pa, numbers[1:2], deadline + ONE_DAY)
    [refusal] = refused.value.refusals
    assert (refusal.cheque_number, refusal.error.rule) == (numbers[1], "registration_deadline")
    text = messages(refusal.error)
    assert deadline.strftime("%d/%m/%Y") in text["fr"] and (deadline + ONE_DAY).strftime("%d/%m/%Y") in text["en"]


# -- refusals, whole and per cheque ---------------------------------------------------------------

def test_each_refused_cheque_gets_its_own_reason_and_the_others_are_kept(money):
    mine = chequier(money.world.a.id, "R1", date(2026, 6, 30))
    theirs = chequier(money.world.b.id, "R2", date(2026, 6, 30))
    accept(mine[:4], money.pa, date(2026, 3, 1))
    accept(mine[4:5], money.pa2, date(2026, 3, 1))
    accept(theirs[:1], money.pb, date(2026, 3, 1))
    first = submit(money.pa, mine[3:4], date(2026, 4, 1)).request
    received = submit(money.pa, [mine[0], mine[1], mine[4], theirs[0], mine[3], "UNKNOWN-1", mine[0], mine[6]],
                      date(2026, 4, 2))
    assert [line.cheque.number for line in received.request.lines] == mine[:2]
    reasons = {(r.cheque_number, r.error.rule) for r in received.refusals}
    assert reasons == {(mine[4], "accepted_by"), (theirs[0], "collectivite"), (mine[3], "one_reimbursement"),
                       ("UNKNOWN-1", "unknown_cheque"), (mine[0], "one_reimbursement"), (mine[6], "accepted_by")}
    already = next(r.error for r in received.refusals if r.cheque_number == mine[3])
    assert first.reference in messages(already)["fr"] and first.reference in messages(already)["en"]


def test_a_request_with_nothing_reimbursable_is_refused_whole_and_writes_nothing(money):
    mine = chequier(money.world.a.id, "R3", date(2026, 6, 30))
    with pytest.raises(money_api.SubmissionRefused) as refused:
        submit(money.pa, mine[:3], date(2026, 4, 1))
    assert [r.error.rule for r in refused.value.refusals] == ["accepted_by"] * 3
    db.session.rollback()
    assert count(ReimbursementRequest) == 0 and count(ReimbursementLine) == 0
    assert "3" in messages(refused.value)["fr"]


def test_an_unapproved_partner_cannot_ask_for_reimbursement(money):
    mine = chequier(money.world.a.id, "R4", date(2026, 6, 30))
    accept(mine[:1], money.pa, date(2026, 3, 1))
    with operator():
        money_api.get(db.session, money_api.Partner, money.pa).status = PartnerStatus.suspended
    with pytest.raises(DomainError) as refusal:
        submit(money.pa, mine[:1], date(2026, 4, 1))
    assert refusal.value.rule == "partner_approved"
    text = messages(refusal.value)
    assert "Structure 0" in text["en"] and "n’est pas un partenaire agréé" in text["fr"]


# -- fees ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("rate, fixed, fees, net", [
    ("2.5", "0.10", "0.35", "9.65"),  # rate and fixed
    ("0.05", "0", "0.01", "9.99"),  # 0,005 EUR rounded half-up
    ("0.04", "0", "0.00", "10.00"),  # 0,004 EUR rounded down
    ("0", "0", "0.00", "10.00"),  # a 0 % schedule
    ("0", "0.25", "0.25", "9.75"),  # fixed only
])
def test_each_cheque_is_priced_in_decimal_and_rounded_half_up(money, rate, fixed, fees, net):
    helpers.schedule(money.world.a.id, date(2026, 1, 1), rate, fixed)
    mine = chequier(money.world.a.id, "F1", date(2026, 6, 30))
    accept(mine[:3], money.pa, date(2026, 3, 1))
    request = submit(money.pa, mine[:3], date(2026, 4, 1)).request
    assert {(line.fees, line.net) for line in request.lines} == {(D(fees), D(net))}
    assert (request.gross, request.fees, request.net) == (D("30.00"), 3 * D(fees), 3 * D(net))
    assert all(isinstance(v, D) for v in (request.gross, request.fees, request.net))


def test_the_schedule_in_force_on_the_submission_date_prices_the_request_for_ever(money):
    helpers.schedule(money.world.a.id, date(2026, 4, 1), "10", "0")
    mine = chequier(money.world.a.id, "F2", date(2026, 6, 30))
    accept(mine[:2], money.pa, date(2026, 3, 1))
    before = submit(money.pa, mine[:1], date(2026, 3, 31)).request  # the day before: version 1, no fees
    on_the_day = submit(money.pa, mine[1:2], date(2026, 4, 1)).request  # the change's own day: version 2
    assert (before.net, before.fee_schedule.version) == (D("10.00"), 1)
    assert (on_the_day.net, on_the_day.fee_schedule.version) == (D("9.00"), 2)
    assert on_the_day.lines[0].fee_schedule.version == 2
    helpers.schedule(money.world.a.id, date(2026, 3, 1), "50", "0")  # a later version, back-dated
    db.session.expire_all()
    with scoped(EVERYTHING):
        assert db.session.get(ReimbursementRequest, before.id).net == D("10.00")
        assert db.session.get(ReimbursementRequest, on_the_day.id).lines[0].net == D("9.00")


def test_a_used_schedule_cannot_be_edited_only_superseded(money):
    unused = helpers.schedule(money.world.a.id, date(2030, 1, 1), "1", "0")
    mine = chequier(money.world.a.id, "F3", date(2026, 6, 30))
    accept(mine[:1], money.pa, date(2026, 3, 1))
    request = submit(money.pa, mine[:1], date(2026, 4, 1)).request
    with scoped(EVERYTHING):
        used = db.session.get(FeeSchedule, request.fee_schedule_id)
        with pytest.raises(DomainError) as refusal:
            money_api.check_schedule_editable(db.session, used)
        assert refusal.value.rule == "fees" and request.reference in messages(refusal.value)["fr"]
        money_api.check_schedule_editable(db.session, db.session.get(FeeSchedule, unused))
        versions = db.session.scalars(select(FeeSchedule.version).where(
            FeeSchedule.collectivite_id == money.world.a.id).order_by(FeeSchedule.version)).all()
    assert versions == [1, 2]


# -- validation, payment, overdue -----------------------------------------------------------------

def _validated(money, number: str, validated_on: date) -> ReimbursementRequest:
    mine = chequier(money.world.a.id, number, date(2026, 6, 30))
    accept(mine[:2], money.pa, date(2026, 1, 2))
    request = submit(money.pa, mine[:2], date(2026, 1, 5)).request
    with operator():
        money_api.validate_request(db.session, request.id, validated_on)
    return request


@pytest.mark.parametrize("validated_on, due", [
    (date(2026, 1, 20), date(2026, 2, 4)),
    (date(2026, 2, 14), date(2026, 3, 1)),
    (date(2024, 2, 14), date(2024, 2, 29)),
    (date(2025, 12, 20), date(2026, 1, 4)),
])
def test_payment_is_due_fifteen_days_after_validation_and_overdue_the_day_after(money, validated_on, due):
    request = _validated(money, "P1", validated_on)
    assert request.due_on == due and request.status is RequestStatus.validated
    assert not request.is_overdue(due) and request.is_overdue(due + ONE_DAY)


def test_validation_freezes_the_rib_in_force(money):
    request = _validated(money, "P2", date(2026, 1, 20))
    helpers.rib(money.pa, helpers.OTHER_IBAN)
    with scoped(EVERYTHING):
        frozen = db.session.get(ReimbursementRequest, request.id)
        assert (frozen.rib_iban, frozen.rib_holder) == (helpers.IBAN, "Asso Test")
        assert money_api.transfer_rows(money_api.add_to_batch(db.session, [frozen.id], date(2026, 1, 25)))[0][
            "iban"] == helpers.IBAN


def test_a_partner_without_rib_cannot_be_validated(money):
    partner = money_api.partners_api.current_bank_account
    mine = chequier(money.world.a.id, "P3", date(2026, 6, 30))
    accept(mine[:1], money.pa, date(2026, 1, 2))
    request = submit(money.pa, mine[:1], date(2026, 1, 5)).request
    with operator():
        partner(db.session, money.pa).replaced_at = utcnow()
    with scoped(EVERYTHING), pytest.raises(DomainError) as refusal:
        money_api.validate_request(db.session, request.id, date(2026, 1, 20))
    assert refusal.value.rule == "rib" and request.reference in messages(refusal.value)["en"]


def test_payment_records_the_transfer_and_refuses_impossible_dates(money):
    request = _validated(money, "P4", date(2026, 1, 20))
    with scoped(EVERYTHING):
        with pytest.raises(DomainError) as refusal:
            money_api.pay_request(db.session, request.id, date(2026, 1, 19), "VIR-1", date(2026, 2, 1))
        assert refusal.value.rule == "payment_date" and "20/01/2026" in messages(refusal.value)["fr"]
        money_api.pay_request(db.session, request.id, date(2026, 2, 6), "VIR-1", date(2026, 2, 10))
        db.session.commit()
        paid = db.session.get(ReimbursementRequest, request.id)
        assert (paid.status, paid.paid_on, paid.transfer_reference) == (RequestStatus.paid, date(2026, 2, 6), "VIR-1")
        assert paid.is_overdue(date(2026, 3, 1))  # paid two days after the due date
        assert {line.cheque.status for line in paid.lines} == {ChequeStatus.reimbursed}
        with pytest.raises(Conflict):
            money_api.pay_request(db.session, request.id, date(2026, 2, 6), "VIR-1", date(2026, 2, 10))


def test_a_rejected_request_keeps_its_cheques_out_of_any_other_request(money):
    mine = chequier(money.world.a.id, "P5", date(2026, 6, 30))
    accept(mine[:1], money.pa, date(2026, 1, 2))
    request = submit(money.pa, mine[:1], date(2026, 1, 5)).request
    with operator():
        with pytest.raises(DomainError):
            money_api.reject_request(db.session, request.id, "  ", date(2026, 1, 6))
        money_api.reject_request(db.session, request.id, "Chèques non conformes", date(2026, 1, 6))
    with pytest.raises(money_api.SubmissionRefused) as refused:
        submit(money.pa, mine[:1], date(2026, 1, 7))
    assert refused.value.refusals[0].error.rule == "one_reimbursement"


def test_a_batch_pays_its_requests_at_once(money):
    first, second = _validated(money, "B1", date(2026, 1, 20)), _validated(money, "B2", date(2026, 1, 21))
    with operator():
        batch = money_api.add_to_batch(db.session, [first.id, second.id], date(2026, 1, 30))
        assert batch.net == first.net + second.net
        with pytest.raises(Conflict):
            money_api.add_to_batch(db.session, [first.id], date(2026, 1, 31))
        money_api.pay_batch(db.session, batch.id, date(2026, 1, 30), "VIR-LOT-1", date(2026, 1, 30))
    with scoped(EVERYTHING):
        paid = db.session.scalars(select(ReimbursementRequest).order_by(ReimbursementRequest.id)).all()
    assert {(r.status, r.paid_on, r.transfer_reference) for r in paid} == {
        (RequestStatus.paid, date(2026, 1, 30), "VIR-LOT-1")}
    with scoped(EVERYTHING):  # one e-mail per request paid by the batch, each with its own amount
        mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "partner_request_paid")
                                   .order_by(OutboxMessage.id)).all()
        assert [(m.recipient, m.subject.split()[-3]) for m in mails] == [
            (r.partner.email, r.reference) for r in paid]
        for mail, request in zip(mails, paid):
            body = mail.body.replace("\u00a0", " ")
            assert "30/01/2026" in body and "VIR-LOT-1" in body
            assert f"Montant : {request.net:.2f} EUR".replace(".", ",") in body


# -- fraud block ----------------------------------------------------------------------------------

def test_a_blocked_partner_s_requests_are_received_but_neither_validated_nor_paid(money):
    validated = _validated(money, "K1", date(2026, 1, 20))
    with operator():
        money_api.block_partner(db.session, money.pa, "Chèques en série suspects", None, True)
    mine = chequier(money.world.a.id, "K2", date(2026, 6, 30))
    accept(mine[:1], money.pa, date(2026, 1, 2))
    received = submit(money.pa, mine[:1], date(2026, 1, 22)).request
    assert received.status is RequestStatus.submitted
    with scoped(EVERYTHING):
        for attempt in (lambda: money_api.validate_request(db.session, received.id, date(2026, 1, 23)),
                        lambda: money_api.pay_request(db.session, validated.id, date(2026, 1, 23), "V",
                                                      date(2026, 1, 23)),
                        lambda: money_api.add_to_batch(db.session, [validated.id], date(2026, 1, 23))):
            with pytest.raises(DomainError) as refusal:
                attempt()
            assert refusal.value.rule == "fraud_block"
        text = messages(refusal.value)
        assert "Structure 0" in text["fr"] and "fraude" in text["fr"] and "fraud" in text["en"]
        db.session.rollback()
        with pytest.raises(DomainError) as refusal:
            money_api.unblock_partner(db.session, money.pa, "pas de fraude", None, True)
        assert refusal.value.field == "justification"
        db.session.rollback()
        block = money_api.unblock_partner(db.session, money.pa, "Contrôle sur pièces : aucune fraude constatée.",
                                          None, True)
        db.session.commit()
        assert block.unblocked_at is not None and block.reason == "Chèques en série suspects"
        money_api.validate_request(db.session, received.id, date(2026, 1, 23))
        db.session.commit()


def test_a_partner_cannot_be_blocked_twice_nor_unblocked_when_not_blocked(money):
    with operator():
        with pytest.raises(Conflict):
            money_api.unblock_partner(db.session, money.pa, "Contrôle sur pièces : aucune fraude constatée.",
                                      None, True)
        money_api.block_partner(db.session, money.pa, "Suspicion", None, True)
        with pytest.raises(Conflict) as refusal:
            money_api.block_partner(db.session, money.pa, "Suspicion", None, True)
    assert refusal.value.rule == "fraud_block"
