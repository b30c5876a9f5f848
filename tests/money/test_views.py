"""Money pages and REST API: the whole flow, tenant isolation of every page/action/filter, role limits."""
import html
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from console.extensions import db
from console.money import api as money_api
from console.money.models import Cheque, ChequeStatus, PartnerBlock, PaymentBatch, ReimbursementRequest, RequestStatus
from console.tenants.context import EVERYTHING, scoped
from console.money.dates import paris_day
from console.tenants.models import utcnow
from tests.conftest import api_token, csrf_token, login, page_text
from tests.money import helpers
from tests.money.helpers import accept, chequier, operator, submit

TODAY = paris_day(utcnow())  # the server's day, which dates every entry


def client_of(app, username: str):
    return login(app.test_client(), username)


def post(client, url: str, data: dict, form_url: str = "/reimbursements/"):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, form_url)})


def status_of(request_id: int) -> RequestStatus:
    with scoped(EVERYTHING):
        db.session.expire_all()
        return db.session.scalar(select(ReimbursementRequest.status).where(ReimbursementRequest.id == request_id))


@pytest.fixture
def requests(money):
    """One submitted and one validated request in A, the same in B; one paid batch-able request in each."""
    made = {}
    for key, tenant, partner in (("a", money.world.a, money.pa), ("b", money.world.b, money.pb)):
        numbers = chequier(tenant.id, f"W{key.upper()}", TODAY + timedelta(days=30))
        accept(numbers[:6], partner, TODAY)
        submitted = submit(partner, numbers[:2], TODAY).request
        validated = submit(partner, numbers[2:4], TODAY).request
        with operator():
            money_api.validate_request(db.session, validated.id, TODAY - timedelta(days=20))
        made[key] = {"submitted": submitted.id, "validated": validated.id, "spare": numbers[4:6],
                     "partner": partner}
    return made


def test_a_correspondent_runs_the_whole_flow_on_the_pages(app, money):
    numbers = chequier(money.world.a.id, "FLOW", TODAY + timedelta(days=30))
    client = client_of(app, money.world.a.users["correspondent"])
    response = post(client, "/reimbursements/accept", {"partner": money.pa, "number": numbers[0].lower(),
                                                       "accepted_on": TODAY.isoformat()}, "/reimbursements/accept")
    assert response.status_code == 302
    response = post(client, "/reimbursements/new", {"partner": money.pa, "cheques": f"{numbers[0]}\n{numbers[1]}",
                                                    "submitted_on": TODAY.isoformat()}, "/reimbursements/new")
    assert response.status_code == 302
    with scoped(EVERYTHING):
        request_id = db.session.scalar(select(ReimbursementRequest.id))
    page = client.get(f"/reimbursements/{request_id}").get_data(as_text=True)
    assert "RB-" in page and "10,00" in page
    assert post(client, f"/reimbursements/{request_id}/validate", {}).status_code == 302
    assert status_of(request_id) is RequestStatus.validated
    assert post(client, f"/reimbursements/{request_id}/pay", {"paid_on": TODAY.isoformat(),
                                                              "transfer_reference": "VIR-9"}).status_code == 302
    assert status_of(request_id) is RequestStatus.paid
    with scoped(EVERYTHING):
        assert db.session.scalar(select(Cheque.status).where(Cheque.number == numbers[0])) is ChequeStatus.reimbursed


def test_a_refused_submission_shows_each_reason_in_french_and_english(app, money):
    numbers = chequier(money.world.a.id, "REF", TODAY + timedelta(days=30))
    client = client_of(app, money.world.a.users["correspondent"])
    response = post(client, "/reimbursements/new", {"partner": money.pa, "cheques": numbers[0],
                                                    "submitted_on": TODAY.isoformat()}, "/reimbursements/new")
    assert response.status_code == 422
    assert f"Le chèque {numbers[0]} n’a pas été accepté par" in html.unescape(response.get_data(as_text=True))
    token = csrf_token(client, "/reimbursements/new")
    with app.app_context():  # a new request's locale (Flask-Babel caches it in the app context)
        response = client.post("/reimbursements/new?_l_=en",
                               data={"partner": money.pa, "cheques": numbers[0], "csrf_token": token})
    assert f"Cheque {numbers[0]} was not accepted by" in response.get_data(as_text=True)
    with scoped(EVERYTHING):
        assert db.session.scalar(select(func.count()).select_from(ReimbursementRequest)) == 0


