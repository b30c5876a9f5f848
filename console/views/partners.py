"""Partners (structures labellisées): list, page with timeline/RIB/history, workflow actions, REST APIs."""
from __future__ import annotations

import io
from datetime import date
from functools import partial
from typing import Any, Callable, TypeVar

from flask import Response, abort, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.api import BaseApi
from flask_appbuilder.security.decorators import protect
from flask_babel import gettext, lazy_gettext as _l

from console import inputs
from console.config import ROLE_CORRESPONDENT, ROLE_OPERATOR
from console.errors import DomainError, NotFound, ValidationFailed
from console.extensions import db
from console.i18n import format_label
from console.openapi import DocumentedResponses
from console.partners import api as partners_api
from console.partners.api import REQUIRED, RULES
from console.partners.rules import RESEND_PER_PARTNER
from console.partners.models import CguVersion, Partner, RejectionReason, StoredDocument, TransitionAction
from console.partners.validators import mask_iban, validate_required
from console.tenants.scoping import get_scoped
from console.views import partners_bulk
from console.views.choices import collectivite_filter
from console.views.lists import ScaledInterface
from console.views.queues import QueueList
from console.views.base import (NO_DELETE, READ_ONLY, TenantModelRestApi, TenantModelView, attempt, form_rule,
                                schema_rule)

T = TypeVar("T")

LABELS = {
    "identifier": _l("Identifier"),
    "name": _l("Name"),
    "siret": _l("SIRET"),
    "email": _l("E-mail"),
    "phone": _l("Phone"),
    "address": _l("Address"),
    "postcode": _l("Postcode"),
    "city": _l("City"),
    "status": _l("Status"),
    "collectivite": _l("Collectivité"),
    "submitted_at": _l("Submitted on"),
    "approved_at": _l("Approved on"),
    "cgu_version": _l("CGU accepted"),
    "holder": _l("Account holder"),
    "iban": _l("IBAN"),
    "bic": _l("BIC"),
    "file": _l("File"),
    "reason": _l("Reason"),
    "reason_code": _l("Reason"),
    "label": _l("Version"),
    "effective_on": _l("In force from"),
}
FORM_COLUMNS = ["name", "siret", "email", "phone", "address", "postcode", "city", "collectivite"]
SEARCH_COLUMNS = ["identifier", "name", "siret", "email", "postcode", "city", "status", "collectivite"]
MANAGERS = {ROLE_CORRESPONDENT, ROLE_OPERATOR}


def commit_or_flash(write: Callable[[], T], success: str | None = None) -> T | None:
    """Run one domain write and commit it, or roll back and show its refusal field by field."""
    result = attempt(write)
    if isinstance(result, DomainError):
        flash_refusal(result)
        return None
    if success:
        flash(success, "success")
    return result


def send_document(model: type, pk: Any) -> Response:
    """A stored document of the user's collectivité as a download (another one's answers 404)."""
    try:
        row = get_scoped(db.session, model, pk)
    except NotFound:
        abort(404)
    document = row.document if isinstance(row, CguVersion) else row
    return send_file(io.BytesIO(document.content), mimetype=document.content_type, as_attachment=True,
                     download_name=document.filename)


def flash_refusal(error: DomainError) -> None:
    """A refusal as flash messages, each naming its field."""
    errors = error.errors if isinstance(error, ValidationFailed) else {error.field: error}
    for field, each in errors.items():
        label = LABELS.get(field) if field else None
        # « Motif : … » with the non-breaking space French puts before a colon.
        flash(f"{gettext('%(label)s:', label=label)} {each}" if label else str(each), "danger")


