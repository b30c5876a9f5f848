"""Reading the trail: the one query of the « Journal d'audit » page and of its Excel export."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select

from console.audit.actions import ACTIONS
from console.audit.models import AuditEvent
from console.tenants.context import Scope
from console.tenants.scoping import tenant_clause

PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class Filters:
    """Period (days, inclusive), actor login, action name, object type and id; anything unknown is ignored."""

    start: Optional[date] = None
    end: Optional[date] = None
    actor: Optional[str] = None
    action: Optional[str] = None
    object_type: Optional[str] = None
    object_id: Optional[str] = None

    @classmethod
    def of(cls, start: Optional[date] = None, end: Optional[date] = None, actor: Optional[str] = None,
           action: Optional[str] = None, object_type: Optional[str] = None,
           object_id: Optional[str] = None) -> "Filters":
        clean = lambda text, size: (text or "").strip()[:size] or None  # noqa: E731
        return cls(start, end, clean(actor, 100), action if action in ACTIONS else None,
                   clean(object_type, 40), clean(object_id, 40))


def utc_midnight(day: date) -> datetime:
    """The start of a Paris day as the naive UTC time events are stored with."""
    start = datetime.combine(day, time.min, tzinfo=PARIS)
    return start.astimezone(timezone.utc).replace(tzinfo=None)


def events(filters: Filters, scope: Scope) -> Select:
    """Events of the scope matching the filters, newest first (stable: the id breaks ties)."""
    statement = select(AuditEvent).where(tenant_clause(AuditEvent, scope))
    if filters.start is not None:
        statement = statement.where(AuditEvent.at >= utc_midnight(filters.start))
    if filters.end is not None:
        statement = statement.where(AuditEvent.at < utc_midnight(filters.end + timedelta(days=1)))
    if filters.actor:
        statement = statement.where(func.lower(AuditEvent.actor_login) == filters.actor.lower())
    if filters.action:
        statement = statement.where(AuditEvent.action == filters.action)
    if filters.object_type:
        statement = statement.where(AuditEvent.object_type == filters.object_type)
    if filters.object_id:
        statement = statement.where(AuditEvent.object_id == filters.object_id)
    return statement.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
