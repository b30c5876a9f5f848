"""Cheques, chéquiers, fee schedules, reimbursement requests, payment batches and fraud blocks.

Every row is tenant-owned and kept for 10 years: no model here is ever deleted
(no delete permission in views or APIs). One reimbursement per cheque is also
enforced by the database: ``reimbursement_line.cheque_id`` is unique.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean, Date, DateTime, Enum, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint, false, text, true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from console.errors import N_
from console.labels import register
from console.money.rules import CHEQUE_VALUE, is_payment_overdue
from console.partners.models import Partner
from console.tenants.models import ConsoleUser, TenantOwned, user_fk, utcnow

MONEY = Numeric(10, 2)
TOTAL = Numeric(14, 2)
RATE = Numeric(6, 3)  # percent, 3 decimals: rules.RATE_STEP


def _enum(kind: type[enum.Enum], name: str) -> Enum:
    return Enum(kind, name=name, native_enum=False, length=20)


class ChequierStatus(enum.Enum):
    issued = "issued"  # handed to the prescripteur
    distributed = "distributed"  # given to a citizen
    not_distributed = "not_distributed"  # returned or never given


class ChequeStatus(enum.Enum):
    issued = "issued"  # printed, not yet accepted by a partner
    accepted = "accepted"  # registered by a partner
    requested = "requested"  # in a submitted or validated reimbursement request
    reimbursed = "reimbursed"  # its request was paid
    rejected = "rejected"  # its request was rejected: a cheque is put in one request, ever
    refused = "refused"  # refused alone when its request was validated: at the partner's charge


class ChequeRejection(enum.Enum):
    """Why a correspondent refused one cheque of a request it validated (FAQ: at the partner's charge)."""

    expired = "expired"
    not_distributed = "not_distributed"
    not_eligible = "not_eligible"
    duplicate = "duplicate"
    other = "other"


class RequestStatus(enum.Enum):
    submitted = "submitted"
    validated = "validated"
    rejected = "rejected"
    paid = "paid"


class BatchStatus(enum.Enum):
    open = "open"
    paid = "paid"


register({
    ChequierStatus.issued: N_("Issued to the prescripteur"),
    ChequierStatus.distributed: N_("Distributed"),
    ChequierStatus.not_distributed: N_("Not distributed"),
    ChequeStatus.issued: N_("Issued"),
    ChequeStatus.accepted: N_("Registered"),  # by a partner, when it received the cheque
    ChequeStatus.requested: N_("In a request"),
    ChequeStatus.reimbursed: N_("Reimbursed"),
    # Not "Rejected": that msgid is feminine (a request, a complaint) and a cheque is masculine in French.
    ChequeStatus.rejected: N_("Request rejected"),
    ChequeStatus.refused: N_("Refused, at the partner's charge"),
    ChequeRejection.expired: N_("Expired"),
    ChequeRejection.not_distributed: N_("Not distributed"),
    ChequeRejection.not_eligible: N_("Not eligible"),
    ChequeRejection.duplicate: N_("Duplicate"),
    ChequeRejection.other: N_("Other reason"),
    RequestStatus.submitted: N_("Submitted"),
    RequestStatus.validated: N_("Validated"),
    RequestStatus.rejected: N_("Rejected"),
    RequestStatus.paid: N_("Paid"),
    BatchStatus.open: N_("Open, awaiting the transfer"),
    BatchStatus.paid: N_("Paid by transfer"),
})


class Prescripteur(TenantOwned, Model):
    """A prescripteur the collectivité authorises to hand chéquiers to citizens (FAQ: « délivrer auprès des
    prescripteurs autorisés »). Deactivated, never deleted: the chéquiers issued to it keep naming it."""

    __tablename__ = "prescripteur"
    __table_args__ = (UniqueConstraint("collectivite_id", "name", name="uq_prescripteur_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def __repr__(self) -> str:
        return self.name


class Chequier(TenantOwned, Model):
    """A book of 10 cheques issued by the collectivité to a prescripteur, then handed to a citizen."""

    __tablename__ = "chequier"
    __table_args__ = (
        Index("ix_chequier_collectivite_status", "collectivite_id", "status"),
        # The list's sorts (views/lists.py), for one collectivité and for the operator: the id last.
        Index("ix_chequier_collectivite_issued_on", "collectivite_id", "issued_on", "id"),
        Index("ix_chequier_issued_on", "issued_on", "id"),
        Index("ix_chequier_collectivite_number", "collectivite_id", "number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    # Issued to an authorised prescripteur; its name is copied as it was on the day of issue.
    prescripteur_id: Mapped[int] = mapped_column(ForeignKey("prescripteur.id", name="fk_chequier_prescripteur"),
                                                 index=True)
    issued_to: Mapped[Prescripteur] = relationship(Prescripteur)
    prescripteur: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date] = mapped_column(Date)
    validity_date: Mapped[date] = mapped_column(Date)
    distributed_on: Mapped[Optional[date]] = mapped_column(Date, nullable=True)
    status: Mapped[ChequierStatus] = mapped_column(_enum(ChequierStatus, "chequier_status"),
                                                  default=ChequierStatus.issued)
    cheques: Mapped[list["Cheque"]] = relationship(back_populates="chequier", order_by="Cheque.number")

    def __repr__(self) -> str:
        return self.number


class Cheque(TenantOwned, Model):
    """One paper cheque of 10,00 EUR; its number is unique on the whole platform."""

    __tablename__ = "cheque"
    __table_args__ = (
        Index("ix_cheque_collectivite_status", "collectivite_id", "status"),
        Index("ix_cheque_partner_status", "partner_id", "status"),
        # Reports sum accepted cheques by date: the covering index avoids reading the table.
        Index("ix_cheque_collectivite_accepted_on", "collectivite_id", "accepted_on",
              postgresql_include=["face_value"]),
        Index("ix_cheque_chequier", "chequier_id"),
        # The list's sorts (views/lists.py), for one collectivité and for the operator: the id last.
        Index("ix_cheque_collectivite_number", "collectivite_id", "number"),
        Index("ix_cheque_collectivite_accepted_on_id", "collectivite_id", "accepted_on", "id"),
        Index("ix_cheque_accepted_on_id", "accepted_on", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    face_value: Mapped[Decimal] = mapped_column(MONEY, default=CHEQUE_VALUE, server_default="10.00")
    validity_date: Mapped[date] = mapped_column(Date)
    chequier_id: Mapped[int] = mapped_column(ForeignKey("chequier.id"))
    chequier: Mapped[Chequier] = relationship(Chequier, back_populates="cheques")
    prescripteur: Mapped[str] = mapped_column(String(200))
    partner_id: Mapped[Optional[int]] = mapped_column(ForeignKey("partner.id"), nullable=True)
    partner: Mapped[Optional[Partner]] = relationship(Partner)
    # Handed to a citizen (the whole chéquier at once, or this cheque alone); None: not distributed.
    distributed_on: Mapped[Optional[date]] = mapped_column(Date, nullable=True)
    # The Europe/Paris day the acceptance rules were applied to, and when the server recorded it (UTC).
    accepted_on: Mapped[Optional[date]] = mapped_column(Date, nullable=True)
    accepted_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    # Set only for an operator's late paper entry dated before the day it was recorded.
    accepted_late_justification: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    status: Mapped[ChequeStatus] = mapped_column(_enum(ChequeStatus, "cheque_status"), default=ChequeStatus.issued)

    def __repr__(self) -> str:
        return self.number


class FeeSchedule(TenantOwned, Model):
    """One version of a collectivité's fees: a rate (%) and/or a fixed amount per cheque, from a date."""

    __tablename__ = "fee_schedule"
    __table_args__ = (
        UniqueConstraint("collectivite_id", "version", name="uq_fee_schedule_version"),
        Index("ix_fee_schedule_collectivite_effective_from", "collectivite_id", "effective_from"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    rate: Mapped[Decimal] = mapped_column(RATE, default=Decimal("0.00"))
    fixed: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    note: Mapped[Optional[str]] = mapped_column(String(250), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(user_fk(), nullable=True)
    created_by: Mapped[Optional[ConsoleUser]] = relationship(ConsoleUser)

    def __repr__(self) -> str:
        return f"v{self.version} ({self.effective_from:%d/%m/%Y})"


class PaymentBatch(TenantOwned, Model):
    """One transfer list of a collectivité for one payment date, handed to the treasurer."""

    __tablename__ = "payment_batch"
    __table_args__ = (UniqueConstraint("collectivite_id", "payment_date", name="uq_payment_batch_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_date: Mapped[date] = mapped_column(Date)
    status: Mapped[BatchStatus] = mapped_column(_enum(BatchStatus, "batch_status"), default=BatchStatus.open)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(user_fk(), nullable=True)
    created_by: Mapped[Optional[ConsoleUser]] = relationship(ConsoleUser)
    paid_on: Mapped[Optional[date]] = mapped_column(Date, nullable=True)
    transfer_reference: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    requests: Mapped[list["ReimbursementRequest"]] = relationship(back_populates="batch")

    @property
    def reference(self) -> str:
        return f"LV-{self.id:06d}"

    @property
    def net(self) -> Decimal:
        return sum((request.net for request in self.requests), Decimal("0.00"))

    def __repr__(self) -> str:
        return f"{self.reference} ({self.payment_date:%d/%m/%Y})"


class ReimbursementRequest(TenantOwned, Model):
    """A partner's « Demander un remboursement »: accepted cheques priced with the schedule in force."""

    __tablename__ = "reimbursement_request"
    __table_args__ = (
        Index("ix_request_collectivite_submitted_on", "collectivite_id", "submitted_on",
              postgresql_include=["net"]),
        Index("ix_request_collectivite_status_due_on", "collectivite_id", "status", "due_on"),
        Index("ix_request_partner_status", "partner_id", "status"),
        Index("ix_request_batch", "batch_id"),
        # « Suivi des remboursements » (newest first, id last), all statuses or one, one collectivité or all.
        Index("ix_request_collectivite_order", "collectivite_id", "submitted_on", "id"),
        Index("ix_request_collectivite_status_order", "collectivite_id", "status", "submitted_on", "id"),
        Index("ix_request_order", "submitted_on", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"))
    partner: Mapped[Partner] = relationship(Partner)
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus, "request_status"),
                                                  default=RequestStatus.submitted)
    # The Europe/Paris day the rules (M+1, fee schedule) were applied to; ``submitted_at`` is when the
    # server recorded it. They differ only for an operator's late paper entry, which keeps its justification.
    submitted_on: Mapped[date] = mapped_column(Date)
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    late_justification: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    submitted_by_id: Mapped[Optional[int]] = mapped_column(user_fk(), nullable=True)
    submitted_by: Mapped[Optional[ConsoleUser]] = relationship(ConsoleUser, foreign_keys=[submitted_by_id])
    fee_schedule_id: Mapped[int] = mapped_column(ForeignKey("fee_schedule.id"))
    fee_schedule: Mapped[FeeSchedule] = relationship(FeeSchedule)
    cheque_count: Mapped[int] = mapped_column(Integer, default=0)
    gross: Mapped[Decimal] = mapped_column(TOTAL, default=Decimal("0.00"))
    fees: Mapped[Decimal] = mapped_column(TOTAL, default=Decimal("0.00"))
    net: Mapped[Decimal] = mapped_column(TOTAL, default=Decimal("0.00"))
    decided_on: Mapped[Optional[date]] = mapped_column(Date, nullable=True)
    decided_by_id: Mapped[Optional[int]] = mapped_column(user_fk(), nullable=True)
    decided_by: Mapped[Optional[ConsoleUser]] = relationship(ConsoleUser, foreign_keys=[decided_by_id])
    rejection_reason: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    due_on: Mapped[Optional[date]] = mapped_column(Date, nullable=True)
    # The RIB in force at validation, frozen: a later RIB change never redirects this payment.
    bank_account_id: Mapped[Optional[int]] = mapped_column(ForeignKey("bank_account.id"), nullable=True)
    rib_holder: Mapped[Optional[str]] = mapped_column(String(200), nullable=True)
    rib_iban: Mapped[Optional[str]] = mapped_column(String(34), nullable=True)
    rib_bic: Mapped[Optional[str]] = mapped_column(String(11), nullable=True)
    batch_id: Mapped[Optional[int]] = mapped_column(ForeignKey("payment_batch.id"), nullable=True)
    batch: Mapped[Optional[PaymentBatch]] = relationship(PaymentBatch, back_populates="requests")
    paid_on: Mapped[Optional[date]] = mapped_column(Date, nullable=True)
    transfer_reference: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    paid_by_id: Mapped[Optional[int]] = mapped_column(user_fk(), nullable=True)
    paid_by: Mapped[Optional[ConsoleUser]] = relationship(ConsoleUser, foreign_keys=[paid_by_id])
    lines: Mapped[list["ReimbursementLine"]] = relationship(back_populates="request", order_by="ReimbursementLine.id")

    @property
    def refused_lines(self) -> list["ReimbursementLine"]:
        """The cheques refused at validation, at the partner's charge."""
        return [line for line in self.lines if line.refused]

    @property
    def reference(self) -> str:
        return f"RB-{self.id:07d}"

    @property
    def validated_on(self) -> date | None:
        """The validation date (a rejection is dated by ``decided_on`` too)."""
        return self.decided_on if self.status in (RequestStatus.validated, RequestStatus.paid) else None

    def is_overdue(self, today: date) -> bool:
        """Validated and unpaid past the 15-day delay, or paid after it."""
        validated_on = self.validated_on
        return validated_on is not None and is_payment_overdue(validated_on, today, self.paid_on)

    def __repr__(self) -> str:
        return self.reference


class ReimbursementLine(TenantOwned, Model):
    """One cheque of a request, priced with the schedule version in force when the request was submitted."""

    __tablename__ = "reimbursement_line"
    __table_args__ = (Index("ix_reimbursement_line_request", "request_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("reimbursement_request.id"))
    request: Mapped[ReimbursementRequest] = relationship(back_populates="lines")
    # Unique: the database itself refuses a second reimbursement of a cheque, whatever races above it.
    cheque_id: Mapped[int] = mapped_column(ForeignKey("cheque.id"), unique=True)
    cheque: Mapped[Cheque] = relationship(Cheque)
    fee_schedule_id: Mapped[int] = mapped_column(ForeignKey("fee_schedule.id"))
    fee_schedule: Mapped[FeeSchedule] = relationship(FeeSchedule)
    face_value: Mapped[Decimal] = mapped_column(MONEY)
    fees: Mapped[Decimal] = mapped_column(MONEY)
    net: Mapped[Decimal] = mapped_column(MONEY)
    # Set when the correspondent refused this cheque while validating the request: it is then left out of
    # the request's totals and stays at the partner's charge.
    rejection: Mapped[Optional[ChequeRejection]] = mapped_column(_enum(ChequeRejection, "cheque_rejection"),
                                                                 nullable=True)
    rejection_note: Mapped[Optional[str]] = mapped_column(Text, nullable=True)

    @property
    def refused(self) -> bool:
        return self.rejection is not None

    def __repr__(self) -> str:
        return f"{self.cheque_id}: {self.net}"


class PartnerBlock(TenantOwned, Model):
    """A fraud block of a partner's reimbursements, with its reason, and its lifting with a justification."""

    __tablename__ = "partner_block"
    __table_args__ = (
        # At most one block in force per partner.
        Index("uq_partner_block_active", "partner_id", unique=True,
              postgresql_where=text("unblocked_at IS NULL"), sqlite_where=text("unblocked_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"))
    partner: Mapped[Partner] = relationship(Partner)
    reason: Mapped[str] = mapped_column(Text)
    # FAQ: the operator's block is lifted by the operator only; a correspondent's alert by its author or the operator.
    set_by_operator: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    blocked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    blocked_by_id: Mapped[Optional[int]] = mapped_column(user_fk(), nullable=True)
    blocked_by: Mapped[Optional[ConsoleUser]] = relationship(ConsoleUser, foreign_keys=[blocked_by_id])
    justification: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    unblocked_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    unblocked_by_id: Mapped[Optional[int]] = mapped_column(user_fk(), nullable=True)
    unblocked_by: Mapped[Optional[ConsoleUser]] = relationship(ConsoleUser, foreign_keys=[unblocked_by_id])

    @property
    def active(self) -> bool:
        return self.unblocked_at is None

    def __repr__(self) -> str:
        return f"{self.partner_id}: {self.blocked_at:%d/%m/%Y}"