class PartnerView(QueueList, TenantModelView):
    datamodel = ScaledInterface(Partner)
    class_permission_name = "Partner"
    base_permissions = NO_DELETE + ["can_transition", "can_manage_rib", "can_download"]
    method_permission_name = {"request_rib": "manage_rib", "confirm_rib": "manage_rib", "cancel_rib": "manage_rib",
                              "document": "download", partners_bulk.ACTION: "transition"}
    list_title = _l("Partners")
    show_title = _l("Partner")
    add_title = _l("New affiliation request")
    edit_title = _l("Administrative information (« Mes informations »)")
    show_template = "partners/show.html"
    label_columns = LABELS
    list_columns = ["identifier", "name", "siret", "postcode", "city", "status", "collectivite"]
    show_columns = ["identifier"] + FORM_COLUMNS + ["status", "submitted_at", "approved_at", "cgu_version"]
    add_columns = FORM_COLUMNS
    edit_columns = ["name", "siret", "email", "phone", "address", "postcode", "city"]
    search_columns = SEARCH_COLUMNS
    search_form_extra_fields = {"collectivite": collectivite_filter()}
    order_columns = ["identifier", "name"]  # each served by an index (migration 0012), the id last
    base_order = ("identifier", "asc")
    validators_columns = {name: [form_rule(rule)] for name, rule in RULES.items()}

    def pre_add(self, item: Partner) -> None:
        partners_api.register_submission(db.session, item, g.user)

    @action(partners_bulk.ACTION, _l("Approve the ticked requests"), icon="fa-check", single=False)
    def approve_checked(self, items: list) -> Any:
        """FAB's bulk action; its ``items`` are not used: the ticked ids are re-read, bounded and scoped."""
        return partners_bulk.approve_page(self)

    def _get_list_widget(self, *args: Any, **kwargs: Any) -> dict:
        widgets = super()._get_list_widget(*args, **kwargs)
        if not partners_bulk.may_approve():  # offer only what would work: approving is a correspondent's
            widgets["list"].template_args["actions"] = {}
        return widgets

    def pre_update(self, item: Partner) -> None:
        partners_api.record_changes(db.session, item, g.user)

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk: str):
        try:
            partner = partners_api.get_partner(db.session, pk)
        except DomainError:
            abort(404)
        widgets = self._show(partner.id)
        return self.render_template(self.show_template, pk=partner.id, title=self.show_title, widgets=widgets,
                                    related_views=self._related_views, **self._details(partner))

    def _details(self, partner: Partner) -> dict[str, Any]:
        """What the partner page shows under its fields: timeline, RIB, pending changes, history."""
        manager = bool(MANAGERS & g.user.role_names)
        session = db.session
        return {
            "partner": partner,
            "manager": manager,
            "operator": ROLE_OPERATOR in g.user.role_names,
            "timeline": partners_api.timeline(session, partner),
            "accounts": partners_api.bank_accounts(session, partner) if manager else [],
            "pending": partners_api.pending_rib_changes(session, partner) if manager else [],
            "changes": partners_api.history(session, partner) if manager else [],
            "mask_iban": mask_iban,
            "reasons": list(RejectionReason),
            "field_labels": LABELS,
            "resend_limit": RESEND_PER_PARTNER,
        }

    @expose("/transition/<pk>", methods=["POST"])
    @has_access
    def transition(self, pk: str):
        try:
            action = TransitionAction(request.form.get("action", ""))
        except ValueError:
            abort(400)
        commit_or_flash(lambda: partners_api.move(db.session, pk, action, g.user, request.form.get("reason_code")
                                                  or None, request.form.get("reason")),
                        format_label(action))
        return redirect(url_for(".show", pk=pk))

    @expose("/rib/<pk>", methods=["POST"])
    @has_access
    def request_rib(self, pk: str):
        upload = request.files.get("file")
        data = (upload.filename, upload.read()) if upload and upload.filename else None
        commit_or_flash(lambda: partners_api.request_rib_change(db.session, pk, request.form, g.user, data),
                        gettext("RIB change recorded: another user must now confirm it."))
        return redirect(url_for(".show", pk=pk))

    @expose("/rib/<pk>/confirm/<change_id>", methods=["POST"])
    @has_access
    def confirm_rib(self, pk: str, change_id: str):
        commit_or_flash(lambda: partners_api.confirm_rib_change(db.session, change_id, g.user),
                        gettext("RIB change confirmed: the new RIB is now current."))
        return redirect(url_for(".show", pk=pk))

    @expose("/rib/<pk>/cancel/<change_id>", methods=["POST"])
    @has_access
    def cancel_rib(self, pk: str, change_id: str):
        commit_or_flash(lambda: partners_api.cancel_rib_change(db.session, change_id, g.user),
                        gettext("RIB change cancelled."))
        return redirect(url_for(".show", pk=pk))

    @expose("/document/<pk>", methods=["GET"])
    @has_access
    def document(self, pk: str):
        return send_document(StoredDocument, pk)