def test_the_follow_up_flags_and_filters_overdue_requests(app, money, requests):
    client = client_of(app, money.world.a.users["correspondent"])
    page = client.get("/reimbursements/").get_data(as_text=True)
    assert page.count('class="label label-danger overdue"') == 1
    overdue = client.get("/reimbursements/?overdue=1").get_data(as_text=True)
    assert f'data-request="{requests["a"]["validated"]}"' in overdue
    assert f'data-request="{requests["a"]["submitted"]}"' not in overdue


def test_pages_filters_and_actions_never_reach_another_collectivite(app, money, requests):
    client = client_of(app, money.world.a.users["correspondent"])
    b = requests["b"]
    listing = client.get("/reimbursements/").get_data(as_text=True)
    assert f'data-request="{requests["a"]["submitted"]}"' in listing
    assert f'data-request="{b["submitted"]}"' not in listing and f'data-request="{b["validated"]}"' not in listing
    filtered = client.get(f"/reimbursements/?partner={b['partner']}").get_data(as_text=True)
    assert f'data-request="{b["submitted"]}"' not in filtered and "Structure 2" not in filtered
    for url in (f"/reimbursements/{b['submitted']}", f"/reimbursements/partner/{b['partner']}"):
        assert client.get(url).status_code == 404
    for url, data in ((f"/reimbursements/{b['submitted']}/validate", {}),
                      (f"/reimbursements/{b['submitted']}/reject", {"reason": "non"}),
                      (f"/reimbursements/{b['validated']}/pay", {"transfer_reference": "X"}),
                      (f"/reimbursements/partner/{b['partner']}/block", {"reason": "x"}),
                      ("/reimbursements/batches/add", {"request": b["validated"]})):
        assert post(client, url, data).status_code == 404, url
    assert post(client, "/reimbursements/new", {"partner": b["partner"], "cheques": b["spare"][0]}).status_code == 404
    page = post(client, "/reimbursements/accept", {"partner": money.pa, "number": b["spare"][1]})
    assert page.status_code == 302
    assert status_of(b["submitted"]) is RequestStatus.submitted and status_of(b["validated"]) is RequestStatus.validated
    with scoped(EVERYTHING):
        assert db.session.scalar(select(func.count()).select_from(PartnerBlock)) == 0
        assert db.session.scalar(select(func.count()).select_from(PaymentBatch)) == 0
        assert db.session.scalar(select(Cheque.status).where(Cheque.number == b["spare"][1])) is ChequeStatus.accepted
        batch = money_api.add_to_batch(db.session, [b["validated"]], TODAY)
        db.session.commit()
    for url in (f"/reimbursements/batches/{batch.id}", f"/reimbursements/batches/{batch.id}/transfers.csv"):
        assert client.get(url).status_code == 404
    assert "LV-" not in page_text(client.get("/reimbursements/batches/"))
    assert post(client, f"/reimbursements/batches/{batch.id}/pay", {"transfer_reference": "X"}).status_code == 404
    assert status_of(b["validated"]) is RequestStatus.validated
    for url in ("/chequierview/list/", "/chequeview/list/"):
        assert "WB" not in page_text(client.get(url))


@pytest.mark.parametrize("role", ["elected", "support"])
def test_elus_and_support_agents_cannot_see_validate_pay_or_block(app, money, requests, role):
    client = client_of(app, money.world.a.users[role])
    a = requests["a"]
    for url in ("/reimbursements/", f"/reimbursements/{a['submitted']}", "/reimbursements/batches/",
                "/complaints/", "/chequeview/list/", "/feescheduleview/list/"):
        response = client.get(url)
        assert response.status_code in (302, 403) and "RB-" not in response.get_data(as_text=True), url
    token = csrf_token(client, "/exports/")  # a form these roles may open
    for url, data in ((f"/reimbursements/{a['submitted']}/validate", {}),
                      (f"/reimbursements/{a['validated']}/pay", {"transfer_reference": "X"}),
                      (f"/reimbursements/partner/{a['partner']}/block", {"reason": "x"}),
                      ("/reimbursements/bulk/validate", {"request": a["submitted"], "confirmed": "1"}),
                      ("/reimbursements/batches/add", {"request": a["validated"], "confirmed": "1"})):
        assert client.post(url, data={**data, "csrf_token": token}).status_code in (302, 403)
    assert status_of(a["submitted"]) is RequestStatus.submitted and status_of(a["validated"]) is RequestStatus.validated
    with scoped(EVERYTHING):
        assert db.session.scalar(select(func.count()).select_from(PartnerBlock)) == 0
    headers = api_token(app.test_client(), money.world.a.users[role])
    assert app.test_client().get("/api/v1/reimbursement/", headers=headers).status_code == 403


