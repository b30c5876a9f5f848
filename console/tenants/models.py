"""Collectivités, the users that belong to them, and the mixin of tenant-owned rows."""
from __future__ import annotations

import enum
from datetime import datetime, timezone
from typing import Optional

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from console.errors import N_, register_unique
from console.labels import register


def user_fk() -> ForeignKey:
    """A history row's link to the user who acted. DESIGN « retention »: users are deactivated, never deleted;
    the database refuses it too (ON DELETE RESTRICT), so every history row keeps naming who acted."""
    return ForeignKey("ab_user.id", ondelete="RESTRICT")


def utcnow() -> datetime:
    """Timestamps are stored in UTC, naive, so SQLite and PostgreSQL agree."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class CollectiviteKind(enum.Enum):
    commune = "commune"
    departement = "departement"
    region = "region"
    epci = "epci"


register({
    CollectiviteKind.commune: N_("Commune"),
    CollectiviteKind.departement: N_("Département"),
    CollectiviteKind.region: N_("Région"),
    CollectiviteKind.epci: N_("EPCI"),
})


class Collectivite(Model):
    """A commune, département, région or EPCI that funds Pass Numérique cheques: the tenant."""

    __tablename__ = "collectivite"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(150), unique=True)
    kind: Mapped[CollectiviteKind] = mapped_column(
        Enum(CollectiviteKind, name="collectivite_kind", native_enum=False, length=20)
    )
    siren: Mapped[str] = mapped_column(String(9), unique=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    # Short code used in partner identifiers (PN-<code>-000123).
    code: Mapped[str] = mapped_column(String(8), unique=True)
    contact_email: Mapped[str] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    # Last partner number handed out; incremented atomically (see partners.api).
    partner_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The migrations' own words: PostgreSQL keeps "now()" and "CURRENT_TIMESTAMP" as written.
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, server_default=text("CURRENT_TIMESTAMP"))
    # The account the collectivité pays partners from (the debtor of its SEPA transfer files), set by the
    # operator: all three or none (tenants.rules.check_debtor_account).
    debtor_name: Mapped[Optional[str]] = mapped_column(String(70), nullable=True)
    debtor_iban: Mapped[Optional[str]] = mapped_column(String(34), nullable=True)
    debtor_bic: Mapped[Optional[str]] = mapped_column(String(11), nullable=True)

    def __repr__(self) -> str:
        return self.name


COLLECTIVITE_UNIQUE = {
    "name": N_("Another collectivité already has this name."),
    "siren": N_("Another collectivité already has this SIREN."),
    "slug": N_("Another collectivité already has this slug."),
    "code": N_("Another collectivité already has this code."),
}
for _column, _message in COLLECTIVITE_UNIQUE.items():
    register_unique((f"collectivite.{_column}", f"collectivite_{_column}_key"), _column, _message)


class TenantOwned:
    """Mixin of every row that belongs to one collectivité.

    Queries of these models are filtered to the current collectivité by the
    session hook in ``console.tenants.scoping``; views never filter by hand.
    """

    @declared_attr
    def collectivite_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("collectivite.id"), index=True, nullable=False)

    @declared_attr
    def collectivite(cls) -> Mapped[Collectivite]:
        return relationship(Collectivite, lazy="joined")


class ConsoleUser(User):
    """A FAB user that belongs to exactly one collectivité (operators to none)."""

    __tablename__ = "ab_user"

    collectivite_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("collectivite.id"), nullable=True, index=True
    )
    collectivite: Mapped[Optional[Collectivite]] = relationship(Collectivite)
    # Raised by a password, role or active change and by « se déconnecter partout » (accounts.sessions):
    # every session and JWT opened under an older value is refused.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0", nullable=False)
    # Second factor (accounts.totp): the RFC 6238 secret once enrolment is confirmed, and the last time
    # step accepted (a code is never accepted twice).
    totp_secret: Mapped[Optional[str]] = mapped_column(String(32), nullable=True)
    totp_enabled_at: Mapped[Optional[datetime]] = mapped_column(DateTime, nullable=True)
    totp_last_step: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    # Set on the API clients of the partner extranet only: their comma-separated scopes.
    api_scopes: Mapped[Optional[str]] = mapped_column(String(200), nullable=True)

    @property
    def role_names(self) -> set[str]:
        return {role.name for role in self.roles}
