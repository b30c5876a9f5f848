"""Support look-up: every kind of query, accent/case-insensitive names, masked e-mails, audit, isolation."""
from __future__ import annotations

import pytest
from console.partners.lookup import mask_email
from tests.audit.helpers import events, lookups
from tests.conftest import api_token, login, make_partner


@pytest.fixture
def partners(world):
    return {
        "zola": make_partner(world.a.collectivite, "Médiathèque Émile Zola", 0, email="Contact@zola.fr",
                             postcode="69001", city="Lyon"),
        "lilas": make_partner(world.a.collectivite, "Centre social Les Lilas", 1, email="accueil@lilas.fr",
                              postcode="69008", city="Saint-Étienne"),
        "beta": make_partner(world.b.collectivite, "Médiathèque Bêta Zola", 2, email="zola@beta.fr",
                             postcode="33000", city="Bordeaux"),
    }


def found(client, headers, query) -> list[str]:
    response = client.get("/api/v1/lookup/", query_string={"q": query}, headers=headers)
    assert response.status_code == 200, response.json
    return sorted(row["name"] for row in response.json["result"])


@pytest.mark.parametrize("query, names", [
    ("EMILE zola", ["Médiathèque Émile Zola"]),
    ("mediatheque", ["Médiathèque Émile Zola"]),
    ("lilas", ["Centre social Les Lilas"]),
    ("saint-etienne", ["Centre social Les Lilas"]),
    ("PN-ALP-000002", ["Centre social Les Lilas"]),
    ("pn-alp", ["Centre social Les Lilas", "Médiathèque Émile Zola"]),
    ("732 829 320 00074", ["Médiathèque Émile Zola"]),
    ("73282932", ["Médiathèque Émile Zola"]),
    ("contact@ZOLA.fr", ["Médiathèque Émile Zola"]),
    ("69008", ["Centre social Les Lilas"]),
    ("690", ["Centre social Les Lilas", "Médiathèque Émile Zola"]),
    ("100%", []),
])
def test_every_kind_of_query_finds_only_own_partners(client, world, partners, query, names):
    assert found(client, api_token(client, world.a.users["correspondent"]), query) == names


def test_support_agents_see_masked_e_mails_and_every_look_up_is_audited(client, world, partners):
    support = api_token(client, world.a.users["support"])
    [row] = client.get("/api/v1/lookup/?q=zola", headers=support).json["result"]
    assert row["email"] == mask_email("Contact@zola.fr") == "C******@zola.fr"
    assert row["identifier"] == "PN-ALP-000001" and row["status"] == "submitted"
    correspondent = api_token(client, world.a.users["correspondent"])
    assert client.get("/api/v1/lookup/?q=zola", headers=correspondent).json["result"][0]["email"] == "Contact@zola.fr"
    assert lookups() == [("alpha-support", "zola", "api", 1, world.a.id),
                         ("alpha-correspondent", "zola", "api", 1, world.a.id)]
    assert events(action="lookup.search")[0].details_dict["results"] == ["PN-ALP-000001"]


def test_the_page_searches_and_audits(client, world, partners):
    login(client, world.a.users["support"])
    page = client.get("/lookup/?q=emile").get_data(as_text=True)
    assert "PN-ALP-000001" in page and "C******@zola.fr" in page and "Bêta" not in page
    too_short = client.get("/lookup/?q=e").get_data(as_text=True)
    assert "au moins 2 caractères" in too_short
    assert [row[1] for row in lookups()] == ["emile"]


@pytest.mark.parametrize("role", ["elected"])
def test_elus_cannot_look_up(client, world, partners, role):
    login(client, world.a.users[role])
    response = client.get("/lookup/?q=zola")
    assert response.status_code in (302, 403)
    assert client.get("/api/v1/lookup/?q=zola", headers=api_token(client, world.a.users[role])).status_code in (
        401, 403)
    assert lookups() == []
