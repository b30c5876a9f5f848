"""Money pages: chéquiers, cheques, fee schedules, « Suivi des remboursements », payment batches, fraud blocks.

Thin: each action parses the form, calls ``console.money.api`` and commits once; a
refusal is flashed, translated, and nothing is written. Rows of another
collectivité are invisible (tenancy hook) and answer 404.
"""
from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any, Callable

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.api import BaseApi, expose as api_expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext, lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields
from sqlalchemy import func, select

from console.errors import DomainError, NotFound
from console.extensions import db
from console.i18n import format_day, format_money, refusal
from console.money import api as money_api, rules as money_rules
from console.money.models import (
    BatchStatus, Cheque, Chequier, FeeSchedule, PartnerBlock, PaymentBatch, ReimbursementRequest, RequestStatus,
)
from console.partners.models import Partner, PartnerStatus
from console.partners.validators import mask_iban
from console.views.base import READ_ONLY, TenantModelView, attempt, flash_error
from console.views.reports import parse_day

PAGE_SIZE = 50


def today() -> date:
    """The day actions are dated with (one place, so that tests and demo data agree)."""
    return date.today()


def user_id() -> int | None:
    return getattr(g.user, "id", None)


def render(view: BaseView, template: str, **context: Any) -> str:
    """Render a money template with the locale's formatters."""
    return view.render_template(template, money=format_money, day=format_day, mask_iban=mask_iban,
                                today=today(), **context)


def act(action: Callable[[], Any], success: str, back: str) -> Response:
    """Run a domain write, flash ``success`` or the translated refusal, and go back."""
    outcome = attempt(action)
    if isinstance(outcome, DomainError):
        flash_error(outcome)
    else:
        flash(success, "success")
    return redirect(back)


def found(model: type, pk: int) -> Any:
    """A row of the user's collectivité, else 404."""
    try:
        return money_api.get(db.session, model, pk)
    except NotFound:
        abort(404)


def approved_partners() -> list[Partner]:
    return db.session.scalars(select(Partner).where(Partner.status == PartnerStatus.approved)
                              .order_by(Partner.name)).all()


def page_of(statement: Any) -> tuple[list, int, int]:
    """One page of a select (``?page=``), the page number and the page count."""
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    page = max(request.args.get("page", 1, type=int), 1)
    rows = db.session.scalars(statement.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return rows, page, max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)


def filtered_requests(partner_id: int | None = None) -> Any:
    """The requests of the list's filters: status, overdue (validated, unpaid, past due), partner."""
    statement = select(ReimbursementRequest).order_by(ReimbursementRequest.submitted_on.desc(),
                                                      ReimbursementRequest.id.desc())
    status = request.args.get("status")
    if status in RequestStatus.__members__:
        statement = statement.where(ReimbursementRequest.status == RequestStatus[status])
    if request.args.get("overdue", "").lower() in ("1", "true", "on", "yes"):
        statement = statement.where(ReimbursementRequest.status == RequestStatus.validated,
                                    ReimbursementRequest.due_on < today())
    partner_id = partner_id or request.args.get("partner", type=int)
    if partner_id:
        statement = statement.where(ReimbursementRequest.partner_id == partner_id)
    return statement


