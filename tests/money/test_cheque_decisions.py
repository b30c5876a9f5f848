"""Decisions per cheque: a request validated with some cheques refused (reason from a list), its amounts
recomputed in Decimal on the validated cheques only, the refused ones at the partner's charge — shown on
the request, in the API, in the exports and in the partner's e-mail. Whole rejection stays possible."""
import html
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from console.errors import DomainError
from console.extensions import db
from console.mail import OutboxMessage
from console.money import api as money_api
from console.money.dates import paris_day
from console.money.models import Cheque, ChequeRejection, ChequeStatus, ReimbursementRequest
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import utcnow
from tests.conftest import api_token, csrf_token
from tests.money import helpers
from tests.money.helpers import accept, chequier, messages, operator, submit
from tests.money.test_server_dates import signed_in
from tests.reports.conftest import export_and_open, table


def statuses(numbers: list[str]) -> list[ChequeStatus]:
    with scoped(EVERYTHING):
        db.session.expire_all()
        found = dict(db.session.execute(select(Cheque.number, Cheque.status).where(Cheque.number.in_(numbers))).all())
    return [found[n] for n in numbers]


def test_validation_with_refused_cheques_recomputes_to_the_cent_and_tells_the_partner(money):
    today = paris_day(utcnow())
    # 0,05 % of 10,00 EUR is 0,005 EUR: rounded half-up to 0,01 per cheque (never 0,02 on three cheques).
    helpers.schedule(money.world.a.id, today - timedelta(days=1), rate="0.05")
    numbers = chequier(money.world.a.id, "CD1", today + timedelta(days=60))
    accept(numbers[:4], money.pa, today)
    request = submit(money.pa, numbers[:4], today).request
    assert (request.gross, request.fees, request.net) == (Decimal("40.00"), Decimal("0.04"), Decimal("39.96"))

    refusals = [  # (refusals, rule of the refusal)
        ({numbers[0]: (ChequeRejection.other, "  ")}, "cheque_rejection"),  # "other" says which
        ({n: (ChequeRejection.expired, None) for n in numbers[:4]}, "cheque_rejection"),  # reject it whole instead
        ({"CD1-09": (ChequeRejection.duplicate, None)}, "cheque_rejection"),  # not in this request
    ]
    for wrong, rule in refusals:
        with operator(), pytest.raises(DomainError) as refusal:
            money_api.validate_request(db.session, request.id, today, None, wrong)
        db.session.rollback()
        assert refusal.value.rule == rule
    assert "CD1-09" in messages(refusal.value)["fr"] and "RB-" in messages(refusal.value)["en"]

    with operator():
        money_api.validate_request(db.session, request.id, today, None, {
            numbers[1]: (ChequeRejection.expired, None),
            numbers[2].lower(): (ChequeRejection.other, "Chèque sans cachet du partenaire")})
    with scoped(EVERYTHING):
        done = db.session.get(ReimbursementRequest, request.id)
        assert (done.cheque_count, done.gross, done.fees, done.net) == (
            2, Decimal("20.00"), Decimal("0.02"), Decimal("19.98"))
        assert [line.rejection for line in done.lines] == [None, ChequeRejection.expired, ChequeRejection.other,
                                                           None]
        mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "partner_request_validated")
                                  ).one()
    assert statuses(numbers[:4]) == [ChequeStatus.requested, ChequeStatus.refused, ChequeStatus.refused,
                                     ChequeStatus.requested]
    body = mail.body.replace("\u00a0", " ")
    assert "2 chèques, 19,98 EUR" in body and "restent à votre charge" in body
    assert f"- {numbers[1]} (10,00 EUR) : Expiré" in body
    assert f"- {numbers[2]} (10,00 EUR) : Autre motif — Chèque sans cachet du partenaire" in body
    assert f"Chèques validés : {numbers[0]}, {numbers[3]}\n" in body  # each cheque's decision, the refused apart
    assert f"à verser par virement au plus tard le {today + timedelta(days=15):%d/%m/%Y}" in body

    with operator():
        money_api.pay_request(db.session, request.id, today, "VIR-1", today)
    with scoped(EVERYTHING):  # the partner is told of the transfer: date, reference, amount of the validated cheques
        paid = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "partner_request_paid")).one()
    body = paid.body.replace("\u00a0", " ")
    assert paid.recipient == mail.recipient and request.reference in paid.subject
    assert f"Date du virement : {today:%d/%m/%Y}" in body and "Référence du virement : VIR-1" in body
    assert "Montant : 19,98 EUR" in body and "Chèques remboursés : 2" in body
    assert statuses(numbers[:4]) == [ChequeStatus.reimbursed, ChequeStatus.refused, ChequeStatus.refused,
                                     ChequeStatus.reimbursed]
    with pytest.raises(money_api.SubmissionRefused) as refused:  # a refused cheque is never claimed again
        submit(money.pa, [numbers[1]], today)
    assert refused.value.refusals[0].error.rule == "one_reimbursement"


def test_the_page_refuses_cheques_and_shows_them_in_the_api_and_the_exports(app, money):
    today = paris_day(utcnow())
    numbers = chequier(money.world.a.id, "CD2", today + timedelta(days=60))
    accept(numbers[:3], money.pa, today)
    request = submit(money.pa, numbers[:3], today).request
    browser = signed_in(app, money.world.a.users["correspondent"])
    page = browser.get(f"/reimbursements/{request.id}").get_data(as_text=True)
    assert f'name="refuse-{numbers[0]}"' in page
    response = browser.post(f"/reimbursements/{request.id}/validate", data={
        f"refuse-{numbers[0]}": "duplicate", f"note-{numbers[0]}": "", f"refuse-{numbers[1]}": "",
        "csrf_token": csrf_token(browser, f"/reimbursements/{request.id}")})
    assert response.status_code == 302
    page = html.unescape(browser.get(f"/reimbursements/{request.id}").get_data(as_text=True))
    assert "Refusé, à la charge du partenaire" in page and "Doublon" in page and "Validée" in page
    assert browser.post(f"/reimbursements/{request.id}/validate", data={
        "csrf_token": csrf_token(browser, "/reimbursements/")}).status_code == 302  # once only: nothing changes

    result = app.test_client().get(f"/api/v1/reimbursement/{request.id}",
                                   headers=api_token(app.test_client(), money.world.a.users["correspondent"])).json
    assert (result["result"]["cheque_count"], result["result"]["gross"]) == (2, "20.00")
    assert [line["refused"] for line in result["result"]["lines"]] == ["duplicate", None, None]

    headers, rows = table(export_and_open(browser, "cheques", start=today, end=today), "Chèques")
    refused = {row["Numéro de chèque"]: row["Refusé à la validation"] for row in rows}
    assert refused == {numbers[0]: "Doublon", numbers[1]: None, numbers[2]: None}
    headers, rows = table(export_and_open(browser, "reimbursements", start=today, end=today),
                          "Demandes de remboursement")
    assert [(row["Chèques"], row["Chèques refusés"], row["Montant brut"]) for row in rows] == [(2, 1, 20)]
    # Collectivité B's correspondent sees neither the request nor its refused cheques.
    other = signed_in(app, money.world.b.users["correspondent"])
    assert other.get(f"/reimbursements/{request.id}").status_code == 404
