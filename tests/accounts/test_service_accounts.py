"""API clients of the partner extranet: exactly their scopes' endpoints, their collectivité, revocable."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from werkzeug.security import check_password_hash

from console.extensions import db
from console.partners.models import AffiliationTransition, Partner
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import ConsoleUser
from tests.conftest import csrf_token, login
from tests.partners.test_cgu import publish
from tests.partners.test_intake_api import REQUEST



def create_client(operator, name, collectivite_id, *scopes):
    """(client id, secret) as the operator's page shows them once."""
    page = operator.post("/api-clients/", data={
        "name": name, "collectivite": collectivite_id or "", "scopes": list(scopes),
        "csrf_token": csrf_token(operator, "/api-clients/")}).get_data(as_text=True)
    secret = re.search(r'id="client-secret">.*?<code>([\w-]{40,})</code>', page, re.S).group(1)
    client_id = re.search(r"Secret of (api-[0-9a-f]{12})|Secret de (api-[0-9a-f]{12})", page)
    return next(group for group in client_id.groups() if group), secret


def token(client, client_id, secret):
    response = client.post("/api/v1/security/login",
                           json={"username": client_id, "password": secret, "provider": "db"})
    return {"Authorization": f"Bearer {response.json['access_token']}"} if response.status_code == 200 else None


def client_row(client_id):
    with scoped(EVERYTHING):
        db.session.expire_all()
        return db.session.scalars(select(ConsoleUser).where(ConsoleUser.username == client_id)).one()


def test_a_client_reaches_only_its_scopes_and_its_collectivite(client, app, world):
    today = date.today()
    alpha_cgu, beta_cgu = publish("A-1", today), publish("B-1", today, username="beta-correspondent")
    operator = login(app.test_client(), "operateur")
    client_id, secret = create_client(operator, "Extranet Alpha", world.a.id, "cgu_read")
    stored = client_row(client_id)
    assert stored.password != secret and check_password_hash(stored.password, secret)
    headers = token(client, client_id, secret)
    listed = client.get("/api/v1/cgu/", headers=headers)
    assert listed.status_code == 200 and [v["id"] for v in listed.json["result"]] == [alpha_cgu]
    assert client.get(f"/api/v1/cgu/{alpha_cgu}/download", headers=headers).status_code == 200
    assert client.get(f"/api/v1/cgu/{beta_cgu}/download", headers=headers).status_code == 404
    for method, url in (("post", "/api/v1/affiliation/"), ("post", "/api/v1/reimbursement/"),
                        ("post", "/api/v1/reimbursement/accept"), ("get", "/api/v1/partner/"),
                        ("post", "/api/v1/partner/"), ("get", "/api/v1/collectivite/"),
                        ("get", "/api/v1/lookup/?q=x"), ("get", "/api/v1/reimbursement/")):
        assert getattr(client, method)(url, headers=headers, json={}).status_code == 403, url
    # No web page: the secret does not open the console's pages, and the client is not among the people.
    web = app.test_client()
    web.post("/login/", data={"username": client_id, "password": secret, "csrf_token": csrf_token(web)})
    assert web.get("/exports/").status_code == 302
    correspondent = login(app.test_client(), "alpha-correspondent")
    assert client_id not in correspondent.get("/tenantuserview/list/").get_data(as_text=True)

    # A new secret ends the old one and its tokens; revocation ends everything at once.
    page = operator.post(f"/api-clients/{stored.id}/rotate", data={"csrf_token": csrf_token(operator, "/api-clients/")})
    new_secret = re.search(r'id="client-secret">.*?<code>([\w-]{40,})</code>', page.get_data(as_text=True),
                           re.S).group(1)
    assert client.get("/api/v1/cgu/", headers=headers).status_code == 401
    assert token(client, client_id, secret) is None
    headers = token(client, client_id, new_secret)
    assert client.get("/api/v1/cgu/", headers=headers).status_code == 200
    operator.post(f"/api-clients/{stored.id}/revoke", data={"csrf_token": csrf_token(operator, "/api-clients/")})
    assert client.get("/api/v1/cgu/", headers=headers).status_code == 401
    assert token(client, client_id, new_secret) is None


def test_intake_is_attributed_to_the_client_and_bound_to_its_collectivite(client, app, world):
    operator = login(app.test_client(), "operateur")
    client_id, secret = create_client(operator, "Extranet Alpha", world.a.id, "affiliation_intake")
    headers = token(client, client_id, secret)
    assert client.post("/api/v1/affiliation/", headers=headers,
                       json={**REQUEST, "collectivite": "BET"}).status_code == 422
    assert client.post("/api/v1/affiliation/", headers=headers, json=REQUEST).status_code == 201
    with scoped(EVERYTHING):
        partner = db.session.scalars(select(Partner)).one()
        actor = db.session.scalars(select(AffiliationTransition.user_id)
                                   .where(AffiliationTransition.partner_id == partner.id)).first()
        assert partner.collectivite_id == world.a.id and actor == client_row(client_id).id
    assert client.get("/api/v1/cgu/", headers=headers).status_code == 403
    # A platform-wide client reads every collectivité's CGU.
    publish("A-1", date.today())
    publish("B-1", date.today(), username="beta-correspondent")
    platform_id, platform_secret = create_client(operator, "Extranet national", None, "cgu_read")
    listed = client.get("/api/v1/cgu/", headers=token(client, platform_id, platform_secret))
    assert len(listed.json["result"]) == 2
