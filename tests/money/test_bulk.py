"""Bulk decisions on the follow-up: a confirmation page first (nothing done), then each request its own audited
act; refused requests listed with their rule, a fault keeps nothing, another collectivité's ids answer 404."""
import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from console.audit.models import AuditEvent
from console.extensions import db
from console.mail import OutboxMessage
from console.money import api as money_api, decisions
from console.money.models import PaymentBatch, ReimbursementRequest, RequestStatus
from console.selection import MAX_SELECTION
from console.tenants.context import EVERYTHING, scoped
from tests.money.helpers import accept, chequier, operator, submit
from tests.money.test_views import TODAY, client_of, post, status_of


@pytest.fixture
def ticked(money):
    """In A: two submitted requests of a partner, one of a blocked partner, one already validated; in B: one."""
    numbers = chequier(money.world.a.id, "BK", TODAY + timedelta(days=30))
    accept(numbers[:4], money.pa, TODAY)
    accept(numbers[4:5], money.pa2, TODAY)
    first, second = (submit(money.pa, [n], TODAY).request.id for n in numbers[:2])
    validated = submit(money.pa, numbers[2:4], TODAY).request.id
    blocked = submit(money.pa2, numbers[4:5], TODAY).request.id
    other = chequier(money.world.b.id, "BKB", TODAY + timedelta(days=30))
    accept(other[:1], money.pb, TODAY)
    foreign = submit(money.pb, other[:1], TODAY).request.id
    with operator():
        money_api.validate_request(db.session, validated, TODAY)
        money_api.block_partner(db.session, money.pa2, "Chèques en série suspects", None, True)
    return {"first": first, "second": second, "validated": validated, "blocked": blocked, "foreign": foreign}


def events(action: str) -> list[str]:
    with scoped(EVERYTHING):
        db.session.expire_all()
        return list(db.session.scalars(select(AuditEvent.object_id).where(AuditEvent.action == action)
                                       .order_by(AuditEvent.id)))


def outcomes(response) -> dict[str, str]:
    """Each row of a bulk page: its reference -> accepted or refused."""
    page = response.get_data(as_text=True)
    return dict((name, outcome) for outcome, name in
                re.findall(r'<tr data-outcome="(\w+)">\s*<td[^>]*><a href="[^"]+">([^<]+)</a>', page))


