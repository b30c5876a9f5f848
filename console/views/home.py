"""The home page: the dashboard for those who may read it, a welcome page otherwise."""
from flask import g, redirect, url_for
from flask_appbuilder import IndexView, expose


class HomeView(IndexView):
    index_template = "console/home.html"

    @expose("/")
    def index(self):
        user = g.get("user")
        if getattr(user, "is_authenticated", False) and self.appbuilder.sm.has_access("can_show", "Dashboard"):
            return redirect(url_for("DashboardView.show"))
        return super().index()
