"""The navigation menu, rendered once per set of roles and language rather than on every page.

Flask-AppBuilder renders the menu on every page and asks for each of its items
whether the user may see it: a few milliseconds of every page, for an answer
that depends only on the roles the user holds (built-in roles: the
``FAB_ROLES`` configuration, fixed when the application starts) and on the
language. The rendered menu is kept per (roles, language); which roles the
user holds is read from the request's user on every request, so a role change
shows at the next page. A user holding a role defined in the database (its
permissions can change while the process runs) gets the menu rendered afresh.
"""
from __future__ import annotations

from flask import current_app, g, render_template
from flask_babel import get_locale
from markupsafe import Markup

from console.views.kept import kept

TABLE = "console_menus"
MAX_ENTRIES = 256  # role sets × languages: a handful in practice; the cap only bounds a misuse


def _key() -> tuple | None:
    """(roles, language) of the request's user, or None when its menu cannot be kept."""
    sm = current_app.appbuilder.sm
    user = g.get("user")
    roles = tuple(sorted(role.name for role in getattr(user, "roles", None) or ()))
    if not getattr(user, "is_authenticated", False):
        roles = ()  # the public menu
    elif getattr(user, "api_scopes", None) is not None or not all(name in sm.builtin_roles for name in roles):
        return None  # API clients see pages through their scopes; database roles may change meanwhile
    return roles, str(get_locale() or "")


def navigation_menu() -> Markup:
    """The menu's items (``appbuilder/navbar_menu.html``) for the request's user."""
    return kept(TABLE, _key(), lambda: Markup(render_template("appbuilder/navbar_menu.html",
                                                              menu=current_app.appbuilder.menu)), MAX_ENTRIES)
