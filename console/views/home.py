"""The home page: each role's work queues (count and link to the list of exactly those rows)."""
from __future__ import annotations

from typing import Any

from flask import g, request
from flask_appbuilder import IndexView, expose

from console.config import ROLE_ELECTED, ROLE_SUPPORT
from console.extensions import db
from console.queues import definitions, personal
from console.views import queues
from console.views.lists import capped_count


def work_queues(role_names: set[str]) -> list[dict[str, Any]]:
    """Each queue of the user's roles: title, count (one indexed, capped count each) and the list's link."""
    context = queues.context()
    return [{"key": queue.key, "title": queue.title, "urgent": queue.urgent,
             "count": capped_count(db.session, queue.statement(context)),
             "url": request.script_root + queue.link}
            for queue in definitions.for_roles(role_names)]


class HomeView(IndexView):
    index_template = "console/home.html"

    @expose("/")
    def index(self):
        user = g.get("user")
        if not getattr(user, "is_authenticated", False):
            return super().index()
        roles = user.role_names
        summary = personal.latest_summary(db.session, user) if ROLE_ELECTED in roles else None
        self.update_redirect()
        return self.render_template(
            self.index_template, queues=work_queues(roles),
            lookups=personal.recent_lookups(db.session, user) if ROLE_SUPPORT in roles else None,
            summary=summary, summary_period=personal.period(summary) if summary else None,
            elected=ROLE_ELECTED in roles,
            dashboard=self.appbuilder.sm.has_access("can_show", "Dashboard"))