class ReimbursementsView(BaseView):
    """« Suivi des remboursements »: the collectivité's list, one page per request and per partner."""

    route_base = "/reimbursements"
    class_permission_name = "Reimbursement"
    method_permission_name = {
        "list": "read", "show": "read", "partner": "read", "batches": "read", "batch": "read", "export": "read",
        "new": "submit", "accept": "accept",
        "validate": "validate", "reject": "validate",
        "pay": "pay", "add_to_batch": "pay", "pay_batch": "pay",
        "block": "block", "unblock": "block",
    }
    default_view = "list"

    @expose("/")
    @has_access
    def list(self):
        rows, page, pages = page_of(filtered_requests())
        partner = request.args.get("partner", type=int)
        return render(self, "money/requests.html", rows=rows, page=page, pages=pages, partners=approved_partners(),
                      statuses=list(RequestStatus),
                      status=request.args.get("status", ""),
                      overdue=request.args.get("overdue", "").lower() in ("1", "true", "on", "yes"),
                      partner=partner, title=gettext("Reimbursement follow-up"))

    @expose("/<int:pk>")
    @has_access
    def show(self, pk: int):
        item = found(ReimbursementRequest, pk)
        block = money_api.active_block(db.session, item.partner_id)
        complaints = self._complaints(item)
        blocked = refusal(lambda: money_rules.check_not_blocked(
            block is not None, str(item.partner), block.blocked_at.date() if block else None))
        return render(self, "money/request.html", item=item, block=block, complaints=complaints, blocked=blocked)

    @staticmethod
    def _complaints(item: ReimbursementRequest) -> list:
        from console.complaints.models import Complaint

        return db.session.scalars(select(Complaint).where(Complaint.request_id == item.id)).all()

    @expose("/partner/<int:pk>")
    @has_access
    def partner(self, pk: int):
        partner = found(Partner, pk)
        rows, page, pages = page_of(filtered_requests(partner.id))
        blocks = db.session.scalars(select(PartnerBlock).where(PartnerBlock.partner_id == partner.id)
                                    .order_by(PartnerBlock.blocked_at.desc())).all()
        totals = db.session.execute(
            select(ReimbursementRequest.status, func.count(), func.sum(ReimbursementRequest.net))
            .where(ReimbursementRequest.partner_id == partner.id).group_by(ReimbursementRequest.status)).all()
        return render(self, "money/partner.html", partner=partner, rows=rows, page=page, pages=pages,
                      blocks=blocks, block=next((b for b in blocks if b.active), None), totals=totals)

    @expose("/new", methods=["GET", "POST"])
    @has_access
    def new(self):
        if request.method == "GET":
            return render(self, "money/new_request.html", partners=approved_partners(), refusals=[])
        submission = attempt(lambda: money_api.submit_request(
            db.session, request.form.get("partner", type=int), request.form.get("cheques", ""),
            parse_day("submitted_on") or today(), user_id()))
        if isinstance(submission, DomainError):
            flash_error(submission)
            return render(self, "money/new_request.html", partners=approved_partners(),
                          refusals=getattr(submission, "refusals", []), form=request.form), 422
        flash(gettext("Request %(reference)s received: %(count)s cheques, %(net)s to reimburse.",
                      reference=submission.request.reference, count=submission.request.cheque_count,
                      net=format_money(submission.request.net)), "success")
        for refusal in submission.refusals:
            flash(f"{refusal.cheque_number}: {refusal.error}", "warning")
        return redirect(url_for("ReimbursementsView.show", pk=submission.request.id))

    @expose("/accept", methods=["GET", "POST"])
    @has_access
    def accept(self):
        if request.method == "GET":
            return render(self, "money/accept.html", partners=approved_partners())
        number = request.form.get("number", "")
        return act(lambda: money_api.accept_cheque(db.session, number, request.form.get("partner", type=int),
                                                   parse_day("accepted_on") or today()),
                   gettext("Cheque %(number)s registered.", number=number.strip().upper()),
                   url_for("ReimbursementsView.accept"))

    @expose("/<int:pk>/validate", methods=["POST"])
    @has_access
    def validate(self, pk: int):
        return act(lambda: money_api.validate_request(db.session, pk, today(), user_id()),
                   gettext("Request validated: payment due within 15 days."), url_for("ReimbursementsView.show", pk=pk))

    @expose("/<int:pk>/reject", methods=["POST"])
    @has_access
    def reject(self, pk: int):
        return act(lambda: money_api.reject_request(db.session, pk, request.form.get("reason", ""), today(),
                                                    user_id()),
                   gettext("Request rejected."), url_for("ReimbursementsView.show", pk=pk))

    @expose("/<int:pk>/pay", methods=["POST"])
    @has_access
    def pay(self, pk: int):
        return act(lambda: money_api.pay_request(db.session, pk, parse_day("paid_on") or today(),
                                                 request.form.get("transfer_reference", ""), today(), user_id()),
                   gettext("Payment recorded."), url_for("ReimbursementsView.show", pk=pk))

    @expose("/partner/<int:pk>/block", methods=["POST"])
    @has_access
    def block(self, pk: int):
        return act(lambda: money_api.block_partner(db.session, pk, request.form.get("reason", ""), user_id()),
                   gettext("Reimbursements blocked."), url_for("ReimbursementsView.partner", pk=pk))

    @expose("/partner/<int:pk>/unblock", methods=["POST"])
    @has_access
    def unblock(self, pk: int):
        return act(lambda: money_api.unblock_partner(db.session, pk, request.form.get("justification", ""),
                                                     user_id()),
                   gettext("Reimbursements unblocked."), url_for("ReimbursementsView.partner", pk=pk))

    @expose("/batches/")
    @has_access
    def batches(self):
        rows, page, pages = page_of(select(PaymentBatch).order_by(PaymentBatch.payment_date.desc()))
        return render(self, "money/batches.html", rows=rows, page=page, pages=pages)

    @expose("/batches/add", methods=["POST"])
    @has_access
    def add_to_batch(self):
        ids = request.form.getlist("request", type=int)
        return act(lambda: money_api.add_to_batch(db.session, ids, parse_day("payment_date") or today(), user_id()),
                   gettext("Requests added to the payment batch."), url_for("ReimbursementsView.batches"))

    @expose("/batches/<int:pk>")
    @has_access
    def batch(self, pk: int):
        return render(self, "money/batch.html", item=found(PaymentBatch, pk), paid=BatchStatus.paid)

    @expose("/batches/<int:pk>/pay", methods=["POST"])
    @has_access
    def pay_batch(self, pk: int):
        return act(lambda: money_api.pay_batch(db.session, pk, parse_day("paid_on") or today(),
                                               request.form.get("transfer_reference", ""), today(), user_id()),
                   gettext("Payment batch marked paid."), url_for("ReimbursementsView.batch", pk=pk))

    @expose("/batches/<int:pk>/transfers.csv")
    @has_access
    def export(self, pk: int):
        batch = found(PaymentBatch, pk)
        headers = {"reference": gettext("Request"), "partner": gettext("Identifier"), "name": gettext("Partner"),
                   "holder": gettext("Account holder"), "iban": "IBAN", "bic": "BIC", "amount": gettext("Amount"),
                   "label": gettext("Transfer label")}
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(headers), delimiter=";")
        writer.writerow(headers)
        for row in money_api.transfer_rows(batch):
            writer.writerow({**row, "amount": f"{row['amount']:.2f}".replace(".", ",")})
        name = f"virements-{batch.reference}-{batch.payment_date.isoformat()}.csv"
        return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


