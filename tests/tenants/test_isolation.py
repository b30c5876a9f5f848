"""Collectivité A's users can never reach collectivité B's rows, by any page or API path."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from console.extensions import db
from console.partners.models import Partner
from console.tenants.context import EVERYTHING, NOTHING, only, scoped
from console.tenants.models import Collectivite
from tests.conftest import api_token, csrf_token, login, make_partner

TENANT_ROLES = ["correspondent", "support", "elected"]


def denied(response) -> bool:
    """Refused: 403/404, or FAB's redirect to the login page for a missing permission."""
    if response.status_code in (403, 404, 405):
        return True
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def partner_row(pk: int) -> dict:
    with scoped(EVERYTHING):
        partner = db.session.get(Partner, pk, populate_existing=True)
        return {"name": partner.name, "email": partner.email, "collectivite_id": partner.collectivite_id}


def partner_count() -> int:
    with scoped(EVERYTHING):
        return db.session.scalar(select(func.count(Partner.id)))


@pytest.fixture
def partners(world):
    """One partner in A, one in B."""
    return {
        "a": make_partner(world.a.collectivite, "Médiathèque Alpha", 0),
        "b": make_partner(world.b.collectivite, "Tiers-lieu Bêta", 1, postcode="33000", city="Bordeaux"),
    }


def test_support_agents_reach_partners_only_through_the_audited_look_up(client, world, partners):
    login(client, world.a.users["support"])
    assert denied(client.get("/partnerview/list/"))
    assert denied(client.get(f"/partnerview/show/{partners['a']}"))
    headers = api_token(client, world.a.users["support"])
    assert denied(client.get("/api/v1/partner/", headers=headers))


@pytest.mark.parametrize("role", ["correspondent"])
def test_lists_counts_and_searches_show_only_own_rows(client, world, partners, role):
    login(client, world.a.users[role])
    page = client.get("/partnerview/list/").get_data(as_text=True)
    assert "Médiathèque Alpha" in page and "Tiers-lieu Bêta" not in page
    # A filter naming B's collectivité, or B's partner by name, finds nothing.
    filtered = client.get(f"/partnerview/list/?_flt_0_collectivite={world.b.id}").get_data(as_text=True)
    assert "Tiers-lieu Bêta" not in filtered
    by_name = client.get("/partnerview/list/?_flt_2_name=Bêta").get_data(as_text=True)
    assert "Tiers-lieu Bêta" not in by_name

    headers = api_token(client, world.a.users[role])
    listed = client.get("/api/v1/partner/", headers=headers).json
    assert listed["count"] == 1 and listed["ids"] == [partners["a"]]
    rison = f"(filters:!((col:collectivite,opr:rel_o_m,value:{world.b.id})))"
    probe = client.get(f"/api/v1/partner/?q={rison}", headers=headers)
    assert probe.status_code == 400 or probe.json["count"] == 0
    for role in TENANT_ROLES:
        headers = api_token(client, world.a.users[role])
        collectivites = client.get("/api/v1/collectivite/", headers=headers).json
        assert collectivites["ids"] == [world.a.id] and collectivites["count"] == 1


@pytest.mark.parametrize("role", TENANT_ROLES)
def test_other_tenant_rows_cannot_be_read_or_changed_from_pages(client, world, partners, role):
    login(client, world.a.users[role])
    b = partners["b"]
    before = partner_row(b)
    for url in (f"/partnerview/show/{b}", f"/partnerview/edit/{b}", f"/partnerview/delete/{b}",
                f"/collectiviteview/show/{world.b.id}", f"/collectiviteview/edit/{world.b.id}"):
        assert denied(client.get(url)), url
    token = csrf_token(client, "/resetmypassword/form")
    edit = client.post(f"/partnerview/edit/{b}", data={"name": "Piraté", "csrf_token": token})
    assert denied(edit) or "Piraté" not in partner_row(b)["name"]
    client.post("/partnerview/action_post", data={"action": "muldelete", "rowid": [b], "csrf_token": token})
    assert partner_row(b) == before and partner_count() == 2


@pytest.mark.parametrize("role", TENANT_ROLES)
def test_other_tenant_rows_cannot_be_read_or_changed_through_the_api(client, world, partners, role):
    headers = api_token(client, world.a.users[role])
    b = partners["b"]
    before = partner_row(b)
    assert denied(client.get(f"/api/v1/partner/{b}", headers=headers))
    assert denied(client.put(f"/api/v1/partner/{b}", json={"name": "Piraté"}, headers=headers))
    assert denied(client.delete(f"/api/v1/partner/{b}", headers=headers))
    assert denied(client.get(f"/api/v1/collectivite/{world.b.id}", headers=headers))
    assert denied(client.put(f"/api/v1/collectivite/{world.b.id}", json={"name": "X"}, headers=headers))
    assert partner_row(b) == before and partner_count() == 2


