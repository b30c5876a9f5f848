"""Pages every visitor or user can open: one's own profile, and the accessibility statement."""
from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext

from console.config import ROLE_CORRESPONDENT
from console.extensions import db
from console.queues import digest


class ProfileView(BaseView):
    """Name, e-mail, role and collectivité of the signed-in user, with the link to change the password.

    FAB's « Profil » page belongs to its user-admin view, whose other pages tenant roles must never get."""

    route_base = "/profile"
    class_permission_name = "Profile"
    method_permission_name = {"show": "show", "digest": "show"}
    default_view = "show"

    @expose("/")
    @has_access
    def show(self):
        receives = digest.subscribed(db.session, g.user) if ROLE_CORRESPONDENT in g.user.role_names else None
        return self.render_template("console/profile.html", user=g.user, digest=receives)

    @expose("/digest", methods=["POST"])
    @has_access
    def digest(self):
        """Switch one's own daily digest e-mail on or off (correspondents: the only ones it is sent to)."""
        if ROLE_CORRESPONDENT in g.user.role_names:
            on = request.form.get("daily_digest") == "on"
            digest.set_subscription(db.session, g.user, on)
            db.session.commit()
            flash(gettext("The daily digest is switched on.") if on else gettext("The daily digest is switched off."),
                  "success")
        return redirect(url_for("ProfileView.show"))


class AccessibilityView(BaseView):
    """The accessibility statement (« Déclaration d’accessibilité »), public as the law requires."""

    route_base = "/accessibility"
    default_view = "statement"

    @expose("/")
    def statement(self):
        return self.render_template("console/accessibility.html")
