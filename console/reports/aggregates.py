"""Daily figures: every dashboard reads at most a row a day of its period, never millions of rows.

The live tables hold millions of cheques; a dashboard computed from them
costs a second or more for a large collectivité, and for the operator (every
collectivité at once) no index helps. ``refresh`` recomputes one
collectivité's daily rows from the live tables (the same queries as
``figures``, grouped by day), then every collectivité's totals
(``DailyTotal``, the operator's rows); the periodic job ``refresh_all`` runs
it for every collectivité each ``REFRESH_EVERY`` seconds, and ``console demo
--scale`` after loading. Every dashboard says when its figures were last
refreshed; the Excel workbooks still read the live tables.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Optional

from flask_appbuilder import Model
from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, Numeric, case, delete, exists, func, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from console import jobs
from console.complaints.models import Complaint, ComplaintStatus
from console.extensions import db
from console.money.models import Cheque, Chequier, ChequierStatus, ReimbursementRequest, RequestStatus
from console.money.rules import is_payment_overdue
from console.partners.models import Partner
from console.reports import figures
from console.reports.figures import ZERO, KeyFigures, MonthFigures
from console.tenants.context import EVERYTHING, Scope, scoped
from console.tenants.models import Collectivite, utcnow
from console.tenants.scoping import tenant_clause

REFRESH_EVERY = 900.0  # seconds; the dashboards tell their users, in minutes
TOTAL = Numeric(14, 2)
COUNTS = ("chequiers_issued", "chequiers_distributed", "chequiers_started", "partners_approved",
          "cheques_accepted", "cheques_reimbursed", "complaints_received", "complaints_accepted",
          "complaints_out_of_time", "paid_requests", "paid_days", "paid_late", "unpaid")
AMOUNTS = ("gross", "fees", "net")


class DayFigures:
    """The figures of one day (mixin of one collectivité's row and of every collectivité's total)."""

    chequiers_issued: Mapped[int] = mapped_column(Integer, default=0)
    chequiers_distributed: Mapped[int] = mapped_column(Integer, default=0)
    chequiers_started: Mapped[int] = mapped_column(Integer, default=0)
    partners_approved: Mapped[int] = mapped_column(Integer, default=0)
    cheques_accepted: Mapped[int] = mapped_column(Integer, default=0)
    cheques_reimbursed: Mapped[int] = mapped_column(Integer, default=0)
    gross: Mapped[Decimal] = mapped_column(TOTAL, default=ZERO)
    fees: Mapped[Decimal] = mapped_column(TOTAL, default=ZERO)
    net: Mapped[Decimal] = mapped_column(TOTAL, default=ZERO)
    complaints_received: Mapped[int] = mapped_column(Integer, default=0)
    complaints_accepted: Mapped[int] = mapped_column(Integer, default=0)
    complaints_out_of_time: Mapped[int] = mapped_column(Integer, default=0)
    # Validated requests: those paid this day, and the days they waited from their validation (the mean
    # delay of a period); those validated this day, paid late (``rules.is_payment_overdue``) or not yet paid
    # (late or not depending on the day the dashboard is read).
    paid_requests: Mapped[int] = mapped_column(Integer, default=0)
    paid_days: Mapped[int] = mapped_column(Integer, default=0)
    paid_late: Mapped[int] = mapped_column(Integer, default=0)
    unpaid: Mapped[int] = mapped_column(Integer, default=0)


class DailyFigure(DayFigures, Model):
    """What happened in one collectivité on one day (only days with something are stored)."""

    __tablename__ = "daily_figure"
    __tenant_column__ = "collectivite_id"  # read-scoped: readers filter with tenant_clause
    __table_args__ = (Index("ix_daily_figure_day", "day"),)

    collectivite_id: Mapped[int] = mapped_column(ForeignKey("collectivite.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class DailyTotal(DayFigures, Model):
    """Every collectivité's figures of one day added up: the all-collectivités dashboard reads a row a day."""

    __tablename__ = "daily_total"

    day: Mapped[date] = mapped_column(Date, primary_key=True)


class AggregateRefresh(Model):
    """When a collectivité's daily figures were last recomputed."""

    __tablename__ = "aggregate_refresh"
    __tenant_column__ = "collectivite_id"

    collectivite_id: Mapped[int] = mapped_column(ForeignKey("collectivite.id"), primary_key=True)
    refreshed_at: Mapped[datetime] = mapped_column(DateTime)


