"""Partners: the labelled structures that accept Pass Numérique cheques, their RIB, CGU and history."""
from __future__ import annotations

import enum
import unicodedata
from datetime import date, datetime
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean, Date, DateTime, Enum, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, event,
    text,
)
from sqlalchemy.orm import Mapped, declared_attr, deferred, mapped_column, relationship

from console.errors import N_, register_unique
from console.labels import register
from console.tenants.models import Collectivite, ConsoleUser, TenantOwned, user_fk, utcnow



class PartnerStatus(enum.Enum):
    submitted = "submitted"
    checked = "checked"
    approved = "approved"
    rejected = "rejected"
    suspended = "suspended"


#: Statuses of a request still open (or granted): a second one for the same SIRET is a duplicate.
OPEN_STATUSES = ("submitted", "checked", "approved", "suspended")
register_unique(("uq_partner_open_siret", "partner.collectivite_id, partner.siret"), "siret",
                N_("This SIRET already has an open affiliation request with this collectivité."))


class TransitionAction(enum.Enum):
    submit = "submit"
    check_pass = "check_pass"
    check_fail = "check_fail"
    approve = "approve"
    reject = "reject"
    suspend = "suspend"
    reinstate = "reinstate"


class RejectionReason(enum.Enum):
    eligibility = "eligibility"
    incomplete_documents = "incomplete_documents"
    duplicate = "duplicate"
    closed_business = "closed_business"
    other = "other"


class RibChangeStatus(enum.Enum):
    pending = "pending"
    confirmed = "confirmed"
    cancelled = "cancelled"


register({
    # The noun says what the status is about, so that French agrees (« demande rejetée », « partenaire suspendu »).
    PartnerStatus.submitted: N_("Submitted, awaiting the operator check"),
    PartnerStatus.checked: N_("Checked by the operator"),
    PartnerStatus.approved: N_("Approved partner"),
    PartnerStatus.rejected: N_("Rejected request"),
    PartnerStatus.suspended: N_("Suspended partner"),
    TransitionAction.submit: N_("Request submitted"),
    TransitionAction.check_pass: N_("Operator check passed"),
    TransitionAction.check_fail: N_("Operator check failed"),
    TransitionAction.approve: N_("Affiliation approved"),
    TransitionAction.reject: N_("Affiliation rejected"),
    TransitionAction.suspend: N_("Affiliation suspended"),
    TransitionAction.reinstate: N_("Affiliation reinstated"),
    RejectionReason.eligibility: N_("The structure is not eligible"),
    RejectionReason.incomplete_documents: N_("Incomplete documents"),
    RejectionReason.duplicate: N_("Duplicate request"),
    RejectionReason.closed_business: N_("The business is closed"),
    RejectionReason.other: N_("Other reason"),
    RibChangeStatus.pending: N_("Awaiting confirmation"),
    RibChangeStatus.confirmed: N_("Confirmed"),
    RibChangeStatus.cancelled: N_("Cancelled"),
})


def _enum(kind: type[enum.Enum], name: str) -> Enum:
    return Enum(kind, name=name, native_enum=False, length=24)