def rolled_back(check: Callable[[], Any]) -> None:
    """Run a domain check in a FAB hook; on refusal undo the form's changes already applied to the row."""
    try:
        check()
    except DomainError:
        db.session.rollback()  # FAB flashes the error but leaves the populated row dirty in the session
        raise


class ChequierView(TenantModelView):
    """Chéquiers issued to prescripteurs; adding one creates its 10 cheques."""

    datamodel = SQLAInterface(Chequier)
    class_permission_name = "Chequier"
    list_title = _l("Chéquiers")
    show_title = _l("Chéquier")
    add_title = _l("Issue a chéquier")
    edit_title = _l("Distribution of the chéquier")
    label_columns = {"number": _l("Number"), "prescripteur": _l("Prescripteur"), "issued_on": _l("Issued on"),
                     "validity_date": _l("Validity date"), "distributed_on": _l("Distributed on"),
                     "status": _l("Status"), "collectivite": _l("Collectivité"), "cheques": _l("Cheques")}
    list_columns = ["number", "prescripteur", "issued_on", "validity_date", "status", "distributed_on",
                    "collectivite"]
    show_columns = list_columns + ["cheques"]
    add_columns = ["number", "prescripteur", "issued_on", "validity_date", "collectivite"]
    edit_columns = ["status", "distributed_on"]
    search_columns = ["number", "prescripteur", "status", "issued_on", "validity_date"]
    base_order = ("issued_on", "desc")

    def pre_add(self, item: Chequier) -> None:
        money_api.fill_chequier(item)

    def pre_update(self, item: Chequier) -> None:
        rolled_back(lambda: money_api.check_chequier(item))


class ChequeView(TenantModelView):
    """Every cheque of the collectivité, its state and the partner that accepted it (read only)."""

    datamodel = SQLAInterface(Cheque)
    class_permission_name = "Cheque"
    base_permissions = READ_ONLY
    list_title = _l("Cheques")
    show_title = _l("Cheque")
    label_columns = {"number": _l("Number"), "face_value": _l("Face value"), "validity_date": _l("Validity date"),
                     "chequier": _l("Chéquier"), "prescripteur": _l("Prescripteur"), "partner": _l("Partner"),
                     "accepted_on": _l("Accepted on"), "status": _l("Status"), "collectivite": _l("Collectivité")}
    list_columns = ["number", "face_value", "validity_date", "status", "partner", "accepted_on", "collectivite"]
    show_columns = ["number", "face_value", "validity_date", "chequier", "prescripteur", "status", "partner",
                    "accepted_on", "collectivite"]
    search_columns = ["number", "status", "partner", "validity_date", "accepted_on", "prescripteur"]
    base_order = ("number", "asc")


