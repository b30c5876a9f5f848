"""Anchoring: each day the head of every chain is signed (HMAC with the secret key) into a checkpoint
row and e-mailed to the operators, so that rewriting the whole table shows from outside the database."""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.audit.api import record
from console.audit.canonical import dumps
from console.audit.models import AuditChain, AuditCheckpoint, PLATFORM_CHAIN
from console.mail import queue_mail
from console.money.dates import paris_day
from console.tenants.models import utcnow


def checkpoint_due(last: Optional[datetime], now: datetime) -> bool:
    """A day's checkpoint is due when none was signed yet, or the last one on an earlier Europe/Paris day
    (the console's days are Paris days: 23:30 UTC on 30 June is already 1 July in Paris). Both naive UTC."""
    return last is None or paris_day(last) < paris_day(now)


def sign(secret: str, at: datetime, heads: str) -> str:
    """HMAC-SHA256 of the checkpoint's time and heads with the console's secret key."""
    message = dumps({"at": at.isoformat(timespec="microseconds"), "heads": heads}).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def current_heads(session: Session) -> dict[str, list]:
    """{chain: [seq, hash]} of every chain now."""
    return {head.chain: [head.seq, head.last_hash]
            for head in session.scalars(select(AuditChain).order_by(AuditChain.chain))}


def write_checkpoint(session: Session, secret: str, recipients: list[str], now: Optional[datetime] = None
                     ) -> AuditCheckpoint:
    """Sign the heads into a checkpoint, record it in the platform chain and e-mail it (the caller commits)."""
    at = (now or utcnow()).replace(tzinfo=None)
    heads = dumps(current_heads(session))
    checkpoint = AuditCheckpoint(at=at, heads=heads, signature=sign(secret, at, heads))
    session.add(checkpoint)
    session.flush()
    record(session, "audit.checkpoint", checkpoint, {"signature": checkpoint.signature}, actor=None,
           collectivite_id=None)
    for recipient in recipients:
        queue_mail(session, recipient, "audit_checkpoint", checkpoint=checkpoint,
                   heads=sorted(json.loads(heads).items()), platform=PLATFORM_CHAIN)
    return checkpoint


def last_checkpoint_at(session: Session) -> Optional[datetime]:
    return session.scalar(select(AuditCheckpoint.at).order_by(AuditCheckpoint.id.desc()).limit(1))
