"""Pages every visitor or user can open: one's own profile, and the accessibility statement."""
from __future__ import annotations

from flask import g
from flask_appbuilder import BaseView, expose, has_access


class ProfileView(BaseView):
    """Name, e-mail, role and collectivité of the signed-in user, with the link to change the password.

    FAB's « Profil » page belongs to its user-admin view, whose other pages tenant roles must never get."""

    route_base = "/profile"
    class_permission_name = "Profile"
    method_permission_name = {"show": "show"}
    default_view = "show"

    @expose("/")
    @has_access
    def show(self):
        return self.render_template("console/profile.html", user=g.user)


class AccessibilityView(BaseView):
    """The accessibility statement (« Déclaration d’accessibilité »), public as the law requires."""

    route_base = "/accessibility"
    default_view = "statement"

    @expose("/")
    def statement(self):
        return self.render_template("console/accessibility.html")
