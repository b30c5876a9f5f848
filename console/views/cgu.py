"""The CGU as JSON and PDF for the partner extranet and other systems (JWT)."""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import BaseApi, expose
from flask_appbuilder.security.decorators import protect
from sqlalchemy import select

from console import inputs
from console.extensions import db
from console.money.dates import paris_day
from console.openapi import DocumentedResponses
from console.partners import api as partners_api
from console.partners.models import CguVersion
from console.tenants.models import utcnow
from console.views.partners import send_document


def _version(version: CguVersion, in_force: CguVersion | None) -> dict:
    return {"id": version.id, "label": version.label, "effective_on": version.effective_on.isoformat(),
            "collectivite": version.collectivite.code, "in_force": in_force is not None and version.id == in_force.id}


class CguApi(DocumentedResponses, BaseApi):
    """The published CGU versions of the user's collectivité; the PDF of one of them."""

    resource_name = "cgu"
    class_permission_name = "CguVersion"
    method_permission_name = {"versions": "list", "download": "download"}
    allow_browser_login = False
    openapi_spec_tag = "CGU"

    @expose("/", methods=["GET"])
    @protect()
    def versions(self):
        """Published CGU versions, the one in force on ?on=YYYY-MM-DD (default today) flagged
        ---
        get:
          description: >-
            The CGU versions of the caller's collectivité (operators: every collectivité), newest first.
            `in_force` marks, per collectivité, the version a partner applying on `on` accepts.
          parameters:
          - in: query
            name: on
            schema: {type: string, format: date, example: "2026-11-27"}
          responses:
            200:
              description: The versions
              content:
                application/json:
                  example: {"result": [{"id": 3, "label": "2026-1", "effective_on": "2026-01-01",
                                        "collectivite": "LYO", "in_force": true}]}
            400: {description: Bad date}
            401: {description: Not signed in}
        """
        given = request.args.get("on")
        on = inputs.day(given) if given else paris_day(utcnow())  # by default the server's Paris day
        if on is None:
            return self.response_400(message="on: YYYY-MM-DD")
        # The session is tenant-scoped: only the caller's collectivité's versions are read.
        versions = db.session.scalars(
            select(CguVersion).order_by(CguVersion.effective_on.desc(), CguVersion.id.desc())).all()
        in_force = {cid: partners_api.cgu_in_force(db.session, cid, on)
                    for cid in {version.collectivite_id for version in versions}}
        return self.response(200, result=[_version(v, in_force[v.collectivite_id]) for v in versions])

    @expose("/<int:pk>/download", methods=["GET"])
    @protect()
    def download(self, pk: int):
        """The PDF of a CGU version
        ---
        get:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200:
              description: The PDF
              content:
                application/pdf: {}
            404: {description: No such version in the caller's collectivité}
        """
        return send_document(CguVersion, pk)
