"""Sending a partner its identifier e-mail again (a partner who lost it asks its correspondent or support).

Audited (``partner.resend_identifier``) and limited per partner and per user over the last hour
(``rules.check_resend_allowed``); the audit trail is what is counted. Validate, change, flush.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from console.audit import api as audit
from console.audit.models import AuditEvent
from console.mail import queue_mail
from console.money.dates import PARIS
from console.partners import rules
from console.partners.lookup import mask_email
from console.partners.models import Partner
from console.tenants.models import Collectivite, ConsoleUser, utcnow
from console.tenants.scoping import get_scoped

ACTION = "partner.resend_identifier"
WINDOW = timedelta(minutes=rules.RESEND_WINDOW_MINUTES)


def resend_identifier(session: Session, partner_id: int, actor: ConsoleUser) -> Partner:
    """E-mail the partner its identifier again, to the address on file; refused past the hourly limits."""
    partner = get_scoped(session, Partner, partner_id)  # another collectivité's partner: NotFound
    now = utcnow()
    for_partner = (AuditEvent.object_type == "partner") & (AuditEvent.object_id == str(partner.id))
    by_actor = AuditEvent.actor_id == actor.id
    # One indexed read of the last hour's resends (ix_audit_event_object, actor_id): counts and the oldest of each.
    counts = session.execute(
        select(func.count().filter(for_partner), func.min(AuditEvent.at).filter(for_partner),
               func.count().filter(by_actor), func.min(AuditEvent.at).filter(by_actor))
        .where(AuditEvent.action == ACTION, AuditEvent.at > now - WINDOW, or_(for_partner, by_actor))).one()
    partner_count, partner_oldest, actor_count, actor_oldest = counts
    oldest = partner_oldest if partner_count >= rules.RESEND_PER_PARTNER else actor_oldest
    rules.check_resend_allowed(partner.identifier, partner_count, actor_count, _paris_time((oldest or now) + WINDOW))
    queue_mail(session, partner.email, "partner_identifier", collectivite_id=partner.collectivite_id,
               partner=partner, collectivite=session.get(Collectivite, partner.collectivite_id))
    audit.record(session, ACTION, partner, {"identifier": partner.identifier, "email": mask_email(partner.email)},
                 actor=actor)
    return partner


def _paris_time(moment_utc: datetime) -> str:
    """HH:MM in Paris of a naive UTC timestamp, as a refusal names it."""
    return moment_utc.replace(tzinfo=timezone.utc).astimezone(PARIS).strftime("%H:%M")