def test_the_operator_blocks_and_unblocks_with_an_audited_justification(app, money, requests):
    client = client_of(app, "operateur")
    a = requests["a"]
    url = f"/reimbursements/partner/{a['partner']}"
    assert post(client, f"{url}/block", {"reason": "Série de chèques suspecte"}).status_code == 302
    assert "Série de chèques suspecte" in client.get(url).get_data(as_text=True)
    post(client, f"/reimbursements/{a['submitted']}/validate", {})
    assert status_of(a["submitted"]) is RequestStatus.submitted
    assert "fraude" in client.get(url).get_data(as_text=True)
    post(client, f"{url}/unblock", {"justification": "Contrôle sur pièces : aucune fraude constatée."})
    page = client.get(url).get_data(as_text=True)
    assert "aucune fraude constatée" in page and 'id="blocked"' not in page


# -- REST API ---------------------------------------------------------------------------------------

def test_the_api_submission_contract(app, money):
    numbers = chequier(money.world.a.id, "API", TODAY + timedelta(days=30))
    client = app.test_client()
    headers = api_token(client, money.world.a.users["correspondent"])
    response = client.post("/api/v1/reimbursement/accept", headers=headers,
                           json={"partner_id": money.pa, "number": numbers[0], "accepted_on": TODAY.isoformat()})
    assert response.status_code == 200 and response.json["result"]["status"] == "accepted"
    response = client.post("/api/v1/reimbursement/", headers=headers,
                           json={"partner_id": money.pa, "cheques": [numbers[0], numbers[1]]})
    assert response.status_code == 201, response.json
    result = response.json["result"]
    assert (result["gross"], result["fees"], result["net"], result["cheque_count"]) == ("10.00", "0.00", "10.00", 1)
    assert [(r["cheque"], r["rule"]) for r in response.json["refusals"]] == [(numbers[1], "accepted_by")]
    response = client.post("/api/v1/reimbursement/", headers=headers,
                           json={"partner_id": money.pa, "cheques": [numbers[0]]})
    assert response.status_code == 422 and response.json["refusals"][0]["rule"] == "one_reimbursement"
    assert "RB-" in response.json["refusals"][0]["message"]
    assert client.post("/api/v1/reimbursement/", headers=headers, json={"cheques": []}).status_code == 422
    assert client.get(f"/api/v1/reimbursement/{result['id']}", headers=headers).json["result"]["lines"][0][
        "cheque"] == numbers[0]
    spec = client.get("/api/v1/_openapi", headers=api_token(client, "operateur")).json
    assert "SubmissionSchema" in spec["components"]["schemas"]
    paths = {path: ops for path, ops in spec["paths"].items() if path.endswith("/reimbursement/")}
    assert [set(ops) for ops in paths.values()] == [{"get", "post"}]


def test_the_api_never_reaches_another_collectivite(app, money, requests):
    client = app.test_client()
    headers = api_token(client, money.world.a.users["correspondent"])
    b = requests["b"]
    ids = {r["id"] for r in client.get("/api/v1/reimbursement/", headers=headers).json["result"]}
    assert ids == {requests["a"]["submitted"], requests["a"]["validated"]}
    assert client.get(f"/api/v1/reimbursement/?partner={b['partner']}", headers=headers).json["result"] == []
    assert client.get(f"/api/v1/reimbursement/{b['submitted']}", headers=headers).status_code == 404
    response = client.post("/api/v1/reimbursement/", headers=headers,
                           json={"partner_id": b["partner"], "cheques": b["spare"]})
    assert response.status_code == 404
    response = client.post("/api/v1/reimbursement/accept", headers=headers,
                           json={"partner_id": b["partner"], "number": b["spare"][0]})
    assert response.status_code == 404
    with scoped(EVERYTHING):
        assert db.session.scalar(select(func.count()).select_from(ReimbursementRequest)) == 4


