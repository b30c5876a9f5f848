"""Unique values (a collectivité's name, SIREN, slug and code; a SIRET open once per collectivité) are refused
with the documented message before writing (422), and, when a concurrent request gets past that check, the
database's refusal is mapped to the same message (409): never a server error."""
from __future__ import annotations

import pytest

from console.partners import api as partners_api
from console.tenants import api as tenants_api
from tests.conftest import VALID_SIRETS, api_token, csrf_token, login, make_partner

NEW = {"name": "Ville de Gamma", "kind": "commune", "siren": "213300064", "slug": "alpha", "code": "GAM",
       "contact_email": "contact@gamma.fr"}
SLUG_TAKEN = {"fr": "Une autre collectivité a déjà cet identifiant d’URL.",
              "en": "Another collectivité already has this slug."}
SIRET_OPEN = "This SIRET already has an open affiliation request with this collectivité."


def test_a_taken_slug_is_refused_by_the_api_before_writing(client, world):
    response = client.post("/api/v1/collectivite/?_l_=en", json=NEW, headers=api_token(client, world.operator))
    assert response.status_code == 422
    assert response.json["message"] == {"slug": [SLUG_TAKEN["en"]]}


def test_a_taken_slug_is_refused_by_the_form_in_french(client, world):
    login(client, world.operator)
    form = {**NEW, "csrf_token": csrf_token(client, "/collectiviteview/add")}
    response = client.post("/collectiviteview/add", data=form)
    assert response.status_code == 200
    assert "Existe déjà" in response.get_data(as_text=True)  # the form's own unique check, next to the field
    assert client.get("/api/v1/collectivite/", headers=api_token(client, world.operator)).json["count"] == 2


def test_a_race_past_the_check_gets_the_same_refusal_from_the_constraint(client, world, monkeypatch):
    monkeypatch.setattr(tenants_api, "check_unique_collectivite", lambda session, row: None)
    headers = api_token(client, world.operator)
    response = client.post("/api/v1/collectivite/?_l_=en", json=NEW, headers=headers)
    assert response.status_code == 409
    assert response.json["message"] == {"slug": [SLUG_TAKEN["en"]]}
    assert client.get("/api/v1/collectivite/", headers=headers).json["count"] == 2


def test_a_siret_already_open_in_the_collectivite_is_refused_on_edit(client, world):
    make_partner(world.a.collectivite, number=0)
    second = make_partner(world.a.collectivite, name="Autre", number=1)
    headers = api_token(client, world.a.users["correspondent"])
    response = client.put(f"/api/v1/partner/{second}?_l_=en", json={"siret": VALID_SIRETS[0]}, headers=headers)
    assert response.status_code == 422
    assert "already has an open affiliation request" in response.json["message"]["siret"][0]
    assert client.get(f"/api/v1/partner/{second}", headers=headers).json["result"]["siret"] == VALID_SIRETS[1]


@pytest.mark.parametrize("operator", [True, False])
def test_a_siret_race_past_the_check_is_refused_by_the_index(client, world, monkeypatch, operator):
    monkeypatch.setattr(partners_api, "_refuse_open_duplicate", lambda *args, **kwargs: None)
    make_partner(world.a.collectivite, number=0)
    second = make_partner(world.a.collectivite, name="Autre", number=1)
    headers = api_token(client, world.operator if operator else world.a.users["correspondent"])
    response = client.put(f"/api/v1/partner/{second}?_l_=en", json={"siret": VALID_SIRETS[0]}, headers=headers)
    assert response.status_code == 409
    assert response.json["message"] == {"siret": [SIRET_OPEN]}
    assert client.get(f"/api/v1/partner/{second}", headers=headers).json["result"]["siret"] == VALID_SIRETS[1]
