"""« Journal d'audit »: operators read every event, correspondents their collectivité's."""
from __future__ import annotations

from typing import Any

from flask import request
from flask_appbuilder import BaseView, expose, has_access
from sqlalchemy import Select

from console.audit import read
from console.audit.actions import ACTIONS
from console.tenants.context import current_scope
from console.views.money import page_of, render
from console.views.reports import query_day


def filters_of_request() -> read.Filters:
    args = request.args
    return read.Filters.of(query_day("start"), query_day("end"), args.get("actor"), args.get("action"),
                           args.get("object_type"), args.get("object_id"))


class AuditView(BaseView):
    """The audit trail, filtered by period, actor, action and object; one bounded page at a time.

    A page reading a part of the trail (the look-up log) subclasses it: ``statement`` and ``shown``."""

    route_base = "/audit"
    class_permission_name = "AuditTrail"
    base_permissions = ["can_list"]
    default_view = "list"
    template = "audit/events.html"

    def statement(self, filters: read.Filters) -> Select:
        """The events the page lists, in the user's scope."""
        return read.events(filters, current_scope())

    def shown(self, events: list) -> dict[str, Any]:
        """What the template receives for the page's events."""
        return {"rows": events, "actions": ACTIONS}

    @expose("/")
    @has_access
    def list(self):
        filters = filters_of_request()
        events, page, pages = page_of(self.statement(filters))
        return render(self, self.template, page=page, pages=pages, filters=filters, **self.shown(events))
