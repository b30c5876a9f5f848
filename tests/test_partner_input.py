"""Bad partner input gets a clear error naming the field, in French and English, and writes nothing."""
import html

import pytest
from sqlalchemy import func, select

from console.extensions import db
from console.partners.models import Partner
from console.tenants.context import EVERYTHING, scoped
from tests.conftest import api_token, csrf_token, login

GOOD = {"name": "Espace numérique Gamma", "siret": "44306184100047", "email": "gamma@structure.fr",
        "address": "3 place de la Mairie", "postcode": "69003", "city": "Lyon"}
BAD_CASES = [
    ("siret", "44306184100048", "La clé de contrôle du SIRET 44306184100048 est erronée.",
     "The SIRET 44306184100048 has a wrong check digit."),
    ("email", "gamma@structure", "gamma@structure n’est pas une adresse e-mail valide.",
     "gamma@structure is not a valid e-mail address."),
    ("postcode", "6900", None, None),
]


def partner_count() -> int:
    with scoped(EVERYTHING):
        return db.session.scalar(select(func.count(Partner.id)))


@pytest.mark.parametrize("field, value, french, english", BAD_CASES)
def test_api_refuses_bad_fields_field_by_field(client, world, field, value, french, english):
    headers = api_token(client, world.a.users["correspondent"])
    for language, expected in (("fr", french), ("en", english)):
        response = client.post(f"/api/v1/partner/?_l_={language}", json={**GOOD, field: value}, headers=headers)
        assert response.status_code == 422
        messages = response.json["message"]
        assert list(messages) == [field]
        if expected:
            assert messages[field] == [expected]
    assert partner_count() == 0


def test_api_refuses_an_empty_name(client, world):
    headers = api_token(client, world.a.users["correspondent"])
    response = client.post("/api/v1/partner/", json={**GOOD, "name": ""}, headers=headers)
    assert response.status_code == 422 and "name" in response.json["message"]
    assert partner_count() == 0


@pytest.mark.parametrize("field, value, french, english", BAD_CASES[:2])
def test_form_shows_the_error_next_to_the_field(client, world, field, value, french, english):
    login(client, world.a.users["correspondent"])
    data = {**GOOD, field: value, "csrf_token": csrf_token(client, "/partnerview/add")}
    page = html.unescape(client.post("/partnerview/add", data=data).get_data(as_text=True))
    assert french in page
    client.get("/lang/en")
    data["csrf_token"] = csrf_token(client, "/partnerview/add")
    page = html.unescape(client.post("/partnerview/add", data=data).get_data(as_text=True))
    assert english in page
    assert partner_count() == 0


def test_form_refuses_an_empty_name_in_french(client, world):
    login(client, world.a.users["correspondent"])
    data = {**GOOD, "name": "", "csrf_token": csrf_token(client, "/partnerview/add")}
    page = client.post("/partnerview/add", data=data).get_data(as_text=True)
    assert "Ce champ est requis." in page  # WTForms' own French catalogue
    assert partner_count() == 0


def test_good_form_input_is_normalised_and_stored(client, world):
    login(client, world.a.users["correspondent"])
    data = {**GOOD, "email": "Gamma@Structure.FR", "csrf_token": csrf_token(client, "/partnerview/add")}
    client.post("/partnerview/add", data=data)
    with scoped(EVERYTHING):
        partner = db.session.scalars(select(Partner)).one()
    assert partner.email == "Gamma@structure.fr" and partner.collectivite_id == world.a.id