class PartnerApi(TenantModelRestApi):
    resource_name = "partner"
    datamodel = ScaledInterface(Partner)
    class_permission_name = "Partner"
    list_columns = ["id", "identifier", "name", "siret", "email", "postcode", "city", "status", "collectivite.id"]
    show_columns = ["id", "identifier"] + FORM_COLUMNS + ["status", "submitted_at", "approved_at"]
    add_columns = FORM_COLUMNS
    edit_columns = ["name", "siret", "email", "phone", "address", "postcode", "city"]
    search_columns = SEARCH_COLUMNS
    label_columns = LABELS
    # A JSON body may send "" where a form field would be missing: required fields are checked too.
    validators_columns = {
        name: schema_rule(rule)
        for name, rule in {**{f: partial(validate_required, field=f) for f in REQUIRED}, **RULES}.items()
    }

    def pre_add(self, item: Partner) -> None:
        partners_api.register_submission(db.session, item, g.user)

    def pre_update(self, item: Partner) -> None:
        partners_api.record_changes(db.session, item, g.user)




class CguVersionView(TenantModelView):
    """The collectivité's CGU versions: published with a PDF, downloadable, never edited nor deleted."""

    datamodel = ScaledInterface(CguVersion)
    class_permission_name = "CguVersion"
    base_permissions = READ_ONLY + ["can_publish", "can_download"]
    base_order = ("effective_on", "desc")
    list_title = _l("General terms of use (CGU)")
    show_title = _l("CGU version")
    label_columns = {**LABELS, "published_at": _l("Published on"), "document": _l("Document")}
    list_columns = ["label", "effective_on", "published_at", "collectivite"]
    show_columns = ["label", "effective_on", "published_at", "document", "collectivite"]
    search_columns = ["label", "effective_on"]
    list_template = "partners/cgu_list.html"
    show_template = "partners/cgu_show.html"

    @expose("/publish", methods=["GET", "POST"])
    @has_access
    def publish(self):
        if request.method == "POST":
            upload = request.files.get("file")
            published = commit_or_flash(lambda: partners_api.publish_cgu(
                db.session, request.form.get("label", ""), _day(request.form.get("effective_on")),
                upload.filename if upload else "", upload.read() if upload else b"", g.user,
            ), gettext("CGU version published."))
            if published is not None:
                return redirect(url_for(".list"))
        return self.render_template("partners/cgu_publish.html", title=gettext("Publish a CGU version"))

    @expose("/download/<pk>", methods=["GET"])
    @has_access
    def download(self, pk: str):
        return send_document(CguVersion, pk)


def _day(value: str | None) -> date | None:
    """A date typed as YYYY-MM-DD (HTML date input), or None."""
    return inputs.day(value)


def bilingual(error: DomainError) -> dict[str, dict[str, str]]:
    """Each field's refusal in French and English, for the systems that call the API."""
    from flask_babel import force_locale

    errors = error.errors if isinstance(error, ValidationFailed) else {error.field or "_": error}
    result: dict[str, dict[str, str]] = {}
    for field, each in errors.items():
        result[field] = {}
        for locale in ("fr", "en"):
            with force_locale(locale):
                result[field][locale] = str(each)
    return result


