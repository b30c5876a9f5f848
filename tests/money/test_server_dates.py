"""The server's clock decides: no caller of the REST API or the forms chooses the day a money rule applies to.

Table-driven at the edges (yesterday, today, tomorrow; the M+1 deadline; the schedule of tomorrow), as a
correspondent and as the operator, on SQLite and PostgreSQL.
"""
import html
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from console.errors import DomainError
from console.extensions import db
from console.money import api as money_api
from console.money.dates import paris_day
from console.money.models import Cheque, ChequeStatus, ReimbursementRequest
from console.money.rules import registration_deadline
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import utcnow
from tests.conftest import FreshContextClient, api_token, csrf_token, login
from tests.money import helpers
from tests.money.helpers import accept, chequier, messages, operator

DAY = timedelta(days=1)
WHY = "Bordereau papier reçu par courrier, saisi en retard"


def cheque(number: str) -> Cheque:
    with scoped(EVERYTHING):
        db.session.expire_all()
        return db.session.scalar(select(Cheque).where(Cheque.number == number))


def test_acceptance_by_the_api_is_dated_by_the_server(app, money):
    today = paris_day(utcnow())
    numbers = iter(chequier(money.world.a.id, "SD1", today + timedelta(days=300)))
    client = app.test_client()
    tokens = {who: api_token(client, name) for who, name in (("corr", money.world.a.users["correspondent"]),
                                                             ("op", money.world.operator))}
    cases = [  # who, accepted_on (days from today, None: omitted), justification, status, rule
        ("corr", -1, None, 422, "server_date"),
        ("corr", 1, None, 422, "server_date"),
        ("corr", -1, WHY, 422, "server_date"),
        ("op", 1, WHY, 422, "server_date"),
        ("op", -1, None, 422, "late_entry"),
        ("op", -1, "court", 422, "late_entry"),
        ("corr", 0, None, 200, None),
        ("corr", None, None, 200, None),
        ("op", -1, WHY, 200, None),
    ]
    for who, offset, why, status, rule in cases:
        number = next(numbers)
        body = {"partner_id": money.pa, "number": number, "late_justification": why}
        if offset is not None:
            body["accepted_on"] = (today + offset * DAY).isoformat()
        before = utcnow()
        response = client.post("/api/v1/reimbursement/accept", headers=tokens[who], json=body)
        case = (who, offset, why)
        assert response.status_code == status, (case, response.json)
        row = cheque(number)
        if rule:
            assert response.json["rule"] == rule, case
            assert row.status is ChequeStatus.issued and row.accepted_at is None, case
            continue
        assert row.accepted_on == today + (offset or 0) * DAY, case
        assert before <= row.accepted_at <= utcnow(), case  # the exact time the server recorded it
        assert row.accepted_late_justification == (WHY if offset == -1 else None), case
        assert response.json["result"]["late_justification"] == row.accepted_late_justification


def test_submission_by_the_api_cannot_bypass_the_deadline_nor_pick_a_schedule(app, money):
    today = paris_day(utcnow())
    # Validity two months ago: its M+1 deadline (end of last month) is past; it was accepted in time.
    validity = today - relativedelta(months=2)
    deadline = registration_deadline(validity)
    late = chequier(money.world.a.id, "SD2", validity)
    accept(late, money.pa, validity)
    fresh = chequier(money.world.a.id, "SD3", today + timedelta(days=300))
    accept(fresh, money.pa, today)
    helpers.schedule(money.world.a.id, today + DAY, rate="50")  # tomorrow's fees: half of the cheque
    client = app.test_client()
    corr = api_token(client, money.world.a.users["correspondent"])
    op = api_token(client, money.world.operator)

    def submit(headers, cheques, submitted_on=None, why=None):
        body = {"partner_id": money.pa, "cheques": cheques, "late_justification": why}
        if submitted_on is not None:
            body["submitted_on"] = submitted_on.isoformat()
        return client.post("/api/v1/reimbursement/", headers=headers, json=body)

    cases = [  # headers, cheques, submitted_on, justification, status, rule (of the answer or of the cheque)
        (corr, late[:1], deadline, None, 422, "server_date"),  # backdating to beat the M+1 deadline
        (corr, late[:1], None, None, 422, "registration_deadline"),
        (corr, late[:1], validity, WHY, 422, "server_date"),
        (op, late[:1], deadline + DAY, WHY, 422, "registration_deadline"),  # a late entry still obeys M+1
        (corr, fresh[:1], today + DAY, None, 422, "server_date"),  # tomorrow's schedule cannot be picked
        (op, fresh[:1], today + DAY, WHY, 422, "server_date"),
    ]
    for headers, cheques, submitted_on, why, status, rule in cases:
        response = submit(headers, cheques, submitted_on, why)
        assert response.status_code == status, response.json
        rules_given = {response.json["rule"]} | {r["rule"] for r in response.json["refusals"]}
        assert rule in rules_given, (submitted_on, response.json)
    with scoped(EVERYTHING):
        assert db.session.scalar(select(ReimbursementRequest.id)) is None

    response = submit(corr, fresh[:2])
    assert response.status_code == 201
    result = response.json["result"]
    assert result["submitted_on"] == today.isoformat() and result["late_justification"] is None
    assert (result["fee_schedule_version"], result["fees"], result["net"]) == (1, "0.00", "20.00")
    response = submit(op, late[:1], deadline, WHY)  # the paper request that arrived on the deadline
    assert response.status_code == 201, response.json
    assert response.json["result"]["submitted_on"] == deadline.isoformat()
    assert response.json["result"]["late_justification"] == WHY


