"""Complaints (réclamations) pages: list with the days left in the window, record, review, decide."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from console.complaints import api as complaints_api
from console.complaints.api import OUT_OF_TIME
from console.complaints.models import Complaint, ComplaintChannel, ComplaintEvent, ComplaintStatus
from console.errors import DomainError
from console.extensions import db
from console.money.models import ReimbursementRequest
from console.partners.models import Partner
from console.views import queues
from console.views.base import flash_error
from console.views.choices import chosen, remote_select, request_text
from console.views.base import attempt
from console.views.money import act, found, page_of, render, today, user_id
from console.views.reports import parse_day


#: What the list shows of a complaint's request and partner (reference, payment day for the days left, name), loaded
#: with the page; their other columns, and their collectivité (the complaint's), are not read for 50 rows.
LIST_DETAILS = (
    joinedload(Complaint.request).load_only(ReimbursementRequest.id, ReimbursementRequest.partner_id,
                                            ReimbursementRequest.paid_on)
    .lazyload(ReimbursementRequest.collectivite),
    joinedload(Complaint.request).joinedload(ReimbursementRequest.partner).load_only(Partner.id, Partner.name)
    .lazyload(Partner.collectivite),
)


class ComplaintsView(BaseView):
    """Complaints about settlements: recorded by correspondents, each step audited, never deleted."""

    route_base = "/complaints"
    class_permission_name = "Complaint"
    method_permission_name = {"list": "read", "show": "read", "new": "record", "review": "decide",
                              "accept": "decide", "reject": "decide"}
    default_view = "list"

    def _render(self, template: str, **context):
        return render(self, template, statuses=list(ComplaintStatus), channels=list(ComplaintChannel),
                      Status=ComplaintStatus, out_of_time=OUT_OF_TIME, **context)

    @expose("/")
    @has_access
    def list(self):
        statement = select(Complaint).options(*LIST_DETAILS).order_by(Complaint.received_on.desc(), Complaint.id.desc())
        status = request.args.get("status")
        if status in ComplaintStatus.__members__:
            statement = statement.where(Complaint.status == ComplaintStatus[status])
        if request.args.get("late"):
            statement = statement.where(Complaint.in_time.is_(False))
        queue = queues.criteria(Complaint)
        if queue is not None:  # ?queue=<key>: the rows the home page counts (views/queues.py)
            statement = statement.where(*queue)
        rows, page, pages = page_of(statement)
        return self._render("complaints/complaints.html", rows=rows, page=page, pages=pages, status=status or "",
                            late=bool(request.args.get("late")), queue_title=queues.title(Complaint))

    @expose("/<int:pk>")
    @has_access
    def show(self, pk: int):
        return self._render("complaints/complaint.html", item=found(
            Complaint, pk, joinedload(Complaint.request).joinedload(ReimbursementRequest.partner),
            selectinload(Complaint.events).joinedload(ComplaintEvent.by)))

    @expose("/new", methods=["GET", "POST"])
    @has_access
    def new(self):
        if request.method == "POST":
            complaint = attempt(lambda: complaints_api.record_complaint(
                db.session, request.form.get("request", type=int), parse_day("received_on"),
                request.form.get("channel", ""), request.form.get("description", ""), user_id()))
            if isinstance(complaint, DomainError):
                flash_error(complaint)
            else:
                message = gettext("Complaint %(reference)s recorded.", reference=complaint.reference)
                if not complaint.in_time:
                    message += " " + gettext("It was received out of time and cannot be accepted.")
                flash(message, "success" if complaint.in_time else "warning")
                return redirect(url_for("ComplaintsView.show", pk=complaint.id))
        # Paid requests number thousands: the field searches as the user types (views/choices.py).
        picked = chosen(ReimbursementRequest, request.form.get("request"), joinedload(ReimbursementRequest.partner))
        return self._render("complaints/new_complaint.html", request_field=remote_select(
            "request", "PaidRequestChoicesView.search", picked, request_text, required=True))

    @expose("/<int:pk>/review", methods=["POST"])
    @has_access
    def review(self, pk: int):
        return act(lambda: complaints_api.start_review(db.session, pk, user_id(), request.form.get("note")),
                   gettext("Complaint under review."), url_for("ComplaintsView.show", pk=pk))

    @expose("/<int:pk>/accept", methods=["POST"])
    @has_access
    def accept(self, pk: int):
        amount = complaints_api.parse_amount(request.form.get("correction_amount"))
        return act(lambda: complaints_api.accept_complaint(db.session, pk, amount, request.form.get("reason", ""),
                                                           today(), user_id()),
                   gettext("Complaint accepted."), url_for("ComplaintsView.show", pk=pk))

    @expose("/<int:pk>/reject", methods=["POST"])
    @has_access
    def reject(self, pk: int):
        return act(lambda: complaints_api.reject_complaint(db.session, pk, request.form.get("reason", ""), today(),
                                                           user_id()),
                   gettext("Complaint rejected."), url_for("ComplaintsView.show", pk=pk))
