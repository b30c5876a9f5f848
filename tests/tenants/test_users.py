"""Correspondents manage their own collectivité's users; temporary passwords must be changed."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from console.extensions import db
from console.mail import OutboxMessage
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import ConsoleUser
from tests.conftest import PASSWORD, csrf_token, login

NEW_USER = {"first_name": "Inès", "last_name": "Benali", "username": "alpha-new-elu", "email": "ines@alpha.fr"}


def role_id(app, name: str) -> str:
    return str(app.appbuilder.sm.find_role(name).id)


def user_named(username: str) -> ConsoleUser | None:
    with scoped(EVERYTHING):
        db.session.expire_all()
        return db.session.scalars(select(ConsoleUser).where(ConsoleUser.username == username)).first()


def temporary_password(recipient: str) -> str:
    db.session.expire_all()
    body = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == recipient)
                              .order_by(OutboxMessage.id.desc())).first()
    return re.search(r"(?:Mot de passe temporaire|Temporary password)\s*:\s*(\S+)", body).group(1)


def create_user(client, app, **overrides) -> None:
    data = {**NEW_USER, "roles": role_id(app, "Élu"), **overrides}
    data["csrf_token"] = csrf_token(client, "/tenantuserview/add")
    client.post("/tenantuserview/add", data=data)


def test_correspondent_lists_only_own_users(client, world):
    login(client, world.a.users["correspondent"])
    page = client.get("/tenantuserview/list/").get_data(as_text=True)
    assert "alpha-support" in page and "beta-support" not in page and "operateur" not in page
    beta_user = user_named("beta-support")
    assert client.get(f"/tenantuserview/show/{beta_user.id}").status_code == 404
    edit = client.post(f"/tenantuserview/edit/{beta_user.id}",
                       data={"first_name": "Piraté", "csrf_token": csrf_token(client, "/tenantuserview/list/")})
    assert edit.status_code == 404 and user_named("beta-support").first_name != "Piraté"


def test_new_user_belongs_to_the_correspondents_collectivite_and_gets_a_temporary_password(client, app, world):
    login(client, world.a.users["correspondent"])
    create_user(client, app)
    user = user_named("alpha-new-elu")
    assert user is not None and user.collectivite_id == world.a.id and user.must_change_password
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "ines@alpha.fr")).one()
    assert "Mot de passe temporaire" in mail.body and "alpha-new-elu" in mail.body

    # The temporary password opens only the page where it is replaced.
    fresh = app.test_client()
    login(fresh, "alpha-new-elu", temporary_password("ines@alpha.fr"))
    response = fresh.get("/collectiviteview/list/")
    assert response.status_code == 302 and "/resetmypassword/form" in response.headers["Location"]
    token = csrf_token(fresh, "/resetmypassword/form")
    fresh.post("/resetmypassword/form", data={"password": "Nouveau-mot-2", "conf_password": "Nouveau-mot-2",
                                              "csrf_token": token})
    assert not user_named("alpha-new-elu").must_change_password
    assert fresh.get("/collectiviteview/list/").status_code == 200


def test_a_correspondent_cannot_create_an_operator(client, app, world):
    login(client, world.a.users["correspondent"])
    create_user(client, app, roles=role_id(app, "Opérateur"))
    assert user_named("alpha-new-elu") is None


def test_a_temporary_password_does_not_open_the_api(client, app, world):
    login(client, world.a.users["correspondent"])
    create_user(client, app)
    response = client.post("/api/v1/security/login", json={
        "username": "alpha-new-elu", "password": temporary_password("ines@alpha.fr"), "provider": "db"})
    assert response.status_code == 401


def test_forgotten_password_is_replaced_by_a_temporary_one(client, app, world):
    page = client.get("/login/").get_data(as_text=True)
    assert "/forgot-password/" in page
    token = csrf_token(client, "/forgot-password/")
    response = client.post("/forgot-password/", data={"login": "alpha-support@test.example.fr", "csrf_token": token})
    assert response.status_code == 302
    user = user_named("alpha-support")
    assert user.must_change_password
    # The old password no longer works; the temporary one does, and asks for a new password.
    assert client.post("/api/v1/security/login", json={"username": "alpha-support", "password": PASSWORD,
                                                       "provider": "db"}).status_code == 401
    fresh = app.test_client()
    login(fresh, "alpha-support", temporary_password("alpha-support@test.example.fr"))
    assert "/resetmypassword/form" in fresh.get("/").headers.get("Location", "")


def test_forgotten_password_of_an_unknown_account_reveals_nothing(client, world):
    token = csrf_token(client, "/forgot-password/")
    known = client.post("/forgot-password/", data={"login": "alpha-support", "csrf_token": token},
                        follow_redirects=True).get_data(as_text=True)
    token = csrf_token(client, "/forgot-password/")
    unknown = client.post("/forgot-password/", data={"login": "nobody", "csrf_token": token},
                          follow_redirects=True).get_data(as_text=True)
    message = "Si un compte correspond"
    assert message in known and message in unknown
    assert db.session.scalars(select(OutboxMessage.recipient)).all() == ["alpha-support@test.example.fr"]


@pytest.mark.parametrize("weak", ["court-1", "sans-chiffres-du-tout", "123456789012345"])
def test_a_new_password_must_be_strong(client, world, weak):
    login(client, world.a.users["support"])
    token = csrf_token(client, "/resetmypassword/form")
    page = client.post("/resetmypassword/form", data={"password": weak, "conf_password": weak,
                                                     "csrf_token": token}).get_data(as_text=True)
    assert "au moins 12 caractères, avec des lettres et des chiffres" in html.unescape(page)
    fresh = client.application.test_client()
    login(fresh, world.a.users["support"])  # the old password still works: nothing was changed