def signed_in(app, username: str):
    """A browser of its own (each request in its own application context, as in production)."""
    app.test_client_class = FreshContextClient
    return login(app.test_client(), username)


def test_the_forms_date_entries_by_the_server_and_flag_the_operators_late_entry(app, money):
    today = paris_day(utcnow())
    numbers = chequier(money.world.a.id, "SD4", today + timedelta(days=300))
    corr = signed_in(app, money.world.a.users["correspondent"])
    form = corr.get("/reimbursements/accept").get_data(as_text=True)
    assert 'name="accepted_on"' not in form and "dated by the server" not in form  # French page, no date input
    yesterday = today - DAY
    for data in ({"accepted_on": yesterday.isoformat()},
                 {"accepted_on": yesterday.isoformat(), "late_justification": WHY},
                 {"accepted_on": (today + DAY).isoformat()}):
        corr.post("/reimbursements/accept", data={"partner": money.pa, "number": numbers[0], **data,
                                                  "csrf_token": csrf_token(corr, "/reimbursements/accept")})
        assert cheque(numbers[0]).accepted_on is None, data
    page = html.unescape(corr.get("/reimbursements/accept").get_data(as_text=True))
    assert f"La date du {(today + DAY):%d/%m/%Y} est dans le futur" in page

    op = signed_in(app, money.world.operator)
    assert 'name="accepted_on"' in op.get("/reimbursements/accept").get_data(as_text=True)
    op.post("/reimbursements/accept", data={"partner": money.pa, "number": numbers[0], "accepted_on":
                                            yesterday.isoformat(), "csrf_token": csrf_token(op, "/reimbursements/accept")})
    assert cheque(numbers[0]).accepted_on is None  # no justification
    op.post("/reimbursements/accept", data={"partner": money.pa, "number": numbers[0], "accepted_on":
                                            yesterday.isoformat(), "late_justification": WHY,
                                            "csrf_token": csrf_token(op, "/reimbursements/accept")})
    row = cheque(numbers[0])
    assert (row.accepted_on, row.accepted_late_justification) == (yesterday, WHY)
    assert WHY in html.unescape(op.get(f"/chequeview/show/{row.id}").get_data(as_text=True))

    response = corr.post("/reimbursements/new", data={
        "partner": money.pa, "cheques": numbers[0], "submitted_on": yesterday.isoformat(),
        "csrf_token": csrf_token(corr, "/reimbursements/new")})
    assert response.status_code == 422
    assert f"La date du {yesterday:%d/%m/%Y} n’est pas celle d’aujourd’hui" in html.unescape(response.get_data(as_text=True))
    response = op.post("/reimbursements/new", data={
        "partner": money.pa, "cheques": numbers[0], "submitted_on": yesterday.isoformat(),
        "late_justification": WHY, "csrf_token": csrf_token(op, "/reimbursements/new")})
    assert response.status_code == 302
    page = html.unescape(op.get(response.headers["Location"]).get_data(as_text=True))
    assert "Saisie tardive" in page and WHY in page


def test_acceptance_refused_before_distribution_or_approval_naming_the_dates(app, money):
    today = paris_day(utcnow())
    never = chequier(money.world.a.id, "SD5", today + timedelta(days=300), distributed=False)
    later = chequier(money.world.a.id, "SD6", today + timedelta(days=300), issued_on=today - 2 * DAY)
    cases = [(never[0], today, "not_distributed", []),
             (later[0], today - 3 * DAY, "not_distributed", [f"{today - 2 * DAY:%d/%m/%Y}"]),
             (later[1], date(2019, 12, 31), "not_distributed", ["31/12/2019"])]
    for number, day, rule, shown in cases:
        with operator(), pytest.raises(DomainError) as refusal:
            money_api.accept_cheque(db.session, number, money.pa, helpers.dated(day))
        db.session.rollback()
        assert refusal.value.rule == rule
        text = messages(refusal.value)
        assert number in text["fr"] and number in text["en"]
        assert all(d in text["fr"] and d in text["en"] for d in shown)
    # Approved on 01/01/2020 (the helpers): a late entry before that day is refused, naming both days.
    with operator():
        money_api.get(db.session, money_api.Partner, money.pa2).approved_at = utcnow() - DAY
    with operator(), pytest.raises(DomainError) as refusal:
        money_api.accept_cheque(db.session, later[2], money.pa2, helpers.dated(today - 2 * DAY))
    db.session.rollback()
    assert refusal.value.rule == "partner_approved"
    assert f"{today - 2 * DAY:%d/%m/%Y}" in messages(refusal.value)["en"]
