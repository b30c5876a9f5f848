"""Monthly summary workbooks e-mailed to subscribed officials: subscriptions and the periodic job."""
from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Optional

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from console import jobs
from console.audit import api as audit
from console.config import ROLE_ELECTED
from console.errors import N_, DomainError, NotFound
from console.extensions import db
from console.reports import api as reports_api
from console.reports.models import Export, ExportKind, ReportSubscription
from console.tenants.context import EVERYTHING, Scope, scoped
from console.tenants.models import ConsoleUser
from console.tenants.scoping import tenant_clause

log = logging.getLogger(__name__)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHECK_EVERY = 3600.0  # seconds: a console down on the 1st sends the summaries when it is back


def previous_month(today: date) -> tuple[date, date]:
    """The first and last day of the month before ``today``'s (the period of the summary sent on the 1st)."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def officials(session: Session, scope: Scope) -> list[ConsoleUser]:
    """The active élus a correspondent may subscribe: those of the scope's collectivité (explicit clause)."""
    users = session.execute(
        select(ConsoleUser).where(tenant_clause(ConsoleUser, scope), ConsoleUser.collectivite_id.is_not(None),
                                  ConsoleUser.active.is_(True)).order_by(ConsoleUser.last_name, ConsoleUser.first_name)
    ).scalars().all()
    return [user for user in users if ROLE_ELECTED in user.role_names]


def subscribe(session: Session, scope: Scope, by: ConsoleUser, user_id: int) -> ReportSubscription:
    """Subscribe one élu of the collectivité (again, if they were unsubscribed); flush."""
    user = next((user for user in officials(session, scope) if user.id == user_id), None)
    if user is None:
        raise NotFound(N_("Only an elected official of your collectivité can be subscribed."), rule="tenant",
                       field="user")
    subscription = session.execute(
        select(ReportSubscription).where(ReportSubscription.user_id == user.id)
    ).scalar_one_or_none()
    if subscription is None:
        subscription = ReportSubscription(user_id=user.id, created_by_id=by.id, collectivite_id=user.collectivite_id)
        session.add(subscription)
    subscription.active = True
    session.flush()
    audit.record(session, "subscription.create", subscription, {"user": user.username}, actor=by)
    return subscription


def unsubscribe(session: Session, subscription_id: int) -> None:
    """Stop a subscription of the collectivité (the session hook hides other collectivités'); flush."""
    subscription = session.get(ReportSubscription, subscription_id, populate_existing=True)
    if subscription is None:
        raise NotFound(N_("No such subscription."), rule="tenant")
    subscription.active = False
    session.flush()
    audit.record(session, "subscription.delete", subscription, {"user_id": subscription.user_id})


@jobs.periodic(CHECK_EVERY)
def send_monthly_summaries(today: Optional[date] = None) -> int:
    """Job: queue last month's summary of every subscription not served yet; return how many were queued."""
    from console.reports.jobs import local_now, start

    start_day, end_day = previous_month(today or local_now().date())
    queued = 0
    with Session(db.engine) as session, scoped(EVERYTHING):
        due = session.execute(
            select(ReportSubscription.id, ReportSubscription.user_id).where(
                ReportSubscription.active.is_(True),
                or_(ReportSubscription.last_period.is_(None), ReportSubscription.last_period < start_day))
        ).all()
        for subscription_id, user_id in due:
            # Conditional update: two schedulers never queue the same month twice.
            claimed = session.execute(
                update(ReportSubscription)
                .where(ReportSubscription.id == subscription_id,
                       or_(ReportSubscription.last_period.is_(None), ReportSubscription.last_period < start_day))
                .values(last_period=start_day)
            ).rowcount
            if not claimed:
                continue
            try:
                export = reports_api.request_export(session, session.get(ConsoleUser, user_id), ExportKind.summary,
                                                    period_start=start_day, period_end=end_day)
            except DomainError as error:  # the official lost their rights: nothing to send
                log.warning("Monthly summary of user %s not sent: %s", user_id, error.message)
                session.commit()
                continue
            export.parameters = {**export.parameters, "mail": True}
            session.commit()
            start(export)
            queued += 1
    return queued


def mail_summary(session: Session, export: Export) -> None:
    """E-mail a finished monthly summary to its subscribed official, the workbook attached; commit."""
    from console.mail import check_attachments, queue_mail

    with scoped(EVERYTHING):
        user = subscriber(session, export)
        if user is None:  # unsubscribed, or moved to another collectivité, since the export was queued
            log.warning("Monthly summary export %s not mailed: no subscribed official", export.id)
            return
        context = dict(user=user, period_start=date.fromisoformat(export.parameters["period_start"]),
                       period_end=date.fromisoformat(export.parameters["period_end"]),
                       expires_at=export.expires_at)
        attachments = [summary_attachment(export)]
        try:
            check_attachments(attachments)
        except DomainError as error:  # too large to be e-mailed: the Exports page still offers it
            log.warning("Monthly summary export %s mailed without its file: %s", export.id, error.message)
            attachments = []
        queue_mail(session, user.email, "report_monthly_summary", collectivite_id=export.collectivite_id,
                   attachments=attachments, attached=bool(attachments), **context)
        session.commit()


def subscriber(session: Session, export: Export) -> Optional[ConsoleUser]:
    """The export's owner if still subscribed and still in the export's collectivité; else None."""
    return session.execute(
        select(ConsoleUser).join(ReportSubscription, ReportSubscription.user_id == ConsoleUser.id).where(
            ConsoleUser.id == export.user_id, ConsoleUser.collectivite_id == export.collectivite_id,
            ReportSubscription.collectivite_id == export.collectivite_id, ReportSubscription.active.is_(True))
    ).scalar_one_or_none()


def summary_attachment(export: Export) -> tuple[str, str, bytes]:
    """(file name, content type, content) of a complete summary workbook, named after its month."""
    from console.i18n import format_label

    with open(reports_api.download_path(export), "rb") as workbook:  # refuses an incomplete export
        content = workbook.read()
    return f"{format_label(export.kind)} {export.parameters['period_start'][:7]}.xlsx", XLSX_CONTENT_TYPE, content
