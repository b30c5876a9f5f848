"""« Journal d'audit »: operators read every event, correspondents their collectivité's."""
from __future__ import annotations


from flask import request
from flask_appbuilder import BaseView, expose, has_access

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
    """The audit trail, filtered by period, actor, action and object; one bounded page at a time."""

    route_base = "/audit"
    class_permission_name = "AuditTrail"
    base_permissions = ["can_list"]
    default_view = "list"

    @expose("/")
    @has_access
    def list(self):
        filters = filters_of_request()
        rows, page, pages = page_of(read.events(filters, current_scope()))
        return render(self, "audit/events.html", rows=rows, page=page, pages=pages, filters=filters,
                      actions=ACTIONS)
