"""The malformed requests that used to answer 500, one by one: each now gets its 4xx and a clear message."""
from __future__ import annotations

from datetime import date

import pytest

from console.extensions import db
from console.inputs import MAX_PAGE_SIZE, undecodable
from console.partners.models import Partner
from console.tenants.context import EVERYTHING, scoped
from tests.conftest import api_token, csrf_token, login, logout, make_partner
from tests.money import helpers

HUGE = "9" * 30
REFUSED_BYTES = "L’adresse ou le formulaire contient des octets qui ne sont pas du texte UTF-8"


VIEWS = ["users", "roles", "permissions", "viewmenus", "permissionviews", "outboxview",
         "partnerview", "collectiviteview"]


def test_an_unknown_action_of_any_model_view_is_not_found(client, world):
    login(client, world.operator)
    token = csrf_token(client, "/users/userinfo/")
    for view in VIEWS:
        assert client.post(f"/{view}/action/no_such_action/1", data={"csrf_token": token}).status_code == 404
        assert client.post(f"/{view}/action_post", data={"csrf_token": token, "action": "nope",
                                                         "rowid": "1"}).status_code == 404


def test_extreme_dashboard_dates_are_refused_not_crashed(client, world):
    login(client, world.a.users["correspondent"])
    for query in ("start=0001-01-01&end=9999-12-31", "start=9999-12-31&end=9999-12-31", f"collectivite={HUGE}"):
        assert client.get(f"/dashboard/?{query}").status_code == 200


def test_garbage_ids_and_pages(client, world):
    login(client, world.a.users["correspondent"])
    assert client.get(f"/partnerview/show/{HUGE}").status_code == 404
    assert client.get("/partnerview/show/1e196").status_code == 404
    assert client.get(f"/reimbursements/{HUGE}").status_code == 404
    assert client.get(f"/reimbursements/?partner={HUGE}&request={HUGE}").status_code == 200
    response = client.get("/partnerview/list/?page_PartnerView=abc")
    assert response.status_code == 400
    assert "Le numéro ou la taille de page abc n’est pas valable." in response.get_data(as_text=True)
    assert client.get("/partnerview/list/?psize_PartnerView=abc").status_code == 400
    assert client.get(f"/reimbursements/?page={HUGE}").status_code == 400
    assert client.get("/partnerview/list/?_oc_PartnerView=siret_or_else&_od_PartnerView=asc").status_code == 400


def test_malformed_api_requests_answer_400_with_a_message(client, world):
    partner = make_partner(world.a.collectivite)
    headers = api_token(client, world.a.users["correspondent"])
    response = client.get("/api/v1/partner/?q=" + "(" * 3000, headers=headers)
    assert response.status_code == 400 and response.json["message"]
    for body in (b"null", b"12", b'"\\ud800"', b'{"name": "\\u0000"}', b'{"siret": 1e196}',
                 b'{"siret": 18446744073709551617}', b"[" * 3000):
        response = client.put(f"/api/v1/partner/{partner}", data=body, content_type="application/json",
                              headers=headers)
        assert response.status_code == 400, (body[:20], response.get_data(as_text=True))
    response = client.put(f"/api/v1/partner/{partner}", json={"siret": [None]}, headers=headers)
    assert response.status_code in (400, 422)
    response = client.post("/api/v1/reimbursement/", json={"partner_id": 1e196, "cheques": ["A"]}, headers=headers)
    assert response.status_code == 400
    response = client.post("/api/v1/reimbursement/", json={"partner_id": 2**31, "cheques": ["A"]}, headers=headers)
    assert response.status_code == 400
    assert client.get(f"/api/v1/partner/{2**64}", headers=headers).status_code == 404


def test_web_list_page_sizes_are_capped(client, world):
    for number in range(11):
        helpers.chequier(world.a.id, f"C{number:02d}", date(2030, 1, 31))
    login(client, world.a.users["correspondent"])
    page = client.get("/chequeview/list/?psize_ChequeView=100000").get_data(as_text=True)
    assert page.count("/chequeview/show/") == MAX_PAGE_SIZE
    headers = api_token(client, world.a.users["correspondent"])
    assert len(client.get("/api/v1/partner/?q=(page_size:100000)", headers=headers).json["result"]) <= 100


def test_the_lookup_minimum_counts_real_characters(client, world):
    for number in range(3):
        make_partner(world.a.collectivite, name=f"Structure {number}", number=number)
    login(client, world.a.users["support"])
    page = client.get("/lookup/?q=%00%01%7f").get_data(as_text=True)
    assert "Saisissez au moins 2 caractères." in page
    headers = api_token(client, world.a.users["support"])
    response = client.get("/api/v1/lookup/?q=%00%01%7f", headers=headers)
    assert response.status_code == 422


@pytest.mark.parametrize("data, refused", [
    (b"", False), (b"q=%C3%A9mile&x=%E2%82%AC+1", False), (b"q=\xc3\xa9", False),
    (b"q=%FF", True), (b"q=\xff", True), (b"q=%C3", True), (b"q=%E2%82&x=%AC", True), (b"%FE=1", True),
])
def test_undecodable_bytes_are_recognised(data, refused):
    assert undecodable(data) is refused


def test_bytes_that_are_not_utf8_text_answer_400_before_any_view(client, world):
    partner = make_partner(world.a.collectivite, city="Lyon")
    login(client, world.a.users["correspondent"])
    response = client.get("/partnerview/list/?_flt_0_name=M%E9diath%E8que")  # latin-1, not UTF-8
    assert response.status_code == 400 and REFUSED_BYTES in response.get_data(as_text=True)
    assert client.get("/partnerview/list/?_flt_0_name=M%C3%A9diath%C3%A8que").status_code == 200
    token = csrf_token(client, f"/partnerview/edit/{partner}")
    for city in (b"Ly%FFon", b"Ly\xffon"):
        response = client.post(f"/partnerview/edit/{partner}", content_type="application/x-www-form-urlencoded",
                               data=b"csrf_token=" + token.encode() + b"&city=" + city)
        assert response.status_code == 400 and REFUSED_BYTES in response.get_data(as_text=True), city
    parts = [(b"csrf_token", token.encode()), (b"city", b"Ly\xffon")]  # a multipart form (file uploads)
    body = b"".join(b'--B\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % part for part in parts)
    response = client.post(f"/partnerview/edit/{partner}", data=body + b"--B--\r\n",
                           content_type="multipart/form-data; boundary=B")
    assert response.status_code == 400 and REFUSED_BYTES in response.get_data(as_text=True)
    with scoped(EVERYTHING):
        assert db.session.get(Partner, partner).city == "Lyon"
    logout(client)
    headers = api_token(client, world.a.users["support"])
    response = client.get("/api/v1/lookup/?q=ly%FF&_l_=en", headers=headers)
    assert response.status_code == 400 and "not UTF-8 text" in response.json["message"]