# -- chéquiers and fee schedules (Flask-AppBuilder forms) -------------------------------------------

def test_issuing_a_chequier_in_the_form_creates_its_ten_cheques_in_the_user_s_collectivite(app, money):
    client = client_of(app, money.world.a.users["correspondent"])
    token = csrf_token(client, "/chequierview/add")
    with operator():
        ccas = helpers.prescripteur(money.world.a.id).id
    form = {"number": "lyo 77", "issued_to": ccas, "issued_on": TODAY.isoformat(),
            "validity_date": (TODAY + timedelta(days=365)).isoformat(), "csrf_token": token}
    assert client.post("/chequierview/add", data={**form, "collectivite": money.world.b.id}).status_code == 200
    with scoped(EVERYTHING):
        assert db.session.scalar(select(func.count()).select_from(Cheque)) == 0  # B is not a choice
    response = client.post("/chequierview/add", data={**form, "collectivite": money.world.a.id})
    assert response.status_code == 302
    with scoped(EVERYTHING):
        cheques = db.session.scalars(select(Cheque).order_by(Cheque.number)).all()
    assert [c.number for c in cheques][:2] == ["LYO77-01", "LYO77-02"] and len(cheques) == 10
    assert {c.collectivite_id for c in cheques} == {money.world.a.id}


def test_a_used_fee_schedule_cannot_be_edited_and_another_collectivite_s_cannot_be_reached(app, money, requests):
    from console.money.models import FeeSchedule

    with scoped(EVERYTHING):
        used_a, used_b = (db.session.scalar(select(FeeSchedule.id).where(FeeSchedule.collectivite_id == tenant.id))
                          for tenant in (money.world.a, money.world.b))
    client = client_of(app, money.world.a.users["correspondent"])
    token = csrf_token(client, "/feescheduleview/add")
    form = {"effective_from": "2020-01-01", "rate": "50", "fixed": "0", "note": "", "csrf_token": token}
    page = client.post(f"/feescheduleview/edit/{used_a}", data=form, follow_redirects=True)
    assert "ne peut plus être modifiée" in html.unescape(page.get_data(as_text=True))
    assert client.get(f"/feescheduleview/show/{used_b}").status_code in (302, 404)
    client.post(f"/feescheduleview/edit/{used_b}", data=form)
    with scoped(EVERYTHING):
        db.session.expire_all()
        rates = set(db.session.scalars(select(FeeSchedule.rate)))
    assert rates == {0}
    listing = client.get("/feescheduleview/list/").get_data(as_text=True)
    assert f"/feescheduleview/show/{used_a}" in listing and f"/feescheduleview/show/{used_b}" not in listing


def test_a_batch_is_built_from_the_list_exported_for_the_treasurer_and_paid_at_once(app, money, requests):
    client = client_of(app, money.world.a.users["correspondent"])
    a = requests["a"]
    payment_date = TODAY + timedelta(days=2)
    response = post(client, "/reimbursements/batches/add", {"request": a["validated"], "confirmed": "1",
                                                            "payment_date": payment_date.isoformat()})
    assert response.status_code == 200
    with scoped(EVERYTHING):
        batch_id = db.session.scalar(select(PaymentBatch.id))
    page = client.get(f"/reimbursements/batches/{batch_id}").get_data(as_text=True)
    assert payment_date.strftime("%d/%m/%Y") in page and "20,00" in page
    export = client.get(f"/reimbursements/batches/{batch_id}/transfers.csv")
    lines = export.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert export.mimetype == "text/csv" and lines[0].startswith("Demande;Identifiant;Partenaire;")
    assert lines[1].endswith(";FR7630006000011234567890189;BDFEFRPPCCT;20,00;PASS NUMERIQUE RB-%07d" % a["validated"])
    post(client, f"/reimbursements/batches/{batch_id}/pay", {"paid_on": TODAY.isoformat(), "confirmed": "1",
                                                             "transfer_reference": "LOT-1"})
    assert status_of(a["validated"]) is RequestStatus.paid
