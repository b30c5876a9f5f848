"""Money pages: « Suivi des remboursements », cheque registration, payment batches, fraud blocks.

The chéquier, cheque and fee schedule views are in ``money_books``, the REST API in ``money_api``.

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
from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from console.errors import N_, DomainError, NotFound
from console.extensions import db
from console.i18n import format_day, format_money, refusal
from console.money import api as money_api, rules as money_rules
from console.money import dates, sepa
from console.money.dates import EntryDate, paris_day
from console.money.models import (
    BatchStatus, ChequeRejection, PartnerBlock, PaymentBatch, ReimbursementLine, ReimbursementRequest, RequestStatus,
)
from console.partners.models import Partner
from console.partners.validators import mask_iban
from console.tenants.api import is_operator
from console.tenants.models import utcnow
from console.views.base import attempt, flash_error
from console.views.choices import chosen, remote_select
from console.views import queues
from console.views.lists import CappedCount, deepest_page, page_with_count, refuse_depth, too_deep
from console.views.reports import parse_day

PAGE_SIZE = 50


def today() -> date:
    """The server's day (Europe/Paris) that actions are dated with; never the caller's."""
    return paris_day(utcnow())


def entry_date(field: str, requested: date | None, justification: str | None) -> EntryDate:
    """The date an acceptance or submission is recorded with: today, or an operator's justified late entry."""
    return dates.entry_date(utcnow(), requested, justification, is_operator(g.user), field)


def form_entry_date(field: str) -> EntryDate:
    return entry_date(field, parse_day(field), request.form.get("late_justification"))


def user_id() -> int | None:
    return getattr(g.user, "id", None)


def render(view: BaseView, template: str, **context: Any) -> str:
    """Render a money template with the locale's formatters."""
    return view.render_template(template, money=format_money, day=format_day, mask_iban=mask_iban,
                                today=today(), operator=is_operator(g.user), **context)


def act(action: Callable[[], Any], success: str, back: str) -> Response:
    """Run a domain write, flash ``success`` or the translated refusal, and go back."""
    outcome = attempt(action)
    if isinstance(outcome, DomainError):
        flash_error(outcome)
    else:
        flash(success, "success")
    return redirect(back)


def found(model: type, pk: int, *options: Any) -> Any:
    """A row of the user's collectivité (with the eager loads given), else 404."""
    try:
        return money_api.get(db.session, model, pk, options=options)
    except NotFound:
        abort(404)


def partner_field(chosen_id: Any = None, **params: Any) -> Any:
    """The partner drop-down of a form or filter, filled as the user types (thousands of partners)."""
    return remote_select("partner", "PartnerChoicesView.search", chosen(Partner, chosen_id), **params)


def requested_page() -> int:
    return max(request.args.get("page", 1, type=int), 1)


