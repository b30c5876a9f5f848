"""One chéquier import: the file asked for, how far its job is, its outcome and its report."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import JSON, Boolean, DateTime, Enum, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from console.errors import N_
from console.labels import register
from console.tenants.models import ConsoleUser, TenantOwned, user_fk, utcnow


class ImportStatus(enum.Enum):
    queued = "queued"
    running = "running"
    done = "done"  # every valid row written (all of them, or the valid ones when asked)
    refused = "refused"  # some rows are invalid: nothing written
    failed = "failed"  # the file could not be read, or the job failed


register({
    ImportStatus.queued: N_("Queued"),
    ImportStatus.running: N_("Running"),
    ImportStatus.done: N_("Imported"),
    ImportStatus.refused: N_("Refused: nothing written"),
    ImportStatus.failed: N_("Failed"),
})


class ChequierImport(TenantOwned, Model):
    """A file of chéquiers imported into one collectivité (the user's, or the one an operator chose)."""

    __tablename__ = "chequier_import"
    __table_args__ = (Index("ix_chequier_import_collectivite_created", "collectivite_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(user_fk())
    user: Mapped[ConsoleUser] = relationship(ConsoleUser)
    filename: Mapped[str] = mapped_column(String(200))
    # The uploaded file, kept in the shared folder until the job ends.
    file_path: Mapped[Optional[str]] = mapped_column(String(500), nullable=True)
    # False: nothing is written unless every row is valid; True: « importer les lignes valides ».
    valid_rows_only: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(5), default="fr")
    status: Mapped[ImportStatus] = mapped_column(
        Enum(ImportStatus, name="import_status", native_enum=False, length=20), default=ImportStatus.queued)
    rows_total: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    rows_invalid: Mapped[int] = mapped_column(Integer, default=0)
    rows_written: Mapped[int] = mapped_column(Integer, default=0)
    # The report: [line, column, message] in the user's language, the first ``api.REPORT_LIMIT`` of them.
    errors: Mapped[list] = mapped_column(JSON, default=list)
    error: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    # Renewed by the job while it runs: a running import whose heartbeat stopped lost its worker.
    heartbeat_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)

    @property
    def finished(self) -> bool:
        return self.status not in (ImportStatus.queued, ImportStatus.running)

    def __repr__(self) -> str:
        return f"{self.filename} ({self.id})"
