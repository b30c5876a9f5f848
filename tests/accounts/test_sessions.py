"""Sessions end: password change, deactivation, role change, logout, « partout », idle time and lifetime."""
from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from console.accounts.models import UserSession
from console.config import ROLE_ELECTED
from console.extensions import db
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import ConsoleUser, utcnow
from tests.conftest import api_token, csrf_token, login

NEW = "Nouveau-mot-de-passe-7"
PAGE = "/collectiviteview/list/"


def signed_in(app, username="alpha-support"):
    return login(app.test_client(), username)


def reaches_pages(client) -> bool:
    response = client.get(PAGE)
    assert response.status_code in (200, 302)
    return response.status_code == 200


def api_works(client, headers) -> bool:
    status = client.get("/api/v1/collectivite/", headers=headers).status_code
    assert status in (200, 401)
    return status == 200


def copy_of_cookie(app, client):
    """A second client holding the same session cookie (a stolen copy)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session", domain="console.test").value, domain="console.test")
    return thief


def change_user(username, **changes):
    with scoped(EVERYTHING):
        user = db.session.scalars(select(ConsoleUser).where(ConsoleUser.username == username)).one()
        for name, value in changes.items():
            setattr(user, name, value)
        db.session.commit()


def test_a_password_change_ends_every_other_session_and_token(app, alpha):
    other, token = signed_in(app), api_token(app.test_client(), "alpha-support")
    me = signed_in(app)
    form = csrf_token(me, "/resetmypassword/form")
    me.post("/resetmypassword/form", data={"password": NEW, "conf_password": NEW, "csrf_token": form})
    assert reaches_pages(me)
    assert not reaches_pages(other) and not api_works(app.test_client(), token)
    assert api_works(app.test_client(), api_token(app.test_client(), "alpha-support", NEW))


@pytest.mark.parametrize("change", ["deactivation", "role"])
def test_deactivation_and_a_role_change_end_sessions_and_tokens(app, alpha, change):
    web, token = signed_in(app), api_token(app.test_client(), "alpha-support")
    assert reaches_pages(web) and api_works(app.test_client(), token)
    if change == "deactivation":
        change_user("alpha-support", active=False)
    else:
        change_user("alpha-support", roles=[app.appbuilder.sm.find_role(ROLE_ELECTED)])
    assert not reaches_pages(web) and not api_works(app.test_client(), token)


def test_logout_is_a_post_with_csrf_and_ends_the_session_server_side(app, alpha):
    me = signed_in(app)
    thief = copy_of_cookie(app, me)
    assert me.get("/logout/").status_code == 405  # a GET (a link, an image) signs nobody out
    assert me.post("/logout/").status_code == 400  # no CSRF token
    assert reaches_pages(me) and reaches_pages(thief)
    me.post("/logout/", data={"csrf_token": csrf_token(me, PAGE)})
    assert not reaches_pages(me)
    assert not reaches_pages(thief)  # the copied cookie is dead too: the session ended on the server


def test_signing_out_everywhere_else_keeps_only_this_session(app, alpha):
    other, token = signed_in(app), api_token(app.test_client(), "alpha-support")
    me = signed_in(app)
    assert me.post("/sessions/end-others", data={"csrf_token": csrf_token(me, PAGE)}).status_code == 302
    assert reaches_pages(me)
    assert not reaches_pages(other) and not api_works(app.test_client(), token)


def test_sessions_end_after_30_idle_minutes_and_12_hours_in_any_case(app, alpha):
    idle, old, fresh = signed_in(app), signed_in(app), signed_in(app)
    token = api_token(app.test_client(), "alpha-support")
    rows = db.session.scalars(select(UserSession.id).order_by(UserSession.id)).all()
    now = utcnow()
    db.session.execute(update(UserSession).where(UserSession.id == rows[0])
                       .values(last_seen_at=now - timedelta(minutes=30)))
    db.session.execute(update(UserSession).where(UserSession.id.in_([rows[1], rows[3]]))
                       .values(created_at=now - timedelta(hours=12)))
    db.session.execute(update(UserSession).where(UserSession.id == rows[2])
                       .values(last_seen_at=now - timedelta(minutes=29), created_at=now - timedelta(hours=11)))
    db.session.commit()
    assert not reaches_pages(idle) and not reaches_pages(old) and not api_works(app.test_client(), token)
    assert reaches_pages(fresh)


def test_a_role_change_is_watched_whatever_was_imported_first():
    """The listener that ends sessions on a role change is set even when the mappers were configured
    before the sessions module was imported (a query ran first): in a fresh interpreter."""
    code = ("from sqlalchemy import event\nfrom sqlalchemy.orm import configure_mappers\n"
            "from console.tenants.models import ConsoleUser\nconfigure_mappers()\n"
            "from console.accounts import sessions\n"
            "print(all(event.contains(ConsoleUser.roles, name, sessions._roles_changed) for name in ('append', 'remove')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "True", result.stderr[-2000:]
