"""The key figures of a period, month by month and per partner: one set of queries for workbooks and dashboard.

Every query names the collectivités it may read with ``tenant_clause`` (Core
SQL is not covered by the session hook) and aggregates in the database;
grouping by day and folding into months here keeps the SQL portable between
SQLite and PostgreSQL.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Iterable, Optional

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session

from console.complaints.models import Complaint, ComplaintStatus
from console.money.models import (
    Cheque, Chequier, ChequierStatus, ReimbursementRequest, RequestStatus,
)
from console.money.rules import is_payment_overdue
from console.partners.models import Partner
from console.tenants.context import Scope
from console.tenants.scoping import tenant_clause

ZERO = Decimal("0.00")
VALIDATED = (RequestStatus.validated, RequestStatus.paid)


@dataclass
class KeyFigures:
    """The cover sheet of the summary workbook and the top of the dashboard."""

    chequiers_issued: int = 0
    chequiers_distributed: int = 0
    chequiers_not_distributed: int = 0
    chequiers_started: int = 0
    partners_approved: int = 0
    cheques_reimbursed: int = 0
    gross: Decimal = ZERO
    fees: Decimal = ZERO
    net: Decimal = ZERO
    average_days_to_payment: Optional[Decimal] = None
    overdue: int = 0
    complaints_received: int = 0
    complaints_accepted: int = 0
    complaints_out_of_time: int = 0


MONEY_FIGURES = ("cheques_reimbursed", "gross", "fees", "net", "average_days_to_payment", "overdue")


@dataclass
class MonthFigures:
    """One row of the month-by-month sheet."""

    month: date  # its first day
    chequiers_issued: int = 0
    cheques_accepted: int = 0
    cheques_reimbursed: int = 0
    gross: Decimal = ZERO
    fees: Decimal = ZERO
    net: Decimal = ZERO
    complaints: int = 0


@dataclass
class PartnerFigures:
    """One row of the per-partner sheet: the requests paid in the period."""

    identifier: str
    name: str
    requests: int = 0
    cheques_reimbursed: int = 0
    gross: Decimal = ZERO
    fees: Decimal = ZERO
    net: Decimal = ZERO


def _between(column: Any, start: date, end: date) -> Any:
    return column.between(start, end)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())


def key_figures(session: Session, scope: Scope, start: date, end: date, today: date) -> KeyFigures:
    """The figures of the period [start, end] (both included), as of ``today``."""
    figures = KeyFigures()
    started = exists().where(Cheque.chequier_id == Chequier.id, Cheque.accepted_on.is_not(None))
    issued = session.execute(
        select(func.count(),
               func.count(case((Chequier.status == ChequierStatus.distributed, 1))),
               func.count(case((started, 1))))
        .where(tenant_clause(Chequier, scope), _between(Chequier.issued_on, start, end))
    ).one()
    figures.chequiers_issued, figures.chequiers_distributed, figures.chequiers_started = issued
    figures.chequiers_not_distributed = figures.chequiers_issued - figures.chequiers_distributed
    figures.partners_approved = session.execute(
        select(func.count()).where(tenant_clause(Partner, scope), Partner.approved_at >= _midnight(start),
                                   Partner.approved_at < _midnight(end + timedelta(days=1)))
    ).scalar_one()
    paid = session.execute(
        select(func.coalesce(func.sum(ReimbursementRequest.cheque_count), 0),
               func.coalesce(func.sum(ReimbursementRequest.gross), ZERO),
               func.coalesce(func.sum(ReimbursementRequest.fees), ZERO),
               func.coalesce(func.sum(ReimbursementRequest.net), ZERO))
        .where(tenant_clause(ReimbursementRequest, scope), ReimbursementRequest.status == RequestStatus.paid,
               _between(ReimbursementRequest.paid_on, start, end))
    ).one()
    figures.cheques_reimbursed = int(paid[0])
    figures.gross, figures.fees, figures.net = (Decimal(value).quantize(ZERO) for value in paid[1:])
    figures.average_days_to_payment = _average_days_to_payment(session, scope, start, end)
    figures.overdue = _overdue(session, scope, start, end, today)
    complaints = session.execute(
        select(func.count(),
               func.count(case((Complaint.status == ComplaintStatus.accepted, 1))),
               func.count(case((Complaint.in_time.is_(False), 1))))
        .where(tenant_clause(Complaint, scope), _between(Complaint.received_on, start, end))
    ).one()
    figures.complaints_received, figures.complaints_accepted, figures.complaints_out_of_time = complaints
    return figures


def _validation_pairs(session: Session, scope: Scope, *where: Any) -> Iterable[tuple[date, Optional[date], int]]:
    """(validated on, paid on, how many requests) of validated requests: few distinct pairs."""
    return session.execute(
        select(ReimbursementRequest.decided_on, ReimbursementRequest.paid_on, func.count())
        .where(tenant_clause(ReimbursementRequest, scope), ReimbursementRequest.status.in_(VALIDATED),
               ReimbursementRequest.decided_on.is_not(None), *where)
        .group_by(ReimbursementRequest.decided_on, ReimbursementRequest.paid_on)
    ).all()


Pairs = Iterable[tuple[date, Optional[date], int]]


def average_days(pairs: Pairs) -> Optional[Decimal]:
    """Mean calendar days from validation to payment of (validated on, paid on, requests), to 0.1 day."""
    pairs = [(validated, paid, n) for validated, paid, n in pairs if paid is not None]
    return mean_days(sum((paid - validated).days * n for validated, paid, n in pairs), sum(n for _, _, n in pairs))


def mean_days(days: int, requests: int) -> Optional[Decimal]:
    """``days`` waited in all by ``requests`` requests, per request, to 0.1 day (None without a request)."""
    return (Decimal(days) / requests).quantize(Decimal("0.1")) if requests else None


def overdue_count(pairs: Pairs, today: date) -> int:
    """How many of (validated on, paid on, requests) were, or are, paid late (FAQ: 15 days after validation)."""
    return sum(n for validated, paid, n in pairs if is_payment_overdue(validated, today, paid))


def _average_days_to_payment(session: Session, scope: Scope, start: date, end: date) -> Optional[Decimal]:
    """Mean days from validation to payment of the requests paid in the period."""
    return average_days(_validation_pairs(session, scope, ReimbursementRequest.status == RequestStatus.paid,
                                          _between(ReimbursementRequest.paid_on, start, end)))


def _overdue(session: Session, scope: Scope, start: date, end: date, today: date) -> int:
    """Requests validated in the period that were, or are, paid late."""
    return overdue_count(_validation_pairs(session, scope, _between(ReimbursementRequest.decided_on, start, end)),
                         today)


def months_of(start: date, end: date) -> list[date]:
    """The first day of every month of the period."""
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def monthly(session: Session, scope: Scope, start: date, end: date) -> list[MonthFigures]:
    """Month by month figures of the period (every month present, zeros included)."""
    rows = {month: MonthFigures(month) for month in months_of(start, end)}

    def add(statement: Any, *names: str) -> None:
        for day, *values in session.execute(statement):
            row = rows[day.replace(day=1)]
            for name, value in zip(names, values):
                setattr(row, name, getattr(row, name) + (value if isinstance(value, int) else Decimal(value)))

    add(select(Chequier.issued_on, func.count())
        .where(tenant_clause(Chequier, scope), _between(Chequier.issued_on, start, end))
        .group_by(Chequier.issued_on), "chequiers_issued")
    add(select(Cheque.accepted_on, func.count())
        .where(tenant_clause(Cheque, scope), _between(Cheque.accepted_on, start, end))
        .group_by(Cheque.accepted_on), "cheques_accepted")
    add(select(ReimbursementRequest.paid_on, func.sum(ReimbursementRequest.cheque_count),
               func.sum(ReimbursementRequest.gross), func.sum(ReimbursementRequest.fees),
               func.sum(ReimbursementRequest.net))
        .where(tenant_clause(ReimbursementRequest, scope), ReimbursementRequest.status == RequestStatus.paid,
               _between(ReimbursementRequest.paid_on, start, end))
        .group_by(ReimbursementRequest.paid_on), "cheques_reimbursed", "gross", "fees", "net")
    add(select(Complaint.received_on, func.count())
        .where(tenant_clause(Complaint, scope), _between(Complaint.received_on, start, end))
        .group_by(Complaint.received_on), "complaints")
    for row in rows.values():
        row.cheques_reimbursed = int(row.cheques_reimbursed)
        for name in ("gross", "fees", "net"):
            setattr(row, name, getattr(row, name).quantize(ZERO))
    return list(rows.values())


def per_partner(session: Session, scope: Scope, start: date, end: date) -> list[PartnerFigures]:
    """What each partner was paid in the period, largest net amount first."""
    statement = (
        select(Partner.identifier, Partner.name, func.count(ReimbursementRequest.id),
               func.sum(ReimbursementRequest.cheque_count), func.sum(ReimbursementRequest.gross),
               func.sum(ReimbursementRequest.fees), func.sum(ReimbursementRequest.net))
        .join(ReimbursementRequest, and_(ReimbursementRequest.partner_id == Partner.id,
                                         ReimbursementRequest.status == RequestStatus.paid,
                                         _between(ReimbursementRequest.paid_on, start, end)))
        .where(tenant_clause(Partner, scope), tenant_clause(ReimbursementRequest, scope))
        .group_by(Partner.id, Partner.identifier, Partner.name)
        .order_by(func.sum(ReimbursementRequest.net).desc(), Partner.identifier)
    )
    return [
        PartnerFigures(identifier, name, requests, int(cheques), *(Decimal(v).quantize(ZERO) for v in money))
        for identifier, name, requests, cheques, *money in session.execute(statement)
    ]


def as_row(figures: Any) -> tuple:
    """The values of a figures dataclass, in field order (a table row)."""
    return tuple(getattr(figures, f.name) for f in fields(figures))


def without_money(figures: KeyFigures) -> dict[str, Any]:
    """The key figures a support agent may read."""
    return {f.name: getattr(figures, f.name) for f in fields(figures) if f.name not in MONEY_FIGURES}