def page_of(statement: Any) -> tuple[list, int, int]:
    """One page of a select (``?page=``), the page number and the page count (both bounded: lists.py)."""
    page = requested_page()
    if too_deep((page - 1) * PAGE_SIZE):
        refuse_depth()
        page = deepest_page(PAGE_SIZE)
    rows, total = page_with_count(db.session, statement, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return rows, page, CappedCount(pages) if isinstance(total, CappedCount) else pages


#: What a request's page and the API show with it: loaded with the request, not one query per line.
REQUEST_DETAILS = (joinedload(ReimbursementRequest.partner), joinedload(ReimbursementRequest.fee_schedule),
                   joinedload(ReimbursementRequest.decided_by), joinedload(ReimbursementRequest.batch),
                   selectinload(ReimbursementRequest.lines).joinedload(ReimbursementLine.cheque))


#: What a list of requests shows besides their own columns: their partner's name (the collectivité of both,
#: the request's own, is not read for every row).
LIST_DETAILS = (joinedload(ReimbursementRequest.partner).load_only(Partner.id, Partner.name)
                .lazyload(Partner.collectivite), lazyload(ReimbursementRequest.collectivite))


def filtered_requests(partner_id: int | None = None, *options: Any) -> Any:
    """The requests of the list's filters: status, overdue (validated, unpaid, past due), partner; loaded with
    ``options`` (by default the lists': ``LIST_DETAILS``)."""
    statement = (select(ReimbursementRequest).options(*(options or LIST_DETAILS))
                 .order_by(ReimbursementRequest.submitted_on.desc(), ReimbursementRequest.id.desc()))
    status = request.args.get("status")
    if status in RequestStatus.__members__:
        statement = statement.where(ReimbursementRequest.status == RequestStatus[status])
    if request.args.get("overdue", "").lower() in ("1", "true", "on", "yes"):
        statement = statement.where(ReimbursementRequest.status == RequestStatus.validated,
                                    ReimbursementRequest.due_on < today())
    queue = queues.criteria(ReimbursementRequest)
    if queue is not None:  # ?queue=<key>: the rows the home page counts (views/queues.py)
        statement = statement.where(*queue)
    partner_id = partner_id or request.args.get("partner", type=int)
    if partner_id:
        statement = statement.where(ReimbursementRequest.partner_id == partner_id)
    return statement


def form_refusals() -> dict[str, tuple[ChequeRejection, str | None]]:
    """The cheques refused in the validation form: ``refuse-<number>`` (a reason) and ``note-<number>``."""
    refusals = {}
    for key, value in request.form.items():
        if not key.startswith("refuse-") or not value:
            continue
        number = key.removeprefix("refuse-")
        if value not in ChequeRejection.__members__:
            raise DomainError(N_("%(value)s is not a reason to refuse a cheque."), rule="cheque_rejection",
                              field=key, value=value)
        refusals[number] = (ChequeRejection[value], request.form.get(f"note-{number}"))
    return refusals


class ReimbursementsView(BaseView):
    """« Suivi des remboursements »: the collectivité's list, one page per request and per partner."""

    route_base = "/reimbursements"
    class_permission_name = "Reimbursement"
    method_permission_name = {
        "list": "read", "show": "read", "partner": "read", "batches": "read", "batch": "read", "export": "read",
        "transfers_xml": "read",
        "new": "submit", "accept": "accept",
        "validate": "validate", "reject": "validate",
        "pay": "pay",
        "block": "block", "unblock": "block",
    }
    default_view = "list"

    @expose("/")
    @has_access
    def list(self):
        rows, page, pages = page_of(filtered_requests())
        partner = request.args.get("partner", type=int)
        may = self.appbuilder.sm.has_access
        return render(self, "money/requests.html", rows=rows, page=page, pages=pages,
                      may_validate=may("can_validate", "Reimbursement"), may_pay=may("can_pay", "Reimbursement"),
                      partner_field=partner_field(partner),
                      statuses=list(RequestStatus),
                      status=request.args.get("status", ""),
                      overdue=request.args.get("overdue", "").lower() in ("1", "true", "on", "yes"),
                      partner=partner, title=gettext("Reimbursement follow-up"),
                      queue_title=queues.title(ReimbursementRequest))

    @expose("/<int:pk>")
    @has_access
    def show(self, pk: int):
        item = found(ReimbursementRequest, pk, *REQUEST_DETAILS)
        block = money_api.active_block(db.session, item.partner_id)
        complaints = self._complaints(item)
        blocked = refusal(lambda: money_rules.check_not_blocked(
            block is not None, str(item.partner), block.blocked_at.date() if block else None))
        return render(self, "money/request.html", item=item, block=block, complaints=complaints, blocked=blocked,
                      reasons=list(ChequeRejection))

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
            return render(self, "money/new_request.html", partner_field=partner_field(required=True, approved=1),
                          refusals=[])
        submission = attempt(lambda: money_api.submit_request(
            db.session, request.form.get("partner", type=int), request.form.get("cheques", ""),
            form_entry_date("submitted_on"), user_id()))
        if isinstance(submission, DomainError):
            flash_error(submission)
            return render(self, "money/new_request.html",
                          partner_field=partner_field(request.form.get("partner"), required=True, approved=1),
                          refusals=getattr(submission, "refusals", []), form=request.form), 422
        flash(gettext("Request %(reference)s received: %(count)s cheques, %(net)s to reimburse.",
                      reference=submission.request.reference, count=submission.request.cheque_count,
                      net=format_money(submission.request.net)), "success")
        for refused in submission.refusals:
            flash(gettext("%(number)s: %(refusal)s", number=refused.cheque_number, refusal=refused.error), "warning")
        return redirect(url_for("ReimbursementsView.show", pk=submission.request.id))

    @expose("/accept", methods=["GET", "POST"])
    @has_access
    def accept(self):
        if request.method == "GET":
            return render(self, "money/accept.html", partner_field=partner_field(required=True, approved=1))
        number = request.form.get("number", "")
        return act(lambda: money_api.accept_cheque(db.session, number, request.form.get("partner", type=int),
                                                   form_entry_date("accepted_on")),
                   gettext("Cheque %(number)s registered.", number=number.strip().upper()),
                   url_for("ReimbursementsView.accept"))

    @expose("/<int:pk>/validate", methods=["POST"])
    @has_access
    def validate(self, pk: int):
        return act(lambda: money_api.validate_request(db.session, pk, today(), user_id(), form_refusals()),
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
        return act(lambda: money_api.block_partner(db.session, pk, request.form.get("reason", ""), user_id(),
                                                   is_operator(g.user)),
                   gettext("Reimbursements blocked."), url_for("ReimbursementsView.partner", pk=pk))

    @expose("/partner/<int:pk>/unblock", methods=["POST"])
    @has_access
    def unblock(self, pk: int):
        return act(lambda: money_api.unblock_partner(db.session, pk, request.form.get("justification", ""), user_id(),
                                                     is_operator(g.user)),
                   gettext("Reimbursements unblocked."), url_for("ReimbursementsView.partner", pk=pk))

    @expose("/batches/")
    @has_access
    def batches(self):
        rows, page, pages = page_of(select(PaymentBatch).order_by(PaymentBatch.payment_date.desc(),
                                                                  PaymentBatch.id.desc()))
        return render(self, "money/batches.html", rows=rows, page=page, pages=pages)

    @expose("/batches/<int:pk>")
    @has_access
    def batch(self, pk: int):
        item = found(PaymentBatch, pk)
        return render(self, "money/batch.html", item=item, paid=BatchStatus.paid,
                      sepa_refused=refusal(lambda: sepa.check_debtor_account(item.collectivite)))

    @expose("/batches/<int:pk>/transfers.xml")
    @has_access
    def transfers_xml(self, pk: int):
        """The batch's SEPA credit transfer file (pain.001.001.03), next to the treasurer's CSV."""
        batch = found(PaymentBatch, pk)
        document = attempt(lambda: sepa.transfer_file(batch, today()))
        if isinstance(document, DomainError):
            flash_error(document)
            return redirect(url_for("ReimbursementsView.batch", pk=pk))
        name = f"virements-{batch.reference}-{batch.payment_date.isoformat()}.xml"
        return Response(document, mimetype="application/xml",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

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
