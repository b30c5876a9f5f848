"""Correspondents manage their own collectivité's users; chosen passwords must be strong."""
from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from console.extensions import db
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import ConsoleUser
from tests.conftest import csrf_token, login

NEW_USER = {"first_name": "Inès", "last_name": "Benali", "username": "alpha-new-elu", "email": "ines@alpha.fr"}


def role_id(app, name: str) -> str:
    return str(app.appbuilder.sm.find_role(name).id)


def user_named(username: str) -> ConsoleUser | None:
    with scoped(EVERYTHING):
        db.session.expire_all()
        return db.session.scalars(select(ConsoleUser).where(ConsoleUser.username == username)).first()


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


def test_a_correspondent_cannot_create_an_operator(client, app, world):
    login(client, world.a.users["correspondent"])
    create_user(client, app, roles=role_id(app, "Opérateur"))
    assert user_named("alpha-new-elu") is None


@pytest.mark.parametrize("weak", ["court-1", "sans-chiffres-du-tout", "123456789012345"])
def test_a_new_password_must_be_strong(client, world, weak):
    login(client, world.a.users["support"])
    token = csrf_token(client, "/resetmypassword/form")
    page = client.post("/resetmypassword/form", data={"password": weak, "conf_password": weak,
                                                     "csrf_token": token}).get_data(as_text=True)
    assert "au moins 12 caractères, avec des lettres et des chiffres" in html.unescape(page)
    fresh = client.application.test_client()
    login(fresh, world.a.users["support"])  # the old password still works: nothing was changed
