"""The money REST API: « Demander un remboursement » and cheque registration for the partner extranet,
« Suivi des remboursements » for the collectivité. Dates are the server's (``views.money.entry_date``).
"""
from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_appbuilder.api import BaseApi, expose as api_expose, protect, safe
from marshmallow import Schema, ValidationError, fields
from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload

from console.errors import N_, BadRequest, DomainError, NotFound
from console.extensions import db
from console.money import api as money_api
from console.money.models import Cheque, FeeSchedule, ReimbursementLine, ReimbursementRequest
from console.openapi import DocumentedResponses
from console.tenants.scoping import tenant_clause
from console.views.lists import depth_message, too_deep
from console.views.money import (
    PAGE_SIZE, entry_date, filtered_requests, page_of, requested_page, today, user_id,
)


class SubmissionSchema(Schema):
    """A reimbursement request as the partner extranet sends it."""

    partner_id = fields.Integer(required=True, metadata={"description": "Id of the partner asking"})
    cheques = fields.List(fields.String(), required=True, metadata={"description": "Cheque numbers"})
    submitted_on = fields.Date(load_default=None, metadata={
        "description": "Omit, or today: the server dates the request. An earlier date is refused, except an"
                       " operator's late paper entry with late_justification"})
    late_justification = fields.String(load_default=None, metadata={
        "description": "Operators only: why a paper request is recorded after the date it was received"})


class AcceptanceSchema(Schema):
    """A cheque registered by a partner when it receives it."""

    partner_id = fields.Integer(required=True)
    number = fields.String(required=True)
    accepted_on = fields.Date(load_default=None, metadata={"description": "Omit, or today (see submitted_on)"})
    late_justification = fields.String(load_default=None)


#: What the API shows of a request besides its own columns: its fee schedule (joined; its collectivité is the
#: request's, not loaded again). Its lines come from ``lines_json``.
API_DETAILS = (joinedload(ReimbursementRequest.fee_schedule).lazyload(FeeSchedule.collectivite),
               lazyload(ReimbursementRequest.collectivite))


