"""Support look-up: a search page and API for support agents and correspondents, and the look-up log."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.api import BaseApi
from flask_appbuilder.security.decorators import protect
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import Select, select

from console.audit import read
from console.audit.models import AuditEvent
from console.errors import DomainError
from console.extensions import db
from console.openapi import DocumentedResponses
from console.partners import identifier, lookup
from console.tenants.context import current_scope
from console.tenants.models import Collectivite
from console.views.audit import AuditView
from console.views.partners import bilingual, flash_refusal


class LookupView(BaseView):
    """Find a partner by identifier, name, SIRET, e-mail, postcode or city."""

    route_base = "/lookup"
    class_permission_name = "Lookup"
    base_permissions = ["can_search"]
    # Whoever may look a partner up may send it its identifier again (audited, rate-limited).
    method_permission_name = {"search": "search", "resend_identifier": "search"}
    default_view = "search"

    @expose("/", methods=["GET"])
    @has_access
    def search(self):
        query = request.args.get("q")
        results = None
        if query is not None:
            try:
                results = lookup.search(db.session, query, g.user, "page")
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                flash_refusal(error)
        return self.render_template("partners/lookup.html", title=_l("Find a partner"), query=query or "",
                                    results=results,
                                    can_open=self.appbuilder.sm.has_access("can_show", "Partner"))


    @expose("/resend/<int:pk>", methods=["POST"])
    @has_access
    def resend_identifier(self, pk: int):
        """Send the partner its identifier e-mail again, then go back to the page the button was on."""
        try:
            partner = identifier.resend_identifier(db.session, pk, g.user)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            if error.status == 404:
                abort(404)
            flash_refusal(error)
        else:
            flash(gettext("The identifier e-mail of %(identifier)s was sent again to the address on file.",
                          identifier=partner.identifier), "success")
        if request.form.get("back") == "partner" and self.appbuilder.sm.has_access("can_show", "Partner"):
            return redirect(url_for("PartnerView.show", pk=pk))
        return redirect(url_for("LookupView.search"))


class LookupApi(DocumentedResponses, BaseApi):
    """The look-up as JSON."""

    resource_name = "lookup"
    class_permission_name = "Lookup"
    base_permissions = ["can_search"]
    allow_browser_login = False
    openapi_spec_tag = "Look-up"

    @expose("/", methods=["GET"])
    @protect()
    def search(self) -> Response:
        """Find partners.
        ---
        get:
          summary: Find partners by identifier, name, SIRET, e-mail, postcode or city (audited)
          description: >-
            Name and city are matched without accents nor case, partially. Support agents see the
            e-mail partly masked. At most 50 partners, of the user's collectivité only.
          parameters:
          - {in: query, name: q, required: true, schema: {type: string, minLength: 2}, example: "emile zola"}
          responses:
            200:
              description: The partners found
              content:
                application/json:
                  example: {"count": 1, "result": [{"id": 7, "identifier": "PN-LYO-000007",
                            "name": "Médiathèque Émile Zola", "status": "approved",
                            "approved_at": "2026-03-02T10:15:00", "email": "c******@mediatheque-zola.fr",
                            "postcode": "69001", "city": "Lyon", "collectivite": "Ville de Lyon"}]}
            422:
              description: The query is too short
          security:
            - jwt: []
        """
        try:
            found = lookup.search(db.session, request.args.get("q"), g.user, "api")
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            return self.response(error.status, message=str(error), errors=bilingual(error))
        return self.response(200, count=len(found), result=[row.as_json() for row in found])


#: Where a look-up was made (the event's ``channel``; an export.create event is a partners export).
CHANNELS = {"page": _l("Search page"), "api": _l("API"), "choice": _l("Form field"), "export": _l("Excel export")}


@dataclass(frozen=True)
class Logged:
    """One line of the look-up log, read from its audit event."""

    event: AuditEvent
    searched_on: datetime
    query: str
    channel: str
    count: Optional[int]
    results: list
    collectivite: str


def logged(event: AuditEvent, names: dict) -> Logged:
    """A look-up event as the log shows it (an imported one keeps its original time in its details)."""
    details = event.details_dict
    if event.action == "export.create":
        query, channel, count = f"export {event.object_id}", "export", details.get("partners")
    else:
        query, channel, count = details.get("query", ""), details.get("channel", ""), details.get("count")
    searched_on = datetime.fromisoformat(details["searched_at"]) if "searched_at" in details else event.at
    return Logged(event, searched_on, query, channel, count, details.get("results", []),
                  names.get(event.collectivite_id, ""))


class LookupLogView(AuditView):
    """Who looked up what, and when (operators): the look-up events of the audit trail, 50 a page."""

    route_base = "/lookup-log"
    class_permission_name = "LookupAudit"  # the former page's permission: existing roles keep granting it
    template = "partners/lookup_log.html"

    def statement(self, filters: read.Filters) -> Select:
        # The period and user filters only (the action is the look-ups').
        return lookup.log(read.Filters.of(filters.start, filters.end, filters.actor), current_scope())

    def shown(self, events: list) -> dict[str, Any]:
        ids = {event.collectivite_id for event in events} - {None}
        names = dict(db.session.execute(select(Collectivite.id, Collectivite.name).where(Collectivite.id.in_(ids)))
                     .all()) if ids else {}
        return {"rows": [logged(event, names) for event in events], "channels": CHANNELS}