def search_key(text: str | None) -> str:
    """Lower-case, accent-free form of a text, for accent- and case-insensitive search."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def trigrams(column: str) -> dict:
    """PostgreSQL options of a trigram GIN index on ``column`` (partial, case-insensitive LIKE)."""
    return {"postgresql_using": "gin", "postgresql_ops": {column: "gin_trgm_ops"}}


def prefixes(column: str) -> dict:
    """PostgreSQL options of a B-tree on ``column`` that serves LIKE 'prefix%' whatever the collation."""
    return {"postgresql_ops": {column: "varchar_pattern_ops"}}


class Partner(TenantOwned, Model):
    """A structure labellisée affiliated (or asking to be) with one collectivité."""

    __tablename__ = "partner"
    __table_args__ = (
        # One open request per SIRET and collectivité, even under concurrent submissions.
        Index("uq_partner_open_siret", "collectivite_id", "siret", unique=True,
              postgresql_where=text("status IN ('submitted', 'checked', 'approved', 'suspended')"),
              sqlite_where=text("status IN ('submitted', 'checked', 'approved', 'suspended')")),
        Index("ix_partner_collectivite_status", "collectivite_id", "status"),
        # The look-up's indexes (partners.lookup, migration 0005, README « Look-up speed »). On PostgreSQL,
        # trigram GIN indexes serve the partial, accent-free name, city and e-mail searches (LIKE '%zola%'),
        # with the collectivité in the same GIN index (btree_gin) for a collectivité's users, and
        # pattern_ops B-trees the prefix searches (LIKE 'PN-GIR-0012%'), which a B-tree of a non-C collation
        # cannot serve. SQLite keeps plain B-trees.
        Index("ix_partner_collectivite_name_key", "collectivite_id", "name_key", **trigrams("name_key")),
        Index("ix_partner_collectivite_city_key", "collectivite_id", "city_key", **trigrams("city_key")),
        Index("ix_partner_email", "email", **trigrams("email")),
        Index("ix_partner_identifier_prefix", "identifier", **prefixes("identifier")),
        Index("ix_partner_siret", "siret", **prefixes("siret")),
        Index("ix_partner_postcode", "postcode", **prefixes("postcode")),
        # The list's sorts (views/lists.py): by identifier (unique) or by name then id.
        Index("ix_partner_collectivite_identifier", "collectivite_id", "identifier"),
        Index("ix_partner_collectivite_name_order", "collectivite_id", "name", "id"),
        Index("ix_partner_name_order", "name", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # PN-<collectivité code>-000123, assigned at submission (partners.api), never changed.
    identifier: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), default="")
    siret: Mapped[str] = mapped_column(String(14))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[Optional[str]] = mapped_column(String(20), nullable=True)
    address: Mapped[str] = mapped_column(String(250))
    postcode: Mapped[str] = mapped_column(String(5))
    city: Mapped[str] = mapped_column(String(100))
    city_key: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[PartnerStatus] = mapped_column(
        Enum(PartnerStatus, name="partner_status", native_enum=False, length=20),
        default=PartnerStatus.submitted,
    )
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    approved_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    # Outcome of the operator check: None until checked, then passed (True) or failed (False).
    check_passed: Mapped[Optional[bool]] = mapped_column(Boolean, nullable=True)
    # The CGU version in force on the submission date, kept with the partner.
    cgu_version_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("cgu_version.id", name="fk_partner_cgu_version"), nullable=True)
    cgu_version: Mapped[Optional["CguVersion"]] = relationship("CguVersion")

    def __repr__(self) -> str:
        return f"{self.name} ({self.identifier})"


@event.listens_for(Partner.name, "set", retval=False)
def _name_key(target: Partner, value: str, oldvalue: object, initiator: object) -> None:
    target.name_key = search_key(value)


@event.listens_for(Partner.city, "set", retval=False)
def _city_key(target: Partner, value: str, oldvalue: object, initiator: object) -> None:
    target.city_key = search_key(value)


class StoredDocument(TenantOwned, Model):
    """An uploaded file (CGU PDF, RIB scan), kept in the database so web processes stay stateless."""

    __tablename__ = "stored_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(user_fk(), nullable=True)

    def __repr__(self) -> str:
        return self.filename


class AffiliationTransition(TenantOwned, Model):
    """One step of a partner's affiliation: who did what, when and why (the timeline)."""

    __tablename__ = "affiliation_transition"
    __table_args__ = (Index("ix_affiliation_transition_partner", "partner_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"))
    partner: Mapped[Partner] = relationship(Partner)
    action: Mapped[TransitionAction] = mapped_column(_enum(TransitionAction, "transition_action"))
    from_status: Mapped[Optional[PartnerStatus]] = mapped_column(_enum(PartnerStatus, "partner_status"), nullable=True)
    to_status: Mapped[PartnerStatus] = mapped_column(_enum(PartnerStatus, "partner_status"))
    reason_code: Mapped[Optional[RejectionReason]] = mapped_column(_enum(RejectionReason, "rejection_reason"),
                                                                   nullable=True)
    reason: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    user_id: Mapped[Optional[int]] = mapped_column(user_fk(), nullable=True)
    user: Mapped[Optional[ConsoleUser]] = relationship(ConsoleUser)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class RibFields:
    """The bank details of a partner: holder, IBAN, BIC and the optional RIB document."""

    holder: Mapped[str] = mapped_column(String(200))
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str] = mapped_column(String(11))
    document_id: Mapped[Optional[int]] = mapped_column(ForeignKey("stored_document.id"), nullable=True)

    @declared_attr
    def partner(cls) -> Mapped[Partner]:
        return relationship(Partner)

    @declared_attr
    def document(cls) -> Mapped[Optional[StoredDocument]]:
        return relationship(StoredDocument)


