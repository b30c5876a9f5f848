"""Partners: the labelled structures that accept Pass Numérique cheques."""
from __future__ import annotations

import enum
import unicodedata
from datetime import datetime
from typing import Optional

from flask_appbuilder import Model
from sqlalchemy import DateTime, Enum, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from console.tenants.models import TenantOwned, utcnow


class PartnerStatus(enum.Enum):
    submitted = "submitted"
    checked = "checked"
    approved = "approved"
    rejected = "rejected"
    suspended = "suspended"


def search_key(text: str | None) -> str:
    """Lower-case, accent-free form of a text, for accent- and case-insensitive search."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


class Partner(TenantOwned, Model):
    """A structure labellisée affiliated (or asking to be) with one collectivité."""

    __tablename__ = "partner"
    __table_args__ = (
        Index("ix_partner_collectivite_status", "collectivite_id", "status"),
        Index("ix_partner_collectivite_name_key", "collectivite_id", "name_key"),
        Index("ix_partner_siret", "siret"),
        Index("ix_partner_email", "email"),
        Index("ix_partner_postcode", "postcode"),
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

    def __repr__(self) -> str:
        return f"{self.name} ({self.identifier})"


@event.listens_for(Partner.name, "set", retval=False)
def _name_key(target: Partner, value: str, oldvalue: object, initiator: object) -> None:
    target.name_key = search_key(value)


@event.listens_for(Partner.city, "set", retval=False)
def _city_key(target: Partner, value: str, oldvalue: object, initiator: object) -> None:
    target.city_key = search_key(value)
