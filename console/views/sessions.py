"""« Se déconnecter partout »: end every other session and JWT of the signed-in user."""
from flask import flash, g, redirect
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext

from console.accounts import sessions, web
from console.extensions import db
from console.tenants.models import ConsoleUser


class SessionsView(BaseView):
    route_base = "/sessions"
    class_permission_name = "Sessions"
    base_permissions = ["can_end_others"]

    @expose("/end-others", methods=["POST"])
    @has_access
    def end_others(self):
        sessions.sign_out_elsewhere(db.session, db.session.get(ConsoleUser, g.user.id), web.current_session_id())
        db.session.commit()
        flash(gettext("Every other session and API token of your account has ended."), "success")
        return redirect(self.appbuilder.get_url_for_index)