def transition_json(transition: Any) -> dict[str, Any]:
    return {
        "action": transition.action.value,
        "from_status": transition.from_status.value if transition.from_status else None,
        "to_status": transition.to_status.value,
        "reason_code": transition.reason_code.value if transition.reason_code else None,
        "reason": transition.reason,
        "user": transition.user.username if transition.user else None,
        "at": transition.at.isoformat(),
    }


class AffiliationApi(DocumentedResponses, BaseApi):
    """Affiliation requests: intake from the partner extranet, workflow steps, timeline, « Mes informations »."""

    resource_name = "affiliation"
    class_permission_name = "Partner"
    base_permissions = ["can_post", "can_transition", "can_get", "can_put"]
    method_permission_name = {"submit": "post", "transition": "transition", "timeline": "get", "information": "put"}
    allow_browser_login = False
    openapi_spec_tag = "Affiliation"

    def _refused(self, error: DomainError) -> Response:
        db.session.rollback()
        return self.response(error.status, message=str(error), rule=error.rule, errors=bilingual(error))

    def _body(self) -> dict[str, Any] | None:
        body = request.get_json(silent=True)
        return body if isinstance(body, dict) else None

    @expose("/", methods=["POST"])
    @protect()
    def submit(self) -> Response:
        """Submit an affiliation request.
        ---
        post:
          summary: Submit an affiliation request (partner extranet, or a correspondent)
          description: >-
            Validates every field (SIRET with its check digit, e-mail, postcode, optional RIB: IBAN mod-97 and
            French RIB key, BIC of the IBAN's country, holder) and writes nothing when one is wrong. A
            collectivité's user always files for their own collectivité. One open request per SIRET and
            collectivité. The partner receives its identifier by e-mail.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [collectivite, name, siret, email, address, postcode, city]
                  properties:
                    collectivite: {type: string, description: "Code of the collectivité (e.g. LYO)"}
                    name: {type: string, maxLength: 200}
                    siret: {type: string, description: "14 digits, spaces allowed"}
                    email: {type: string, format: email}
                    phone: {type: string, maxLength: 20}
                    address: {type: string, maxLength: 250}
                    postcode: {type: string, description: "5 digits"}
                    city: {type: string, maxLength: 100}
                    holder: {type: string, description: "RIB holder (with iban and bic, or none of them)"}
                    iban: {type: string, description: "spaces and lower case accepted"}
                    bic: {type: string}
                examples:
                  with_rib:
                    summary: A request with its RIB
                    value: {"collectivite": "LYO", "name": "Médiathèque Émile Zola", "siret": "73282932000074",
                            "email": "contact@mediatheque-zola.fr", "phone": "0478000000",
                            "address": "12 rue de la République", "postcode": "69001", "city": "Lyon",
                            "holder": "Association Médiathèque Émile Zola",
                            "iban": "FR76 3000 6000 0112 3456 7890 189", "bic": "AGRIFRPP"}
                  without_rib:
                    summary: A request whose RIB will be sent later
                    value: {"collectivite": "LYO", "name": "Tiers-lieu La Fabrique", "siret": "44306184100047",
                            "email": "bonjour@lafabrique.fr", "address": "3 place de la Mairie",
                            "postcode": "69003", "city": "Lyon"}
          responses:
            201:
              description: Request recorded; the identifier was e-mailed to the partner
              content:
                application/json:
                  example: {"id": 42, "identifier": "PN-LYO-000042", "status": "submitted", "cgu_version": "2026-1"}
            400:
              description: The body is not a JSON object
            409:
              description: Another request for this SIRET was recorded at the same moment
            422:
              description: One or more fields are invalid; nothing was written
              content:
                application/json:
                  example:
                    message: "Le SIRET 73282932000075 a un chiffre de contrôle erroné."
                    rule: siret
                    errors:
                      siret: {fr: "Le SIRET 73282932000075 a un chiffre de contrôle erroné.",
                              en: "The SIRET 73282932000075 has a wrong check digit."}
                      collectivite: {fr: "Aucune collectivité n’a le code XYZ.",
                                     en: "No collectivité has the code XYZ."}
          security:
            - jwt: []
        """
        body = self._body()
        if body is None:
            return self.response_400(message=gettext("The body must be a JSON object."))
        try:
            partner = partners_api.submit(db.session, body, g.user)
            db.session.commit()
        except DomainError as error:
            return self._refused(error)
        return self.response(201, id=partner.id, identifier=partner.identifier, status=partner.status.value,
                             cgu_version=partner.cgu_version.label if partner.cgu_version else None)

    @expose("/<pk>/transition", methods=["POST"])
    @protect()
    def transition(self, pk: str) -> Response:
        """Move an affiliation request one step.
        ---
        post:
          summary: Operator check, approval, rejection, suspension or reinstatement
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [action]
                  properties:
                    action: {type: string, enum: [check_pass, check_fail, approve, reject, suspend, reinstate]}
                    reason_code:
                      type: string
                      enum: [eligibility, incomplete_documents, duplicate, closed_business, other]
                      description: required to reject
                    reason: {type: string, description: "required to fail a check, suspend, reinstate, or with other"}
                examples:
                  approve: {value: {"action": "approve"}}
                  reject: {value: {"action": "reject", "reason_code": "closed_business", "reason": "Radiée du RCS"}}
          responses:
            200:
              description: The new status and the recorded step
            403:
              description: The step belongs to another role
            404:
              description: No such partner in the user's collectivité
            409:
              description: Someone else moved the request meanwhile
            422:
              description: Illegal step from the current status, or a missing reason
          security:
            - jwt: []
        """
        body = self._body() or {}
        try:
            action = TransitionAction(body.get("action"))
        except ValueError:
            return self.response_400(message=gettext("Unknown action."))
        try:
            step = partners_api.move(db.session, pk, action, g.user, body.get("reason_code"), body.get("reason"))
            db.session.commit()
        except DomainError as error:
            return self._refused(error)
        return self.response(200, id=int(pk), status=step.to_status.value, transition=transition_json(step))

    @expose("/<pk>/timeline", methods=["GET"])
    @protect()
    def timeline(self, pk: str) -> Response:
        """The affiliation timeline.
        ---
        get:
          summary: Every step of a request, oldest first, with who, when and why
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            200:
              description: The steps
            404:
              description: No such partner in the user's collectivité
          security:
            - jwt: []
        """
        try:
            partner = partners_api.get_partner(db.session, pk)
        except DomainError as error:
            return self._refused(error)
        steps = partners_api.timeline(db.session, partner)
        return self.response(200, identifier=partner.identifier, status=partner.status.value,
                             result=[transition_json(step) for step in steps])

    @expose("/<pk>/information", methods=["PUT"])
    @protect()
    def information(self, pk: str) -> Response:
        """Change a partner's administrative information (« Mes informations »).
        ---
        put:
          summary: Change administrative fields; every change is kept in the history
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    name: {type: string}
                    siret: {type: string}
                    email: {type: string}
                    phone: {type: string}
                    address: {type: string}
                    postcode: {type: string}
                    city: {type: string}
                example: {"address": "14 rue de la République", "phone": "0478000001"}
          responses:
            200:
              description: The recorded changes (field, old value, new value)
            404:
              description: No such partner in the user's collectivité
            422:
              description: An invalid or unknown field; nothing was written
          security:
            - jwt: []
        """
        body = self._body()
        if body is None:
            return self.response_400(message=gettext("The body must be a JSON object."))
        try:
            changes = partners_api.update_information(db.session, pk, body, g.user)
            db.session.commit()
        except DomainError as error:
            return self._refused(error)
        return self.response(200, changes=[{"field": change.field, "old_value": change.old_value,
                                            "new_value": change.new_value} for change in changes])