def _daily_rows(session: Session, cid: int) -> dict[date, dict[str, Any]]:
    """The collectivité's figures by day, read from the live tables (grouped in the database)."""
    days: dict[date, dict[str, Any]] = defaultdict(dict)

    def add(statement: Any, *names: str) -> None:
        for day, *values in session.execute(statement):
            for name, value in zip(names, values):
                days[day][name] = days[day].get(name, 0) + (value or 0)

    started = exists().where(Cheque.chequier_id == Chequier.id, Cheque.accepted_on.is_not(None))
    add(select(Chequier.issued_on, func.count(), func.count(case((Chequier.status == ChequierStatus.distributed, 1))),
               func.count(case((started, 1))))
        .where(Chequier.collectivite_id == cid).group_by(Chequier.issued_on),
        "chequiers_issued", "chequiers_distributed", "chequiers_started")
    for (approved_at,) in session.execute(select(Partner.approved_at).where(
            Partner.collectivite_id == cid, Partner.approved_at.is_not(None))):
        row = days[approved_at.date()]  # the same day boundaries as figures.key_figures
        row["partners_approved"] = row.get("partners_approved", 0) + 1
    add(select(Cheque.accepted_on, func.count()).where(Cheque.collectivite_id == cid, Cheque.accepted_on.is_not(None))
        .group_by(Cheque.accepted_on), "cheques_accepted")
    add(select(ReimbursementRequest.paid_on, func.sum(ReimbursementRequest.cheque_count),
               func.sum(ReimbursementRequest.gross), func.sum(ReimbursementRequest.fees),
               func.sum(ReimbursementRequest.net))
        .where(ReimbursementRequest.collectivite_id == cid, ReimbursementRequest.status == RequestStatus.paid,
               ReimbursementRequest.paid_on.is_not(None))
        .group_by(ReimbursementRequest.paid_on), "cheques_reimbursed", *AMOUNTS)
    add(select(Complaint.received_on, func.count(), func.count(case((Complaint.status == ComplaintStatus.accepted, 1))),
               func.count(case((Complaint.in_time.is_(False), 1))))
        .where(Complaint.collectivite_id == cid).group_by(Complaint.received_on),
        "complaints_received", "complaints_accepted", "complaints_out_of_time")
    validated = session.execute(
        select(ReimbursementRequest.decided_on, ReimbursementRequest.paid_on, ReimbursementRequest.status, func.count())
        .where(ReimbursementRequest.collectivite_id == cid, ReimbursementRequest.status.in_(figures.VALIDATED),
               ReimbursementRequest.decided_on.is_not(None))
        .group_by(ReimbursementRequest.decided_on, ReimbursementRequest.paid_on, ReimbursementRequest.status))
    for decided_on, paid_on, status, n in validated:  # the same requests as figures._validation_pairs
        payments(days, decided_on, paid_on, status is RequestStatus.paid, n)
    return days


def payments(days: dict[date, dict[str, Any]], decided_on: date, paid_on: Optional[date], paid: bool, n: int) -> None:
    """Count ``n`` requests validated on ``decided_on`` and paid on ``paid_on`` (None: not yet) in ``days``."""
    def add(day: date, name: str, value: int) -> None:
        days[day][name] = days[day].get(name, 0) + value

    if paid_on is None:
        add(decided_on, "unpaid", n)
        return
    if paid:  # the mean delay counts paid requests only (figures._average_days_to_payment)
        add(paid_on, "paid_requests", n)
        add(paid_on, "paid_days", (paid_on - decided_on).days * n)
    if is_payment_overdue(decided_on, paid_on, paid_on):  # paid: the payment day decides, not today
        add(decided_on, "paid_late", n)


def refresh(session: Session, collectivite_id: int, now: Optional[datetime] = None, totals: bool = True) -> int:
    """Recompute one collectivité's daily figures, then (unless ``totals`` is false, for a caller that refreshes
    several and adds up once) every collectivité's totals; flush; return the days stored."""
    days = _daily_rows(session, collectivite_id)
    for model in (DailyFigure, AggregateRefresh):
        session.execute(delete(model).where(model.collectivite_id == collectivite_id))
    if days:
        session.execute(insert(DailyFigure), [
            {"collectivite_id": collectivite_id, "day": day, **{name: values.get(name, 0) for name in COUNTS + AMOUNTS}}
            for day, values in days.items()])
    session.execute(insert(AggregateRefresh).values(collectivite_id=collectivite_id, refreshed_at=now or utcnow()))
    if totals:
        refresh_totals(session)
    session.flush()
    return len(days)


