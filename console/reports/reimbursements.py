"""The reimbursement requests export: gross, fees, net, dates, and whether payment is overdue."""
from __future__ import annotations

from typing import Any, Sequence

from flask_babel import gettext
from sqlalchemy import Select, func, select

from console.i18n import format_label
from console.money.models import ReimbursementLine, ReimbursementRequest, RequestStatus
from console.money.rules import is_payment_overdue, payment_due_date
from console.partners.models import Partner
from console.reports.labels import translated, yes_no
from console.reports.models import ExportKind
from console.reports.report import Report
from console.reports.xlsx import Column
from console.tenants.scoping import tenant_clause

VALIDATED = (RequestStatus.validated, RequestStatus.paid)


def columns() -> list[Column]:
    return [
        Column(gettext("Reference"), "text", 14),
        Column(gettext("Partner identifier"), "text", 20),
        Column(gettext("Partner"), "text", 36),
        Column(gettext("Status"), "text", 14),
        Column(gettext("Submitted on"), "date", 14),
        Column(gettext("Cheques"), "integer", 10),
        Column(gettext("Cheques refused"), "integer", 10),  # at the partner's charge, out of the amounts
        Column(gettext("Gross amount"), "money", 16),
        Column(gettext("Fees"), "money", 14),
        Column(gettext("Net amount"), "money", 16),
        Column(gettext("Validated on"), "date", 14),
        Column(gettext("Payment due on"), "date", 14),
        Column(gettext("Paid on"), "date", 14),
        Column(gettext("Transfer reference"), "text", 20),
        Column(gettext("Overdue"), "text", 10),
    ]


def statement(report: Report) -> Select:
    """Requests submitted in the period, oldest first."""
    request = ReimbursementRequest
    refused = (select(func.count()).where(ReimbursementLine.request_id == request.id,
                                          ReimbursementLine.rejection.is_not(None))
               .correlate(request).scalar_subquery())
    return (
        select(request.id, Partner.identifier, Partner.name, request.status, request.submitted_on,
               request.cheque_count, refused, request.gross, request.fees, request.net, request.decided_on,
               request.paid_on, request.transfer_reference)
        .join(Partner, Partner.id == request.partner_id)
        .where(tenant_clause(request, report.scope), tenant_clause(Partner, report.scope),
               request.submitted_on.between(report.period_start, report.period_end))
        .order_by(request.submitted_on, request.id)
    )


def build(report: Report) -> None:
    """One sheet, one row per request."""
    statuses, answers, today = translated(RequestStatus), yes_no(), report.today

    def convert(row: Sequence[Any]) -> tuple:
        pk, identifier, name, status, submitted, cheques, refused, gross, fees, net, decided, paid, transfer = row
        validated = decided if status in VALIDATED else None
        due = payment_due_date(validated) if validated else None
        overdue = answers[is_payment_overdue(validated, today, paid)] if validated else None
        return (f"RB-{pk:07d}", identifier, name, statuses[status], submitted, cheques, refused, gross, fees, net,
                validated, due, paid, transfer, overdue)

    report.query_table(format_label(ExportKind.reimbursements), columns(), statement(report), convert)
