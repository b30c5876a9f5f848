"""Appending to a chain without forking it, on SQLite and PostgreSQL.

The head row of the chain is moved first with ``UPDATE … SET seq = seq + 1 … RETURNING``: on
PostgreSQL that row stays locked until the transaction ends, so a second writer of the same chain
waits and then reads the new head (READ COMMITTED re-reads an updated row); SQLite takes its single
write lock at the first write and keeps it until commit. Collectivités have their own chains, so
they never wait on each other.
"""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from console.audit.canonical import GENESIS, event_hash
from console.audit.models import AuditChain, AuditEvent


def _ensure_head(session: Session, chain: str) -> None:
    """Create the chain's head row if missing (``ON CONFLICT DO NOTHING``: two first writers never clash)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the console runs on these two
        raise RuntimeError(f"audit chains need PostgreSQL or SQLite, not {dialect}")
    session.execute(insert(AuditChain).values(chain=chain, seq=0, last_hash=GENESIS)
                    .on_conflict_do_nothing(index_elements=["chain"]))


def append(session: Session, event: AuditEvent) -> AuditEvent:
    """Give the event its place (seq, prev_hash, hash) at the end of its chain, and insert it."""
    # The head row is locked by this UPDATE until commit: two writers of one chain take turns.
    advance = (update(AuditChain).where(AuditChain.chain == event.chain).values(seq=AuditChain.seq + 1)
               .returning(AuditChain.seq, AuditChain.last_hash).execution_options(synchronize_session=False))
    head = session.execute(advance).one_or_none()
    if head is None:  # the chain's first event
        _ensure_head(session, event.chain)
        head = session.execute(advance).one()
    seq, prev_hash = head
    event.seq, event.prev_hash = seq, prev_hash
    event.hash = event_hash(prev_hash, event.hashed_fields())
    session.add(event)
    session.flush()
    session.execute(update(AuditChain).where(AuditChain.chain == event.chain).values(last_hash=event.hash)
                    .execution_options(synchronize_session=False))
    return event
