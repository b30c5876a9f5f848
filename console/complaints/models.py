"""Complaints (réclamations) about a paid reimbursement request, and the audit trail of each step.

Kept for 10 years like the requests they are about: never deleted.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import Boolean, Date, DateTime, Enum, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from console.complaints.rules import complaint_days_left
from console.errors import N_
from console.labels import register
from console.money.models import ReimbursementRequest
from console.tenants.models import ConsoleUser, TenantOwned, user_fk, utcnow


class ComplaintChannel(enum.Enum):
    email = "email"
    letter = "letter"
    phone = "phone"
    counter = "counter"
    extranet = "extranet"


class ComplaintStatus(enum.Enum):
    received = "received"
    under_review = "under_review"
    accepted = "accepted"
    rejected = "rejected"


register({
    ComplaintChannel.email: N_("E-mail"),
    ComplaintChannel.letter: N_("Letter"),
    ComplaintChannel.phone: N_("Phone"),
    ComplaintChannel.counter: N_("At the counter"),
    ComplaintChannel.extranet: N_("Partner extranet"),
    # Feminine in French (« réclamation »), like the reimbursement requests' statuses.
    ComplaintStatus.received: N_("Received"),
    ComplaintStatus.under_review: N_("Under review"),
    ComplaintStatus.accepted: N_("Accepted"),
    ComplaintStatus.rejected: N_("Rejected"),
})


def _enum(kind: type[enum.Enum], name: str) -> Enum:
    return Enum(kind, name=name, native_enum=False, length=20)


class Complaint(TenantOwned, Model):
    """A partner's complaint about the settlement of one paid reimbursement request."""

    __tablename__ = "complaint"
    __table_args__ = (
        Index("ix_complaint_collectivite_status", "collectivite_id", "status"),
        Index("ix_complaint_request", "request_id"),
        # The list's order (newest first, id last), for one collectivité and for the operator.
        Index("ix_complaint_collectivite_order", "collectivite_id", "received_on", "id"),
        Index("ix_complaint_order", "received_on", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("reimbursement_request.id"))
    request: Mapped[ReimbursementRequest] = relationship(ReimbursementRequest)
    received_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[ComplaintChannel] = mapped_column(_enum(ComplaintChannel, "complaint_channel"))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[ComplaintStatus] = mapped_column(_enum(ComplaintStatus, "complaint_status"),
                                                    default=ComplaintStatus.received)
    # Computed once from the payment date when recorded; a late complaint is kept but cannot be accepted.
    deadline: Mapped[date] = mapped_column(Date)
    in_time: Mapped[bool] = mapped_column(Boolean)
    correction_amount: Mapped[Optional[Decimal]] = mapped_column(Numeric(10, 2), nullable=True)
    decision_reason: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    decided_on: Mapped[Optional[date]] = mapped_column(Date, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    recorded_by_id: Mapped[Optional[int]] = mapped_column(user_fk(), nullable=True)
    recorded_by: Mapped[Optional[ConsoleUser]] = relationship(ConsoleUser)
    events: Mapped[list["ComplaintEvent"]] = relationship(back_populates="complaint", order_by="ComplaintEvent.id")

    @property
    def reference(self) -> str:
        return f"RC-{self.id:06d}"

    def days_left(self, today: date) -> int | None:
        """Days left in the two-month window (negative once past), for open complaints."""
        if self.status in (ComplaintStatus.accepted, ComplaintStatus.rejected) or self.request.paid_on is None:
            return None
        return complaint_days_left(self.request.paid_on, today)

    def __repr__(self) -> str:
        return self.reference


class ComplaintEvent(TenantOwned, Model):
    """One step of a complaint's workflow: who moved it from which status to which, when, and why."""

    __tablename__ = "complaint_event"
    __table_args__ = (Index("ix_complaint_event_complaint", "complaint_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"))
    complaint: Mapped[Complaint] = relationship(back_populates="events")
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    by_id: Mapped[Optional[int]] = mapped_column(user_fk(), nullable=True)
    by: Mapped[Optional[ConsoleUser]] = relationship(ConsoleUser)
    from_status: Mapped[Optional[str]] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[Optional[str]] = mapped_column(Text, nullable=True)

    def __repr__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"