class BankAccount(RibFields, TenantOwned, Model):
    """A partner's RIB: the current one (``replaced_at`` empty) and the previous ones, never deleted."""

    __tablename__ = "bank_account"
    __table_args__ = (
        # At most one current RIB per partner.
        Index("uq_bank_account_current", "partner_id", unique=True,
              postgresql_where=text("replaced_at IS NULL"), sqlite_where=text("replaced_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    replaced_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    # The RIB-change request that made it current (None for the RIB given with the affiliation request).
    change_request_id: Mapped[Optional[int]] = mapped_column(ForeignKey("rib_change_request.id"), nullable=True)

    @property
    def current(self) -> bool:
        return self.replaced_at is None

    def __repr__(self) -> str:
        from console.partners.validators import mask_iban

        return f"{self.holder} {mask_iban(self.iban)}"


class RibChangeRequest(RibFields, TenantOwned, Model):
    """A new RIB recorded by one user; it becomes current only when a second user confirms it."""

    __tablename__ = "rib_change_request"
    __table_args__ = (Index("ix_rib_change_request_partner_status", "partner_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"))
    status: Mapped[RibChangeStatus] = mapped_column(_enum(RibChangeStatus, "rib_change_status"),
                                                    default=RibChangeStatus.pending)
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    requested_by_id: Mapped[int] = mapped_column(user_fk())
    requested_by: Mapped[ConsoleUser] = relationship(ConsoleUser, foreign_keys=[requested_by_id])
    decided_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    decided_by_id: Mapped[Optional[int]] = mapped_column(user_fk(), nullable=True)
    decided_by: Mapped[Optional[ConsoleUser]] = relationship(ConsoleUser, foreign_keys=[decided_by_id])


class CguVersion(TenantOwned, Model):
    """A published version of a collectivité's CGU (PDF): never edited nor deleted once published."""

    __tablename__ = "cgu_version"
    __table_args__ = (
        UniqueConstraint("collectivite_id", "label", name="uq_cgu_version_label"),
        Index("ix_cgu_version_collectivite_effective", "collectivite_id", "effective_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(40))
    effective_on: Mapped[date] = mapped_column(Date)
    document_id: Mapped[int] = mapped_column(ForeignKey("stored_document.id"))
    document: Mapped[StoredDocument] = relationship(StoredDocument)
    published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    published_by_id: Mapped[Optional[int]] = mapped_column(user_fk(), nullable=True)
    published_by: Mapped[Optional[ConsoleUser]] = relationship(ConsoleUser)

    def __repr__(self) -> str:
        return f"{self.label} ({self.effective_on:%d/%m/%Y})"


class PartnerChange(TenantOwned, Model):
    """One edit of a partner's administrative information (« Mes informations »): old and new value."""

    __tablename__ = "partner_change"
    __table_args__ = (Index("ix_partner_change_partner", "partner_id", "changed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"))
    partner: Mapped[Partner] = relationship(Partner)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    new_value: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    changed_by_id: Mapped[Optional[int]] = mapped_column(user_fk(), nullable=True)
    changed_by: Mapped[Optional[ConsoleUser]] = relationship(ConsoleUser)
