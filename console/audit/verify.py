"""Recompute every chain and check the signed checkpoints: the first bad event of each chain is named."""
from __future__ import annotations

import hmac
import json
from contextlib import closing
from dataclasses import dataclass, field
from typing import Iterator, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.audit.canonical import GENESIS, event_hash
from console.audit.models import AuditChain, AuditCheckpoint, AuditEvent, chain_of
from console.audit import anchor

BATCH = 1000


@dataclass(frozen=True)
class Problem:
    """Where a chain or a checkpoint stops being intact."""

    chain: str
    reason: str
    event_id: Optional[int] = None
    seq: Optional[int] = None
    checkpoint_id: Optional[int] = None

    def __str__(self) -> str:
        where = f"event #{self.event_id} (seq {self.seq})" if self.event_id is not None else f"seq {self.seq}"
        if self.checkpoint_id is not None:
            where = f"checkpoint #{self.checkpoint_id}, {where}"
        return f"{self.chain}: {where}: {self.reason}"


@dataclass
class Report:
    events: int = 0
    chains: int = 0
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def _events(session: Session, chain: str) -> Iterator[AuditEvent]:
    """The chain's events in sequence order, streamed (the cursor is closed even when reading stops early)."""
    statement = (select(AuditEvent).where(AuditEvent.chain == chain)
                 .order_by(AuditEvent.seq, AuditEvent.id).execution_options(yield_per=BATCH))
    result = session.scalars(statement)
    try:
        yield from result
    finally:
        result.close()


def verify_chain(session: Session, chain: str, head: Optional[AuditChain]) -> tuple[int, Optional[Problem]]:
    """(events read, first problem or None) of one chain, in the order of its sequence numbers."""
    with closing(_events(session, chain)) as rows:
        return _walk(chain, head, rows)


def _walk(chain: str, head: Optional[AuditChain], rows: Iterator[AuditEvent]) -> tuple[int, Optional[Problem]]:
    prev_hash, expected, last_id, count = GENESIS, 1, 0, 0
    for event in rows:
        count += 1
        problem = None
        if event.seq > expected:
            problem = f"event(s) {expected}..{event.seq - 1} missing before it (deleted)"
        elif event.seq < expected:
            problem = "a second event with this sequence number (inserted)"
        elif event.prev_hash != prev_hash:
            problem = "does not follow the previous event (inserted, deleted or reordered)"
        elif event_hash(event.prev_hash, event.hashed_fields()) != event.hash:
            problem = "its content does not match its hash (changed)"
        elif event.id < last_id:
            problem = "written before the previous event (reordered)"
        if problem:
            return count, Problem(chain, problem, event.id, event.seq)
        prev_hash, expected, last_id = event.hash, expected + 1, event.id
    if head is None and count == 0:
        return 0, None  # a collectivité that never had an event
    if head is None:
        return count, Problem(chain, "the chain has no head row", seq=expected - 1)
    if head.seq != expected - 1 or head.last_hash != prev_hash:
        return count, Problem(chain, f"the chain ends at seq {expected - 1} but its head says seq {head.seq}: "
                                     "events deleted at its end, or the head changed", seq=expected - 1)
    return count, None


def verify_checkpoint(session: Session, checkpoint: AuditCheckpoint, secret: str,
                      chains: Optional[set[str]]) -> Optional[Problem]:
    """The signature holds and every head it names is still in its chain with the same hash."""
    if not hmac.compare_digest(anchor.sign(secret, checkpoint.at, checkpoint.heads), checkpoint.signature):
        return Problem("checkpoints", "its signature does not match (checkpoint changed)",
                       checkpoint_id=checkpoint.id)
    for chain, (seq, signed_hash) in sorted(json.loads(checkpoint.heads).items()):
        if chains is not None and chain not in chains:
            continue
        event = session.scalar(select(AuditEvent).where(AuditEvent.chain == chain, AuditEvent.seq == seq))
        if event is None:
            return Problem(chain, "the signed head is missing (deleted)", seq=seq, checkpoint_id=checkpoint.id)
        if event.hash != signed_hash:
            return Problem(chain, "differs from the signed head (chain rewritten)", event.id, seq, checkpoint.id)
    return None


def verify(session: Session, secret: str, collectivite_id: Optional[int] = None, only_one: bool = False) -> Report:
    """Every chain (or the one of ``collectivite_id`` when ``only_one``) and every checkpoint."""
    report = Report()
    heads = {head.chain: head for head in session.scalars(select(AuditChain))}
    names = set(heads) | set(session.scalars(select(AuditEvent.chain).distinct()))
    if only_one:
        names = {chain_of(collectivite_id)}
    for chain in sorted(names):
        count, problem = verify_chain(session, chain, heads.get(chain))
        report.events += count
        report.chains += 1
        if problem:
            report.problems.append(problem)
    checkpoints = select(AuditCheckpoint).order_by(AuditCheckpoint.id).execution_options(yield_per=BATCH)
    for checkpoint in session.scalars(checkpoints):
        report.checkpoints += 1
        problem = verify_checkpoint(session, checkpoint, secret, names if only_one else None)
        if problem:
            report.problems.append(problem)
            break
    return report
