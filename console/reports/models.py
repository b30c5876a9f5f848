"""Exports (Excel files built by background jobs) and the monthly summary subscriptions."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any, Optional

from flask_appbuilder import Model
from sqlalchemy import JSON, Boolean, Date, DateTime, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from console.errors import N_
from console.labels import register
from console.tenants.models import Collectivite, ConsoleUser, TenantOwned, user_fk, utcnow


class ExportKind(enum.Enum):
    partners = "partners"
    reimbursements = "reimbursements"
    cheques = "cheques"
    complaints = "complaints"
    summary = "summary"
    audit = "audit"


class ExportStatus(enum.Enum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"
    expired = "expired"


register({
    # Also the title of each workbook's main sheet.
    ExportKind.partners: N_("Partners"),
    ExportKind.reimbursements: N_("Reimbursement requests"),
    ExportKind.cheques: N_("Cheques"),
    ExportKind.complaints: N_("Complaints"),
    ExportKind.summary: N_("Summary for elected officials"),
    ExportKind.audit: N_("Audit trail"),
    ExportStatus.queued: N_("Queued"),
    ExportStatus.running: N_("Running"),
    ExportStatus.done: N_("Ready"),
    ExportStatus.failed: N_("Failed"),
    ExportStatus.expired: N_("Expired"),
})


class Export(Model):
    """One Excel export asked for by one user, and the state of the job that builds it.

    An export belongs to the user who asked for it: it is only ever listed,
    read or downloaded by that user, within the collectivité recorded here
    (``None``: every collectivité, which only operators may ask for). It is
    therefore not a ``TenantOwned`` row; ``reports.api.visible_exports`` is the
    one query that reaches exports.
    """

    __tablename__ = "report_export"
    __table_args__ = (Index("ix_report_export_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(user_fk(), index=True)
    user: Mapped[ConsoleUser] = relationship(ConsoleUser)
    collectivite_id: Mapped[Optional[int]] = mapped_column(ForeignKey("collectivite.id"), nullable=True, index=True)
    collectivite: Mapped[Optional[Collectivite]] = relationship(Collectivite)
    kind: Mapped[ExportKind] = mapped_column(Enum(ExportKind, name="export_kind", native_enum=False, length=20))
    # Period, language and any other filter, as chosen when the export was asked for.
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[ExportStatus] = mapped_column(
        Enum(ExportStatus, name="export_status", native_enum=False, length=20), default=ExportStatus.queued
    )
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    rows_total: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    error: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    # Where the finished file is; set only once the file is complete.
    file_path: Mapped[Optional[str]] = mapped_column(String(500), nullable=True)
    file_size: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    expires_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    # Renewed by the job while it runs: a running export whose heartbeat stopped lost its worker.
    heartbeat_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)

    def __repr__(self) -> str:
        return f"Export {self.id} ({self.kind.value}, {self.status.value})"


class ReportSubscription(TenantOwned, Model):
    """An official who receives the summary workbook of the previous month on the 1st of each month."""

    __tablename__ = "report_subscription"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(user_fk(), index=True)
    user: Mapped[ConsoleUser] = relationship(ConsoleUser, foreign_keys=[user_id])
    created_by_id: Mapped[int] = mapped_column(user_fk())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # First day of the last month whose summary was sent (or is being built).
    last_period: Mapped[Optional[date]] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"Subscription of {self.user_id}"
