"""The navigation menu is kept per (roles, language) (console/views/menu.py): each user still sees exactly
the entries of the roles held at this request, in the page's language, and FAB's answers per item."""
from __future__ import annotations

import re

from sqlalchemy import select

from console.config import ROLE_CORRESPONDENT, ROLE_SUPPORT
from console.extensions import db
from console.tenants.models import ConsoleUser
from tests.conftest import login, logout

MENU = re.compile(r'<ul class="nav navbar-nav">(.*?)</ul>\s*<ul class="nav navbar-nav navbar-right">', re.S)


def menu_of(client, path: str = "/dashboard/") -> str:
    page = client.get(path).get_data(as_text=True)
    return MENU.search(page).group(1)


def uncached_menu(app, username: str, language: str) -> str:
    """The menu rendered by FAB's own template for this user, without the kept copies."""
    app.extensions.pop("console_menus", None)
    client = app.test_client()
    login(client, username)
    menu = menu_of(client, f"/dashboard/?_l_={language}")
    app.extensions.pop("console_menus", None)
    return menu


def test_each_role_set_and_language_gets_its_own_menu(app, client, world):
    correspondent, support = world.a.users["correspondent"], world.a.users["support"]
    expected = {(user, language): uncached_menu(app, user, language)
                for user in (correspondent, support) for language in ("fr", "en")}
    assert expected[(correspondent, "fr")] != expected[(support, "fr")]
    assert "Remboursements" in expected[(correspondent, "fr")] and "Reimbursements" in expected[(correspondent, "en")]
    assert "Remboursements" not in expected[(support, "fr")]
    for user in (correspondent, support, correspondent):  # the second correspondent page reads the kept copy
        login(client, user)
        for language in ("fr", "en"):
            assert menu_of(client, f"/dashboard/?_l_={language}") == expected[(user, language)], (user, language)
        logout(client)
    kept = app.extensions["console_menus"]
    assert {key for key in kept if key[0]} == {((role,), language) for role in (ROLE_CORRESPONDENT, ROLE_SUPPORT)
                                               for language in ("fr", "en")}


def test_a_role_change_shows_in_the_menu_at_once(app, client, world):
    sm = app.appbuilder.sm
    username = world.a.users["support"]
    login(client, username)
    assert "Remboursements" not in menu_of(client)
    user = db.session.scalar(select(ConsoleUser).where(ConsoleUser.username == username))
    assert [role.name for role in user.roles] == [ROLE_SUPPORT]
    user.roles = [sm.find_role(ROLE_CORRESPONDENT)]
    db.session.commit()
    assert "Remboursements" not in client.get("/dashboard/").get_data(as_text=True)  # its session has ended
    again = login(app.test_client(), username)
    assert "Remboursements" in menu_of(again)
