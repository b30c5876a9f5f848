"""« Mes informations »: every change of a partner's administrative information is kept, never overwritten."""
from __future__ import annotations

from sqlalchemy import select

from console.extensions import db
from console.partners.models import PartnerChange
from console.tenants.context import EVERYTHING, scoped
from tests.conftest import api_token, csrf_token, login, make_partner
from tests.partners.helpers import partner


def changes() -> list[tuple]:
    with scoped(EVERYTHING):
        return [(c.field, c.old_value, c.new_value, c.changed_by.username)
                for c in db.session.scalars(select(PartnerChange).order_by(PartnerChange.id))]


def test_the_edit_form_keeps_each_change(client, world):
    pk = make_partner(world.a.collectivite)
    login(client, "alpha-correspondent")
    token = csrf_token(client, f"/partnerview/edit/{pk}")
    form = {"name": "Médiathèque Émile Zola", "siret": "73282932000074", "email": "contact0@structure.fr",
            "phone": "0478000001", "address": "14 rue de la République", "postcode": "69001", "city": "Lyon",
            "csrf_token": token}
    assert client.post(f"/partnerview/edit/{pk}", data=form).status_code == 302
    assert changes() == [("phone", None, "0478000001", "alpha-correspondent"),
                         ("address", "1 rue de la République", "14 rue de la République", "alpha-correspondent")]
    page = client.get(f"/partnerview/show/{pk}").get_data(as_text=True)
    assert "14 rue de la République" in page and "Historique des informations" in page


def test_the_api_validates_and_keeps_each_change(client, world):
    pk = make_partner(world.a.collectivite)
    headers = api_token(client, "alpha-correspondent")
    refused = client.put(f"/api/v1/affiliation/{pk}/information", json={"postcode": "6900", "status": "approved"},
                         headers=headers)
    assert refused.status_code == 422 and set(refused.json["errors"]) == {"status"}
    refused = client.put(f"/api/v1/affiliation/{pk}/information", json={"postcode": "6900"}, headers=headers)
    assert refused.status_code == 422 and set(refused.json["errors"]) == {"postcode"}
    assert changes() == []
    done = client.put(f"/api/v1/affiliation/{pk}/information", json={"city": "Villeurbanne", "postcode": "69100"},
                      headers=headers)
    assert done.status_code == 200
    assert {(c["field"], c["old_value"], c["new_value"]) for c in done.json["changes"]} == {
        ("city", "Lyon", "Villeurbanne"), ("postcode", "69001", "69100")}
    assert partner(pk).city_key == "villeurbanne"
    other = api_token(client, "beta-correspondent")
    assert client.put(f"/api/v1/affiliation/{pk}/information", json={"city": "X"}, headers=other).status_code == 404
    support = api_token(client, "alpha-support")
    assert client.put(f"/api/v1/affiliation/{pk}/information", json={"city": "X"},
                      headers=support).status_code in (401, 403)
    assert partner(pk).city == "Villeurbanne" and len(changes()) == 2
