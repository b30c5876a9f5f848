"""The complaints export: the settlement they are about, days left in the window, out of time."""
from __future__ import annotations

from typing import Any, Sequence

from flask_babel import gettext
from sqlalchemy import Select, select

from console.complaints.models import Complaint, ComplaintChannel, ComplaintStatus
from console.complaints.rules import complaint_days_left
from console.i18n import format_label
from console.money.models import ReimbursementRequest
from console.partners.models import Partner
from console.reports.labels import translated, yes_no
from console.reports.models import ExportKind
from console.reports.report import Report
from console.reports.xlsx import Column
from console.tenants.scoping import tenant_clause

CLOSED = (ComplaintStatus.accepted, ComplaintStatus.rejected)


def columns() -> list[Column]:
    return [
        Column(gettext("Reference"), "text", 12),
        Column(gettext("Request"), "text", 14),
        Column(gettext("Partner identifier"), "text", 20),
        Column(gettext("Partner"), "text", 36),
        Column(gettext("Received on"), "date", 12),
        Column(gettext("Channel"), "text", 12),
        Column(gettext("Status"), "text", 14),
        Column(gettext("Paid on"), "date", 12),
        Column(gettext("Deadline"), "date", 12),
        Column(gettext("Days left"), "integer", 10),
        Column(gettext("Out of time"), "text", 10),
        Column(gettext("Correction amount"), "money", 16),
        Column(gettext("Decided on"), "date", 12),
    ]


def statement(report: Report) -> Select:
    """Complaints received in the period."""
    return (
        select(Complaint.id, Complaint.request_id, Partner.identifier, Partner.name, Complaint.received_on,
               Complaint.channel, Complaint.status, ReimbursementRequest.paid_on, Complaint.deadline,
               Complaint.in_time, Complaint.correction_amount, Complaint.decided_on)
        .join(ReimbursementRequest, ReimbursementRequest.id == Complaint.request_id)
        .join(Partner, Partner.id == ReimbursementRequest.partner_id)
        .where(tenant_clause(Complaint, report.scope),
               Complaint.received_on.between(report.period_start, report.period_end))
        .order_by(Complaint.received_on, Complaint.id)
    )


def build(report: Report) -> None:
    """One sheet, one row per complaint; days left only for complaints still open."""
    statuses, channels = translated(ComplaintStatus), translated(ComplaintChannel)
    answers, today = yes_no(), report.today

    def convert(row: Sequence[Any]) -> tuple:
        pk, request, identifier, name, received, channel, status, paid, deadline, in_time, correction, decided = row
        days_left = complaint_days_left(paid, today) if paid and status not in CLOSED else None
        return (f"RC-{pk:06d}", f"RB-{request:07d}", identifier, name, received, channels[channel],
                statuses[status], paid, deadline, days_left, answers[not in_time], correction, decided)

    report.query_table(format_label(ExportKind.complaints), columns(), statement(report), convert)
