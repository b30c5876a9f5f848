"""Fraud blocks: the operator blocks and unblocks; a correspondent blocks as an alert and lifts only their own.

While a partner is blocked its requests are still received and kept, but none is validated, batched or paid.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.audit import api as audit
from console.errors import N_, Conflict
from console.money import rules
from console.money.dates import paris_day
from console.money.models import PartnerBlock
from console.partners.models import Partner
from console.partners.validators import validate_required
from console.tenants.models import utcnow
from console.tenants.scoping import get_scoped as get


def active_block(session: Session, partner_id: int) -> PartnerBlock | None:
    """The fraud block in force on a partner, if any."""
    return session.scalar(select(PartnerBlock).where(PartnerBlock.partner_id == partner_id,
                                                     PartnerBlock.unblocked_at.is_(None)))


def check_not_blocked(session: Session, partner: Partner) -> None:
    block = active_block(session, partner.id)
    rules.check_not_blocked(block is not None, str(partner), block.blocked_at.date() if block else None)


def block_partner(session: Session, partner_id: int, reason: str, actor_id: int | None, by_operator: bool
                  ) -> PartnerBlock:
    """Block a partner's reimbursements on suspicion of fraud (the operator), or as an alert from the field (a
    correspondent); its requests are still received and kept."""
    partner = get(session, Partner, partner_id)
    reason = validate_required(reason, "reason")
    current = active_block(session, partner.id)
    if current is not None:
        raise Conflict(N_("The reimbursements of %(partner)s are already blocked since %(blocked_since)s."),
                       rule="fraud_block", partner=str(partner), blocked_since=current.blocked_at.date())
    block = PartnerBlock(partner=partner, collectivite_id=partner.collectivite_id, reason=reason,
                         blocked_by_id=actor_id, set_by_operator=by_operator)
    session.add(block)
    session.flush()
    audit.record(session, "partner.block", partner, {"block": block.id, "reason": reason,
                                                     "set_by_operator": by_operator})
    return block


def unblock_partner(session: Session, partner_id: int, justification: str, actor_id: int | None, by_operator: bool
                    ) -> PartnerBlock:
    """Lift a block, with the written justification that no fraud took place (FAQ roles: ``check_may_lift_block``)."""
    partner = get(session, Partner, partner_id)
    block = active_block(session, partner.id)
    if block is None:
        raise Conflict(N_("The reimbursements of %(partner)s are not blocked."), rule="fraud_block",
                       partner=str(partner))
    rules.check_may_lift_block(block.set_by_operator, block.blocked_by_id, paris_day(block.blocked_at), actor_id,
                               by_operator)
    block.justification = rules.check_unblock_justification(justification)
    block.unblocked_at, block.unblocked_by_id = utcnow(), actor_id
    session.flush()
    audit.record(session, "partner.unblock", partner, {"block": block.id, "justification": block.justification})
    return block