def test_drop_downs_offer_only_the_own_collectivite(client, world, partners):
    login(client, world.a.users["correspondent"])
    form = client.get("/partnerview/add").get_data(as_text=True)
    assert "Ville d&#39;Alpha" in form or "Ville d'Alpha" in form
    assert "Bêta" not in form
    headers = api_token(client, world.a.users["correspondent"])
    info = client.get("/api/v1/partner/_info?q=(keys:!(add_columns))", headers=headers).json
    choices = [column for column in info["add_columns"] if column["name"] == "collectivite"][0]
    assert [value["id"] for value in choices["values"]] == [world.a.id]


PARTNER_BODY = {"name": "Espace numérique Gamma", "siret": "44306184100047", "email": "gamma@structure.fr",
                "address": "3 place de la Mairie", "postcode": "69003", "city": "Lyon"}


def test_an_api_body_naming_the_other_collectivite_is_refused(client, world):
    headers = api_token(client, world.a.users["correspondent"])
    refused = client.post("/api/v1/partner/", json={**PARTNER_BODY, "collectivite": world.b.id}, headers=headers)
    assert refused.status_code == 400 and "collectivite" in refused.json["message"]
    assert partner_count() == 0
    created = client.post("/api/v1/partner/", json=PARTNER_BODY, headers=headers)
    assert created.status_code == 201, created.json
    with scoped(EVERYTHING):
        partner = db.session.get(Partner, created.json["id"])
        assert partner.collectivite_id == world.a.id
        assert partner.identifier.startswith("PN-ALP-")


def test_a_form_naming_the_other_collectivite_creates_the_row_in_its_own(client, world):
    login(client, world.a.users["correspondent"])
    data = {**PARTNER_BODY, "collectivite": str(world.b.id), "csrf_token": csrf_token(client, "/partnerview/add")}
    client.post("/partnerview/add", data=data)
    with scoped(EVERYTHING):
        owners = db.session.scalars(select(Partner.collectivite_id)).all()
    assert world.b.id not in owners


def test_elected_officials_write_nothing_and_support_agents_edit_nothing(client, world, partners):
    elected = api_token(client, world.a.users["elected"])
    assert client.post("/api/v1/partner/", json=PARTNER_BODY, headers=elected).status_code == 403
    assert denied(client.get("/api/v1/partner/", headers=elected))
    support = api_token(client, world.a.users["support"])
    assert client.put(f"/api/v1/partner/{partners['a']}", json={"name": "X"}, headers=support).status_code == 403
    login(client, world.a.users["support"])
    token = csrf_token(client, "/resetmypassword/form")
    assert denied(client.post(f"/partnerview/edit/{partners['a']}", data={"name": "X", "csrf_token": token}))
    assert denied(client.post("/partnerview/add", data={**PARTNER_BODY, "csrf_token": token}))
    assert partner_row(partners["a"])["name"] == "Médiathèque Alpha" and partner_count() == 2


def test_operators_see_every_collectivite(client, world, partners):
    headers = api_token(client, world.operator)
    assert client.get("/api/v1/partner/", headers=headers).json["count"] == 2
    assert client.get(f"/api/v1/partner/{partners['b']}", headers=headers).status_code == 200


def test_no_hard_delete_even_of_own_rows(client, world, partners):
    headers = api_token(client, world.a.users["correspondent"])
    assert client.delete(f"/api/v1/partner/{partners['a']}", headers=headers).status_code in (403, 405)
    login(client, world.a.users["correspondent"])
    assert denied(client.get(f"/partnerview/delete/{partners['a']}"))
    assert partner_count() == 2


def test_code_running_without_a_scope_sees_nothing(app, world, partners):
    with scoped(NOTHING):
        assert db.session.scalars(select(Partner), execution_options={"populate_existing": True}).all() == []
        assert db.session.scalar(select(func.count(Partner.id))) == 0
    with scoped(only(world.a.id)):
        assert db.session.scalars(select(Collectivite.id)).all() == [world.a.id]


def test_a_user_without_collectivite_who_is_not_operator_sees_nothing(client, world, partners):
    from tests.conftest import make_user
    from console.config import ROLE_CORRESPONDENT

    make_user("orphan-correspondent", ROLE_CORRESPONDENT, None)
    response = client.post("/api/v1/security/login",
                           json={"username": "orphan-correspondent", "password": "Mot-de-passe-1", "provider": "db"})
    assert response.status_code == 401  # a tenant user with no collectivité cannot even sign in


def test_security_views_are_not_given_to_tenant_roles(client, world):
    login(client, world.a.users["correspondent"])
    for url in ("/users/list/", "/roles/list/", "/resetpassword/form?pk=1", "/permissions/list/",
                "/outboxview/list/"):
        assert denied(client.get(url)), url


def test_csrf_is_required_for_form_posts(client, world):
    login(client, world.a.users["correspondent"])
    response = client.post("/partnerview/add", data=PARTNER_BODY)
    assert response.status_code == 400
    assert partner_count() == 0


def test_fabs_file_column_download_route_is_closed(client, world):
    login(client, world.a.users["correspondent"])
    assert client.get("/partnerview/download/secret.pdf").status_code == 404