def test_bulk_validation_then_batch_and_payment_each_request_its_own_audited_act(app, money, ticked):
    client = client_of(app, money.world.a.users["correspondent"])
    listing = client.get("/reimbursements/").get_data(as_text=True)
    assert "Valider les demandes cochées" in listing and f'value="{ticked["blocked"]}" form="bulk-form"' in listing
    ids = [ticked[k] for k in ("first", "blocked", "validated", "second")]
    refs = {k: f"RB-{ticked[k]:07d}" for k in ticked}
    confirm = post(client, "/reimbursements/bulk/validate", {"request": ids})
    assert confirm.status_code == 200
    assert outcomes(confirm) == {refs["first"]: "accepted", refs["second"]: "accepted",
                                 refs["blocked"]: "refused", refs["validated"]: "refused"}
    page = html.unescape(confirm.get_data(as_text=True))
    assert "Rien n’a encore été fait" in page and "<code>fraud_block</code>" in page
    assert "<code>request_status</code>" in page and "bloqués pour suspicion de fraude" in page
    assert status_of(ticked["first"]) is RequestStatus.submitted and events("reimbursement.validate") == [
        str(ticked["validated"])]  # the confirmation page did nothing
    done = post(client, "/reimbursements/bulk/validate", {"request": ids, "confirmed": "1"})
    assert done.status_code == 200 and outcomes(done) == outcomes(confirm)
    assert [status_of(ticked[k]) for k in ("first", "second", "blocked", "validated")] == [
        RequestStatus.validated, RequestStatus.validated, RequestStatus.submitted, RequestStatus.validated]
    assert events("reimbursement.validate") == [str(ticked[k]) for k in ("validated", "first", "second")]
    # then the validated requests go into a batch, paid whole: each addition and payment its own event
    ids = [ticked["validated"], ticked["blocked"], ticked["first"]]
    confirm = post(client, "/reimbursements/batches/add", {"request": ids, "payment_date": TODAY.isoformat()})
    assert list(outcomes(confirm).values()) == ["accepted", "refused", "accepted"]
    with scoped(EVERYTHING):
        assert db.session.scalar(select(func.count()).select_from(PaymentBatch)) == 0
    post(client, "/reimbursements/batches/add", {"request": ids, "payment_date": TODAY.isoformat(),
                                                 "confirmed": "1"})
    assert events("batch.add") == [str(ticked["validated"]), str(ticked["first"])]
    with scoped(EVERYTHING):
        batch = db.session.scalar(select(PaymentBatch.id))
    data = {"paid_on": TODAY.isoformat(), "transfer_reference": "VIR-LOT-9"}
    with operator():  # a block makes the whole batch unpayable: the confirmation says so and cannot be sent
        money_api.block_partner(db.session, money.pa, "Alerte du terrain", None, True)
    confirm = post(client, f"/reimbursements/batches/{batch}/pay", data)
    page = html.unescape(confirm.get_data(as_text=True))
    assert list(outcomes(confirm).values()) == ["refused"] * 2 and 'disabled aria-describedby="bulk-blocked"' in page
    assert "payé en entier" in page
    refused = post(client, f"/reimbursements/batches/{batch}/pay", {**data, "confirmed": "1"})
    assert refused.status_code == 302 and status_of(ticked["validated"]) is RequestStatus.validated
    assert events("reimbursement.pay") == [] and events("batch.pay") == []
    with operator():
        money_api.unblock_partner(db.session, money.pa, "Vérification faite : aucune fraude constatée.", None, True)
    confirm = post(client, f"/reimbursements/batches/{batch}/pay", data)
    assert list(outcomes(confirm).values()) == ["accepted", "accepted"] and "disabled" not in confirm.get_data(
        as_text=True)
    assert status_of(ticked["first"]) is RequestStatus.validated
    post(client, f"/reimbursements/batches/{batch}/pay", {**data, "confirmed": "1"})
    assert [status_of(ticked[k]) for k in ("validated", "first")] == [RequestStatus.paid] * 2
    assert events("reimbursement.pay") == sorted([str(ticked["validated"]), str(ticked["first"])], key=int)
    assert events("batch.pay") == [str(batch)]


def test_a_fault_keeps_nothing_and_foreign_or_unbounded_selections_do_nothing(app, money, ticked, monkeypatch):
    notify, calls = decisions._notify_decision, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("SMTP queue unavailable")
        return notify(*args, **kwargs)

    monkeypatch.setattr(decisions, "_notify_decision", failing)
    client = client_of(app, money.world.a.users["correspondent"])
    with scoped(EVERYTHING):
        mails = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    response = post(client, "/reimbursements/bulk/validate",
                    {"request": [ticked["first"], ticked["second"]], "confirmed": "1"})
    assert response.status_code == 302 and len(calls) == 2
    flashed = html.unescape(client.get(response.location).get_data(as_text=True))
    assert "Rien n’a été fait" in flashed and f"RB-{ticked['second']:07d}" in flashed
    assert status_of(ticked["first"]) is RequestStatus.submitted  # validated first, then rolled back
    assert events("reimbursement.validate") == [str(ticked["validated"])]
    with scoped(EVERYTHING):
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == mails
    # another collectivité's ids, an unbounded or malformed selection: refused whole, nothing done
    for data in ({"request": [ticked["first"], ticked["foreign"]]},
                 {"request": [ticked["first"], ticked["foreign"]], "confirmed": "1"}):
        for url in ("/reimbursements/bulk/validate", "/reimbursements/batches/add"):
            assert post(client, url, data).status_code == 404, (url, data)
    assert status_of(ticked["first"]) is RequestStatus.submitted
    assert status_of(ticked["foreign"]) is RequestStatus.submitted
    for ids, message in (([str(n) for n in range(1, MAX_SELECTION + 2)], "101 ont été cochées"),
                         (["12abc"], "12abc ne désigne aucune ligne"), ([], "Cochez au moins une ligne")):
        response = post(client, "/reimbursements/bulk/validate", {"request": ids, "confirmed": "1"})
        assert response.status_code == 302
        assert message in html.unescape(client.get(response.location).get_data(as_text=True))
    assert status_of(ticked["first"]) is RequestStatus.submitted
    assert status_of(ticked["first"]) is RequestStatus.submitted
