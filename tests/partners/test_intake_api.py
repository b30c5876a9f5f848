"""Affiliation requests through the REST API: contract, field-by-field errors, nothing written on refusal."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from console.extensions import db
from console.mail import OutboxMessage
from console.partners.models import AffiliationTransition, BankAccount, Partner, PartnerStatus
from console.tenants.context import EVERYTHING, scoped
from tests.conftest import api_token
from tests.partners.helpers import outbox

REQUEST = {"collectivite": "ALP", "name": "Médiathèque Émile Zola", "siret": "732 829 320 00074",
           "email": "Contact@Mediatheque-Zola.FR", "address": "12 rue de la République", "postcode": "69001",
           "city": "Lyon", "holder": "Association Émile Zola", "iban": "fr76 3000 6000 0112 3456 7890 189",
           "bic": "agrifrpp"}


def counts() -> tuple[int, int, int, int]:
    with scoped(EVERYTHING):
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (Partner, BankAccount, AffiliationTransition, OutboxMessage))


def test_an_operator_files_a_request_for_a_collectivite(client, world):
    headers = api_token(client, "operateur")
    response = client.post("/api/v1/affiliation/", json=REQUEST, headers=headers)
    assert response.status_code == 201, response.json
    assert response.json["identifier"] == "PN-ALP-000001" and response.json["status"] == "submitted"
    with scoped(EVERYTHING):
        partner = db.session.get(Partner, response.json["id"])
        assert partner.siret == "73282932000074" and partner.email == "Contact@mediatheque-zola.fr"
        assert partner.collectivite_id == world.a.id and partner.status is PartnerStatus.submitted
        account = db.session.scalar(select(BankAccount).where(BankAccount.partner_id == partner.id))
        assert (account.iban, account.bic, account.replaced_at) == ("FR7630006000011234567890189", "AGRIFRPP", None)
    [mail] = outbox("partner_identifier")
    assert mail.recipient == "Contact@mediatheque-zola.fr" and "PN-ALP-000001" in mail.subject
    assert "Votre identifiant\u00a0: PN-ALP-000001" in mail.body and "déposez votre RIB" in mail.body
    timeline = client.get(f"/api/v1/affiliation/{partner.id}/timeline", headers=headers).json
    assert [step["action"] for step in timeline["result"]] == ["submit"]


def test_a_correspondent_files_for_their_own_collectivite_only(client, world):
    headers = api_token(client, world.a.users["correspondent"])
    body = {key: value for key, value in REQUEST.items() if key != "collectivite"}
    assert client.post("/api/v1/affiliation/", json=body, headers=headers).status_code == 201
    refused = client.post("/api/v1/affiliation/", json={**REQUEST, "collectivite": "BET", "siret": "44306184100047"},
                          headers=headers)
    assert refused.status_code == 422 and set(refused.json["errors"]) == {"collectivite"}
    assert counts()[0] == 1


@pytest.mark.parametrize("change, fields", [
    ({"siret": "73282932000075"}, {"siret"}),
    ({"siret": "7328293200007"}, {"siret"}),
    ({"iban": "FR7630006000011234567890188"}, {"iban"}),
    ({"iban": "FR76300060000112345678901"}, {"iban"}),
    ({"bic": "DEUTDEFF"}, {"bic"}),
    ({"holder": " "}, {"holder"}),
    ({"email": "contact@@structure"}, {"email"}),
    ({"name": None, "city": ""}, {"name", "city"}),
    ({"postcode": "6900"}, {"postcode"}),
    ({"collectivite": "XYZ"}, {"collectivite"}),
    ({"collectivite": None, "siret": "1", "email": "x"}, {"collectivite", "siret", "email"}),
])
def test_bad_input_answers_422_field_by_field_in_french_and_english_and_writes_nothing(client, world, change,
                                                                                        fields):
    headers = api_token(client, "operateur")
    response = client.post("/api/v1/affiliation/", json={**REQUEST, **change}, headers=headers)
    assert response.status_code == 422, response.json
    assert set(response.json["errors"]) == fields
    for messages in response.json["errors"].values():
        assert messages["fr"] and messages["en"] and messages["fr"] != messages["en"]
    assert counts() == (0, 0, 0, 0)


def test_a_body_that_is_not_an_object_answers_400(client, world):
    headers = api_token(client, "operateur")
    assert client.post("/api/v1/affiliation/", data="siret=1", headers=headers).status_code == 400
    assert client.post("/api/v1/affiliation/", json=[REQUEST], headers=headers).status_code == 400
    assert counts() == (0, 0, 0, 0)


def test_one_open_request_per_siret_and_collectivite(client, world):
    headers = api_token(client, "operateur")
    assert client.post("/api/v1/affiliation/", json=REQUEST, headers=headers).status_code == 201
    again = client.post("/api/v1/affiliation/", json=REQUEST, headers=headers)
    assert again.status_code == 422 and "PN-ALP-000001" in again.json["errors"]["siret"]["en"]
    elsewhere = client.post("/api/v1/affiliation/", json={**REQUEST, "collectivite": "BET"}, headers=headers)
    assert elsewhere.status_code == 201
    assert counts()[0] == 2


def test_a_rejected_request_may_be_filed_again(client, world):
    headers = api_token(client, "operateur")
    first = client.post("/api/v1/affiliation/", json=REQUEST, headers=headers).json["id"]
    assert client.post(f"/api/v1/affiliation/{first}/transition", json={"action": "check_pass"},
                       headers=headers).status_code == 200
    correspondent = api_token(client, world.a.users["correspondent"])
    rejected = client.post(f"/api/v1/affiliation/{first}/transition",
                           json={"action": "reject", "reason_code": "incomplete_documents"}, headers=correspondent)
    assert rejected.status_code == 200 and rejected.json["status"] == "rejected"
    assert client.post("/api/v1/affiliation/", json=REQUEST, headers=headers).status_code == 201


def test_transitions_through_the_api_answer_with_the_refusal(client, world):
    headers = api_token(client, "operateur")
    pk = client.post("/api/v1/affiliation/", json=REQUEST, headers=headers).json["id"]
    correspondent = api_token(client, world.a.users["correspondent"])
    early = client.post(f"/api/v1/affiliation/{pk}/transition", json={"action": "approve"}, headers=correspondent)
    assert early.status_code == 422 and early.json["rule"] == "affiliation_transition"
    assert "Only a checked request can be approved" in early.json["errors"]["_"]["en"]
    wrong_role = client.post(f"/api/v1/affiliation/{pk}/transition", json={"action": "approve"}, headers=headers)
    assert wrong_role.status_code == 403
    assert client.post(f"/api/v1/affiliation/{pk}/transition", json={"action": "fly"},
                       headers=headers).status_code == 400
    other = api_token(client, world.b.users["correspondent"])
    assert client.post(f"/api/v1/affiliation/{pk}/transition", json={"action": "approve"},
                       headers=other).status_code == 404
    assert client.get(f"/api/v1/affiliation/{pk}/timeline", headers=other).status_code == 404
    support = api_token(client, world.a.users["support"])
    assert client.post("/api/v1/affiliation/", json=REQUEST, headers=support).status_code in (401, 403)


def test_the_openapi_contract_documents_the_intake_with_examples(client, world):
    spec = client.get("/api/v1/_openapi", headers=api_token(client, "operateur")).json
    intake = spec["paths"]["/api/v1/affiliation/"]["post"]
    body = intake["requestBody"]["content"]["application/json"]
    assert set(body["schema"]["required"]) >= {"collectivite", "name", "siret", "email"}
    assert body["examples"]["with_rib"]["value"]["siret"] == "73282932000074"
    assert {"201", "400", "409", "422"} <= set(map(str, intake["responses"]))
    assert "/api/v1/affiliation/{pk}/transition" in spec["paths"] and "/api/v1/lookup/" in spec["paths"]