def lines_json(request_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The lines of these requests as the API shows them, by request: one statement for a whole page."""
    lines: dict[int, list[dict[str, Any]]] = {pk: [] for pk in request_ids}
    statement = (select(ReimbursementLine.request_id, Cheque.number, ReimbursementLine.face_value,
                        ReimbursementLine.fees, ReimbursementLine.net, ReimbursementLine.rejection,
                        ReimbursementLine.rejection_note)
                 .join(Cheque, Cheque.id == ReimbursementLine.cheque_id)
                 .where(ReimbursementLine.request_id.in_(request_ids), tenant_clause(ReimbursementLine),
                        tenant_clause(Cheque))
                 .order_by(ReimbursementLine.request_id, ReimbursementLine.id))
    for request_id, number, face_value, fees, net, rejection, note in db.session.execute(statement):
        lines[request_id].append({"cheque": number, "face_value": str(face_value), "fees": str(fees),
                                  "net": str(net), "refused": rejection.value if rejection else None,
                                  "refusal_note": note})
    return lines


def requests_json(items: list[ReimbursementRequest]) -> list[dict[str, Any]]:
    lines = lines_json([item.id for item in items])
    return [request_json(item, lines[item.id]) for item in items]


def request_json(item: ReimbursementRequest, lines: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A request as the API shows it; amounts are decimal strings (never floats)."""
    if lines is None:
        lines = lines_json([item.id])[item.id]
    return {
        "id": item.id, "reference": item.reference, "partner_id": item.partner_id, "status": item.status.value,
        "submitted_on": item.submitted_on.isoformat(), "submitted_at": item.submitted_at.isoformat() + "Z",
        "late_justification": item.late_justification, "fee_schedule_version": item.fee_schedule.version,
        "cheque_count": item.cheque_count, "gross": str(item.gross), "fees": str(item.fees), "net": str(item.net),
        "validated_on": item.validated_on.isoformat() if item.validated_on else None,
        "due_on": item.due_on.isoformat() if item.due_on else None,
        "overdue": item.is_overdue(today()),
        "paid_on": item.paid_on.isoformat() if item.paid_on else None,
        "transfer_reference": item.transfer_reference,
        "lines": lines,
    }


def refusals_json(refusals: list) -> list[dict[str, str]]:
    return [{"cheque": r.cheque_number, "rule": r.error.rule, "message": str(r.error)} for r in refusals]


class ReimbursementApi(DocumentedResponses, BaseApi):
    """« Demander un remboursement » for the partner extranet, and « Suivi des remboursements »."""

    resource_name = "reimbursement"
    class_permission_name = "Reimbursement"
    method_permission_name = {"submit": "submit", "get_list": "read", "get": "read", "accept": "accept"}
    openapi_spec_component_schemas = (SubmissionSchema, AcceptanceSchema)
    openapi_spec_tag = "Reimbursements"
    allow_browser_login = False

    def _refused(self, error: DomainError, refusals: list | None = None) -> Response:
        db.session.rollback()
        return self.response(error.status, message=str(error), rule=error.rule, field=error.field,
                             refusals=refusals_json(refusals or []))

    def _load(self, schema: Schema) -> dict[str, Any]:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):  # not JSON, not an object, or refused by inputs.load_json
            raise BadRequest(N_("The body must be a JSON object."), rule="body")
        try:
            return schema.load(body)
        except ValidationError as error:
            raise DomainError(str(error.messages), rule="schema") from error

    @api_expose("/", methods=["POST"])
    @protect()
    @safe
    def submit(self):
        """Submit a reimbursement request: the reimbursable cheques are kept, the others refused one by one.
        ---
        post:
          description: >-
            Groups accepted cheques of one partner into a request priced with the fee schedule in force on
            the submission date. Each refused cheque comes back with its rule and a translated message
            (registration deadline M+1, not accepted by this partner, another collectivité, already in a
            request, unknown). If no cheque can be reimbursed, or the partner is not approved, nothing is
            written and the answer is 422 (or 409 when another request took the cheques first).
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/SubmissionSchema'
          responses:
            201:
              description: The request as received, with its refused cheques
            401:
              $ref: '#/components/responses/401'
            404:
              $ref: '#/components/responses/404'
            409:
              description: The cheques were taken by a concurrent request
            422:
              $ref: '#/components/responses/422'
        """
        try:
            data = self._load(SubmissionSchema())
            submission = money_api.submit_request(
                db.session, data["partner_id"], data["cheques"],
                entry_date("submitted_on", data["submitted_on"], data["late_justification"]), user_id())
        except money_api.SubmissionRefused as error:
            return self._refused(error, error.refusals)
        except DomainError as error:
            return self._refused(error)
        db.session.commit()
        return self.response(201, result=request_json(submission.request),
                             refusals=refusals_json(submission.refusals))

    @api_expose("/accept", methods=["POST"])
    @protect()
    @safe
    def accept(self):
        """Register a cheque a partner received (refused after its validity date or if already accepted).
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/AcceptanceSchema'
          responses:
            200:
              description: The cheque, accepted
            404:
              $ref: '#/components/responses/404'
            409:
              description: The cheque was already accepted
            422:
              $ref: '#/components/responses/422'
        """
        try:
            data = self._load(AcceptanceSchema())
            cheque = money_api.accept_cheque(
                db.session, data["number"], data["partner_id"],
                entry_date("accepted_on", data["accepted_on"], data["late_justification"]))
        except DomainError as error:
            return self._refused(error)
        db.session.commit()
        return self.response(200, result={"number": cheque.number, "status": cheque.status.value,
                                          "accepted_on": cheque.accepted_on.isoformat(),
                                          "accepted_at": cheque.accepted_at.isoformat() + "Z",
                                          "late_justification": cheque.accepted_late_justification,
                                          "validity_date": cheque.validity_date.isoformat()})

    @api_expose("/", methods=["GET"])
    @protect()
    @safe
    def get_list(self):
        """The requests of the user's collectivité, newest first (filters: status, overdue, partner, page).
        ---
        get:
          parameters:
          - {in: query, name: status, schema: {type: string, enum: [submitted, validated, rejected, paid]}}
          - {in: query, name: overdue, schema: {type: boolean}}
          - {in: query, name: partner, schema: {type: integer}}
          - {in: query, name: page, schema: {type: integer}}
          responses:
            200:
              description: One page of requests
            401:
              $ref: '#/components/responses/401'
        """
        if too_deep((requested_page() - 1) * PAGE_SIZE):
            return self.response_400(message=depth_message())
        rows, page, pages = page_of(filtered_requests(None, *API_DETAILS))
        return self.response(200, result=requests_json(rows), page=page, pages=pages)

    @api_expose("/<int:pk>", methods=["GET"])
    @protect()
    @safe
    def get(self, pk: int):
        """One request with its lines.
        ---
        get:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            200:
              description: The request
            404:
              $ref: '#/components/responses/404'
        """
        try:
            item = money_api.get(db.session, ReimbursementRequest, pk, options=API_DETAILS)
        except NotFound:
            return self.response_404()
        return self.response(200, result=request_json(item))