class FeeScheduleView(TenantModelView):
    """Versioned fee schedules: a used version cannot be changed, a new version supersedes it."""

    datamodel = SQLAInterface(FeeSchedule)
    class_permission_name = "FeeSchedule"
    list_title = _l("Fee schedules")
    show_title = _l("Fee schedule")
    add_title = _l("New fee schedule version")
    edit_title = _l("Edit an unused fee schedule")
    label_columns = {"version": _l("Version"), "effective_from": _l("Effective from"), "rate": _l("Rate (%)"),
                     "fixed": _l("Fixed fee per cheque (EUR)"), "note": _l("Note"), "collectivite": _l("Collectivité"),
                     "created_at": _l("Created on")}
    list_columns = ["version", "effective_from", "rate", "fixed", "note", "collectivite"]
    show_columns = list_columns + ["created_at"]
    add_columns = ["effective_from", "rate", "fixed", "note", "collectivite"]
    edit_columns = ["effective_from", "rate", "fixed", "note"]
    search_columns = ["version", "effective_from", "rate", "fixed", "note"]
    base_order = ("effective_from", "desc")

    def pre_add(self, item: FeeSchedule) -> None:
        money_api.prepare_fee_schedule(item)

    def pre_update(self, item: FeeSchedule) -> None:
        rolled_back(lambda: money_api.check_schedule_editable(db.session, item))

    def _get_list_widget(self, *args: Any, **kwargs: Any) -> dict:
        """No edit button on a version already used: saving it would be refused (one query per row shown)."""
        widgets = super()._get_list_widget(*args, **kwargs)
        arguments = widgets["list"].template_args
        arguments["locked"] = {pk for pk in arguments["pks"] if money_api.schedule_used_by(db.session, pk)}
        return widgets


class SubmissionSchema(Schema):
    """A reimbursement request as the partner extranet sends it."""

    partner_id = fields.Integer(required=True, metadata={"description": "Id of the partner asking"})
    cheques = fields.List(fields.String(), required=True, metadata={"description": "Cheque numbers"})
    submitted_on = fields.Date(load_default=None, metadata={"description": "Submission date (default: today)"})


class AcceptanceSchema(Schema):
    """A cheque registered by a partner when it receives it."""

    partner_id = fields.Integer(required=True)
    number = fields.String(required=True)
    accepted_on = fields.Date(load_default=None)


def request_json(item: ReimbursementRequest) -> dict[str, Any]:
    """A request as the API shows it; amounts are decimal strings (never floats)."""
    return {
        "id": item.id, "reference": item.reference, "partner_id": item.partner_id, "status": item.status.value,
        "submitted_on": item.submitted_on.isoformat(), "fee_schedule_version": item.fee_schedule.version,
        "cheque_count": item.cheque_count, "gross": str(item.gross), "fees": str(item.fees), "net": str(item.net),
        "validated_on": item.validated_on.isoformat() if item.validated_on else None,
        "due_on": item.due_on.isoformat() if item.due_on else None,
        "overdue": item.is_overdue(today()),
        "paid_on": item.paid_on.isoformat() if item.paid_on else None,
        "transfer_reference": item.transfer_reference,
        "lines": [{"cheque": line.cheque.number, "face_value": str(line.face_value), "fees": str(line.fees),
                   "net": str(line.net)} for line in item.lines],
    }


def refusals_json(refusals: list) -> list[dict[str, str]]:
    return [{"cheque": r.cheque_number, "rule": r.error.rule, "message": str(r.error)} for r in refusals]


class ReimbursementApi(BaseApi):
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
        try:
            return schema.load(request.get_json(silent=True) or {})
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
            submission = money_api.submit_request(db.session, data["partner_id"], data["cheques"],
                                                  data["submitted_on"] or today(), user_id())
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
            cheque = money_api.accept_cheque(db.session, data["number"], data["partner_id"],
                                             data["accepted_on"] or today())
        except DomainError as error:
            return self._refused(error)
        db.session.commit()
        return self.response(200, result={"number": cheque.number, "status": cheque.status.value,
                                          "accepted_on": cheque.accepted_on.isoformat(),
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
        rows, page, pages = page_of(filtered_requests())
        return self.response(200, result=[request_json(r) for r in rows], page=page, pages=pages)

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
            item = money_api.get(db.session, ReimbursementRequest, pk)
        except NotFound:
            return self.response_404()
        return self.response(200, result=request_json(item))
