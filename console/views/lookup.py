"""Support look-up: a search page and API for support agents and correspondents, and the audit log."""
from __future__ import annotations

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, ModelView, expose, has_access
from flask_appbuilder.api import BaseApi
from flask_appbuilder.security.decorators import protect
from flask_babel import gettext, lazy_gettext as _l

from console.display import FormattedColumns
from console.errors import DomainError
from console.extensions import db
from console.partners import identifier, lookup
from console.partners.models import LookupAudit
from console.views.base import READ_ONLY
from console.views.partners import bilingual, flash_refusal
from console.views.lists import BoundedList, ScaledInterface


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


class LookupApi(BaseApi):
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


#: Where a look-up was made (LookupAudit.channel).
CHANNELS = {"page": _l("Search page"), "api": _l("API"), "export": _l("Excel export")}


class LookupAuditView(BoundedList, FormattedColumns, ModelView):
    """Who looked up what, and when (operators)."""

    datamodel = ScaledInterface(LookupAudit)
    class_permission_name = "LookupAudit"
    base_permissions = READ_ONLY
    base_order = ("at", "desc")
    list_title = _l("Look-up log")
    show_title = _l("Look-up")
    label_columns = {"at": _l("Searched on"), "user": _l("Searched by"), "collectivite": _l("Collectivité"),
                     "searched": _l("Query"), "channel": _l("Channel"), "result_count": _l("Partners found")}
    list_columns = ["at", "user", "collectivite", "searched", "channel", "result_count"]
    formatters_columns = {"channel": lambda channel: CHANNELS.get(channel, channel)}
    # No timestamp filter: WTForms' DateTimeField is deprecated (and the log needs none).
    search_columns = ["searched", "channel"]
