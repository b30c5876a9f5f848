"""The cheques export: every cheque accepted by a partner in the period, and its reimbursement."""
from __future__ import annotations

from typing import Any, Callable, Sequence

from flask_babel import gettext
from sqlalchemy import Select, select

from console.i18n import format_label
from console.money.models import Cheque, ChequeRejection, ChequeStatus, Chequier, ReimbursementLine
from console.partners.models import Partner
from console.reports.labels import translated
from console.reports.models import ExportKind
from console.reports.report import Report
from console.reports.xlsx import Column
from console.tenants.scoping import tenant_clause


def columns() -> list[Column]:
    return [
        Column(gettext("Cheque number"), "text", 16),
        Column(gettext("Chéquier"), "text", 16),
        Column(gettext("Face value"), "money", 12),
        Column(gettext("Valid until"), "date", 12),
        Column(gettext("Prescripteur"), "text", 30),
        Column(gettext("Status"), "text", 14),
        Column(gettext("Partner identifier"), "text", 20),
        Column(gettext("Accepted on"), "date", 12),
        Column(gettext("Request"), "text", 14),
        Column(gettext("Fees"), "money", 12),
        Column(gettext("Net amount"), "money", 12),
        Column(gettext("Refused at validation"), "text", 30),  # at the partner's charge (FAQ)
    ]


def statement(report: Report) -> Select:
    """Cheques accepted in the period, with their chéquier, partner and reimbursement line (if any)."""
    return (
        select(Cheque.number, Chequier.number, Cheque.face_value, Cheque.validity_date, Cheque.prescripteur,
               Cheque.status, Partner.identifier, Cheque.accepted_on, ReimbursementLine.request_id,
               ReimbursementLine.fees, ReimbursementLine.net, ReimbursementLine.rejection,
               ReimbursementLine.rejection_note)
        .join(Chequier, Chequier.id == Cheque.chequier_id)
        .outerjoin(Partner, Partner.id == Cheque.partner_id)
        .outerjoin(ReimbursementLine, ReimbursementLine.cheque_id == Cheque.id)
        .where(tenant_clause(Cheque, report.scope),
               Cheque.accepted_on.between(report.period_start, report.period_end))
        .order_by(Cheque.accepted_on, Cheque.id)
    )


def converter() -> Callable[[Sequence[Any]], tuple]:
    """Turn a row of ``statement`` into the sheet's values: the per-row work is a dict look-up and a reference."""
    statuses, reasons = translated(ChequeStatus), translated(ChequeRejection)

    def convert(row: Sequence[Any]) -> tuple:
        (number, chequier, face, validity, prescripteur, status, partner, accepted, request, fees, net,
         refusal, note) = row
        refused = " — ".join(filter(None, (reasons[refusal], note))) if refusal else None
        return (number, chequier, face, validity, prescripteur, statuses[status], partner, accepted,
                f"RB-{request:07d}" if request else None, fees, net, refused)

    return convert


def build(report: Report) -> None:
    """One sheet, one row per cheque."""
    report.query_table(format_label(ExportKind.cheques), columns(), statement(report), converter())
