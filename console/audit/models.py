"""The audit trail's tables: events (append-only), the head of each chain, signed checkpoints."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Optional

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from console.tenants.models import user_fk, utcnow

PLATFORM_CHAIN = "platform"


def chain_of(collectivite_id: Optional[int]) -> str:
    """One chain per collectivité (they never wait on each other), one for platform events."""
    return PLATFORM_CHAIN if collectivite_id is None else f"collectivite:{collectivite_id}"


class AuditEvent(Model):
    """One sensitive act: who, when, where from, what, on which object, with which details.

    Never updated nor deleted (a PostgreSQL trigger refuses it); ``hash`` chains it to the
    previous event of its chain (see ``audit.chain``).
    """

    __tablename__ = "audit_event"
    # Read through tenants.scoping.tenant_clause: a collectivité's users read its chain, never the
    # platform's (collectivite_id NULL) nor another's. Not TenantOwned: a platform event has no collectivité.
    __tenant_column__ = "collectivite_id"
    __table_args__ = (
        UniqueConstraint("chain", "seq", name="uq_audit_event_chain_seq"),
        Index("ix_audit_event_collectivite_at", "collectivite_id", "at", "id"),
        Index("ix_audit_event_at", "at", "id"),
        Index("ix_audit_event_object", "object_type", "object_id"),
        # The look-up log and the action filter read one action's events, newest first.
        Index("ix_audit_event_action_at", "action", "at", "id"),
        Index("ix_audit_event_actor_at", "actor_id", "at", "id"),  # a user's own latest acts (home page)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    collectivite_id: Mapped[Optional[int]] = mapped_column(ForeignKey("collectivite.id"), nullable=True)
    # A copy of the actor's login and name: the trail reads the same whatever happens to the account.
    actor_id: Mapped[Optional[int]] = mapped_column(user_fk(), nullable=True, index=True)
    actor_login: Mapped[Optional[str]] = mapped_column(String(100), nullable=True)
    actor_name: Mapped[Optional[str]] = mapped_column(String(200), nullable=True)
    service_account: Mapped[Optional[str]] = mapped_column(String(100), nullable=True)
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[Optional[str]] = mapped_column(String(40), nullable=True)
    object_id: Mapped[Optional[str]] = mapped_column(String(40), nullable=True)
    # Canonical JSON text (not a JSON column): the bytes that were hashed are the bytes kept.
    details: Mapped[str] = mapped_column(Text, default="{}")
    client_address: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    request_id: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    @property
    def details_dict(self) -> dict[str, Any]:
        return json.loads(self.details or "{}")

    def hashed_fields(self) -> dict[str, Any]:
        """Everything the hash covers besides the previous hash (the id is the database's, not the event's)."""
        return {
            "chain": self.chain, "seq": self.seq, "at": self.at.isoformat(timespec="microseconds"),
            "collectivite_id": self.collectivite_id, "actor_id": self.actor_id, "actor_login": self.actor_login,
            "actor_name": self.actor_name, "service_account": self.service_account, "action": self.action,
            "object_type": self.object_type, "object_id": self.object_id, "details": self.details,
            "client_address": self.client_address, "request_id": self.request_id,
        }

    def __repr__(self) -> str:
        return f"{self.action} #{self.id}"


class AuditChain(Model):
    """The head of one chain; updating it is the lock that keeps two writers from forking the chain."""

    __tablename__ = "audit_chain"

    chain: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Model):
    """The heads of every chain at one moment, signed with the secret key and e-mailed to the operators."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # Canonical JSON {chain: [seq, hash]}.
    heads: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(String(64))