def refresh_totals(session: Session) -> None:
    """Add up every collectivité's daily figures (tens of thousands of rows, in the database).

    Run after the collectivités' rows: the all-collectivités dashboard then states the oldest collectivité
    refresh as its freshness, and the totals are never older than that."""
    session.execute(delete(DailyTotal))
    names = COUNTS + AMOUNTS
    session.execute(insert(DailyTotal).from_select(
        ["day", *names],
        select(DailyFigure.day, *(func.sum(getattr(DailyFigure, name)) for name in names)).group_by(DailyFigure.day)))


@jobs.periodic(REFRESH_EVERY)
def refresh_all() -> int:
    """Job: refresh every collectivité's daily figures, one transaction each; return how many were refreshed."""
    done = 0
    with Session(db.engine) as session, scoped(EVERYTHING):
        for (collectivite_id,) in session.execute(select(Collectivite.id).order_by(Collectivite.id)).all():
            refresh(session, collectivite_id, totals=False)
            session.commit()
            done += 1
        refresh_totals(session)
        session.commit()
    return done


def refreshed_at(session: Session, scope: Scope) -> Optional[datetime]:
    """The oldest refresh among the scope's collectivités (None while one was never refreshed)."""
    collectivites = select(func.count(Collectivite.id)).where(tenant_clause(Collectivite, scope)).scalar_subquery()
    oldest, refreshed, existing = session.execute(
        select(func.min(AggregateRefresh.refreshed_at), func.count(), collectivites)
        .where(tenant_clause(AggregateRefresh, scope))).one()
    return oldest if refreshed == existing else None


def _days(session: Session, scope: Scope, start: date, end: date) -> list[Any]:
    """(day, *COUNTS, *AMOUNTS) of each day of the period with something, for the scope: a row a day at most
    (every collectivité's totals when the scope is everything)."""
    source = DailyTotal if scope.everything else DailyFigure
    where = [] if scope.everything else [tenant_clause(DailyFigure, scope)]
    return session.execute(select(source.day, *(getattr(source, name) for name in COUNTS + AMOUNTS))
                           .where(*where, source.day.between(start, end))).all()


def _key_figures(days: list[Any], today: date) -> KeyFigures:
    sums = [sum(column) for column in zip(*(row[1:] for row in days))] or [0] * len(COUNTS + AMOUNTS)
    values = dict(zip(COUNTS + AMOUNTS, sums))
    result = KeyFigures(**{name: int(values[name]) for name in COUNTS if hasattr(KeyFigures, name)},
                        **{name: Decimal(values[name]).quantize(ZERO) for name in AMOUNTS})
    result.chequiers_not_distributed = result.chequiers_issued - result.chequiers_distributed
    result.average_days_to_payment = figures.mean_days(values["paid_days"], values["paid_requests"])
    unpaid = 1 + COUNTS.index("unpaid")  # validated on the row's day, unpaid: late depending on today
    result.overdue = int(values["paid_late"]) + figures.overdue_count(
        [(row[0], None, row[unpaid]) for row in days if row[unpaid]], today)
    return result


MONTHLY = ("chequiers_issued", "cheques_accepted", "cheques_reimbursed", *AMOUNTS, "complaints_received")


def _monthly(days: list[Any], start: date, end: date) -> list[MonthFigures]:
    positions = [1 + (COUNTS + AMOUNTS).index(name) for name in MONTHLY]
    sums = {month: [0] * len(MONTHLY) for month in figures.months_of(start, end)}
    for row in days:
        month = sums[row[0].replace(day=1)]
        for i, position in enumerate(positions):
            month[i] += row[position]
    return [MonthFigures(month, int(issued), int(accepted), int(reimbursed),
                         *(Decimal(amount).quantize(ZERO) for amount in amounts), int(complaints))
            for month, (issued, accepted, reimbursed, *amounts, complaints) in sums.items()]


def key_figures(session: Session, scope: Scope, start: date, end: date, today: date) -> KeyFigures:
    """``figures.key_figures`` of the scope's collectivités, from the daily figures."""
    return _key_figures(_days(session, scope, start, end), today)


def monthly(session: Session, scope: Scope, start: date, end: date) -> list[MonthFigures]:
    """``figures.monthly`` of the scope's collectivités, from the daily figures."""
    return _monthly(_days(session, scope, start, end), start, end)


def period(session: Session, scope: Scope, start: date, end: date, today: date
           ) -> tuple[KeyFigures, list[MonthFigures]]:
    """``key_figures`` and ``monthly`` at once, reading the days once (the dashboard)."""
    days = _days(session, scope, start, end)
    return _key_figures(days, today), _monthly(days, start, end)
